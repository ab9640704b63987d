//! Framing abuse the real binary must survive (a frame that is not JSON, a
//! zero-length body, broken headers: each gets an error reply or is skipped,
//! and the server goes on), and `qbank check` printing 100,000 diagnostics
//! (in time linear in their number: `cargo bench --bench linear`).

use qbank_testkit::Scratch;
use serde_json::json;

use crate::{QBANK, spawned_started};

#[test]
fn invalid_json_gets_a_parse_error_and_the_server_goes_on() {
    let (_workspace, _home, mut server) = spawned_started("badjson");
    for body in [
        &b"{ this is not json"[..],
        b"\xff\xfe\x00 not utf-8",
        // JSON whose one string is not UTF-8: tower-lsp-server's decoder
        // refuses it, and then reads nothing more.
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x/y\",\"params\":{\"a\":\"\xe3s\"}}",
        b"42",
        b"[]",
    ] {
        assert!(server.send_body(body));
        let reply = server.next_null_id_error();
        assert!([-32700, -32600].contains(&reply["error"]["code"].as_i64().unwrap()));
        server.assert_alive();
    }
    server.stop();
}

#[test]
fn zero_length_and_bad_headers_are_skipped_and_the_server_goes_on() {
    let (_workspace, _home, mut server) = spawned_started("frames");
    // A zero-length body right before a request: the request must not
    // wait for more input.
    let id = server.next_id();
    let body = json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "a" } }).to_string();
    let frame = format!(
        "Content-Length: 0\r\n\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(server.write_raw(frame.as_bytes()));
    let reply = server.response_to(&json!(id));
    assert!(reply.get("result").is_some(), "{reply}");
    for garbage in [
        &b"Content-Len"[..],
        b"Content-Length: many\r\n\r\n",
        b"Content-Length: 2\r\nContent-Type: text/plain; charset=latin-1\r\n\r\n{}",
    ] {
        assert!(server.write_raw(garbage));
        server.assert_alive();
    }
    server.stop();
}

#[test]
fn check_prints_one_line_per_diagnostic_of_a_100k_diagnostic_note() {
    let workspace = Scratch::new("cli-many");
    let home = Scratch::new("cli-many-home");
    workspace.write(".qbank.toml", "");
    workspace.write("many.md", "BE-9999 x\n".repeat(100_000));
    let output = std::process::Command::new(QBANK)
        .args(["check", "many.md"])
        .current_dir(workspace.root())
        .env("HOME", home.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 100_000);
    assert_eq!(
        stdout.lines().last(),
        Some("many.md:100000:1: error[unknown-question]: unknown question BE-9999")
    );
}

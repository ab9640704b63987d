//! Protocol robustness of `qbank lsp`: malformed frames and bodies,
//! unknown methods, `$/` requests and notifications, requests before
//! `initialize` and after `shutdown`, `null` params and missing fields, a
//! 50 MB message, a zero-length message, truncated and invalid headers,
//! duplicate request ids, cancellation of a request in flight, `exit`
//! without `shutdown`, and stdin closed. Each gets the JSON-RPC answer the
//! protocol names (or none, for a notification) and the server goes on
//! answering; every wait is bounded by a timeout, and no test may see a
//! panic in the server. Exit codes, a closed stdin, raw and 50 MB frames go
//! to the real binary; the rest runs in-process.

use std::time::{Duration, Instant};

use qbank_testkit::positions::position_json;
use qbank_testkit::{Capabilities, Scratch};
use serde_json::{Value, json};

use crate::{hover_markdown, spawned, spawned_started, started};

fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error reply: {reply}"))
}

#[test]
fn invalid_json_gets_a_parse_error() {
    // After the reply the server stops reading (tower-lsp-server ends its
    // input stream at the first undecodable frame): that it goes on is
    // left to the fix the reliability report describes.
    for body in [
        &b"{ this is not json"[..],
        b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ",
        b"\xff\xfe\x00 not utf-8",
    ] {
        let (_workspace, _home, mut server) = spawned_started("badjson");
        assert!(server.send_body(body));
        let reply = server.next_null_id_error();
        assert_eq!(error_code(&reply), -32700, "{reply}");
        server.assert_no_panic();
    }
}

#[test]
fn unknown_methods_get_method_not_found() {
    let (_workspace, mut server) = started("unknown");
    let reply = server.request_raw("qbank/noSuchMethod", json!({}));
    assert_eq!(error_code(&reply), -32601, "{reply}");
    let reply = server.request_raw(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": "file:///x.md" } }),
    );
    assert_eq!(error_code(&reply), -32601, "{reply}");
    // An unknown notification gets no answer and changes nothing.
    server.notify("qbank/noSuchNotification", json!({ "x": 1 }));
    server.notify("$/somethingOptional", Value::Null);
    server.assert_alive();
    // A response to a request the server never sent is ignored.
    server.send(&json!({ "jsonrpc": "2.0", "id": 987654, "result": { "applied": true } }));
    server.assert_alive();
    server.stop();
}

#[test]
fn a_dollar_request_gets_method_not_found_and_a_dollar_notification_nothing() {
    let (_workspace, _home, mut server) = spawned_started("dollar");
    let id = server.next_id();
    server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "$/foo" }));
    let reply = server.response_to(&json!(id));
    assert_eq!(error_code(&reply), -32601, "{reply}");
    let id = server.next_id();
    server.send(
        &json!({ "jsonrpc": "2.0", "id": id, "method": "$/cancelRequest", "params": { "id": 1 } }),
    );
    let reply = server.response_to(&json!(id));
    assert_eq!(error_code(&reply), -32601, "{reply}");
    // A notification: no answer comes before the next request's.
    server.notify("$/foo", json!({ "x": 1 }));
    let id = server.next_id();
    server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "a" } }));
    loop {
        let message = server.receive().expect("the server is running");
        if message.get("method").is_some() {
            continue;
        }
        assert_eq!(message["id"], id, "an answer to a notification: {message}");
        break;
    }
    server.stop();
}

#[test]
fn requests_before_initialize_and_after_shutdown_are_refused() {
    let workspace = Scratch::new("order");
    let home = Scratch::new("order-home");
    let mut server = spawned(&workspace, &home);
    let hover_params = json!({
        "textDocument": { "uri": workspace.uri("a.md") },
        "position": { "line": 0, "character": 0 }
    });
    let early = server.request_raw("textDocument/hover", hover_params.clone());
    assert_eq!(error_code(&early), -32002, "{early}");
    let early = server.request_raw("workspace/symbol", json!({ "query": "x" }));
    assert_eq!(error_code(&early), -32002, "{early}");
    // A notification before initialize is dropped without an answer.
    server.open(&workspace.uri("a.md"), "BE-23\n", 1);
    server.initialize(workspace.root(), &Capabilities::editor());
    let again = server.request_raw(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert!(again.get("error").is_some(), "a second initialize: {again}");
    server.assert_alive();
    server.request("shutdown", Value::Null);
    let late = server.request_raw("textDocument/hover", hover_params);
    assert_eq!(error_code(&late), -32600, "{late}");
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
    server.assert_no_panic();
}

#[test]
fn null_params_and_missing_fields_get_invalid_params() {
    let (workspace, mut server) = started("params");
    let uri = workspace.uri("note.md");
    server.open(&uri, "# Notes\n\nBE-23\n", 1);
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/codeAction",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/inlayHint",
        "textDocument/codeLens",
        "workspace/symbol",
        "workspace/executeCommand",
        "completionItem/resolve",
        "qbank/documentText",
    ] {
        for params in [
            Value::Null,
            json!({}),
            json!([]),
            json!({ "textDocument": {} }),
            json!({ "textDocument": { "uri": uri }, "position": { "line": "zero" } }),
            json!({ "textDocument": { "uri": 5 }, "position": { "line": -1, "character": 0 } }),
        ] {
            let reply = server.request_raw(method, params.clone());
            if let Some(error) = reply.get("error") {
                assert_eq!(error["code"], -32602, "{method} {params}: {reply}");
            }
        }
    }
    // The command's arguments, missing or wrong.
    let position = json!({ "line": 0, "character": 0 });
    let both = [
        "qbank.insertTemplate",
        "qbank.insertPacket",
        "qbank.nothing",
    ];
    for (arguments, commands) in [
        (json!(null), &both[..]),
        (json!([]), &both[..]),
        (json!([{}]), &both[..]),
        (json!([{ "uri": uri }]), &both[..]),
        (
            json!([{ "uri": uri, "position": { "line": 99, "character": 0 }, "key": "BE-23" }]),
            &both[..],
        ),
        (
            json!([{ "uri": workspace.uri("closed.md"), "position": position, "key": "BE-23" }]),
            &both[..],
        ),
        (
            json!([{ "uri": uri, "position": position, "key": "BE-99999" }]),
            &both[..1],
        ),
        (
            json!([{ "uri": uri, "position": position, "categories": ["no such"] }]),
            &both[1..2],
        ),
        (
            json!([{ "uri": uri, "position": position, "key": "BE-23", "mode": "bogus" }]),
            &both[..2],
        ),
    ] {
        for command in commands {
            let reply = server.request_raw(
                "workspace/executeCommand",
                json!({ "command": command, "arguments": arguments }),
            );
            assert_eq!(error_code(&reply), -32602, "{command} {arguments}: {reply}");
        }
    }
    // Notifications with null or partial params are dropped.
    for method in [
        "textDocument/didOpen",
        "textDocument/didChange",
        "textDocument/didSave",
        "workspace/didChangeConfiguration",
        "workspace/didChangeWatchedFiles",
        "initialized",
    ] {
        server.notify(method, Value::Null);
        server.notify(method, json!({}));
        server.notify(method, json!({ "textDocument": { "uri": uri } }));
    }
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "mode": 7, "banks": "x", "packetSize": -1, "builtin": null } } }),
    );
    server.notify("textDocument/didClose", Value::Null);
    server.notify("textDocument/didClose", json!({ "textDocument": {} }));
    let copy = server.document_text(&uri);
    assert_eq!(copy["text"], "# Notes\n\nBE-23\n");
    let markdown = hover_markdown(&mut server, &uri, position_json((2, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    server.stop();
}

#[test]
fn a_50_mb_message_is_read_and_the_server_goes_on() {
    let (workspace, _home, mut server) = spawned_started("huge");
    // A debug build on a busy machine takes tens of seconds to copy 50 MB
    // back; the wait only guards against a hang.
    server.set_timeout(Duration::from_secs(120));
    let uri = workspace.uri("huge.md");
    let line = "Ask BE-23 about caching, 😀 then BE-9999 and more words here.\n";
    let text = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    assert!(text.len() >= 50 * 1024 * 1024);
    let started = Instant::now();
    server.open(&uri, &text, 1);
    let markdown = hover_markdown(&mut server, &uri, position_json((1000, 5)));
    assert!(markdown.contains("ACID"), "{markdown}");
    eprintln!("50 MB didOpen + first hover: {:?}", started.elapsed());
    let copy = server.document_text(&uri);
    assert_eq!(copy["text"].as_str().map(str::len), Some(text.len()));
    // A 50 MB body for a method nobody knows.
    let id = server.next_id();
    let padding = "x".repeat(50 * 1024 * 1024);
    server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "qbank/huge", "params": { "padding": padding } }));
    let reply = server.response_to(&json!(id));
    assert_eq!(error_code(&reply), -32601, "{}", reply["error"]);
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    server.assert_alive();
    server.stop();
}

#[test]
fn truncated_headers_and_short_bodies_are_read_on() {
    let (_workspace, _home, mut server) = spawned_started("frames");
    // A header whose blank line never came, then a whole message: the
    // later Content-Length wins.
    assert!(server.write_raw(b"Content-Length: 5\r\n"));
    server.assert_alive();
    // A body shorter than its length swallows what follows until the
    // length is reached; the server answers once it is.
    let id = server.next_id();
    let body = json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "a" } }).to_string();
    let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len() + 2);
    assert!(server.write_raw(frame.as_bytes()));
    assert!(server.write_raw(b"  "));
    let reply = server.response_to(&json!(id));
    assert!(reply.get("result").is_some(), "{reply}");
    // Headers split across writes, byte by byte.
    let id = server.next_id();
    let body = json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "b" } }).to_string();
    for byte in format!("Content-Length: {}\r\n\r\n{body}", body.len()).bytes() {
        assert!(server.write_raw(&[byte]));
    }
    let reply = server.response_to(&json!(id));
    assert!(reply.get("result").is_some(), "{reply}");
    server.stop();
}

#[test]
fn duplicate_request_ids_each_get_an_answer() {
    let (workspace, mut server) = started("dupes");
    let uri = workspace.uri("note.md");
    server.open(&uri, "BE-23 and BE-40\n", 1);
    let hover = |character: u32| {
        json!({ "jsonrpc": "2.0", "id": 777, "method": "textDocument/hover", "params": {
            "textDocument": { "uri": uri }, "position": { "line": 0, "character": character } } })
    };
    server.send(&hover(1));
    server.send(&hover(12));
    let first = server.response_to(&json!(777));
    assert!(first.get("result").is_some() || first.get("error").is_some());
    // The second answer, if the server sends one, comes before the next
    // request's.
    let id = server.next_id();
    server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "a" } }));
    let mut replies_to_777 = 1;
    loop {
        let message = server.receive().expect("the server is running");
        if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
            break;
        }
        if message.get("id") == Some(&json!(777)) {
            replies_to_777 += 1;
        }
    }
    eprintln!("answers to the duplicated id: {replies_to_777}");
    assert!(replies_to_777 <= 2);
    server.assert_alive();
    server.stop();
}

#[test]
fn a_cancelled_request_gets_one_answer_and_the_server_goes_on() {
    let (workspace, mut server) = started("cancel");
    let uri = workspace.uri("big.md");
    let line = "## BE-23 · heading\nSee BE-9999, BE-40 and `code` here.\n";
    server.open(&uri, &line.repeat(40_000), 1);
    let mut outcomes = Vec::new();
    for round in 0..5 {
        // A change makes the next request reparse the whole document.
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": round + 2 }, "contentChanges": [
                { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }
            ] }),
        );
        let id = server.next_id();
        server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": {
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 1, "character": 5 }, "end": { "line": 1, "character": 5 } },
            "context": { "diagnostics": [] } } }));
        server.notify("$/cancelRequest", json!({ "id": id }));
        let reply = server.response_to(&json!(id));
        match reply.get("error") {
            Some(error) => {
                assert_eq!(error["code"], -32800, "{reply}");
                outcomes.push("cancelled");
            }
            None => outcomes.push("answered"),
        }
        // A cancel for a request that is over, or never was.
        server.notify("$/cancelRequest", json!({ "id": id }));
        server.notify("$/cancelRequest", json!({ "id": "no-such-request" }));
        server.assert_alive();
    }
    eprintln!("cancelled requests: {outcomes:?}");
    // No second answer to any cancelled request arrives later.
    let id = server.next_id();
    server.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "a" } }));
    let _ = server.response_to(&json!(id));
    let first_id = id - 10;
    assert!(
        !server.kept().any(|message| message.get("method").is_none()
            && message["id"]
                .as_i64()
                .is_some_and(|seen| seen > first_id && seen < id)),
        "a request was answered twice"
    );
    server.stop();
}

#[test]
fn exit_without_shutdown_ends_with_code_1() {
    let (_workspace, _home, mut server) = spawned_started("exit");
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(1));
    server.assert_no_panic();
}

#[test]
fn exit_before_initialize_ends_with_code_1() {
    let workspace = Scratch::new("exit-early");
    let home = Scratch::new("exit-early-home");
    let mut server = spawned(&workspace, &home);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(1));
    server.assert_no_panic();
}

#[test]
fn closing_stdin_ends_the_process() {
    for ending in [
        &b""[..],
        b"Content-Length: 40\r\n",
        b"Content-Length: 100\r\n\r\n{\"jsonrpc\"",
        b"Content-Length: 99999999999\r\n\r\n",
    ] {
        let (_workspace, _home, mut server) = spawned_started("eof");
        assert!(server.write_raw(ending));
        server.close_input();
        let code = server.wait_exit();
        assert!(
            code.is_some(),
            "the server still runs after stdin closed ({:?})",
            String::from_utf8_lossy(ending)
        );
        // Stdin closed without `shutdown`: the protocol's code 1.
        assert_eq!(code, Some(1), "{:?}", String::from_utf8_lossy(ending));
        server.assert_no_panic();
    }
}

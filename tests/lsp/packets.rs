//! Interview packets in a candidate's folder (issue 16): with a small bank
//! of six questions (the built-in bank off, so every draw is known), a new
//! `round-2.md` beside `round-1.md` gets a packet through
//! `qbank.insertPacket` and the "Insert interview packet" source action.
//! By default neither holds a question round 1 wrote; `exclude: false`
//! allows them again; `exclude` as URIs names other notes and folders
//! instead; any other `exclude` is an InvalidParams error.

use std::collections::BTreeSet;

use qbank_testkit::positions::apply_edits;
use qbank_testkit::{Capabilities, Client, Scratch, Unit};
use serde_json::{Value, json};

use crate::{code_actions_at, command_text, initialized};

const BANK: &str = "---\nprefix: IV\n---\n# Interview bank\n\n## Systems\n\
1. What is a mutex?\n\
2. How does a hash map resolve collisions?\n\
3. What is a B-tree?\n\
4. How does TLS establish a session key?\n\
5. What is backpressure in a stream?\n\
6. How does DNS resolve a name?\n";

const ROUND_2: &str = "# Alice — round 2\n\n";

/// Alice's first round beside her new one, Bob's round in his folder, and
/// an older round of Alice's in a subfolder.
fn candidates() -> Scratch {
    let workspace = Scratch::new("packets");
    workspace.write(".qbank.toml", "builtin = false\n");
    workspace.write("questions/iv.md", BANK);
    workspace.write(
        "alice/round-1.md",
        "# Alice — round 1\n\n### IV-1 · What is a mutex?\n**Score:** 3\n\n\
### IV-2 · How does a hash map resolve collisions?\n**Notes:** also asked about IV-3.\n",
    );
    workspace.write("alice/round-2.md", ROUND_2);
    workspace.write(
        "alice/2025/round-0.md",
        "### IV-6 · How does DNS resolve a name?\n",
    );
    workspace.write(
        "bob/round-1.md",
        "### IV-4 · How does TLS establish a session key?\n",
    );
    workspace
}

/// A server over the candidates' workspace, its notes indexed, with
/// Alice's round 2 open; its URI.
fn round_2_open(workspace: &Scratch) -> (Client, String) {
    let capabilities = Capabilities {
        work_done_progress: true,
        ..Capabilities::editor()
    };
    let (mut server, _) = initialized(workspace, capabilities);
    server.wait_for_indexing();
    let uri = workspace.uri("alice/round-2.md");
    server.open(&uri, ROUND_2, 1);
    (server, uri)
}

/// The keys of the question headings a text holds, in order of number.
fn question_keys(text: &str) -> Vec<String> {
    let keys: BTreeSet<u32> = text
        .lines()
        .filter_map(|line| line.strip_prefix("### IV-"))
        .filter_map(|rest| rest.split(' ').next()?.parse().ok())
        .collect();
    keys.iter().map(|number| format!("IV-{number}")).collect()
}

/// `qbank.insertPacket` of as many questions as the bank holds, at the end
/// of round 2, with `exclude` when given; the keys it inserts.
fn packet_keys(server: &mut Client, uri: &str, exclude: Option<Value>) -> Vec<String> {
    let mut arguments = json!({
        "uri": uri,
        "position": { "line": 2, "character": 0 },
        "count": 6,
        "mode": "interview",
        "seed": 3,
    });
    if let Some(exclude) = exclude {
        arguments["exclude"] = exclude;
    }
    let inserted = command_text(server, ROUND_2, "qbank.insertPacket", arguments);
    assert!(inserted.starts_with(ROUND_2), "{inserted}");
    question_keys(&inserted)
}

#[test]
fn a_packet_in_a_candidates_folder_skips_what_the_folder_asked() {
    let workspace = candidates();
    let (mut server, uri) = round_2_open(&workspace);
    // Round 1 writes IV-1 and IV-2 as headings and IV-3 in a note line;
    // the subfolder's IV-6 and Bob's IV-4 are not Alice's folder.
    let by_default = packet_keys(&mut server, &uri, None);
    assert_eq!(by_default, ["IV-4", "IV-5", "IV-6"]);
    assert_eq!(
        packet_keys(&mut server, &uri, Some(json!(true))),
        by_default
    );
    assert_eq!(
        packet_keys(&mut server, &uri, Some(json!(false))),
        ["IV-1", "IV-2", "IV-3", "IV-4", "IV-5", "IV-6"]
    );
    // Named notes and folders replace the folder; a URI outside the
    // workspace names none of its notes.
    let named = json!([
        workspace.uri("bob"),
        workspace.uri("alice/2025/"),
        "file:///elsewhere/round-1.md",
    ]);
    assert_eq!(
        packet_keys(&mut server, &uri, Some(named)),
        ["IV-1", "IV-2", "IV-3", "IV-5"]
    );
    let whole_workspace = json!([workspace.uri("")]);
    assert_eq!(
        packet_keys(&mut server, &uri, Some(whole_workspace)),
        ["IV-5"]
    );
    server.stop();
}

#[test]
fn the_source_action_skips_the_folder_too() {
    let workspace = candidates();
    let (mut server, uri) = round_2_open(&workspace);
    let actions = code_actions_at(&mut server, &uri, json!({ "line": 2, "character": 0 }));
    let action = actions
        .iter()
        .find(|action| action["title"] == "Insert interview packet (5 questions)")
        .unwrap_or_else(|| panic!("no packet action: {actions:?}"));
    let edits = action["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    let inserted = apply_edits(ROUND_2, edits, Unit::Utf16);
    assert_eq!(
        question_keys(&inserted),
        ["IV-4", "IV-5", "IV-6"],
        "{inserted}"
    );
    server.stop();
}

#[test]
fn an_exclude_of_another_type_is_invalid_params() {
    let workspace = candidates();
    let (mut server, uri) = round_2_open(&workspace);
    for (exclude, message) in [
        (
            json!("alice"),
            "`exclude` must be true (the note's folder), false (the note alone) or an array of file:// URIs of notes and folders, not \"alice\"",
        ),
        (json!({ "folder": true }), "`exclude` must be true"),
        (
            json!([42]),
            "`exclude` holds 42, not the file:// URI of a note or folder",
        ),
        (
            json!(["https://example.com/round-1.md"]),
            "not the file:// URI of a note or folder",
        ),
        (
            json!(["not a uri"]),
            "not the file:// URI of a note or folder",
        ),
    ] {
        let reply = server.request_raw(
            "workspace/executeCommand",
            json!({ "command": "qbank.insertPacket", "arguments": [{
                "uri": uri,
                "position": { "line": 2, "character": 0 },
                "exclude": exclude,
            }] }),
        );
        assert_eq!(reply["error"]["code"], -32602, "{exclude}: {reply}");
        let said = reply["error"]["message"].as_str().unwrap();
        assert!(said.contains(message), "{exclude}: {said}");
    }
    assert!(server.edit_requests().is_empty());
    server.assert_alive();
    server.stop();
}

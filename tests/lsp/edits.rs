//! Edits are safe: over a corpus of varied notes (CRLF, lone CR, emoji, CJK,
//! unknown keys, drifted and repeated question headings, bare keys, code,
//! front matter, no final newline), every code action the server
//! offers at every interesting position carries the document's current
//! version and URI, names a range inside the document that splits no
//! character and no CRLF, and changes only what its title names; applied
//! through `didChange`, the server's text is the editor's. Commands apply
//! their edit through `workspace/applyEdit` against the version current
//! when they run; a stale change is refused.

use qbank_testkit::positions;
use qbank_testkit::{ApplyEdit, Capabilities, Scratch, Unit};
use serde_json::{Value, json};

use crate::{code_actions_at, initialized};

/// Whether a text is a whole key, `PREFIX-123`.
fn is_key(text: &str) -> bool {
    let Some((prefix, number)) = text.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.bytes().all(|byte| byte.is_ascii_alphanumeric())
        && !number.is_empty()
        && number.bytes().all(|byte| byte.is_ascii_digit())
}

/// About thirty notes, each exercising what the actions react to.
fn corpus() -> Vec<String> {
    let mut notes: Vec<String> = vec![
        String::new(),
        "BE-23".to_string(),
        "BE-23\n".to_string(),
        "# Notes\n\nBE-23\n\nmore\n".to_string(),
        "# Notes\r\n\r\nBE-23\r\n\r\nmore\r\n".to_string(),
        "# Notes\r\rBE-23\r\rmore\r".to_string(),
        "- BE-23\n- BE-40.\n1. BE-58:\n* BE-2\n".to_string(),
        "Ask BE-40 first, then BE-9999 and BE-2399.\n".to_string(),
        "## BE-23 · What is ACID?\n\nSome answer.\n".to_string(),
        "## BE-23 · What is ACID compliance, and why is it important in databases?\n".to_string(),
        "## BE-23\n## BE-23\n### BE-9999 · How do caches work?\n".to_string(),
        "### What is SQL injection, and how do you prevent it?\n".to_string(),
        "# 面接 😀\n\n## BE-23 · 😀 ACID？\n\n答え BE-40 です。\n".to_string(),
        "e\u{301}e\u{301} BE-23 👍🏽👍🏽 BE-9999\r\n".to_string(),
        "```\nBE-23\n```\n`BE-40` BE-9999\n".to_string(),
        "---\ntitle: x\n---\n# Round 1\n\nBE-23 BE-40\n\n".to_string(),
        "> BE-23 in a quote\n\n| BE-40 | x |\n|---|---|\n".to_string(),
        "# Interview packet · 5 questions\n\n## BE-1 · q\n\n## BE-2 · q\n".to_string(),
        "#BE-23 not a heading\n    BE-40 indented code\n".to_string(),
        "BE-23\u{2028}BE-40\u{85}BE-58\n".to_string(),
        "\n\n\n".to_string(),
        "\r\n".to_string(),
        "x".repeat(300) + " BE-23 " + &"😀".repeat(100),
        "## BE-23 · What is ACID?\r\n**In one sentence:** \r\n\r\n## BE-40\r\n".to_string(),
        "1. BE-23\n   - nested BE-40\n     - deeper BE-9999\n".to_string(),
        "Title\n=====\n\nBE-23\n\nSub\n---\nBE-9\n".to_string(),
        "<!-- BE-23 -->\n<div>BE-40</div>\nBE-58\n".to_string(),
        "[BE-23](https://example.com) and ![BE-40](x.png)\n".to_string(),
        "## BE-999999999999 · overflow\nBE-4294967296\n".to_string(),
        "## Notes\n\nBE-23 BE-23 BE-23\n\n## BE-40 · SQL?\n\n## BE-40 · SQL?\n".to_string(),
    ];
    notes.dedup();
    notes
}

/// Positions worth asking at: every line's start and end, every key's
/// start, middle and end, and the document's end (UTF-16 columns).
fn positions(text: &str) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    for (line, range) in positions::lines(text).iter().enumerate() {
        let line_text = &text[range.clone()];
        found.push((line as u32, 0));
        found.push((line as u32, line_text.encode_utf16().count() as u32));
        for (at, _) in line_text.match_indices('-') {
            let before = line_text[..at].encode_utf16().count() as u32;
            for delta in [-2i64, 1, 3] {
                found.push((line as u32, (i64::from(before) + delta).max(0) as u32));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as u32;
    let character = position["character"].as_u64().unwrap() as u32;
    let offset = positions::offset(text, line, character, Unit::Utf16)
        .unwrap_or_else(|| panic!("position {position} past the document's end"));
    // The position names that very place: not inside a character or a
    // surrogate pair (which would round), not past the line's end.
    let start = positions::lines(text)[line as usize].start;
    assert_eq!(
        text[start..offset].encode_utf16().count() as u32,
        character,
        "position {position} is not on a character boundary of {text:?}"
    );
    offset
}

/// Checks one action against the text it was computed for; returns the
/// edits.
fn check_action(text: &str, uri: &str, version: i64, action: &Value) -> Vec<Value> {
    let title = action["title"].as_str().unwrap();
    let changes = action["edit"]["documentChanges"]
        .as_array()
        .unwrap_or_else(|| panic!("{title}: versioned documentChanges: {action}"));
    assert_eq!(changes.len(), 1, "{title}");
    assert_eq!(changes[0]["textDocument"]["uri"], uri, "{title}");
    assert_eq!(
        changes[0]["textDocument"]["version"], version,
        "{title}: the document's current version"
    );
    let edits = changes[0]["edits"].as_array().unwrap().clone();
    assert!(!edits.is_empty(), "{title}");
    let crlf = text.contains("\r\n");
    for edit in &edits {
        let start = offset_of(text, &edit["range"]["start"]);
        let end = offset_of(text, &edit["range"]["end"]);
        assert!(start <= end, "{title}: {edit}");
        let replaced = &text[start..end];
        let new_text = edit["newText"].as_str().unwrap();
        let line_break = |piece: &str| piece.contains(['\n', '\r']);
        if let Some(key) = title.strip_prefix("Change to ") {
            assert!(is_key(replaced), "{title} replaces a key, not {replaced:?}");
            assert_eq!(new_text, key, "{title}");
        } else if title.starts_with("Update heading to ") {
            assert!(
                !line_break(replaced) && !line_break(new_text),
                "{title}: {edit}"
            );
            assert!(!replaced.is_empty(), "{title}");
        } else if title.starts_with("Expand ") {
            let line = positions::lines(text)
                .into_iter()
                .find(|line| line.start <= start && end <= line.end)
                .unwrap_or_else(|| panic!("{title}: within one line: {edit}"));
            assert_eq!(start..end, line, "{title}: the whole line's content");
            assert!(!line_break(new_text), "{title}");
            assert!(new_text.starts_with('#'), "{title}: {new_text:?}");
        } else if title.starts_with("Link heading to ") {
            assert_eq!(start, end, "{title}");
            assert!(new_text.ends_with(" · ") && is_key(new_text.trim_end_matches(" · ")));
        } else if title.starts_with("Insert ") {
            assert_eq!(start, end, "{title}: an insertion replaces nothing");
            let at_line_start = start == 0
                || start == text.len()
                || matches!(text.as_bytes()[start - 1], b'\n' | b'\r');
            assert!(at_line_start, "{title}: inserted at a line start: {edit}");
            assert!(
                !(start > 0
                    && text.as_bytes()[start - 1] == b'\r'
                    && text.as_bytes().get(start) == Some(&b'\n')),
                "{title}: inside a CRLF"
            );
            if crlf {
                assert!(
                    !new_text.replace("\r\n", "").contains('\n'),
                    "{title}: the note's CRLF line endings: {new_text:?}"
                );
            }
        } else {
            panic!("an action this test does not know: {title}");
        }
    }
    edits
}

#[test]
fn every_code_action_is_versioned_and_changes_only_its_range() {
    let workspace = Scratch::new("edits");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let mut checked = 0;
    let mut applied = 0;
    for (number, text) in corpus().into_iter().enumerate() {
        let uri = workspace.uri(&format!("note{number}.md"));
        // Start at an arbitrary version and move it on once.
        let mut version = 7 + number as i64;
        server.open(&uri, "", version);
        version += 3;
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        let mut first_applicable = None;
        for (line, character) in positions(&text) {
            let position = json!({ "line": line, "character": character });
            for action in &code_actions_at(&mut server, &uri, position) {
                let edits = check_action(&text, &uri, version, action);
                checked += 1;
                if first_applicable.is_none() {
                    first_applicable = Some((action["title"].clone(), edits));
                }
            }
        }
        // Applied as an editor would, the server's text is the editor's.
        if let Some((title, edits)) = first_applicable {
            let expected = positions::apply_edits(&text, &edits, Unit::Utf16);
            let changes: Vec<Value> = {
                // Editors send multi-edit changes back to front.
                let mut edits = edits.clone();
                edits.sort_by_key(|edit| {
                    std::cmp::Reverse((
                        edit["range"]["start"]["line"].as_u64(),
                        edit["range"]["start"]["character"].as_u64(),
                    ))
                });
                edits
                    .iter()
                    .map(|edit| json!({ "range": edit["range"], "text": edit["newText"] }))
                    .collect()
            };
            version += 1;
            server.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
            );
            let copy = server.document_text(&uri);
            assert!(copy["text"] == expected.as_str(), "{title}: {copy}");
            applied += 1;
        }
        server.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    eprintln!("{checked} code actions checked, {applied} applied through the server");
    assert!(checked > 300, "{checked}");
    server.stop();
}

#[test]
fn commands_edit_the_current_version_and_stale_changes_are_refused() {
    let workspace = Scratch::new("stale");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "# Round\r\n\r\nBE-23\r\n";
    server.open(&uri, text, 1);
    // A code action carries the version it was computed for: after a
    // change, the client holds an action of version 1 for a document at
    // version 2 and must refuse it.
    let actions = code_actions_at(&mut server, &uri, json!({ "line": 2, "character": 1 }));
    let action = &actions[0];
    assert_eq!(
        action["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "Intro\r\n" }
        ] }),
    );
    let current = format!("Intro\r\n{text}");
    assert_eq!(server.document_text(&uri)["text"], current.as_str());
    // A change whose version does not increase is refused: the text stays.
    for stale in [2, 1, 0, -5] {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": stale }, "contentChanges": [{ "text": "lost" }] }),
        );
    }
    let copy = server.document_text(&uri);
    assert_eq!(copy["version"], 2);
    assert_eq!(copy["text"], current.as_str());
    // A command runs against the current text and version: its edit names
    // version 2, and its position is read in the current text. The editor
    // refuses it (its version moved on): the server reports that.
    server.set_apply_edit(ApplyEdit::Refuse("version mismatch".to_string()));
    let reply = server.request_raw(
        "workspace/executeCommand",
        json!({
            "command": "qbank.insertTemplate",
            "arguments": [{ "uri": uri, "position": { "line": 3, "character": 2 }, "key": "BE-23" }]
        }),
    );
    let request = server
        .edit_requests()
        .last()
        .expect("the command asks the editor to apply its edit")
        .clone();
    let change = &request["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 2, "{request}");
    assert_eq!(change["textDocument"]["uri"], uri.as_str());
    let edits = change["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let at = offset_of(&current, &edits[0]["range"]["start"]);
    assert_eq!(at, current.len(), "after the line holding BE-23");
    assert!(
        !edits[0]["newText"]
            .as_str()
            .unwrap()
            .replace("\r\n", "")
            .contains('\n')
    );
    assert_eq!(reply["result"]["applied"], false, "{reply}");
    // The server's text did not change on its own.
    assert_eq!(server.document_text(&uri)["text"], current.as_str());
    // A command that names the version its position came from is refused
    // when the document has moved on, and nothing is sent to the editor.
    for (command, extra) in [
        ("qbank.insertTemplate", json!({ "key": "BE-23" })),
        ("qbank.insertPacket", json!({ "count": 2 })),
    ] {
        let mut arguments =
            json!({ "uri": uri, "position": { "line": 3, "character": 2 }, "version": 1 });
        arguments
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let reply = server.request_raw(
            "workspace/executeCommand",
            json!({ "command": command, "arguments": [arguments] }),
        );
        assert_eq!(reply["error"]["code"], -32801, "{command}: {reply}");
    }
    assert_eq!(server.document_text(&uri)["text"], current.as_str());
    server.stop();
}

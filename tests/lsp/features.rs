//! The editor features of `qbank lsp` end to end, in-process through the
//! real stdin filter and outbox: capabilities and encoding negotiation,
//! hover (also past a byte order mark), completion, code actions that
//! change only what they name, commands applied through the editor,
//! diagnostics, definition into the built-in bank's cache copy (spawned,
//! so its cache is the test's own), ordering of many incremental edits,
//! open banks read from their buffer, settings, and answers to bad input.

use qbank_testkit::positions::{
    apply_edits, byte_range, covered, end_position, position_json, position_of,
};
use qbank_testkit::{Capabilities, Client, Scratch, Unit};
use serde_json::{Value, json};

use crate::{QBANK, code_actions_at, command_text, hover_markdown, initialized};

#[test]
fn capabilities_and_encoding_negotiation() {
    let workspace = Scratch::new("caps");
    let (server, reply) = initialized(
        &workspace,
        Capabilities {
            utf8: true,
            ..Capabilities::editor()
        },
    );
    let capabilities = &reply["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-8");
    assert_eq!(capabilities["textDocumentSync"]["change"], 2);
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(
        capabilities["completionProvider"]["triggerCharacters"],
        json!(["-", "@"])
    );
    assert_eq!(capabilities["completionProvider"]["resolveProvider"], true);
    assert_eq!(
        capabilities["executeCommandProvider"]["commands"],
        json!([
            "qbank.insertPacket",
            "qbank.insertTemplate",
            "qbank.review",
            "qbank.nextDue",
            "qbank.scores"
        ])
    );
    assert_eq!(reply["serverInfo"]["name"], "qbank");
    server.stop();

    let (server, reply) = initialized(&workspace, Capabilities::editor());
    assert_eq!(reply["capabilities"]["positionEncoding"], "utf-16");
    server.stop();
}

#[test]
fn hover_after_an_emoji_and_on_a_crlf_line() {
    let workspace = Scratch::new("hover");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "# Study 😀\r\n\r\n😀🎉 Remember BE-23 today.\r\nAnd BE-40 too.\r\n";
    server.open(&uri, text, 1);
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 2) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("What is ACID compliance, and why is it important in databases?"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Databases and Data Storage"),
        "{markdown}"
    );
    assert_eq!(covered(text, &hover["range"], Unit::Utf16), "BE-23");

    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-40", 4) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("SQL injection"), "{markdown}");
    assert_eq!(covered(text, &hover["range"], Unit::Utf16), "BE-40");

    // Nothing to say on plain words.
    let nothing = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "today", 1) }),
    );
    assert_eq!(nothing, Value::Null);
    server.stop();
}

#[test]
fn a_byte_order_mark_hides_neither_the_first_heading_nor_the_first_key() {
    let workspace = Scratch::new("hover-bom");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let hover = |server: &mut Client, uri: &str, text: &str, needle: &str| {
        server.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": position_of(text, needle, 1) }),
        )
    };
    // The mark is a character of the text the client sent: one UTF-16
    // unit before everything the ranges point at.
    let uri = workspace.uri("heading.md");
    let text = "\u{FEFF}## BE-23 · What is ACID compliance?\nAtomicity first.\n";
    server.open(&uri, text, 1);
    let on_heading = hover(&mut server, &uri, text, "compliance");
    let markdown = on_heading["contents"]["value"].as_str().unwrap_or_default();
    assert!(markdown.contains("important in databases?"), "{on_heading}");
    assert_eq!(
        covered(text, &on_heading["range"], Unit::Utf16),
        "BE-23 · What is ACID compliance?"
    );
    let on_key = hover(&mut server, &uri, text, "BE-23");
    assert_eq!(covered(text, &on_key["range"], Unit::Utf16), "BE-23");

    let uri = workspace.uri("key.md");
    let text = "\u{FEFF}BE-40 comes first.\n";
    server.open(&uri, text, 1);
    let on_key = hover(&mut server, &uri, text, "BE-40");
    let markdown = on_key["contents"]["value"].as_str().unwrap_or_default();
    assert!(markdown.contains("SQL injection"), "{on_key}");
    assert_eq!(covered(text, &on_key["range"], Unit::Utf16), "BE-40");
    server.stop();
}

#[test]
fn completion_by_key_and_by_search() {
    let workspace = Scratch::new("completion");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "See BE-2\n\nNotes on @acid\n";
    server.open(&uri, text, 1);

    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-2", 4),
            "context": { "triggerKind": 1 }
        }),
    );
    let items = list["items"].as_array().unwrap();
    let labels: Vec<&str> = items
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    assert_eq!(&labels[..3], &["BE-2", "BE-20", "BE-21"]);
    assert!(labels.contains(&"BE-23"));
    let be23 = items.iter().find(|item| item["label"] == "BE-23").unwrap();
    let edit = &be23["textEdit"];
    assert_eq!(covered(text, &edit["range"], Unit::Utf16), "BE-2");
    assert_eq!(
        apply_edits(text, std::slice::from_ref(edit), Unit::Utf16),
        "See BE-23\n\nNotes on @acid\n"
    );

    let resolved = server.request("completionItem/resolve", be23.clone());
    let documentation = resolved["documentation"]["value"].as_str().unwrap();
    assert!(documentation.contains("ACID compliance"), "{documentation}");

    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "@acid", 5),
            "context": { "triggerKind": 1 }
        }),
    );
    let first = &list["items"][0];
    assert!(
        first["label"].as_str().unwrap().starts_with("BE-23 · "),
        "{first}"
    );
    assert_eq!(
        apply_edits(text, std::slice::from_ref(&first["textEdit"]), Unit::Utf16),
        "See BE-2\n\nNotes on BE-23\n"
    );
    server.stop();
}

#[test]
fn insert_answer_template_changes_only_its_range() {
    let workspace = Scratch::new("actions");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "# Round 😀 one\r\n\r\n## BE-23 · What is ACID compliance, and why is it important in databases?\r\n\r\nTail stays: ünïcode 🎉\r\n";
    server.open(&uri, text, 1);
    let position = position_of(text, "BE-23", 2);
    let actions = code_actions_at(&mut server, &uri, position);
    let titles: Vec<&str> = actions
        .iter()
        .map(|action| action["title"].as_str().unwrap())
        .collect();
    for wanted in [
        "Insert answer template",
        "Insert interview rubric",
        "Insert interview packet (5 questions)",
        "Insert interview packet (10 questions)",
    ] {
        assert!(titles.contains(&wanted), "{titles:?}");
    }
    let action = actions
        .iter()
        .find(|action| action["title"] == "Insert answer template")
        .unwrap();
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], uri);
    assert_eq!(change["textDocument"]["version"], 1);
    let edits = change["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let range = byte_range(text, &edits[0]["range"], Unit::Utf16);
    let applied = apply_edits(text, edits, Unit::Utf16);
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert_eq!(&applied[..range.start], &text[..range.start]);
    assert_eq!(&applied[range.start + new_text.len()..], &text[range.end..]);
    assert!(new_text.contains("**In one sentence:**"), "{new_text}");
    assert!(
        !new_text.replace("\r\n", "").contains('\n'),
        "the template keeps the note's CRLF line endings"
    );
    server.stop();
}

#[test]
fn commands_apply_their_edit_through_the_editor() {
    let workspace = Scratch::new("commands");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "# Packet\n\n";
    server.open(&uri, text, 1);
    let result = server.request(
        "workspace/executeCommand",
        json!({
            "command": "qbank.insertPacket",
            "arguments": [{ "uri": uri, "position": { "line": 1, "character": 0 }, "count": 3, "seed": 7, "mode": "interview" }]
        }),
    );
    assert_eq!(result["applied"], true);
    let request = server.wait_for(|message| message["method"] == "workspace/applyEdit");
    let edits = request["params"]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    let applied = apply_edits(text, &edits, Unit::Utf16);
    assert!(
        applied.contains("Interview packet · 3 questions"),
        "{applied}"
    );
    assert!(applied.starts_with("# Packet\n"), "{applied}");

    let result = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "qbank.insertTemplate", "arguments": [{ "uri": uri, "position": { "line": 0, "character": 0 }, "key": "BE-999" }] }),
    );
    assert!(result.get("error").is_some(), "{result}");
    server.stop();
}

#[test]
fn unknown_keys_are_diagnosed() {
    let workspace = Scratch::new("diagnostics");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "Compare BE-999 with BE-23.\n";
    server.open(&uri, text, 1);
    let diagnostics = server.diagnostics_for(&uri);
    let unknown = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "unknown-question")
        .unwrap_or_else(|| panic!("{diagnostics:?}"));
    assert_eq!(unknown["source"], "qbank");
    assert_eq!(unknown["severity"], 1);
    assert_eq!(covered(text, &unknown["range"], Unit::Utf16), "BE-999");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean"),
        "{unknown}"
    );
    server.stop();
}

#[test]
fn definition_opens_the_built_in_bank_copy() {
    let workspace = Scratch::new("definition");
    let cache = Scratch::new("definition-cache");
    let mut server = Client::spawn_lsp(QBANK, workspace.root(), cache.root());
    server.initialize(workspace.root(), &Capabilities::editor());
    let uri = workspace.uri("note.md");
    let text = "Read BE-23 again.\n";
    server.open(&uri, text, 1);
    let location = server.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 1) }),
    );
    let target = location["uri"].as_str().unwrap();
    let path = std::path::PathBuf::from(target.strip_prefix("file://").unwrap());
    assert!(path.starts_with(cache.root()), "{target}");
    let bank = std::fs::read_to_string(&path).unwrap();
    let line = location["range"]["start"]["line"].as_u64().unwrap() as usize;
    let held = bank.lines().nth(line).unwrap();
    assert!(
        held.contains("What is ACID compliance, and why is it important in databases?"),
        "{held}"
    );
    server.stop();
}

#[test]
fn many_incremental_changes_keep_the_text() {
    let workspace = Scratch::new("ordering");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("note.md");
    let mut text = String::from("# Notes 😀\r\n\r\n");
    server.open(&uri, &text, 1);
    let pieces = ["a", "😀", "é", "\r\n", "BE-23 ", "\n", "x"];
    for version in 2..2002 {
        let step = version as usize;
        let piece = pieces[step % pieces.len()];
        // Alternate between appending at the end and editing the first line.
        let (start, end) = if step % 5 == 0 {
            (
                json!({ "line": 0, "character": 2 }),
                json!({ "line": 0, "character": 3 }),
            )
        } else {
            let end = end_position(&text);
            (end.clone(), end)
        };
        let range = json!({ "start": start, "end": end });
        text = apply_edits(
            &text,
            &[json!({ "range": range, "newText": piece })],
            Unit::Utf16,
        );
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": piece }]
            }),
        );
    }
    let copy = server.request("qbank/documentText", json!({ "uri": uri }));
    assert_eq!(copy["version"], 2001);
    assert!(copy["text"] == text.as_str(), "the server's text differs");

    // A change that does not increase the version is ignored.
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 5 },
            "contentChanges": [{ "text": "lost" }]
        }),
    );
    let copy = server.request("qbank/documentText", json!({ "uri": uri }));
    assert!(copy["text"] == text.as_str());
    server.stop();
}

#[test]
fn bad_input_gets_error_replies_and_the_server_goes_on() {
    let workspace = Scratch::new("bad");
    let mut server = Client::in_process();
    let early = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": workspace.uri("x.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(early.get("error").is_some(), "{early}");
    server.request(
        "initialize",
        json!({ "processId": null, "rootUri": workspace.uri(""), "capabilities": {} }),
    );
    server.notify("initialized", json!({}));

    let unknown = server.request_raw("qbank/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    let uri = workspace.uri("note.md");
    server.open(&uri, "one line\n", 1);
    let out_of_range = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 99, "character": 0 } }),
    );
    assert!(out_of_range.get("error").is_some(), "{out_of_range}");
    // Past the line's end is clamped, not an error.
    let clamped = server.request_raw(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 999 } }),
    );
    assert!(clamped.get("error").is_none(), "{clamped}");

    let not_open = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": workspace.uri("other.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(not_open, Value::Null);

    // Malformed params, a change to a closed document, a bogus change range.
    let malformed = server.request_raw("textDocument/hover", json!({ "nonsense": true }));
    assert!(malformed.get("error").is_some(), "{malformed}");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": workspace.uri("closed.md"), "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 50, "character": 0 }, "end": { "line": 60, "character": 0 } }, "text": "BE-23" }]
        }),
    );
    let markdown = hover_markdown(&mut server, &uri, position_json((1, 2)));
    assert!(markdown.contains("ACID"), "{markdown}");
    server.stop();
}

#[test]
fn open_banks_are_read_from_the_buffer_and_settings_apply() {
    let workspace = Scratch::new("banks");
    workspace.write(
        "questions/team.md",
        "---\nprefix: TM\n---\n## Operations\n1. What is on-call duty?\n",
    );
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let note = workspace.uri("note.md");
    let note_text = "Ask TM-1 and BE-23.\n";
    server.open(&note, note_text, 1);
    let hover_text = |server: &mut Client, needle: &str| {
        hover_markdown(server, &note, position_of(note_text, needle, 1))
    };
    assert!(hover_text(&mut server, "TM-1").contains("on-call duty"));

    let bank = workspace.uri("questions/team.md");
    let bank_text = "---\nprefix: TM\n---\n## Operations\n1. What is an incident review?\n";
    server.open(&bank, bank_text, 1);
    assert!(hover_text(&mut server, "TM-1").contains("incident review"));
    assert_eq!(server.diagnostics_for(&bank), Vec::<Value>::new());

    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": bank, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": 0 } }, "text": "    - see: TM-99\n" }]
        }),
    );
    let diagnostics = server.diagnostics_for_version(&bank, 2);
    assert!(
        diagnostics
            .iter()
            .any(|diagnostic| diagnostic["code"] == "bank-unknown-see"),
        "{diagnostics:?}"
    );

    assert!(hover_text(&mut server, "BE-23").contains("ACID"));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "builtin": false } } }),
    );
    // The configuration is applied in order with the requests after it.
    assert_eq!(hover_text(&mut server, "BE-23"), "");
    assert!(hover_text(&mut server, "TM-1").contains("incident review"));
    server.stop();
}

#[test]
fn an_invalid_configuration_is_a_diagnostic_not_a_failure() {
    let workspace = Scratch::new("config");
    let config = "mode = \"exam\"\n";
    workspace.write(".qbank.toml", config);
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri(".qbank.toml");
    server.open(&uri, config, 1);
    let diagnostics = server.diagnostics_for(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "config-invalid");
    assert_eq!(
        covered(config, &diagnostics[0]["range"], Unit::Utf16),
        "\"exam\""
    );
    // The built-in bank still answers.
    let note = workspace.uri("note.md");
    server.open(&note, "BE-23\n", 1);
    let markdown = hover_markdown(&mut server, &note, position_json((0, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    server.stop();
}

#[test]
fn a_typo_in_the_configuration_is_a_diagnostic_at_its_key_and_the_other_keys_apply() {
    let workspace = Scratch::new("config-keys");
    let config = "mode = \"interview\"\npacket_size = \"ten\"\nmdoe = \"study\"\n";
    workspace.write(".qbank.toml", config);
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri(".qbank.toml");
    // Published from the load, the file not open: one per bad key.
    let from_load = server.diagnostics_for(&uri);
    let shown = |diagnostics: &[Value]| -> Vec<String> {
        diagnostics
            .iter()
            .map(|diagnostic| {
                format!(
                    "{:?} {} {} {}",
                    covered(config, &diagnostic["range"], Unit::Utf16),
                    diagnostic["severity"],
                    diagnostic["code"].as_str().unwrap(),
                    diagnostic["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        shown(&from_load),
        [
            "\"\\\"ten\\\"\" 1 config-invalid packet_size = \"ten\" is not valid (expected a whole number from 1 to 100); using 10",
            "\"mdoe\" 2 config-unknown-key unknown key `mdoe` (did you mean `mode`?); ignored",
        ]
    );
    // Opened, its buffer gives the same.
    server.open(&uri, config, 1);
    assert_eq!(
        shown(&server.diagnostics_for_version(&uri, 1)),
        shown(&from_load)
    );

    // The good key applies: a template comes as an interview rubric; the
    // bad one keeps its default: a packet of 10.
    let note = workspace.uri("note.md");
    server.open(&note, "\n", 1);
    let at_start = json!({ "uri": note, "position": { "line": 0, "character": 0 } });
    let mut template = at_start.clone();
    template["key"] = json!("BE-23");
    let inserted = command_text(&mut server, "\n", "qbank.insertTemplate", template);
    assert!(inserted.contains("**Red flags:**"), "{inserted}");
    let mut packet = at_start;
    packet["seed"] = json!(7);
    let inserted = command_text(&mut server, "\n", "qbank.insertPacket", packet);
    assert!(inserted.contains("packet · 10 questions"), "{inserted}");
    server.stop();
}

//! Spaced review through the real binary (`QBANK_TODAY=2026-11-30`), as an
//! editor drives it: the lenses over a note in UTF-16 and UTF-8, with CRLF
//! and characters outside the BMP; a rating through `qbank.review` that
//! edits only the marker line, refused when the version moved on;
//! `qbank.nextDue`; the review line of hover; due questions first in
//! completion.

use qbank_testkit::positions::apply_edits;
use qbank_testkit::{Capabilities, Client, Scratch, Unit, lsp_command};
use serde_json::{Value, json};

use crate::QBANK;

const TODAY: &str = "2026-11-30";

/// A UTF-16 note with CRLF line endings, an emoji before the section and
/// a due BE-23, a never-reviewed BE-40 and a waiting BE-61.
const NOTE: &str = "# Révision 🚀\r\n\r\n## BE-23 · ACID 😀\r\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->\r\nAtomicité : tout ou rien. 🙂\r\n\r\n## BE-40 · SQL injection\r\n\r\nBound parameters.\r\n\r\n## BE-61 · Caching\r\n<!-- qbank: reviewed 2026-11-29 easy · due 2026-12-14 · s=15 d=3 n=1 -->\r\nKeep hot data close.\r\n";

/// The real binary on `TODAY`, as an editor with versioned edits and
/// progress reports.
fn server(workspace: &Scratch, home: &Scratch, utf8: bool) -> Client {
    let mut command = lsp_command(QBANK, workspace.root(), home.root());
    command.env("QBANK_TODAY", TODAY);
    let mut server = Client::spawn(command);
    let capabilities = Capabilities {
        utf8,
        work_done_progress: true,
        ..Capabilities::editor()
    };
    server.initialize(workspace.root(), &capabilities);
    server
}

fn lenses(server: &mut Client, uri: &str) -> Vec<Value> {
    let reply = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    reply.as_array().unwrap().clone()
}

/// The lens titles of each line, in order.
fn titles(lenses: &[Value]) -> Vec<(u64, String)> {
    lenses
        .iter()
        .map(|lens| {
            (
                lens["range"]["start"]["line"].as_u64().unwrap(),
                lens["command"]["title"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(_, title)| !title.starts_with("covers"))
        .collect()
}

/// Runs the lens titled `title` on `line` as an editor would, and returns
/// the text once the edit the server asked for is applied.
fn run_lens(
    server: &mut Client,
    uri: &str,
    text: &str,
    line: u64,
    title: &str,
    unit: Unit,
) -> String {
    let lens = lenses(server, uri)
        .into_iter()
        .find(|lens| lens["range"]["start"]["line"] == line && lens["command"]["title"] == title)
        .unwrap_or_else(|| panic!("no lens {title} on line {line}"));
    let command = &lens["command"];
    let reply = server.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(reply["applied"], true, "{reply}");
    let request = server.edit_requests().last().unwrap().clone();
    let edits = request["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits.len(), 1, "{request}");
    apply_edits(text, &edits, unit)
}

/// The lines of `after`, line endings included, that `before` lacks.
fn new_lines<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    after
        .split_inclusive('\n')
        .filter(|line| !old.contains(line))
        .collect()
}

#[test]
fn lenses_rate_reviews_and_change_only_the_marker_line() {
    for (utf8, unit) in [(false, Unit::Utf16), (true, Unit::Utf8)] {
        let workspace = Scratch::new("review-lens");
        let home = Scratch::new("review-lens-home");
        let mut server = server(&workspace, &home, utf8);
        let uri = workspace.uri("notes/db.md");
        server.open(&uri, NOTE, 1);
        assert_eq!(
            titles(&lenses(&mut server, &uri)),
            [
                (2, "Due 3 days ago".to_string()),
                (2, "Again".to_string()),
                (2, "Hard".to_string()),
                (2, "Good".to_string()),
                (2, "Easy".to_string()),
                (6, "New".to_string()),
                (6, "Again".to_string()),
                (6, "Hard".to_string()),
                (6, "Good".to_string()),
                (6, "Easy".to_string()),
                (10, "Next review in 14 days".to_string()),
            ]
        );
        // Rate the due BE-23: its marker line is replaced, nothing else.
        let after = run_lens(&mut server, &uri, NOTE, 2, "Good", unit);
        let changed = new_lines(NOTE, &after);
        assert_eq!(changed.len(), 1, "{after:?}");
        assert!(
            changed[0].starts_with("<!-- qbank: reviewed 2026-11-30 good · due 2027-"),
            "{after:?}"
        );
        assert!(changed[0].ends_with(" -->\r\n"), "{after:?}");
        assert_eq!(after.lines().count(), NOTE.lines().count());
        // Rate the new BE-40: one line inserted under its heading, in CRLF.
        let after_new = run_lens(&mut server, &uri, NOTE, 6, "Easy", unit);
        let inserted = new_lines(NOTE, &after_new);
        assert_eq!(inserted.len(), 1, "{after_new:?}");
        assert!(
            after_new.contains("## BE-40 · SQL injection\r\n<!-- qbank: reviewed 2026-11-30 easy · due 2026-12-15 ·"),
            "{after_new:?}"
        );
        assert_eq!(after_new.lines().count(), NOTE.lines().count() + 1);
        server.stop();
    }
}

#[test]
fn a_stale_or_unanswered_review_is_refused_and_nothing_is_sent() {
    let workspace = Scratch::new("review-stale");
    let home = Scratch::new("review-stale-home");
    let mut server = server(&workspace, &home, false);
    let uri = workspace.uri("notes/db.md");
    server.open(&uri, NOTE, 1);
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "Intro.\r\n" }]
        }),
    );
    let review = |version: i64, key: &str| {
        json!({
            "command": "qbank.review",
            "arguments": [{ "uri": uri, "version": version, "key": key, "rating": "good" }]
        })
    };
    let stale = server.request_raw("workspace/executeCommand", review(1, "BE-23"));
    assert_eq!(stale["error"]["code"], -32801, "{stale}");
    let unanswered_note = workspace.uri("notes/empty.md");
    server.open(&unanswered_note, "## BE-66 · CDN\n\n", 1);
    let unanswered = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "qbank.review", "arguments": [{ "uri": unanswered_note, "version": 1, "key": "BE-66", "rating": "good" }] }),
    );
    assert!(
        unanswered["error"]["message"]
            .as_str()
            .unwrap()
            .contains("BE-66 is not answered yet"),
        "{unanswered}"
    );
    let unknown_rating = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "qbank.review", "arguments": [{ "uri": uri, "version": 2, "key": "BE-23", "rating": "great" }] }),
    );
    assert!(unknown_rating.get("error").is_some(), "{unknown_rating}");
    assert!(server.edit_requests().is_empty());
    // The current version is accepted, and the edit names it.
    let current = server.request("workspace/executeCommand", review(2, "BE-23"));
    assert_eq!(current["applied"], true);
    let request = server.edit_requests().last().unwrap().clone();
    assert_eq!(
        request["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    assert_eq!(
        request["edit"]["documentChanges"][0]["edits"][0]["range"]["start"]["line"],
        4
    );
    server.stop();
}

#[test]
fn next_due_hover_diagnostics_and_completion_know_the_schedule() {
    let workspace = Scratch::new("review-next");
    let home = Scratch::new("review-next-home");
    workspace.write("notes/db.md", NOTE);
    workspace.write(
        "notes/later.md",
        "## BE-66 · CDN\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-29 · s=7 d=5 n=2 -->\nEdge servers.\n",
    );
    let mut server = server(&workspace, &home, false);
    server.wait_for_indexing();
    // BE-23 (due 11-27) comes before BE-66 (due 11-29).
    let next = server.request(
        "workspace/executeCommand",
        json!({ "command": "qbank.nextDue", "arguments": [] }),
    );
    assert_eq!(next["key"], "BE-23", "{next}");
    assert_eq!(next["uri"], workspace.uri("notes/db.md"));
    assert_eq!(next["range"]["start"]["line"], 2);
    assert_eq!(next["section"]["end"]["line"], 6);
    assert_eq!(next["overdueDays"], 3);
    // Hover on the heading tells the schedule.
    let uri = workspace.uri("notes/db.md");
    server.open(&uri, NOTE, 1);
    let hover = crate::hover_markdown(&mut server, &uri, json!({ "line": 2, "character": 4 }));
    assert!(
        hover.contains("Review: good on 2026-11-20 · due 2026-11-27 (3 days ago) · stability 7.0 days · 2 reviews"),
        "{hover}"
    );
    // The due section gets its hint.
    let diagnostics = server.diagnostics_for(&uri);
    let due: Vec<&Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "review-due")
        .collect();
    assert_eq!(due.len(), 1, "{diagnostics:?}");
    assert_eq!(
        due[0]["message"],
        "BE-23 has been due for review for 3 days"
    );
    // Rated, and the edit applied: the next due question is BE-66 at
    // once, without waiting for the diagnostics' pause.
    server.request(
        "workspace/executeCommand",
        json!({ "command": "qbank.review", "arguments": [{ "uri": uri, "version": 1, "key": "BE-23", "rating": "good" }] }),
    );
    let request = server.edit_requests().last().unwrap().clone();
    let edits = request["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    let rated = apply_edits(NOTE, &edits, Unit::Utf16);
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": rated }] }),
    );
    let next = server.request(
        "workspace/executeCommand",
        json!({ "command": "qbank.nextDue", "arguments": [] }),
    );
    assert_eq!(next["key"], "BE-66", "{next}");
    // Among equal matches (two-digit numbers after BE-6 itself), the due
    // BE-66 comes first, the answered and waiting BE-61 last.
    let scratch = workspace.uri("notes/scratch.md");
    server.open(&scratch, "BE-6", 1);
    let completion = server.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": scratch }, "position": { "line": 0, "character": 4 } }),
    );
    let labels: Vec<&str> = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels[..3], ["BE-6", "BE-66", "BE-60"], "{labels:?}");
    assert_eq!(labels.last(), Some(&"BE-61"), "{labels:?}");
    server.stop();
}

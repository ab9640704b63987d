//! Interview scores as an editor shows them while the interview goes on:
//! `score` and `unscored` diagnostics on the right characters (UTF-16, an
//! emoji and CRLF before them), the packet heading's lens moving from the
//! packet's plan to its scores, hover on a score line, and all of it
//! following an edit that writes the missing score.

use qbank_testkit::positions::{covered, position_of};
use qbank_testkit::{Capabilities, Scratch, Unit};
use serde_json::{Value, json};

use crate::{hover_markdown, initialized};

const ROUND: &str = "# Entretien 🚀 Alice\r\n\r\n## Interview packet · 3 questions · 3 categories · about 15 min · scored 1–4\r\n\r\n### BE-23 · ACID 😀\r\n- [x] Atomicity\r\n- [ ] Isolation\r\n**Red flags:**\r\n- [x] Says ACID makes queries fast\r\n**Score:** 3 – solid 🙂\r\n\r\n### BE-40 · SQL injection\r\n**Score:** 5\r\n\r\n### BE-104 · Stateless\r\n**Score:**\r\n**Notes:** ran out of time\r\n";

/// The diagnostics about scores (the headings' short wordings draw
/// `question-drift` too).
fn about_scores(diagnostics: Vec<Value>) -> Vec<Value> {
    diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic["code"] == "score" || diagnostic["code"] == "unscored")
        .collect()
}

/// Each diagnostic as `code: covered text`.
fn findings(text: &str, diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let code = diagnostic["code"].as_str().unwrap();
            format!(
                "{code}: {}",
                covered(text, &diagnostic["range"], Unit::Utf16)
            )
        })
        .collect()
}

fn lens_titles(server: &mut qbank_testkit::Client, uri: &str) -> Vec<String> {
    let reply = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    reply
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| lens["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_round_being_scored_in_the_editor() {
    let workspace = Scratch::new("scores");
    let (mut server, _) = initialized(&workspace, Capabilities::editor());
    let uri = workspace.uri("alice/round-1.md");
    server.open(&uri, ROUND, 1);
    let diagnostics = about_scores(server.diagnostics_for_version(&uri, 1));
    assert_eq!(
        findings(ROUND, &diagnostics),
        ["score: 5", "unscored: **Score:**"],
        "{diagnostics:?}"
    );
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "BE-40: score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)",
            "BE-104 has no score yet (2 of 3 in this packet have one)",
        ]
    );
    assert_eq!(
        lens_titles(&mut server, &uri),
        ["3 questions · 1 scored · mean 3.0 / 4 · 1 red flag · 1 score to fix"]
    );
    let hover = hover_markdown(&mut server, &uri, position_of(ROUND, "3 – solid", 2));
    assert!(hover.starts_with("**Score 3 · solid**"), "{hover}");
    assert!(
        hover.contains("This packet: 3 questions · 1 scored · mean 3.0 / 4"),
        "{hover}"
    );

    // The interviewer fixes the 5 and scores the last question.
    let fixed = ROUND
        .replace("**Score:** 5", "**Score:** 4/4")
        .replace("**Score:**\r\n**Notes:**", "**Score:** 2\r\n**Notes:**");
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": fixed }]
        }),
    );
    assert_eq!(
        about_scores(server.diagnostics_for_version(&uri, 2)),
        Vec::<Value>::new()
    );
    assert_eq!(
        lens_titles(&mut server, &uri),
        ["3 questions · 3 scored · mean 3.0 / 4 · 1 red flag"]
    );
    server.stop();
}

/// Two candidates' rounds on disk, one being edited in the editor.
fn candidates() -> Scratch {
    let workspace = Scratch::new("scores-command");
    workspace.write(".qbank.toml", "");
    workspace.write(
        "candidates/alice/round-1.md",
        "## Interview packet · 2 questions · 2 categories · about 10 min · scored 1–4\n\n### BE-23 · ACID\n- [x] Atomicity\n**Score:** 3\n\n### BE-40 · SQL injection\n**Score:** 4/4\n",
    );
    workspace.write(
        "candidates/bob/round-1.md",
        "## Interview packet · 2 questions · 2 categories · about 10 min · scored 1–4\n\n### BE-23 · ACID\n**Score:** 1\n\n### BE-40 · SQL injection\n**Score:**\n",
    );
    workspace.write(
        "study/db.md",
        "## BE-23 · ACID\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->\nAll or nothing.\n\n## BE-40 · SQL\n\n## BE-23 · Again\n",
    );
    workspace
}

/// An editor that takes progress reports, so a test can wait for the
/// indexing to end.
fn with_progress() -> Capabilities {
    Capabilities {
        work_done_progress: true,
        ..Capabilities::editor()
    }
}

fn scores(server: &mut qbank_testkit::Client, arguments: Value) -> Value {
    server.request(
        "workspace/executeCommand",
        json!({ "command": "qbank.scores", "arguments": [arguments] }),
    )
}

#[test]
fn the_scores_command_rolls_up_a_folder_everyone_or_each_question() {
    let workspace = candidates();
    let (mut server, _) = initialized(&workspace, with_progress());
    server.wait_for_indexing();
    // Bob's open buffer scores the question his file leaves blank.
    let bob = workspace.uri("candidates/bob/round-1.md");
    let edited = std::fs::read_to_string(workspace.path("candidates/bob/round-1.md"))
        .unwrap()
        .replace("**Score:**\n", "**Score:** 2\n");
    server.open(&bob, &edited, 1);

    let alice = scores(
        &mut server,
        json!({ "uri": workspace.uri("candidates/alice") }),
    );
    assert_eq!(
        alice["text"],
        "candidates/alice: 1 note · 2 questions · 2 scored · mean 3.5 / 4 · 1 of 1 points\n  round-1.md:1 Interview packet: 2 questions · 2 scored · mean 3.5 / 4 · 1 of 1 points\n  Databases and Data Storage: 2 questions · 2 scored · mean 3.5 / 4 · 1 of 1 points\n"
    );
    let everyone = scores(&mut server, json!({}));
    // As Neovim encodes an empty Lua table.
    assert_eq!(scores(&mut server, json!([])), everyone);
    let text = everyone["text"].as_str().unwrap();
    assert!(
        text.contains("candidates/bob: 1 note · 2 questions · 2 scored · mean 1.5 / 4"),
        "{text}"
    );
    let per_question = scores(&mut server, json!({ "byQuestion": true }));
    assert_eq!(
        per_question["text"],
        "key    asked  scored  mean  spread  range  question\nBE-23      2       2   2.0     1.0  1–3    What is ACID compliance, and why is it important in databases?\nBE-40      2       2   3.0     1.0  2–4    What is SQL injection, and how do you prevent it?\n"
    );
    let nothing = scores(&mut server, json!({ "uri": workspace.uri("study") }));
    assert!(
        nothing["text"]
            .as_str()
            .unwrap()
            .starts_with("no interview rubrics found"),
        "{nothing}"
    );
    let wrong = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "qbank.scores", "arguments": [{ "uri": "https://example.com/alice" }] }),
    );
    assert_eq!(wrong["error"]["code"], -32602, "{wrong}");
    server.stop();
}

#[test]
fn note_status_counts_a_notes_questions_answered_and_due() {
    let workspace = candidates();
    let mut command = qbank_testkit::lsp_command(crate::QBANK, workspace.root(), workspace.root());
    command.env("QBANK_TODAY", "2026-11-30");
    let mut server = qbank_testkit::Client::spawn(command);
    server.initialize(workspace.root(), &with_progress());
    server.wait_for_indexing();
    let status = |server: &mut qbank_testkit::Client, uri: &str| {
        server.request("qbank/noteStatus", json!({ "uri": uri }))
    };
    // On disk only, from the index.
    let study = workspace.uri("study/db.md");
    assert_eq!(
        status(&mut server, &study),
        json!({ "questions": 2, "answered": 1, "due": 1, "indexing": false, "notes": 3 })
    );
    // Open, as the buffer is: BE-40 answered now.
    let text = std::fs::read_to_string(workspace.path("study/db.md"))
        .unwrap()
        .replace("## BE-40 · SQL\n", "## BE-40 · SQL\nBound parameters.\n");
    server.open(&study, &text, 1);
    assert_eq!(
        status(&mut server, &study),
        json!({ "questions": 2, "answered": 2, "due": 1, "indexing": false, "notes": 3 })
    );
    // A rubric is no answer; a file outside the workspace has nothing.
    let alice = workspace.uri("candidates/alice/round-1.md");
    assert_eq!(status(&mut server, &alice)["answered"], 0);
    assert_eq!(
        status(&mut server, "file:///nowhere/note.md")["questions"],
        0
    );
    server.stop();
}

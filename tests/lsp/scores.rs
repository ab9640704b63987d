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

//! `qbank scores` and the `score`/`unscored` findings over the fixture of
//! three candidates' two interview rounds (`tests/fixtures/interviews`):
//! Alice's second round has a question left unscored, Bob's rounds a
//! score off the scale and one in words, Carol's second round is not
//! scored yet.

use std::path::Path;

use expect_test::expect;

use super::{Workspace, json};

/// A workspace holding the fixture's folders at its root.
fn interviews() -> Workspace {
    let workspace = Workspace::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interviews");
    for candidate in ["alice", "bob", "carol"] {
        for round in ["round-1.md", "round-2.md"] {
            let text = std::fs::read_to_string(fixture.join(candidate).join(round)).unwrap();
            workspace.write(&format!("{candidate}/{round}"), text);
        }
    }
    workspace
}

#[test]
fn scores_roll_up_per_candidate_packet_and_category() {
    let output = interviews().run(&["scores"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        alice: 2 notes · 6 questions · 5 scored · mean 3.0 / 4 · 18 of 39 points · 1 red flag · 1 unscored
          round-1.md:3 Interview packet: 3 questions · 3 scored · mean 3.3 / 4 · 12 of 19 points
          round-2.md:3 Interview packet: 3 questions · 2 scored · mean 2.5 / 4 · 6 of 20 points · 1 red flag · 1 unscored
          General Back-End Development Concepts: 1 question · 1 scored · mean 3.0 / 4 · 3 of 6 points
          Databases and Data Storage: 2 questions · 1 scored · mean 4.0 / 4 · 6 of 13 points · 1 unscored
          Scalability & Architecture: 1 question · 1 scored · mean 2.0 / 4 · 2 of 6 points · 1 red flag
          Testing & Debugging: 2 questions · 2 scored · mean 3.0 / 4 · 7 of 14 points
          unscored: BE-32 (round-2.md:52)

        bob: 2 notes · 6 questions · 4 scored · mean 2.0 / 4 · 14 of 38 points · 4 red flags · 2 scores to fix
          round-1.md:3 Interview packet: 3 questions · 2 scored · mean 2.5 / 4 · 9 of 19 points · 1 red flag · 1 score to fix
          round-2.md:3 Interview packet: 3 questions · 2 scored · mean 1.5 / 4 · 5 of 19 points · 3 red flags · 1 score to fix
          General Back-End Development Concepts: 2 questions · 1 scored · mean 1.0 / 4 · 4 of 12 points · 2 red flags · 1 score to fix
          Databases and Data Storage: 2 questions · 1 scored · mean 2.0 / 4 · 5 of 13 points · 1 red flag · 1 score to fix
          Scalability & Architecture: 1 question · 1 scored · mean 2.0 / 4 · 2 of 6 points · 1 red flag
          Testing & Debugging: 1 question · 1 scored · mean 3.0 / 4 · 3 of 7 points
          to fix: BE-12 (round-1.md:30): score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)
          to fix: BE-32 (round-2.md:7): `good` is not a score: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)

        carol: 2 notes · 6 questions · 3 scored · mean 3.7 / 4 · 12 of 39 points · 3 unscored
          round-1.md:3 Interview packet: 3 questions · 3 scored · mean 3.7 / 4 · 12 of 19 points
          round-2.md:3 Interview packet: 3 questions · 0 scored · 0 of 20 points · 3 unscored
          General Back-End Development Concepts: 2 questions · 1 scored · mean 4.0 / 4 · 4 of 13 points · 1 unscored
          Databases and Data Storage: 2 questions · 1 scored · mean 3.0 / 4 · 3 of 13 points · 1 unscored
          Scalability & Architecture: 1 question · 0 scored · 0 of 6 points · 1 unscored
          Testing & Debugging: 1 question · 1 scored · mean 4.0 / 4 · 5 of 7 points
          unscored: BE-117 (round-2.md:7)
          unscored: BE-20 (round-2.md:29)
          unscored: BE-40 (round-2.md:52)
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn scores_of_one_candidate_as_json() {
    let output = interviews().run(&["scores", "bob", "--format", "json"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        [
          {
            "candidate": "bob",
            "notes": 2,
            "questions": 6,
            "scored": 4,
            "mean": 2.0,
            "points_ticked": 14,
            "points": 38,
            "red_flags": 4,
            "unscored": 0,
            "unreadable": 2,
            "packets": [
              {
                "note": "bob/round-1.md",
                "line": 3,
                "title": "Interview packet · 3 questions · 3 categories · about 19 min · scored 1–4",
                "questions": 3,
                "scored": 2,
                "mean": 2.5,
                "points_ticked": 9,
                "points": 19,
                "red_flags": 1,
                "unscored": 0,
                "unreadable": 1
              },
              {
                "note": "bob/round-2.md",
                "line": 3,
                "title": "Interview packet · 3 questions · 3 categories · about 17 min · scored 1–4",
                "questions": 3,
                "scored": 2,
                "mean": 1.5,
                "points_ticked": 5,
                "points": 19,
                "red_flags": 3,
                "unscored": 0,
                "unreadable": 1
              }
            ],
            "categories": [
              {
                "category": "General Back-End Development Concepts",
                "questions": 2,
                "scored": 1,
                "mean": 1.0,
                "points_ticked": 4,
                "points": 12,
                "red_flags": 2,
                "unscored": 0,
                "unreadable": 1
              },
              {
                "category": "Databases and Data Storage",
                "questions": 2,
                "scored": 1,
                "mean": 2.0,
                "points_ticked": 5,
                "points": 13,
                "red_flags": 1,
                "unscored": 0,
                "unreadable": 1
              },
              {
                "category": "Scalability & Architecture",
                "questions": 1,
                "scored": 1,
                "mean": 2.0,
                "points_ticked": 2,
                "points": 6,
                "red_flags": 1,
                "unscored": 0,
                "unreadable": 0
              },
              {
                "category": "Testing & Debugging",
                "questions": 1,
                "scored": 1,
                "mean": 3.0,
                "points_ticked": 3,
                "points": 7,
                "red_flags": 0,
                "unscored": 0,
                "unreadable": 0
              }
            ],
            "unscored_questions": [],
            "scores_to_fix": [
              {
                "key": "BE-12",
                "note": "bob/round-1.md",
                "line": 30,
                "message": "score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)"
              },
              {
                "key": "BE-32",
                "note": "bob/round-2.md",
                "line": 7,
                "message": "`good` is not a score: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)"
              }
            ]
          }
        ]
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn per_question_across_candidates_widest_spread_first() {
    let workspace = interviews();
    let output = workspace.run(&["scores", "--by-question"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        key     asked  scored  mean  spread  range  question
        BE-28       3       3   3.0     0.8  2–4    What are foreign keys, and how do they work?
        BE-12       3       2   3.5     0.5  3–4    What is the difference between an API and a web service?
        BE-128      3       3   3.3     0.5  3–4    What is load testing, and how do you perform it?
        BE-14       1       1   1.0     0.0  1–1    What is a proxy server, and how does it work?
        BE-104      1       1   2.0     0.0  2–2    What are the differences between a stateless and stateful architecture?
        BE-117      2       1   2.0     0.0  2–2    What is a content delivery network (CDN), and how does it impact performance?
        BE-121      1       1   3.0     0.0  3–3    What are unit tests, and why are they important in back-end development?
        BE-20       1       0     -       -  -      How does a load balancer help with scaling back-end services?
        BE-32       2       0     -       -  -      What are transactions in databases, and why are they important?
        BE-40       1       0     -       -  -      What is SQL injection, and how do you prevent it?
    "#]]
    .assert_eq(&output.stdout);
    let rows = json(
        &workspace
            .run(&["scores", "--by-question", "--format", "json"])
            .stdout,
    );
    let foreign_keys = &rows[0];
    assert_eq!(foreign_keys["key"], "BE-28");
    assert_eq!(foreign_keys["scores"], serde_json::json!([4, 2, 3]));
    assert_eq!(foreign_keys["mean"], 3.0);
    assert_eq!(foreign_keys["spread"], 0.82);
    assert_eq!(foreign_keys["candidates"], 3);
}

#[test]
fn malformed_and_missing_scores_are_findings_on_their_lines() {
    let output = interviews().run(&["check"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        alice/round-2.md:72:1: hint[unscored]: BE-32 has no score yet (2 of 3 in this packet have one)
        bob/round-1.md:49:12: warning[score]: BE-12: score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)
        bob/round-2.md:27:12: warning[score]: BE-32: `good` is not a score: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn notes_without_rubrics_say_so() {
    let workspace = Workspace::new();
    workspace.write(
        "study.md",
        "## BE-23 · ACID\nAtomicity.\n**Score** is a word here.\n",
    );
    let output = workspace.run(&["scores"]);
    assert_eq!((output.code, output.stdout.as_str()), (Some(0), ""));
    expect![[r#"
        qbank: no interview rubrics found: a rubric is a question section with a `**Score:**` line
    "#]]
    .assert_eq(&output.stderr);
    let missing = workspace.run(&["scores", "nobody"]);
    assert_eq!(missing.code, Some(1), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("nobody: no such file or folder"),
        "{}",
        missing.stderr
    );
}

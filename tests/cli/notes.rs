//! What the command line says about notes: an untouched template or packet
//! is never "answered", a heading with an unknown prefix is an error, the
//! handout is one line per distinct known question, stats has plain column
//! headers and lists what is left to study, check's summary says "infos",
//! and output cut short by its reader ends the command quietly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use expect_test::expect;

use super::{Workspace, json};

/// The questions whose templates carry follow-ups, and a design question.
const WITH_FOLLOW_UPS: [&str; 6] = ["BE-21", "BE-33", "BE-38", "BE-101", "BE-119", "BE-125"];

/// Every row's `answered` in `qbank stats --format json` over `paths`.
fn answered(workspace: &Workspace, paths: &[&str]) -> u64 {
    let mut args = vec!["stats", "--format", "json"];
    args.extend(paths);
    let stats = json(&workspace.run(&args).stdout);
    let rows = stats.as_array().expect("an array of categories");
    rows.iter()
        .map(|row| row["answered"].as_u64().unwrap())
        .sum()
}

#[test]
fn untouched_templates_and_packets_are_not_answered() {
    let workspace = Workspace::new();
    let mut notes = Vec::new();
    for key in WITH_FOLLOW_UPS {
        for mode in ["study", "interview"] {
            let template = workspace.run(&["show", key, "--template", "--mode", mode]);
            assert_eq!(template.code, Some(0), "{}", template.stderr);
            let name = format!("{key}-{mode}.md");
            workspace.write(&name, &template.stdout);
            notes.push(name);
        }
    }
    for mode in ["study", "interview"] {
        let packet = workspace.run(&["packet", "--seed", "3", "--mode", mode]);
        let name = format!("packet-{mode}.md");
        workspace.write(&name, &packet.stdout);
        notes.push(name);
    }
    let notes: Vec<&str> = notes.iter().map(String::as_str).collect();
    assert_eq!(answered(&workspace, &notes), 0);
    let mut args = vec!["check"];
    args.extend(&notes);
    let check = workspace.run(&args);
    let hints = check
        .stdout
        .lines()
        .filter(|line| line.contains("hint[unanswered]"))
        .count();
    // One per study template, ten for the study packet; a rubric is no
    // answer to write, and none of its packet is scored yet.
    assert_eq!(hints, WITH_FOLLOW_UPS.len() + 10, "{}", check.stdout);
    assert!(!check.stdout.contains("unscored"), "{}", check.stdout);

    // A word in a table cell is an answer.
    let filled = workspace.run(&["show", "BE-21", "--template"]).stdout;
    let filled = filled.replacen("| What it is |  |", "| What it is | Tables and joins |", 1);
    workspace.write("filled.md", filled);
    assert_eq!(answered(&workspace, &["filled.md"]), 1);
}

#[test]
fn a_question_heading_with_an_unknown_prefix_is_an_error() {
    let workspace = Workspace::new();
    workspace.write(
        "round.md",
        "### XX-5 · What is a Content Delivery Network (CDN), and how does it reduce latency?\n\nEdge caches.\n",
    );
    let output = workspace.run(&["check", "round.md"]);
    assert_eq!(output.code, Some(1));
    expect![[r#"
        round.md:1:5: error[unknown-question]: unknown question XX-5: no bank in use has the prefix XX (prefixes: BE); did you mean BE-78? (What is a Content Delivery Network (CDN), and how does it reduce latency?)
    "#]].assert_eq(&output.stdout);
}

#[test]
fn the_handout_lists_each_distinct_known_question_once() {
    let workspace = Workspace::new();
    workspace.write(
        "round.md",
        "\
# Round 1

### XX-5 · What is a cache?

### BE-23 · What is ACID compliance, and why is it important in databases?

Atomicity…

### BE-23 · What is ACID compliance, and why is it important in databases?

### BE-9999 · Unknown

### BE-66

### BE-78
",
    );
    let output = workspace.run(&["handout", "round.md"]);
    assert_eq!(output.code, Some(0));
    expect![[r#"
        # Questions

        1. What is ACID compliance, and why is it important in databases?
        2. What is CDN (Content Delivery Network), and how does it improve performance?
    "#]]
    .assert_eq(&output.stdout);
    expect![[r#"
        qbank: round.md:3: XX-5 left out of the handout: no bank in use has this question
        qbank: round.md:9: BE-23 left out of the handout: asked again
        qbank: round.md:11: BE-9999 left out of the handout: no bank in use has this question
        qbank: round.md:15: BE-78 left out of the handout: asks the same as BE-66
    "#]]
    .assert_eq(&output.stderr);
    let output = workspace.run(&["handout", "round.md", "--format", "json"]);
    let handout = json(&output.stdout);
    let keys: Vec<&str> = handout
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["BE-23", "BE-66"]);
}

#[test]
fn stats_has_plain_headers_and_says_what_to_study_next() {
    let workspace = Workspace::new();
    workspace.write(
        "notes/round.md",
        "\
### BE-23 · What is ACID compliance, and why is it important in databases?

Atomicity, consistency, isolation, durability.

### BE-61 · What is caching, and why is it important for back-end performance?
",
    );
    let output = workspace.run(&["stats"]);
    expect![[r#"
        category                               questions  answered  started  not started  in review  due today  points covered
        General Back-End Development Concepts         20         0        0           20          0          0               -
        Databases and Data Storage                    20         1        0           19          0          0             3/6
        Authentication & Security                     20         0        0           20          0          0               -
        Performance Optimization                      20         0        1           19          0          0               -
        DevOps and Infrastructure                     20         0        0           20          0          0               -
        Scalability & Architecture                    20         0        0           20          0          0               -
        Testing & Debugging                            8         0        0            8          0          0               -
        all                                          128         1        1          126          0          0             3/6

        started: in a note, not answered yet; in review: answered and on a review schedule; points covered: by the answered questions' best answers
        1 of 128 questions answered across 1 note; 0 due for review today, 0 within the week

        To study next:
          started: BE-61
          General Back-End Development Concepts: BE-1–BE-20
          Databases and Data Storage: BE-21–BE-22, BE-24–BE-40
          Authentication & Security: BE-41–BE-60
          Performance Optimization: BE-62–BE-80
          DevOps and Infrastructure: BE-81–BE-100
          Scalability & Architecture: BE-101–BE-120
          Testing & Debugging: BE-121–BE-128
    "#]]
    .assert_eq(&output.stdout);
    let stats = json(&workspace.run(&["stats", "--format", "json"]).stdout);
    let performance = &stats[3];
    assert_eq!(performance["category"], "Performance Optimization");
    assert_eq!(performance["started_keys"], serde_json::json!(["BE-61"]));
    let unanswered = performance["unanswered_keys"].as_array().unwrap();
    assert_eq!(
        (unanswered.len(), &unanswered[0]),
        (20, &serde_json::json!("BE-61"))
    );
}

#[test]
fn check_counts_information_findings_as_infos() {
    let workspace = Workspace::new();
    workspace.write(
        "round.md",
        "### BE-66\nEdge servers.\n\n### BE-78\nCloser to users.\n",
    );
    let output = workspace.run(&["check", "round.md"]);
    assert_eq!(output.code, Some(0));
    // The near-duplicate, and each short answer's missing points.
    assert_eq!(output.stderr, "3 infos in 1 file\n");
}

#[test]
fn output_cut_short_by_its_reader_ends_the_command_quietly() {
    let workspace = Workspace::new();
    workspace.write("big.md", "BE-9999 x\n".repeat(100_000));
    // `qbank check big.md | head -2`: the reader takes two lines and goes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .args(["check", "big.md"])
        .current_dir(workspace.scratch.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..2 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with("big.md:"), "{line}");
    }
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

//! The study loop in the terminal, end to end with `QBANK_TODAY`: `qbank
//! due` lists due and overdue answers (never new or unanswered ones, nor a
//! broken marker), `qbank review` writes the rating into the note's marker
//! line and nothing else, and a note changed during the session is skipped.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use super::{Output, Workspace, category_row, json};

const NOTE: &str = "# Databases\n\n## BE-23 · ACID\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->\nAtomicity: all or nothing.\n\n## BE-40 · SQL injection\n\n<!-- qbank: reviewed 2026-11-28 hard · due 2026-11-30 · s=1.2 d=6.4 n=1 -->\n\nBound parameters, never string concatenation.\n\n## BE-61 · Caching\n\nKeep hot data close.\n\n## BE-66 · CDN\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-25 · s=7 d=5 n=2\nEdge servers.\n\n## BE-1 · Unanswered\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-25 · s=7 d=5 n=2 -->\n";

fn command(workspace: &Workspace, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qbank"));
    command
        .args(args)
        .current_dir(workspace.scratch.root())
        .env("QBANK_TODAY", "2026-11-30");
    command
}

fn run(workspace: &Workspace, args: &[&str], input: &str) -> Output {
    let mut child = command(workspace, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Output {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        code: output.status.code(),
    }
}

fn workspace() -> Workspace {
    let workspace = Workspace::new();
    workspace.write("notes/db.md", NOTE);
    workspace
}

#[test]
fn due_lists_due_and_overdue_answers_soonest_first() {
    let workspace = workspace();
    let output = run(&workspace, &["due"], "");
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "BE-23   3 days overdue   notes/db.md:3  What is ACID compliance, and why is it important in databases?\n\
         BE-40   due today        notes/db.md:7  What is SQL injection, and how do you prevent it?\n"
    );
    assert_eq!(output.stderr, "2 questions due for review on 2026-11-30\n");
    let rows = json(&run(&workspace, &["due", "--format", "json"], "").stdout);
    assert_eq!(rows[0]["key"], "BE-23");
    assert_eq!(rows[0]["overdue_days"], 3);
    assert_eq!(rows[1]["due"], "2026-11-30");
    assert_eq!(rows.as_array().unwrap().len(), 2);
    // The broken marker is a warning in `check`, and its answer stays.
    let check = run(&workspace, &["check", "notes/db.md"], "").stdout;
    assert!(
        check.contains(
            "notes/db.md:18:1: warning[review-marker]: the review marker does not end with `-->`"
        ),
        "{check}"
    );
    assert!(
        check.contains("hint[review-due]: BE-23 has been due for review for 3 days"),
        "{check}"
    );
}

#[test]
fn a_review_session_writes_one_marker_line_per_rating() {
    let workspace = workspace();
    // Recall, rate BE-23 good; recall, skip BE-40.
    let output = run(&workspace, &["review"], "\n3\n\ns\n");
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(
        output.stdout.contains("BE-23 · What is ACID compliance"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("\nAtomicity: all or nothing.\n"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("Rated good: next review 2027-01-"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with("1 reviewed, 1 skipped.\n"),
        "{}",
        output.stdout
    );
    let after = std::fs::read_to_string(workspace.scratch.root().join("notes/db.md")).unwrap();
    let changed: Vec<(&str, &str)> = NOTE
        .lines()
        .zip(after.lines())
        .filter(|(before, after)| before != after)
        .collect();
    assert_eq!(changed.len(), 1, "{after}");
    assert!(
        changed[0]
            .1
            .starts_with("<!-- qbank: reviewed 2026-11-30 good · due 2027-01-"),
        "{after}"
    );
    assert_eq!(NOTE.lines().count(), after.lines().count());
    // BE-23 is no longer due.
    let output = run(&workspace, &["due", "--format", "json"], "");
    assert_eq!(json(&output.stdout)[0]["key"], "BE-40");
}

#[test]
fn new_answers_are_reviewed_on_request_and_start_their_schedule() {
    let workspace = Workspace::new();
    workspace.write("notes/a.md", "## BE-61 · Caching\n\nKeep hot data close.\n");
    let output = run(&workspace, &["review"], "");
    assert_eq!(
        output.stdout,
        "Nothing is due for review on 2026-11-30.\n1 answered question is never reviewed: `qbank review --new` starts its schedule.\n"
    );
    let output = run(&workspace, &["review", "--new"], "\n4\n");
    assert!(
        output.stdout.contains("(notes/a.md, new)"),
        "{}",
        output.stdout
    );
    let after = std::fs::read_to_string(workspace.scratch.root().join("notes/a.md")).unwrap();
    assert!(
        after.starts_with("## BE-61 · Caching\n<!-- qbank: reviewed 2026-11-30 easy · due 2026-12-15 · s=15.4722 d="),
        "{after}"
    );
    assert!(
        after.ends_with(" n=1 -->\n\nKeep hot data close.\n"),
        "{after}"
    );
}

/// The note is edited while the student recalls: the rating is not
/// written over the new text.
#[test]
fn a_note_changed_during_the_session_is_skipped() {
    let workspace = workspace();
    let mut child = command(&workspace, &["review", "notes/db.md"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("press Enter") {
        assert_eq!(
            stdout.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    let edited = NOTE.replace(
        "Atomicity: all or nothing.",
        "Atomicity: all or nothing, even on a crash.",
    );
    workspace.write("notes/db.md", &edited);
    child.stdin.take().unwrap().write_all(b"\n3\nq\n").unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        rest.contains("notes/db.md changed since it was read; not written, skipped."),
        "{rest}"
    );
    let after = std::fs::read_to_string(workspace.scratch.root().join("notes/db.md")).unwrap();
    assert_eq!(after, edited);
}

/// A note named on the command line that is a link is listed, but its
/// rating is never written through the link.
#[test]
fn a_note_that_is_a_link_is_never_written() {
    let workspace = Workspace::new();
    workspace.write("elsewhere/real.md", NOTE);
    let root = workspace.scratch.root();
    std::os::unix::fs::symlink(root.join("elsewhere/real.md"), root.join("link.md")).unwrap();
    let due = run(&workspace, &["due", "link.md"], "");
    assert!(due.stdout.starts_with("BE-23 "), "{}", due.stdout);
    let output = run(&workspace, &["review", "link.md"], "\n3\n\n3\n");
    assert!(output.stderr.contains("link.md"), "{}", output.stderr);
    assert!(
        output.stdout.ends_with("0 reviewed, 2 skipped.\n"),
        "{}",
        output.stdout
    );
    let target = std::fs::read_to_string(root.join("elsewhere/real.md")).unwrap();
    assert_eq!(target, NOTE);
    assert!(
        std::fs::symlink_metadata(root.join("link.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// `stats` counts, per category, the questions in review and those due
/// today and within the week.
#[test]
fn stats_count_reviews_per_category() {
    let workspace = workspace();
    let stats = json(&run(&workspace, &["stats", "--format", "json"], "").stdout);
    let databases = category_row(&stats, "Databases and Data Storage");
    // BE-23 (overdue) and BE-40 (due today); BE-61 is not reviewed yet,
    // and BE-66's marker is broken.
    let counts = ["in_review", "due_today", "due_this_week"].map(|field| databases[field].clone());
    assert_eq!(
        counts,
        [2, 2, 2].map(serde_json::Value::from),
        "{databases}"
    );
    let performance = category_row(&stats, "Performance Optimization");
    assert_eq!(performance["in_review"], 0, "{performance}");
}

/// A higher desired retention brings the next review sooner.
#[test]
fn desired_retention_sets_how_soon_answers_come_back() {
    let due_after = |retention: &str| {
        let workspace = Workspace::new();
        workspace.write(".qbank.toml", format!("desired_retention = {retention}\n"));
        workspace.write(
            "notes/a.md",
            "## BE-61 · Caching\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-30 · s=10 d=5 n=2 -->\nKeep hot data close.\n",
        );
        let output = run(&workspace, &["review"], "\n3\n");
        assert_eq!(output.stderr, "", "{retention}");
        let after = std::fs::read_to_string(workspace.scratch.root().join("notes/a.md")).unwrap();
        after.split(" · due ").nth(1).unwrap()[..10].to_string()
    };
    let (high, default, low) = (due_after("0.97"), due_after("0.9"), due_after("0.8"));
    assert!(high < default && default < low, "{high} {default} {low}");
}

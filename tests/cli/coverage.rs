//! Coverage end to end: `qbank check` says which of a question's points an
//! answer misses, `qbank stats` counts the points covered, and
//! `coverage = false` turns both off.

use super::{Workspace, category_row, json};

/// README's `cover.md`: three of BE-23's six points, in the answer's own
/// words.
const COVER: &str = "### BE-23 · What is ACID compliance, and why is it important in databases?

Atomicity: a transaction's writes all apply or none do, rolled back on a crash.
Durability: once committed, data survives a power loss since the write-ahead log is flushed first.
Isolation: concurrent transactions don't see uncommitted work.
";

fn databases_row(workspace: &Workspace) -> serde_json::Value {
    let stats = json(
        &workspace
            .run(&["stats", "cover.md", "--format", "json"])
            .stdout,
    );
    category_row(&stats, "Databases and Data Storage").clone()
}

#[test]
fn check_names_the_points_an_answer_misses() {
    let workspace = Workspace::new();
    workspace.write("cover.md", COVER);
    let output = workspace.run(&["check", "cover.md"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "cover.md:1:5: information[missing-points]: BE-23 covers 3 of 6 points; missing: Consistency, Why it matters, Trade-off\n"
    );
    assert_eq!(output.stderr, "1 info in 1 file\n");
    let row = databases_row(&workspace);
    assert_eq!(
        (&row["points_covered"], &row["points"]),
        (&3.into(), &6.into())
    );
}

#[test]
fn coverage_false_turns_the_finding_and_the_count_off() {
    let workspace = Workspace::new();
    workspace.write(".qbank.toml", "coverage = false\n");
    workspace.write("cover.md", COVER);
    let output = workspace.run(&["check", "cover.md"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(output.stdout, "");
    let row = databases_row(&workspace);
    assert_eq!(row["answered"], 1);
    assert!(row.get("points_covered").is_none(), "{row}");
    let stats = workspace.run(&["stats", "cover.md"]).stdout;
    assert!(
        stats.starts_with("category") && !stats.contains("points covered"),
        "{stats}"
    );
}

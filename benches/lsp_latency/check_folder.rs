//! Scenario 6 (issue 12): the command line over one big folder.
//! `qbank check` of a workspace whose 10,000 generated notes all sit in one
//! folder (so that every note has 9,999 siblings for `asked-before`), run
//! from the root as a user would, three times; the median wall time. Each
//! folder's notes are read once, not once per note checked.

use std::path::Path;

use anyhow::Result;
use qbank_testkit::bench::{Row, duration_row};
use qbank_testkit::generate;

use crate::{CLI_RUNS, NOTE_SEED, Settings};

const TARGET_MS: f64 = 2_000.0;

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let count = settings.workspace_notes;
    println!("## 6. `qbank check` over {count} notes in one folder");
    println!();
    let scratch = crate::workspace("check-folder");
    for index in 0..count {
        let text = generate::workspace_note(index, NOTE_SEED);
        scratch.write(&format!("notes/note-{index:05}.md"), text);
    }
    // 0 (no errors) or 1 (errors found); anything else is a failure.
    let runs = crate::run_cli(binary, &scratch, &["check"], &[], &[0, 1])?;
    println!("{}", runs.shown());
    println!();
    rows.push(duration_row(
        &format!("`qbank check` of {count} notes in one folder (median of {CLI_RUNS})"),
        runs.median(),
        TARGET_MS,
    ));
    Ok(())
}

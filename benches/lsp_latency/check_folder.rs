//! Scenario 6 (issue 12): the command line over one big folder.
//! `qbank check` of a workspace whose 10,000 generated notes all sit in one
//! folder (so that every note has 9,999 siblings for `asked-before`), run
//! from the root as a user would, three times; the median wall time. Each
//! folder's notes are read once, not once per note checked.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use qbank_testkit::bench::{Row, duration_row, ms};
use qbank_testkit::generate;

use crate::{NOTE_SEED, Settings};

/// Runs of the command; the median is reported.
const RUNS: usize = 3;
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
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let status = Command::new(binary)
            .arg("check")
            .current_dir(scratch.root())
            .env("HOME", scratch.root())
            .env("XDG_CACHE_HOME", scratch.path(".cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        times.push(started.elapsed());
        // 0 (no errors) or 1 (errors found); anything else is a failure.
        if !matches!(status.code(), Some(0 | 1)) {
            bail!("qbank check failed: {status}");
        }
    }
    times.sort();
    let median = times[RUNS / 2];
    let shown: Vec<String> = times.iter().map(|time| ms(*time)).collect();
    println!("runs: {}", shown.join(", "));
    println!();
    rows.push(duration_row(
        &format!("`qbank check` of {count} notes in one folder (median of {RUNS})"),
        median,
        TARGET_MS,
    ));
    Ok(())
}

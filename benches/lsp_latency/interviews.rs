//! Scenario 8 (issue 16): the interviewer's loop. `qbank scores` over
//! 1,000 candidate folders of 10 notes each (10,000 notes): eight
//! interview rounds a folder, each a real five-question packet of the
//! built-in bank (drawn by the binary itself) with boxes ticked and scores
//! written in every form qbank reads (a few left blank, a few unreadable),
//! and two notes of plain prose; run from the root three times, the
//! median wall time. `--by-question` is timed too.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};
use qbank_testkit::Scratch;
use qbank_testkit::bench::{Row, duration_row};
use qbank_testkit::generate;

use crate::{CLI_RUNS, NOTE_SEED, Settings};

const TARGET_MS: f64 = 300.0;
const NOTES_PER_FOLDER: usize = 10;
const ROUNDS_PER_FOLDER: usize = 8;
/// Distinct packets the rounds are filled from.
const PACKETS: u64 = 20;
const SCORES: [&str; 10] = [
    "3",
    "2",
    "4",
    "3/4",
    "3 – solid",
    "1",
    "2 (partial)",
    "4 — strong",
    "",
    "good",
];

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let count = settings.workspace_notes;
    let folders = count / NOTES_PER_FOLDER;
    println!("## 8. The interviewer's loop");
    println!();
    let scratch = crate::workspace("interviews");
    let packets = draw_packets(binary, &scratch)?;
    let mut bytes = 0;
    for folder in 0..folders {
        for note in 0..NOTES_PER_FOLDER {
            let name = format!("candidates/c{folder:04}/note-{note}.md");
            let text = if note < ROUNDS_PER_FOLDER {
                let packet = &packets[(folder * 7 + note) % packets.len()];
                scored_round(packet, folder * NOTES_PER_FOLDER + note)
            } else {
                generate::workspace_note(folder * NOTES_PER_FOLDER + note, NOTE_SEED)
            };
            bytes += text.len();
            scratch.write(&name, text);
        }
    }
    println!(
        "{folders} folders, {count} notes, {:.1} MB",
        bytes as f64 / 1e6
    );
    for (args, label) in [
        (&["scores"][..], "`qbank scores`"),
        (
            &["scores", "--by-question"][..],
            "`qbank scores --by-question`",
        ),
    ] {
        let runs = crate::run_cli(binary, &scratch, args, &[], &[0])?;
        let lines = runs.stdout.iter().filter(|byte| **byte == b'\n').count();
        println!("{label}: {lines} lines; {}", runs.shown());
        rows.push(duration_row(
            &format!("{label} over {folders} folders, {count} notes (median of {CLI_RUNS})"),
            runs.median(),
            TARGET_MS,
        ));
    }
    println!();
    Ok(())
}

/// Five-question interview packets of the built-in bank, as `qbank
/// packet` writes them.
fn draw_packets(binary: &Path, scratch: &Scratch) -> Result<Vec<String>> {
    (1..=PACKETS)
        .map(|seed| {
            let output = Command::new(binary)
                .args(["packet", "--mode", "interview", "--count", "5"])
                .args(["--seed", &seed.to_string()])
                .current_dir(scratch.root())
                .env("HOME", scratch.root())
                .env("XDG_CACHE_HOME", scratch.path(".cache"))
                .output()?;
            if !output.status.success() {
                bail!("qbank packet failed: {}", output.status);
            }
            Ok(String::from_utf8(output.stdout)?)
        })
        .collect()
}

/// A packet as an interviewer leaves it: about half the boxes ticked, a
/// score on each score line (the note's number picks which), notes
/// written.
fn scored_round(packet: &str, number: usize) -> String {
    let mut out = String::with_capacity(packet.len() + 512);
    let _ = write!(out, "# Round {number}\n\n");
    let mut line_number = number;
    for line in packet.lines() {
        line_number += 1;
        if let Some(point) = line.strip_prefix("- [ ] ") {
            let ticked = if line_number % 2 == 0 { 'x' } else { ' ' };
            let _ = writeln!(out, "- [{ticked}] {point}");
        } else if line == "**Score:** " || line == "**Score:**" {
            let score = SCORES[line_number % SCORES.len()];
            let _ = writeln!(out, "**Score:** {score}");
        } else if line.starts_with("**Notes:**") {
            let _ = writeln!(out, "**Notes:** Walked through it with an example.");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

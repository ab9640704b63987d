//! Scenario 7 (issue 15): the study loop. `qbank due` over a workspace of
//! 10,000 generated notes (one in two question sections carrying a review
//! marker, due dates spread over three weeks around the day), run from the
//! root three times with `QBANK_TODAY`, the median wall time; then the
//! code lenses of one open note of 500 answered question sections with
//! markers (coverage and review lenses over a bank with points), asked
//! again and again, p50 and p99.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use qbank_testkit::bench::{self, Row, duration_row, ms, percentile, row, spread};
use qbank_testkit::{Client, generate, lsp_command};
use serde_json::json;

use crate::{CLI_RUNS, NOTE_SEED, REPLY_TIMEOUT, SCENARIO_LIMIT, Settings};

const TODAY: &str = "2026-11-30";
const DUE_TARGET_MS: f64 = 200.0;
const LENS_TARGET_MS: f64 = 20.0;
const LENS_SECTIONS: usize = 500;
const LENS_REQUESTS: usize = 200;

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    rows.push(due_over_notes(binary, settings.workspace_notes)?);
    rows.push(lenses_of_a_long_note(binary, settings)?);
    Ok(())
}

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap_or_default()
}

/// A marker due `offset` days from today (negative: overdue).
fn marker(offset: i64) -> String {
    let due = today() + chrono::Duration::days(offset);
    let reviewed = due - chrono::Duration::days(7);
    format!("<!-- qbank: reviewed {reviewed} good · due {due} · s=7.2 d=5.1 n=2 -->")
}

/// `text` with a marker under every other question heading (`#… KEY ·`),
/// due from 10 days ago to 10 days ahead.
fn with_markers(text: &str, salt: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut heading = salt;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if line.starts_with('#') && line.contains(" · ") {
            heading += 1;
            if heading % 2 == 0 {
                let _ = writeln!(out, "{}", marker((heading % 21) as i64 - 10));
            }
        }
    }
    out
}

fn due_over_notes(binary: &Path, count: usize) -> Result<Row> {
    println!("## 7. The study loop");
    println!();
    let scratch = crate::workspace("study-due");
    for index in 0..count {
        let text = with_markers(&generate::workspace_note(index, NOTE_SEED), index);
        scratch.write(
            &format!("notes/{:03}/note-{index:05}.md", index / 100),
            text,
        );
    }
    let env = [("QBANK_TODAY", TODAY)];
    let runs = crate::run_cli(binary, &scratch, &["due"], &env, &[0])?;
    let listed = runs.stdout.iter().filter(|byte| **byte == b'\n').count();
    println!(
        "`qbank due` over {count} notes: {listed} sections due; {}",
        runs.shown()
    );
    Ok(duration_row(
        &format!("`qbank due` over {count} notes (median of {CLI_RUNS})"),
        runs.median(),
        DUE_TARGET_MS,
    ))
}

/// The first `sections` question sections of a generated note.
fn note_of_sections(sections: usize) -> String {
    let text = generate::note(sections * 1_200, NOTE_SEED);
    let mut seen = 0;
    let mut end = text.len();
    for (offset, _) in text.match_indices("\n### ") {
        seen += 1;
        if seen > sections {
            end = offset + 1;
            break;
        }
    }
    with_markers(&text[..end], 0)
}

fn lenses_of_a_long_note(binary: &Path, settings: &Settings) -> Result<Row> {
    let scratch = crate::workspace("study-lenses");
    let bank_questions = generate::NOTE_KEYS as usize;
    scratch.write(
        "questions/gen.md",
        generate::bank_with_points(bank_questions, NOTE_SEED),
    );
    let text = note_of_sections(LENS_SECTIONS);
    scratch.write("long.md", &text);
    let uri = scratch.uri("long.md");
    let mut command = lsp_command(binary, scratch.root(), &scratch.folder(".home"));
    command.env("QBANK_TODAY", TODAY);
    let mut client = Client::try_spawn(command)?;
    client.set_timeout(REPLY_TIMEOUT);
    client.set_lifetime_limit(SCENARIO_LIMIT);
    bench::initialize(&mut client, scratch.root(), &crate::capabilities(false))?;
    bench::open(&mut client, &uri, &text)?;
    let requests = if settings.quick { 40 } else { LENS_REQUESTS };
    let mut round_trips = Vec::with_capacity(requests);
    let (mut lenses, mut reply_bytes) = (0, 0);
    for _ in 0..requests {
        let reply = client.try_request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )?;
        round_trips.push(reply.rtt());
        lenses = reply.result().as_array().map_or(0, Vec::len);
        reply_bytes = reply.bytes;
    }
    bench::stop(client)?;
    let p50 = percentile(&round_trips, 50.0);
    let p99 = percentile(&round_trips, 99.0);
    println!(
        "code lenses of a note of {LENS_SECTIONS} answered sections ({} KB): {lenses} lenses in {}; p50 {}, p99 {} ({})",
        text.len() / 1_000,
        bench::bytes(reply_bytes),
        ms(p50),
        ms(p99),
        spread(&round_trips)
    );
    println!();
    Ok(row(
        &format!("code lenses of a note of {LENS_SECTIONS} question sections, p99"),
        &format!("≤ {LENS_TARGET_MS} ms"),
        format!("{} (p50 {}; {lenses} lenses)", ms(p99), ms(p50)),
        Some(p99 <= bench::millis(LENS_TARGET_MS)),
    ))
}

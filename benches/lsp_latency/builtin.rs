//! Scenario 1: the built-in bank (128 questions) in a workspace with an
//! empty `.qbank.toml`, and a note full of emoji (so UTF-16 columns differ
//! from bytes): start-up, `@` and key completions, hovers on every key,
//! the largest reply and peak memory.

use std::path::Path;

use anyhow::Result;
use qbank_testkit::Scratch;
use qbank_testkit::bench::{Row, duration_row};

use crate::probes::{NoteBuilder, NotePlan, Probe, interleave_keys, prep_note, run_session};
use crate::{Settings, report};

const WORDS: [&str; 18] = [
    "cache", "database", "thread", "index", "queue", "deploy", "schema", "token", "replica",
    "latency", "api", "rest", "sql", "auth", "load", "docker", "kafka", "graphql",
];
const KEYS: [&str; 8] = [
    "BE-", "BE-1", "BE-2", "BE-12", "BE-5", "BE-10", "BE-100", "BE-7",
];

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    println!("## 1. Built-in bank (128 questions), utf-16 client");
    println!();
    let scratch = crate::workspace("builtin");
    let plan = note_plan(&scratch);
    let session = run_session(binary, &scratch, &plan, settings)?;

    let what = |text: &str| format!("{text} (128 q)");
    let figures = &session.figures;
    rows.push(report::initialize_row(&what, session.to_initialize));
    rows.push(report::first_completion_row(&what, &session, true));
    rows.push(duration_row(
        &what("start → banks indexed"),
        session.indexed,
        100.0,
    ));
    rows.extend(report::completion_rows(&what, figures, (2.0, 10.0)));
    rows.push(report::reply_row(&what, &figures.largest, false));
    rows.push(report::hover_row(&what("hover p99"), &figures.hover, 2.0));
    rows.push(report::started_memory_row(
        &what,
        session.started_memory,
        10.0,
    ));
    rows.push(report::memory_row(&what, session.peak_memory, Some(40.0)));
    Ok(())
}

/// The note, full of emoji, written to `prep.md`: `@` queries, key
/// completions and a hover on every key of the bank.
fn note_plan(scratch: &Scratch) -> NotePlan {
    let (mut note, first) = prep_note("# Interview prep 🚀 notes");
    let mut last = note.probe_at_end("BE-128", "- the last question: BE-128".to_string());
    last.expect_key = Some("BE-128".to_string());
    let mut completions = word_queries(&mut note);
    interleave_keys(&mut note, &mut completions, &KEYS);
    let hovers = key_hovers(&mut note);
    NotePlan::write(scratch, &note, (first, last), (completions, hovers))
}

/// `@` queries of one to six letters of each word; one in four at a line's
/// start (the heading-and-template form).
fn word_queries(note: &mut NoteBuilder) -> Vec<Probe> {
    let mut completions = Vec::new();
    for (position, word) in WORDS.iter().enumerate() {
        for length in 1..=word.len().min(6) {
            let query = &word[..length];
            let text = if (position + length) % 4 == 0 {
                format!("@{query}")
            } else {
                format!("- 🧪 about {word}: @{query}")
            };
            completions.push(note.probe_at_end(&format!("@{query}"), text));
        }
    }
    completions
}

/// A hover on every key of the bank, in a heading or a list item.
fn key_hovers(note: &mut NoteBuilder) -> Vec<Probe> {
    (1..=128)
        .map(|number| {
            let key = format!("BE-{number}");
            let text = if number % 3 == 0 {
                format!("### {key} · ✅ answered")
            } else {
                format!("- revisit {key} after 🧪 practice")
            };
            note.probe_in(&key, text, &key, 2)
        })
        .collect()
}

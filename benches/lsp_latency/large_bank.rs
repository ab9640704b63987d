//! Scenario 3: a generated bank of 100,000 questions at `questions/gen.md`
//! (`generate::bank`, about 30 MB): start-up while the bank loads in the
//! background, short and distinctive-word `@` queries, key completions,
//! the largest reply, hovers on keys spread over the bank, peak memory.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use qbank_testkit::bench::{self, Row, bytes, ms, row};
use qbank_testkit::{Scratch, generate};

use crate::probes::{NoteBuilder, NotePlan, Probe, interleave_keys, prep_note, run_session};
use crate::{BANK_SEED, Settings, report};

const SHORT_QUERIES: [&str; 19] = [
    "a", "c", "z", "k", "s", "ca", "ze", "ra", "in", "da", "th", "cac", "cach", "cache", "dat",
    "queue", "laten", "sched", "shard",
];
const KEYS: [&str; 7] = [
    "GEN-", "GEN-1", "GEN-12", "GEN-123", "GEN-1234", "GEN-9", "GEN-99",
];

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let questions = settings.big_bank;
    let (scratch, bank) = bank_workspace("3. Workspace bank", "large-bank", questions);
    drop(bank);
    let plan = note_plan(&scratch, questions);
    let session = run_session(binary, &scratch, &plan, settings)?;

    let what = |text: &str| format!("{text} ({questions} q)");
    let figures = &session.figures;
    rows.push(report::initialize_row(&what, session.to_initialize));
    rows.push(report::first_completion_row(&what, &session, false));
    rows.push(row(
        &what("start → banks indexed"),
        "≤ 2 s, with `$/progress`",
        format!(
            "{}; `$/progress` {}",
            ms(session.indexed),
            if session.progress_seen {
                "sent"
            } else {
                "not sent"
            }
        ),
        Some(session.indexed <= bench::millis(2_000.0) && session.progress_seen),
    ));
    rows.extend(report::completion_rows(&what, figures, (10.0, 50.0)));
    rows.push(report::reply_row(&what, &figures.largest, true));
    rows.push(row(
        &what("distinctive word finds its question"),
        "every question findable",
        format!("{}/{}", figures.expected_found, figures.expected),
        Some(figures.expected_found == figures.expected),
    ));
    rows.push(report::hover_row(&what("hover p99"), &figures.hover, 5.0));
    rows.push(report::memory_row(&what, session.peak_memory, Some(250.0)));
    Ok(())
}

/// A workspace whose `questions/gen.md` is `generate::bank(questions, 42)`,
/// under a heading that starts with `title`; returns the bank's text too.
pub fn bank_workspace(title: &str, name: &str, questions: usize) -> (Scratch, String) {
    let started = Instant::now();
    let bank = generate::bank(questions, BANK_SEED);
    println!(
        "## {title} of {questions} questions (`generate::bank({questions}, {BANK_SEED})`, {})",
        bytes(bank.len())
    );
    println!();
    let scratch = crate::workspace(name);
    scratch.write("questions/gen.md", &bank);
    println!("generated and written in {}", ms(started.elapsed()));
    (scratch, bank)
}

/// The note written to `prep.md`: short and distinctive-word `@` queries,
/// key completions and hovers on keys spread over the bank.
fn note_plan(scratch: &Scratch, questions: usize) -> NotePlan {
    let (mut note, first) = prep_note("# Large bank notes 🚀");
    // Indexed when the last question is found by its distinctive word.
    let last = distinctive_probe(&mut note, questions, "- the last question: @");
    let mut completions = short_queries(&mut note);
    completions.extend(distinctive_queries(&mut note, questions));
    interleave_keys(&mut note, &mut completions, &KEYS);
    let hovers = key_hovers(&mut note, questions);
    NotePlan::write(scratch, &note, (first, last), (completions, hovers))
}

/// A completion of question `number`'s whole distinctive word after
/// `prefix`, expecting its key.
fn distinctive_probe(note: &mut NoteBuilder, number: usize, prefix: &str) -> Probe {
    let word = generate::distinctive_word(number as u32, BANK_SEED);
    let mut probe = note.probe_at_end(&format!("@{word}"), format!("{prefix}{word}"));
    probe.expect_key = Some(format!("{}-{number}", generate::PREFIX));
    probe
}

/// Short `@` queries; the two-letter ones at a line's start.
fn short_queries(note: &mut NoteBuilder) -> Vec<Probe> {
    SHORT_QUERIES
        .iter()
        .map(|query| {
            let text = if query.len() == 2 {
                format!("@{query}")
            } else {
                format!("- 🧪 see @{query}")
            };
            note.probe_at_end(&format!("@{query}"), text)
        })
        .collect()
}

/// 24 questions spread over the bank, by their whole distinctive word
/// (expecting the question) or its first four letters.
fn distinctive_queries(note: &mut NoteBuilder, questions: usize) -> Vec<Probe> {
    (0..24u64)
        .map(|step| {
            let number = 1 + (step * 7_919 + 13) % questions as u64;
            if step % 3 != 0 {
                return distinctive_probe(note, number as usize, "- about @");
            }
            let word = generate::distinctive_word(number as u32, BANK_SEED);
            let query = &word[..4];
            note.probe_at_end(&format!("@{query}"), format!("- about @{query}"))
        })
        .collect()
}

/// Hovers on 128 keys spread over the bank.
fn key_hovers(note: &mut NoteBuilder, questions: usize) -> Vec<Probe> {
    (0..128u64)
        .map(|step| {
            let number = 1 + (step * 104_729 + 7) % questions as u64;
            let key = format!("{}-{number}", generate::PREFIX);
            note.probe_in(&key, format!("- revisit {key} soon"), &key, 2)
        })
        .collect()
}

//! The workload of the peer comparison, the same for every server: a
//! vault of N notes, one file per generated question (`notes/q-000001.md`,
//! `# wording` and the question's fields, `generate::question_note`, about
//! 300 bytes each), plus the N-question bank at `questions/gen.md`
//! (`generate::bank`; over qbank's 64 MiB limit for one bank file, cut at
//! a category into `gen-1.md`, `gen-2.md`… with prefixes `GEN`, `GEN2`…)
//! that only qbank reads (a `.ignore` file keeps it
//! from iwes, whose walk honours `.ignore`; qbank loads `questions/` as
//! banks whatever the ignore files say), and `.qbank.toml` turning the
//! built-in bank off so that only generated text can answer. Then the
//! scratch note typed into: one line per query, the query typed after the
//! server's own trigger (`@` for qbank, `[` for iwes), a request at the
//! end of each line.

use std::time::Instant;

use qbank::files::FileRole;
use qbank_testkit::bench::{bytes, ms, utf16_len};
use qbank_testkit::{Scratch, generate};

use crate::SEED;

/// Prefixes of real words of the generated questions, as a user starts
/// typing them.
const WORD_QUERIES: [&str; 8] = [
    "cach", "shard", "replic", "idempot", "queue", "consens", "pagin", "bloom",
];
/// Questions, spread over the vault, whose distinctive word is typed whole.
const DISTINCTIVE_QUERIES: u64 = 8;
/// The timed queries of one round.
pub const QUERIES: usize = WORD_QUERIES.len() + DISTINCTIVE_QUERIES as usize;

/// A generated vault on disk, removed when dropped.
pub struct Vault {
    pub scratch: Scratch,
    pub notes: usize,
    /// The notes' bytes (the text both servers hold).
    pub note_bytes: usize,
    /// The bank's bytes (what qbank holds besides).
    pub bank_bytes: usize,
}

/// Writes the vault of `notes` notes and prints its size.
pub fn generate(notes: usize) -> Vault {
    let started = Instant::now();
    let scratch = Scratch::new(&format!("peers-{notes}"));
    scratch.write(".qbank.toml", "builtin = false\n");
    scratch.write(".ignore", "questions/\n");
    let mut note_bytes = 0;
    for number in 1..=notes as u32 {
        let note = generate::question_note(number, SEED);
        note_bytes += note.len();
        scratch.write(&format!("notes/q-{number:06}.md"), note);
    }
    let bank = generate::bank(notes, SEED);
    let files = bank_files(&bank, FileRole::Bank.limit() as usize);
    for (position, file) in files.iter().enumerate() {
        scratch.write(&bank_path(position, files.len()), file);
    }
    println!(
        "vault: {notes} notes ({}), bank `questions/gen.md` ({}{}) for qbank only; written in {}",
        bytes(note_bytes),
        bytes(bank.len()),
        match files.len() {
            1 => String::new(),
            parts => format!(", in {parts} files under qbank's limit for one"),
        },
        ms(started.elapsed())
    );
    Vault {
        scratch,
        notes,
        note_bytes,
        bank_bytes: bank.len(),
    }
}

/// Where the `position`th of the bank's `files` goes: numbered when there
/// are several, so that they are read in order.
fn bank_path(position: usize, files: usize) -> String {
    match files {
        1 => "questions/gen.md".to_string(),
        _ => format!("questions/gen-{}.md", position + 1),
    }
}

/// The generated bank as files of at most `limit` bytes, cut before a
/// `## ` category: each after the first with front matter of its own, its
/// prefix `GEN2`, `GEN3`… (a prefix names one bank), its questions keeping
/// their numbers.
fn bank_files(bank: &str, limit: usize) -> Vec<String> {
    let parts = bank.len().div_ceil(limit.saturating_sub(4_096).max(1));
    let mut files = Vec::new();
    let mut start = 0;
    for part in 1..parts {
        let goal = bank.len() / parts * part;
        let Some(cut) = bank[goal..].find("\n## ").map(|at| goal + at + 1) else {
            break;
        };
        files.push(bank[start..cut].to_string());
        start = cut;
    }
    files.push(bank[start..].to_string());
    for (position, file) in files.iter_mut().enumerate().skip(1) {
        let number = position + 1;
        file.insert_str(
            0,
            &format!("---\nprefix: GEN{number}\ntitle: Generated, part {number}\n---\n"),
        );
    }
    files
}

/// Where a completion is asked: the end of a line holding `query` typed
/// after the trigger.
#[derive(Clone)]
pub struct Probe {
    pub query: String,
    pub line: u32,
    pub character: u32,
}

/// The scratch note for one server and the probes in it.
pub struct ScratchNote {
    pub text: String,
    /// The first completion, repeated until it is useful: the first
    /// question's distinctive word, which no built-in bank holds, so only
    /// the vault (or qbank's bank of it) can answer.
    pub first: Probe,
    /// The last question's distinctive word: useful once everything is
    /// indexed.
    pub last: Probe,
    /// The timed queries, in order.
    pub queries: Vec<Probe>,
}

/// The scratch note with every query typed after `trigger`.
pub fn scratch_note(notes: usize, trigger: &str) -> ScratchNote {
    let mut lines = vec!["# Scratch".to_string(), String::new()];
    let mut probe = |query: String| {
        let text = format!("- about {trigger}{query}");
        let probe = Probe {
            line: lines.len() as u32,
            character: utf16_len(&text),
            query,
        };
        lines.push(text);
        probe
    };
    let first = probe(generate::distinctive_word(1, SEED));
    let last = probe(generate::distinctive_word(notes as u32, SEED));
    let mut queries: Vec<Probe> = WORD_QUERIES
        .iter()
        .map(|query| probe(query.to_string()))
        .collect();
    queries.extend((0..DISTINCTIVE_QUERIES).map(|step| {
        let number = 1 + (step * 7_919 + 13) % notes as u64;
        probe(generate::distinctive_word(number as u32, SEED))
    }));
    let mut text = lines.join("\n");
    text.push('\n');
    ScratchNote {
        text,
        first,
        last,
        queries,
    }
}

//! Test fixtures for the editor features: a note with a `$0` cursor marker
//! (or a `$0…$0` selection), and a seed-bank context to run features in;
//! or several files separated by `//- path` lines, where files under
//! `questions/` are banks and the others indexed notes.

use std::ops::Range;

use crate::core::bank::parse_bank;
use crate::core::builtin::builtin_bank;
use crate::core::ide::notes::{Notes, ScaffoldingCache, summarize_note};
use crate::core::index::Index;
use crate::core::template::{Mode, Overrides};

/// The text without its markers and the cursor (or selection) they mark.
pub fn cursor(fixture: &str) -> (String, Range<usize>) {
    let first = fixture.find("$0").expect("fixture has a $0 cursor");
    let mut text = fixture.to_string();
    text.replace_range(first..first + 2, "");
    match text.find("$0") {
        Some(second) => {
            text.replace_range(second..second + 2, "");
            (text, first..second)
        }
        None => (text, first..first),
    }
}

/// The index of the built-in bank.
/// The built-in bank's index, its similarity analysis done, as the server
/// has it once warmed up.
pub fn seed_index() -> Index {
    let index = Index::new(Some(builtin_bank()), Vec::new());
    index.similarity();
    index
}

pub fn no_overrides() -> &'static Overrides {
    static OVERRIDES: std::sync::OnceLock<Overrides> = std::sync::OnceLock::new();
    OVERRIDES.get_or_init(Overrides::default)
}

pub fn context(index: &Index) -> super::Context<'_> {
    super::Context {
        index,
        notes: crate::core::ide::notes::no_notes(),
        overrides: no_overrides(),
        mode: Mode::Study,
        packet_size: 10,
        coverage: true,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
    }
}

/// Applies byte-range edits (non-overlapping) to a text.
pub fn apply(text: &str, edits: &[crate::core::diagnostic::TextEdit]) -> String {
    let mut edits: Vec<_> = edits.iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    let mut result = text.to_string();
    for edit in edits {
        result.replace_range(edit.range.clone(), &edit.new_text);
    }
    result
}

/// A workspace from a multi-file fixture. The first file is the current
/// one (its text keeps its `$0` markers); it is a bank or a note like the
/// others, but only the other notes are indexed.
pub struct Workspace {
    pub index: Index,
    pub notes: Notes,
    /// Every other file's text by name, as a front end would read it.
    pub texts: Vec<(String, String)>,
    /// The current file's name and text, markers included.
    pub current: (String, String),
}

impl Workspace {
    pub fn new(fixture: &str) -> Workspace {
        let mut files: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("//- ") {
                files.push((name.trim().to_string(), String::new()));
            } else if let Some((_, text)) = files.last_mut() {
                text.push_str(line);
            } else if !line.trim().is_empty() {
                files.push(("note.md".to_string(), line.to_string()));
            }
        }
        let is_bank = |name: &str| name.starts_with("questions/");
        let banks = files
            .iter()
            .filter(|(name, _)| is_bank(name))
            .map(|(name, text)| {
                let stem = name
                    .trim_start_matches("questions/")
                    .trim_end_matches(".md");
                parse_bank(name, stem, cursor_or_text(text))
            })
            .collect();
        let index = Index::new(Some(builtin_bank()), banks);
        index.similarity();
        let mut notes = Notes::default();
        let mut cache = ScaffoldingCache::default();
        for (name, text) in files.iter().skip(1).filter(|(name, _)| !is_bank(name)) {
            notes.insert(summarize_note(
                &index,
                no_overrides(),
                &mut cache,
                name,
                text,
            ));
        }
        let mut files = files.into_iter();
        let current = files.next().expect("a fixture with a file");
        Workspace {
            index,
            notes,
            texts: files.collect(),
            current,
        }
    }

    pub fn context(&self) -> super::Context<'_> {
        super::Context {
            notes: &self.notes,
            ..context(&self.index)
        }
    }
}

fn cursor_or_text(text: &str) -> String {
    if text.contains("$0") {
        cursor(text).0
    } else {
        text.to_string()
    }
}

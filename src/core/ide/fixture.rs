//! Test fixtures for the editor features: a note with a `$0` cursor marker
//! (or a `$0…$0` selection), and a seed-bank context to run features in.

use std::ops::Range;

use crate::core::builtin::builtin_bank;
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
pub fn seed_index() -> Index {
    Index::new(Some(builtin_bank()), Vec::new())
}

pub fn no_overrides() -> &'static Overrides {
    static OVERRIDES: std::sync::OnceLock<Overrides> = std::sync::OnceLock::new();
    OVERRIDES.get_or_init(Overrides::default)
}

pub fn context(index: &Index) -> super::Context<'_> {
    super::Context {
        index,
        overrides: no_overrides(),
        mode: Mode::Study,
        packet_size: 10,
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

//! Fuzz target: note analysis. Any text is parsed as a note and checked
//! against the built-in bank's index: no panic, and every diagnostic and
//! fix names a range inside the text, on character boundaries.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qbank::core::builtin::builtin_bank;
use qbank::core::check::{Siblings, check_note};
use qbank::core::index::Index;
use qbank::core::note::parse_note;
use qbank::core::template::Overrides;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::new(Some(builtin_bank()), Vec::new()))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let inside = |range: &std::ops::Range<usize>| {
        range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end)
    };
    let note = parse_note(&text);
    for heading in &note.headings {
        assert!(inside(&heading.range) && inside(&heading.text_range));
    }
    for found in &note.keys {
        assert!(inside(&found.range));
    }
    for diagnostic in check_note(index(), &text, &note, Siblings::NONE, &Overrides::default()) {
        assert!(inside(&diagnostic.range), "{diagnostic:?}");
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                assert!(inside(&edit.range), "{fix:?}");
            }
        }
    }
});

//! Fuzz target: the bank parser. Any bytes, read as UTF-8 (lossily) the
//! way a bank file would be once the workspace accepted it, must parse
//! without panicking, keep every range inside the text and on character
//! boundaries, and index on its own (the built-in bank's analysis would
//! cost more than the input's).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank::core::bank::{BankStr, parse_bank};
use qbank::core::index::Index;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let bank = parse_bank("fuzz.md", "fuzz", text.clone());
    let inside = |range: &std::ops::Range<usize>| {
        range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end)
    };
    for question in &bank.questions {
        assert!(inside(&question.range()) && inside(&question.line_range()));
        assert!(!bank.wording(question).is_empty());
        for field in bank.fields(question) {
            if let BankStr::Source { start, end } = field.value {
                assert!(inside(&(start as usize..end as usize)));
            }
        }
    }
    for category in &bank.categories {
        assert!(inside(&category.range));
    }
    for diagnostic in &bank.diagnostics {
        assert!(inside(&diagnostic.range));
    }
    let index = Index::new(None, vec![bank]);
    for position in 0..index.banks().len() {
        for diagnostic in index.bank_diagnostics(position) {
            let text = &index.banks()[position].text;
            assert!(diagnostic.range.end <= text.len());
        }
    }
});

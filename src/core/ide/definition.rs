//! Definition: from a question key (or a question heading) to the
//! question's line in its bank.

use std::ops::Range;

use crate::core::ide::Document;
use crate::core::index::{Index, QuestionId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The key the cursor stands on.
    pub origin: Range<usize>,
    pub question: QuestionId,
    /// The bank's position in the index.
    pub bank: usize,
    /// The question's first line in the bank's text.
    pub range: Range<usize>,
}

pub fn definition(index: &Index, document: &Document, offset: usize) -> Option<Target> {
    let note = document.note;
    let found = note
        .key_at(offset)
        .or_else(|| note.heading_at(offset)?.key.as_ref())?;
    let id = index.lookup(&found.key)?;
    Some(Target {
        origin: found.range.clone(),
        question: id,
        bank: index.bank_of(id),
        range: index.get(id).question.line_range(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ide::fixture::{cursor, seed_index};
    use crate::core::note::parse_note;

    fn target_line(fixture: &str) -> Option<String> {
        let (text, cursor) = cursor(fixture);
        let index = seed_index();
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let target = definition(&index, &document, cursor.start)?;
        Some(index.banks()[target.bank].text[target.range].to_string())
    }

    #[test]
    fn keys_and_headings_lead_to_the_bank_line() {
        assert_eq!(
            target_line("see BE-$023").as_deref(),
            Some("23. What is ACID compliance, and why is it important in databases?")
        );
        assert_eq!(
            target_line("## BE-40 · What is SQL $0injection?").as_deref(),
            Some("40. What is SQL injection, and how do you prevent it?")
        );
        assert_eq!(target_line("BE-999$0"), None);
        assert_eq!(target_line("no $0key"), None);
    }
}

//! Inlay hints: after a question key written inline (not a question
//! heading's own key), the question's wording, shortened to about forty
//! characters at a word boundary: `BE-23: What is ACID compliance, and why is…`.

use std::ops::Range;

use crate::core::ide::{Context, Document};

/// How many characters a hint's label holds at most, `: ` and `…` included.
pub const HINT_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint stands: just after the key.
    pub offset: usize,
    pub label: String,
    /// The whole wording, for a tooltip.
    pub tooltip: String,
}

/// Hints for the keys inside `range`.
pub fn inlay_hints(context: &Context, document: &Document, range: Range<usize>) -> Vec<InlayHint> {
    let index = context.index;
    let note = document.note;
    let heading_keys: Vec<&Range<usize>> = note
        .headings
        .iter()
        .filter_map(|heading| heading.key.as_ref().map(|found| &found.range))
        .collect();
    note.keys
        .iter()
        .filter(|found| range.start <= found.range.start && found.range.end <= range.end)
        .filter(|found| !heading_keys.contains(&&found.range))
        .filter_map(|found| {
            let question = index.get(index.lookup(&found.key)?);
            Some(InlayHint {
                offset: found.range.end,
                label: format!(": {}", shortened(question.text(), HINT_CHARS - 2)),
                tooltip: format!("{} · {}", question.key(), question.text()),
            })
        })
        .collect()
}

/// The text cut to at most `limit` characters at a word boundary, ending
/// in `…` when cut (trailing punctuation dropped before it).
pub fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut kept = String::new();
    for word in text.split_whitespace() {
        let separator = usize::from(!kept.is_empty());
        if kept.chars().count() + separator + word.chars().count() > limit.saturating_sub(1) {
            break;
        }
        if separator == 1 {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    if kept.is_empty() {
        kept = text.chars().take(limit.saturating_sub(1)).collect();
    }
    let trimmed = kept.trim_end_matches([',', ';', ':', '.', '(', '-']);
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::core::ide::fixture::{context, seed_index};
    use crate::core::note::parse_note;

    #[test]
    fn hints_after_inline_keys_only() {
        let text = "## BE-23 · ACID\nSee BE-23, BE-999 and `BE-40`.\nThen BE-66.\n";
        let index = seed_index();
        let note = parse_note(text);
        let hints = inlay_hints(&context(&index), &Document::new(text, &note), 0..text.len());
        let mut rendered = String::new();
        for hint in &hints {
            rendered.push_str(&format!(
                "{}{}\n",
                &text[..hint.offset].rsplit(' ').next().unwrap(),
                hint.label
            ));
            assert!(hint.label.chars().count() <= HINT_CHARS);
        }
        expect![[r#"
            BE-23: What is ACID compliance, and why is…
            BE-66: What is CDN (Content Delivery…
        "#]]
        .assert_eq(&rendered);
        let later = inlay_hints(
            &context(&index),
            &Document::new(text, &note),
            40..text.len(),
        );
        assert_eq!(later.len(), 1);
    }

    #[test]
    fn short_texts_stay_whole() {
        assert_eq!(shortened("Who is on call?", 38), "Who is on call?");
        assert_eq!(
            shortened("Supercalifragilisticexpialidocious", 10),
            "Supercali…"
        );
    }
}

//! Folding ranges: one per question section, from its heading to its last
//! line with text, so a folded section hides its answer and keeps the
//! blank lines before the next heading in view.

use std::ops::Range;

use crate::core::ide::Document;

/// The byte ranges to fold, in order; sections of one line are left out.
pub fn folding_ranges(document: &Document) -> Vec<Range<usize>> {
    let text = document.text;
    document
        .note
        .question_sections()
        .into_iter()
        .filter_map(|section| {
            let content = text.get(section.range.clone())?;
            let end = section.range.start + content.trim_end().len();
            let folded = section.range.start..end;
            text[folded.clone()]
                .contains(['\n', '\r'])
                .then_some(folded)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::core::note::parse_note;

    #[test]
    fn sections_fold_to_their_last_line_with_text() {
        let text = "# Notes\n\n## BE-23 · ACID\nAtomicity.\n\n- more\n\n\n## BE-40 · Empty\n\n## Plain\ntext\n### BE-61 · Caching\r\nanswer\r\n";
        let note = parse_note(text);
        let folded: Vec<&str> = folding_ranges(&Document::new(text, &note))
            .into_iter()
            .map(|range| &text[range])
            .collect();
        expect![[r####"
            [
                "## BE-23 · ACID\nAtomicity.\n\n- more",
                "### BE-61 · Caching\r\nanswer",
            ]
        "####]]
        .assert_debug_eq(&folded);
    }
}

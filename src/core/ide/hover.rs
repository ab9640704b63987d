//! Hover: on a question key (in a note or a bank), on a question heading,
//! or on a heading whose text is a bank question, the question's card,
//! with where the workspace's notes answer it; on an answered question
//! heading, also which of its points the answer covers (✓) or misses (✗);
//! on a rubric's score line, what the score means (`ide::scores`).

use std::ops::Range;

use crate::core::coverage::section_coverage;
use crate::core::ide::card::question_card;
use crate::core::ide::review::review_summary;
use crate::core::ide::scores::score_hover;
use crate::core::ide::{
    Context, Document, answered_elsewhere, answered_in_note, is_answered_here,
    question_with_wording,
};
use crate::core::index::QuestionId;
use crate::core::note::is_answered;
use crate::core::review::section_review;
use crate::core::template::ScaffoldingCache;

/// The card of a question with where this note and the others answer it.
fn card_with_answers(context: &Context, document: &Document, id: QuestionId) -> String {
    let answered = answered_in_note(context, document);
    let elsewhere = answered_elsewhere(context, document, id);
    question_card(
        context.index,
        id,
        is_answered_here(&answered, id),
        Some(&elsewhere),
    )
}

/// For an answered section under the heading at `heading_start`, its
/// question's points marked ✓ or ✗ by what the answer covers.
fn points_checked(context: &Context, document: &Document, heading_start: usize) -> String {
    if !context.coverage {
        return String::new();
    }
    let note = document.note;
    let heading = note
        .headings
        .iter()
        .position(|heading| heading.range.start == heading_start);
    let coverage = heading.and_then(|heading| {
        section_coverage(
            context.index,
            document.text,
            note,
            context.overrides,
            heading,
        )
    });
    let Some(coverage) = coverage else {
        return String::new();
    };
    let question = context.index.get(coverage.id);
    let points = question
        .answer()
        .into_iter()
        .flat_map(|answer| &answer.points);
    let mut text = format!("\nThe answer {}:\n", coverage.summary());
    for (point, covered) in points.zip(&coverage.covered) {
        let mark = if *covered { "✓" } else { "✗" };
        let name = point.cue.as_deref().unwrap_or(&point.detail);
        text.push_str(&format!("- {mark} {name}\n"));
    }
    text
}

/// For a question section under the heading at `heading_start` (its
/// question's first in the note), its review state, on its own line.
fn review_line(context: &Context, document: &Document, heading_start: usize) -> String {
    let note = document.note;
    let Some(section) = note
        .headings
        .iter()
        .position(|heading| heading.range.start == heading_start)
        .and_then(|heading| note.question_section(heading))
    else {
        return String::new();
    };
    let answered = note.headings[section.heading]
        .key
        .as_ref()
        .and_then(|found| context.index.lookup(&found.key))
        .is_some_and(|id| {
            let mut cache = ScaffoldingCache::default();
            let lines = cache.get(context.index, context.overrides, id);
            is_answered(document.text, &section, lines)
        });
    let state = section_review(document.text, &section).state;
    review_summary(&state, answered, context.today)
        .map_or_else(String::new, |line| format!("\n{line}\n"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    /// What the hover is about: the key, or the heading's text.
    pub range: Range<usize>,
    pub markdown: String,
}

pub fn hover(context: &Context, document: &Document, offset: usize) -> Option<HoverInfo> {
    let index = context.index;
    let note = document.note;
    if let Some(found) = note
        .key_at(offset)
        .filter(|found| index.has_prefix(&found.key.prefix))
    {
        let mut markdown = match index.lookup(&found.key) {
            Some(id) => card_with_answers(context, document, id),
            None => format!(
                "**{}**: no such question in the {} bank",
                found.key, found.key.prefix
            ),
        };
        // The key of a question heading says what its section's answer
        // covers, as the heading's text does.
        if let Some(heading) = note.heading_at(offset).filter(|heading| {
            heading
                .key
                .as_ref()
                .is_some_and(|key| key.range == found.range)
        }) {
            markdown.push_str(&points_checked(context, document, heading.range.start));
            markdown.push_str(&review_line(context, document, heading.range.start));
        }
        return Some(HoverInfo {
            range: found.range.clone(),
            markdown,
        });
    }
    if let Some(score) = score_hover(document, offset) {
        return Some(score);
    }
    let heading = note.heading_at(offset)?;
    if heading.text_range.is_empty() {
        return None;
    }
    if let Some(found) = &heading.key {
        let id = index.lookup(&found.key)?;
        let mut markdown = card_with_answers(context, document, id);
        markdown.push_str(&points_checked(context, document, heading.range.start));
        markdown.push_str(&review_line(context, document, heading.range.start));
        return Some(HoverInfo {
            range: heading.text_range.clone(),
            markdown,
        });
    }
    let id = question_with_wording(index, &heading.text)?;
    let mut markdown = card_with_answers(context, document, id);
    markdown.push_str(&format!(
        "\nThis heading is {}'s wording: the code action \"Link heading to {}\" adds the key.\n",
        index.get(id).key(),
        index.get(id).key()
    ));
    Some(HoverInfo {
        range: heading.text_range.clone(),
        markdown,
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{context, cursor, seed_index};
    use crate::core::note::parse_note;

    fn check(fixture: &str, expected: Expect) {
        let (text, cursor) = cursor(fixture);
        let index = seed_index();
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let rendered = match hover(&context(&index), &document, cursor.start) {
            Some(info) => format!("[{}]\n{}", &text[info.range], info.markdown),
            None => "no hover".to_string(),
        };
        expected.assert_eq(&rendered);
    }

    #[test]
    fn on_a_key_after_an_emoji() {
        check(
            "😀 see BE-2$03 today\n",
            expect![[r#"
                [BE-23]
                **BE-23** · What is ACID compliance, and why is it important in databases?

                Category: Databases and Data Storage  
                Shape: definition  
                Level: mid · about 5 min · 6 points to cover  
                Not answered in any note yet
            "#]],
        );
    }

    #[test]
    fn on_a_question_heading_with_answer_state() {
        check(
            "## BE-23 · What is ACID $0compliance?\n\nAtomicity: all of a transaction's writes apply, or none.\nDurability: a commit survives a crash, since the log is flushed first.\n",
            expect![[r#"
                [BE-23 · What is ACID compliance?]
                **BE-23** · What is ACID compliance, and why is it important in databases?

                Category: Databases and Data Storage  
                Shape: definition  
                Level: mid · about 5 min · 6 points to cover  
                Answered in this note

                The answer covers 2 of 6 points:
                - ✓ Atomicity
                - ✗ Consistency
                - ✗ Isolation
                - ✓ Durability
                - ✗ Why it matters
                - ✗ Trade-off

                Review: new (rate it from the lens to start its schedule)
            "#]],
        );
    }

    #[test]
    fn on_a_heading_with_a_question_wording() {
        check(
            "## what is ACID compliance, and why is it $0important in databases\n",
            expect![[r#"
                [what is ACID compliance, and why is it important in databases]
                **BE-23** · What is ACID compliance, and why is it important in databases?

                Category: Databases and Data Storage  
                Shape: definition  
                Level: mid · about 5 min · 6 points to cover  
                Not answered in any note yet

                This heading is BE-23's wording: the code action "Link heading to BE-23" adds the key.
            "#]],
        );
    }

    #[test]
    fn says_which_other_notes_answer_it() {
        use crate::core::ide::fixture::Workspace;
        let workspace = Workspace::new(
            "//- current.md\nsee BE-2$03\n//- notes/a.md\n## BE-23 · ACID\nAtomicity.\n//- notes/b.md\n## BE-23 · ACID\n",
        );
        let (text, cursor) = cursor(&workspace.current.1);
        let note = parse_note(&text);
        let document = Document {
            text: &text,
            note: &note,
            name: Some("current.md"),
        };
        let found = hover(&workspace.context(), &document, cursor.start).unwrap();
        expect![[r#"
            **BE-23** · What is ACID compliance, and why is it important in databases?

            Category: Databases and Data Storage  
            Shape: definition  
            Level: mid · about 5 min · 6 points to cover  
            Answered in notes/a.md
        "#]]
        .assert_eq(found.markdown.split("\nRelated").next().unwrap());
    }

    #[test]
    fn unknown_keys_and_foreign_prefixes() {
        check(
            "BE-99$09 and UTF-8\n",
            expect![[r#"
                [BE-999]
                **BE-999**: no such question in the BE bank"#]],
        );
        check("BE-999 and UTF-$08\n", expect![[r#"no hover"#]]);
        check("plain $0text\n", expect![[r#"no hover"#]]);
    }
}

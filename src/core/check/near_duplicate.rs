//! `near-duplicate`: a question section whose question the bank marks as
//! asking the same as one an earlier section asks (twins are mutual). It
//! names the earliest such section; a repeat of the same question is left
//! to `repeated-question`. It never waits for the near-duplicate analysis:
//! until that is done, it finds nothing (`Index::analysed_near_duplicates`).

use super::{Asked, NoteContext};
use crate::core::diagnostic::{Diagnostic, Severity, codes};

pub(super) fn near_duplicate(context: &NoteContext, asked: &Asked) -> Option<Diagnostic> {
    if context.first_asked.contains_key(&asked.id) {
        return None;
    }
    let twin = context
        .index
        .analysed_near_duplicates(asked.id)
        .iter()
        .filter_map(|other| context.first_asked.get(other))
        .min_by_key(|first| first.position)?;
    let twin_section = &context.sections[twin.position];
    let twin_heading = &context.note.headings[twin_section.section.heading];
    let twin_question = context.index.get(twin_section.id);
    let twin_key = twin_question.key();
    Some(
        Diagnostic::new(
            asked.key_range.clone(),
            Severity::Information,
            codes::NEAR_DUPLICATE,
            format!(
                "{} asks the same as {twin_key} (line {}): {}",
                asked.key,
                twin.line,
                twin_question.text()
            ),
        )
        .with_related(
            None,
            twin_heading.range.clone(),
            format!("{twin_key} · {}", twin_question.text()),
        ),
    )
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check;
    use crate::core::diagnostic::codes;

    #[test]
    fn a_near_duplicate_names_the_earlier_twin() {
        check(
            codes::NEAR_DUPLICATE,
            r#"
## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
Caches.

## BE-78 · What is a Content Delivery Network (CDN), and how does it reduce latency?
Edge servers.
"#,
            expect![[r#"
                4:4-4:9 information[near-duplicate] BE-78 asks the same as BE-66 (line 1): What is CDN (Content Delivery Network), and how does it improve performance?
                  related 1:1-2:1: BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
            "#]],
        );
    }

    #[test]
    fn the_earliest_twin_is_named_and_repeats_are_left_to_repeated_question() {
        check(
            codes::NEAR_DUPLICATE,
            r#"
## BE-100
One.

## BE-66
Two.

## BE-78
Three.

## BE-78
Four.

## BE-117
Five.
"#,
            expect![[r#"
                4:4-4:9 information[near-duplicate] BE-66 asks the same as BE-100 (line 1): What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
                  related 1:1-2:1: BE-100 · What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
                7:4-7:9 information[near-duplicate] BE-78 asks the same as BE-100 (line 1): What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
                  related 1:1-2:1: BE-100 · What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
                13:4-13:10 information[near-duplicate] BE-117 asks the same as BE-100 (line 1): What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
                  related 1:1-2:1: BE-100 · What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
            "#]],
        );
    }
}

//! `repeated-question`: a question section whose question an earlier
//! section of the same note already asks. The warning points back to the
//! first heading asking it, by line and as a related place.

use super::{Asked, NoteContext};
use crate::core::diagnostic::{Diagnostic, Severity, codes};

pub(super) fn repeated_question(context: &NoteContext, asked: &Asked) -> Option<Diagnostic> {
    let first = context.first_asked.get(&asked.id)?;
    Some(
        Diagnostic::new(
            asked.key_range.clone(),
            Severity::Warning,
            codes::REPEATED_QUESTION,
            format!("{} is already asked on line {}", asked.key, first.line),
        )
        .with_related(None, first.offset..first.offset, "first asked here"),
    )
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check;
    use crate::core::diagnostic::codes;

    #[test]
    fn a_repeated_question_points_to_its_first_heading() {
        check(
            codes::REPEATED_QUESTION,
            r#"
# Round one

## BE-23 · What is ACID compliance, and why is it important in databases?
Atomicity.

## BE-40 · What is SQL injection, and how do you prevent it?

## BE-23
Again.

### BE-23 · ACID
"#,
            expect![[r#"
                8:4-8:9 warning[repeated-question] BE-23 is already asked on line 3
                  related 3:1-3:1: first asked here
                11:5-11:10 warning[repeated-question] BE-23 is already asked on line 3
                  related 3:1-3:1: first asked here
            "#]],
        );
    }

    #[test]
    fn inline_mentions_are_not_repeats() {
        check(
            codes::REPEATED_QUESTION,
            r#"
## BE-23 · What is ACID compliance, and why is it important in databases?
Unlike BE-23's cousin, BE-23 is about transactions.
"#,
            expect![[r#"
                (none)
            "#]],
        );
    }
}

//! `unanswered`: a question section whose body holds nothing beyond
//! template scaffolding (worked out with the section, see
//! `question_sections_with`); the hint covers the heading.

use super::Asked;
use crate::core::diagnostic::{Diagnostic, Severity, codes};

pub(super) fn unanswered(asked: &Asked) -> Option<Diagnostic> {
    if asked.answered {
        return None;
    }
    Some(Diagnostic::new(
        asked.heading.range.clone(),
        Severity::Hint,
        codes::UNANSWERED,
        format!("{} is not answered yet", asked.key),
    ))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check;
    use crate::core::diagnostic::codes;

    #[test]
    fn a_question_with_an_empty_body_is_unanswered() {
        check(
            codes::UNANSWERED,
            r#"
## BE-23 · What is ACID compliance, and why is it important in databases?

## BE-40 · What is SQL injection, and how do you prevent it?
Parameterised queries.

## BE-66

# Wrap-up

### BE-78
#### Notes
"#,
            expect![[r#"
                1:1-2:1 hint[unanswered] BE-23 is not answered yet
                6:1-7:1 hint[unanswered] BE-66 is not answered yet
            "#]],
        );
    }

    #[test]
    fn a_body_of_template_scaffolding_is_unanswered() {
        check(
            codes::UNANSWERED,
            r#"
### BE-23 · What is ACID compliance, and why is it important in databases?

**In one sentence:**

**How it works:**
- 

**Example:** 

**Trade-offs:**
-

**Follow-ups:**
- BE-32 · What are transactions in databases, and why are they important?

### BE-40
**In one sentence:** Untrusted input run as SQL.
"#,
            expect![[r#"
                1:1-2:1 hint[unanswered] BE-23 is not answered yet
            "#]],
        );
    }
}

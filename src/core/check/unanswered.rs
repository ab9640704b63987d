//! `unanswered`: a question section whose body holds nothing beyond
//! template scaffolding (worked out with the section, see
//! `question_sections_with`); the hint covers the heading. An interview
//! rubric is not an answer to write: `unscored` tells what it lacks.

use super::Asked;
use crate::core::diagnostic::{Diagnostic, Severity, codes};

pub(super) fn unanswered(asked: &Asked) -> Option<Diagnostic> {
    if asked.answered || asked.rubric {
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

    #[test]
    fn nothing_a_template_inserted_counts_as_an_answer() {
        // BE-21's study template with its follow-ups, as `qbank show
        // --template` prints it; BE-119's after a markdown formatter aligned
        // its table and changed its bullets; BE-22's rubric with its boxes
        // ticked and its generic follow-up.
        check(
            codes::UNANSWERED,
            r#"
### BE-21 · What is SQL, and how does it differ from NoSQL?

| | SQL | NoSQL |
| --- | --- | --- |
| What it is |  |  |
| Strengths |  |  |
| Weaknesses |  |  |
| Use when |  |  |

**Rule of thumb:** 

**Follow-ups:**
- BE-27 · What are some examples of NoSQL databases?

### BE-119 · What are the trade-offs between consistency, availability, and partition tolerance (CAP theorem)?

|            | consistency | availability | partition tolerance |
|:-----------|:-----------:|-------------:|---------------------|
| What it is |             |              |                     |
| Strengths  |             |              |                     |
| Weaknesses |             |              |                     |
| Use when   |             |              |                     |

**Rule of thumb:**

**Follow-ups:**
* BE-39 · What is the concept of "CAP Theorem" in distributed databases?

### BE-22 · What are the different types of database normalization?

**A strong answer covers:**
- [x] Names at least three distinct items
- [X] Says why each one matters
* [ ] Prioritises: which matters most, and when

**Red flags:**
- Items that repeat each other
- No reason given for any item

**Follow-up:** Which one would you drop first under time pressure?

**Score:**
**Notes:**
"#,
            expect![[r#"
                1:1-2:1 hint[unanswered] BE-21 is not answered yet
                15:1-16:1 hint[unanswered] BE-119 is not answered yet
            "#]],
        );
    }

    #[test]
    fn one_filled_cell_or_a_word_after_a_label_is_an_answer() {
        check(
            codes::UNANSWERED,
            r#"
### BE-21 · What is SQL, and how does it differ from NoSQL?

| | SQL | NoSQL |
| --- | --- | --- |
| What it is | Relational, fixed schema |  |

### BE-22 · What are the different types of database normalization?

**Score:** 3
"#,
            expect![[r#"
                (none)
            "#]],
        );
    }
}

//! `question-drift`: a question heading whose words after the key differ
//! from the bank's wording, with a fix that puts the bank's wording back.

use super::Asked;
use crate::core::diagnostic::{Diagnostic, Severity, TextEdit, codes};

pub(super) fn question_drift(asked: &Asked) -> Option<Diagnostic> {
    let (title, title_range) = asked.heading.title.as_ref()?;
    let wording = asked.question.text();
    if title == wording {
        return None;
    }
    let key = &asked.key;
    Some(
        Diagnostic::new(
            title_range.clone(),
            Severity::Information,
            codes::QUESTION_DRIFT,
            format!("heading differs from {key}'s wording in the bank: {wording}"),
        )
        .with_fix(
            format!("Update heading to {key}'s wording"),
            vec![TextEdit {
                range: title_range.clone(),
                new_text: wording.to_string(),
            }],
        ),
    )
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::{check, check_fix};
    use crate::core::diagnostic::codes;

    #[test]
    fn a_heading_worded_otherwise_drifts() {
        check(
            codes::QUESTION_DRIFT,
            r#"
## BE-23 · What is ACID?

## BE-23 · What is ACID compliance, and why is it important in databases?

## BE-40
"#,
            expect![[r#"
                1:12-1:25 information[question-drift] heading differs from BE-23's wording in the bank: What is ACID compliance, and why is it important in databases?
                  fix: Update heading to BE-23's wording
            "#]],
        );
    }

    #[test]
    fn the_fix_takes_the_banks_wording() {
        check_fix(
            codes::QUESTION_DRIFT,
            r#"
## BE-23 · What is $0ACID?
Atomicity.
"#,
            expect![[r#"
                Update heading to BE-23's wording
                ## BE-23 · What is ACID compliance, and why is it important in databases?
                Atomicity.
            "#]],
        );
    }
}

//! The review findings of a question section: `review-marker` (warning)
//! on a marker line that cannot be read, with a fix that deletes it (the
//! answer below stays), and `review-due` (hint) on an answered section due
//! for review on the day the caller names.

use chrono::NaiveDate;

use super::Asked;
use crate::core::diagnostic::{Diagnostic, Severity, TextEdit, codes};
use crate::core::front_matter::line_end;
use crate::core::note::Section;
use crate::core::review::{ReviewState, Standing, section_review};

pub(super) fn review(
    text: &str,
    asked: &Asked,
    section: &Section,
    due_on: Option<NaiveDate>,
) -> Option<Diagnostic> {
    let review = section_review(text, section);
    match (&review.state, review.line) {
        (ReviewState::Broken(problem), Some(line)) => {
            let whole_line = line.start..line_end(text, line.start);
            Some(
                Diagnostic::new(
                    line,
                    Severity::Warning,
                    codes::REVIEW_MARKER,
                    format!(
                        "{problem}; {}'s review schedule is ignored until it is fixed",
                        asked.key
                    ),
                )
                .with_fix(
                    "Delete the unreadable review marker",
                    vec![TextEdit {
                        range: whole_line,
                        new_text: String::new(),
                    }],
                ),
            )
        }
        (state @ ReviewState::Scheduled(_), _) if asked.answered => {
            let Standing::Due { overdue_days } = state.standing(due_on?) else {
                return None;
            };
            let key = &asked.key;
            let message = match overdue_days {
                0 => format!("{key} is due for review today"),
                1 => format!("{key} has been due for review since yesterday"),
                days => format!("{key} has been due for review for {days} days"),
            };
            Some(Diagnostic::new(
                asked.heading.range.clone(),
                Severity::Hint,
                codes::REVIEW_DUE,
                message,
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use expect_test::{Expect, expect};

    use crate::core::check::fixture::render;
    use crate::core::check::{CheckCaches, CheckSettings, Siblings, check_note_with};
    use crate::core::diagnostic::codes;
    use crate::core::ide::fixture::{no_overrides, seed_index};
    use crate::core::note::parse_note;

    const NOTE: &str = "## BE-1 · Due\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->\nAn answer.\n\n## BE-2 · Due today, unanswered\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-30 · s=7 d=5 n=2 -->\n\n## BE-3 · Waiting\n<!-- qbank: reviewed 2026-11-29 easy · due 2026-12-04 · s=15 d=3 n=1 -->\nAn answer.\n\n## BE-4 · Broken\n<!-- qbank: reviewed 2026-11-29 easy · due 2026-12-04 · s=15 d=3\nAn answer.\n";

    fn check(due_on: Option<&str>, expected: Expect) {
        let index = seed_index();
        let note = parse_note(NOTE);
        let settings = CheckSettings {
            overrides: no_overrides(),
            coverage: false,
            due_on: due_on.map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()),
        };
        let diagnostics = check_note_with(
            &index,
            NOTE,
            &note,
            Siblings::NONE,
            settings,
            &mut CheckCaches::default(),
        );
        let review = diagnostics.iter().filter(|diagnostic| {
            [codes::REVIEW_DUE, codes::REVIEW_MARKER].contains(&diagnostic.code)
        });
        expected.assert_eq(&render(NOTE, review));
    }

    #[test]
    fn due_answers_get_a_hint_and_a_broken_marker_a_warning() {
        check(
            Some("2026-11-30"),
            expect![[r#"
            1:1-2:1 hint[review-due] BE-1 has been due for review for 3 days
            13:1-13:65 warning[review-marker] the review marker does not end with `-->` on its line, so it hides what follows it; BE-4's review schedule is ignored until it is fixed
              fix: Delete the unreadable review marker
        "#]],
        );
    }

    #[test]
    fn without_a_day_there_are_no_hints() {
        check(
            None,
            expect![[r#"
            13:1-13:65 warning[review-marker] the review marker does not end with `-->` on its line, so it hides what follows it; BE-4's review schedule is ignored until it is fixed
              fix: Delete the unreadable review marker
        "#]],
        );
    }
}

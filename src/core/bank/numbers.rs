//! Question numbers: the key a question gets from the number on its list
//! item, and the diagnostics when two questions would share one.
//!
//! The number a reader sees is the question's number. In an ordinary list
//! (`21. 22. 23.`) the number written on each item is the number markdown
//! renders, so both readers agree. Two styles make them differ:
//!
//! - Every item written with the first item's number (`1. 1. 1.`, "let
//!   markdown number it"): the written numbers say nothing, so the list is
//!   numbered as markdown renders it (1, 2, 3), with no diagnostic.
//! - Any other list whose written numbers differ from the rendered ones
//!   (`1. 2. 2. 3.`, a typo; `1. 2. 5.`, questions deleted): each item keeps
//!   the number its author wrote, so no key moves because of another item.
//!   A number written twice (in this list or anywhere earlier in the bank)
//!   is `bank-duplicate-number` at the later item, which gets no key (it is
//!   not loaded) until it is given a number of its own.

use std::collections::HashMap;
use std::ops::Range;

use crate::core::bank::{Bank, Question};
use crate::core::diagnostic::{Diagnostic, Severity, codes};

/// Renumbers a finished list's questions, given the numbers written on its
/// items: as written, unless every item repeats the first one's number
/// (then as rendered, which is how they were numbered while read).
pub(super) fn number_list(questions: &mut [Question], written: &[u32]) {
    let lets_markdown_number = written
        .iter()
        .all(|&number| Some(&number) == written.first());
    if lets_markdown_number {
        return;
    }
    for (question, &number) in questions.iter_mut().zip(written) {
        question.number = number;
    }
}

/// The number written on a list item that starts at `item_start`: the
/// digits of its marker (CommonMark allows at most nine).
pub(super) fn written_number(text: &str, item_start: usize) -> Option<u32> {
    let marker = text.get(item_start..)?.trim_start_matches([' ', '\t']);
    let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    marker[..digits].parse().ok()
}

/// Drops empty and twice-numbered questions, each with a diagnostic.
pub(super) fn keep_valid_questions(bank: &mut Bank, mut questions: Vec<Question>, text: &str) {
    // Numbers usually ascend, and then none repeats: the map of first
    // places is only built once a number fails to ascend.
    let mut first_with_number: Option<HashMap<u32, Range<usize>>> = None;
    let mut highest: Option<u32> = None;
    let mut keep = vec![false; questions.len()];
    for (position, question) in questions.iter().enumerate() {
        if question.wording.get(text).is_empty() {
            bank.diagnostics.push(Diagnostic::new(
                question.line_range(),
                Severity::Error,
                codes::BANK_EMPTY_QUESTION,
                format!("{}-{} has no text", bank.prefix, question.number),
            ));
            continue;
        }
        if highest.is_some_and(|highest| question.number <= highest) {
            let firsts = first_with_number.get_or_insert_with(|| {
                questions[..position]
                    .iter()
                    .zip(&keep)
                    .filter(|(_, kept)| **kept)
                    .map(|(question, _)| (question.number, question.line_range()))
                    .collect()
            });
            if let Some(first) = firsts.get(&question.number) {
                bank.diagnostics
                    .push(duplicate_number(bank, question, first, text));
                continue;
            }
        }
        if question.category.is_none() {
            bank.diagnostics.push(Diagnostic::new(
                question.line_range(),
                Severity::Warning,
                codes::BANK_OUTSIDE_CATEGORY,
                format!(
                    "{}-{} stands outside any `##` category",
                    bank.prefix, question.number
                ),
            ));
        }
        if let Some(firsts) = &mut first_with_number {
            firsts.insert(question.number, question.line_range());
        }
        highest = Some(highest.map_or(question.number, |highest| highest.max(question.number)));
        keep[position] = true;
    }
    let mut verdicts = keep.into_iter();
    questions.retain(|_| verdicts.next().unwrap_or(false));
    bank.questions = questions;
}

fn duplicate_number(
    bank: &Bank,
    question: &Question,
    first: &Range<usize>,
    text: &str,
) -> Diagnostic {
    let first_line = 1 + text[..first.start].matches('\n').count();
    Diagnostic::new(
        question.line_range(),
        Severity::Error,
        codes::BANK_DUPLICATE_NUMBER,
        format!(
            "{}-{} is numbered twice (first on line {first_line}); this one is not loaded",
            bank.prefix, question.number
        ),
    )
    .with_related(None, first.clone(), "first question with this number")
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::bank::tests::check;

    #[test]
    fn ordinary_lists_are_numbered_as_markdown_renders_them() {
        check(
            "## A\n21. Twenty-one?\n22. Twenty-two?\n23. Twenty-three?\n## B\n24. Twenty-four?\n",
            expect![[r#"
                prefix TEST title None
                TEST-21 [A] Twenty-one? | "21. Twenty-one?"
                TEST-22 [A] Twenty-two? | "22. Twenty-two?"
                TEST-23 [A] Twenty-three? | "23. Twenty-three?"
                TEST-24 [B] Twenty-four? | "24. Twenty-four?"
            "#]],
        );
    }

    #[test]
    fn a_number_typed_twice_is_reported_and_moves_no_other_key() {
        check(
            "## A\n1. One?\n2. Two?\n2. Typed two again?\n3. Three?\n   - see: TEST-3\n4. Four?\n",
            expect![[r#"
                prefix TEST title None
                TEST-1 [A] One? | "1. One?"
                TEST-2 [A] Two? | "2. Two?"
                TEST-3 [A] Three? | "3. Three?" see=TEST-3@"TEST-3"
                TEST-4 [A] Four? | "4. Four?"
                line 4: error[bank-duplicate-number] TEST-2 is numbered twice (first on line 3); this one is not loaded
            "#]],
        );
    }

    #[test]
    fn lists_written_with_one_number_are_numbered_by_markdown_without_diagnostics() {
        check(
            "## A\n1. One?\n1. Two?\n1. Three?\n## B\n4. Four?\n4. Five?\n",
            expect![[r#"
                prefix TEST title None
                TEST-1 [A] One? | "1. One?"
                TEST-2 [A] Two? | "1. Two?"
                TEST-3 [A] Three? | "1. Three?"
                TEST-4 [B] Four? | "4. Four?"
                TEST-5 [B] Five? | "4. Five?"
            "#]],
        );
    }

    #[test]
    fn written_numbers_hold_across_gaps_and_lists() {
        // Questions 3 and 4 deleted: 5 keeps its key. A later list that
        // repeats a number of an earlier one is reported there.
        check(
            "## A\n1. One?\n2. Two?\n5. Five?\n## B\n   2. Two again?\n6. Six?\n",
            expect![[r#"
                prefix TEST title None
                TEST-1 [A] One? | "1. One?"
                TEST-2 [A] Two? | "2. Two?"
                TEST-5 [A] Five? | "5. Five?"
                TEST-6 [B] Six? | "6. Six?"
                line 6: error[bank-duplicate-number] TEST-2 is numbered twice (first on line 3); this one is not loaded
            "#]],
        );
    }
}

//! `unknown-question`: a key whose prefix names a bank but whose number
//! names no question, and a question heading (`### XX-5 · …`) whose prefix
//! names no bank, with "did you mean" fixes: for a key starting a heading,
//! the question the heading's words match best, then the keys one digit
//! away. The lookups keep a long note of unknown keys linear.
//!
//! An unknown prefix counts only in the heading form qbank writes, key then
//! `·`: in prose, `UTF-8` or `ISO-9001` is not a question.

use rustc_hash::FxHashMap;

use crate::core::diagnostic::{Diagnostic, Severity, TextEdit, codes};
use crate::core::index::{Index, QuestionId};
use crate::core::key::{Key, KeyMatch};
use crate::core::note::{Heading, Note};
use crate::core::text::{is_frame_word, words};

/// An `unknown-question` diagnostic for each key whose prefix names a bank
/// but whose number names no question.
pub(super) fn unknown_keys(index: &Index, note: &Note) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Lookups that keep a long note linear: the heading a key starts (by
    // the key's start, built at the first unknown key), and each key's "did
    // you mean" numbers.
    let mut keyed_headings: Option<FxHashMap<usize, &Heading>> = None;
    let mut nearby_keys: FxHashMap<&Key, Vec<QuestionId>> = FxHashMap::default();
    let mut highest_of: FxHashMap<&str, u32> = FxHashMap::default();
    for found in &note.keys {
        if !index.has_prefix(&found.key.prefix) || index.lookup(&found.key).is_some() {
            continue;
        }
        let keyed_headings = keyed_headings.get_or_insert_with(|| {
            note.headings
                .iter()
                .filter_map(|heading| Some((heading.key.as_ref()?.range.start, heading)))
                .collect()
        });
        let heading = keyed_headings.get(&found.range.start).filter(|heading| {
            heading
                .key
                .as_ref()
                .is_some_and(|key| key.range == found.range)
        });
        let nearby = nearby_keys.entry(&found.key).or_insert_with(|| {
            let highest = *highest_of
                .entry(&found.key.prefix)
                .or_insert_with(|| highest_number(index, &found.key.prefix));
            keys_one_digit_away_below(index, &found.key, highest)
        });
        let problem = format!("unknown question {}", found.key);
        diagnostics.push(unknown_question(
            index,
            heading.copied(),
            nearby,
            found,
            problem,
        ));
    }
    diagnostics
}

/// An `unknown-question` diagnostic for each question heading (key, then
/// `·`) whose prefix names no bank in use.
pub(super) fn unknown_prefix_headings(index: &Index, note: &Note) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for heading in &note.headings {
        let Some(found) = &heading.key else { continue };
        let after_key = heading
            .text
            .get(found.key.to_string().len()..)
            .unwrap_or("");
        if index.has_prefix(&found.key.prefix) || !after_key.trim_start().starts_with('·') {
            continue;
        }
        let problem = format!(
            "unknown question {}: no bank in use has the prefix {} (prefixes: {})",
            found.key,
            found.key.prefix,
            prefixes_in_use(index)
        );
        diagnostics.push(unknown_question(index, Some(heading), &[], found, problem));
    }
    diagnostics
}

/// The prefixes of the banks in use, in load order: `BE, SRE`.
fn prefixes_in_use(index: &Index) -> String {
    let prefixes: Vec<&str> = index
        .banks()
        .iter()
        .map(|bank| bank.prefix.as_str())
        .collect();
    if prefixes.is_empty() {
        "none".to_string()
    } else {
        prefixes.join(", ")
    }
}

fn unknown_question(
    index: &Index,
    heading: Option<&Heading>,
    nearby: &[QuestionId],
    found: &KeyMatch,
    problem: String,
) -> Diagnostic {
    let suggestions = suggestions_for(index, heading, nearby);
    let mut message = problem;
    if let Some(&first) = suggestions.first() {
        let question = index.get(first);
        message.push_str(&format!(
            "; did you mean {}? ({})",
            question.key(),
            question.text()
        ));
    }
    let mut diagnostic = Diagnostic::new(
        found.range.clone(),
        Severity::Error,
        codes::UNKNOWN_QUESTION,
        message,
    );
    for id in suggestions {
        let key = index.get(id).key().to_string();
        diagnostic = diagnostic.with_fix(
            format!("Change to {key}"),
            vec![TextEdit {
                range: found.range.clone(),
                new_text: key,
            }],
        );
    }
    diagnostic
}

/// Up to three questions an unknown key may have meant: for a key that
/// starts a heading, the best match for the heading's words; then the
/// keys one digit away (`nearby`).
fn suggestions_for(
    index: &Index,
    heading: Option<&Heading>,
    nearby: &[QuestionId],
) -> Vec<QuestionId> {
    let mut suggestions = Vec::new();
    let heading_title = heading.and_then(|heading| heading.title.as_ref());
    // A title of one or two frame words ("What?") says too little to search by.
    let says_enough = |title: &str| words(title).filter(|word| !is_frame_word(word)).count() >= 2;
    if let Some((title, _)) = heading_title.filter(|(title, _)| says_enough(title)) {
        suggestions.extend(index.search(title, 1).into_iter().map(|hit| hit.question));
    }
    for &id in nearby {
        if suggestions.len() < 3 && !suggestions.contains(&id) {
            suggestions.push(id);
        }
    }
    suggestions
}

/// Questions whose key is one digit away from `key`, nearest number first:
/// the "did you mean" for a mistyped key.
pub fn keys_one_digit_away(index: &Index, key: &Key) -> Vec<QuestionId> {
    keys_one_digit_away_below(index, key, highest_number(index, &key.prefix))
}

/// The highest question number of the bank with this prefix (0 for none).
fn highest_number(index: &Index, prefix: &str) -> u32 {
    index.bank_with_prefix(prefix).map_or(0, |bank| {
        let questions = &index.banks()[bank].questions;
        questions
            .iter()
            .map(|question| question.number)
            .max()
            .unwrap_or(0)
    })
}

/// `keys_one_digit_away`, knowing the highest number there is: numbers
/// above it are never looked up.
fn keys_one_digit_away_below(index: &Index, key: &Key, highest: u32) -> Vec<QuestionId> {
    numbers_one_digit_away(key.number, highest)
        .into_iter()
        .filter_map(|number| index.lookup(&Key::new(&key.prefix, number)))
        .collect()
}

/// Numbers up to `highest` reached by deleting, replacing or inserting one
/// digit: deletions first (an extra keystroke is the likeliest typo),
/// nearest first in each. Digits are handled as numbers, not strings, and
/// a group whose numbers all have more digits than `highest` is skipped,
/// so a long note of unknown keys stays cheap.
fn numbers_one_digit_away(number: u32, highest: u32) -> Vec<u32> {
    let digits: Vec<u8> = number.to_string().bytes().map(|byte| byte - b'0').collect();
    let length = digits.len();
    let highest_length = highest.to_string().len();
    // The number the digits make, if it has no leading zero and is in range.
    let value = |candidate: &mut dyn Iterator<Item = u8>| -> Option<u32> {
        let first = candidate.next()?;
        if first == 0 {
            return None;
        }
        let mut total = u64::from(first);
        for digit in candidate {
            total = total * 10 + u64::from(digit);
            if total > u64::from(highest) {
                return None;
            }
        }
        (total <= u64::from(highest)).then_some(total as u32)
    };
    let mut groups: [Vec<u32>; 3] = Default::default();
    if length > 1 && length - 1 <= highest_length {
        groups[0] = (0..length)
            .filter_map(|position| {
                value(
                    &mut digits[..position]
                        .iter()
                        .chain(&digits[position + 1..])
                        .copied(),
                )
            })
            .collect();
    }
    if length <= highest_length {
        groups[1] = (0..length)
            .flat_map(|position| (0..=9u8).map(move |digit| (position, digit)))
            .filter_map(|(position, digit)| {
                let mut candidate = digits[..position]
                    .iter()
                    .copied()
                    .chain([digit])
                    .chain(digits[position + 1..].iter().copied());
                value(&mut candidate)
            })
            .collect();
    }
    if length < highest_length {
        groups[2] = (0..=length)
            .flat_map(|position| (0..=9u8).map(move |digit| (position, digit)))
            .filter_map(|(position, digit)| {
                let mut candidate = digits[..position]
                    .iter()
                    .copied()
                    .chain([digit])
                    .chain(digits[position..].iter().copied());
                value(&mut candidate)
            })
            .collect();
    }
    let mut candidates: Vec<u32> = Vec::new();
    for group in groups {
        let mut numbers: Vec<u32> = group
            .into_iter()
            .filter(|candidate| *candidate != number && !candidates.contains(candidate))
            .collect();
        numbers.sort_by_key(|candidate| candidate.abs_diff(number));
        numbers.dedup();
        candidates.extend(numbers);
    }
    candidates
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::core::check::fixture::{check, check_fix};

    /// The straightforward string version the arithmetic one replaced.
    fn numbers_by_strings(number: u32) -> Vec<u32> {
        let digits = number.to_string();
        let at = |position: usize| (&digits[..position], &digits[position..]);
        let deletions: Vec<String> = (0..digits.len())
            .map(|position| format!("{}{}", &digits[..position], &digits[position + 1..]))
            .collect();
        let replacements: Vec<String> = (0..digits.len())
            .flat_map(|position| ('0'..='9').map(move |digit| (position, digit)))
            .map(|(position, digit)| {
                format!("{}{digit}{}", &digits[..position], &digits[position + 1..])
            })
            .collect();
        let insertions: Vec<String> = (0..=digits.len())
            .flat_map(|position| ('0'..='9').map(move |digit| (position, digit)))
            .map(|(position, digit)| format!("{}{digit}{}", at(position).0, at(position).1))
            .collect();
        let mut candidates: Vec<u32> = Vec::new();
        for group in [deletions, replacements, insertions] {
            let mut numbers: Vec<u32> = group
                .iter()
                .filter(|text| !text.starts_with('0'))
                .filter_map(|text| text.parse().ok())
                .filter(|candidate| *candidate != number && !candidates.contains(candidate))
                .collect();
            numbers.sort_by_key(|candidate| candidate.abs_diff(number));
            numbers.dedup();
            candidates.extend(numbers);
        }
        candidates
    }

    #[test]
    fn one_digit_away_by_arithmetic_matches_the_string_version() {
        let distinct = |numbers: Vec<u32>| {
            let mut seen = Vec::new();
            for number in numbers {
                if !seen.contains(&number) {
                    seen.push(number);
                }
            }
            seen
        };
        let numbers = (0..1200).chain([9999, 10000, 123_456, 4_294_967_295, 999_999_999]);
        for number in numbers {
            for highest in [0, 9, 10, 99, 400, 1000, 99_999, u32::MAX] {
                let expected: Vec<u32> = numbers_by_strings(number)
                    .into_iter()
                    .filter(|candidate| *candidate <= highest)
                    .collect();
                assert_eq!(
                    distinct(numbers_one_digit_away(number, highest)),
                    distinct(expected),
                    "{number} up to {highest}"
                );
            }
        }
    }

    #[test]
    fn unknown_keys_get_did_you_mean() {
        check(
            codes::UNKNOWN_QUESTION,
            r#"
Compare BE-999 with BE-23 and XY-1.
`BE-500` in code is fine.
"#,
            expect![[r#"
                1:9-1:15 error[unknown-question] unknown question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)
                  fix: Change to BE-99
            "#]],
        );
    }

    #[test]
    fn a_heading_suggests_the_question_its_words_match_first() {
        check(
            codes::UNKNOWN_QUESTION,
            r#"
## BE-999 · How do you prevent SQL injection?

## BE-998 · What?
See BE-1000 and BE-999.
"#,
            expect![[r#"
                1:4-1:10 error[unknown-question] unknown question BE-999; did you mean BE-40? (What is SQL injection, and how do you prevent it?)
                  fix: Change to BE-40
                  fix: Change to BE-99
                3:4-3:10 error[unknown-question] unknown question BE-998; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)
                  fix: Change to BE-99
                  fix: Change to BE-98
                4:5-4:12 error[unknown-question] unknown question BE-1000; did you mean BE-100? (What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?)
                  fix: Change to BE-100
                4:17-4:23 error[unknown-question] unknown question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)
                  fix: Change to BE-99
            "#]],
        );
    }

    #[test]
    fn did_you_mean_fixes_change_the_key() {
        check_fix(
            codes::UNKNOWN_QUESTION,
            r#"
## BE-9$099 · How do you prevent SQL injection?
"#,
            expect![[r#"
                Change to BE-40
                ## BE-40 · How do you prevent SQL injection?
                Change to BE-99
                ## BE-99 · How do you prevent SQL injection?
            "#]],
        );
    }

    #[test]
    fn keys_of_another_bank_are_checked_against_it() {
        check(
            codes::UNKNOWN_QUESTION,
            r#"
//- note.md
OPS-1 and OPS-3, then OPS-12.
//- questions/ops.md
---
prefix: OPS
---
## Operations
1. How do you roll back a deployment?
2. What is a runbook?
"#,
            expect![[r#"
                1:11-1:16 error[unknown-question] unknown question OPS-3; did you mean OPS-2? (What is a runbook?)
                  fix: Change to OPS-2
                  fix: Change to OPS-1
                1:23-1:29 error[unknown-question] unknown question OPS-12; did you mean OPS-2? (What is a runbook?)
                  fix: Change to OPS-2
                  fix: Change to OPS-1
            "#]],
        );
    }

    #[test]
    fn a_question_heading_with_an_unknown_prefix_is_reported_but_prose_is_not() {
        check(
            codes::UNKNOWN_QUESTION,
            r#"
### XX-5 · What is a content delivery network, and how does it help?

### XX-6

## UTF-8 encodings, a plain heading

UTF-8 and ISO-9001 in prose name no question.
"#,
            expect![[r#"
                1:5-1:9 error[unknown-question] unknown question XX-5: no bank in use has the prefix XX (prefixes: BE); did you mean BE-78? (What is a Content Delivery Network (CDN), and how does it reduce latency?)
                  fix: Change to BE-78
            "#]],
        );
    }

    #[test]
    fn an_unknown_prefix_heading_is_fixed_to_the_question_its_words_match() {
        check_fix(
            codes::UNKNOWN_QUESTION,
            "### XX-$05 · What is a Content Delivery Network (CDN), and how does it reduce latency?\n",
            expect![[r#"
                Change to BE-78
                ### BE-78 · What is a Content Delivery Network (CDN), and how does it reduce latency?
            "#]],
        );
    }
}

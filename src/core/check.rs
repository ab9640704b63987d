//! Note analysis: the diagnostics of a note that need no editor
//! (unknown-question with "did you mean", repeated-question, near-duplicate,
//! question-drift, asked-before, unanswered), and which of its questions are
//! answered. Both `qbank check` and the language server call these.

use rustc_hash::FxHashMap;

use crate::core::diagnostic::{Diagnostic, Severity, TextEdit, codes};
use crate::core::index::{Index, QuestionId};
use crate::core::key::{Key, KeyMatch};
use crate::core::line_index::LineCounter;
use crate::core::note::{Heading, Note, Section, is_answered};
use crate::core::template::{
    Overrides, Scaffolding, ScaffoldingCache, TemplateContext, scaffolding_lines,
};
use crate::core::text::{is_frame_word, words};

/// The questions another note of the same folder asks, for `asked-before`.
#[derive(Debug, Clone)]
pub struct SiblingNote {
    pub name: String,
    pub keys: Vec<Key>,
}

/// One question section of a note, resolved against the index.
#[derive(Debug, Clone)]
pub struct QuestionSection {
    pub id: QuestionId,
    pub section: Section,
    pub answered: bool,
}

/// The note's question sections whose key names a question, with whether
/// each is answered. Scaffolding is worked out once per question.
pub fn question_sections(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
) -> Vec<QuestionSection> {
    question_sections_with(
        index,
        text,
        note,
        overrides,
        &mut ScaffoldingCache::default(),
    )
}

/// `question_sections`, with scaffolding from `cache` (which must belong to
/// this index and these overrides).
pub fn question_sections_with(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
) -> Vec<QuestionSection> {
    sections_by_id(index, note)
        .map(|(id, section)| {
            let lines = cache.get(index, overrides, id);
            let answered = is_answered(text, &section, lines);
            QuestionSection {
                id,
                section,
                answered,
            }
        })
        .collect()
}

fn sections_by_id<'n>(
    index: &'n Index,
    note: &'n Note,
) -> impl Iterator<Item = (QuestionId, Section)> + 'n {
    note.question_sections()
        .into_iter()
        .filter_map(move |section| {
            let key = &note.headings[section.heading].key.as_ref()?.key;
            Some((index.lookup(key)?, section))
        })
}

/// The lines a template puts under a question's heading. Related questions
/// are left out of the rendering (lines naming them count as scaffolding
/// anyway), so this needs no similarity analysis.
fn question_scaffolding(index: &Index, id: QuestionId, overrides: &Overrides) -> Scaffolding {
    scaffolding_lines(&TemplateContext::without_related(index, id), overrides)
}

/// Whether a note answers each of its questions, worked out on demand: a
/// request that asks about a few questions of a long note pays for those.
pub struct AnsweredInNote<'a> {
    index: &'a Index,
    text: &'a str,
    overrides: &'a Overrides,
    sections: FxHashMap<QuestionId, Vec<Section>>,
}

impl<'a> AnsweredInNote<'a> {
    pub fn new(index: &'a Index, text: &'a str, note: &Note, overrides: &'a Overrides) -> Self {
        let mut sections: FxHashMap<QuestionId, Vec<Section>> = FxHashMap::default();
        for (id, section) in sections_by_id(index, note) {
            sections.entry(id).or_default().push(section);
        }
        AnsweredInNote {
            index,
            text,
            overrides,
            sections,
        }
    }

    /// `None` when the note holds no section for the question; else whether
    /// any of its sections for it is answered.
    pub fn get(&self, id: QuestionId) -> Option<bool> {
        let sections = self.sections.get(&id)?;
        let lines = question_scaffolding(self.index, id, self.overrides);
        Some(
            sections
                .iter()
                .any(|section| is_answered(self.text, section, &lines)),
        )
    }
}

/// Every diagnostic of a note, in source order.
pub fn check_note(
    index: &Index,
    text: &str,
    note: &Note,
    siblings: &[SiblingNote],
    overrides: &Overrides,
) -> Vec<Diagnostic> {
    let mut cache = ScaffoldingCache::default();
    check_note_with(index, text, note, siblings, overrides, &mut cache)
}

/// `check_note`, with scaffolding from `cache` (which must belong to this
/// index and these overrides): a note checked again and again reuses it.
pub fn check_note_with(
    index: &Index,
    text: &str,
    note: &Note,
    siblings: &[SiblingNote],
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
) -> Vec<Diagnostic> {
    // Lines are counted only for the first section of each question (the
    // ones messages point back to), in order: a long note is not indexed.
    let mut lines = LineCounter::new(text);
    // Unknown keys and the sections' answers do not depend on each other:
    // in a long note, they are worked out at once.
    let (mut diagnostics, sections) = if note.keys.len() >= PARALLEL_KEYS {
        std::thread::scope(|scope| {
            let unknown = scope.spawn(|| unknown_keys(index, note));
            let sections = question_sections_with(index, text, note, overrides, cache);
            let unknown = unknown
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (unknown, sections)
        })
    } else {
        (
            unknown_keys(index, note),
            question_sections_with(index, text, note, overrides, cache),
        )
    };
    // Each question's first heading: its offset and 1-based line.
    let mut first_heading_of: FxHashMap<QuestionId, (usize, usize)> = FxHashMap::default();
    // The first section of each question, by position in `sections`.
    let mut first_section_of: FxHashMap<QuestionId, usize> = FxHashMap::default();
    // The first sibling asking each key: one lookup per section, however
    // many siblings there are.
    let mut asked_in: FxHashMap<&Key, &str> = FxHashMap::default();
    for sibling in siblings {
        for key in &sibling.keys {
            asked_in.entry(key).or_insert(&sibling.name);
        }
    }
    for (position, current) in sections.iter().enumerate() {
        let heading = &note.headings[current.section.heading];
        let key_range = heading
            .key
            .as_ref()
            .map_or(heading.range.clone(), |found| found.range.clone());
        let question = index.get(current.id);
        let key = question.key();
        let repeated = first_heading_of.get(&current.id).copied();
        if let Some((first, first_line)) = repeated {
            diagnostics.push(
                Diagnostic::new(
                    key_range.clone(),
                    Severity::Warning,
                    codes::REPEATED_QUESTION,
                    format!("{key} is already asked on line {first_line}"),
                )
                .with_related(None, first..first, "first asked here"),
            );
        } else {
            let line = lines.line_of(heading.range.start) + 1;
            first_heading_of.insert(current.id, (heading.range.start, line));
        }
        // The earliest section asking a near-duplicate (twins are mutual).
        let twin = index
            .near_duplicates(current.id)
            .iter()
            .filter_map(|other| first_section_of.get(other).copied())
            .min()
            .map(|earliest| &sections[earliest]);
        first_section_of.entry(current.id).or_insert(position);
        if let Some(twin) = twin.filter(|_| repeated.is_none()) {
            let twin_heading = &note.headings[twin.section.heading];
            let twin_question = index.get(twin.id);
            diagnostics.push(
                Diagnostic::new(
                    key_range.clone(),
                    Severity::Information,
                    codes::NEAR_DUPLICATE,
                    format!(
                        "{key} asks the same as {} (line {}): {}",
                        twin_question.key(),
                        first_heading_of.get(&twin.id).map_or(0, |&(_, line)| line),
                        twin_question.text()
                    ),
                )
                .with_related(
                    None,
                    twin_heading.range.clone(),
                    format!("{} · {}", twin_question.key(), twin_question.text()),
                ),
            );
        }
        if let Some((title, title_range)) = &heading.title {
            if title != question.text() {
                diagnostics.push(
                    Diagnostic::new(
                        title_range.clone(),
                        Severity::Information,
                        codes::QUESTION_DRIFT,
                        format!(
                            "heading differs from {key}'s wording in the bank: {}",
                            question.text()
                        ),
                    )
                    .with_fix(
                        format!("Update heading to {key}'s wording"),
                        vec![TextEdit {
                            range: title_range.clone(),
                            new_text: question.text().to_string(),
                        }],
                    ),
                );
            }
        }
        if let Some(sibling) = asked_in.get(&key) {
            diagnostics.push(Diagnostic::new(
                key_range.clone(),
                Severity::Information,
                codes::ASKED_BEFORE,
                format!("{key} was already asked in {sibling}"),
            ));
        }
        if !current.answered {
            diagnostics.push(Diagnostic::new(
                heading.range.clone(),
                Severity::Hint,
                codes::UNANSWERED,
                format!("{key} is not answered yet"),
            ));
        }
    }
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.severity));
    diagnostics
}

/// Below this many keys, a note's check runs on one thread.
const PARALLEL_KEYS: usize = 2_000;

/// An `unknown-question` diagnostic for each key whose prefix names a bank
/// but whose number names no question.
fn unknown_keys(index: &Index, note: &Note) -> Vec<Diagnostic> {
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
        diagnostics.push(unknown_question(index, heading.copied(), nearby, found));
    }
    diagnostics
}

fn unknown_question(
    index: &Index,
    heading: Option<&Heading>,
    nearby: &[QuestionId],
    found: &KeyMatch,
) -> Diagnostic {
    let suggestions = suggestions_for(index, heading, nearby);
    let mut message = format!("unknown question {}", found.key);
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
    use super::*;
    use crate::core::builtin::builtin_bank;
    use crate::core::line_index::{ColumnUnit, LineIndex};
    use crate::core::note::parse_note;
    use expect_test::{Expect, expect};

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

    fn check(text: &str, siblings: &[SiblingNote], expected: Expect) {
        let index = Index::new(Some(builtin_bank()), Vec::new());
        let note = parse_note(text);
        let lines = LineIndex::new(text);
        let mut rendered = String::new();
        for diagnostic in check_note(&index, text, &note, siblings, &Overrides::default()) {
            let start = lines.line_col(text, diagnostic.range.start, ColumnUnit::Char);
            rendered.push_str(&format!(
                "{}:{} {}[{}] {}\n",
                start.line + 1,
                start.character + 1,
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message
            ));
            for fix in &diagnostic.fixes {
                rendered.push_str(&format!("  fix: {}\n", fix.title));
            }
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn unknown_keys_get_did_you_mean() {
        check(
            "Compare BE-999 with BE-23 and XY-1.\n`BE-500` in code is fine.\n",
            &[],
            expect![[r#"
            1:9 error[unknown-question] unknown question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)
              fix: Change to BE-99
        "#]],
        );
    }

    #[test]
    fn repeated_near_duplicate_drift_and_unanswered() {
        check(
            "## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?\nA CDN caches content near users.\n\n## BE-78 · What is a CDN?\nEdge servers.\n\n## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?\n\n## BE-999 · How do you prevent SQL injection?\n",
            &[],
            expect![[r#"
                4:4 information[near-duplicate] BE-78 asks the same as BE-66 (line 1): What is CDN (Content Delivery Network), and how does it improve performance?
                4:12 information[question-drift] heading differs from BE-78's wording in the bank: What is a Content Delivery Network (CDN), and how does it reduce latency?
                  fix: Update heading to BE-78's wording
                7:1 hint[unanswered] BE-66 is not answered yet
                7:4 warning[repeated-question] BE-66 is already asked on line 1
                9:4 error[unknown-question] unknown question BE-999; did you mean BE-40? (What is SQL injection, and how do you prevent it?)
                  fix: Change to BE-40
                  fix: Change to BE-99
            "#]],
        );
    }

    #[test]
    fn asked_before_in_a_sibling_note() {
        let siblings = [SiblingNote {
            name: "round-1.md".to_string(),
            keys: vec![Key::new("BE", 23)],
        }];
        check(
            "## BE-23 · What is ACID compliance, and why is it important in databases?\nAtomicity and more.\n",
            &siblings,
            expect![[r#"
            1:4 information[asked-before] BE-23 was already asked in round-1.md
        "#]],
        );
    }
}

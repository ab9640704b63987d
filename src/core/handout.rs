//! The handout: the copy of a note a candidate may see. One line per
//! distinct known question, in the note's order, and nothing else of the
//! note: no answer, rubric, score, ticked box or interviewer's note. Each
//! line is the wording the heading gives when it reads as the question
//! (see `candidate_wording`), else the bank's. A question asked again, a
//! near-duplicate of one already listed, and a heading whose key names no
//! question are left out, each with the reason, so the command line can
//! say what it dropped.

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::core::index::{Index, QuestionId};
use crate::core::key::Key;
use crate::core::note::Note;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoutQuestion {
    pub id: QuestionId,
    /// The heading's words after the key when they read as the question,
    /// else the bank's wording.
    pub wording: String,
}

/// Why a question heading is not on the handout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    /// No bank in use holds this key.
    Unknown,
    /// The same question is listed already.
    Repeat,
    /// This question asks the same as one listed already.
    NearDuplicate(Key),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omission {
    pub key: Key,
    /// The heading's range in the note.
    pub heading: Range<usize>,
    pub reason: LeftOut,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handout {
    pub questions: Vec<HandoutQuestion>,
    pub left_out: Vec<Omission>,
}

/// The note's question headings as a handout.
pub fn handout(index: &Index, note: &Note) -> Handout {
    let mut handout = Handout::default();
    let mut listed: FxHashSet<QuestionId> = FxHashSet::default();
    for heading in &note.headings {
        let Some(found) = &heading.key else { continue };
        let omission = |reason| Omission {
            key: found.key,
            heading: heading.range.clone(),
            reason,
        };
        let Some(id) = index.lookup(&found.key) else {
            handout.left_out.push(omission(LeftOut::Unknown));
            continue;
        };
        if listed.contains(&id) {
            handout.left_out.push(omission(LeftOut::Repeat));
            continue;
        }
        let twin = index
            .near_duplicates(id)
            .iter()
            .find(|twin| listed.contains(twin));
        if let Some(&twin) = twin {
            let twin_key = index.get(twin).key();
            handout
                .left_out
                .push(omission(LeftOut::NearDuplicate(twin_key)));
            continue;
        }
        listed.insert(id);
        let title = heading.title.as_ref().map(|(title, _)| title.as_str());
        let wording = candidate_wording(title, index.get(id).text()).to_string();
        handout.questions.push(HandoutQuestion { id, wording });
    }
    handout
}

/// What the candidate reads for a question heading: the heading's words
/// after the key when they read as the question — they end with a
/// question mark and hold no number the bank's wording lacks — else the
/// bank's wording. An interviewer's rewording ("SQL or NoSQL, in your
/// words?") is kept; what an interviewer writes after the question
/// ("ACID — scored 4", "What is ACID? 3/4", "… (strong)") never reaches
/// the candidate.
fn candidate_wording<'a>(title: Option<&'a str>, bank_wording: &'a str) -> &'a str {
    match title {
        Some(title) if reads_as_the_question(title, bank_wording) => title,
        _ => bank_wording,
    }
}

fn reads_as_the_question(title: &str, bank_wording: &str) -> bool {
    let bank_numbers = numbers_in(bank_wording);
    title.trim_end().ends_with('?')
        && numbers_in(title)
            .iter()
            .all(|number| bank_numbers.contains(number))
}

/// The runs of digits in a text: a score, a date, a tally.
fn numbers_in(text: &str) -> Vec<&str> {
    text.split(|character: char| !character.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::builtin::builtin_bank;
    use crate::core::note::parse_note;

    fn check(note: &str, expected: Expect) {
        let index = Index::new(Some(builtin_bank()), Vec::new());
        let handout = handout(&index, &parse_note(note));
        let mut rendered = String::new();
        for question in &handout.questions {
            let key = index.get(question.id).key();
            rendered.push_str(&format!("{key} {}\n", question.wording));
        }
        for omission in &handout.left_out {
            let reason = match &omission.reason {
                LeftOut::Unknown => "unknown".to_string(),
                LeftOut::Repeat => "repeat".to_string(),
                LeftOut::NearDuplicate(twin) => format!("near-duplicate of {twin}"),
            };
            let line = note[..omission.heading.start].matches('\n').count() + 1;
            rendered.push_str(&format!(
                "left out {} (line {line}): {reason}\n",
                omission.key
            ));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn what_follows_the_question_in_a_heading_is_never_shown() {
        check(
            r#"### BE-23 · ACID — scored 4
### BE-40 · What is SQL injection, and how do you prevent it? 3/4
### BE-61 · Caching, why? (4 – strong)
### BE-66 · Round 2: what is a CDN?
### BE-101 · Horizontal or vertical scaling?
### BE-74 · Why HTTP/2 rather than HTTP/1.1?
### BE-59 · How would you add 2FA to a login? 2
"#,
            expect![[r#"
                BE-23 What is ACID compliance, and why is it important in databases?
                BE-40 What is SQL injection, and how do you prevent it?
                BE-61 What is caching, and why is it important for back-end performance?
                BE-66 What is CDN (Content Delivery Network), and how does it improve performance?
                BE-101 Horizontal or vertical scaling?
                BE-74 Why HTTP/2 rather than HTTP/1.1?
                BE-59 How do you implement two-factor authentication (2FA)?
            "#]],
        );
    }

    #[test]
    fn one_line_per_distinct_known_question() {
        check(
            r#"### XX-5 · What is a cache?
### BE-23 · What is ACID compliance, and why is it important in databases?
Answer.
### BE-23 · What is ACID compliance, and why is it important in databases?
### BE-9999 · Unknown
### BE-66
### BE-78 · What is a Content Delivery Network (CDN), and how does it reduce latency?
### BE-21 · SQL or NoSQL, in your words?
"#,
            expect![[r#"
                BE-23 What is ACID compliance, and why is it important in databases?
                BE-66 What is CDN (Content Delivery Network), and how does it improve performance?
                BE-21 SQL or NoSQL, in your words?
                left out XX-5 (line 1): unknown
                left out BE-23 (line 4): repeat
                left out BE-9999 (line 5): unknown
                left out BE-78 (line 7): near-duplicate of BE-66
            "#]],
        );
    }
}

//! The handout: the copy of a note a candidate may see. One line per
//! distinct known question, in the note's order, with the wording its
//! heading gives; a question asked again, a near-duplicate of one already
//! listed, and a heading whose key names no question are left out, each
//! with the reason, so the command line can say what it dropped.

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::core::index::{Index, QuestionId};
use crate::core::key::Key;
use crate::core::note::Note;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoutQuestion {
    pub id: QuestionId,
    /// The heading's words after the key, else the bank's wording.
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
            key: found.key.clone(),
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
        let wording = match &heading.title {
            Some((title, _)) => title.clone(),
            None => index.get(id).text().to_string(),
        };
        handout.questions.push(HandoutQuestion { id, wording });
    }
    handout
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

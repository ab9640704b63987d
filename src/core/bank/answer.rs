//! What a question knows about its answer, read from its fields (PRODUCT
//! §1): `level`, `minutes`, `points` and `red flags` (nested lists, a point
//! with an optional short cue before a colon) and `follow-up`. Every field
//! is optional; one that cannot be read is a `bank-malformed-field`
//! diagnostic at the field and is left out, and the rest still loads.
//!
//! Under a three-digit number, fields nest when indented five spaces and
//! their lists seven (`100. ` is five wide); one-line fields indented four
//! are still read (see `take_unnested_fields`), nested lists are not.

use std::fmt;
use std::ops::Range;

use super::stored::{BankStr, Marker};
use super::{Field, offset};
use crate::core::diagnostic::{Diagnostic, Severity, codes};

/// The level a candidate should answer a question well at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Junior,
    Mid,
    Senior,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Junior, Level::Mid, Level::Senior];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Mid => "mid",
            Level::Senior => "senior",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a strong answer covers: `Atomicity: a transaction applies
/// whole or not at all`. The cue is what an answer is most likely to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub cue: Option<String>,
    pub detail: String,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cue {
            Some(cue) => write!(f, "{cue}: {}", self.detail),
            None => f.write_str(&self.detail),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerKey {
    pub level: Option<Level>,
    /// At most `MOST_MINUTES`.
    pub minutes: Option<u16>,
    // Boxed slices, not vectors: a large bank holds one key per question,
    // most with a level and a follow-up only (88 bytes, not 112).
    pub points: Box<[Point]>,
    pub red_flags: Box<[String]>,
    /// Read through `Bank::follow_up` (it is held as a `BankStr`).
    pub follow_up: Option<FollowUp>,
}

/// A question's `follow-up` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub text: BankStr,
    /// Where the field stands in the bank's text, for the diagnostic of a
    /// follow-up that repeats its question.
    field: Range<u32>,
}

impl FollowUp {
    pub fn field_range(&self) -> Range<usize> {
        self.field.start as usize..self.field.end as usize
    }
}

/// The longest time a question may claim: a whole interview.
const MOST_MINUTES: u16 = 240;

/// A cue is a few words; a longer text before a colon is part of the point.
const MOST_CUE_WORDS: usize = 5;

/// The answer fields among `fields`, or `None` when there are none;
/// problems are pushed to `diagnostics`.
pub(super) fn read_answer(
    fields: &[Field],
    source: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AnswerKey> {
    let mut answer = AnswerKey::default();
    let mut any = false;
    for field in fields {
        let read = match field.name.as_ref() {
            "level" => read_level(field).map(|level| answer.level = Some(level)),
            "minutes" => read_minutes(field).map(|minutes| answer.minutes = Some(minutes)),
            "points" => read_list(field, "points").map(|items| {
                answer.points = items.iter().map(|item| point(item)).collect();
            }),
            "red flags" => {
                read_list(field, "red flags").map(|items| answer.red_flags = items.into())
            }
            "follow-up" => {
                read_follow_up(field, source).map(|follow_up| answer.follow_up = Some(follow_up))
            }
            _ => continue,
        };
        match read {
            Ok(()) => any = true,
            Err(problem) => diagnostics.push(Diagnostic::new(
                field.range.clone(),
                Severity::Warning,
                codes::BANK_MALFORMED_FIELD,
                problem,
            )),
        }
    }
    any.then_some(answer)
}

fn read_level(field: &Field) -> Result<Level, String> {
    Level::parse(&field.value).ok_or_else(|| {
        format!(
            "level `{}` is not junior, mid or senior; left out",
            field.value
        )
    })
}

fn read_minutes(field: &Field) -> Result<u16, String> {
    field
        .value
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|minutes| (1..=MOST_MINUTES).contains(minutes))
        .ok_or_else(|| {
            format!(
                "minutes `{}` is not a whole number from 1 to {MOST_MINUTES}; left out",
                field.value
            )
        })
}

/// A nested list, one entry per item; a value on the field's own line with
/// no list under it is one entry.
fn read_list(field: &Field, name: &str) -> Result<Vec<String>, String> {
    let mut items: Vec<String> = field
        .items
        .iter()
        .map(|item| item.text.clone())
        .filter(|text| !text.is_empty())
        .collect();
    if items.is_empty() && !field.value.is_empty() {
        items.push(field.value.clone());
    }
    if items.is_empty() {
        return Err(format!(
            "{name} has no items: write one per line in a list nested under it"
        ));
    }
    Ok(items)
}

fn read_follow_up(field: &Field, source: &str) -> Result<FollowUp, String> {
    if field.value.is_empty() {
        return Err("follow-up is empty: write the question on its line".to_string());
    }
    let at = BankStr::after_marker(source, field.range.start, Marker::Field);
    Ok(FollowUp {
        text: BankStr::at(&field.value, source, at),
        field: offset(field.range.start)..offset(field.range.end),
    })
}

/// `Cue: detail`, when the text before the first colon is a few words.
fn point(text: &str) -> Point {
    let split = text.split_once(':').filter(|(cue, detail)| {
        let words = cue.split_whitespace().count();
        (1..=MOST_CUE_WORDS).contains(&words) && !detail.trim().is_empty()
    });
    match split {
        Some((cue, detail)) => Point {
            cue: Some(cue.trim().to_string()),
            detail: detail.trim().to_string(),
        },
        None => Point {
            cue: None,
            detail: text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use crate::core::bank::parse_bank;
    use crate::core::bank::tests::diagnostic_lines;

    /// Each question's answer fields, then the bank's diagnostics.
    fn check(source: &str, expected: Expect) {
        let bank = parse_bank("test.md", "test", source.to_string());
        let mut rendered = String::new();
        for question in &bank.questions {
            rendered.push_str(&format!(
                "{} {}\n",
                bank.key(question),
                bank.wording(question)
            ));
            let Some(answer) = bank.answer(question) else {
                continue;
            };
            if let Some(level) = answer.level {
                rendered.push_str(&format!("  level {level}\n"));
            }
            if let Some(minutes) = answer.minutes {
                rendered.push_str(&format!("  minutes {minutes}\n"));
            }
            for point in &answer.points {
                rendered.push_str(&format!("  point {:?} / {}\n", point.cue, point.detail));
            }
            for flag in &answer.red_flags {
                rendered.push_str(&format!("  red flag {flag}\n"));
            }
            if let Some(follow_up) = bank.follow_up(question) {
                rendered.push_str(&format!("  follow-up {follow_up}\n"));
            }
        }
        rendered.push_str(&diagnostic_lines(source, &bank.diagnostics));
        expected.assert_eq(&rendered);
    }

    #[test]
    fn answer_fields_nest_under_questions_of_any_number() {
        check(
            r#"---
prefix: BE
---
## Databases
23. What is ACID compliance, and why is it important in databases?
    - level: Mid
    - minutes: 5
    - points:
      - Atomicity: a transaction applies whole or not at all
      - Why it matters: money transfers need no partial updates
      - The WAL is flushed before the commit is acknowledged, at 10:30 or any time
    - red flags:
      - Says ACID's C is CAP's C
    - follow-up: How do isolation levels differ: which anomalies does each allow?
    - tags: transactions
99. What is a primary key?
    - points:
      - Uniqueness: no two rows share it
100. What is a foreign key?
    - level: junior
    - red flags: Thinks it creates an index everywhere
    - follow-up: What does ON DELETE CASCADE cost?
101. What is an index?
     - minutes: 4
     - points:
       - B-tree: sorted pages, O(log n) lookups
"#,
            expect![[r#"
                BE-23 What is ACID compliance, and why is it important in databases?
                  level mid
                  minutes 5
                  point Some("Atomicity") / a transaction applies whole or not at all
                  point Some("Why it matters") / money transfers need no partial updates
                  point None / The WAL is flushed before the commit is acknowledged, at 10:30 or any time
                  red flag Says ACID's C is CAP's C
                  follow-up How do isolation levels differ: which anomalies does each allow?
                BE-99 What is a primary key?
                  point Some("Uniqueness") / no two rows share it
                BE-100 What is a foreign key?
                  level junior
                  red flag Thinks it creates an index everywhere
                  follow-up What does ON DELETE CASCADE cost?
                BE-101 What is an index?
                  minutes 4
                  point Some("B-tree") / sorted pages, O(log n) lookups
            "#]],
        );
    }

    #[test]
    fn fields_that_cannot_be_read_are_reported_and_left_out() {
        check(
            r#"## Databases
1. What is a view?
    - level: expert
    - minutes: soon
    - points:
    - follow-up:
    - red flags:
      - Thinks a view stores rows
2. What is a trigger?
    - minutes: 0
"#,
            expect![[r#"
                TEST-1 What is a view?
                  red flag Thinks a view stores rows
                TEST-2 What is a trigger?
                line 3: warning[bank-malformed-field] level `expert` is not junior, mid or senior; left out
                line 4: warning[bank-malformed-field] minutes `soon` is not a whole number from 1 to 240; left out
                line 5: warning[bank-malformed-field] points has no items: write one per line in a list nested under it
                line 6: warning[bank-malformed-field] follow-up is empty: write the question on its line
                line 10: warning[bank-malformed-field] minutes `0` is not a whole number from 1 to 240; left out
            "#]],
        );
    }
}

//! A question's fields: the `- name: value` items nested under it, with the
//! lists nested under those (`points`, `red flags`), and the same lines when
//! markdown reads them as more wording (fields indented four spaces under a
//! three-digit number). `tags` and `see` are understood here; the answer's
//! fields in `answer`; others are kept and shown as written.

use std::borrow::Cow;
use std::ops::Range;

use super::{BankStr, Draft, collapse_whitespace};
use crate::core::key::{self, KeyMatch};

/// One `key: value` line under a question, with the items of a list nested
/// under it (`points`, `red flags`); `tags`, `see` and the answer's fields
/// (`answer`) are understood, others are only kept and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Lowercase. Common names are shared rather than allocated for each
    /// of a large bank's questions.
    pub name: Cow<'static, str>,
    pub value: String,
    /// The whole nested item, its own list included.
    pub range: Range<usize>,
    pub items: Vec<FieldItem>,
}

impl Field {
    /// Whether the field is only kept and shown as written: not `tags`,
    /// `see` or one of the answer's fields, which have their own places.
    pub fn is_shown_as_written(&self) -> bool {
        !matches!(
            self.name.as_ref(),
            "tags" | "see" | "level" | "minutes" | "points" | "red flags" | "follow-up"
        )
    }
}

/// A field a question keeps: one shown as written (`hint`, `source`, a
/// bank's own), its value read through `Bank::field_value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownField {
    pub name: Cow<'static, str>,
    pub value: BankStr,
}

/// One item of a list nested under a field: its text, whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldItem {
    pub text: String,
    pub range: Range<usize>,
}

/// Splits `- name: value` lines off a question's wording. Under `100.` a
/// field must be indented five spaces to nest; indented four, markdown reads
/// it as more wording. Such lines are still the question's fields, as the
/// author meant, and a bullet indented deeper than its field line is one of
/// that field's items (`points`). Returns the wording that is left.
pub(super) fn take_unnested_fields(
    question: &mut Draft,
    fields: &mut Fields,
    wording: &str,
    source: &str,
) -> String {
    let lines: Vec<&str> = wording.split('\n').collect();
    let Some(first_field) = lines
        .iter()
        .skip(1)
        .position(|line| looks_like_field(line))
        .map(|position| position + 1)
    else {
        return wording.to_string();
    };
    let item = source.get(question.range.clone()).unwrap_or("");
    let mut search_from = 0;
    // The field being read: its text, range, indentation and items.
    let mut open: Option<(&str, Range<usize>, usize, Vec<FieldItem>)> = None;
    for (position, line) in lines[first_field..].iter().enumerate() {
        let line = line.trim();
        let Some(found) = item[search_from..].find(line) else {
            continue;
        };
        let start = question.range.start + search_from + found;
        if position == 0 {
            let wording_end = source[..start].trim_end().len();
            question.line_range.end = question
                .line_range
                .end
                .min(wording_end)
                .max(question.line_range.start);
        }
        search_from += found + line.len();
        let indent = start - source[..start].rfind('\n').map_or(0, |newline| newline + 1);
        let content = line[1..].trim_start();
        let content_start = start + (line.len() - content.len());
        let range = content_start..start + line.len();
        match &mut open {
            Some((_, field_range, field_indent, items)) if indent > *field_indent => {
                field_range.end = range.end;
                let text = collapse_whitespace(content);
                items.push(FieldItem { text, range });
                continue;
            }
            _ => {}
        }
        if let Some((text, range, _, items)) = open.take() {
            fields.add(text, range, items);
        }
        open = Some((content, range, indent, Vec::new()));
    }
    if let Some((text, range, _, items)) = open {
        fields.add(text, range, items);
    }
    lines[..first_field].join(" ")
}

/// `- name: value`, with a name of letters, digits, `_`, `-` and spaces.
fn looks_like_field(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix(['-', '*', '+']) else {
        return false;
    };
    let Some((name, _)) = rest.split_once(':') else {
        return false;
    };
    rest.starts_with(' ')
        && !name.trim().is_empty()
        && name
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
}

/// The fields of the question being read. Their values' buffers are
/// used again for the next question's: a large bank has several fields per
/// question, and a fresh string for each was most of what reading one
/// allocated.
#[derive(Default)]
pub(super) struct Fields {
    list: Vec<Field>,
    spare: Vec<String>,
}

impl std::ops::Deref for Fields {
    type Target = [Field];

    fn deref(&self) -> &[Field] {
        &self.list
    }
}

impl Fields {
    /// Adds the field `field_text` spells (`name: value`), if it is one.
    pub(super) fn add(&mut self, field_text: &str, range: Range<usize>, items: Vec<FieldItem>) {
        let Some((name, value)) = field_text.split_once(':') else {
            return;
        };
        let mut owned = self.spare.pop().unwrap_or_default();
        owned.clear();
        owned.push_str(value.trim());
        self.list.push(Field {
            name: field_name(name.trim()),
            value: owned,
            range,
            items,
        });
    }

    /// Empties the list, handing each field to `keep`, and keeps the values'
    /// buffers for the next question.
    pub(super) fn drain(&mut self, mut keep: impl FnMut(&mut Field)) {
        for mut field in self.list.drain(..) {
            keep(&mut field);
            self.spare.push(field.value);
        }
    }
}

/// A question's tags: every `tags` field's comma-separated values,
/// lowercased.
pub(super) fn tags_of(fields: &[Field]) -> Box<[String]> {
    fields
        .iter()
        .filter(|field| field.name == "tags")
        .flat_map(|field| field.value.split(','))
        .map(|tag| tag.trim().to_lowercase())
        .filter(|tag| !tag.is_empty())
        .collect()
}

/// The keys a question's `see` fields name, with their ranges in `source`.
pub(super) fn see_of(fields: &[Field], source: &str) -> Box<[KeyMatch]> {
    fields
        .iter()
        .filter(|field| field.name == "see")
        .flat_map(|field| {
            let start = field.range.start;
            key::find_keys(source.get(field.range.clone()).unwrap_or(""))
                .into_iter()
                .map(move |found| KeyMatch {
                    key: found.key,
                    range: start + found.range.start..start + found.range.end,
                })
        })
        .collect()
}

/// Field names banks commonly use, shared by every question that has them.
const COMMON_FIELD_NAMES: &[&str] = &[
    "asked",
    "difficulty",
    "follow-up",
    "hint",
    "level",
    "minutes",
    "notes",
    "points",
    "red flags",
    "see",
    "source",
    "tags",
    "topic",
];

/// A field's name, lowercase.
fn field_name(name: &str) -> Cow<'static, str> {
    let common = COMMON_FIELD_NAMES
        .iter()
        .find(|common| common.eq_ignore_ascii_case(name));
    match common {
        Some(common) => Cow::Borrowed(*common),
        None => Cow::Owned(name.to_lowercase()),
    }
}

//! Notes: any markdown that is not a bank. This module reads a note's
//! headings, the question keys written in it (outside code), and its
//! question sections, and tells whether a section is answered.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::core::bank::collapse_whitespace;
use crate::core::key::{self, KeyMatch};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: usize,
    /// The whole heading, markers included.
    pub range: Range<usize>,
    /// The heading's inline text, whitespace collapsed.
    pub text: String,
    /// Where that text starts and ends in the source.
    pub text_range: Range<usize>,
    /// The key the heading starts with, for a question heading.
    pub key: Option<KeyMatch>,
    /// The words after the key and its separator, and their range.
    pub title: Option<(String, Range<usize>)>,
}

/// A question heading and the body below it, up to the next heading of the
/// same or a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Index into the note's headings.
    pub heading: usize,
    pub range: Range<usize>,
    pub body: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Note {
    pub headings: Vec<Heading>,
    /// Keys written as whole words outside code, in order. Any prefix shape:
    /// callers keep those whose prefix names a bank.
    pub keys: Vec<KeyMatch>,
    pub len: usize,
}

impl Note {
    /// Sections under question headings, in order.
    pub fn question_sections(&self) -> Vec<Section> {
        let mut sections = Vec::new();
        for (position, heading) in self.headings.iter().enumerate() {
            if heading.key.is_none() {
                continue;
            }
            let end = self.headings[position + 1..]
                .iter()
                .find(|next| next.level <= heading.level)
                .map_or(self.len, |next| next.range.start);
            sections.push(Section {
                heading: position,
                range: heading.range.start..end,
                body: heading.range.end..end,
            });
        }
        sections
    }

    /// The heading whose line holds `offset`.
    pub fn heading_at(&self, offset: usize) -> Option<&Heading> {
        self.headings
            .iter()
            .find(|heading| heading.range.start <= offset && offset <= heading.range.end)
    }

    /// The key whose range holds `offset` (its end included, for a cursor right after it).
    pub fn key_at(&self, offset: usize) -> Option<&KeyMatch> {
        self.keys
            .iter()
            .find(|found| found.range.start <= offset && offset <= found.range.end)
    }
}

/// A heading being read: level, range, text so far, and the text's range.
type OpenHeading = (usize, Range<usize>, String, Option<Range<usize>>);

/// Reads a note's headings and keys. Never fails.
pub fn parse_note(text: &str) -> Note {
    let mut note = Note {
        len: text.len(),
        ..Note::default()
    };
    let mut heading: Option<OpenHeading> = None;
    let mut code_ranges: Vec<Range<usize>> = Vec::new();
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS | Options::ENABLE_TABLES;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as usize, range, String::new(), None))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, range, content, text_range)) = heading.take() {
                    note.headings
                        .push(make_heading(text, level, range, &content, text_range));
                }
            }
            Event::Start(Tag::CodeBlock(_))
            | Event::Start(Tag::MetadataBlock(_))
            | Event::Code(_) => {
                code_ranges.push(range.clone());
                if let (Event::Code(code), Some((_, _, content, text_range))) =
                    (&event, heading.as_mut())
                {
                    content.push_str(code);
                    extend(text_range, &range);
                }
            }
            Event::Start(Tag::HtmlBlock) | Event::Html(_) | Event::InlineHtml(_) => {
                code_ranges.push(range)
            }
            Event::Text(content) => {
                if let Some((_, _, heading_text, text_range)) = heading.as_mut() {
                    heading_text.push_str(&content);
                    extend(text_range, &range);
                }
            }
            _ => {}
        }
    }
    note.keys = keys_outside(text, &code_ranges);
    note
}

fn extend(text_range: &mut Option<Range<usize>>, range: &Range<usize>) {
    *text_range = Some(match text_range.take() {
        None => range.clone(),
        Some(existing) => existing.start..range.end.max(existing.end),
    });
}

fn make_heading(
    source: &str,
    level: usize,
    range: Range<usize>,
    content: &str,
    text_range: Option<Range<usize>>,
) -> Heading {
    let text_range = text_range.unwrap_or(range.end..range.end);
    let text = collapse_whitespace(content);
    let mut heading = Heading {
        level,
        range,
        text,
        text_range: text_range.clone(),
        key: None,
        title: None,
    };
    let raw = &source[text_range.clone()];
    let leading = raw.len() - raw.trim_start().len();
    if let Some(found) = key::find_keys(raw)
        .into_iter()
        .next()
        .filter(|found| found.range.start == leading)
    {
        let after_key = text_range.start + found.range.end;
        heading.key = Some(KeyMatch {
            key: found.key,
            range: text_range.start + found.range.start..after_key,
        });
        let rest = &source[after_key..text_range.end];
        let title_start = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || "·-–—:.|".contains(c))
                .len();
        let title = collapse_whitespace(&rest[title_start..]);
        if !title.is_empty() {
            heading.title = Some((title, after_key + title_start..text_range.end));
        }
    }
    heading
}

/// Keys not inside any code range. The ranges are merged into a sorted,
/// disjoint list first, so each key costs one binary search.
fn keys_outside(text: &str, code_ranges: &[Range<usize>]) -> Vec<KeyMatch> {
    let code = merge_ranges(code_ranges);
    key::find_keys(text)
        .into_iter()
        .filter(|found| {
            let after = code.partition_point(|range| range.start <= found.range.start);
            after == 0 || code[after - 1].end < found.range.end
        })
        .collect()
}

fn merge_ranges(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable_by_key(|range| range.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Whether a section's body holds anything beyond template scaffolding:
/// a non-blank line that is neither one of the scaffolding lines nor a
/// template's pointer to a related question (`- BE-32 · …`).
pub fn is_answered(text: &str, section: &Section, scaffolding: &HashSet<String>) -> bool {
    let body = text.get(section.body.clone()).unwrap_or("");
    body.lines()
        .map(str::trim)
        .any(|line| !line.is_empty() && !scaffolding.contains(line) && !is_related_line(line))
}

/// `- BE-32 · text` or `**Follow-up:** BE-32 · text`, as templates list
/// related questions.
fn is_related_line(line: &str) -> bool {
    let rest = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("**Follow-up:** "))
        .unwrap_or("");
    let Some((key, _)) = rest.split_once(" · ") else {
        return false;
    };
    key::Key::parse(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(text: &str, expected: Expect) {
        let note = parse_note(text);
        let mut rendered = String::new();
        for heading in &note.headings {
            rendered.push_str(&format!("h{} {:?}", heading.level, heading.text));
            if let Some(found) = &heading.key {
                rendered.push_str(&format!(" key={}", found.key));
            }
            if let Some((title, range)) = &heading.title {
                assert_eq!(&text[range.clone()], title);
                rendered.push_str(&format!(" title={title:?}"));
            }
            rendered.push('\n');
        }
        for found in &note.keys {
            rendered.push_str(&format!(
                "key {} at {:?}\n",
                found.key,
                &text[found.range.clone()]
            ));
        }
        for section in note.question_sections() {
            rendered.push_str(&format!("section {:?}\n", &text[section.range.clone()]));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn reads_headings_keys_and_sections() {
        check(
            "# Notes\n\n## BE-23 · What is ACID?\nSee BE-32 and `BE-40`.\n\n```\nBE-41\n```\n### Detail\nmore\n## Other\nBE-7\n",
            expect![[r###"
                h1 "Notes"
                h2 "BE-23 · What is ACID?" key=BE-23 title="What is ACID?"
                h3 "Detail"
                h2 "Other"
                key BE-23 at "BE-23"
                key BE-32 at "BE-32"
                key BE-7 at "BE-7"
                section "## BE-23 · What is ACID?\nSee BE-32 and `BE-40`.\n\n```\nBE-41\n```\n### Detail\nmore\n"
            "###]],
        );
    }
}

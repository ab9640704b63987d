//! Notes: any markdown that is not a bank. This module reads a note's
//! headings, the question keys written in it (outside code), and its
//! question sections, and tells whether a section is answered.
//!
//! A long note is re-read after an edit by `reparse_note`, which parses
//! again only the blocks between two top-level ATX headings around the
//! changed bytes: the markdown state at such a heading is the same however
//! the text before it was parsed, so the old parse of everything outside
//! those blocks still holds, shifted. The result always equals a full
//! parse (a property test checks it).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::core::bank::collapse_whitespace;
use crate::core::changes::{Changed, Edit, compose, describes};
use crate::core::front_matter::{front_matter_end, line_end, text_start};
use crate::core::key::{self, KeyMatch};
use crate::core::review::is_marker_line;
use crate::core::scores::rubric::is_rubric;
use crate::core::template::{CHECK_YOURSELF, Scaffolding, scaffold_form};

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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    pub headings: Vec<Heading>,
    /// Keys written as whole words outside code, in order. Any prefix shape:
    /// callers keep those whose prefix names a bank.
    pub keys: Vec<KeyMatch>,
    pub len: usize,
    /// Where parsing may start again: the starts of ATX headings at the top
    /// level (in no list or quote) that begin their line, in order.
    restarts: Vec<usize>,
}

impl Note {
    /// A note read as its ATX headings alone, each at the start of its
    /// line and at the top level (`outline::fast_outline`).
    pub(crate) fn from_outline(headings: Vec<Heading>, len: usize) -> Note {
        Note {
            restarts: headings.iter().map(|heading| heading.range.start).collect(),
            headings,
            keys: Vec::new(),
            len,
        }
    }

    /// Sections under question headings, in order.
    pub fn question_sections(&self) -> Vec<Section> {
        (0..self.headings.len())
            .filter_map(|heading| self.question_section(heading))
            .collect()
    }

    /// The section under the heading at `heading` (an index into the
    /// headings), when it is a question heading: one section, found
    /// without listing the others (hover on a long note).
    pub fn question_section(&self, heading: usize) -> Option<Section> {
        let start = self.headings.get(heading)?;
        start.key.as_ref()?;
        let end = self.headings[heading + 1..]
            .iter()
            .find(|next| next.level <= start.level)
            .map_or(self.len, |next| next.range.start);
        Some(Section {
            heading,
            range: start.range.start..end,
            body: start.range.end..end,
        })
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
    parse(text, true)
}

/// Reads a note's headings alone, for a command that needs only its
/// question sections (`qbank due`): finding the keys written in the text
/// is a tenth of reading a note.
pub fn parse_outline(text: &str) -> Note {
    parse(text, false)
}

/// Whether a text writes nothing shaped like a key where `parse_note`
/// looks for them (after any front matter), so that it would find none:
/// a quick look that spares parsing most notes of a large vault.
pub fn mentions_no_key(text: &str) -> bool {
    let body_start = front_matter_end(text).map_or(text_start(text), |front| front.end);
    key::find_keys(&text[body_start..]).is_empty()
}

fn parse(text: &str, with_keys: bool) -> Note {
    let mut note = Note {
        len: text.len(),
        ..Note::default()
    };
    let mut heading: Option<OpenHeading> = None;
    // Front matter counts as code: keys in it are not the note's. A byte
    // order mark is no part of the text: the body starts after it.
    let body_start = front_matter_end(text).map_or(text_start(text), |front| front.end);
    let mut code_ranges: Vec<Range<usize>> = Vec::new();
    code_ranges.push(0..body_start);
    // Blocks open around the current event.
    let mut depth = 0usize;
    // Without pulldown-cmark's metadata blocks, which it also finds between
    // two `---` lines far into a document, hiding the headings between.
    let parser = Parser::new_ext(&text[body_start..], Options::ENABLE_TABLES);
    for (event, range) in parser.into_offset_iter() {
        let range = range.start + body_start..range.end + body_start;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if depth == 1 && is_atx_line_start(text, range.start) {
                    note.restarts.push(range.start);
                }
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
    if with_keys {
        note.keys = keys_outside(text, body_start, &code_ranges);
    }
    note
}

/// Whether a heading starting at `start` is an ATX heading (`#`) at the
/// very start of its line (the text's start is after a byte order mark).
fn is_atx_line_start(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    bytes.get(start) == Some(&b'#')
        && (start == text_start(text) || matches!(bytes[start - 1], b'\n' | b'\r'))
}

/// Re-reads `text`, which `edits` (applied in order) made of `old_text`,
/// whose parse is `old`: only the blocks around the changed regions are
/// parsed again. Equal to `parse_note(text)`; when the edits do not account
/// for the difference between the texts, it is a full parse.
pub fn reparse_note(old_text: &str, old: &Note, text: &str, edits: &[Edit]) -> Note {
    let regions = compose(edits);
    let reusable = old.len == old_text.len()
        && is_local(old_text)
        && is_local(text)
        && describes(&regions, old_text, text);
    let Some(first) = regions.first().filter(|_| reusable) else {
        return if reusable {
            old.clone()
        } else {
            parse_note(text)
        };
    };
    // Front matter is read from the document's start only.
    let front_matter_old = front_matter_end(old_text).map_or(0, |front| front.end);
    let front_matter_new = front_matter_end(text).map_or(0, |front| front.end);
    if first.old.start < front_matter_old || first.new.start < front_matter_new {
        return parse_note(text);
    }
    Splice {
        old_text,
        old,
        text,
        regions: &regions,
        note: Note {
            len: text.len(),
            ..Note::default()
        },
    }
    .run()
}

/// A reparse in progress: `note` holds the parse of the new text so far.
struct Splice<'a> {
    old_text: &'a str,
    old: &'a Note,
    text: &'a str,
    regions: &'a [Changed],
    note: Note,
}

impl Splice<'_> {
    fn run(mut self) -> Note {
        // The old parse is taken up to `copied` (an old offset), where the
        // new text is shifted by `shift`; `next` is the next region.
        let (mut copied, mut shift, mut next) = (0, 0isize, 0);
        while let Some(region) = self.regions.get(next) {
            let restart = self.restart_before(copied, region.old.start);
            self.copy_old(copied..restart, shift);
            let start = moved(restart, shift);
            match self.join_after(start, next) {
                Some((old_join, region_after, join_shift)) => {
                    (copied, shift, next) = (old_join, join_shift, region_after);
                }
                None => {
                    let part = parse_part(self.text, start, self.text.len());
                    self.take_part(part, self.text.len());
                    return self.note;
                }
            }
        }
        self.copy_old(copied..self.old_text.len() + 1, shift);
        self.note
    }

    /// The last old restart at or after `from` whose heading line ends by
    /// `changed` (so the state there is what it was), else `from`.
    fn restart_before(&self, from: usize, changed: usize) -> usize {
        let restarts = &self.old.restarts;
        let first = restarts.partition_point(|&at| at < from);
        let last = restarts.partition_point(|&at| line_end(self.old_text, at) <= changed);
        if last > first {
            restarts[last - 1]
        } else {
            from
        }
    }

    /// Parses from `start` (new offset) over region `next` until the parse
    /// joins the old one at a top-level heading both share; returns that
    /// heading's old offset, the first region after it and the shift there.
    /// Candidates are tried at doubling distances, so a change that never
    /// joins (an unclosed fence) costs about two parses of the rest, not one
    /// per heading.
    fn join_after(&mut self, start: usize, next: usize) -> Option<(usize, usize, isize)> {
        let restarts = &self.old.restarts;
        let mut candidate = restarts.partition_point(|&at| at < self.regions[next].old.end);
        let mut step = 1;
        while candidate < restarts.len() {
            let old_join = restarts[candidate];
            let line = line_end(self.old_text, old_join);
            // The regions before the candidate's heading line ends; it must
            // lie after all of them.
            let after =
                next + self.regions[next..].partition_point(|region| region.old.start < line);
            let before = &self.regions[after - 1];
            if old_join >= before.old.end {
                let join_shift = before.new.end as isize - before.old.end as isize;
                let join = moved(old_join, join_shift);
                let part = parse_part(self.text, start, line_end(self.text, join));
                if part.restarts.last() == Some(&join) {
                    self.take_part(part, join);
                    return Some((old_join, after, join_shift));
                }
            }
            candidate += step;
            step *= 2;
        }
        None
    }

    /// The old parse's items starting in `range` (old offsets), moved.
    fn copy_old(&mut self, range: Range<usize>, shift: isize) {
        let old = self.old;
        let headings = span(&old.headings, |heading| heading.range.start, &range);
        let keys = span(&old.keys, |found| found.range.start, &range);
        let restarts = span(&old.restarts, |&at| at, &range);
        self.note
            .headings
            .extend(headings.iter().map(|heading| moved_heading(heading, shift)));
        self.note
            .keys
            .extend(keys.iter().map(|found| moved_key(found, shift)));
        self.note
            .restarts
            .extend(restarts.iter().map(|&at| moved(at, shift)));
    }

    /// A fresh part's items that start before `end` (new offsets).
    fn take_part(&mut self, part: Note, end: usize) {
        self.note.headings.extend(
            part.headings
                .into_iter()
                .filter(|heading| heading.range.start < end),
        );
        self.note.keys.extend(
            part.keys
                .into_iter()
                .filter(|found| found.range.start < end),
        );
        self.note
            .restarts
            .extend(part.restarts.into_iter().filter(|&at| at < end));
    }
}

/// The items of a list sorted by start whose start lies in `range`.
fn span<'a, T>(items: &'a [T], start: impl Fn(&T) -> usize, range: &Range<usize>) -> &'a [T] {
    let from = items.partition_point(|item| start(item) < range.start);
    let to = items.partition_point(|item| start(item) < range.end);
    &items[from..to.max(from)]
}

/// Whether every block of `text` reads the same whatever follows it, as
/// `reparse_note` needs. Two things break that: a link reference
/// definition (`[label]: url`) changes how a heading far away reads
/// ("[ACID]" becomes a link), and pulldown-cmark 0.13 reads an info string
/// after a fence up to the next `\n`, past a lone `\r` line ending.
fn is_local(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"]:").is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
}

/// Parses `text[start..end]` alone, offsets given in the whole text.
fn parse_part(text: &str, start: usize, end: usize) -> Note {
    let part = parse_note(&text[start..end]);
    if start == 0 {
        return part;
    }
    Note {
        headings: part
            .headings
            .iter()
            .map(|heading| moved_heading(heading, start as isize))
            .collect(),
        keys: part
            .keys
            .iter()
            .map(|found| moved_key(found, start as isize))
            .collect(),
        len: end,
        restarts: part
            .restarts
            .iter()
            .map(|&restart| restart + start)
            .collect(),
    }
}

fn moved(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

fn moved_range(range: &Range<usize>, delta: isize) -> Range<usize> {
    moved(range.start, delta)..moved(range.end, delta)
}

fn moved_key(found: &KeyMatch, delta: isize) -> KeyMatch {
    KeyMatch {
        key: found.key,
        range: moved_range(&found.range, delta),
    }
}

fn moved_heading(heading: &Heading, delta: isize) -> Heading {
    Heading {
        level: heading.level,
        range: moved_range(&heading.range, delta),
        text: heading.text.clone(),
        text_range: moved_range(&heading.text_range, delta),
        key: heading.key.as_ref().map(|found| moved_key(found, delta)),
        title: heading
            .title
            .as_ref()
            .map(|(title, range)| (title.clone(), moved_range(range, delta))),
    }
}

fn extend(text_range: &mut Option<Range<usize>>, range: &Range<usize>) {
    *text_range = Some(match text_range.take() {
        None => range.clone(),
        Some(existing) => existing.start..range.end.max(existing.end),
    });
}

pub(crate) fn make_heading(
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

/// Keys from `body_start` on (where a key may start the text: a byte
/// order mark or front matter before it does not count), not inside any
/// code range. The ranges are merged into a sorted, disjoint list first,
/// so each key costs one binary search.
fn keys_outside(text: &str, body_start: usize, code_ranges: &[Range<usize>]) -> Vec<KeyMatch> {
    let code = merge_ranges(code_ranges);
    key::find_keys(&text[body_start..])
        .into_iter()
        .map(|found| KeyMatch {
            key: found.key,
            range: found.range.start + body_start..found.range.end + body_start,
        })
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
/// a non-blank line that is neither one of the scaffolding lines (compared
/// in their `scaffold_form`) nor a template's pointer to a related question
/// (`- BE-32 · …`).
pub fn is_answered(text: &str, section: &Section, scaffolding: &Scaffolding) -> bool {
    let body = text.get(section.body.clone()).unwrap_or("");
    !is_rubric(body) && holds_written_lines(body, scaffolding)
}

/// `is_answered` for a body its caller already knows is no rubric: the
/// check of a note tells rubrics apart once per section.
pub fn holds_written_lines(body: &str, scaffolding: &Scaffolding) -> bool {
    written_lines_of(body, scaffolding).next().is_some()
}

/// What the section's writer wrote: its body's lines that are neither
/// scaffolding nor pointers to related questions, outside any "Check
/// yourself" block, one per line.
pub fn section_answer(text: &str, section: &Section, scaffolding: &Scaffolding) -> String {
    let mut answer = String::new();
    for line in written_lines(text, section, scaffolding) {
        answer.push_str(line.trim());
        answer.push('\n');
    }
    answer
}

/// The section body's lines its writer wrote, lazily: what `is_answered`
/// looks for one of and `section_answer` collects. An interview rubric (a
/// body with a score line) has none: whatever the interviewer ticked,
/// scored or noted in it is no study answer.
fn written_lines<'t>(
    text: &'t str,
    section: &Section,
    scaffolding: &'t Scaffolding,
) -> impl Iterator<Item = &'t str> {
    let body = text.get(section.body.clone()).unwrap_or("");
    let body = if is_rubric(body) { "" } else { body };
    written_lines_of(body, scaffolding)
}

/// A body's written lines, whether or not it is a rubric.
fn written_lines_of<'t>(
    body: &'t str,
    scaffolding: &'t Scaffolding,
) -> impl Iterator<Item = &'t str> {
    answer_lines(body).filter(move |line| {
        let form = scaffold_form(line);
        !form.is_empty() && !scaffolding.contains(form.as_ref()) && !is_related_line(&form)
    })
}

/// A section body's lines outside any "Check yourself" block and other
/// than a review marker: the points a study template folds away are the
/// bank's words, never the answer, even once the bank's points have
/// changed, and the marker is qbank's.
pub fn answer_lines(body: &str) -> impl Iterator<Item = &str> {
    let mut folded = false;
    body.lines().filter(move |line| {
        let trimmed = line.trim();
        if is_marker_line(trimmed) {
            return false;
        }
        if folded {
            folded = !trimmed.starts_with("</details>");
            return false;
        }
        if trimmed.starts_with("<details>") && trimmed.contains(CHECK_YOURSELF) {
            folded = !trimmed.ends_with("</details>");
            return false;
        }
        true
    })
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

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        check(
            "\u{FEFF}## BE-23 · What is ACID?\nSee BE-32.\n",
            expect![[r###"
                h2 "BE-23 · What is ACID?" key=BE-23 title="What is ACID?"
                key BE-23 at "BE-23"
                key BE-32 at "BE-32"
                section "## BE-23 · What is ACID?\nSee BE-32.\n"
            "###]],
        );
        check(
            "\u{FEFF}BE-7 first.\n# Notes\n",
            expect![[r###"
                h1 "Notes"
                key BE-7 at "BE-7"
            "###]],
        );
        check(
            "\u{FEFF}---\ntitle: BE-1\n---\n## BE-2\n",
            expect![[r###"
                h2 "BE-2" key=BE-2
                key BE-2 at "BE-2"
                section "## BE-2\n"
            "###]],
        );
        // The heading after the mark is where a reparse may start.
        assert_eq!(parse_note("\u{FEFF}# A\n").restarts, vec![3]);
    }

    /// Lines that open, close or interrupt markdown blocks, so that edits
    /// move block boundaries around.
    const LINES: &[&str] = &[
        "# Notes",
        "## BE-23 · What is ACID?",
        "### BE-4",
        "#### Detail BE-7",
        "#no heading",
        "   # indented heading",
        "Title",
        "=====",
        "---",
        "```",
        "~~~",
        "````rust",
        "    indented BE-12 code",
        "- item BE-5",
        "  - nested",
        "1. first",
        "> quote BE-6",
        "> # quoted heading",
        "<!--",
        "-->",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        "  ```",
        "- ```",
        "````",
        "| a | b |",
        "|---|---|",
        "text with `BE-8` and BE-9.",
        "[ACID]: https://example.com",
        "...",
        "key: value",
        "## [ACID] BE-10",
        "",
        "",
        "plain prose",
    ];

    /// A document of `LINES`; half of them without what makes
    /// `reparse_note` fall back to a full parse (link reference definitions,
    /// lone `\r` line endings), so the incremental path is well exercised.
    fn document() -> impl Strategy<Value = String> {
        let local: Vec<&str> = LINES
            .iter()
            .copied()
            .filter(|line| !line.contains("]:"))
            .collect();
        prop_oneof![
            lines_of(LINES.to_vec(), &["\n", "\r\n", "\r"]),
            lines_of(local, &["\n", "\r\n"])
        ]
    }

    fn lines_of(
        lines: Vec<&'static str>,
        endings: &'static [&'static str],
    ) -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(proptest::sample::select(lines), 0..60),
            proptest::sample::select(endings),
            proptest::sample::select(
                &[
                    "",
                    "---\n",
                    "---\nkey: value\n---\n",
                    "\u{FEFF}",
                    "\u{FEFF}---\nkey: value\n---\n",
                ][..],
            ),
        )
            .prop_map(|(lines, ending, front)| format!("{front}{}", lines.join(ending)))
    }

    /// Replaces a byte range (moved to character boundaries) with text.
    fn edit(text: &str, start: usize, length: usize, inserted: &str) -> (String, Edit) {
        let floor = |mut at: usize| {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = floor(start);
        let end = floor(start + length).max(start);
        let edit = Edit {
            start,
            end,
            inserted: inserted.len(),
        };
        (
            format!("{}{inserted}{}", &text[..start], &text[end..]),
            edit,
        )
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        #[test]
        fn reparse_equals_a_full_parse(
            old_text in document(),
            start in 0usize..2_000,
            length in 0usize..40,
            inserted in proptest::sample::select(
                &["", "#", "# ", "\n", "```", "\n```\n", "\n# H\n", "x", "<!--", "-->", "- ", "\n\n", "BE-3", "]:", "\r", "===\n", "\u{FEFF}"][..]
            ),
        ) {
            let (text, change) = edit(&old_text, start % (old_text.len() + 1), length, inserted);
            let old = parse_note(&old_text);
            let full = parse_note(&text);
            prop_assert_eq!(&reparse_note(&old_text, &old, &text, &[change]), &full);
            // An edit log that does not match the texts falls back to a full parse.
            prop_assert_eq!(&reparse_note(&old_text, &old, &text, &[]), &full);
        }

        #[test]
        fn reparses_in_a_row_stay_equal_to_a_full_parse(
            first in document(),
            batches in proptest::collection::vec(
                proptest::collection::vec(
                    (0usize..2_000, 0usize..30, proptest::sample::select(LINES)),
                    1..6,
                ),
                1..5,
            ),
        ) {
            let mut text = first;
            let mut note = parse_note(&text);
            // Several edits, scattered, between two parses, as while typing.
            for batch in batches {
                let mut next = text.clone();
                let mut changes = Vec::new();
                for (start, length, line) in batch {
                    let inserted = format!("{line}\n");
                    let (edited, change) = edit(&next, start % (next.len() + 1), length, &inserted);
                    next = edited;
                    changes.push(change);
                }
                note = reparse_note(&text, &note, &next, &changes);
                text = next;
                prop_assert_eq!(&note, &parse_note(&text));
            }
        }
    }

    /// A review marker is qbank's line, never the answer: a section with
    /// only a marker is unanswered, and an answer never includes it.
    #[test]
    fn a_review_marker_is_not_an_answer() {
        let text = "## BE-23 · ACID\n<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3 d=5 n=1 -->\n\n## BE-40 · SQLi\n<!-- qbank: broken\nBound parameters.\n";
        let note = parse_note(text);
        let sections = note.question_sections();
        let none = Scaffolding::default();
        assert!(!is_answered(text, &sections[0], &none));
        assert_eq!(
            section_answer(text, &sections[1], &none),
            "Bound parameters.\n"
        );
    }

    #[test]
    fn headings_between_two_rules_are_kept() {
        // pulldown-cmark's metadata blocks would take the rules for one.
        check(
            "---\ntitle: notes\n---\n## BE-1\n---\n## BE-2 BE-3\n---\n",
            expect![[r###"
                h2 "BE-1" key=BE-1
                h2 "BE-2 BE-3" key=BE-2 title="BE-3"
                key BE-1 at "BE-1"
                key BE-2 at "BE-2"
                key BE-3 at "BE-3"
                section "## BE-1\n---\n"
                section "## BE-2 BE-3\n---\n"
            "###]],
        );
    }

    #[test]
    fn reparse_reuses_the_blocks_outside_the_edit() {
        let old_text = "# A\nBE-1\n## BE-2 · x\n```\nBE-3\n```\n## BE-4\nBE-5\n";
        let old = parse_note(old_text);
        // An opened fence swallows the rest; closing it gives it back.
        let at = old_text.find("```").unwrap();
        let text = format!("{}```\n{}", &old_text[..at], &old_text[at..]);
        let opened = Edit {
            start: at,
            end: at,
            inserted: 4,
        };
        assert_eq!(
            reparse_note(old_text, &old, &text, &[opened]),
            parse_note(&text)
        );
        let text = old_text.replace("BE-5", "BE-6");
        let at = old_text.find("BE-5").unwrap();
        let renamed = Edit {
            start: at,
            end: at + 4,
            inserted: 4,
        };
        let reparsed = reparse_note(old_text, &old, &text, &[renamed]);
        assert_eq!(reparsed, parse_note(&text));
        assert_eq!(reparsed.restarts, vec![0, 9, 35]);
    }
}

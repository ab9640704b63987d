//! A bank read in sections: where a large bank may be cut (before a
//! heading, when nothing can span one), and the sections read in runs of
//! about equal size, one reader and one thread each, then joined. A
//! heading closes every open block, so a reader starting at a cut is in the
//! state a reader coming from the start would be in, but for the category:
//! a run that opens under a `###` heading belongs to the category the run
//! before it ended in, which the join fills in.

use std::ops::Range;

use pulldown_cmark::{Options, Parser};

use super::BankReader;
use crate::core::parallel;

/// Banks from this size on are read on every core: below it, threads cost
/// more than they save.
pub(super) const PARALLEL_BYTES: usize = 1024 * 1024;

/// The category of questions a run reads before its first `#` or `##`
/// heading: the previous run's last, filled in by `BankReader::append`.
const INHERITED: u32 = u32::MAX;

/// Reads the sections ending at `ends` (the first starting at `body`) in
/// up to `threads` runs of about equal size at once, and joins what the
/// runs read, in order.
pub(super) fn read_sections(text: &str, body: usize, ends: &[usize], threads: usize) -> BankReader {
    let mut runs = runs(body, ends, threads).into_iter();
    let Some(first) = runs.next() else {
        return BankReader::default();
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = runs
            .map(|run| scope.spawn(move || vec![read_run(text, run, Some(INHERITED))]))
            .collect();
        let mut whole = read_run(text, first, None);
        let parts = parallel::joined(workers);
        whole.reserve_for(&parts);
        for part in parts {
            whole.append(part);
        }
        whole
    })
}

/// A run of consecutive sections: where it starts, and where each of its
/// sections ends.
struct Run<'a> {
    start: usize,
    ends: &'a [usize],
}

/// The sections cut into at most `threads` runs of about equal size, none
/// empty.
fn runs(body: usize, ends: &[usize], threads: usize) -> Vec<Run<'_>> {
    let Some(&last) = ends.last() else {
        return Vec::new();
    };
    let size = last.saturating_sub(body);
    let mut runs = Vec::new();
    let (mut start, mut first) = (body, 0);
    for run in 1..threads.max(1) {
        let goal = body + size / threads * run;
        // The run ends with the first section to reach the goal; the last
        // section always goes to the last run.
        let end = first + ends[first..].partition_point(|&end| end < goal);
        if end + 1 >= ends.len() {
            break;
        }
        runs.push(Run {
            start,
            ends: &ends[first..=end],
        });
        (start, first) = (ends[end], end + 1);
    }
    runs.push(Run {
        start,
        ends: &ends[first..],
    });
    runs
}

/// Reads one run with a reader of its own, starting in `category`.
fn read_run(text: &str, run: Run<'_>, category: Option<u32>) -> BankReader {
    let mut reader = BankReader {
        current_category: category,
        ..BankReader::default()
    };
    let mut start = run.start;
    for &end in run.ends {
        read_section(&mut reader, text, start..end);
        start = end;
    }
    reader.finish_question(text);
    reader
}

impl BankReader {
    /// Makes room for what the readers of the next runs read, at once: a
    /// large bank's questions grown by doubling would be copied, and
    /// held twice for a moment.
    fn reserve_for(&mut self, parts: &[BankReader]) {
        let sum = |count: fn(&BankReader) -> usize| parts.iter().map(count).sum::<usize>();
        self.questions
            .reserve_exact(sum(|part| part.questions.len()));
        self.answers.reserve_exact(sum(|part| part.answers.len()));
        self.shown_fields
            .reserve_exact(sum(|part| part.shown_fields.len()));
    }

    /// Adds what a reader of the next run read: its categories numbered
    /// after these, its inherited category this reader's last.
    fn append(&mut self, next: BankReader) {
        let offset = self.categories.len() as u32;
        let inherited = self.current_category;
        let category = |category: Option<u32>| match category {
            Some(INHERITED) => inherited,
            Some(index) => Some(index + offset),
            None => None,
        };
        let answers = self.answers.len() as u32;
        let fields = self.shown_fields.len() as u32;
        self.questions
            .extend(next.questions.into_iter().map(|mut question| {
                question.category = category(question.category);
                question.answer = question.answer.map(|answer| answer + answers);
                question.fields = question.fields.start + fields..question.fields.end + fields;
                question
            }));
        self.current_category = category(next.current_category);
        self.categories.extend(next.categories);
        self.diagnostics.extend(next.diagnostics);
        self.answers.extend(next.answers);
        self.shown_fields.extend(next.shown_fields);
    }
}

/// Feeds one section's events to the reader, with offsets into the whole text.
fn read_section(reader: &mut BankReader, text: &str, section: Range<usize>) {
    // Front matter is read by hand (`front_matter`): pulldown-cmark's
    // metadata blocks would also hide whatever lies between two `---`
    // thematic breaks.
    let options = Options::empty();
    let start = section.start;
    for (event, range) in Parser::new_ext(&text[section], options).into_offset_iter() {
        reader.event(text, event, start + range.start..start + range.end);
    }
}

/// How long a section grows before the bank is cut at its next heading.
pub(super) const SECTION_BYTES: usize = 64 * 1024;

/// Where a large bank may be cut into sections that pulldown-cmark parses
/// one after another, each ending before a heading. Parsing a 30 MB file in
/// one go builds a tree of a few hundred megabytes; sections keep the tree
/// small and the parse a quarter faster, with the same events. A heading at
/// the start of a line closes every open block, so nothing spans the cut,
/// except what this refuses to cut around: fenced code, HTML blocks and
/// link reference definitions, which hold across the whole file. The
/// first section starts at `body`, after the front matter.
/// `tests::sections_read_as_the_whole_on_any_threads` (in `bank`) checks
/// this on random banks.
/// The last end is the text's.
pub(super) fn section_ends(text: &str, body: usize, section_bytes: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    if let Some(first) = first_cut(text, body, section_bytes) {
        ends.push(first);
        let bytes = text.as_bytes();
        let mut from = first.saturating_add(section_bytes);
        while let Some(cut) = next_heading(bytes, from) {
            ends.push(cut);
            from = cut.saturating_add(section_bytes);
        }
    }
    ends.push(text.len());
    ends
}

/// Where the first section of `section_bytes` or more ends, when the text
/// is more than twice that and can be cut (see `section_ends`).
pub(super) fn first_cut(text: &str, body: usize, section_bytes: usize) -> Option<usize> {
    if text.len() <= section_bytes.saturating_mul(2) || spans_headings(text) {
        return None;
    }
    next_heading(text.as_bytes(), body.saturating_add(section_bytes))
}

/// Whether the text holds anything that could carry a block across a
/// heading or a link across sections: a code fence, a line opening with
/// `<` (possibly inside list items or block quotes), or `]:`.
fn spans_headings(text: &str) -> bool {
    let bytes = text.as_bytes();
    let opens_line = |at: usize| {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |newline| newline + 1);
        bytes[line_start..at]
            .iter()
            .all(|byte| b" \t>-*+.)0123456789".contains(byte))
    };
    let fence_or_html = memchr::memchr3_iter(b'`', b'~', b'<', bytes).any(|at| match bytes[at] {
        b'<' => opens_line(at),
        fence => bytes[at..].starts_with(&[fence; 3]),
    });
    fence_or_html || memchr::memmem::find(bytes, b"]:").is_some()
}

/// The start of the first ATX heading line (one to six `#`, then a space,
/// a tab or the line's end) that starts at or after `from`.
fn next_heading(bytes: &[u8], from: usize) -> Option<usize> {
    let mut search = from.checked_sub(1)?;
    while let Some(found) = memchr::memmem::find(bytes.get(search..)?, b"\n#") {
        let line = search + found + 1;
        let hashes = bytes[line..]
            .iter()
            .take_while(|&&byte| byte == b'#')
            .count();
        let after = bytes.get(line + hashes).copied();
        if hashes <= 6 && matches!(after, None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            return Some(line);
        }
        search = line;
    }
    None
}

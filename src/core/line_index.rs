//! Byte offsets to line and column and back. The core speaks byte offsets;
//! this is where they become the lines and columns people and protocols read:
//! 1-based character columns for the terminal, 0-based UTF-16 or UTF-8
//! columns for LSP-style ranges. Only `\n`, `\r\n` and `\r` end a line.
//! A long line keeps its columns counted at checkpoints a stride apart, so
//! a column is counted from the nearest checkpoint, not from the line's
//! start: the thousands of diagnostics on one long line convert in linear
//! time, in whatever order.

use std::ops::Range;

/// How a column counts: in UTF-8 bytes, UTF-16 code units or characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    Utf8,
    Utf16,
    Char,
}

/// A 0-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub character: u32,
}

/// Line starts of one text, for converting offsets in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    /// The lines of at least `COLUMN_STRIDE` bytes, in order.
    long_lines: Vec<LongLine>,
    /// The checkpoints of every long line, line after line.
    checkpoints: Vec<Columns>,
}

/// How far apart a long line's checkpoints are, in bytes: converting an
/// offset counts at most this many bytes (and three more, to a character's
/// start). Lines shorter than this have none.
const COLUMN_STRIDE: usize = 1024;

/// A line with checkpoints: its `k`-th (from 1) is
/// `checkpoints[first_checkpoint + k - 1]`, at `k` strides from the line's
/// start, rounded down to a character's start.
#[derive(Debug, Clone, Copy)]
struct LongLine {
    line: usize,
    first_checkpoint: usize,
}

/// The columns before a place in a line, in UTF-16 code units and in
/// characters (UTF-8 columns are byte counts and need no checkpoint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Columns {
    utf16: u32,
    chars: u32,
}

impl Columns {
    /// The columns `segment` spans.
    fn of(segment: &str) -> Columns {
        if segment.is_ascii() {
            let length = segment.len() as u32;
            return Columns {
                utf16: length,
                chars: length,
            };
        }
        // One pass over the bytes, which the compiler vectorizes: every
        // byte but a continuation byte (0x80–0xBF) starts a character, and
        // a character beyond the Basic Multilingual Plane, four bytes in
        // UTF-8 (led by 0xF0–0xF4), takes two UTF-16 code units.
        let (mut continuations, mut astral) = (0u32, 0u32);
        for &byte in segment.as_bytes() {
            continuations += u32::from(matches!(byte, 0x80..=0xBF));
            astral += u32::from(byte >= 0xF0);
        }
        let chars = segment.len() as u32 - continuations;
        Columns {
            utf16: chars + astral,
            chars,
        }
    }

    fn plus(self, other: Columns) -> Columns {
        Columns {
            utf16: self.utf16 + other.utf16,
            chars: self.chars + other.chars,
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(line_starts_after(text.as_bytes(), 0..text.len()));
        let (long_lines, checkpoints) = column_checkpoints(text, &line_starts);
        LineIndex {
            line_starts,
            len: text.len(),
            long_lines,
            checkpoints,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// `line_of`, trying the lines from `near` on before a binary search.
    fn line_of_near(&self, offset: usize, near: usize) -> usize {
        const LOOK_AHEAD: usize = 4;
        let offset = offset.min(self.len);
        if self
            .line_starts
            .get(near)
            .is_some_and(|&start| start <= offset)
        {
            for line in near..(near + LOOK_AHEAD).min(self.line_starts.len()) {
                if self
                    .line_starts
                    .get(line + 1)
                    .is_none_or(|&next| next > offset)
                {
                    return line;
                }
            }
        }
        self.line_of(offset)
    }

    /// The byte offset where a 0-based line starts, clamped to the text.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// The byte range of a line's content, without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    /// Converts a byte offset into a 0-based line and column in `unit`.
    /// Offsets inside a character count from that character's start.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        self.line_col_near(text, offset, unit, 0)
    }

    /// `line_col`, looking first at the few lines from `near` on: offsets
    /// converted in order are found without a search.
    pub fn line_col_near(
        &self,
        text: &str,
        offset: usize,
        unit: ColumnUnit,
        near: usize,
    ) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of_near(offset, near);
        let start = self.line_starts[line];
        let character = match unit {
            ColumnUnit::Utf8 => (offset - start) as u32,
            ColumnUnit::Utf16 | ColumnUnit::Char => {
                let (from, before) = self.checkpoint_before(text, line, offset);
                let columns = before.plus(Columns::of(&text[from..offset]));
                match unit {
                    ColumnUnit::Utf16 => columns.utf16,
                    _ => columns.chars,
                }
            }
        };
        LineCol {
            line: line as u32,
            character,
        }
    }

    /// The nearest place at or before `offset` (a character's start on
    /// `line`) whose columns are known: a checkpoint, or the line's start.
    fn checkpoint_before(&self, text: &str, line: usize, offset: usize) -> (usize, Columns) {
        let start = self.line_starts[line];
        let strides = (offset - start) / COLUMN_STRIDE;
        match self.checkpoint(line, strides) {
            Some(columns) => (
                floor_char_boundary(text, start + strides * COLUMN_STRIDE),
                columns,
            ),
            None => (start, Columns::default()),
        }
    }

    /// The columns at `strides` strides from `line`'s start, if the line
    /// has a checkpoint there.
    fn checkpoint(&self, line: usize, strides: usize) -> Option<Columns> {
        let nth = strides.checked_sub(1)?;
        let position = self
            .long_lines
            .binary_search_by_key(&line, |long| long.line)
            .ok()?;
        let first = self.long_lines[position].first_checkpoint;
        let end = self
            .long_lines
            .get(position + 1)
            .map_or(self.checkpoints.len(), |next| next.first_checkpoint);
        self.checkpoints[first..end].get(nth).copied()
    }

    /// Converts a 0-based line and column back into a byte offset. Columns past
    /// the line's end are clamped to it; a column inside a character rounds
    /// down to its start. Returns `None` for a line past the end of the text.
    pub fn offset(&self, text: &str, position: LineCol, unit: ColumnUnit) -> Option<usize> {
        let line = position.line as usize;
        if line >= self.line_starts.len() {
            return None;
        }
        let range = self.line_range(text, line);
        let mut remaining = position.character as usize;
        for (index, character) in text[range.clone()].char_indices() {
            let width = match unit {
                ColumnUnit::Utf8 => character.len_utf8(),
                ColumnUnit::Utf16 => character.len_utf16(),
                ColumnUnit::Char => 1,
            };
            if remaining < width {
                return Some(range.start + index);
            }
            remaining -= width;
        }
        Some(range.end)
    }
}

/// Where the lines after line breaks in `bytes[range]` start: after a
/// `\n`, a `\r\n` or a lone `\r`.
fn line_starts_after(bytes: &[u8], range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
    let base = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &bytes[range]).filter_map(move |found| {
        let at = base + found;
        // The `\r` of a `\r\n` is not a line break of its own.
        let crlf = bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n');
        (!crlf).then_some(at + 1)
    })
}

/// The long lines of a text and their checkpoints: for each line of at
/// least `COLUMN_STRIDE` bytes, the columns before each stride from its
/// start (rounded down to a character's start) that lies within the line.
fn column_checkpoints(text: &str, line_starts: &[usize]) -> (Vec<LongLine>, Vec<Columns>) {
    let mut long_lines = Vec::new();
    let mut checkpoints = Vec::new();
    let line_ends = line_starts.iter().skip(1).copied().chain([text.len()]);
    for (line, (start, end)) in line_starts.iter().copied().zip(line_ends).enumerate() {
        if end - start < COLUMN_STRIDE {
            continue;
        }
        long_lines.push(LongLine {
            line,
            first_checkpoint: checkpoints.len(),
        });
        let (mut from, mut before) = (start, Columns::default());
        for stride_start in (start + COLUMN_STRIDE..=end).step_by(COLUMN_STRIDE) {
            let to = floor_char_boundary(text, stride_start);
            before = before.plus(Columns::of(&text[from..to]));
            checkpoints.push(before);
            from = to;
        }
    }
    (long_lines, checkpoints)
}

/// 0-based line numbers of offsets asked for in increasing order, counted
/// as they are asked for: cheaper than a `LineIndex` when a few offsets of
/// a long text need a line.
#[derive(Debug)]
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            bytes: text.as_bytes(),
            offset: 0,
            line: 0,
        }
    }

    /// The line holding `offset`, as `LineIndex::line_of` gives it. Offsets
    /// before the last one asked for are counted from the start again.
    pub fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 0);
        }
        self.line += line_starts_after(self.bytes, self.offset..offset).count();
        self.offset = offset;
        self.line
    }
}

/// The largest character boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_crlf_cr_and_emoji() {
        let text = "a😀b\r\nc\rd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let b = text.find('b').unwrap();
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Utf16),
            LineCol {
                line: 0,
                character: 3
            }
        );
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Utf8),
            LineCol {
                line: 0,
                character: 5
            }
        );
        assert_eq!(
            index.line_col(text, b, ColumnUnit::Char),
            LineCol {
                line: 0,
                character: 2
            }
        );
        let d = text.find('d').unwrap();
        assert_eq!(
            index.line_col(text, d, ColumnUnit::Utf16),
            LineCol {
                line: 2,
                character: 0
            }
        );
        assert_eq!(
            index.offset(
                text,
                LineCol {
                    line: 0,
                    character: 3
                },
                ColumnUnit::Utf16
            ),
            Some(b)
        );
        // Inside the surrogate pair: rounds down to the emoji's start.
        assert_eq!(
            index.offset(
                text,
                LineCol {
                    line: 0,
                    character: 2
                },
                ColumnUnit::Utf16
            ),
            Some(1)
        );
        // Past the line's end: clamped before the line break.
        assert_eq!(
            index.offset(
                text,
                LineCol {
                    line: 1,
                    character: 99
                },
                ColumnUnit::Utf16
            ),
            Some(text.find('c').unwrap() + 1)
        );
        assert_eq!(
            index.offset(
                text,
                LineCol {
                    line: 9,
                    character: 0
                },
                ColumnUnit::Utf16
            ),
            None
        );
    }

    /// Columns on long lines (multibyte characters across stride
    /// boundaries, every line ending) are what counting from the line's
    /// start gives, and are counted from at most a stride before the
    /// offset: the work per conversion does not grow with the line.
    #[test]
    fn long_lines_count_columns_from_a_checkpoint_within_a_stride() {
        let unit = "ab é 中 😀 ";
        // About `bytes` long, never longer.
        let line = |bytes: usize| {
            let long = unit.repeat(bytes / unit.len() + 1);
            long[..floor_char_boundary(&long, bytes)].to_string()
        };
        let text = [
            line(COLUMN_STRIDE * 3),
            "\r\n".to_string(),
            line(COLUMN_STRIDE - 10),
            "\r".to_string(),
            "x".repeat(COLUMN_STRIDE),
            "\n".to_string(),
            line(COLUMN_STRIDE * 2 + 5),
        ]
        .concat();
        let index = LineIndex::new(&text);
        assert_eq!(index.long_lines.len(), 3);
        for offset in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            let line = index.line_of(offset);
            let prefix = &text[index.line_start(line)..offset];
            for (unit, expected) in [
                (ColumnUnit::Utf8, prefix.len()),
                (ColumnUnit::Utf16, prefix.encode_utf16().count()),
                (ColumnUnit::Char, prefix.chars().count()),
            ] {
                let found = index.line_col(&text, offset, unit);
                assert_eq!(
                    (found.line as usize, found.character as usize),
                    (line, expected),
                    "{offset} in {unit:?}"
                );
            }
            let (from, _) = index.checkpoint_before(&text, line, offset);
            assert!(
                from <= offset && offset - from < COLUMN_STRIDE + 4,
                "{offset} counted from {from}"
            );
        }
    }

    #[test]
    fn counted_lines_match_the_index() {
        let text = "a\r\nb\rc\n\nd\r\n\re";
        let index = LineIndex::new(text);
        let mut counter = LineCounter::new(text);
        for offset in 0..=text.len() + 1 {
            assert_eq!(
                counter.line_of(offset),
                index.line_of(offset),
                "at {offset}"
            );
        }
        assert_eq!(counter.line_of(3), index.line_of(3));
    }

    #[test]
    fn lines_found_near_a_hint_match_a_search() {
        let text = "a\nbb\r\nccc\rd\n\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            for near in 0..index.line_count() + 2 {
                assert_eq!(
                    index.line_of_near(offset, near),
                    index.line_of(offset),
                    "{offset} near {near}"
                );
            }
        }
    }
}

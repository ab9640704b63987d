//! Open documents and the only conversions between LSP positions and byte
//! offsets. A document is a ropey rope (LSP line breaks only: `\n`, `\r\n`,
//! `\r`) changed in place by incremental edits. Columns count UTF-8 bytes or
//! UTF-16 code units, as negotiated; a column past a line's end is clamped
//! to it, a column inside a character rounds down to its start, and a line
//! past the document's end is an error the caller turns into a reply.
//! Files that are not open (indexed notes) convert through the core's
//! `LineIndex` instead of a rope, with the same rules.

use std::fmt;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range as LspRange, TextDocumentContentChangeEvent};

use crate::core::changes::Edit;
use crate::core::line_index::{ColumnUnit, LineIndex};

/// How position columns count, as negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A position whose line is past the document's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionError {
    pub position: Position,
    pub line_count: usize,
}

impl fmt::Display for PositionError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "position {}:{} is past the document's end ({} lines)",
            self.position.line, self.position.character, self.line_count
        )
    }
}

/// The char index where a line's content ends, before its line break.
fn line_content_end(rope: &Rope, line: usize) -> usize {
    let next = if line + 1 < rope.len_lines() {
        rope.line_to_char(line + 1)
    } else {
        return rope.len_chars();
    };
    let mut end = next;
    if end > 0 && rope.char(end - 1) == '\n' {
        end -= 1;
        if end > 0 && rope.char(end - 1) == '\r' {
            end -= 1;
        }
    } else if end > 0 && rope.char(end - 1) == '\r' {
        end -= 1;
    }
    end
}

/// A rope's text in one shared allocation, copied once: a parse and a bank
/// built from the same version hold the same text (`rope.to_string()` and
/// then `Arc::from` would copy a 30 MB bank twice).
pub fn shared_text(rope: &Rope) -> Arc<str> {
    let length = rope.len_bytes();
    let mut bytes: Arc<[MaybeUninit<u8>]> = Arc::new_uninit_slice(length);
    let Some(slots) = Arc::get_mut(&mut bytes) else {
        return Arc::from(rope.to_string());
    };
    let mut written = 0;
    for chunk in rope.chunks() {
        let target = &mut slots[written..written + chunk.len()];
        // SAFETY: `target` is `chunk.len()` writable bytes (the slice index
        // above is bounds-checked) and cannot overlap the rope's chunk.
        unsafe {
            std::ptr::copy_nonoverlapping(
                chunk.as_ptr(),
                target.as_mut_ptr().cast::<u8>(),
                chunk.len(),
            );
        }
        written += chunk.len();
    }
    if written != length {
        return Arc::from(rope.to_string());
    }
    // SAFETY: all `length` bytes were written above.
    let bytes: Arc<[u8]> = unsafe { bytes.assume_init() };
    // SAFETY: the bytes are the rope's chunks in order, each a `str`, so
    // they are UTF-8; `str` and `[u8]` have the same layout.
    unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) }
}

/// The byte offset of a position. Columns past the line's end are clamped.
pub fn offset(rope: &Rope, position: Position, encoding: Encoding) -> Result<usize, PositionError> {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return Err(PositionError {
            position,
            line_count: rope.len_lines(),
        });
    }
    let column = position.character as usize;
    let start_char = rope.line_to_char(line);
    let end_char = line_content_end(rope, line);
    let char_index = match encoding {
        Encoding::Utf8 => {
            let start = rope.char_to_byte(start_char);
            let end = rope.char_to_byte(end_char);
            // `byte_to_char` names the char holding the byte: rounds down.
            rope.byte_to_char(start.saturating_add(column).min(end))
        }
        Encoding::Utf16 => {
            let start = rope.char_to_utf16_cu(start_char);
            let end = rope.char_to_utf16_cu(end_char);
            // Inside a surrogate pair, `utf16_cu_to_char` rounds down.
            rope.utf16_cu_to_char(start.saturating_add(column).min(end))
        }
    };
    Ok(rope.char_to_byte(char_index))
}

/// The position of a byte offset; offsets past the end or inside a
/// character are moved to the nearest character start at or before them.
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let char_index = rope.byte_to_char(offset.min(rope.len_bytes()));
    let line = rope.char_to_line(char_index);
    let start_char = rope.line_to_char(line);
    let character = match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.char_to_byte(start_char),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(start_char),
    };
    Position::new(line as u32, character as u32)
}

pub fn range(rope: &Rope, range: Range<usize>, encoding: Encoding) -> LspRange {
    LspRange::new(
        position(rope, range.start, encoding),
        position(rope, range.end, encoding),
    )
}

/// The LSP range of a byte range in a text that is not open: an indexed
/// note's, through its line index.
pub fn text_range(
    text: &str,
    lines: &LineIndex,
    range: Range<usize>,
    encoding: Encoding,
) -> LspRange {
    text_range_near(text, lines, range, encoding, &mut 0)
}

/// `text_range` for ranges met in order: `near` is the line of the last
/// one, where the search for this one's lines starts.
pub fn text_range_near(
    text: &str,
    lines: &LineIndex,
    range: Range<usize>,
    encoding: Encoding,
    near: &mut usize,
) -> LspRange {
    let unit = match encoding {
        Encoding::Utf8 => ColumnUnit::Utf8,
        Encoding::Utf16 => ColumnUnit::Utf16,
    };
    let mut position = |offset: usize| {
        let found = lines.line_col_near(text, offset.min(text.len()), unit, *near);
        *near = found.line as usize;
        Position::new(found.line, found.character)
    };
    let start = position(range.start);
    LspRange::new(start, position(range.end))
}

/// The byte range of an LSP range, its ends put in order.
pub fn offsets(
    rope: &Rope,
    range: LspRange,
    encoding: Encoding,
) -> Result<Range<usize>, PositionError> {
    let start = offset(rope, range.start, encoding)?;
    let end = offset(rope, range.end, encoding)?;
    Ok(start.min(end)..start.max(end))
}

/// Edits kept for a parse to catch up with; beyond this many without a
/// parse, the next parse reads the whole text again.
const MAX_EDITS: usize = 10_000;

/// One open document, and the edits it went through since its last parse.
#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    /// Each edit with the version it was applied to.
    edits: Vec<(i32, Edit)>,
    /// The earliest version the edits lead on from.
    edits_since: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            edits: Vec::new(),
            edits_since: version,
        }
    }

    /// The edits that made the current text of the text at `version`, in
    /// order; `None` when they are not all known.
    pub fn edits_after(&self, version: i32) -> Option<Vec<Edit>> {
        if version < self.edits_since || version > self.version {
            return None;
        }
        let first = self
            .edits
            .partition_point(|(applied_to, _)| *applied_to < version);
        Some(self.edits[first..].iter().map(|(_, edit)| *edit).collect())
    }

    /// Forgets the edits made before `version`: a parse of it is kept.
    pub fn forget_edits_before(&mut self, version: i32) {
        let first = self
            .edits
            .partition_point(|(applied_to, _)| *applied_to < version);
        self.edits.drain(..first);
        self.edits_since = self.edits_since.max(version);
    }

    fn record(&mut self, edit: Edit) {
        if self.edits.len() >= MAX_EDITS {
            self.edits.clear();
            self.edits_since = self.version + 1;
            return;
        }
        self.edits.push((self.version, edit));
    }

    /// Applies one change: a whole new text, or an edit of a range. A range
    /// reaching past the document's end is clamped to the end, and reported
    /// so the caller can log the client's mistake.
    pub fn apply(
        &mut self,
        change: &TextDocumentContentChangeEvent,
        encoding: Encoding,
    ) -> Result<(), PositionError> {
        let Some(range) = change.range else {
            self.record(Edit {
                start: 0,
                end: self.rope.len_bytes(),
                inserted: change.text.len(),
            });
            self.rope = Rope::from_str(&change.text);
            return Ok(());
        };
        let clamp = |position: Position| {
            offset(&self.rope, position, encoding).map_err(|error| (error, self.rope.len_bytes()))
        };
        let mut problem = None;
        let mut resolve = |position| match clamp(position) {
            Ok(offset) => offset,
            Err((error, end)) => {
                problem = Some(error);
                end
            }
        };
        let start = resolve(range.start);
        let end = resolve(range.end);
        let (start, end) = (start.min(end), start.max(end));
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        // The bytes the rope actually replaces (offsets are char starts).
        self.record(Edit {
            start: self.rope.char_to_byte(start_char),
            end: self.rope.char_to_byte(end_char),
            inserted: change.text.len(),
        });
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, &change.text);
        match problem {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared copy of a rope is its text, byte for byte, across many
    /// chunks and multibyte characters.
    #[test]
    fn a_shared_text_is_the_rope_s_text() {
        let text = "ab 😀 é\r\n中文\n".repeat(5_000);
        let mut rope = Rope::from_str(&text);
        rope.insert(3, "✓");
        assert!(rope.chunks().count() > 10);
        let expected = rope.to_string();
        assert_eq!(&*shared_text(&rope), expected.as_str());
        assert_eq!(&*shared_text(&Rope::new()), "");
    }

    fn at(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(LspRange::new(at(start.0, start.1), at(end.0, end.1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn emoji_columns_in_both_encodings() {
        let text = "a😀b BE-23\n";
        let rope = Rope::from_str(text);
        let b = text.find('b').unwrap();
        assert_eq!(offset(&rope, at(0, 3), Encoding::Utf16), Ok(b));
        assert_eq!(offset(&rope, at(0, 5), Encoding::Utf8), Ok(b));
        assert_eq!(position(&rope, b, Encoding::Utf16), at(0, 3));
        assert_eq!(position(&rope, b, Encoding::Utf8), at(0, 5));
        // Inside the surrogate pair or the emoji's bytes: its start.
        assert_eq!(offset(&rope, at(0, 2), Encoding::Utf16), Ok(1));
        assert_eq!(offset(&rope, at(0, 3), Encoding::Utf8), Ok(1));
        assert_eq!(position(&rope, 3, Encoding::Utf16), at(0, 1));
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "ab\r\ncd\ref\ngh";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 4);
        assert_eq!(offset(&rope, at(1, 0), Encoding::Utf16), Ok(4));
        assert_eq!(offset(&rope, at(2, 1), Encoding::Utf16), Ok(8));
        assert_eq!(offset(&rope, at(3, 2), Encoding::Utf8), Ok(text.len()));
        assert_eq!(position(&rope, 4, Encoding::Utf16), at(1, 0));
        assert_eq!(position(&rope, 7, Encoding::Utf16), at(2, 0));
        // Between `\r` and `\n`: still on the first line.
        assert_eq!(position(&rope, 3, Encoding::Utf16), at(0, 3));
    }

    #[test]
    fn other_unicode_breaks_are_not_line_breaks() {
        let text = "a\u{2028}b\u{85}c\u{c}d\n";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 2);
        assert_eq!(
            position(&rope, text.find('d').unwrap(), Encoding::Utf16),
            at(0, 6)
        );
    }

    #[test]
    fn columns_past_the_end_clamp_and_lines_past_the_end_fail() {
        let rope = Rope::from_str("ab\r\ncd\n");
        assert_eq!(offset(&rope, at(0, 99), Encoding::Utf16), Ok(2));
        assert_eq!(offset(&rope, at(1, 99), Encoding::Utf8), Ok(6));
        // The empty line after the last break exists.
        assert_eq!(offset(&rope, at(2, 5), Encoding::Utf16), Ok(7));
        let error = offset(&rope, at(3, 0), Encoding::Utf16).unwrap_err();
        assert_eq!(error.line_count, 3);
        assert_eq!(position(&rope, 999, Encoding::Utf16), at(2, 0));
        let empty = Rope::new();
        assert_eq!(offset(&empty, at(0, 4), Encoding::Utf16), Ok(0));
        assert!(offset(&empty, at(1, 0), Encoding::Utf16).is_err());
    }

    #[test]
    fn ranges_round_trip_and_are_ordered() {
        let text = "x😀y\r\nz";
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            for start in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                let converted = position(&rope, start, encoding);
                // Between `\r` and `\n` is no position of its own.
                if start > 0 && text.as_bytes()[start - 1] == b'\r' {
                    continue;
                }
                assert_eq!(offset(&rope, converted, encoding), Ok(start), "{start}");
            }
        }
        let backwards = LspRange::new(at(1, 1), at(0, 0));
        assert_eq!(
            offsets(&rope, backwards, Encoding::Utf16),
            Ok(0..text.len())
        );
    }

    #[test]
    fn closed_files_convert_like_open_ones() {
        let text = "a😀b\r\nBE-23 x\rlast";
        let rope = Rope::from_str(text);
        let lines = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            for start in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                let expected = range(&rope, start..text.len(), encoding);
                assert_eq!(
                    text_range(text, &lines, start..text.len(), encoding),
                    expected,
                    "{start}"
                );
            }
        }
    }

    #[test]
    fn incremental_edits_with_emoji_and_crlf() {
        let mut document = Document::new("héllo 😀 wörld\r\nline two\n", 1);
        document
            .apply(&change((0, 8), (0, 9), "🙂!"), Encoding::Utf16)
            .unwrap();
        assert_eq!(document.rope.to_string(), "héllo 😀🙂!wörld\r\nline two\n");
        // Join the lines by deleting the CRLF.
        document
            .apply(&change((0, 99), (1, 0), " "), Encoding::Utf16)
            .unwrap();
        assert_eq!(document.rope.to_string(), "héllo 😀🙂!wörld line two\n");
        // A lone CR typed before a CRLF: two line breaks.
        let mut split = Document::new("a\r\nb", 1);
        split
            .apply(&change((0, 1), (0, 1), "x"), Encoding::Utf8)
            .unwrap();
        assert_eq!(split.rope.to_string(), "ax\r\nb");
        split
            .apply(&change((0, 2), (0, 2), "\r"), Encoding::Utf8)
            .unwrap();
        assert_eq!(split.rope.len_lines(), 3);
        assert_eq!(offset(&split.rope, at(2, 0), Encoding::Utf8), Ok(5));
        // A range past the end is clamped and reported.
        let error = split.apply(&change((0, 0), (9, 0), "all"), Encoding::Utf8);
        assert!(error.is_err());
        assert_eq!(split.rope.to_string(), "all");
        // A whole-text change.
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new".to_string(),
        };
        split.apply(&full, Encoding::Utf8).unwrap();
        assert_eq!(split.rope.to_string(), "new");
    }
}

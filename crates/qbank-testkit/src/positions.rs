//! An independent model of LSP positions over a plain `String`, written
//! without qbank's own conversion code so that tests can check it: lines
//! end at `\n`, `\r\n` or `\r` (and the text after the last break is a line
//! too); a column counts UTF-8 bytes or UTF-16 units; a column past a line's
//! end clamps to it; a column inside a character rounds down to its start.
//! On top of it: positions and ranges as protocol JSON, finding a needle's
//! position, and applying LSP edits and content changes as an editor does.

use std::ops::Range;

use serde_json::{Value, json};

/// Which unit a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Utf8,
    Utf16,
}

/// A (line, column) pair, zero-based.
pub type LineColumn = (u32, u32);

/// The byte ranges of a text's lines, without their line breaks.
pub fn lines(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let break_length = match bytes[at] {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if break_length == 0 {
            at += 1;
            continue;
        }
        lines.push(start..at);
        at += break_length;
        start = at;
    }
    lines.push(start..bytes.len());
    lines
}

/// The width of a character in a unit.
fn width(character: char, unit: Unit) -> u64 {
    match unit {
        Unit::Utf8 => character.len_utf8() as u64,
        Unit::Utf16 => character.len_utf16() as u64,
    }
}

/// The byte offset of a (line, column); `None` for a line past the end.
pub fn offset(text: &str, line: u32, column: u32, unit: Unit) -> Option<usize> {
    let lines = lines(text);
    let line = lines.get(line as usize)?;
    let mut counted: u64 = 0;
    for (index, character) in text[line.clone()].char_indices() {
        let next = counted + width(character, unit);
        if next > u64::from(column) {
            return Some(line.start + index);
        }
        counted = next;
    }
    Some(line.end)
}

/// The (line, column) of a byte offset on a character boundary.
pub fn position(text: &str, offset: usize, unit: Unit) -> LineColumn {
    let lines = lines(text);
    // The last line starting at or before the offset; an offset between
    // `\r` and `\n` stays on the line the `\r` ends.
    let line = lines
        .iter()
        .rposition(|line| line.start <= offset)
        .unwrap_or(0);
    let prefix = &text[lines[line].start..offset];
    let column = match unit {
        Unit::Utf8 => prefix.len(),
        Unit::Utf16 => prefix.encode_utf16().count(),
    };
    (line as u32, column as u32)
}

/// A position as protocol JSON.
pub fn position_json((line, character): LineColumn) -> Value {
    json!({ "line": line, "character": character })
}

/// A range as protocol JSON.
pub fn range_json(start: LineColumn, end: LineColumn) -> Value {
    json!({ "start": position_json(start), "end": position_json(end) })
}

/// The UTF-16 position of the first `needle` in a text, `extra` units
/// further on the same line (to stand inside a key, say), as JSON.
pub fn position_of(text: &str, needle: &str, extra: u32) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    let (line, column) = position(text, at, Unit::Utf16);
    position_json((line, column + extra))
}

/// The UTF-16 position of a text's end, as JSON.
pub fn end_position(text: &str) -> Value {
    position_json(position(text, text.len(), Unit::Utf16))
}

/// The byte offset a JSON position names; `None` for a line past the end.
pub fn offset_of_json(text: &str, position: &Value, unit: Unit) -> Option<usize> {
    let number = |field: &str| {
        let value = position[field]
            .as_u64()
            .unwrap_or_else(|| panic!("a position with a numeric {field}: {position}"));
        u32::try_from(value).unwrap_or(u32::MAX)
    };
    offset(text, number("line"), number("character"), unit)
}

/// The byte range a JSON range names, which must lie inside the text.
pub fn byte_range(text: &str, range: &Value, unit: Unit) -> Range<usize> {
    let at = |end: &str| {
        offset_of_json(text, &range[end], unit)
            .unwrap_or_else(|| panic!("the range {range} ends past the text"))
    };
    at("start")..at("end")
}

/// The text a JSON range covers.
pub fn covered<'text>(text: &'text str, range: &Value, unit: Unit) -> &'text str {
    &text[byte_range(text, range, unit)]
}

/// Applies LSP text edits (JSON) to a text as an editor would: every range
/// is read in the original text.
pub fn apply_edits(text: &str, edits: &[Value], unit: Unit) -> String {
    let mut resolved: Vec<(Range<usize>, &str)> = edits
        .iter()
        .map(|edit| {
            let new_text = edit["newText"]
                .as_str()
                .unwrap_or_else(|| panic!("an edit with a newText: {edit}"));
            (byte_range(text, &edit["range"], unit), new_text)
        })
        .collect();
    resolved.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut result = text.to_string();
    for (range, new_text) in resolved {
        result.replace_range(range, new_text);
    }
    result
}

/// Applies one `didChange` content change by the server's rules: no range
/// replaces the whole text; a position on a line past the end stands for
/// the text's end; the two ends are put in order. Returns whether a
/// position was past the end.
pub fn apply_change(
    text: &mut String,
    range: Option<(LineColumn, LineColumn)>,
    new_text: &str,
    unit: Unit,
) -> bool {
    let Some((start, end)) = range else {
        *text = new_text.to_string();
        return false;
    };
    let mut past_end = false;
    let mut resolve = |(line, column): LineColumn| {
        offset(text, line, column, unit).unwrap_or_else(|| {
            past_end = true;
            text.len()
        })
    };
    let start = resolve(start);
    let end = resolve(end);
    text.replace_range(start.min(end)..start.max(end), new_text);
    past_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_every_lsp_break() {
        assert_eq!(lines("a\nb\r\nc\rd"), [0..1, 2..3, 5..6, 7..8]);
        let empty = lines("");
        assert_eq!((empty.len(), empty[0].clone()), (1, 0..0));
        assert_eq!(lines("x\n"), [0..1, 2..2]);
    }

    #[test]
    fn columns_clamp_and_round_down() {
        let text = "😀a\r\nb";
        assert_eq!(offset(text, 0, 1, Unit::Utf16), Some(0));
        assert_eq!(offset(text, 0, 2, Unit::Utf16), Some(4));
        assert_eq!(offset(text, 0, 99, Unit::Utf16), Some(5));
        assert_eq!(offset(text, 1, 0, Unit::Utf8), Some(7));
        assert_eq!(offset(text, 2, 0, Unit::Utf8), None);
        assert_eq!(position(text, 4, Unit::Utf16), (0, 2));
        assert_eq!(position(text, 4, Unit::Utf8), (0, 4));
        assert_eq!(position(text, 5, Unit::Utf16), (0, 3));
        assert_eq!(position(text, 7, Unit::Utf16), (1, 0));
    }

    #[test]
    fn edits_read_their_ranges_in_the_original_text() {
        let text = "one two three";
        let edits = [
            json!({ "range": range_json((0, 0), (0, 3)), "newText": "1" }),
            json!({ "range": range_json((0, 8), (0, 13)), "newText": "3" }),
        ];
        assert_eq!(apply_edits(text, &edits, Unit::Utf8), "1 two 3");
        let mut changed = text.to_string();
        assert!(apply_change(
            &mut changed,
            Some(((0, 4), (5, 0))),
            "!",
            Unit::Utf8
        ));
        assert_eq!(changed, "one !");
    }
}

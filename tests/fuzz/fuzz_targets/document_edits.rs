//! Fuzz target: document edits. The input is a starting text and a script
//! of incremental changes (positions in UTF-8 or UTF-16 columns, anywhere,
//! past line and document ends included) applied to the server's
//! `Document`; the rope must equal a plain `String` edited by the same
//! clamping rules after every change, and positions must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank::lsp::document::{Document, Encoding, offset, position};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// (start, content end) of each line; `\n`, `\r\n` and `\r` end a line.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut found, mut start, mut at) = (Vec::new(), 0, 0);
    while at < bytes.len() {
        let width = match bytes[at] {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if width > 0 {
            found.push((start, at));
            at += width;
            start = at;
        } else {
            at += 1;
        }
    }
    found.push((start, bytes.len()));
    found
}

fn model_offset(text: &str, line: u32, column: u32, utf8: bool) -> Option<usize> {
    let &(start, end) = lines(text).get(line as usize)?;
    let mut counted = 0u64;
    for (index, character) in text[start..end].char_indices() {
        let width = if utf8 {
            character.len_utf8()
        } else {
            character.len_utf16()
        } as u64;
        if counted + width > u64::from(column) {
            return Some(start + index);
        }
        counted += width;
    }
    Some(end)
}

/// Reads small numbers from the input, as a script.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    fn number(&mut self) -> Option<u32> {
        Some(match self.byte()? {
            255 => u32::MAX,
            254 => u32::from(self.byte()?) * 256 + u32::from(self.byte()?),
            small => u32::from(small % 16),
        })
    }

    fn text(&mut self) -> Option<String> {
        let length = usize::from(self.byte()? % 12);
        let bytes = self.0.get(..length.min(self.0.len()))?;
        self.0 = &self.0[bytes.len()..];
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut reader = Reader(data);
    let Some(flags) = reader.byte() else { return };
    let utf8 = flags & 1 == 1;
    let encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let Some(initial) = reader.text() else { return };
    let mut document = Document::new(&initial, 1);
    let mut model = initial;
    while let (Some(kind), Some(a), Some(b), Some(c), Some(d), Some(new_text)) = (
        reader.byte(),
        reader.number(),
        reader.number(),
        reader.number(),
        reader.number(),
        reader.text(),
    ) {
        let range = (kind % 8 != 0).then(|| Range::new(Position::new(a, b), Position::new(c, d)));
        let change = TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: new_text.clone(),
        };
        let result = document.apply(&change, encoding);
        match range {
            None => model = new_text,
            Some(_) => {
                let start = model_offset(&model, a, b, utf8);
                let end = model_offset(&model, c, d, utf8);
                assert_eq!(result.is_err(), start.is_none() || end.is_none());
                let start = start.unwrap_or(model.len());
                let end = end.unwrap_or(model.len());
                model.replace_range(start.min(end)..start.max(end), &new_text);
            }
        }
        assert_eq!(document.rope.to_string(), model);
    }
    assert_eq!(document.rope.len_lines(), lines(&model).len());
    for at in (0..=model.len()).filter(|&at| model.is_char_boundary(at)) {
        let found = position(&document.rope, at, encoding);
        let inside_crlf =
            at > 0 && model.as_bytes()[at - 1] == b'\r' && model.as_bytes().get(at) == Some(&b'\n');
        if !inside_crlf {
            assert_eq!(offset(&document.rope, found, encoding), Ok(at));
        }
    }
});

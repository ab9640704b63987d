//! Front matter, read by hand: a `---` line at the very start of a file,
//! at least one line that is neither blank nor closing, and a `---` or
//! `...` line (trailing spaces allowed), as pulldown-cmark reads a YAML
//! metadata block. Banks and notes use this instead of pulldown-cmark's
//! option, which also takes any two `---` lines deep in a document (two
//! thematic breaks) for a metadata block and hides what lies between.
//! A file's start is after its UTF-8 byte order mark, if some editor wrote
//! one: the mark is no part of the text (pulldown-cmark would read it as
//! a paragraph's first character and miss a heading on that line), while
//! offsets stay those of the whole file.

use std::ops::Range;

/// Where a file's front matter ends (after its closing line), and its
/// content: the lines between the opening and the closing line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub end: usize,
    pub content: Range<usize>,
}

/// The UTF-8 byte order mark: U+FEFF at a file's start.
const BYTE_ORDER_MARK: char = '\u{FEFF}';

/// Where a file's text starts: after its byte order mark, if it has one.
pub fn text_start(text: &str) -> usize {
    if text.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len_utf8()
    } else {
        0
    }
}

pub fn front_matter_end(text: &str) -> Option<FrontMatter> {
    let start = text_start(text);
    let first_end = line_end(text, start);
    if text[start..first_end].trim_end_matches(|c: char| c.is_ascii_whitespace()) != "---" {
        return None;
    }
    let mut at = first_end;
    while at < text.len() {
        let end = line_end(text, at);
        let line = text[at..end].trim_end_matches(['\n', '\r']);
        let closing = matches!(line.trim_end_matches(' '), "---" | "...");
        if at == first_end && (closing || line.trim().is_empty()) {
            return None;
        }
        if closing {
            return Some(FrontMatter {
                end,
                content: first_end..at,
            });
        }
        at = end;
    }
    None
}

/// The end of the line holding `offset`, its line break included.
pub fn line_end(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    match memchr::memchr2(b'\n', b'\r', &bytes[offset.min(bytes.len())..]) {
        None => bytes.len(),
        Some(found) => {
            let at = offset + found;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_block_at_the_start_counts() {
        let text = "---\nprefix: BE\n---\n# Title\n";
        assert_eq!(
            front_matter_end(text),
            Some(FrontMatter {
                end: 19,
                content: 4..15
            })
        );
        assert_eq!(&text[4..15], "prefix: BE\n");
        assert_eq!(front_matter_end("---\n\nprefix: BE\n---\n"), None);
        assert_eq!(front_matter_end("---\nprefix: BE\n"), None);
        assert_eq!(front_matter_end("# T\n---\nx\n---\n"), None);
        assert_eq!(
            front_matter_end("---\r\na: b\r\n...  \r\nrest").map(|front| front.end),
            Some(18)
        );
    }

    #[test]
    fn a_byte_order_mark_comes_before_the_front_matter() {
        let text = "\u{FEFF}---\nprefix: BE\n---\n# Title\n";
        assert_eq!(text_start(text), 3);
        assert_eq!(
            front_matter_end(text),
            Some(FrontMatter {
                end: 22,
                content: 7..18
            })
        );
        assert_eq!(&text[7..18], "prefix: BE\n");
        assert_eq!(text_start("---\n\u{FEFF}"), 0);
        assert_eq!(front_matter_end("\u{FEFF}# T\n---\nx\n---\n"), None);
    }
}

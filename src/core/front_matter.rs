//! Front matter, read by hand: a `---` line at the very start of a file,
//! at least one line that is neither blank nor closing, and a `---` or
//! `...` line (trailing spaces allowed), as pulldown-cmark reads a YAML
//! metadata block. Banks and notes use this instead of pulldown-cmark's
//! option, which also takes any two `---` lines deep in a document (two
//! thematic breaks) for a metadata block and hides what lies between.

use std::ops::Range;

/// Where a file's front matter ends (after its closing line), and its
/// content: the lines between the opening and the closing line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub end: usize,
    pub content: Range<usize>,
}

pub fn front_matter_end(text: &str) -> Option<FrontMatter> {
    let first_end = line_end(text, 0);
    if text[..first_end].trim_end_matches(|c: char| c.is_ascii_whitespace()) != "---" {
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
}

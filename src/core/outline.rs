//! A fast path for a note's outline: its ATX headings, read line by line
//! instead of through pulldown-cmark, for commands that read thousands of
//! notes for their headings alone (`qbank scores`). It answers only when
//! the note holds nothing whose reading needs the full parser (a heading
//! with inline markup or indented, a block quote, HTML, a table, a
//! setext underline, an indented or unclosed-looking fence, a tab), and
//! then its answer equals `parse_outline`'s (a property test checks it);
//! otherwise it says `None` and the caller parses.

use crate::core::front_matter::{front_matter_end, text_start};
use crate::core::note::{Heading, Note, make_heading};

/// The note's outline as `parse_outline` reads it, or `None` when the
/// note holds something only the full parser reads exactly.
pub fn fast_outline(text: &str) -> Option<Note> {
    let body_start = front_matter_end(text).map_or(text_start(text), |front| front.end);
    let mut headings: Vec<Heading> = Vec::new();
    // The open fence's marker and length.
    let mut fence: Option<(u8, usize)> = None;
    let mut start = body_start;
    for raw in text[body_start..].split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some((marker, length)) = fence {
            if closes_fence(line, marker, length)? {
                fence = None;
            }
            continue;
        }
        match line.bytes().next() {
            None => {}
            Some(b'#') => headings.push(atx_heading(text, line_start..start, line)?),
            Some(marker @ (b'`' | b'~')) => {
                let run = line.bytes().take_while(|&b| b == marker).count();
                if run >= 3 {
                    if marker == b'`' && line[run..].contains('`') {
                        return None;
                    }
                    fence = Some((marker, run));
                }
            }
            Some(first) => {
                let indent = line.len() - line.trim_start_matches(' ').len();
                let rest = &line[indent..];
                let needs_parser = first == b'\t'
                    || matches!(rest.bytes().next(), Some(b'<' | b'>' | b'|' | b'#'))
                    || (indent > 0 && (rest.starts_with("```") || rest.starts_with("~~~")))
                    || is_underline_like(rest);
                if needs_parser {
                    return None;
                }
            }
        }
    }
    Some(Note::from_outline(headings, text.len()))
}

/// Whether `line` closes a fence of `marker` at least `length` long;
/// `None` for a line that might, read by the full parser, do otherwise.
fn closes_fence(line: &str, marker: u8, length: usize) -> Option<bool> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let run = rest.bytes().take_while(|&b| b == marker).count();
    if run < 3 {
        return Some(false);
    }
    if indent > 0 || line.contains('\t') {
        return None;
    }
    Some(run >= length && rest[run..].trim().is_empty())
}

/// `---`, `===`, `- - -`: a setext underline or a thematic break, which
/// change what the line above is.
fn is_underline_like(rest: &str) -> bool {
    let trimmed = rest.trim_end();
    !trimmed.is_empty()
        && (trimmed.bytes().all(|b| b == b'=' || b == b' ')
            || trimmed.bytes().all(|b| b == b'-' || b == b' '))
}

/// An ATX heading at the start of its line, read as pulldown-cmark
/// does; `None` for one whose text holds inline markup, a closing
/// sequence or nothing (and for a line that is no heading: `#hashtag`).
/// `range` is the line's, its line break included, as the parser's.
fn atx_heading(text: &str, range: std::ops::Range<usize>, line: &str) -> Option<Heading> {
    let line_start = range.start;
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let after = &line[level..];
    if level > 6 || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let content = after.trim_matches(' ');
    let has_markup = content.bytes().any(|b| b"*_`[]<>&\\!#\t".contains(&b));
    if content.is_empty() || has_markup {
        return None;
    }
    let content_start = line_start + level + (after.len() - after.trim_start_matches(' ').len());
    let text_range = content_start..content_start + content.len();
    Some(make_heading(text, level, range, content, Some(text_range)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::core::note::parse_outline;

    #[test]
    fn a_scored_round_is_read_without_the_parser() {
        let text = "# Alice — round 1\r\n\r\n## Interview packet · 2 questions · scored 1–4\r\n\r\n### BE-23 · What is ACID compliance, and why is it important in databases?\r\n- [x] Atomicity\r\n**Score:** 3 – solid\r\n```sql\r\n# not a heading\r\n```\r\n### BE-40 · SQL injection (prepared statements)\n**Score:**";
        let fast = fast_outline(text).expect("a plain round");
        assert_eq!(fast, parse_outline(text));
        assert_eq!(fast.headings.len(), 4);
    }

    #[test]
    fn what_needs_the_parser_is_left_to_it() {
        for text in [
            "## A *bold* heading\n",
            "  ## Indented\n",
            "> ## Quoted\n",
            "Text\n---\n",
            "<details>\n# x\n</details>\n",
            "- item\n  ```\n# heading?\n  ```\n",
            "| a |\n|---|\n",
            "## Closed ##\n",
        ] {
            assert_eq!(fast_outline(text), None, "{text:?}");
        }
    }

    /// Lines that make or unmake headings, in any order.
    fn line() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "# Title",
            "## Interview packet · 3 questions · scored 1–4",
            "### BE-23 · What is ACID?",
            "###BE-23",
            "####### seven",
            "#",
            "## ",
            "- [x] Atomicity",
            "  - nested",
            "**Score:** 3",
            "```",
            "````md",
            "~~~",
            "  ```",
            "    # indented code?",
            "\t# tab",
            "",
            "   ",
            "---",
            "===",
            "Some *prose* with BE-40.",
            "<!-- comment -->",
            "> quote",
            "| a | b |",
            "## emphasis *in* heading",
            "## trailing ##",
            "1. ordered",
            "# ünïcödé · 😀",
        ])
    }

    proptest! {
        #[test]
        fn when_it_answers_it_answers_as_the_parser(
            lines in prop::collection::vec(line(), 0..24),
            crlf in any::<bool>(),
        ) {
            let ending = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(ending);
            if let Some(fast) = fast_outline(&text) {
                prop_assert_eq!(fast, parse_outline(&text), "{:?}", text);
            }
        }
    }
}

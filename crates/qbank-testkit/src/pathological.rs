//! Markdown known to make parsers slow, and the shapes qbank's own analysis
//! walks, as generators of a text of about the size asked for: shared by
//! the end-to-end tests (each is analysed and gives sound results) and the
//! linear-time benchmark (`cargo bench --bench linear`, which times each at
//! two sizes; a test never asserts a time).

use qbank::core::diagnostic::Diagnostic;
use qbank::core::line_index::{ColumnUnit, LineCol, LineIndex};
use qbank::lsp::document::{Encoding, text_range_near};

/// Makes a text of about the size asked for.
pub type Generator = fn(usize) -> String;

/// A text of about `bytes` bytes made by repeating `unit`.
pub fn repeat(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len() + 1)
}

/// `levels` nested lists: markers on one line open a list each
/// (`- - - … BE-23`), then indented items up to 100 levels.
pub fn nested_lists(levels: usize) -> String {
    let mut text = "- ".repeat(levels);
    text.push_str("BE-23\n\n");
    text.push_str(&"1. ".repeat(levels));
    text.push_str("BE-23\n\n");
    for level in 0..levels.min(100) {
        text.push_str(&"  ".repeat(level));
        text.push_str("- BE-23\n");
    }
    text
}

/// One line of `keys` distinct unknown keys after an emoji: every column
/// differs by unit (bytes, UTF-16, characters), and a column counted from
/// the line's start each time would make printing their positions
/// quadratic.
pub fn keys_on_one_line(keys: usize) -> String {
    let keys: Vec<String> = (0..keys).map(|n| format!("BE-{}", 1000 + n)).collect();
    format!("😀 {}", keys.join(" "))
}

/// The pathological inputs, by name.
pub fn inputs() -> Vec<(&'static str, Generator)> {
    vec![
        ("open brackets", |n| repeat("[", n)),
        ("nested links", |n| repeat("[a](", n)),
        ("star runs", |n| repeat("*a**a", n)),
        ("underscores", |n| repeat("_a", n)),
        ("backticks", |n| repeat("`", n)),
        ("backtick runs", backtick_runs),
        ("nested quotes", |n| repeat(">", n)),
        ("html comments", |n| repeat("<!--", n)),
        ("angle brackets", |n| repeat("<a ", n)),
        ("table rows", |n| repeat("|a|b|\n|-|-|\n", n)),
        ("question sections", |n| repeat("## BE-23 · heading\n", n)),
        ("unknown key headings", |n| repeat("## BE-9999\n", n)),
        ("unknown keys", |n| repeat("BE-9999 ", n)),
        ("distinct unknown keys", distinct_unknown_keys),
        ("keys between code spans", |n| repeat("`x` BE-1 ", n)),
        ("headings of every level", headings_of_every_level),
        ("bank items", |n| {
            repeat("1. BE-23 What is it?\n   - tags: a\n", n)
        }),
        ("one long line", |n| repeat("a BE-23 ", n)),
        ("nested lists", |n| nested_lists(n / 8)),
    ]
}

/// Code spans opened by runs of 1 to 3,000 backticks.
fn backtick_runs(bytes: usize) -> String {
    let mut text = String::new();
    let mut run = 1;
    while text.len() < bytes {
        text.push_str(&"`".repeat(run));
        text.push(' ');
        run = run % 3000 + 1;
    }
    text
}

fn distinct_unknown_keys(bytes: usize) -> String {
    let mut text = String::new();
    let mut number = 1000;
    while text.len() < bytes {
        text.push_str(&format!("BE-{number} "));
        number += 1;
    }
    text
}

fn headings_of_every_level(bytes: usize) -> String {
    let mut text = String::new();
    let mut level = 0;
    while text.len() < bytes {
        text.push_str(&"#".repeat(level % 6 + 1));
        text.push_str(" BE-2 \n");
        level += 1;
    }
    text
}

/// Where each front end puts a diagnostic's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontEndPositions {
    /// `qbank check`: the start, in characters.
    pub cli: LineCol,
    /// `qbank check --format json`: start and end, in UTF-16 units.
    pub json: (LineCol, LineCol),
    /// The server's published range, converted in order from a line hint:
    /// start and end, in UTF-16 units.
    pub server: (LineCol, LineCol),
}

/// The positions each front end gives the diagnostics of a text, worked
/// out in order as each front end does; the last diagnostic's, if any.
pub fn positions_like_each_front_end(
    text: &str,
    diagnostics: &[Diagnostic],
) -> Option<FrontEndPositions> {
    let lines = LineIndex::new(text);
    let mut near = 0;
    let mut last = None;
    for diagnostic in diagnostics {
        let range = diagnostic.range.clone();
        let cli = lines.line_col(text, range.start, ColumnUnit::Char);
        let json = (
            lines.line_col(text, range.start, ColumnUnit::Utf16),
            lines.line_col(text, range.end, ColumnUnit::Utf16),
        );
        let server = text_range_near(text, &lines, range, Encoding::Utf16, &mut near);
        let at = |line, character| LineCol { line, character };
        last = Some(FrontEndPositions {
            cli,
            json,
            server: (
                at(server.start.line, server.start.character),
                at(server.end.line, server.end.character),
            ),
        });
    }
    last
}

//! Test fixtures for the note checks, as rust-analyzer's `ide-diagnostics`
//! has them: a note (or several files separated by `//- path` lines, where
//! files under `questions/` are banks and the other notes of the note's
//! folder its siblings) checked against the built-in bank; its diagnostics
//! rendered one a line with their ranges, related places and fixes; and the
//! text each fix of the diagnostic at a `$0` cursor makes.

use std::ops::Range;

use expect_test::Expect;

use super::{FolderNotes, check_note};
use crate::core::diagnostic::Diagnostic;
use crate::core::ide::fixture::{Workspace, apply, cursor, no_overrides};
use crate::core::line_index::{ColumnUnit, LineIndex};
use crate::core::note::parse_note;

/// The diagnostics of the fixture's first file that have `code`.
pub fn check(code: &str, fixture: &str, expected: Expect) {
    let (text, _, diagnostics) = diagnostics(fixture);
    let kept = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code);
    expected.assert_eq(&render(&text, kept));
}

/// Every diagnostic of the fixture's first file, in the order `check_note`
/// gives them.
pub fn check_all(fixture: &str, expected: Expect) {
    let (text, _, diagnostics) = diagnostics(fixture);
    expected.assert_eq(&render(&text, diagnostics.iter()));
}

/// Each fix of the diagnostics with `code` at the `$0` cursor: its title,
/// then the whole text once it is applied.
pub fn check_fix(code: &str, fixture: &str, expected: Expect) {
    let (text, cursor, diagnostics) = diagnostics(fixture);
    let cursor = cursor.expect("a fix fixture has a $0 cursor").start;
    let mut rendered = String::new();
    let at_cursor = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code && diagnostic.range.contains(&cursor));
    for fix in at_cursor.flat_map(|diagnostic| &diagnostic.fixes) {
        rendered.push_str(&format!("{}\n{}", fix.title, apply(&text, &fix.edits)));
    }
    if rendered.is_empty() {
        rendered.push_str("(no fix)\n");
    }
    expected.assert_eq(&rendered);
}

/// The first file's text without its `$0` markers, what they mark, and
/// the text's diagnostics.
fn diagnostics(fixture: &str) -> (String, Option<Range<usize>>, Vec<Diagnostic>) {
    let workspace = Workspace::new(fixture);
    let (name, marked) = &workspace.current;
    let (text, cursor) = if marked.contains("$0") {
        let (text, marked_range) = cursor(marked);
        (text, Some(marked_range))
    } else {
        (marked.clone(), None)
    };
    let note = parse_note(&text);
    let folder = FolderNotes::new(workspace.notes.siblings_of(name));
    let siblings = folder.siblings_of(name);
    let diagnostics = check_note(&workspace.index, &text, &note, siblings, no_overrides());
    (text, cursor, diagnostics)
}

/// `line:col-line:col severity[code] message`, one-based, then the related
/// places and the fixes' titles, indented.
pub fn render<'d>(text: &str, diagnostics: impl Iterator<Item = &'d Diagnostic>) -> String {
    let lines = LineIndex::new(text);
    let at = |offset: usize| {
        let position = lines.line_col(text, offset, ColumnUnit::Char);
        format!("{}:{}", position.line + 1, position.character + 1)
    };
    let mut rendered = String::new();
    for diagnostic in diagnostics {
        rendered.push_str(&format!(
            "{}-{} {}[{}] {}\n",
            at(diagnostic.range.start),
            at(diagnostic.range.end),
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        ));
        for related in &diagnostic.related {
            rendered.push_str(&format!(
                "  related {}-{}: {}\n",
                at(related.range.start),
                at(related.range.end),
                related.message
            ));
        }
        for fix in &diagnostic.fixes {
            rendered.push_str(&format!("  fix: {}\n", fix.title));
        }
    }
    if rendered.is_empty() {
        rendered.push_str("(none)\n");
    }
    rendered
}

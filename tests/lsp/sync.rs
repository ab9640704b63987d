//! Property tests of document sync: random scripts of incremental edits
//! (emoji, CJK, combining marks, CRLF, lone `\r`, Unicode breaks LSP does
//! not know, positions at and past line and document ends) applied in UTF-8
//! and UTF-16 to the server's `Document` rope and, by the same clamping
//! rules, to a plain `String`; after every edit the two texts are equal.
//! Position conversions (the rope's and the core's `LineIndex`) agree
//! with the test kit's independent model, and every pure
//! editor feature called at random offsets of the resulting texts returns
//! without panicking, with ranges inside the text on character boundaries.
//! A smaller run drives the same kind of scripts through the server
//! (in-process) and compares `qbank/documentText` with the model.

use std::ops::Range;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::{Index as SampleIndex, select};
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use qbank::core::builtin::builtin_bank;
use qbank::core::check::{Siblings, check_note};
use qbank::core::ide::actions::{PacketOptions, code_actions, insert_packet, insert_template};
use qbank::core::ide::completion::{CompletionOptions, complete};
use qbank::core::ide::definition::definition;
use qbank::core::ide::folding::folding_ranges;
use qbank::core::ide::hover::hover;
use qbank::core::ide::inlay::inlay_hints;
use qbank::core::ide::lens::code_lenses;
use qbank::core::ide::notes::no_notes;
use qbank::core::ide::references::references;
use qbank::core::ide::symbols::document_symbols;
use qbank::core::ide::{Context, Document as IdeDocument};
use qbank::core::index::Index;
use qbank::core::line_index::{ColumnUnit, LineCol, LineIndex};
use qbank::core::note::parse_note;
use qbank::core::template::{Mode, Overrides};
use qbank::lsp::document::{self, Document, Encoding};
use qbank_testkit::positions::{self, Unit, range_json};
use qbank_testkit::{Capabilities, Scratch};
use serde_json::json;
use tower_lsp_server::ls_types::{Position, Range as LspRange, TextDocumentContentChangeEvent};

use crate::initialized;

/// Pieces texts are made of: multi-byte and multi-unit characters,
/// combining marks, every LSP line break, breaks LSP does not know, and
/// the markdown and keys the features react to.
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "é",
    "ß",
    "😀",
    "👍🏽",
    "𝔘",
    "中文",
    "e\u{301}",
    "\u{338}",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\u{2028}",
    "\u{85}",
    "\u{c}",
    "\t",
    "BE-23",
    "BE-9",
    "BE-",
    "BE-99999",
    "# ",
    "## ",
    "## BE-40 · What is SQL injection?\n",
    "- ",
    "1. ",
    "`",
    "```\n",
    "[",
    "*",
    "---\n",
];

/// Scripts per run of the main property (the issue asks for 10,000).
const SYNC_CASES: u32 = 10_000;
/// Texts on which every feature runs at random offsets.
const FEATURE_CASES: u32 = 4_000;

fn piece_text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(select(PIECES), 0..max_pieces).prop_map(|pieces| pieces.concat())
}

/// Lines mostly inside short texts, sometimes just past, sometimes far.
fn line() -> impl Strategy<Value = u32> {
    prop_oneof![12 => 0u32..6, 1 => 6u32..1000, 1 => Just(u32::MAX)]
}

/// Columns mostly inside short lines, sometimes past their end.
fn column() -> impl Strategy<Value = u32> {
    prop_oneof![12 => 0u32..12, 1 => 12u32..300, 1 => Just(u32::MAX)]
}

#[derive(Debug, Clone)]
struct Change {
    range: Option<((u32, u32), (u32, u32))>,
    text: String,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        12 => ((line(), column()), (line(), column()), piece_text(4))
            .prop_map(|(start, end, text)| Change { range: Some((start, end)), text }),
        1 => piece_text(8).prop_map(|text| Change { range: None, text }),
    ]
}

#[derive(Debug, Clone)]
struct Script {
    utf8: bool,
    initial: String,
    changes: Vec<Change>,
}

fn script() -> impl Strategy<Value = Script> {
    (
        any::<bool>(),
        piece_text(12),
        prop::collection::vec(change(), 1..8),
    )
        .prop_map(|(utf8, initial, changes)| Script {
            utf8,
            initial,
            changes,
        })
}

fn units(utf8: bool) -> (Encoding, Unit) {
    if utf8 {
        (Encoding::Utf8, Unit::Utf8)
    } else {
        (Encoding::Utf16, Unit::Utf16)
    }
}

fn event(change: &Change) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: change.range.map(|(start, end)| {
            LspRange::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
        }),
        range_length: None,
        text: change.text.clone(),
    }
}

/// Runs a script on both the rope and the model, checking after each change.
fn run_script(script: &Script) -> Result<String, TestCaseError> {
    let (encoding, unit) = units(script.utf8);
    let mut document = Document::new(&script.initial, 1);
    let mut model = script.initial.clone();
    for (step, change) in script.changes.iter().enumerate() {
        let result = document.apply(&event(change), encoding);
        let past_end = positions::apply_change(&mut model, change.range, &change.text, unit);
        prop_assert_eq!(result.is_err(), past_end, "step {}: error report", step);
        prop_assert_eq!(document.rope.to_string(), model.as_str(), "step {}", step);
    }
    prop_assert_eq!(document.rope.len_lines(), positions::lines(&model).len());
    Ok(model)
}

proptest! {
    #![proptest_config(Config {
        cases: SYNC_CASES,
        failure_persistence: None,
        ..Config::default()
    })]

    /// After every incremental edit the rope is the model's text, and both
    /// report a position past the end alike.
    #[test]
    fn incremental_edits_keep_the_text(script in script()) {
        run_script(&script)?;
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 3_000,
        failure_persistence: None,
        ..Config::default()
    })]

    /// Positions convert as the model says in both directions: every
    /// character boundary to a position and back, and arbitrary positions
    /// (past line and text ends included) to offsets.
    #[test]
    fn positions_convert_like_the_model(
        text in piece_text(16),
        utf8 in any::<bool>(),
        probes in prop::collection::vec((line(), column()), 1..12),
    ) {
        let (encoding, unit) = units(utf8);
        let rope = ropey::Rope::from_str(&text);
        let lines = LineIndex::new(&text);
        let column_unit = if utf8 { ColumnUnit::Utf8 } else { ColumnUnit::Utf16 };
        prop_assert_eq!(lines.line_count(), positions::lines(&text).len());
        for offset in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            let found = document::position(&rope, offset, encoding);
            let (line, character) = positions::position(&text, offset, unit);
            prop_assert_eq!((found.line, found.character), (line, character), "offset {}", offset);
            // Between `\r` and `\n` has no position of its own.
            let inside_crlf = offset > 0
                && text.as_bytes()[offset - 1] == b'\r'
                && text.as_bytes().get(offset) == Some(&b'\n');
            if !inside_crlf {
                prop_assert_eq!(document::offset(&rope, found, encoding), Ok(offset));
            }
        }
        for (line, column) in probes {
            let found = document::offset(&rope, Position::new(line, column), encoding).ok();
            let expected = positions::offset(&text, line, column, unit);
            prop_assert_eq!(found, expected, "{}:{}", line, column);
            // The core's line index (closed files, the CLI) agrees.
            let position = LineCol { line, character: column };
            prop_assert_eq!(lines.offset(&text, position, column_unit), expected);
        }
        // Any byte offset, inside a character or past the end, converts
        // like the character boundary at or before it.
        for offset in 0..text.len() + 3 {
            let floor = (0..=offset.min(text.len()))
                .rev()
                .find(|&at| text.is_char_boundary(at))
                .unwrap_or(0);
            let (line, character) = positions::position(&text, floor, unit);
            let found = lines.line_col(&text, offset, column_unit);
            prop_assert_eq!((found.line, found.character), (line, character), "offset {}", offset);
            let found = document::position(&rope, offset, encoding);
            prop_assert_eq!((found.line, found.character), (line, character), "offset {}", offset);
        }
    }
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::new(Some(builtin_bank()), Vec::new()))
}

fn overrides() -> &'static Overrides {
    static OVERRIDES: OnceLock<Overrides> = OnceLock::new();
    OVERRIDES.get_or_init(Overrides::default)
}

fn check_range(text: &str, range: &Range<usize>, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        range.start <= range.end && range.end <= text.len(),
        "{}: {:?} outside 0..{}",
        what,
        range,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{}: {:?} not on character boundaries",
        what,
        range
    );
    Ok(())
}

/// Calls every pure feature at `offset` (and over `selection`), checking
/// that each range it returns lies inside the text.
fn run_features(
    text: &str,
    offset: usize,
    selection: Range<usize>,
    mode: Mode,
) -> Result<(), TestCaseError> {
    let index = index();
    let note = parse_note(text);
    let context = Context {
        index,
        notes: no_notes(),
        overrides: overrides(),
        mode,
        packet_size: 5,
        coverage: true,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    };
    let named = IdeDocument {
        text,
        note: &note,
        name: Some("notes/today.md"),
    };
    for document in [IdeDocument::new(text, &note), named] {
        for diagnostic in check_note(index, text, &note, Siblings::NONE, overrides()) {
            check_range(text, &diagnostic.range, diagnostic.code)?;
            for fix in &diagnostic.fixes {
                for edit in &fix.edits {
                    check_range(text, &edit.range, &fix.title)?;
                }
            }
        }
        if let Some(found) = hover(&context, &document, offset) {
            check_range(text, &found.range, "hover")?;
        }
        let options = CompletionOptions {
            snippets: offset % 2 == 0,
            limit: 20,
        };
        for item in complete(&context, &document, offset, &options).items {
            check_range(text, &item.edit.range, "completion")?;
        }
        for action in code_actions(&context, &document, selection.clone()) {
            for edit in &action.edits {
                check_range(text, &edit.range, &action.title)?;
            }
        }
        if let Some(target) = definition(index, &document, offset) {
            check_range(text, &target.origin, "definition")?;
        }
        if let Some(found) = references(&context, &document, None, offset, true) {
            check_range(text, &found.origin, "references")?;
        }
        let template = insert_template(&context, &document, offset, 0, mode);
        check_range(text, &template.range, "insert template")?;
        let packet = PacketOptions {
            count: Some(3),
            seed: Some(offset as u64),
            ..PacketOptions::default()
        };
        if let Ok(edit) = insert_packet(&context, &document, offset, &packet) {
            check_range(text, &edit.range, "insert packet")?;
        }
        for symbol in document_symbols(&context, &document, None) {
            check_range(text, &symbol.range, "symbol")?;
        }
        for range in folding_ranges(&document) {
            check_range(text, &range, "folding")?;
        }
        for hint in inlay_hints(&context, &document, selection.clone()) {
            prop_assert!(hint.offset <= text.len(), "inlay hint past the end");
        }
        for lens in code_lenses(&context, &document, None, &mut Default::default()) {
            check_range(text, &lens.range, "lens")?;
        }
    }
    Ok(())
}

/// The character boundary an index picks.
fn boundary(text: &str, pick: &SampleIndex) -> usize {
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&at| text.is_char_boundary(at))
        .collect();
    boundaries[pick.index(boundaries.len())]
}

proptest! {
    #![proptest_config(Config {
        cases: FEATURE_CASES,
        failure_persistence: None,
        ..Config::default()
    })]

    /// Every pure feature, at random offsets of a text an edit script made,
    /// returns without panicking and names only ranges inside the text.
    #[test]
    fn features_at_random_offsets_do_not_panic(
        script in script(),
        picks in prop::collection::vec((any::<SampleIndex>(), any::<SampleIndex>()), 1..4),
        interview in any::<bool>(),
    ) {
        let text = run_script(&script)?;
        let mode = if interview { Mode::Interview } else { Mode::Study };
        for (first, second) in picks {
            let (a, b) = (boundary(&text, &first), boundary(&text, &second));
            run_features(&text, a, a.min(b)..a.max(b), mode)?;
        }
    }
}

/// The same kind of scripts through the real binary: after each script the
/// server's copy (`qbank/documentText`) is the model's text.
#[test]
fn the_server_keeps_the_text_of_random_scripts() {
    for utf8 in [false, true] {
        let (_, unit) = units(utf8);
        let workspace = Scratch::new("sync");
        let capabilities = Capabilities {
            utf8,
            ..Capabilities::editor()
        };
        let (mut server, reply) = initialized(&workspace, capabilities);
        let expected_encoding = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(reply["capabilities"]["positionEncoding"], expected_encoding);
        let uri = workspace.uri("note.md");
        let mut runner = TestRunner::new(Config::default());
        let strategy = script();
        let mut version = 1;
        server.open(&uri, "", version);
        for _ in 0..400 {
            let script = strategy.new_tree(&mut runner).unwrap().current();
            let mut model = script.initial.clone();
            let mut changes = vec![json!({ "text": script.initial })];
            for change in &script.changes {
                positions::apply_change(&mut model, change.range, &change.text, unit);
                changes.push(match change.range {
                    Some((start, end)) => {
                        json!({ "range": range_json(start, end), "text": change.text })
                    }
                    None => json!({ "text": change.text }),
                });
            }
            version += 1;
            server.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
            );
            let copy = server.document_text(&uri);
            assert_eq!(copy["version"], version);
            assert!(
                copy["text"] == model.as_str(),
                "the server's text differs after {script:?}: {:?} vs {model:?}",
                copy["text"]
            );
        }
        server.stop();
    }
}

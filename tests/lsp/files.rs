//! Bad files: banks and notes that are binary, not UTF-8, 50 MB, one
//! 100,000-character line, 10,000 nested list levels, and markdown known
//! to make parsers slow (deep `[[[[…`, `*a**a` runs, backtick runs, nested
//! quotes, unclosed links, and the shapes qbank's own analysis walks:
//! thousands of question sections, unknown keys, keys between code spans).
//! The core parses and checks each, with every range inside the text, and
//! the front ends agree on the positions of thousands of diagnostics on one
//! line (how long each takes is measured by `cargo bench --bench linear`);
//! the command line names an unreadable file and checks the rest; the
//! server (spawned, for its log) reports what it cannot read and goes on
//! serving the rest.

use std::sync::OnceLock;
use std::time::Instant;

use qbank::core::bank::parse_bank;
use qbank::core::builtin::builtin_bank;
use qbank::core::check::{Siblings, check_note};
use qbank::core::index::Index;
use qbank::core::line_index::LineCol;
use qbank::core::note::parse_note;
use qbank::core::template::Overrides;
use qbank_testkit::Scratch;
use qbank_testkit::pathological::{self, FrontEndPositions, nested_lists, repeat};
use qbank_testkit::positions::position_json;
use serde_json::json;

use crate::{hover_markdown, run_cli, spawned_initialized};

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::new(Some(builtin_bank()), Vec::new()))
}

/// Each pathological input, at 512 KB, is parsed and checked (as a note
/// and as a bank) and every diagnostic lies inside the text, on character
/// boundaries. How long each takes, at two sizes, is measured by
/// `cargo bench --bench linear`.
#[test]
fn pathological_markdown_is_analysed_and_its_diagnostics_lie_in_the_text() {
    for (name, make) in pathological::inputs() {
        let text = make(512 * 1024);
        let note = parse_note(&text);
        let mut diagnostics =
            check_note(index(), &text, &note, Siblings::NONE, &Overrides::default());
        let bank = parse_bank("bad.md", "bad", text.clone());
        diagnostics.extend(bank.diagnostics);
        let ranges = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.range.clone());
        let ranges = ranges.chain(bank.questions.iter().map(|question| question.range()));
        for range in ranges {
            assert!(
                range.start <= range.end
                    && text.is_char_boundary(range.start)
                    && text.is_char_boundary(range.end),
                "{name}: {range:?}"
            );
        }
    }
}

#[test]
fn diagnostics_on_one_long_line_get_the_same_positions_in_every_front_end() {
    let line = pathological::keys_on_one_line(10_000);
    let note = parse_note(&line);
    let diagnostics = check_note(index(), &line, &note, Siblings::NONE, &Overrides::default());
    assert_eq!(diagnostics.len(), 10_000);
    let FrontEndPositions { cli, json, server } =
        pathological::positions_like_each_front_end(&line, &diagnostics).unwrap();
    // The last key: the emoji is one character, two UTF-16 units, 4 bytes.
    let start = line.rfind("BE-").unwrap() as u32;
    let at = |character| LineCol { line: 0, character };
    assert_eq!(cli, at(start - 3));
    let utf16 = (at(start - 2), at(line.len() as u32 - 2));
    assert_eq!(json, utf16);
    assert_eq!(server, utf16);
}

#[test]
fn ten_thousand_nested_list_levels_and_a_100k_line_parse() {
    let text = nested_lists(10_000);
    let note = parse_note(&text);
    assert!(note.keys.len() <= 10_000);
    let bank = parse_bank("deep.md", "deep", format!("## Deep\n1. Top?\n{text}"));
    assert_eq!(bank.questions.len(), 1);
    let line = format!("{} BE-23 {}", "é".repeat(50_000), "x".repeat(50_000));
    let note = parse_note(&line);
    assert_eq!(note.keys.len(), 1);
    let diagnostics = check_note(index(), &line, &note, Siblings::NONE, &Overrides::default());
    assert!(diagnostics.is_empty());
    // Bytes that were binary, read lossily, are text like any other.
    let binary: Vec<u8> = (0..100_000u32).map(|n| (n * 7919 % 251) as u8).collect();
    let lossy = String::from_utf8_lossy(&binary).into_owned();
    let note = parse_note(&lossy);
    check_note(
        index(),
        &lossy,
        &note,
        Siblings::NONE,
        &Overrides::default(),
    );
    parse_bank("binary.md", "binary", lossy);
}

/// A workspace holding good and bad notes.
fn bad_workspace(workspace: &Scratch) {
    workspace.write(".qbank.toml", "");
    workspace.write("notes/good.md", "# Good\n\nAsk BE-9999 today.\n");
    workspace.write("notes/binary.md", b"BE-23\0\0\0\x01\x02binary");
    workspace.write("notes/latin1.md", b"BE-23 caf\xe9\n");
    workspace.write(
        "notes/long-line.md",
        format!("{} BE-9999\n", "word ".repeat(20_000)),
    );
    workspace.write("notes/deep.md", nested_lists(10_000));
    workspace.write("notes/brackets.md", repeat("[", 200_000));
}

#[test]
fn the_command_line_names_an_unreadable_file_and_checks_good_ones() {
    let workspace = Scratch::new("files-cli");
    let home = Scratch::new("files-cli-home");
    bad_workspace(&workspace);
    let root = workspace.root();
    for (file, problem) in [
        ("notes/binary.md", "looks binary"),
        ("notes/latin1.md", "is not UTF-8"),
    ] {
        let (code, _, stderr) = run_cli(root, home.root(), &["check", file]);
        assert_eq!(code, Some(1), "{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "a line and the summary: {stderr}");
        assert!(
            lines[0].contains(file) && lines[0].contains(problem),
            "{stderr}"
        );
        assert_eq!(lines[1], "no problems in 0 files (1 not read)");
    }
    // The whole workspace: each unreadable note is named, the others are
    // checked.
    let (code, stdout, stderr) = run_cli(root, home.root(), &["check"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("binary.md: looks binary") && stderr.contains("latin1.md: is not UTF-8"),
        "{stderr}"
    );
    assert!(
        stdout.contains("notes/good.md:3:5: error[unknown-question]"),
        "{stdout}"
    );
    // The readable ones, however pathological, are checked.
    let (code, stdout, stderr) = run_cli(
        root,
        home.root(),
        &[
            "check",
            "notes/good.md",
            "notes/long-line.md",
            "notes/deep.md",
            "notes/brackets.md",
        ],
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("notes/good.md:3:5: error[unknown-question]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("notes/long-line.md:1:100002: error[unknown-question]"),
        "{stdout}"
    );
    // A bad bank: named, left out, and the rest is checked; `check` fails.
    workspace.write("questions/latin.md", b"## Ops\n1. caf\xe9?\n");
    let (code, stdout, stderr) = run_cli(root, home.root(), &["check", "notes/good.md"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("questions/latin.md") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
    assert!(
        stdout.contains("notes/good.md:3:5: error[unknown-question]"),
        "{stdout}"
    );
}

#[test]
fn a_note_at_the_size_bound_is_checked_and_one_over_it_refused() {
    let workspace = Scratch::new("files-huge");
    let home = Scratch::new("files-huge-home");
    workspace.write(".qbank.toml", "");
    // Known keys only: the cost measured is reading and analysis, not
    // printing (see the report on printing many diagnostics).
    let line = "Some words about BE-23 and caching, 😀 then `BE-9999`.\n";
    let tail = "## BE-9999 · the one problem\n";
    let mut text = line.repeat((4 * 1024 * 1024 - tail.len()) / line.len());
    text.push_str(tail);
    assert!(text.len() <= 4 * 1024 * 1024);
    workspace.write("big.md", &text);
    let started = Instant::now();
    let (code, stdout, stderr) = run_cli(workspace.root(), home.root(), &["check", "big.md"]);
    eprintln!("qbank check of a 4 MB note: {:?}", started.elapsed());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("error[unknown-question]"), "{stdout}");
    text.push_str(&"x".repeat(4 * 1024 * 1024 + 1 - text.len()));
    workspace.write("big.md", &text);
    let (code, stdout, stderr) = run_cli(workspace.root(), home.root(), &["check", "big.md"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.lines().next(),
        Some("qbank: big.md: is 4194305 bytes, over the 4 MB limit for notes; not read")
    );
}

#[test]
fn the_server_reports_bad_files_and_serves_the_rest() {
    let workspace = Scratch::new("files-lsp");
    let home = Scratch::new("files-lsp-home");
    bad_workspace(&workspace);
    workspace.write(
        "questions/team.md",
        b"---\nprefix: TM\n---\n## Ops\n1. caf\xe9?\n",
    );
    workspace.write(
        "questions/tools.md",
        "---\nprefix: TL\n---\n## Tools\n1. What is a linter?\n",
    );
    let mut server = spawned_initialized(&workspace, &home);
    // Unreadable notes found by the scan carry a diagnostic naming the problem.
    for (file, problem) in [("notes/binary.md", "binary"), ("notes/latin1.md", "UTF-8")] {
        let diagnostics = server.diagnostics_for(&workspace.uri(file));
        assert_eq!(diagnostics.len(), 1, "{file}: {diagnostics:?}");
        let message = diagnostics[0]["message"].as_str().unwrap();
        assert!(message.contains(problem), "{file}: {message}");
    }
    // The readable bank is served, the unreadable one is logged by name.
    let good = workspace.uri("notes/good.md");
    server.open(&good, "# Good\n\nAsk BE-9999 and TL-1 today.\n", 1);
    let diagnostics = server.diagnostics_for(&good);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "unknown-question");
    let markdown = hover_markdown(&mut server, &good, position_json((2, 17)));
    assert!(markdown.contains("linter"), "{markdown}");
    assert!(
        server.log().contains("questions/team.md"),
        "{}",
        server.log()
    );
    // Pathological buffers: each is checked and the server goes on.
    let buffers: Vec<(&str, String)> = vec![
        ("deep.md", nested_lists(10_000)),
        ("line.md", format!("{} BE-9999", "word ".repeat(20_000))),
        ("brackets.md", repeat("[", 256 * 1024)),
        ("stars.md", repeat("*a**a", 256 * 1024)),
        ("ticks.md", repeat("``` ` `` ", 256 * 1024)),
        ("sections.md", repeat("## BE-23 · heading\n", 64 * 1024)),
        ("keys.md", repeat("`x` BE-9999 ", 256 * 1024)),
        ("nul.md", "BE-9999\0\u{1}\u{7f}\u{fffd}".repeat(1000)),
    ];
    for (name, text) in &buffers {
        let uri = workspace.uri(name);
        let started = Instant::now();
        server.open(&uri, text, 1);
        let diagnostics = server.diagnostics_for(&uri);
        let symbols = server.request_raw(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        assert!(symbols.get("result").is_some(), "{name}: {symbols}");
        eprintln!(
            "{name}: {} diagnostics, {:?}",
            diagnostics.len(),
            started.elapsed()
        );
        server.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    server.assert_alive();
    server.stop();
}

//! The workspace features of `qbank lsp` end to end, in-process, with a
//! client that takes progress reports and watches files, answering the
//! server's own requests (`window/workDoneProgress/create`,
//! `client/registerCapability`, refreshes) as an editor would: background
//! indexing with `$/progress`, references across notes, live re-indexing of
//! an open bank and of notes changed on disk, inlay hints, code lenses, and
//! bad files.

use std::path::Path;
use std::time::{Duration, Instant};

use qbank_testkit::client::is_diagnostics;
use qbank_testkit::positions::{covered, position_of};
use qbank_testkit::{Capabilities, Client, Scratch, Unit};
use serde_json::{Value, json};

use crate::initialized;

/// An in-process server initialized for a workspace folder, as a client
/// that takes progress reports, watches files and refreshes lenses and
/// hints.
fn workspace_server(workspace: &Scratch) -> Client {
    let capabilities = Capabilities {
        work_done_progress: true,
        watched_files: true,
        refresh: true,
        ..Capabilities::default()
    };
    initialized(workspace, capabilities).0
}

/// The text a location's range covers in a file, after the file's path
/// inside the workspace.
fn covered_in_file(root: &Path, location: &Value) -> String {
    let path = location["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let name = Path::new(path).strip_prefix(root).unwrap().display();
    format!(
        "{name}: {}",
        covered(&text, &location["range"], Unit::Utf16)
    )
}

fn references(server: &mut Client, workspace: &Scratch, uri: &str, text: &str) -> Vec<String> {
    let found = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-23", 2),
            "context": { "includeDeclaration": false }
        }),
    );
    let mut covered: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|location| covered_in_file(workspace.root(), location))
        .collect();
    covered.sort();
    covered
}

/// Three notes name BE-23, a fourth does not, a fifth is gitignored.
fn three_notes() -> Scratch {
    let workspace = Scratch::new("refs");
    workspace.write(".gitignore", "drafts/\n");
    workspace.write("notes/a.md", "# Study\n\nRemember BE-23 today.\n");
    workspace.write(
        "notes/b.md",
        "## BE-23 · What is ACID compliance, and why is it important in databases?\n\nAtomicity, consistency, isolation, durability.\n",
    );
    workspace.write("c.md", "Both 😀 BE-23 and `BE-23` (in code).\n");
    workspace.write("d.md", "Only BE-40 here.\n");
    workspace.write("drafts/e.md", "BE-23 in a draft.\n");
    workspace
}

#[test]
fn indexing_reports_progress_and_references_span_the_notes() {
    let workspace = three_notes();
    let mut server = workspace_server(&workspace);
    let created = server.wait_for(|message| message["method"] == "window/workDoneProgress/create");
    let token = created["params"]["token"].clone();
    let registered = server.wait_for(|message| message["method"] == "client/registerCapability");
    let registration = &registered["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let patterns: Vec<&Value> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|watcher| &watcher["globPattern"])
        .collect();
    assert_eq!(patterns, [&json!("**/*.md"), &json!("**/.qbank.toml")]);
    let progress = server.wait_for_indexing();
    assert_eq!(progress.first().unwrap()["kind"], "begin");
    assert!(
        progress.iter().any(|value| value["kind"] == "report"),
        "{progress:?}"
    );
    assert_eq!(progress.last().unwrap()["kind"], "end");
    assert!(
        progress.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("4 notes indexed"),
        "{progress:?}"
    );
    assert!(token.is_string());

    let uri = workspace.uri("notes/a.md");
    let text = "# Study\n\nRemember BE-23 today.\n";
    server.open(&uri, text, 1);
    assert_eq!(
        references(&mut server, &workspace, &uri, text),
        ["c.md: BE-23", "notes/a.md: BE-23", "notes/b.md: BE-23"]
    );
    // With the declaration: the question's line in the built-in bank's copy.
    let found = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-23", 0),
            "context": { "includeDeclaration": true }
        }),
    );
    let first = &found[0];
    assert!(
        first["uri"].as_str().unwrap().ends_with("qbank/backend.md"),
        "{first}"
    );

    // Hover says where the question is answered.
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 1) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("Answered in notes/b.md"), "{markdown}");

    // Workspace symbols: the question, then the note's section.
    let symbols = server.request("workspace/symbol", json!({ "query": "acid" }));
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["containerName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Databases and Data Storage", "notes/b.md"]);
    server.stop();
}

#[test]
fn notes_are_indexed_when_the_client_never_answers_for_a_progress_token() {
    let workspace = three_notes();
    let mut server = Client::in_process();
    server.leave_unanswered("window/workDoneProgress/create");
    let capabilities = Capabilities {
        work_done_progress: true,
        ..Capabilities::default()
    };
    server.initialize(workspace.root(), &capabilities);
    server.wait_for(|message| message["method"] == "window/workDoneProgress/create");
    let uri = workspace.uri("notes/a.md");
    let text = "# Study\n\nRemember BE-23 today.\n";
    server.open(&uri, text, 1);
    // No progress says when the scan ends: ask until the notes that are
    // not open show up, for a bounded while.
    let expected = ["c.md: BE-23", "notes/a.md: BE-23", "notes/b.md: BE-23"];
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = references(&mut server, &workspace, &uri, text);
        if found == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "references still find only {found:?}: the notes were never indexed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.progress().begun, None, "progress without a token");
    server.stop();
}

/// `notes/a.md` as the editor has it open.
const STUDY_NOTE: &str = "# Study\n\nRemember BE-23 today.\n";

/// `three_notes`, served and indexed, with `notes/a.md` open as
/// `STUDY_NOTE` and its three references to BE-23 found; returns its URI.
fn three_notes_indexed() -> (Scratch, Client, String) {
    let workspace = three_notes();
    let mut server = workspace_server(&workspace);
    server.wait_for_indexing();
    let uri = workspace.uri("notes/a.md");
    server.open(&uri, STUDY_NOTE, 1);
    assert_eq!(
        references(&mut server, &workspace, &uri, STUDY_NOTE).len(),
        3
    );
    (workspace, server, uri)
}

#[test]
fn a_note_changed_on_disk_updates_references() {
    let (workspace, mut server, uri) = three_notes_indexed();
    let text = STUDY_NOTE;

    workspace.write("c.md", "Nothing about it any more.\n");
    workspace.write("notes/f.md", "New: BE-23, twice BE-23.\n");
    std::fs::remove_file(workspace.path("notes/b.md")).unwrap();
    workspace.write("drafts/g.md", "BE-23, ignored.\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": workspace.uri("c.md"), "type": 2 },
            { "uri": workspace.uri("notes/f.md"), "type": 1 },
            { "uri": workspace.uri("notes/b.md"), "type": 3 },
            { "uri": workspace.uri("drafts/g.md"), "type": 1 }
        ] }),
    );
    assert_eq!(
        references(&mut server, &workspace, &uri, text),
        [
            "notes/a.md: BE-23",
            "notes/f.md: BE-23",
            "notes/f.md: BE-23"
        ]
    );
    server.stop();
}

/// A rescan (here after `.qbank.toml` changed) forgets a note the walk no
/// longer finds (newly ignored, no watcher said so), and keeps the others.
#[test]
fn a_rescan_forgets_notes_it_no_longer_finds() {
    let (workspace, mut server, uri) = three_notes_indexed();
    let text = STUDY_NOTE;

    workspace.write(".gitignore", "drafts/\nc.md\n");
    workspace.write(".qbank.toml", "coverage = true\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": workspace.uri(".qbank.toml"), "type": 1 }] }),
    );
    let expected = ["notes/a.md: BE-23", "notes/b.md: BE-23"];
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut found = references(&mut server, &workspace, &uri, text);
    while found != expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        found = references(&mut server, &workspace, &uri, text);
    }
    assert_eq!(found, expected);
    server.stop();
}

const TEAM_BANK: &str = "---\nprefix: TM\n---\n## Ops\n1. How do we deploy?\n2. Who is on call?\n";

#[test]
fn a_question_added_in_an_open_bank_is_offered_without_saving() {
    let workspace = Scratch::new("bank");
    workspace.write("questions/team.md", TEAM_BANK);
    let mut server = workspace_server(&workspace);
    let bank_uri = workspace.uri("questions/team.md");
    server.open(&bank_uri, TEAM_BANK, 1);
    let end = TEAM_BANK.lines().count();
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": bank_uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": end, "character": 0 }, "end": { "line": end, "character": 0 } },
                "text": "3. How do we roll back a release?\n"
            }]
        }),
    );
    let note_uri = workspace.uri("notes/ops.md");
    let note = "Ask TM-\n";
    server.open(&note_uri, note, 1);
    // The open bank's index is rebuilt once typing pauses, the last one
    // serving meanwhile: ask until the new question is offered.
    let mut labels = Vec::new();
    for _ in 0..100 {
        let list = server.request(
            "textDocument/completion",
            json!({
                "textDocument": { "uri": note_uri },
                "position": position_of(note, "TM-", 3),
                "context": { "triggerKind": 2, "triggerCharacter": "-" }
            }),
        );
        labels = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["label"].as_str().unwrap().to_string(),
                    item["detail"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        if labels.len() == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .map(|(label, detail)| (label.as_str(), detail.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("TM-1", "How do we deploy?"),
            ("TM-2", "Who is on call?"),
            ("TM-3", "How do we roll back a release?")
        ]
    );
    server.stop();
}

/// The titles of a document's coverage lenses, with their lines.
fn coverage_lens_titles(server: &mut Client, uri: &str) -> Vec<(u64, String)> {
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| {
            (
                lens["range"]["start"]["line"].as_u64().unwrap(),
                lens["command"]["title"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(_, title)| title.starts_with("covers"))
        .collect()
}

fn has_missing_points(diagnostics: &Value) -> bool {
    diagnostics["params"]["diagnostics"]
        .as_array()
        .is_some_and(|list| {
            list.iter()
                .any(|diagnostic| diagnostic["code"] == "missing-points")
        })
}

/// An answer's coverage shows as a lens, a `missing-points` finding and
/// ✓/✗ in hover; the `coverage` setting turns all three off, live.
#[test]
fn coverage_shows_in_lens_diagnostics_and_hover_until_turned_off() {
    let workspace = Scratch::new("coverage");
    let mut server = workspace_server(&workspace);
    let uri = workspace.uri("notes/acid.md");
    let note = "## BE-23 · What is ACID compliance, and why is it important in databases?\n\nAtomicity: a transaction's writes all apply or none do, rolled back on a crash.\nDurability: once committed, data survives a power loss since the write-ahead log is flushed first.\nIsolation: concurrent transactions don't see uncommitted work.\n";
    server.open(&uri, note, 1);
    let diagnostics = server.diagnostics_for(&uri);
    let missing: Vec<&Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "missing-points")
        .collect();
    assert_eq!(missing.len(), 1, "{diagnostics:?}");
    assert_eq!(
        missing[0]["message"],
        "BE-23 covers 3 of 6 points; missing: Consistency, Why it matters, Trade-off"
    );
    assert_eq!(
        coverage_lens_titles(&mut server, &uri),
        [(0, "covers 3 of 6 points".to_string())]
    );
    let hover = crate::hover_markdown(&mut server, &uri, json!({ "line": 0, "character": 5 }));
    assert!(hover.contains("✓") && hover.contains("✗"), "{hover}");

    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "coverage": false } } }),
    );
    server.wait_for(|message| is_diagnostics(message, &uri, None) && !has_missing_points(message));
    assert_eq!(coverage_lens_titles(&mut server, &uri), []);
    let hover = crate::hover_markdown(&mut server, &uri, json!({ "line": 0, "character": 5 }));
    assert!(
        hover.contains("ACID") && !hover.contains("✓") && !hover.contains("✗"),
        "{hover}"
    );
    server.stop();
}

#[test]
fn inlay_hints_and_code_lenses_show_their_texts() {
    let workspace = Scratch::new("lens");
    workspace.write("questions/team.md", TEAM_BANK);
    workspace.write(
        "notes/a.md",
        "## TM-1 · How do we deploy?\nWith a pipeline.\n",
    );
    workspace.write("notes/b.md", "### TM-1 · Deploys\nBlue-green.\n");
    let mut server = workspace_server(&workspace);
    server.wait_for_indexing();

    let note_uri = workspace.uri("notes/round.md");
    let note = "# Round 1\n\nRemember BE-23 today.\n\n## Interview packet · 3 questions · 2 categories · about 14 min\n\n### BE-23 · ACID\n\n### BE-40 · SQL injection\n\n### BE-104 · Stateless\n";
    server.open(&note_uri, note, 1);
    let hints = server.request(
        "textDocument/inlayHint",
        json!({
            "textDocument": { "uri": note_uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 20, "character": 0 } }
        }),
    );
    assert_eq!(
        hints,
        json!([{
            "position": position_of(note, "BE-23", 5),
            "label": ": What is ACID compliance, and why is…",
            "tooltip": "BE-23 · What is ACID compliance, and why is it important in databases?"
        }])
    );
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": note_uri } }),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| lens["command"]["title"].as_str().unwrap())
        .collect();
    // Minutes from the bank: BE-23 5, BE-40 5 and BE-104 5.
    assert_eq!(titles, ["3 questions · 2 categories · about 15 min"]);
    assert_eq!(lenses[0]["range"]["start"]["line"], 4);

    let bank_uri = workspace.uri("questions/team.md");
    server.open(&bank_uri, TEAM_BANK, 1);
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": bank_uri } }),
    );
    let titles: Vec<(u64, &str)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| {
            (
                lens["range"]["start"]["line"].as_u64().unwrap(),
                lens["command"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (3, "1 of 2 answered"),
            (4, "answered in 2 notes"),
            (5, "not answered")
        ]
    );
    server.stop();
}

#[test]
fn bad_files_get_a_diagnostic_and_the_last_good_state_serves() {
    let workspace = Scratch::new("bad");
    workspace.write(".qbank.toml", "mode = \"interview\"\n");
    workspace.write("latin1.md", b"caf\xe9 BE-23\n");
    workspace.write("good.md", "BE-23\n");
    let mut server = workspace_server(&workspace);
    let latin1 = workspace.uri("latin1.md");
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == latin1
    });
    let diagnostic = &published["params"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unreadable-note");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("is not UTF-8"),
        "{diagnostic}"
    );
    server.wait_for_indexing();

    // The configuration turns invalid: a diagnostic on it, and interview
    // mode (the last good configuration) stays.
    workspace.write(".qbank.toml", "mode = \"exam\"\n");
    let config = workspace.uri(".qbank.toml");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": config, "type": 2 }] }),
    );
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == config
    });
    let diagnostic = &published["params"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "config-invalid");
    assert_eq!(
        diagnostic["range"]["start"],
        json!({ "line": 0, "character": 7 })
    );

    let note_uri = workspace.uri("note.md");
    let note = "@acid\n";
    server.open(&note_uri, note, 1);
    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": note_uri },
            "position": position_of(note, "@acid", 5),
            "context": { "triggerKind": 1 }
        }),
    );
    let inserted = list["items"][0]["textEdit"]["newText"].as_str().unwrap();
    assert!(inserted.contains("**Red flags:**"), "{inserted}");

    // Fixed again: the diagnostic goes away.
    workspace.write(".qbank.toml", "mode = \"study\"\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": config, "type": 2 }] }),
    );
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == config
    });
    assert_eq!(published["params"]["diagnostics"], json!([]));
    server.stop();
}

/// A server started on a folder with a 25,000-question bank, too large to
/// load before `initialize` is answered, and `.qbank.toml` if given; the
/// note `notes/a.md` is written and opened at once, while the bank loads.
fn open_while_a_bank_loads(
    name: &str,
    config: Option<&str>,
    note: &str,
) -> (Scratch, Client, Value) {
    let workspace = Scratch::new(name);
    if let Some(config) = config {
        workspace.write(".qbank.toml", config);
    }
    workspace.write(
        "questions/gen.md",
        qbank_testkit::generate::bank(25_000, 42),
    );
    workspace.write("notes/a.md", note);
    let mut server = workspace_server(&workspace);
    server.set_timeout(Duration::from_secs(60));
    let uri = workspace.uri("notes/a.md");
    server.open(&uri, note, 1);
    (workspace, server, json!(uri))
}

/// The messages of a `publishDiagnostics` notification.
fn diagnostic_messages(published: &Value) -> Vec<&str> {
    published["params"]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|diagnostic| diagnostic["message"].as_str())
        .collect()
}

/// While a large bank loads in the background, a folder whose
/// `.qbank.toml` turns the built-in bank off gets no answer from it: the
/// placeholder that serves meanwhile reads that file too. It once served
/// the built-in bank until the load ended.
#[test]
fn a_folder_without_the_built_in_bank_never_gets_its_answers_while_a_bank_loads() {
    let (_workspace, mut server, uri) = open_while_a_bank_loads(
        "placeholder-builtin-off",
        Some("builtin = false\n"),
        "BE-23 and GEN-1\n",
    );
    let uri = uri.as_str().unwrap();
    let built_in = crate::hover_markdown(&mut server, uri, json!({ "line": 0, "character": 2 }));
    assert!(!built_in.contains("ACID"), "while loading: {built_in}");
    let started = Instant::now();
    loop {
        let generated =
            crate::hover_markdown(&mut server, uri, json!({ "line": 0, "character": 12 }));
        if generated.contains("GEN-1") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the bank never loaded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let built_in = crate::hover_markdown(&mut server, uri, json!({ "line": 0, "character": 2 }));
    assert!(!built_in.contains("ACID"), "once loaded: {built_in}");
    server.stop();
}

/// A note opened while a large bank loads is checked once the bank is in.
/// It was checked against the placeholder that serves meanwhile, which
/// lacks the bank: its key headings were "unknown question", and an
/// unknown key went unnoticed, until the load ended.
#[test]
fn a_note_opened_while_its_bank_loads_is_checked_against_the_bank() {
    let (_workspace, mut server, uri) = open_while_a_bank_loads(
        "check-after-load",
        Some("builtin = false\n"),
        "# Study\n\n### GEN-1\n\nSee GEN-99999.\n",
    );
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
    });
    assert_eq!(
        diagnostic_messages(&published),
        [
            "unknown question GEN-99999; did you mean GEN-9999? (What are best practices for bexfal rate limiting in microservice architectures?)"
        ]
    );
    server.stop();
}

/// A note's `near-duplicate` finding waits for the bank's near-duplicate
/// analysis, which runs in the background once the notes are read; the
/// note is checked again when it is done. The check once ran the
/// analysis itself, and the note waited seconds for its first diagnostics.
#[test]
fn near_duplicates_are_found_in_an_open_note_once_analysed() {
    let (_workspace, mut server, uri) = open_while_a_bank_loads(
        "near-duplicates-after-analysis",
        None,
        "# Round\n\n### BE-66\n\n### BE-78\n",
    );
    let near_duplicates = |published: &Value| -> Vec<String> {
        diagnostic_messages(published)
            .into_iter()
            .filter(|message| message.contains("asks the same"))
            .map(str::to_string)
            .collect()
    };
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == uri
            && !near_duplicates(message).is_empty()
    });
    let found = near_duplicates(&published);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("BE-78 asks the same as BE-66 (line 3)"),
        "{found:?}"
    );
    server.stop();
}

/// While a large bank loads, its first sections answer completions at
/// once, marked incomplete so the editor asks again as the user types;
/// a question further on is offered once the whole bank is in, and the
/// list is then complete. Keys are typed: each matches one question.
#[test]
fn a_large_bank_s_first_sections_answer_while_the_rest_loads() {
    // About 1 MiB of the 7.5 MB bank is previewed: 3,000 questions or more.
    let (first, last) = ("GEN-2999", "GEN-24999");
    let note = format!("@{first}\n@{last}\n");
    let (_workspace, mut server, uri) =
        open_while_a_bank_loads("preview-while-loading", Some("builtin = false\n"), &note);
    let mut complete = |line: usize, key: &str| {
        let params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": key.len() + 1 },
        });
        let result = server.request("textDocument/completion", params);
        let (items, incomplete) = qbank_testkit::bench::completion_items(&result);
        (qbank_testkit::bench::offers_key(items, key), incomplete)
    };
    let started = Instant::now();
    let mut answer = (false, false);
    while !answer.0 && started.elapsed() < Duration::from_secs(60) {
        answer = complete(0, first);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(answer, (true, true), "{first} while the bank loads");
    assert_eq!(
        complete(1, last),
        (false, true),
        "{last} while the bank loads"
    );
    while !complete(1, last).0 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(complete(1, last), (true, false), "{last} once loaded");
    assert_eq!(complete(0, first), (true, false), "{first} once loaded");
    server.stop();
}

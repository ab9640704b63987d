//! The end-to-end latency benchmark of `qbank lsp`: it starts the release
//! binary, drives it over stdio with `Content-Length` framing (a reader
//! thread timestamps every message as it arrives) and prints what an editor
//! user feels, beside the targets of issues 3, 4 and 6. Four scenarios:
//! 1. the built-in bank (start-up, completion, hover, reply size, memory);
//! 2. one keystroke on a 10 MB note (each incremental change followed by a
//!    `qbank/documentStatus` request, which answers once the change is
//!    applied and touches nothing else; a hover after every tenth; the
//!    diagnostics after the last one);
//! 3. a 100,000-question workspace bank (start-up, short queries, reply
//!    size, hover, memory);
//! 4. a workspace of 10,000 notes (about 40 MB, nested folders, one folder
//!    gitignored) citing the built-in bank, with a client that takes
//!    progress reports and watches files: the first completion while the
//!    background indexing runs, the indexing time (`$/progress` end), the
//!    references of `BE-23`, and how soon a note changed on disk
//!    (`workspace/didChangeWatchedFiles`) shows in the references.
//!
//! It builds nothing itself and asserts no timing; every wait is bounded, a
//! hung server ends the run with an error, and the child is always killed.
//! `cargo bench --bench lsp_latency`; `QBANK_BENCH_QUICK=1` for a short run
//! (10,000 questions, a 1 MB note, 1,000 notes, fewer requests);
//! `QBANK_BENCH_ONLY=4` (or `1,3`) to run only those scenarios.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use qbank::core::generate;
use qbank::core::key::Key;
use qbank::notes::index_notes;
use qbank::workspace::{LoadOptions, load_workspace};
use serde_json::{Value, json};

/// The longest wait for one reply or notification.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest one write to the server may block (a server that stops
/// reading its input): past it the watchdog kills the server.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest one server may live, a backstop for anything unforeseen.
const SCENARIO_LIMIT: Duration = Duration::from_secs(1_800);
/// The pause before diagnostics of a changed document (`DIAGNOSTICS_DELAY`
/// in src/lsp/server.rs); the 10 MB target counts from its end.
const DEBOUNCE: Duration = Duration::from_millis(200);
const BANK_SEED: u64 = 42;
const NOTE_SEED: u64 = 1;
/// The longest wait for the workspace scan of scenario 4 to end.
const INDEXING_LIMIT: Duration = Duration::from_secs(300);
/// The longest wait for a changed note to show in the references.
const UPDATE_LIMIT: Duration = Duration::from_secs(10);
/// How often scenario 4 asks for a completion while the scan runs.
const INDEXING_POLL: Duration = Duration::from_millis(50);
/// Notes changed on disk in scenario 4, one at a time.
const DISK_CHANGES: usize = 5;
const MIB: f64 = 1024.0 * 1024.0;

struct Settings {
    quick: bool,
    completions: usize,
    hovers: usize,
    keystrokes: usize,
    note_bytes: usize,
    big_bank: usize,
    workspace_notes: usize,
    /// The scenarios to run (1 to 4).
    only: Vec<u32>,
}

fn main() -> ExitCode {
    let quick = std::env::var("QBANK_BENCH_QUICK").is_ok_and(|value| value == "1");
    let settings = if quick {
        Settings {
            quick,
            completions: 60,
            hovers: 60,
            keystrokes: 60,
            note_bytes: 1_000_000,
            big_bank: 10_000,
            workspace_notes: 1_000,
            only: Vec::new(),
        }
    } else {
        Settings {
            quick,
            completions: 400,
            hovers: 400,
            keystrokes: 500,
            note_bytes: 10_000_000,
            big_bank: 100_000,
            workspace_notes: 10_000,
            only: Vec::new(),
        }
    };
    let only = std::env::var("QBANK_BENCH_ONLY").unwrap_or_default();
    let settings = match scenarios(&only) {
        Ok(only) => Settings { only, ..settings },
        Err(error) => {
            eprintln!("lsp_latency: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    match run(&settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lsp_latency: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The scenarios `QBANK_BENCH_ONLY` names ("4", "1,3"); all when empty.
fn scenarios(only: &str) -> Result<Vec<u32>> {
    if only.trim().is_empty() {
        return Ok(vec![1, 2, 3, 4]);
    }
    only.split(',')
        .map(|part| match part.trim().parse::<u32>() {
            Ok(number @ 1..=4) => Ok(number),
            _ => Err(anyhow!(
                "QBANK_BENCH_ONLY={only:?}: name scenarios 1 to 4, separated by commas"
            )),
        })
        .collect()
}

fn run(settings: &Settings) -> Result<()> {
    let binary = server_binary()?;
    println!(
        "# qbank lsp end-to-end latency{}",
        if settings.quick {
            " (quick: smaller inputs, not comparable with the targets)"
        } else {
            ""
        }
    );
    println!();
    println!("server: {}", binary.display());
    println!();
    if settings.only.len() < 4 {
        println!("scenarios: {:?} only (QBANK_BENCH_ONLY)", settings.only);
        println!();
    }
    let mut rows = Vec::new();
    let wanted = |number: u32| settings.only.contains(&number);
    if wanted(1) {
        builtin_scenario(&binary, settings, &mut rows).context("scenario 1 (built-in bank)")?;
    }
    if wanted(2) {
        keystroke_scenario(&binary, settings, &mut rows).context("scenario 2 (keystrokes)")?;
    }
    if wanted(3) {
        big_bank_scenario(&binary, settings, &mut rows).context("scenario 3 (large bank)")?;
    }
    if wanted(4) {
        workspace_scenario(&binary, settings, &mut rows).context("scenario 4 (workspace)")?;
    }
    println!("## Summary");
    println!();
    println!("| what | target | measured | met |");
    println!("| --- | --- | --- | --- |");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} |",
            row.what,
            row.target,
            row.measured,
            match row.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
        );
    }
    let missed = rows.iter().filter(|row| row.met == Some(false)).count();
    println!();
    println!("{missed} of {} targets missed.", rows.len());
    Ok(())
}

/// The release binary cargo built for this benchmark, else target/release.
fn server_binary() -> Result<PathBuf> {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_qbank"));
    if built.is_file() {
        return Ok(built);
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/qbank");
    if fallback.is_file() {
        return Ok(fallback);
    }
    bail!(
        "no qbank binary at {} or {}: run `cargo build --release`",
        built.display(),
        fallback.display()
    )
}

// ---------------------------------------------------------------------------
// Scenarios

/// One line of the summary table.
struct Row {
    what: String,
    target: String,
    measured: String,
    met: Option<bool>,
}

fn row(what: &str, target: &str, measured: String, met: Option<bool>) -> Row {
    Row {
        what: what.to_string(),
        target: target.to_string(),
        measured,
        met,
    }
}

/// A place in the open note where a request is made.
#[derive(Clone)]
struct Probe {
    label: String,
    line: u32,
    character: u32,
    /// The key a completion should offer (a distinctive word's question).
    expect_key: Option<String>,
}

/// A note assembled line by line, remembering where its probes are.
#[derive(Default)]
struct NoteBuilder {
    lines: Vec<String>,
}

impl NoteBuilder {
    fn line(&mut self, text: String) {
        self.lines.push(text);
    }

    /// Adds a line and a probe at its end.
    fn probe_at_end(&mut self, label: &str, text: String) -> Probe {
        let probe = Probe {
            label: label.to_string(),
            line: self.lines.len() as u32,
            character: utf16_len(&text),
            expect_key: None,
        };
        self.lines.push(text);
        probe
    }

    /// Adds a line and a probe `offset` UTF-16 units after `marker`.
    fn probe_in(&mut self, label: &str, text: String, marker: &str, offset: u32) -> Probe {
        let start = text.find(marker).expect("the marker is in the line");
        let probe = Probe {
            label: label.to_string(),
            line: self.lines.len() as u32,
            character: utf16_len(&text[..start]) + offset,
            expect_key: None,
        };
        self.lines.push(text);
        probe
    }

    fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

/// Spawn → the moment a completion at `probe` first offers its expected
/// key: the banks are indexed (at least up to that question).
fn wait_indexed(server: &mut Server, uri: &str, probe: &Probe) -> Result<Duration> {
    let wanted = probe.expect_key.clone().unwrap_or_default();
    let indexed = loop {
        let reply = server.request("textDocument/completion", position_params(uri, probe))?;
        let (items, _) = completion_items(&reply.result);
        if items
            .iter()
            .any(|item| item["data"]["key"].as_str() == Some(wanted.as_str()))
        {
            break reply.at - server.spawned;
        }
        if server.spawned.elapsed() > REPLY_TIMEOUT {
            bail!(
                "{wanted} not offered for `{}` within {}",
                probe.label,
                ms(REPLY_TIMEOUT)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    println!(
        "spawn → banks indexed (`{}` offers {wanted}): {}; `$/progress` seen: {}",
        probe.label,
        ms(indexed),
        server.progress_seen
    );
    Ok(indexed)
}

/// Adds a `- see KEY` line per key and spreads their completions evenly
/// among the `@` queries, so the request mix interleaves both kinds.
fn interleave_keys(note: &mut NoteBuilder, completions: &mut Vec<Probe>, keys: &[&str]) {
    let queries = completions.len();
    for (position, key) in keys.iter().enumerate().rev() {
        let probe = note.probe_at_end(key, format!("- see {key}"));
        completions.insert((position + 1) * queries / (keys.len() + 1), probe);
    }
}

/// The figures of completion and hover runs over a list of probes.
struct Requests {
    completion: Vec<Duration>,
    hover: Vec<Duration>,
    largest: Largest,
    empty_completions: usize,
    hovers_found: usize,
    expected: usize,
    expected_found: usize,
    misses: Vec<String>,
    /// Each completion query's slowest round trip.
    slowest: Vec<(String, Duration)>,
}

#[derive(Default)]
struct Largest {
    bytes: usize,
    items: usize,
    incomplete: bool,
    query: String,
}

fn run_requests(
    server: &mut Server,
    uri: &str,
    completions: &[Probe],
    hovers: &[Probe],
    settings: &Settings,
) -> Result<Requests> {
    let mut figures = Requests {
        completion: Vec::new(),
        hover: Vec::new(),
        largest: Largest::default(),
        empty_completions: 0,
        hovers_found: 0,
        expected: 0,
        expected_found: 0,
        misses: Vec::new(),
        slowest: Vec::new(),
    };
    for probe in completions.iter().cycle().take(settings.completions) {
        let reply = server.request("textDocument/completion", position_params(uri, probe))?;
        figures.completion.push(reply.rtt);
        match figures
            .slowest
            .iter_mut()
            .find(|(label, _)| *label == probe.label)
        {
            Some((_, slowest)) => *slowest = (*slowest).max(reply.rtt),
            None => figures.slowest.push((probe.label.clone(), reply.rtt)),
        }
        let (items, incomplete) = completion_items(&reply.result);
        if items.is_empty() {
            figures.empty_completions += 1;
        }
        if reply.bytes > figures.largest.bytes {
            figures.largest = Largest {
                bytes: reply.bytes,
                items: items.len(),
                incomplete,
                query: probe.label.clone(),
            };
        }
        if let Some(key) = &probe.expect_key {
            figures.expected += 1;
            let found = items
                .iter()
                .any(|item| item["data"]["key"].as_str() == Some(key.as_str()));
            if found {
                figures.expected_found += 1;
            } else if figures.misses.len() < 5 {
                figures
                    .misses
                    .push(format!("{} (wanted {key})", probe.label));
            }
        }
    }
    for probe in hovers.iter().cycle().take(settings.hovers) {
        let reply = server.request("textDocument/hover", position_params(uri, probe))?;
        figures.hover.push(reply.rtt);
        if !reply.result.is_null() {
            figures.hovers_found += 1;
        }
    }
    Ok(figures)
}

fn print_requests(figures: &Requests) {
    let mut slowest = figures.slowest.clone();
    slowest.sort_by_key(|(_, duration)| std::cmp::Reverse(*duration));
    let slowest: Vec<String> = slowest
        .iter()
        .take(8)
        .map(|(label, duration)| format!("`{label}` {}", ms(*duration)))
        .collect();
    println!(
        "completion: {} requests, p50 {}, p99 {}, max {}; {} empty",
        figures.completion.len(),
        ms(percentile(&figures.completion, 50.0)),
        ms(percentile(&figures.completion, 99.0)),
        ms(percentile(&figures.completion, 100.0)),
        figures.empty_completions
    );
    println!(
        "largest completion reply: {} ({} items, isIncomplete {}) for `{}`",
        bytes(figures.largest.bytes),
        figures.largest.items,
        figures.largest.incomplete,
        figures.largest.query
    );
    println!("slowest completion queries: {}", slowest.join(", "));
    if figures.expected > 0 {
        println!(
            "distinctive-word queries offering their question: {}/{}{}",
            figures.expected_found,
            figures.expected,
            if figures.misses.is_empty() {
                String::new()
            } else {
                format!(" (missed: {})", figures.misses.join(", "))
            }
        );
    }
    println!(
        "hover: {} requests, p50 {}, p99 {}, max {}; {} answered with a card",
        figures.hover.len(),
        ms(percentile(&figures.hover, 50.0)),
        ms(percentile(&figures.hover, 99.0)),
        ms(percentile(&figures.hover, 100.0)),
        figures.hovers_found
    );
}

/// Scenario 1: the built-in bank, a workspace with an empty `.qbank.toml`.
fn builtin_scenario(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    println!("## 1. Built-in bank (128 questions), utf-16 client");
    println!();
    let scratch = Scratch::new("builtin")?;
    std::fs::write(scratch.path.join(".qbank.toml"), "")?;

    let mut note = NoteBuilder::default();
    note.line("# Interview prep 🚀 notes".to_string());
    note.line(String::new());
    let first = note.probe_at_end("@cach", "Caching 🧠 see @cach".to_string());
    let mut last = note.probe_at_end("BE-128", "- the last question: BE-128".to_string());
    last.expect_key = Some("BE-128".to_string());
    let words = [
        "cache", "database", "thread", "index", "queue", "deploy", "schema", "token", "replica",
        "latency", "api", "rest", "sql", "auth", "load", "docker", "kafka", "graphql",
    ];
    let mut completions = Vec::new();
    for (position, word) in words.iter().enumerate() {
        for length in 1..=word.len().min(6) {
            let query = &word[..length];
            let label = format!("@{query}");
            // One query in four at a line's start: the heading-and-template form.
            let text = if (position + length) % 4 == 0 {
                format!("@{query}")
            } else {
                format!("- 🧪 about {word}: @{query}")
            };
            completions.push(note.probe_at_end(&label, text));
        }
    }
    let keys = [
        "BE-", "BE-1", "BE-2", "BE-12", "BE-5", "BE-10", "BE-100", "BE-7",
    ];
    interleave_keys(&mut note, &mut completions, &keys);
    let mut hovers = Vec::new();
    for number in 1..=128 {
        let key = format!("BE-{number}");
        let text = if number % 3 == 0 {
            format!("### {key} · ✅ answered")
        } else {
            format!("- revisit {key} after 🧪 practice")
        };
        hovers.push(note.probe_in(&key, text, &key, 2));
    }
    let text = note.text();
    let uri = scratch.write("prep.md", &text)?;

    let mut server = Server::start(binary, &scratch)?;
    let initialize = server.initialize(&scratch)?;
    let to_initialize = initialize.at - server.spawned;
    server.notify("initialized", json!({}))?;
    server.open(&uri, &text)?;
    let reply = server.request("textDocument/completion", position_params(&uri, &first))?;
    let to_first = reply.at - server.spawned;
    let (first_items, _) = completion_items(&reply.result);
    println!("spawn → initialize reply: {}", ms(to_initialize));
    println!(
        "spawn → first completion (`@cach`): {} ({} items)",
        ms(to_first),
        first_items.len()
    );
    let indexed = wait_indexed(&mut server, &uri, &last)?;

    let figures = run_requests(&mut server, &uri, &completions, &hovers, settings)?;
    print_requests(&figures);
    let memory = server.memory()?;
    println!(
        "server memory: peak RSS (VmHWM) {:.1} MiB, RSS now {:.1} MiB",
        memory.peak as f64 / MIB,
        memory.now as f64 / MIB
    );
    server.stop()?;
    println!();

    let what = |text: &str| format!("{text} (128 q)");
    rows.push(row(
        &what("start → `initialize` reply"),
        "≤ 20 ms",
        ms(to_initialize),
        Some(to_initialize <= millis(20.0)),
    ));
    rows.push(row(
        &what("start → first completion"),
        "≤ 50 ms",
        format!("{} ({} items)", ms(to_first), first_items.len()),
        Some(to_first <= millis(50.0) && !first_items.is_empty()),
    ));
    rows.push(row(
        &what("start → banks indexed"),
        "≤ 100 ms",
        ms(indexed),
        Some(indexed <= millis(100.0)),
    ));
    push_completion_rows(rows, &what, &figures, (2.0, 10.0));
    push_reply_rows(rows, &what, &figures.largest);
    push_hover_row(rows, &what, &figures.hover, 2.0);
    rows.push(row(
        &what("peak memory (RSS)"),
        "≤ 40 MB",
        format!("{:.1} MiB", memory.peak as f64 / MIB),
        Some(memory.peak as f64 <= 40.0 * MIB),
    ));
    Ok(())
}

fn push_completion_rows(
    rows: &mut Vec<Row>,
    what: &dyn Fn(&str) -> String,
    figures: &Requests,
    (p50_target, p99_target): (f64, f64),
) {
    let p50 = percentile(&figures.completion, 50.0);
    let p99 = percentile(&figures.completion, 99.0);
    rows.push(row(
        &what("`@`/key completion p50"),
        &format!("≤ {p50_target} ms"),
        ms(p50),
        Some(p50 <= millis(p50_target)),
    ));
    rows.push(row(
        &what("`@`/key completion p99"),
        &format!("≤ {p99_target} ms"),
        ms(p99),
        Some(p99 <= millis(p99_target)),
    ));
}

fn push_reply_rows(rows: &mut Vec<Row>, what: &dyn Fn(&str) -> String, largest: &Largest) {
    rows.push(row(
        &what("largest completion reply"),
        "≤ 100 items, ≤ 64 KB",
        format!(
            "{} items, {} (`{}`, isIncomplete {})",
            largest.items,
            bytes(largest.bytes),
            largest.query,
            largest.incomplete
        ),
        Some(largest.items <= 100 && largest.bytes <= 64 * 1024),
    ));
}

fn push_hover_row(
    rows: &mut Vec<Row>,
    what: &dyn Fn(&str) -> String,
    hovers: &[Duration],
    target: f64,
) {
    let p99 = percentile(hovers, 99.0);
    rows.push(row(
        &what("hover p99"),
        &format!("≤ {target} ms"),
        format!("{} (p50 {})", ms(p99), ms(percentile(hovers, 50.0))),
        Some(p99 <= millis(target)),
    ));
}

/// Scenario 2: single-character incremental changes to a 10 MB note, each
/// followed at once by a hover at the edit; then the diagnostics.
fn keystroke_scenario(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let started = Instant::now();
    let text = generate::note(settings.note_bytes, NOTE_SEED);
    let bank_questions = generate::NOTE_KEYS as usize;
    println!(
        "## 2. Keystrokes on a {} note (`generate::note({}, {NOTE_SEED})`, {} lines)",
        bytes(text.len()),
        settings.note_bytes,
        text.lines().count()
    );
    println!();
    println!(
        "workspace: built-in bank + `questions/gen.md` = `generate::bank({bank_questions}, {NOTE_SEED})`, \
         the bank the note's GEN keys name; generated in {}",
        ms(started.elapsed())
    );
    let scratch = Scratch::new("keystrokes")?;
    std::fs::write(scratch.path.join(".qbank.toml"), "")?;
    std::fs::create_dir_all(scratch.path.join("questions"))?;
    std::fs::write(
        scratch.path.join("questions/gen.md"),
        generate::bank(bank_questions, NOTE_SEED),
    )?;
    let uri = scratch.write("long.md", &text)?;

    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let headings: Vec<Probe> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("### GEN-"))
        .map(|(number, _)| Probe {
            label: "heading key".to_string(),
            line: number as u32,
            character: 6,
            expect_key: None,
        })
        .collect();
    let spread: Vec<Probe> = (0..100)
        .map(|step| headings[step * headings.len() / 100].clone())
        .collect();

    let mut server = Server::start(binary, &scratch)?;
    server.initialize(&scratch)?;
    server.notify("initialized", json!({}))?;
    let opened = server.open(&uri, &text)?;
    let reply = server.request("textDocument/hover", position_params(&uri, &spread[0]))?;
    let open_to_hover = reply.at - opened;
    let first_diagnostics = server.wait_for(
        |message| is_diagnostics(message, &uri, Some(1)),
        "the diagnostics of the opened note",
    )?;
    let open_to_diagnostics = first_diagnostics.at - opened;
    let found = first_diagnostics.value["params"]["diagnostics"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let diagnostic_count = found.len();
    let mut codes: Vec<(String, usize)> = Vec::new();
    for diagnostic in found {
        let code = diagnostic["code"].as_str().unwrap_or("?").to_string();
        match codes.iter_mut().find(|(known, _)| *known == code) {
            Some((_, count)) => *count += 1,
            None => codes.push((code, 1)),
        }
    }
    let codes: Vec<String> = codes
        .iter()
        .map(|(code, count)| format!("{count} {code}"))
        .collect();
    println!(
        "didOpen sent → first hover answered: {} (includes reading and parsing the note)",
        ms(open_to_hover)
    );
    println!(
        "didOpen sent → diagnostics published: {} ({diagnostic_count} diagnostics: {}; {})",
        ms(open_to_diagnostics),
        codes.join(", "),
        bytes(first_diagnostics.bytes)
    );

    let mut still = Vec::new();
    for probe in &spread {
        let reply = server.request("textDocument/hover", position_params(&uri, probe))?;
        still.push(reply.rtt);
    }
    println!(
        "hover on the unchanged note: p50 {}, p99 {} ({} requests)",
        ms(percentile(&still, 50.0)),
        ms(percentile(&still, 99.0)),
        still.len()
    );

    let mut rng = Rng(0x5EED);
    let mut round_trips = Vec::new();
    let mut after_hover = Vec::new();
    let mut other_keys = Vec::new();
    let mut hovers_after_edit = Vec::new();
    let mut version = 1;
    let mut last_sent = Instant::now();
    let mut deletions = 0;
    for _ in 0..settings.keystrokes {
        let line = rng.below(lines.len());
        let chars = lines[line].chars().count();
        let column = rng.below(chars + 1);
        let byte = lines[line]
            .char_indices()
            .nth(column)
            .map_or(lines[line].len(), |(byte, _)| byte);
        let character = utf16_len(&lines[line][..byte]);
        let next = lines[line][byte..].chars().next();
        let delete = rng.below(4) == 0 && next.is_some_and(|next| next.len_utf16() == 1);
        let (end, inserted) = if delete {
            lines[line].remove(byte);
            deletions += 1;
            (character + 1, "")
        } else {
            let letter = ["e", "t", "a", "o", "i", "n", "s", "r"][rng.below(8)];
            lines[line].insert_str(byte, letter);
            (character, letter)
        };
        version += 1;
        let change = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{
                "range": {
                    "start": { "line": line, "character": character },
                    "end": { "line": line, "character": end }
                },
                "text": inserted
            }]
        });
        last_sent = server.notify("textDocument/didChange", change)?;
        // The keystroke's own cost: the change applied, as the server's
        // answer to a status request right behind it shows.
        let status = server.request("qbank/documentStatus", json!({ "uri": uri }))?;
        round_trips.push(status.at - last_sent);
        // The first keystroke after a hover drops the parse the hover made.
        if round_trips.len() % 10 == 1 && round_trips.len() > 1 {
            after_hover.push(status.at - last_sent);
        } else {
            other_keys.push(status.at - last_sent);
        }
        if status.result["version"].as_i64() != Some(version as i64) {
            anyhow::bail!(
                "the server holds version {} after change {version}",
                status.result["version"]
            );
        }
        // What the user sees next: a hover right after typing, every tenth key.
        if round_trips.len() % 10 == 0 {
            let probe = Probe {
                label: "edit".to_string(),
                line: line as u32,
                character,
                expect_key: None,
            };
            let sent = Instant::now();
            let reply = server.request("textDocument/hover", position_params(&uri, &probe))?;
            hovers_after_edit.push(reply.at - sent);
        }
    }
    let keystroke_p50 = percentile(&round_trips, 50.0);
    let keystroke_p99 = percentile(&round_trips, 99.0);
    println!(
        "keystroke (didChange, then qbank/documentStatus): {} changes ({deletions} deletions), \
         p50 {}, p99 {}, max {}",
        round_trips.len(),
        ms(keystroke_p50),
        ms(keystroke_p99),
        ms(percentile(&round_trips, 100.0))
    );
    println!(
        "keystroke right after a hover: p50 {}, max {} ({}); other keystrokes: p50 {}, p99 {}, max {} ({})",
        ms(percentile(&after_hover, 50.0)),
        ms(percentile(&after_hover, 100.0)),
        after_hover.len(),
        ms(percentile(&other_keys, 50.0)),
        ms(percentile(&other_keys, 99.0)),
        ms(percentile(&other_keys, 100.0)),
        other_keys.len()
    );
    println!(
        "hover right after a keystroke (reparses the note): p50 {}, p99 {} ({} requests)",
        ms(percentile(&hovers_after_edit, 50.0)),
        ms(percentile(&hovers_after_edit, 99.0)),
        hovers_after_edit.len()
    );

    let diagnostics = server
        .wait_for(
            |message| is_diagnostics(message, &uri, Some(version)),
            "the diagnostics after the last keystroke",
        )
        .map(|message| message.at - last_sent);
    match &diagnostics {
        Ok(after) => println!(
            "last keystroke → diagnostics published: {} ({} after the {} debounce)",
            ms(*after),
            ms(after.saturating_sub(DEBOUNCE)),
            ms(DEBOUNCE)
        ),
        Err(error) => println!("last keystroke → diagnostics: none ({error:#})"),
    }

    let expected = lines.join("\n");
    let served = server.request("qbank/documentText", json!({ "uri": uri }))?;
    let same = served.result["text"].as_str() == Some(expected.as_str());
    println!(
        "server's text equals the client's after {} changes: {}",
        round_trips.len(),
        if same { "yes" } else { "NO" }
    );
    let memory = server.memory()?;
    println!(
        "server memory: peak RSS (VmHWM) {:.1} MiB, RSS now {:.1} MiB",
        memory.peak as f64 / MIB,
        memory.now as f64 / MIB
    );
    server.stop()?;
    println!();

    let size = bytes(text.len());
    rows.push(row(
        &format!("one keystroke on a {size} note, p99"),
        "≤ 1 ms",
        format!("{} (p50 {})", ms(keystroke_p99), ms(keystroke_p50)),
        Some(keystroke_p99 <= millis(1.0)),
    ));
    let (measured, met) = match diagnostics {
        Ok(after) => (
            format!(
                "{} after the debounce ({} after the keystroke); {} after didOpen",
                ms(after.saturating_sub(DEBOUNCE)),
                ms(after),
                ms(open_to_diagnostics)
            ),
            Some(after.saturating_sub(DEBOUNCE) <= millis(50.0)),
        ),
        Err(_) => ("none published".to_string(), Some(false)),
    };
    rows.push(row(
        &format!("diagnostics of a {size} note"),
        "≤ 50 ms after the debounce",
        measured,
        met,
    ));
    if !same {
        bail!("the server's copy of the note differs from the client's");
    }
    Ok(())
}

/// Scenario 3: a generated bank at `questions/gen.md` in the workspace.
fn big_bank_scenario(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let questions = settings.big_bank;
    let started = Instant::now();
    let bank = generate::bank(questions, BANK_SEED);
    println!(
        "## 3. Workspace bank of {questions} questions (`generate::bank({questions}, {BANK_SEED})`, {})",
        bytes(bank.len())
    );
    println!();
    let scratch = Scratch::new("large-bank")?;
    std::fs::write(scratch.path.join(".qbank.toml"), "")?;
    std::fs::create_dir_all(scratch.path.join("questions"))?;
    std::fs::write(scratch.path.join("questions/gen.md"), &bank)?;
    drop(bank);
    println!("generated and written in {}", ms(started.elapsed()));

    let mut note = NoteBuilder::default();
    note.line("# Large bank notes 🚀".to_string());
    note.line(String::new());
    let first = note.probe_at_end("@cach", "Caching 🧠 see @cach".to_string());
    let last_word = generate::distinctive_word(questions as u32, BANK_SEED);
    let mut last = note.probe_at_end(
        &format!("@{last_word}"),
        format!("- the last question: @{last_word}"),
    );
    last.expect_key = Some(format!("{}-{questions}", generate::PREFIX));
    let mut completions = Vec::new();
    for query in [
        "a", "c", "z", "k", "s", "ca", "ze", "ra", "in", "da", "th", "cac", "cach", "cache", "dat",
        "queue", "laten", "sched", "shard",
    ] {
        let text = if query.len() == 2 {
            format!("@{query}")
        } else {
            format!("- 🧪 see @{query}")
        };
        completions.push(note.probe_at_end(&format!("@{query}"), text));
    }
    for step in 0..24u64 {
        let number = 1 + (step * 7_919 + 13) % questions as u64;
        let word = generate::distinctive_word(number as u32, BANK_SEED);
        // The whole word, or its first four letters.
        let query = if step % 3 == 0 { &word[..4] } else { &word[..] };
        let mut probe = note.probe_at_end(&format!("@{query}"), format!("- about @{query}"));
        if query == word {
            probe.expect_key = Some(format!("{}-{number}", generate::PREFIX));
        }
        completions.push(probe);
    }
    let keys = [
        "GEN-", "GEN-1", "GEN-12", "GEN-123", "GEN-1234", "GEN-9", "GEN-99",
    ];
    interleave_keys(&mut note, &mut completions, &keys);
    let mut hovers = Vec::new();
    for step in 0..128u64 {
        let number = 1 + (step * 104_729 + 7) % questions as u64;
        let key = format!("{}-{number}", generate::PREFIX);
        hovers.push(note.probe_in(&key, format!("- revisit {key} soon"), &key, 2));
    }
    let text = note.text();
    let uri = scratch.write("prep.md", &text)?;

    let mut server = Server::start(binary, &scratch)?;
    let initialize = server.initialize(&scratch)?;
    let to_initialize = initialize.at - server.spawned;
    server.notify("initialized", json!({}))?;
    server.open(&uri, &text)?;
    let reply = server.request("textDocument/completion", position_params(&uri, &first))?;
    let to_first = reply.at - server.spawned;
    let (first_items, _) = completion_items(&reply.result);
    println!("spawn → initialize reply: {}", ms(to_initialize));
    println!(
        "spawn → first completion (`@cach`): {} ({} items)",
        ms(to_first),
        first_items.len()
    );
    // Indexed when the last question is found by its distinctive word.
    let indexed = wait_indexed(&mut server, &uri, &last)?;

    let figures = run_requests(&mut server, &uri, &completions, &hovers, settings)?;
    print_requests(&figures);
    let memory = server.memory()?;
    println!(
        "server memory: peak RSS (VmHWM) {:.1} MiB, RSS now {:.1} MiB",
        memory.peak as f64 / MIB,
        memory.now as f64 / MIB
    );
    server.stop()?;
    println!();

    let what = |text: &str| format!("{text} ({questions} q)");
    rows.push(row(
        &what("start → `initialize` reply"),
        "≤ 20 ms",
        ms(to_initialize),
        Some(to_initialize <= millis(20.0)),
    ));
    rows.push(row(
        &what("start → first completion"),
        "≤ 50 ms",
        format!("{} ({} items)", ms(to_first), first_items.len()),
        Some(to_first <= millis(50.0)),
    ));
    rows.push(row(
        &what("start → banks indexed"),
        "≤ 2 s, with `$/progress`",
        format!(
            "{}; `$/progress` {}",
            ms(indexed),
            if server.progress_seen {
                "sent"
            } else {
                "not sent"
            }
        ),
        Some(indexed <= millis(2_000.0) && server.progress_seen),
    ));
    push_completion_rows(rows, &what, &figures, (10.0, 50.0));
    let largest = &figures.largest;
    rows.push(row(
        &what("largest completion reply"),
        "≤ 100 items, ≤ 64 KB, `isIncomplete`",
        format!(
            "{} items, {} (`{}`, isIncomplete {})",
            largest.items,
            bytes(largest.bytes),
            largest.query,
            largest.incomplete
        ),
        Some(largest.items <= 100 && largest.bytes <= 64 * 1024 && largest.incomplete),
    ));
    rows.push(row(
        &what("distinctive word finds its question"),
        "every question findable",
        format!("{}/{}", figures.expected_found, figures.expected),
        Some(figures.expected_found == figures.expected),
    ));
    push_hover_row(rows, &what, &figures.hover, 5.0);
    rows.push(row(
        &what("peak memory (RSS)"),
        "≤ 250 MB",
        format!("{:.1} MiB", memory.peak as f64 / MIB),
        Some(memory.peak as f64 <= 250.0 * MIB),
    ));
    Ok(())
}

/// Where note `index` of scenario 4 lives: twenty topic folders, nine notes
/// in ten a level further down, in one of ten weeks.
fn workspace_note_path(index: usize) -> String {
    let topic = index % 20;
    if index % 10 == 0 {
        format!("notes/topic-{topic:02}/note-{index:05}.md")
    } else {
        format!(
            "notes/topic-{topic:02}/week-{:02}/note-{index:05}.md",
            index / 20 % 10
        )
    }
}

/// A reference: the file (relative to the workspace), line and column.
type Place = (String, u64, u64);

/// The references of the key at `probe`, without the declaration.
fn reference_places(
    server: &mut Server,
    scratch: &Scratch,
    uri: &str,
    probe: &Probe,
) -> Result<(Reply, Vec<Place>)> {
    let mut params = position_params(uri, probe);
    params["context"] = json!({ "includeDeclaration": false });
    let reply = server.request("textDocument/references", params)?;
    let root = scratch.uri("");
    let places = reply
        .result
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|location| {
            let file = location["uri"].as_str().unwrap_or_default();
            let file = file
                .strip_prefix(root.as_str())
                .unwrap_or(file)
                .trim_start_matches('/');
            let start = &location["range"]["start"];
            (
                file.to_string(),
                start["line"].as_u64().unwrap_or(u64::MAX),
                start["character"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    Ok((reply, places))
}

/// Scenario 4: a workspace of generated notes citing the built-in bank,
/// indexed in the background by a server whose client takes progress
/// reports and watches files.
fn workspace_scenario(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let count = settings.workspace_notes;
    let ignored = (count / 100).max(1);
    println!(
        "## 4. Workspace of {count} notes citing the built-in bank (`generate::workspace_note(i, {NOTE_SEED})`)"
    );
    println!();
    let started = Instant::now();
    let scratch = Scratch::new("workspace")?;
    std::fs::write(scratch.path.join(".qbank.toml"), "")?;
    std::fs::write(scratch.path.join(".gitignore"), "archive/\n")?;
    let mut written = 0;
    let mut folders = std::collections::BTreeSet::new();
    for index in 0..count {
        let relative = workspace_note_path(index);
        let path = scratch.path.join(&relative);
        let folder = path
            .parent()
            .ok_or_else(|| anyhow!("{relative} has no folder"))?;
        if folders.insert(folder.to_path_buf()) {
            std::fs::create_dir_all(folder)?;
        }
        let text = generate::workspace_note(index, NOTE_SEED);
        written += text.len();
        std::fs::write(&path, text).with_context(|| format!("writing {relative}"))?;
    }
    // Notes the scan must leave out: every one names BE-23.
    for index in 0..ignored {
        let relative = format!("archive/{}/old-{index:04}.md", index % 5);
        let path = scratch.path.join(&relative);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let mut text = generate::workspace_note(count + index, NOTE_SEED);
        text.push_str("Archived, see BE-23.\n");
        std::fs::write(&path, text)?;
    }
    let mut note = NoteBuilder::default();
    note.line("# Prep for Friday 🚀".to_string());
    note.line(String::new());
    let first = note.probe_at_end("@cach", "Caching 🧠 see @cach".to_string());
    note.line(String::new());
    let key = note.probe_in(
        "BE-23",
        "Remember BE-23 before the call.".to_string(),
        "BE-23",
        2,
    );
    let text = note.text();
    let uri = scratch.write("prep.md", &text)?;
    let write_time = started.elapsed();
    // Flush the 40 MB to disk now, so its writeback does not stall the
    // server being measured.
    let synced = Instant::now();
    let sync = Command::new("sync")
        .status()
        .is_ok_and(|status| status.success());
    println!(
        "{count} notes, {} ({} a note on average), in {} folders; {ignored} more under a gitignored \
         `archive/`; written in {}, then `sync`{} in {}",
        bytes(written),
        bytes(written / count.max(1)),
        folders.len(),
        ms(write_time),
        if sync { "" } else { " (failed)" },
        ms(synced.elapsed())
    );

    // The same notes indexed in this process, on one thread: a floor for
    // the server's scan, and the references of BE-23 to expect.
    let baseline_started = Instant::now();
    let workspace = load_workspace(&scratch.path, &LoadOptions::default());
    let (indexed, problems) = index_notes(&workspace);
    let baseline = baseline_started.elapsed();
    let be23 = Key::new("BE", 23);
    let expected: usize = indexed
        .mentioning(&be23)
        .map(|note| note.keys.iter().filter(|found| found.key == be23).count())
        .sum();
    println!(
        "in-process `notes::index_notes` (one thread, warm page cache): {} notes in {}; {} problems; \
         BE-23 written {expected} times outside code",
        indexed.len(),
        ms(baseline),
        problems.len()
    );
    drop(indexed);
    drop(workspace);

    let mut server = Server::start(binary, &scratch)?;
    let initialize = server.initialize_with(&scratch, true)?;
    let to_initialize = initialize.at - server.spawned;
    let initialized = server.notify("initialized", json!({}))?;
    server.open(&uri, &text)?;
    let reply = server.request("textDocument/completion", position_params(&uri, &first))?;
    let to_first = reply.at - initialized;
    let (first_items, _) = completion_items(&reply.result);
    let first_items = first_items.len();
    let progress_then = server.progress.state();
    println!("spawn → initialize reply: {}", ms(to_initialize));
    println!(
        "`initialized` → first completion (`@cach`): {} ({first_items} items); indexing then: {progress_then}",
        ms(to_first)
    );

    // Completions while the scan runs, until `$/progress` ends.
    let limit = Instant::now() + INDEXING_LIMIT;
    let mut during = Vec::new();
    let mut empty_during = 0;
    while server.progress.ended.is_none() {
        if Instant::now() > limit {
            bail!(
                "indexing did not end within {} (progress {}){}",
                ms(INDEXING_LIMIT),
                server.progress.state(),
                server.log_tail()
            );
        }
        let reply = server.request("textDocument/completion", position_params(&uri, &first))?;
        during.push(reply.rtt);
        if completion_items(&reply.result).0.is_empty() {
            empty_during += 1;
        }
        let next = Instant::now() + INDEXING_POLL;
        server.pump(next, |server| server.progress.ended.is_some())?;
    }
    let ended = server.progress.ended.unwrap_or(initialized);
    let to_indexed = ended.saturating_duration_since(initialized);
    println!(
        "`initialized` → indexing finished (`$/progress` end): {}; {} reports; {}",
        ms(to_indexed),
        server.progress.reports,
        server.progress.state()
    );
    println!(
        "completion while indexing: {} requests, p50 {}, max {}; {empty_during} empty",
        during.len(),
        ms(percentile(&during, 50.0)),
        ms(percentile(&during, 100.0))
    );
    for line in server.log_lines("indexed") {
        println!("server log: {line}");
    }
    println!(
        "server requests answered (null): {}",
        server.answered.join(", ")
    );

    let (reply, places) = reference_places(&mut server, &scratch, &uri, &key)?;
    let found = places.len();
    let in_archive = places
        .iter()
        .filter(|(file, _, _)| file.starts_with("archive/"))
        .count();
    println!(
        "references of BE-23 after indexing: {found} (expected {expected}; {in_archive} in the gitignored \
         folder) in {}, reply {}",
        ms(reply.rtt),
        bytes(reply.bytes)
    );

    // Change closed notes on disk, one at a time: each gains a BE-23.
    let mut updates = Vec::new();
    let mut late = 0;
    let mut known = found;
    for change in 0..DISK_CHANGES {
        let index = (change * 1_987 + 123) % count;
        let relative = workspace_note_path(index);
        let path = scratch.path.join(&relative);
        let mut changed = std::fs::read_to_string(&path)?;
        if !changed.ends_with('\n') {
            changed.push('\n');
        }
        let line = changed.matches('\n').count() as u64;
        changed.push_str(&format!("Revisited BE-23 after mock interview {change}.\n"));
        let wanted: Place = (relative.clone(), line, "Revisited ".len() as u64);
        std::fs::write(&path, &changed)?;
        let sent = server.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": scratch.uri(&relative), "type": 2 }] }),
        )?;
        let mut polls = 0;
        loop {
            let (reply, places) = reference_places(&mut server, &scratch, &uri, &key)?;
            polls += 1;
            if places.contains(&wanted) {
                let after = reply.at - sent;
                println!(
                    "{relative} changed on disk → references show it: {} ({polls} requests; {} references)",
                    ms(after),
                    places.len()
                );
                if places.len() != known + 1 {
                    println!(
                        "note: {} references, expected {} after the change",
                        places.len(),
                        known + 1
                    );
                }
                known = places.len();
                updates.push(after);
                break;
            }
            if sent.elapsed() > UPDATE_LIMIT {
                println!(
                    "{relative} changed on disk → references: not updated within {} ({polls} requests)",
                    ms(UPDATE_LIMIT)
                );
                late += 1;
                updates.push(UPDATE_LIMIT);
                break;
            }
        }
    }
    let memory = server.memory()?;
    println!(
        "server memory: peak RSS (VmHWM) {:.1} MiB, RSS now {:.1} MiB",
        memory.peak as f64 / MIB,
        memory.now as f64 / MIB
    );
    server.stop()?;
    println!();

    let what = |text: &str| format!("{text} ({count} notes)");
    rows.push(row(
        &what("start → `initialize` reply"),
        "≤ 20 ms",
        ms(to_initialize),
        Some(to_initialize <= millis(20.0)),
    ));
    rows.push(row(
        &what("`initialized` → first completion, indexing running"),
        "≤ 50 ms",
        format!(
            "{} ({first_items} items; indexing {progress_then})",
            ms(to_first)
        ),
        Some(to_first <= millis(50.0) && first_items > 0),
    ));
    rows.push(row(
        &what("completion while indexing, max"),
        "—",
        format!(
            "{} (p50 {}, {} requests)",
            ms(percentile(&during, 100.0)),
            ms(percentile(&during, 50.0)),
            during.len()
        ),
        None,
    ));
    rows.push(row(
        &what("`initialized` → indexing finished"),
        "≤ 5 s, with `$/progress`",
        format!(
            "{} (in-process one-thread scan {})",
            ms(to_indexed),
            ms(baseline)
        ),
        Some(to_indexed <= millis(5_000.0) && server.progress.reports > 0),
    ));
    rows.push(row(
        &what("references of BE-23 after indexing"),
        &format!("= {expected}, none gitignored"),
        format!("{found} ({in_archive} gitignored)"),
        Some(found == expected && in_archive == 0),
    ));
    let slowest = percentile(&updates, 100.0);
    rows.push(row(
        &what("note changed on disk → references updated"),
        "≤ 100 ms",
        format!(
            "max {} (p50 {}, {} changes{})",
            ms(slowest),
            ms(percentile(&updates, 50.0)),
            updates.len(),
            if late > 0 {
                format!(", {late} not updated")
            } else {
                String::new()
            }
        ),
        Some(slowest <= millis(100.0) && late == 0),
    ));
    rows.push(row(
        &what("peak memory (RSS)"),
        "—",
        format!("{:.1} MiB", memory.peak as f64 / MIB),
        None,
    ));
    Ok(())
}

// ---------------------------------------------------------------------------
// The client

/// A scratch workspace folder, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Result<Scratch> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let path =
            std::env::temp_dir().join(format!("qbank-bench-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(path.join(".cache"))
            .with_context(|| format!("creating {}", path.display()))?;
        Ok(Scratch {
            path: path.canonicalize()?,
        })
    }

    fn uri(&self, file: &str) -> String {
        format!("file://{}", self.path.join(file).display())
    }

    /// Writes a file of the workspace and returns its URI.
    fn write(&self, file: &str, text: &str) -> Result<String> {
        std::fs::write(self.path.join(file), text)?;
        Ok(self.uri(file))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A message from the server, stamped when its last byte was read.
struct Incoming {
    at: Instant,
    bytes: usize,
    value: Value,
}

/// A reply: its round trip from the moment the request was written.
struct Reply {
    rtt: Duration,
    at: Instant,
    bytes: usize,
    result: Value,
}

struct Memory {
    peak: u64,
    now: u64,
}

/// What the `$/progress` notifications of one server said so far.
#[derive(Default)]
struct Progress {
    begun: Option<Instant>,
    ended: Option<Instant>,
    reports: usize,
    /// The latest message: "1500/10000 notes", "10000 notes indexed".
    message: String,
}

impl Progress {
    fn note(&mut self, message: &Incoming) {
        let value = &message.value["params"]["value"];
        match value["kind"].as_str() {
            Some("begin") => {
                self.begun.get_or_insert(message.at);
            }
            Some("report") => self.reports += 1,
            Some("end") => {
                self.ended.get_or_insert(message.at);
            }
            _ => {}
        }
        if let Some(text) = value["message"].as_str() {
            self.message = text.to_string();
        }
    }

    /// "not begun …", "running (1500/10000 notes)", "ended (10000 notes
    /// indexed)".
    fn state(&self) -> String {
        let message = if self.message.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.message)
        };
        match (self.begun, self.ended) {
            (None, _) => "not begun (no `$/progress` yet)".to_string(),
            (Some(_), None) => format!("running{message}"),
            (Some(_), Some(_)) => format!("ended{message}"),
        }
    }
}

/// A synchronous client of one `qbank lsp` process, watched by a thread
/// that kills it when a write blocks longer than `WRITE_TIMEOUT` or the
/// scenario outlives `SCENARIO_LIMIT`.
struct Server {
    child: Arc<Mutex<Child>>,
    pid: u32,
    stdin: Option<ChildStdin>,
    messages: Receiver<Incoming>,
    /// Notifications seen while waiting for replies.
    seen: VecDeque<Incoming>,
    next_id: i64,
    spawned: Instant,
    progress_seen: bool,
    /// What `$/progress` said so far.
    progress: Progress,
    /// The methods of the server's requests answered so far, once each.
    answered: Vec<String>,
    log: PathBuf,
    done: Arc<AtomicBool>,
    /// When the write in progress began, in ms after spawn plus one; 0 when
    /// no write is in progress.
    writing: Arc<AtomicU64>,
}

impl Server {
    fn start(binary: &Path, scratch: &Scratch) -> Result<Server> {
        let log = scratch.path.join(".cache/server.log");
        let stderr = File::create(&log)?;
        let spawned = Instant::now();
        let mut child = Command::new(binary)
            .arg("lsp")
            .current_dir(&scratch.path)
            .env("XDG_CACHE_HOME", scratch.path.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout pipe"))?;
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 16, stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let writing = Arc::new(AtomicU64::new(0));
        {
            let child = child.clone();
            let done = done.clone();
            let writing = writing.clone();
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let now = spawned.elapsed();
                    let began = writing.load(Ordering::Relaxed);
                    let blocked = began != 0
                        && now.saturating_sub(Duration::from_millis(began - 1)) > WRITE_TIMEOUT;
                    if blocked || now > SCENARIO_LIMIT {
                        eprintln!(
                            "lsp_latency: {}; killing the server",
                            if blocked {
                                format!("a write blocked for {}", ms(WRITE_TIMEOUT))
                            } else {
                                format!("the scenario outlived {}", ms(SCENARIO_LIMIT))
                            }
                        );
                        let _ = lock(&child).kill();
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
        }
        Ok(Server {
            child,
            pid,
            stdin,
            messages,
            seen: VecDeque::new(),
            next_id: 1,
            spawned,
            progress_seen: false,
            progress: Progress::default(),
            answered: Vec::new(),
            log,
            done,
            writing,
        })
    }

    fn initialize(&mut self, scratch: &Scratch) -> Result<Reply> {
        self.initialize_with(scratch, false)
    }

    /// `initialize`; `watch_files` adds the client's support for watched
    /// files registered dynamically (the server then asks to register them).
    fn initialize_with(&mut self, scratch: &Scratch, watch_files: bool) -> Result<Reply> {
        let root = scratch.uri("");
        let mut workspace =
            json!({ "workspaceEdit": { "documentChanges": true }, "applyEdit": true });
        if watch_files {
            workspace["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
        }
        self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root,
                "workspaceFolders": [{ "uri": root, "name": "notes" }],
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "window": { "workDoneProgress": true },
                    "textDocument": {
                        "completion": { "completionItem": { "snippetSupport": true } },
                        "publishDiagnostics": { "versionSupport": true }
                    },
                    "workspace": workspace
                }
            }),
        )
    }

    /// Writes one framed message; returns when it was written.
    fn send(&mut self, message: &Value, what: &str) -> Result<Instant> {
        let body = serde_json::to_vec(message)?;
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| anyhow!("stdin already closed"))?;
        let sent = Instant::now();
        let began = sent.saturating_duration_since(self.spawned).as_millis() as u64 + 1;
        self.writing.store(began, Ordering::Relaxed);
        let written = stdin.write_all(&frame).and_then(|()| stdin.flush());
        self.writing.store(0, Ordering::Relaxed);
        written.with_context(|| format!("writing {what} to the server{}", self.log_tail()))?;
        Ok(sent)
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<Instant> {
        self.send(
            &json!({ "jsonrpc": "2.0", "method": method, "params": params }),
            method,
        )
    }

    /// Opens a markdown document; returns when the notification was sent.
    fn open(&mut self, uri: &str, text: &str) -> Result<Instant> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        )
    }

    fn receive(&mut self, deadline: Instant, what: &str) -> Result<Incoming> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => Ok(message),
            Err(RecvTimeoutError::Timeout) => bail!(
                "no {what} within {}: the server seems hung{}",
                ms(REPLY_TIMEOUT),
                self.log_tail()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = lock(&self.child).try_wait().ok().flatten();
                bail!(
                    "the server closed its output while we waited for {what} (exit status {status:?}){}",
                    self.log_tail()
                )
            }
        }
    }

    /// Answers a server request (null, or `applied` for an edit) and keeps
    /// notifications for `wait_for`.
    fn keep(&mut self, message: Incoming) -> Result<()> {
        let method = message.value["method"].as_str().unwrap_or_default();
        if method == "$/progress" || method == "window/workDoneProgress/create" {
            self.progress_seen = true;
        }
        if method == "$/progress" {
            self.progress.note(&message);
        }
        if let Some(id) = message.value.get("id").filter(|_| !method.is_empty()) {
            if !self.answered.iter().any(|known| known == method) {
                self.answered.push(method.to_string());
            }
            let result = if method == "workspace/applyEdit" {
                json!({ "applied": true })
            } else {
                Value::Null
            };
            let reply = json!({ "jsonrpc": "2.0", "id": id, "result": result });
            self.send(&reply, "a reply to a server request")?;
            return Ok(());
        }
        if self.seen.len() >= 1_000 {
            self.seen.pop_front();
        }
        self.seen.push_back(message);
        Ok(())
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Reply> {
        let id = self.next_id;
        self.next_id += 1;
        let sent = self.send(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
            method,
        )?;
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            let mut message = self.receive(deadline, &format!("reply to {method}"))?;
            let is_reply = message.value.get("method").is_none()
                && message.value.get("id").and_then(Value::as_i64) == Some(id);
            if !is_reply {
                self.keep(message)?;
                continue;
            }
            if let Some(error) = message.value.get("error") {
                bail!("{method} failed: {error}");
            }
            return Ok(Reply {
                rtt: message.at.saturating_duration_since(sent),
                at: message.at,
                bytes: message.bytes,
                result: message.value["result"].take(),
            });
        }
    }

    /// Takes in (and answers, and keeps) what the server sends until
    /// `deadline`, or until `enough` holds.
    fn pump(&mut self, deadline: Instant, enough: impl Fn(&Server) -> bool) -> Result<()> {
        while !enough(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) => self.keep(message)?,
                Err(RecvTimeoutError::Timeout) => return Ok(()),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = lock(&self.child).try_wait().ok().flatten();
                    bail!(
                        "the server closed its output (exit status {status:?}){}",
                        self.log_tail()
                    )
                }
            }
        }
        Ok(())
    }

    /// The server's log lines that contain `needle`.
    fn log_lines(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(needle))
            .map(str::to_string)
            .collect()
    }

    /// Waits for a notification matching `wanted`.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool, what: &str) -> Result<Incoming> {
        if let Some(position) = self.seen.iter().position(|message| wanted(&message.value)) {
            if let Some(message) = self.seen.remove(position) {
                return Ok(message);
            }
        }
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            let message = self.receive(deadline, what)?;
            if wanted(&message.value) {
                return Ok(message);
            }
            self.keep(message)?;
        }
    }

    /// Peak and current resident memory, from /proc.
    fn memory(&self) -> Result<Memory> {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let field = |name: &str| -> Result<u64> {
            let line = status
                .lines()
                .find(|line| line.starts_with(name))
                .ok_or_else(|| anyhow!("no {name} in {path}"))?;
            let kilobytes: u64 = line
                .trim_start_matches(name)
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()?;
            Ok(kilobytes * 1024)
        };
        Ok(Memory {
            peak: field("VmHWM:")?,
            now: field("VmRSS:")?,
        })
    }

    /// `shutdown`, `exit`, and a bounded wait for the process to end.
    fn stop(&mut self) -> Result<()> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        self.stdin = None;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Some(status) = lock(&self.child).try_wait()? {
                if !status.success() {
                    println!("note: the server exited with {status} after shutdown");
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        println!("note: the server did not exit within 5 s of `exit`; killed");
        Ok(())
    }

    /// The end of the server's stderr, for error messages.
    fn log_tail(&self) -> String {
        let Ok(log) = std::fs::read_to_string(&self.log) else {
            return String::new();
        };
        let lines: Vec<&str> = log.lines().collect();
        if lines.is_empty() {
            return String::new();
        }
        let tail = &lines[lines.len().saturating_sub(15)..];
        format!("\nserver stderr (last lines):\n  {}", tail.join("\n  "))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        self.stdin = None;
        let mut child = lock(&self.child);
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn lock(child: &Mutex<Child>) -> MutexGuard<'_, Child> {
    child
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read_message(reader: &mut impl BufRead) -> Option<Incoming> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    let at = Instant::now();
    let value = serde_json::from_slice(&body).ok()?;
    Some(Incoming {
        at,
        bytes: body.len(),
        value,
    })
}

// ---------------------------------------------------------------------------
// Helpers

fn position_params(uri: &str, probe: &Probe) -> Value {
    json!({
        "textDocument": { "uri": uri },
        "position": { "line": probe.line, "character": probe.character }
    })
}

/// A completion result's items and `isIncomplete`, whatever its shape.
fn completion_items(result: &Value) -> (&[Value], bool) {
    match result {
        Value::Array(items) => (items, false),
        Value::Object(list) => (
            list.get("items")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice),
            list.get("isIncomplete")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        _ => (&[], false),
    }
}

fn is_diagnostics(message: &Value, uri: &str, version: Option<i32>) -> bool {
    message["method"] == "textDocument/publishDiagnostics"
        && message["params"]["uri"] == uri
        && version
            .is_none_or(|version| message["params"]["version"].as_i64() == Some(i64::from(version)))
}

fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

/// The nearest-rank percentile; zero for no samples.
fn percentile(samples: &[Duration], percent: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(value: f64) -> Duration {
    Duration::from_secs_f64(value / 1_000.0)
}

fn ms(duration: Duration) -> String {
    let value = duration.as_secs_f64() * 1_000.0;
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

fn bytes(count: usize) -> String {
    if count >= 1_000_000 {
        format!("{:.1} MB", count as f64 / 1e6)
    } else if count >= 1_000 {
        format!("{:.1} KB", count as f64 / 1e3)
    } else {
        format!("{count} B")
    }
}

/// SplitMix64, for reproducible edit positions.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (((z >> 32) * bound as u64) >> 32) as usize
    }
}

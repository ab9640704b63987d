//! Scenario 4: a workspace of 10,000 generated notes (about 40 MB, nested
//! folders, one folder gitignored) citing the built-in bank, indexed in the
//! background by a server whose client takes progress reports and watches
//! files: the first completion while the scan runs, completions during it,
//! the scan's time (`$/progress` end) against an in-process one-thread
//! scan, the references of `BE-23`, and how soon a note changed on disk
//! (`workspace/didChangeWatchedFiles`) shows in them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use qbank::core::key::Key;
use qbank::notes::index_notes;
use qbank::workspace::{LoadOptions, load_workspace};
use qbank_testkit::bench::{self, Row, bytes, completion_items, ms, percentile, row};
use qbank_testkit::{Client, Reply, Scratch, generate};
use serde_json::json;

use crate::probes::{Probe, prep_note};
use crate::{NOTE_SEED, Settings, report};

/// The longest wait for the workspace scan to end.
const INDEXING_LIMIT: Duration = Duration::from_secs(300);
/// The longest wait for a changed note to show in the references.
const UPDATE_LIMIT: Duration = Duration::from_secs(10);
/// How often a completion is asked for while the scan runs.
const INDEXING_POLL: Duration = Duration::from_millis(50);
/// Notes changed on disk, one at a time.
const DISK_CHANGES: usize = 5;

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let count = settings.workspace_notes;
    println!(
        "## 4. Workspace of {count} notes citing the built-in bank (`generate::workspace_note(i, {NOTE_SEED})`)"
    );
    println!();
    let scratch = crate::workspace("workspace");
    write_notes(&scratch, count);
    let (mut note, first) = prep_note("# Prep for Friday 🚀");
    note.line(String::new());
    let key = note.probe_in(
        "BE-23",
        "Remember BE-23 before the call.".to_string(),
        "BE-23",
        2,
    );
    let text = note.text();
    scratch.write("prep.md", &text);
    let scan = scan_in_process(&scratch);
    let figures = measure(binary, &scratch, (&text, &first, &key), count, scan)?;
    let what = |text: &str| format!("{text} ({count} notes)");
    rows.extend(figures.rows(&what));
    Ok(())
}

/// What the scenario measured.
struct Figures {
    to_initialize: Duration,
    /// `initialized` → the first completion, its items, and the indexing
    /// then.
    first: (Duration, usize, String),
    during: During,
    to_indexed: Duration,
    progress_reports: usize,
    scan: Scan,
    /// The references of BE-23 after indexing, and how many of them in
    /// the gitignored folder.
    found: (usize, usize),
    updates: Updates,
    peak_memory: u64,
}

/// Starts the server with `prep.md` open and measures everything.
fn measure(
    binary: &Path,
    scratch: &Scratch,
    (text, first, key): (&str, &Probe, &Probe),
    count: usize,
    scan: Scan,
) -> Result<Figures> {
    let uri = scratch.uri("prep.md");
    let started = crate::start(binary, scratch, true)?;
    let (mut client, initialized) = (started.client, started.initialized);
    bench::open(&mut client, &uri, text)?;
    let first_completion = first_completion(&mut client, &uri, first, initialized)?;
    let during = complete_while_indexing(&mut client, &uri, first)?;
    let to_indexed = client
        .progress()
        .ended
        .unwrap_or(initialized)
        .saturating_duration_since(initialized);
    print_indexing(&client, to_indexed, &during);
    let found = references_after_indexing(&mut client, scratch, (&uri, key), scan.expected)?;
    let updates = change_on_disk(&mut client, scratch, (&uri, key), count, found.0)?;
    let memory = bench::report_memory(&client);
    let progress_reports = client.progress().reports;
    bench::stop(client)?;
    println!();
    Ok(Figures {
        to_initialize: started.to_initialize,
        first: first_completion,
        during,
        to_indexed,
        progress_reports,
        scan,
        found,
        updates,
        peak_memory: memory.peak,
    })
}

impl Figures {
    fn rows(&self, what: report::Label) -> Vec<Row> {
        let (to_first, first_items, progress_then) = &self.first;
        let (found, in_archive) = self.found;
        let expected = self.scan.expected;
        vec![
            report::initialize_row(what, self.to_initialize),
            row(
                &what("`initialized` → first completion, indexing running"),
                "≤ 50 ms",
                format!(
                    "{} ({first_items} items; indexing {progress_then})",
                    ms(*to_first)
                ),
                Some(*to_first <= bench::millis(50.0) && *first_items > 0),
            ),
            self.during.row(what),
            row(
                &what("`initialized` → indexing finished"),
                "≤ 5 s, with `$/progress`",
                format!(
                    "{} (in-process one-thread scan {})",
                    ms(self.to_indexed),
                    ms(self.scan.baseline)
                ),
                Some(self.to_indexed <= bench::millis(5_000.0) && self.progress_reports > 0),
            ),
            row(
                &what("references of BE-23 after indexing"),
                &format!("= {expected}, none gitignored"),
                format!("{found} ({in_archive} gitignored)"),
                Some(found == expected && in_archive == 0),
            ),
            self.updates.row(what),
            report::memory_row(what, self.peak_memory, None),
        ]
    }
}

/// `initialized` → the first completion at `probe`, its items, and the
/// indexing's state then.
fn first_completion(
    client: &mut Client,
    uri: &str,
    probe: &Probe,
    initialized: Instant,
) -> Result<(Duration, usize, String)> {
    let reply = client.try_request("textDocument/completion", probe.params(uri))?;
    let to_first = reply.at - initialized;
    let items = completion_items(reply.result()).0.len();
    let progress_then = client.progress().state();
    println!(
        "`initialized` → first completion (`@cach`): {} ({items} items); indexing then: {progress_then}",
        ms(to_first)
    );
    Ok((to_first, items, progress_then))
}

/// The references of the key at `key` once indexed: how many, and how
/// many of them in the gitignored folder.
fn references_after_indexing(
    client: &mut Client,
    scratch: &Scratch,
    (uri, key): (&str, &Probe),
    expected: usize,
) -> Result<(usize, usize)> {
    let (reply, places) = reference_places(client, scratch, uri, key)?;
    let found = places.len();
    let in_archive = places
        .iter()
        .filter(|(file, _, _)| file.starts_with("archive/"))
        .count();
    println!(
        "references of BE-23 after indexing: {found} (expected {expected}; {in_archive} in the gitignored \
         folder) in {}, reply {}",
        ms(reply.rtt()),
        bytes(reply.bytes)
    );
    Ok((found, in_archive))
}

/// Where note `index` lives: twenty topic folders, nine notes in ten a
/// level further down, in one of ten weeks.
fn note_path(index: usize) -> String {
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

/// Writes `count` notes, and one in a hundred more (each naming BE-23)
/// under a gitignored `archive/` the scan must leave out; then `sync`, so
/// the writeback does not stall the server being measured.
fn write_notes(scratch: &Scratch, count: usize) {
    let started = Instant::now();
    let ignored = (count / 100).max(1);
    scratch.write(".gitignore", "archive/\n");
    let mut written = 0;
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    for index in 0..count {
        let text = generate::workspace_note(index, NOTE_SEED);
        written += text.len();
        let path = scratch.write(&note_path(index), text);
        folders.extend(path.parent().map(Path::to_path_buf));
    }
    for index in 0..ignored {
        let mut text = generate::workspace_note(count + index, NOTE_SEED);
        text.push_str("Archived, see BE-23.\n");
        scratch.write(&format!("archive/{}/old-{index:04}.md", index % 5), text);
    }
    let write_time = started.elapsed();
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
}

/// The in-process scan: its time, and how many times BE-23 is written.
struct Scan {
    baseline: Duration,
    expected: usize,
}

/// The same notes indexed in this process, on one thread: a floor for the
/// server's scan, and how many times BE-23 is written (the references to
/// expect).
fn scan_in_process(scratch: &Scratch) -> Scan {
    let started = Instant::now();
    let workspace = load_workspace(scratch.root(), &LoadOptions::default());
    let (indexed, problems) = index_notes(&workspace);
    let baseline = started.elapsed();
    let be23 = Key::new("BE", 23);
    let expected: usize = indexed
        .mentioning(&be23)
        .map(|note| note.keys().iter().filter(|found| found.key == be23).count())
        .sum();
    println!(
        "in-process `notes::index_notes` (one thread, warm page cache): {} notes in {}; {} problems; \
         BE-23 written {expected} times outside code",
        indexed.len(),
        ms(baseline),
        problems.len()
    );
    Scan { baseline, expected }
}

/// Completions while the scan runs.
struct During {
    round_trips: Vec<Duration>,
    empty: usize,
}

/// Asks for a completion every `INDEXING_POLL` until `$/progress` ends.
fn complete_while_indexing(client: &mut Client, uri: &str, probe: &Probe) -> Result<During> {
    let limit = Instant::now() + INDEXING_LIMIT;
    let mut during = During {
        round_trips: Vec::new(),
        empty: 0,
    };
    while client.progress().ended.is_none() {
        if Instant::now() > limit {
            bail!(
                "indexing did not end within {} (progress {}){}",
                ms(INDEXING_LIMIT),
                client.progress().state(),
                client.log_tail()
            );
        }
        let reply = client.try_request("textDocument/completion", probe.params(uri))?;
        during.round_trips.push(reply.rtt());
        if completion_items(reply.result()).0.is_empty() {
            during.empty += 1;
        }
        let next = Instant::now() + INDEXING_POLL;
        client.pump_until(next, |client| client.progress().ended.is_some())?;
    }
    Ok(during)
}

impl During {
    fn row(&self, what: report::Label) -> Row {
        row(
            &what("completion while indexing, max"),
            "—",
            format!(
                "{} (p50 {}, {} requests)",
                ms(percentile(&self.round_trips, 100.0)),
                ms(percentile(&self.round_trips, 50.0)),
                self.round_trips.len()
            ),
            None,
        )
    }
}

fn print_indexing(client: &Client, to_indexed: Duration, during: &During) {
    let progress = client.progress();
    println!(
        "`initialized` → indexing finished (`$/progress` end): {}; {} reports; {}",
        ms(to_indexed),
        progress.reports,
        progress.state()
    );
    println!(
        "completion while indexing: {} requests, p50 {}, max {}; {} empty",
        during.round_trips.len(),
        ms(percentile(&during.round_trips, 50.0)),
        ms(percentile(&during.round_trips, 100.0)),
        during.empty
    );
    for line in client.log_lines("indexed") {
        println!("server log: {line}");
    }
    println!(
        "server requests answered (null): {}",
        client.answered_methods().join(", ")
    );
}

/// A reference: the file (relative to the workspace), line and column.
type Place = (String, u64, u64);

/// The references of the key at `probe`, without the declaration.
fn reference_places(
    client: &mut Client,
    scratch: &Scratch,
    uri: &str,
    probe: &Probe,
) -> Result<(Reply, Vec<Place>)> {
    let mut params = probe.params(uri);
    params["context"] = json!({ "includeDeclaration": false });
    let reply = client.try_request("textDocument/references", params)?;
    let root = scratch.uri("");
    let places = reply
        .result()
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

/// How soon each note changed on disk showed in the references.
struct Updates {
    after: Vec<Duration>,
    /// Changes not shown within `UPDATE_LIMIT`.
    late: usize,
}

impl Updates {
    fn row(&self, what: report::Label) -> Row {
        let slowest = percentile(&self.after, 100.0);
        let late = if self.late > 0 {
            format!(", {} not updated", self.late)
        } else {
            String::new()
        };
        row(
            &what("note changed on disk → references updated"),
            "≤ 100 ms",
            format!(
                "max {} (p50 {}, {} changes{late})",
                ms(slowest),
                ms(percentile(&self.after, 50.0)),
                self.after.len()
            ),
            Some(slowest <= bench::millis(100.0) && self.late == 0),
        )
    }
}

/// Changes closed notes on disk, one at a time (each gains a BE-23), and
/// asks for the references of `key` in the open note until each shows.
fn change_on_disk(
    client: &mut Client,
    scratch: &Scratch,
    (uri, key): (&str, &Probe),
    count: usize,
    found: usize,
) -> Result<Updates> {
    let mut updates = Updates {
        after: Vec::new(),
        late: 0,
    };
    let mut known = found;
    for change in 0..DISK_CHANGES {
        let relative = note_path((change * 1_987 + 123) % count);
        let wanted = add_be23(scratch, &relative, change)?;
        let sent = client.try_notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": scratch.uri(&relative), "type": 2 }] }),
        )?;
        let mut polls = 0;
        loop {
            let (reply, places) = reference_places(client, scratch, uri, key)?;
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
                updates.after.push(after);
                break;
            }
            if sent.elapsed() > UPDATE_LIMIT {
                println!(
                    "{relative} changed on disk → references: not updated within {} ({polls} requests)",
                    ms(UPDATE_LIMIT)
                );
                updates.late += 1;
                updates.after.push(UPDATE_LIMIT);
                break;
            }
        }
    }
    Ok(updates)
}

/// Appends a line naming BE-23 to a note; returns where it is.
fn add_be23(scratch: &Scratch, relative: &str, change: usize) -> Result<Place> {
    let path = scratch.path(relative);
    let mut changed = std::fs::read_to_string(&path)?;
    if !changed.ends_with('\n') {
        changed.push('\n');
    }
    let line = changed.matches('\n').count() as u64;
    changed.push_str(&format!("Revisited BE-23 after mock interview {change}.\n"));
    std::fs::write(&path, &changed)?;
    Ok((relative.to_string(), line, "Revisited ".len() as u64))
}

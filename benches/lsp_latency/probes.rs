//! Places in an open note where the benchmark asks for something, the note
//! built around them, and the runs scenarios 1 and 3 share: the start-up of
//! a server with the note open (first completion, banks indexed), then
//! completions and hovers cycling over the probes, with their figures.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use qbank_testkit::bench::{self, bytes, completion_items, ms, offers_key, utf16_len};
use qbank_testkit::{Client, Scratch};

use crate::{REPLY_TIMEOUT, Settings};

/// A place in the open note where a request is made.
#[derive(Clone)]
pub struct Probe {
    pub label: String,
    pub line: u32,
    pub character: u32,
    /// The key a completion should offer (a distinctive word's question).
    pub expect_key: Option<String>,
}

impl Probe {
    pub fn params(&self, uri: &str) -> serde_json::Value {
        bench::position_params(uri, self.line, self.character)
    }
}

/// A note assembled line by line, remembering where its probes are.
#[derive(Default)]
pub struct NoteBuilder {
    lines: Vec<String>,
}

impl NoteBuilder {
    pub fn line(&mut self, text: String) {
        self.lines.push(text);
    }

    /// Adds a line and a probe at its end.
    pub fn probe_at_end(&mut self, label: &str, text: String) -> Probe {
        let character = utf16_len(&text);
        self.probe(label, text, character)
    }

    /// Adds a line and a probe `offset` UTF-16 units after `marker`.
    pub fn probe_in(&mut self, label: &str, text: String, marker: &str, offset: u32) -> Probe {
        let start = text.find(marker).expect("the marker is in the line");
        let character = utf16_len(&text[..start]) + offset;
        self.probe(label, text, character)
    }

    fn probe(&mut self, label: &str, text: String, character: u32) -> Probe {
        let probe = Probe {
            label: label.to_string(),
            line: self.lines.len() as u32,
            character,
            expect_key: None,
        };
        self.lines.push(text);
        probe
    }

    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

/// A note with a title, an empty line and a line ending in `@cach`: the
/// note and a probe for the first completion.
pub fn prep_note(title: &str) -> (NoteBuilder, Probe) {
    let mut note = NoteBuilder::default();
    note.line(title.to_string());
    note.line(String::new());
    let first = note.probe_at_end("@cach", "Caching 🧠 see @cach".to_string());
    (note, first)
}

/// Adds a `- see KEY` line per key and spreads their completions evenly
/// among the `@` queries, so the request mix interleaves both kinds.
pub fn interleave_keys(note: &mut NoteBuilder, completions: &mut Vec<Probe>, keys: &[&str]) {
    let queries = completions.len();
    for (position, key) in keys.iter().enumerate().rev() {
        let probe = note.probe_at_end(key, format!("- see {key}"));
        completions.insert((position + 1) * queries / (keys.len() + 1), probe);
    }
}

/// The note of scenarios 1 and 3 and what is asked in it.
pub struct NotePlan {
    pub uri: String,
    pub text: String,
    /// The first completion after start-up.
    pub first: Probe,
    /// A completion that offers its key once the banks are indexed.
    pub last: Probe,
    pub completions: Vec<Probe>,
    pub hovers: Vec<Probe>,
}

impl NotePlan {
    /// Writes the note to `prep.md`, with its first and last probe and the
    /// completions and hovers to run.
    pub fn write(
        scratch: &Scratch,
        note: &NoteBuilder,
        (first, last): (Probe, Probe),
        (completions, hovers): (Vec<Probe>, Vec<Probe>),
    ) -> NotePlan {
        let text = note.text();
        scratch.write("prep.md", &text);
        NotePlan {
            uri: scratch.uri("prep.md"),
            text,
            first,
            last,
            completions,
            hovers,
        }
    }
}

/// What one server with the note open showed.
pub struct Session {
    pub to_initialize: Duration,
    /// Spawn → the first completion's reply.
    pub to_first: Duration,
    pub first_items: usize,
    /// Spawn → the banks indexed, as `wait_indexed` sees it.
    pub indexed: Duration,
    pub figures: Requests,
    pub peak_memory: u64,
    /// RSS once the banks are indexed and the first completion answered.
    pub started_memory: u64,
    pub progress_seen: bool,
}

/// Starts a server, opens the note, times the first completion and the
/// indexing, runs the completions and hovers, and reads the memory.
pub fn run_session(
    binary: &Path,
    scratch: &Scratch,
    plan: &NotePlan,
    settings: &Settings,
) -> Result<Session> {
    let uri = plan.uri.as_str();
    let started = crate::start(binary, scratch, false)?;
    let mut client = started.client;
    bench::open(&mut client, uri, &plan.text)?;
    let reply = client.try_request("textDocument/completion", plan.first.params(uri))?;
    let to_first = reply.at - client.started();
    let first_items = completion_items(reply.result()).0.len();
    println!(
        "spawn → first completion (`{}`): {} ({first_items} items)",
        plan.first.label,
        ms(to_first)
    );
    let indexed = wait_indexed(&mut client, uri, &plan.last)?;
    let started_memory = client.memory().map_or(0, |memory| memory.now);
    let figures = run_requests(&mut client, uri, &plan.completions, &plan.hovers, settings)?;
    figures.print();
    let memory = bench::report_memory(&client);
    let progress_seen = client.progress().seen();
    bench::stop(client)?;
    println!();
    Ok(Session {
        to_initialize: started.to_initialize,
        to_first,
        first_items,
        indexed,
        figures,
        peak_memory: memory.peak,
        started_memory,
        progress_seen,
    })
}

/// Spawn → the moment a completion at `probe` first offers its expected
/// key: the banks are indexed (at least up to that question).
fn wait_indexed(client: &mut Client, uri: &str, probe: &Probe) -> Result<Duration> {
    let wanted = probe.expect_key.clone().unwrap_or_default();
    let indexed = loop {
        let reply = client.try_request("textDocument/completion", probe.params(uri))?;
        if offers_key(completion_items(reply.result()).0, &wanted) {
            break reply.at - client.started();
        }
        if client.started().elapsed() > REPLY_TIMEOUT {
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
        client.progress().seen()
    );
    Ok(indexed)
}

/// The figures of completion and hover runs over a list of probes.
#[derive(Default)]
pub struct Requests {
    pub completion: Vec<Duration>,
    pub hover: Vec<Duration>,
    pub largest: Largest,
    pub empty_completions: usize,
    pub hovers_found: usize,
    pub expected: usize,
    pub expected_found: usize,
    pub misses: Vec<String>,
    /// Each completion query's slowest round trip.
    pub slowest: Vec<(String, Duration)>,
}

/// The largest completion reply and its query.
#[derive(Default)]
pub struct Largest {
    pub bytes: usize,
    pub items: usize,
    pub incomplete: bool,
    pub query: String,
}

/// `settings.completions` completions cycling over `completions`, then
/// `settings.hovers` hovers cycling over `hovers`.
fn run_requests(
    client: &mut Client,
    uri: &str,
    completions: &[Probe],
    hovers: &[Probe],
    settings: &Settings,
) -> Result<Requests> {
    let mut figures = Requests::default();
    for probe in completions.iter().cycle().take(settings.completions) {
        let reply = client.try_request("textDocument/completion", probe.params(uri))?;
        let (items, incomplete) = completion_items(reply.result());
        figures.note_completion(probe, reply.rtt(), reply.bytes, items, incomplete);
    }
    for probe in hovers.iter().cycle().take(settings.hovers) {
        let reply = client.try_request("textDocument/hover", probe.params(uri))?;
        figures.hover.push(reply.rtt());
        if !reply.result().is_null() {
            figures.hovers_found += 1;
        }
    }
    Ok(figures)
}

impl Requests {
    fn note_completion(
        &mut self,
        probe: &Probe,
        rtt: Duration,
        reply_bytes: usize,
        items: &[serde_json::Value],
        incomplete: bool,
    ) {
        self.completion.push(rtt);
        match self
            .slowest
            .iter_mut()
            .find(|(label, _)| *label == probe.label)
        {
            Some((_, slowest)) => *slowest = (*slowest).max(rtt),
            None => self.slowest.push((probe.label.clone(), rtt)),
        }
        if items.is_empty() {
            self.empty_completions += 1;
        }
        if reply_bytes > self.largest.bytes {
            self.largest = Largest {
                bytes: reply_bytes,
                items: items.len(),
                incomplete,
                query: probe.label.clone(),
            };
        }
        if let Some(key) = &probe.expect_key {
            self.expected += 1;
            if offers_key(items, key) {
                self.expected_found += 1;
            } else if self.misses.len() < 5 {
                self.misses.push(format!("{} (wanted {key})", probe.label));
            }
        }
    }

    pub fn print(&self) {
        println!(
            "completion: {} requests, {}; {} empty",
            self.completion.len(),
            bench::spread(&self.completion),
            self.empty_completions
        );
        let largest = &self.largest;
        println!(
            "largest completion reply: {} ({} items, isIncomplete {}) for `{}`",
            bytes(largest.bytes),
            largest.items,
            largest.incomplete,
            largest.query
        );
        println!("slowest completion queries: {}", self.slowest_queries());
        if self.expected > 0 {
            let missed = if self.misses.is_empty() {
                String::new()
            } else {
                format!(" (missed: {})", self.misses.join(", "))
            };
            println!(
                "distinctive-word queries offering their question: {}/{}{missed}",
                self.expected_found, self.expected
            );
        }
        println!(
            "hover: {} requests, {}; {} answered with a card",
            self.hover.len(),
            bench::spread(&self.hover),
            self.hovers_found
        );
    }

    /// The eight slowest queries, slowest first.
    fn slowest_queries(&self) -> String {
        let mut slowest = self.slowest.clone();
        slowest.sort_by_key(|(_, duration)| std::cmp::Reverse(*duration));
        let slowest: Vec<String> = slowest
            .iter()
            .take(8)
            .map(|(label, duration)| format!("`{label}` {}", ms(*duration)))
            .collect();
        slowest.join(", ")
    }
}

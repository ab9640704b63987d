//! One server over stdio on the vault, as its users drive it: spawned
//! with the vault as its working folder and workspace root, initialized,
//! the scratch note written and opened, completions asked at the end of
//! each typed query until the first is useful, then until the last
//! question is found (everything indexed), then once per query in order;
//! the peak memory read from `/proc/<pid>/status` (VmHWM) once it has
//! held still for three seconds (background work done), before the server
//! is stopped.
//!
//! A reply is *useful* when at least one item relates to the typed query:
//! its `label`, `filterText`, `insertText` or `textEdit.newText`, lowercased,
//! contains the query. Both servers are judged by this one rule. The
//! first query is a made-up word of the vault's first question, so an
//! answer from qbank's built-in bank (which it serves while a large bank
//! loads, though `.qbank.toml` turns it off) does not count.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Result, bail};
use qbank_testkit::bench::{self, completion_items, ms};
use qbank_testkit::{Capabilities, Client, lsp_command};
use serde_json::Value;

use crate::Settings;
use crate::vault::{Probe, ScratchNote, Vault, scratch_note};

/// How long the peak memory must hold still to count as settled, and the
/// longest wait for it.
const MEMORY_QUIET: Duration = Duration::from_secs(3);
const MEMORY_LIMIT: Duration = Duration::from_secs(120);

/// A server under comparison.
pub struct Server<'a> {
    pub name: &'static str,
    pub binary: &'a Path,
    /// What its users type before a query to get completions.
    pub trigger: &'static str,
    pub kind: Kind,
}

#[derive(Clone, Copy)]
pub enum Kind {
    /// `qbank lsp`, as the other benchmarks start it.
    Qbank,
    /// `iwes`, which takes its workspace from its working folder.
    Iwes,
}

/// What one server showed on one vault.
pub struct Figures {
    /// Spawn → the first useful completion.
    pub first_useful: Duration,
    /// Spawn → the last question's distinctive word offered.
    pub indexed: Duration,
    pub completion: Vec<Duration>,
    /// Timed completions that were useful.
    pub useful: usize,
    pub largest_bytes: usize,
    pub largest_items: usize,
    pub largest_query: String,
    /// VmHWM at the end, in bytes.
    pub peak_memory: u64,
}

pub fn run(server: &Server, vault: &Vault, settings: &Settings) -> Result<Figures> {
    let note = scratch_note(vault.notes, server.trigger);
    let scratch = &vault.scratch;
    scratch.write("scratch.md", &note.text);
    let uri = scratch.uri("scratch.md");
    let mut client = Client::try_spawn(command(server, scratch.root()))?;
    client.set_timeout(settings.reply_timeout);
    client.set_lifetime_limit(settings.server_limit);
    let figures = session(&mut client, scratch.root(), &uri, &note, settings);
    let figures = figures.map(|mut figures| {
        let shown = bench::report_memory(&client).peak;
        // Work a server leaves in the background (qbank's near-duplicate
        // analysis of a loaded bank) counts: the peak once it held still.
        figures.peak_memory =
            bench::settled_peak(&client, MEMORY_QUIET, MEMORY_LIMIT).unwrap_or(shown);
        println!(
            "settled peak RSS (VmHWM): {}",
            bench::mib(figures.peak_memory)
        );
        figures
    });
    if figures.is_err() {
        println!("{} log tail:\n{}", server.name, client.log_tail());
    }
    bench::stop(client)?;
    figures
}

fn command(server: &Server, root: &Path) -> Command {
    let home = root.join(".home");
    match server.kind {
        Kind::Qbank => lsp_command(server.binary, root, &home),
        Kind::Iwes => {
            let mut command = Command::new(server.binary);
            command.current_dir(root).env("HOME", &home);
            command
        }
    }
}

fn session(
    client: &mut Client,
    root: &Path,
    uri: &str,
    note: &ScratchNote,
    settings: &Settings,
) -> Result<Figures> {
    let capabilities = Capabilities {
        snippets: true,
        ..Capabilities::default()
    };
    let (reply, _) = bench::initialize(client, root, &capabilities)?;
    println!(
        "spawn → initialize reply: {}",
        ms(reply.at - client.started())
    );
    bench::open(client, uri, &note.text)?;
    let first_useful = until_useful(client, uri, &note.first, settings)?;
    println!(
        "spawn → first useful completion (`{}`): {}",
        note.first.query,
        ms(first_useful)
    );
    let indexed = until_useful(client, uri, &note.last, settings)?;
    println!(
        "spawn → last question offered (`{}`): {}",
        note.last.query,
        ms(indexed)
    );
    let mut figures = Figures {
        first_useful,
        indexed,
        completion: Vec::new(),
        useful: 0,
        largest_bytes: 0,
        largest_items: 0,
        largest_query: String::new(),
        peak_memory: 0,
    };
    for _ in 0..settings.rounds {
        for probe in &note.queries {
            let reply = client.try_request("textDocument/completion", params(uri, probe))?;
            let (items, _) = completion_items(reply.result());
            figures.completion.push(reply.rtt());
            if is_useful(items, &probe.query) {
                figures.useful += 1;
            }
            if reply.bytes > figures.largest_bytes {
                figures.largest_bytes = reply.bytes;
                figures.largest_items = items.len();
                figures.largest_query = probe.query.clone();
            }
        }
    }
    println!(
        "completion: {} requests, {}; {} useful; largest reply {} ({} items, `{}`)",
        figures.completion.len(),
        bench::spread(&figures.completion),
        figures.useful,
        bench::bytes(figures.largest_bytes),
        figures.largest_items,
        figures.largest_query
    );
    Ok(figures)
}

/// Asks at `probe` until a reply is useful: spawn → that reply.
fn until_useful(
    client: &mut Client,
    uri: &str,
    probe: &Probe,
    settings: &Settings,
) -> Result<Duration> {
    loop {
        let reply = client.try_request("textDocument/completion", params(uri, probe))?;
        let items = completion_items(reply.result()).0;
        if let Some(related) = related_label(items, &probe.query) {
            println!(
                "`{}` is offered {related:?} first among {} items",
                probe.query,
                items.len()
            );
            return Ok(reply.at - client.started());
        }
        if client.started().elapsed() > settings.reply_timeout {
            bail!(
                "no useful completion for `{}` within {}",
                probe.query,
                ms(settings.reply_timeout)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn params(uri: &str, probe: &Probe) -> Value {
    bench::position_params(uri, probe.line, probe.character)
}

/// Whether at least one item relates to `query` (see the module's note).
pub fn is_useful(items: &[Value], query: &str) -> bool {
    related_label(items, query).is_some()
}

/// The label of the first item that relates to `query`.
fn related_label<'a>(items: &'a [Value], query: &str) -> Option<&'a str> {
    let query = query.to_lowercase();
    let item = items.iter().find(|item| {
        [
            &item["label"],
            &item["filterText"],
            &item["insertText"],
            &item["textEdit"]["newText"],
        ]
        .into_iter()
        .filter_map(Value::as_str)
        .any(|text| text.to_lowercase().contains(&query))
    })?;
    Some(item["label"].as_str().unwrap_or_default())
}

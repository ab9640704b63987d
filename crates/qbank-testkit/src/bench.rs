//! What the end-to-end latency benchmark (`benches/lsp_latency/`) needs
//! beyond the client: a spawned server bounded in time with its home inside
//! the workspace, `initialize` and `didOpen` that report failures instead of
//! panicking, the server's memory, a bounded stop, percentiles and
//! human-sized figures, and the summary table every scenario adds rows to
//! (what | target | measured | met). Benchmarks print figures and never
//! fail on a target.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::{Capabilities, Client, Failure, Memory, Reply, initialize_params, lsp_command};
use crate::scratch::Scratch;

pub const MIB: f64 = 1024.0 * 1024.0;

// ---------------------------------------------------------------------------
// The server

/// Spawns `binary lsp` in `workspace`, with its HOME (and cache) in the
/// hidden `.home` folder inside, every wait bounded by `reply_timeout` and
/// the whole process by `lifetime`.
pub fn spawn(
    binary: &Path,
    workspace: &Scratch,
    reply_timeout: Duration,
    lifetime: Duration,
) -> Result<Client, Failure> {
    let home = workspace.folder(".home");
    let mut client = Client::try_spawn(lsp_command(binary, workspace.root(), &home))?;
    client.set_timeout(reply_timeout);
    client.set_lifetime_limit(lifetime);
    Ok(client)
}

/// `initialize` (with this process as the parent) and `initialized`: the
/// timed reply and when `initialized` was sent.
pub fn initialize(
    client: &mut Client,
    root: &Path,
    capabilities: &Capabilities,
) -> Result<(Reply, Instant), Failure> {
    let mut params = initialize_params(root, capabilities);
    params["processId"] = json!(std::process::id());
    let reply = client.try_request("initialize", params)?;
    let initialized = client.try_notify("initialized", json!({}))?;
    Ok((reply, initialized))
}

/// Opens a markdown document at version 1; returns when it was sent.
pub fn open(client: &mut Client, uri: &str, text: &str) -> Result<Instant, Failure> {
    client.try_notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
    )
}

/// The server's memory, printed as a line; zero when it cannot be read.
pub fn report_memory(client: &Client) -> Memory {
    let memory = client.memory().unwrap_or(Memory { peak: 0, now: 0 });
    println!(
        "server memory: peak RSS (VmHWM) {}, RSS now {}",
        mib(memory.peak),
        mib(memory.now)
    );
    memory
}

/// The peak memory once it stops growing: read every quarter second until
/// it held still for `quiet` (background work such as the near-duplicate
/// analysis has peaked), or `limit` passed; `None` when it cannot be read.
pub fn settled_peak(client: &Client, quiet: Duration, limit: Duration) -> Option<u64> {
    let started = Instant::now();
    let mut peak = client.memory()?.peak;
    let mut still_since = Instant::now();
    while still_since.elapsed() < quiet && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(250));
        let now = client.memory()?.peak;
        if now != peak {
            peak = now;
            still_since = Instant::now();
        }
    }
    Some(peak)
}

/// `shutdown`, `exit` and a bounded wait, with a note when the server
/// does not end cleanly (it is killed when the client is dropped).
pub fn stop(mut client: Client) -> Result<(), Failure> {
    client.set_timeout(Duration::from_secs(5));
    match client.try_stop()? {
        Some(0) => {}
        Some(code) => println!("note: the server exited with {code} after shutdown"),
        None => println!("note: the server did not exit within 5 s of `exit`; killed"),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Requests

/// The params of a request at a position of a document.
pub fn position_params(uri: &str, line: u32, character: u32) -> Value {
    json!({
        "textDocument": { "uri": uri },
        "position": { "line": line, "character": character }
    })
}

/// A completion result's items and `isIncomplete`, whatever its shape.
pub fn completion_items(result: &Value) -> (&[Value], bool) {
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

/// Whether completion items offer the question `key`.
pub fn offers_key(items: &[Value], key: &str) -> bool {
    items
        .iter()
        .any(|item| item["data"]["key"].as_str() == Some(key))
}

pub fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

// ---------------------------------------------------------------------------
// Figures

/// The nearest-rank percentile; zero for no samples.
pub fn percentile(samples: &[Duration], percent: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// "p50 0.21 ms, p99 1.1 ms, max 1.4 ms".
pub fn spread(samples: &[Duration]) -> String {
    format!(
        "p50 {}, p99 {}, max {}",
        ms(percentile(samples, 50.0)),
        ms(percentile(samples, 99.0)),
        ms(percentile(samples, 100.0))
    )
}

pub fn millis(value: f64) -> Duration {
    Duration::from_secs_f64(value / 1_000.0)
}

/// Two decimals under 10 ms, one above.
pub fn ms(duration: Duration) -> String {
    let value = duration.as_secs_f64() * 1_000.0;
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

/// Decimal megabytes and kilobytes, as file sizes are given.
pub fn bytes(count: usize) -> String {
    if count >= 1_000_000 {
        format!("{:.1} MB", count as f64 / 1e6)
    } else if count >= 1_000 {
        format!("{:.1} KB", count as f64 / 1e3)
    } else {
        format!("{count} B")
    }
}

/// Binary megabytes, as memory is given.
pub fn mib(count: u64) -> String {
    format!("{:.1} MiB", count as f64 / MIB)
}

/// SplitMix64, for reproducible edit positions.
pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (((z >> 32) * bound as u64) >> 32) as usize
    }
}

// ---------------------------------------------------------------------------
// The summary table

/// One line of the summary table; `met` is `None` where no target applies.
pub struct Row {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub met: Option<bool>,
}

pub fn row(what: &str, target: &str, measured: String, met: Option<bool>) -> Row {
    Row {
        what: what.to_string(),
        target: target.to_string(),
        measured,
        met,
    }
}

/// A row for a duration against a target in milliseconds.
pub fn duration_row(what: &str, measured: Duration, target_ms: f64) -> Row {
    row(
        what,
        &format!("≤ {target_ms} ms"),
        ms(measured),
        Some(measured <= millis(target_ms)),
    )
}

/// The summary: a markdown table of every row, then how many missed.
pub fn print_summary(rows: &[Row]) {
    println!("## Summary");
    println!();
    println!("| what | target | measured | met |");
    println!("| --- | --- | --- | --- |");
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        println!(
            "| {} | {} | {} | {met} |",
            row.what, row.target, row.measured
        );
    }
    let missed = rows.iter().filter(|row| row.met == Some(false)).count();
    println!();
    println!("{missed} of {} targets missed.", rows.len());
}

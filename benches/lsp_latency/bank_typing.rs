//! Scenario 5 (issue 11): the 100,000-question bank of scenario 3 open in
//! the editor and typed into. First, in a server of its own, the peak
//! memory with the bank merely loaded (indexed, not open). Then a second
//! server: the bank opened (`didOpen` with its 30 MB), and new words typed
//! at the end of one question's wording, one character per `didChange`,
//! 20 ms apart, each timed by `qbank/documentStatus` as scenario 2 times
//! keystrokes; a hover on a key in another open note after every tenth;
//! after the last keystroke, `workspace/symbol` asked for the last typed
//! word until it finds the edited question; the peak memory at the end.
//! Today's server is expected to miss these targets: typing stops at a
//! time budget or a memory cap, every wait is bounded, and a timeout is
//! reported as a figure, never as a failure of the run.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use qbank_testkit::bench::{self, Row, bytes, mib, ms, percentile, row, utf16_len};
use qbank_testkit::{Client, Failure, Scratch, generate};
use serde_json::{Value, json};

use crate::probes::{NoteBuilder, Probe};
use crate::{BANK_SEED, Settings, report};

/// The pause between keystrokes, as a quick typist's.
const KEYSTROKE_INTERVAL: Duration = Duration::from_millis(20);
/// A hover in the other note after this many keystrokes.
const HOVER_EVERY: usize = 10;
/// The longest wait for the typed word to be found, from the last keystroke.
const SEARCHABLE_LIMIT: Duration = Duration::from_secs(10);
const SEARCH_POLL: Duration = Duration::from_millis(10);
/// The longest wait for a fresh server to index the bank.
const INDEXING_LIMIT: Duration = Duration::from_secs(60);
/// Memory counts as settled once its peak held still this long.
const MEMORY_QUIET: Duration = Duration::from_secs(3);
const MEMORY_LIMIT: Duration = Duration::from_secs(30);
/// Typing stops once the server holds more than this (RSS).
const MEMORY_CAP: u64 = 8 << 30;
/// Every typed word starts so: no generated word has "jyq" in it.
const TYPED_STEM: &str = "jyq";

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
    let questions = settings.big_bank;
    let (scratch, bank) =
        crate::large_bank::bank_workspace("5. Typing into the open bank", "bank-typing", questions);
    let hover_note = write_notes(&scratch, questions);

    let loaded = peak_when_loaded(binary, &scratch, questions)?;
    let plan = TypingPlan::new(&bank, questions / 2, settings.bank_keystrokes);
    let session = type_into_open_bank(binary, &scratch, (&bank, &plan), &hover_note, settings)?;
    println!();

    let what = |text: &str| format!("{text} ({questions} q, bank open)");
    rows.push(report::memory_row(
        &|text: &str| format!("{text} ({questions} q, bank loaded, not open)"),
        loaded,
        None,
    ));
    rows.push(session.typing.keystroke_row(&what, plan.text.len()));
    rows.push(report::hover_row(
        &what("hover in another note while typing, p99"),
        &session.typing.hovers,
        10.0,
    ));
    rows.push(session.searchable.row(&what));
    rows.push(memory_ratio_row(&what, session.peak, loaded));
    Ok(())
}

/// The note hovered in while typing, and a few more notes citing the bank.
struct HoverNote {
    uri: String,
    text: String,
    probes: Vec<Probe>,
}

fn write_notes(scratch: &Scratch, questions: usize) -> HoverNote {
    let mut note = NoteBuilder::default();
    note.line("# Prep while editing the bank 🚀".to_string());
    note.line(String::new());
    let probes = (0..16u64)
        .map(|step| {
            let number = 1 + (step * 6_053 + 11) % questions as u64;
            let key = format!("{}-{number}", generate::PREFIX);
            note.probe_in(&key, format!("- revisit {key} soon"), &key, 2)
        })
        .collect();
    let text = note.text();
    scratch.write("notes/prep.md", &text);
    scratch.write("notes/monday.md", "# Monday\n\nAsked GEN-1 and GEN-2.\n");
    scratch.write(
        "notes/tuesday.md",
        "# Tuesday\n\n## GEN-3 · my answer\nTwo phases.\n",
    );
    HoverNote {
        uri: scratch.uri("notes/prep.md"),
        text,
        probes,
    }
}

/// (a) A server with the bank indexed and nothing open: its peak memory
/// once the background work settled.
fn peak_when_loaded(binary: &Path, scratch: &Scratch, questions: usize) -> Result<u64> {
    let mut client = crate::start(binary, scratch, false)?.client;
    wait_indexed(&mut client, questions)?;
    let peak = bench::settled_peak(&client, MEMORY_QUIET, MEMORY_LIMIT)
        .ok_or_else(|| anyhow!("cannot read the server's memory"))?;
    println!("bank loaded, not open: peak RSS (VmHWM) {}", mib(peak));
    bench::stop(client)?;
    Ok(peak)
}

/// Spawn → the last question found by `workspace/symbol` for its
/// distinctive word: the bank is indexed.
fn wait_indexed(client: &mut Client, questions: usize) -> Result<()> {
    let word = generate::distinctive_word(questions as u32, BANK_SEED);
    let key = format!("{}-{questions}", generate::PREFIX);
    while client.started().elapsed() < INDEXING_LIMIT {
        let reply = client.try_request("workspace/symbol", json!({ "query": word }))?;
        if names_question(reply.result(), &key) {
            let indexed = reply.at - client.started();
            println!(
                "spawn → bank indexed (`workspace/symbol` {word:?} finds {key}): {}",
                ms(indexed)
            );
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(anyhow!(
        "{key} not found by {word:?} within {}",
        ms(INDEXING_LIMIT)
    ))
}

/// Whether workspace symbols name the question `key` ("GEN-7 · …").
fn names_question(symbols: &Value, key: &str) -> bool {
    let prefix = format!("{key} ·");
    symbols.as_array().is_some_and(|symbols| {
        symbols.iter().any(|symbol| {
            symbol["name"]
                .as_str()
                .is_some_and(|name| name.starts_with(&prefix))
        })
    })
}

/// What is typed, and where: new words at the end of one question's line.
struct TypingPlan {
    /// The question typed into.
    key: String,
    line: u32,
    /// The line's end, in UTF-16 units.
    column: u32,
    /// " jyqa jyqb …", at least as many characters as keystrokes wanted.
    text: String,
}

impl TypingPlan {
    fn new(bank: &str, number: usize, keystrokes: usize) -> TypingPlan {
        let start = format!("{number}. ");
        let (line, question) = bank
            .split('\n')
            .enumerate()
            .find(|(_, line)| line.starts_with(&start))
            .expect("a generated bank holds every number");
        let mut text = String::new();
        for index in 0.. {
            if text.len() >= keystrokes {
                break;
            }
            text.push(' ');
            text.push_str(&typed_word(index));
        }
        TypingPlan {
            key: format!("{}-{number}", generate::PREFIX),
            line: line as u32,
            column: utf16_len(question),
            text,
        }
    }

    /// The last word typed whole after `typed` keystrokes, if any.
    fn last_word(&self, typed: usize) -> Option<&str> {
        let (done, next) = self.text.split_at(typed);
        let whole = if next.is_empty() || next.starts_with(' ') {
            done
        } else {
            done.rsplit_once(' ')?.0
        };
        whole.split(' ').rfind(|word| !word.is_empty())
    }
}

/// "jyqa", "jyqb", … "jyqba": distinct words no generated bank holds.
fn typed_word(index: usize) -> String {
    let mut word = TYPED_STEM.to_string();
    let mut rest = index;
    loop {
        word.push(char::from(b'a' + (rest % 26) as u8));
        rest /= 26;
        if rest == 0 {
            return word;
        }
    }
}

/// Why typing stopped before the plan's end.
enum Stopped {
    /// The time budget was spent.
    Budget(Duration),
    /// The server's memory (RSS) passed `MEMORY_CAP`.
    Memory(u64),
    /// A request failed or timed out.
    Failed(String),
}

impl Stopped {
    fn describe(&self) -> String {
        match self {
            Stopped::Budget(budget) => {
                format!("the {} s budget was spent", budget.as_secs())
            }
            Stopped::Memory(now) => format!("the server held {} (RSS)", mib(*now)),
            Stopped::Failed(why) => why.clone(),
        }
    }

    /// The summary's word for it.
    fn verdict(&self) -> String {
        match self {
            Stopped::Budget(budget) => format!("missed, {} s budget spent", budget.as_secs()),
            Stopped::Memory(now) => format!("stopped at {} RSS", mib(*now)),
            Stopped::Failed(why) => failure_verdict(why).to_string(),
        }
    }
}

/// "timed out" for a wait that ran out, "failed" for anything else.
fn failure_verdict(why: &str) -> &'static str {
    if why.contains("seems hung") {
        "timed out"
    } else {
        "failed"
    }
}

/// What the second server showed.
struct Session {
    typing: Typing,
    searchable: Searchable,
    /// The peak memory at the end.
    peak: u64,
}

/// (b)–(e): opens the hover note and the bank, types, searches for the
/// typed word, and reads the peak memory.
fn type_into_open_bank(
    binary: &Path,
    scratch: &Scratch,
    (bank, plan): (&str, &TypingPlan),
    hover_note: &HoverNote,
    settings: &Settings,
) -> Result<Session> {
    let mut client = crate::start(binary, scratch, false)?.client;
    wait_indexed(&mut client, settings.big_bank)?;
    let uri = scratch.uri("questions/gen.md");
    bench::open(&mut client, &hover_note.uri, &hover_note.text)?;
    let typing = match open_bank(&mut client, &uri, bank) {
        Ok(()) => type_words(&mut client, (&uri, bank.len()), plan, hover_note, settings),
        Err(why) => Typing::stopped(Stopped::Failed(why)),
    };
    typing.print(plan.text.len());
    let searchable = match plan.last_word(typing.keystrokes.len()) {
        Some(word) => wait_searchable(&mut client, word, &plan.key, typing.last_sent),
        None => Searchable::NoWord,
    };
    searchable.print(&plan.key);
    let peak = client.memory().map_or(0, |memory| memory.peak);
    println!("bank open and typed into: peak RSS (VmHWM) {}", mib(peak));
    if let Err(failure) = bench::stop(client) {
        println!("note: the server did not stop cleanly: {failure}");
    }
    Ok(Session {
        typing,
        searchable,
        peak,
    })
}

/// Opens the bank; prints how soon the server held it.
fn open_bank(client: &mut Client, uri: &str, bank: &str) -> Result<(), String> {
    let opened = bench::open(client, uri, bank).map_err(|failure| failure.to_string())?;
    let status = client
        .try_request("qbank/documentStatus", json!({ "uri": uri }))
        .map_err(|failure| format!("didOpen of the bank: {failure}"))?;
    println!(
        "didOpen of the bank ({}) → `qbank/documentStatus` answered: {}",
        bytes(bank.len()),
        ms(status.at - opened)
    );
    Ok(())
}

/// The typing's figures.
struct Typing {
    keystrokes: Vec<Duration>,
    hovers: Vec<Duration>,
    /// Status replies whose version or length was not the client's.
    mismatches: usize,
    /// Why typing stopped before the plan's end, if it did.
    stopped: Option<Stopped>,
    last_sent: Instant,
}

impl Typing {
    fn new() -> Typing {
        Typing {
            keystrokes: Vec::new(),
            hovers: Vec::new(),
            mismatches: 0,
            stopped: None,
            last_sent: Instant::now(),
        }
    }

    /// No keystroke typed, for this reason.
    fn stopped(why: Stopped) -> Typing {
        Typing {
            stopped: Some(why),
            ..Typing::new()
        }
    }

    fn print(&self, planned: usize) {
        println!(
            "keystroke in the bank (didChange, then qbank/documentStatus, {} apart): {} of {planned}, {}",
            ms(KEYSTROKE_INTERVAL),
            self.keystrokes.len(),
            bench::spread(&self.keystrokes)
        );
        if self.mismatches > 0 {
            println!(
                "note: {} status replies held another version or length than the client's",
                self.mismatches
            );
        }
        if let Some(why) = &self.stopped {
            println!(
                "typing stopped early, after {} keystrokes: {}",
                self.keystrokes.len(),
                why.describe()
            );
        }
        println!(
            "hover in another note every {HOVER_EVERY} keystrokes: {} requests, {}",
            self.hovers.len(),
            bench::spread(&self.hovers)
        );
    }
}

/// Types the plan's text, one character a keystroke, until its end or
/// the time budget; stops at the first request that fails or times out.
fn type_words(
    client: &mut Client,
    (uri, bank_bytes): (&str, usize),
    plan: &TypingPlan,
    hover_note: &HoverNote,
    settings: &Settings,
) -> Typing {
    let mut typing = Typing::new();
    let started = Instant::now();
    for (typed, letter) in plan.text.chars().enumerate() {
        if started.elapsed() > settings.typing_budget {
            typing.stopped = Some(Stopped::Budget(settings.typing_budget));
            break;
        }
        if let Some(memory) = client.memory().filter(|memory| memory.now > MEMORY_CAP) {
            typing.stopped = Some(Stopped::Memory(memory.now));
            break;
        }
        std::thread::sleep(
            (typing.last_sent + KEYSTROKE_INTERVAL).saturating_duration_since(Instant::now()),
        );
        let change = Change {
            uri,
            version: typed as i64 + 2,
            line: plan.line,
            column: plan.column + typed as u32,
            letter,
        };
        let mut outcome = keystroke(client, &change, bank_bytes + typed + 1, &mut typing)
            .map_err(|why| format!("keystroke {}: {why}", typed + 1));
        if outcome.is_ok() && (typed + 1) % HOVER_EVERY == 0 {
            outcome = hover_other_note(client, hover_note, &mut typing)
                .map_err(|why| format!("hover after keystroke {}: {why}", typed + 1));
        }
        if let Err(why) = outcome {
            typing.stopped = Some(Stopped::Failed(why));
            break;
        }
    }
    typing
}

/// One keystroke: `letter` inserted at `(line, column)` as `version`.
struct Change<'a> {
    uri: &'a str,
    version: i64,
    line: u32,
    column: u32,
    letter: char,
}

impl Change<'_> {
    fn params(&self) -> Value {
        let at = json!({ "line": self.line, "character": self.column });
        json!({
            "textDocument": { "uri": self.uri, "version": self.version },
            "contentChanges": [{ "range": { "start": at, "end": at }, "text": self.letter.to_string() }]
        })
    }
}

/// Sends a change and `qbank/documentStatus` behind it; notes the round
/// trip, and whether the status holds the version and `bytes` expected.
fn keystroke(
    client: &mut Client,
    change: &Change,
    bytes: usize,
    typing: &mut Typing,
) -> Result<(), Failure> {
    let sent = client.try_notify("textDocument/didChange", change.params())?;
    let status = client.try_request("qbank/documentStatus", json!({ "uri": change.uri }))?;
    let held = status.result();
    let matches = held["version"].as_i64() == Some(change.version)
        && held["bytes"].as_u64() == Some(bytes as u64);
    typing.last_sent = sent;
    typing.keystrokes.push(status.at - sent);
    typing.mismatches += usize::from(!matches);
    Ok(())
}

/// A hover on the next key of the other note.
fn hover_other_note(
    client: &mut Client,
    note: &HoverNote,
    typing: &mut Typing,
) -> Result<(), Failure> {
    let probe = &note.probes[typing.hovers.len() % note.probes.len()];
    let reply = client.try_request("textDocument/hover", probe.params(&note.uri))?;
    typing.hovers.push(reply.rtt());
    Ok(())
}

impl Typing {
    fn keystroke_row(&self, what: report::Label, planned: usize) -> Row {
        let p99 = percentile(&self.keystrokes, 99.0);
        let typed = self.keystrokes.len();
        let p50 = percentile(&self.keystrokes, 50.0);
        let measured = match &self.stopped {
            None => format!("{} (p50 {}; {typed} keystrokes)", ms(p99), ms(p50)),
            Some(stopped) if typed == 0 => format!("{}: no keystroke", stopped.verdict()),
            Some(stopped) => format!(
                "{}: {} (p50 {}) over {typed} of {planned} keystrokes",
                stopped.verdict(),
                ms(p99),
                ms(p50)
            ),
        };
        row(
            &what("one keystroke in the bank, p99"),
            "≤ 1 ms",
            measured,
            Some(self.stopped.is_none() && p99 <= bench::millis(1.0)),
        )
    }
}

/// How soon the typed word could be searched.
enum Searchable {
    /// Found, this long after the last keystroke, after this many requests.
    Found(Duration, usize),
    /// Not found within `SEARCHABLE_LIMIT`, after this many requests.
    Missed(usize),
    /// A request failed or timed out.
    Failed(String),
    /// No word was typed whole.
    NoWord,
}

/// Asks `workspace/symbol` for `word` until it names `key`, for at most
/// `SEARCHABLE_LIMIT` after `last_sent` (each request bounded as long).
fn wait_searchable(client: &mut Client, word: &str, key: &str, last_sent: Instant) -> Searchable {
    client.set_timeout(SEARCHABLE_LIMIT);
    let mut requests = 0;
    while last_sent.elapsed() < SEARCHABLE_LIMIT {
        requests += 1;
        match client.try_request("workspace/symbol", json!({ "query": word })) {
            Ok(reply) if names_question(reply.result(), key) => {
                return Searchable::Found(reply.at - last_sent, requests);
            }
            Ok(_) => std::thread::sleep(SEARCH_POLL),
            Err(failure) => return Searchable::Failed(failure.to_string()),
        }
    }
    Searchable::Missed(requests)
}

impl Searchable {
    fn print(&self, key: &str) {
        let found = match self {
            Searchable::Found(after, requests) => {
                format!("{} ({requests} `workspace/symbol` requests)", ms(*after))
            }
            Searchable::Missed(requests) => {
                format!("not within {} ({requests} requests)", ms(SEARCHABLE_LIMIT))
            }
            Searchable::Failed(why) => format!("failed: {why}"),
            Searchable::NoWord => "not measured: no word typed whole".to_string(),
        };
        println!("last keystroke → {key} found by the last typed word: {found}");
    }

    fn row(&self, what: report::Label) -> Row {
        let (measured, met) = match self {
            Searchable::Found(after, requests) => (
                format!("{} ({requests} requests)", ms(*after)),
                *after <= bench::millis(1_000.0),
            ),
            Searchable::Missed(_) => (
                format!("missed: not within {}", ms(SEARCHABLE_LIMIT)),
                false,
            ),
            Searchable::Failed(why) => (failure_verdict(why).to_string(), false),
            Searchable::NoWord => ("not measured (no word typed whole)".to_string(), false),
        };
        row(
            &what("typed word searchable (`workspace/symbol`) after the last keystroke"),
            "≤ 1 s",
            measured,
            Some(met),
        )
    }
}

/// (e): the peak memory of the typing server against twice the bank
/// merely loaded.
fn memory_ratio_row(what: report::Label, peak: u64, loaded: u64) -> Row {
    let ratio = peak as f64 / (loaded as f64).max(1.0);
    row(
        &what("peak memory (RSS)"),
        "≤ 2× the bank merely loaded",
        format!("{} ({ratio:.2}× {})", mib(peak), mib(loaded)),
        Some(loaded > 0 && peak > 0 && peak <= 2 * loaded),
    )
}

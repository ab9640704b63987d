//! Scenario 2: single-character incremental changes at random places of a
//! 10 MB note (`generate::note`), each followed at once by
//! `qbank/documentStatus`, whose reply times the keystroke; a hover at the
//! edit after every tenth; then the diagnostics after the 200 ms debounce,
//! and a check that the server's text equals the client's.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use qbank_testkit::bench::{self, Rng, Row, bytes, ms, percentile, row, spread, utf16_len};
use qbank_testkit::client::is_diagnostics;
use qbank_testkit::{Client, generate};
use serde_json::{Value, json};

use crate::probes::Probe;
use crate::{NOTE_SEED, Settings};

/// The pause before diagnostics of a changed document (`DIAGNOSTICS_DELAY`
/// in src/lsp/server.rs); the 10 MB target counts from its end.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// The letters typed.
const LETTERS: [&str; 8] = ["e", "t", "a", "o", "i", "n", "s", "r"];

pub fn run(binary: &Path, settings: &Settings, rows: &mut Vec<Row>) -> Result<()> {
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
        "workspace: built-in bank + `questions/gen.md` = `generate::bank_with_points({bank_questions}, {NOTE_SEED})`, \
         the bank the note's GEN keys name, with points so that answers are checked for coverage; \
         generated in {}",
        ms(started.elapsed())
    );
    let scratch = crate::workspace("keystrokes");
    scratch.write(
        "questions/gen.md",
        generate::bank_with_points(bank_questions, NOTE_SEED),
    );
    scratch.write("long.md", &text);
    let uri = scratch.uri("long.md");
    let spread_out = heading_probes(&text);

    let mut client = crate::start(binary, &scratch, false)?.client;
    let open_to_diagnostics = open_note(&mut client, &uri, &text, &spread_out[0])?;
    hover_unchanged(&mut client, &uri, &spread_out)?;
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let typing = type_keys(&mut client, &uri, &mut lines, settings.keystrokes)?;
    typing.print();
    let diagnostics = last_diagnostics(&mut client, &uri, &typing);
    let same = same_text(&mut client, &uri, &lines.join("\n"))?;
    println!(
        "server's text equals the client's after {} changes: {}",
        typing.round_trips.len(),
        if same { "yes" } else { "NO" }
    );
    bench::report_memory(&client);
    bench::stop(client)?;
    println!();

    let size = bytes(text.len());
    rows.push(typing.row(&size));
    rows.push(diagnostics_row(&size, diagnostics, open_to_diagnostics));
    if !same {
        bail!("the server's copy of the note differs from the client's");
    }
    Ok(())
}

/// Hovers on the unchanged note, one at each probe.
fn hover_unchanged(client: &mut Client, uri: &str, probes: &[Probe]) -> Result<()> {
    let mut round_trips = Vec::new();
    for probe in probes {
        round_trips.push(
            client
                .try_request("textDocument/hover", probe.params(uri))?
                .rtt(),
        );
    }
    println!(
        "hover on the unchanged note: p50 {}, p99 {} ({} requests)",
        ms(percentile(&round_trips, 50.0)),
        ms(percentile(&round_trips, 99.0)),
        round_trips.len()
    );
    Ok(())
}

/// The last keystroke → the diagnostics of its version, if published.
fn last_diagnostics(client: &mut Client, uri: &str, typing: &Typing) -> Option<Duration> {
    let diagnostics = client.try_wait_for(
        |message| is_diagnostics(message, uri, Some(typing.version)),
        "the diagnostics after the last keystroke",
    );
    match diagnostics {
        Ok(message) => {
            let after = message.at - typing.last_sent;
            println!(
                "last keystroke → diagnostics published: {} ({} after the {} debounce)",
                ms(after),
                ms(after.saturating_sub(DEBOUNCE)),
                ms(DEBOUNCE)
            );
            Some(after)
        }
        Err(failure) => {
            println!("last keystroke → diagnostics: none ({failure})");
            None
        }
    }
}

/// A hover probe on the key of 100 question headings spread over the note.
fn heading_probes(text: &str) -> Vec<Probe> {
    let headings: Vec<Probe> = text
        .split('\n')
        .enumerate()
        .filter(|(_, line)| line.starts_with("### GEN-"))
        .map(|(number, _)| Probe {
            label: "heading key".to_string(),
            line: number as u32,
            character: 6,
            expect_key: None,
        })
        .collect();
    (0..100)
        .map(|step| headings[step * headings.len() / 100].clone())
        .collect()
}

/// Opens the note; prints how soon a hover and the diagnostics came, and
/// returns didOpen → diagnostics.
fn open_note(client: &mut Client, uri: &str, text: &str, probe: &Probe) -> Result<Duration> {
    let opened = bench::open(client, uri, text)?;
    let reply = client.try_request("textDocument/hover", probe.params(uri))?;
    println!(
        "didOpen sent → first hover answered: {} (includes reading and parsing the note)",
        ms(reply.at - opened)
    );
    let diagnostics = client.try_wait_for(
        |message| is_diagnostics(message, uri, Some(1)),
        "the diagnostics of the opened note",
    )?;
    let found = diagnostics.value["params"]["diagnostics"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let open_to_diagnostics = diagnostics.at - opened;
    println!(
        "didOpen sent → diagnostics published: {} ({} diagnostics: {}; {})",
        ms(open_to_diagnostics),
        found.len(),
        code_counts(found),
        bytes(diagnostics.bytes)
    );
    Ok(open_to_diagnostics)
}

/// "16000 unknown-key, 58 …": how many diagnostics of each code.
fn code_counts(diagnostics: &[Value]) -> String {
    let mut codes: Vec<(String, usize)> = Vec::new();
    for diagnostic in diagnostics {
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
    codes.join(", ")
}

/// One single-character change: where, and what replaces the range.
struct Edit {
    line: usize,
    character: u32,
    end: u32,
    inserted: &'static str,
}

impl Edit {
    fn change(&self, uri: &str, version: i64) -> Value {
        json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{
                "range": {
                    "start": { "line": self.line, "character": self.character },
                    "end": { "line": self.line, "character": self.end }
                },
                "text": self.inserted
            }]
        })
    }
}

/// A random keystroke, applied to the client's lines: one in four deletes
/// the character after the cursor (when it is one UTF-16 unit), the others
/// insert a letter.
fn random_edit(rng: &mut Rng, lines: &mut [String]) -> Edit {
    let line = rng.below(lines.len());
    let text = &mut lines[line];
    let column = rng.below(text.chars().count() + 1);
    let byte = text
        .char_indices()
        .nth(column)
        .map_or(text.len(), |(byte, _)| byte);
    let character = utf16_len(&text[..byte]);
    let next = text[byte..].chars().next();
    if rng.below(4) == 0 && next.is_some_and(|next| next.len_utf16() == 1) {
        text.remove(byte);
        return Edit {
            line,
            character,
            end: character + 1,
            inserted: "",
        };
    }
    let letter = LETTERS[rng.below(LETTERS.len())];
    text.insert_str(byte, letter);
    Edit {
        line,
        character,
        end: character,
        inserted: letter,
    }
}

/// The figures of the typing.
struct Typing {
    round_trips: Vec<Duration>,
    /// The first keystroke after a hover, which drops the parse it made.
    after_hover: Vec<Duration>,
    other_keys: Vec<Duration>,
    hovers_after_edit: Vec<Duration>,
    deletions: usize,
    /// The document's version after the last change.
    version: i64,
    last_sent: Instant,
}

/// Types `keystrokes` random keys, each timed by `qbank/documentStatus`,
/// with a hover at the edit after every tenth.
fn type_keys(
    client: &mut Client,
    uri: &str,
    lines: &mut [String],
    keystrokes: usize,
) -> Result<Typing> {
    let mut rng = Rng(0x5EED);
    let mut typing = Typing {
        round_trips: Vec::new(),
        after_hover: Vec::new(),
        other_keys: Vec::new(),
        hovers_after_edit: Vec::new(),
        deletions: 0,
        version: 1,
        last_sent: Instant::now(),
    };
    for _ in 0..keystrokes {
        let edit = random_edit(&mut rng, lines);
        typing.deletions += usize::from(edit.inserted.is_empty());
        typing.version += 1;
        let sent = client.try_notify("textDocument/didChange", edit.change(uri, typing.version))?;
        typing.last_sent = sent;
        // The keystroke's own cost: the change applied, as the server's
        // answer to a status request right behind it shows.
        let status = client.try_request("qbank/documentStatus", json!({ "uri": uri }))?;
        typing.note_keystroke(status.at - sent);
        if status.result()["version"].as_i64() != Some(typing.version) {
            bail!(
                "the server holds version {} after change {}",
                status.result()["version"],
                typing.version
            );
        }
        // What the user sees next: a hover right after typing, every tenth key.
        if typing.round_trips.len() % 10 == 0 {
            let params = bench::position_params(uri, edit.line as u32, edit.character);
            let sent = Instant::now();
            let reply = client.try_request("textDocument/hover", params)?;
            typing.hovers_after_edit.push(reply.at - sent);
        }
    }
    Ok(typing)
}

impl Typing {
    fn note_keystroke(&mut self, round_trip: Duration) {
        self.round_trips.push(round_trip);
        if self.round_trips.len() % 10 == 1 && self.round_trips.len() > 1 {
            self.after_hover.push(round_trip);
        } else {
            self.other_keys.push(round_trip);
        }
    }

    fn row(&self, size: &str) -> Row {
        let p99 = percentile(&self.round_trips, 99.0);
        row(
            &format!("one keystroke on a {size} note, p99"),
            "≤ 1 ms",
            format!(
                "{} (p50 {})",
                ms(p99),
                ms(percentile(&self.round_trips, 50.0))
            ),
            Some(p99 <= bench::millis(1.0)),
        )
    }

    fn print(&self) {
        println!(
            "keystroke (didChange, then qbank/documentStatus): {} changes ({} deletions), {}",
            self.round_trips.len(),
            self.deletions,
            spread(&self.round_trips)
        );
        println!(
            "keystroke right after a hover: p50 {}, max {} ({}); other keystrokes: {} ({})",
            ms(percentile(&self.after_hover, 50.0)),
            ms(percentile(&self.after_hover, 100.0)),
            self.after_hover.len(),
            spread(&self.other_keys),
            self.other_keys.len()
        );
        println!(
            "hover right after a keystroke (reparses the note): p50 {}, p99 {} ({} requests)",
            ms(percentile(&self.hovers_after_edit, 50.0)),
            ms(percentile(&self.hovers_after_edit, 99.0)),
            self.hovers_after_edit.len()
        );
    }
}

/// Whether the server's copy of the document is `expected`.
fn same_text(client: &mut Client, uri: &str, expected: &str) -> Result<bool> {
    let served = client.try_request("qbank/documentText", json!({ "uri": uri }))?;
    Ok(served.result()["text"].as_str() == Some(expected))
}

/// The diagnostics after the last keystroke, against 50 ms past the
/// debounce.
fn diagnostics_row(size: &str, after: Option<Duration>, open_to_diagnostics: Duration) -> Row {
    let (measured, met) = match after {
        Some(after) => (
            format!(
                "{} after the debounce ({} after the keystroke); {} after didOpen",
                ms(after.saturating_sub(DEBOUNCE)),
                ms(after),
                ms(open_to_diagnostics)
            ),
            Some(after.saturating_sub(DEBOUNCE) <= bench::millis(50.0)),
        ),
        None => ("none published".to_string(), Some(false)),
    };
    row(
        &format!("diagnostics of a {size} note"),
        "≤ 50 ms after the debounce",
        measured,
        met,
    )
}

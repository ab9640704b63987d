//! The end-to-end latency benchmark of `qbank lsp`: it starts the release
//! binary, drives it over stdio with the test kit's client (a reader thread
//! timestamps every message as it arrives) and prints what an editor user
//! feels, beside the targets of issues 3, 4, 6, 11, 12, 15 and 16. Eight scenarios,
//! one file each:
//! 1. `builtin.rs`: the built-in bank (start-up, completion, hover, reply
//!    size, memory);
//! 2. `keystrokes.rs`: one keystroke on a 10 MB note (each incremental
//!    change followed by a `qbank/documentStatus` request, which answers
//!    once the change is applied and touches nothing else; a hover after
//!    every tenth; the diagnostics after the last one);
//! 3. `large_bank.rs`: a 100,000-question workspace bank (start-up, short
//!    queries, reply size, hover, memory);
//! 4. `workspace.rs`: a workspace of 10,000 notes (about 40 MB, nested
//!    folders, one folder gitignored) citing the built-in bank, with a
//!    client that takes progress reports and watches files: the first
//!    completion while the background indexing runs, the indexing time
//!    (`$/progress` end), the references of `BE-23`, and how soon a note
//!    changed on disk (`workspace/didChangeWatchedFiles`) shows in the
//!    references;
//! 5. `bank_typing.rs`: the 100,000-question bank open in the editor and
//!    typed into (memory merely loaded, keystrokes, hovers in another note
//!    meanwhile, how soon the typed words are searchable, memory after);
//! 6. `check_folder.rs`: the command line, `qbank check` over 10,000 notes
//!    in one folder;
//! 7. `study.rs`: the study loop, `qbank due` over 10,000 notes with review
//!    markers, and the code lenses of a note of 500 answered sections;
//! 8. `interviews.rs`: the interviewer's loop, `qbank scores` over 1,000
//!    candidate folders of 10 notes.
//!
//! `probes.rs` holds the completion and hover runs scenarios 1 and 3 share,
//! `report.rs` the rows they share; the client, the figures and the summary
//! table come from `qbank_testkit`. It builds nothing itself and asserts no
//! timing; every wait is bounded, a hung server ends the run with an error
//! (scenario 5 reports it as a figure instead), and the child is always
//! killed. `cargo bench --bench lsp_latency`; `QBANK_BENCH_QUICK=1` for a
//! short run (10,000 questions, a 1 MB note, 1,000 notes, fewer requests
//! and keystrokes); `QBANK_BENCH_ONLY=4` (or `1,3`) to run only those
//! scenarios; `QBANK_BENCH_BIG_BANK=165000` for a bigger bank in scenarios
//! 3 and 5 (about 50 MB); `QBANK_BENCH_SERVER=target/dist/qbank` to drive
//! another build (the shipped one: `cargo build --profile dist`).

mod bank_typing;
mod builtin;
mod check_folder;
mod interviews;
mod keystrokes;
mod large_bank;
mod probes;
mod report;
mod study;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use qbank_testkit::bench::{self, Row};
use qbank_testkit::{Capabilities, Client, Scratch};

/// The longest wait for one reply or notification, and for one write.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest one server may live, a backstop for anything unforeseen.
pub const SCENARIO_LIMIT: Duration = Duration::from_secs(1_800);
pub const BANK_SEED: u64 = 42;
pub const NOTE_SEED: u64 = 1;

pub struct Settings {
    pub quick: bool,
    pub completions: usize,
    pub hovers: usize,
    pub keystrokes: usize,
    pub note_bytes: usize,
    pub big_bank: usize,
    pub workspace_notes: usize,
    /// Keystrokes typed into the open bank of scenario 5.
    pub bank_keystrokes: usize,
    /// The longest scenario 5 types before it stops and reports.
    pub typing_budget: Duration,
    /// The scenarios to run (1 to 8).
    pub only: Vec<u32>,
}

type Scenario = fn(&Path, &Settings, &mut Vec<Row>) -> Result<()>;

/// Every scenario: its number, its name in errors, and its function.
const SCENARIOS: [(u32, &str, Scenario); 8] = [
    (1, "built-in bank", builtin::run),
    (2, "keystrokes", keystrokes::run),
    (3, "large bank", large_bank::run),
    (4, "workspace", workspace::run),
    (5, "typing into the large bank", bank_typing::run),
    (6, "check over one big folder", check_folder::run),
    (7, "study loop", study::run),
    (8, "interviewer's loop", interviews::run),
];

fn main() -> ExitCode {
    let outcome = settings().and_then(|settings| run(&settings));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lsp_latency: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The settings `QBANK_BENCH_QUICK` and `QBANK_BENCH_ONLY` ask for.
fn settings() -> Result<Settings> {
    let quick = std::env::var("QBANK_BENCH_QUICK").is_ok_and(|value| value == "1");
    let only = scenarios(&std::env::var("QBANK_BENCH_ONLY").unwrap_or_default())?;
    let big_bank: Option<usize> =
        match std::env::var("QBANK_BENCH_BIG_BANK") {
            Ok(questions) => Some(questions.parse().map_err(|_| {
                anyhow!("QBANK_BENCH_BIG_BANK={questions:?}: a number of questions")
            })?),
            Err(_) => None,
        };
    let settings = if quick {
        Settings {
            quick,
            completions: 60,
            hovers: 60,
            keystrokes: 60,
            note_bytes: 1_000_000,
            big_bank: 10_000,
            workspace_notes: 1_000,
            bank_keystrokes: 60,
            typing_budget: Duration::from_secs(30),
            only,
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
            bank_keystrokes: 300,
            typing_budget: Duration::from_secs(120),
            only,
        }
    };
    Ok(Settings {
        big_bank: big_bank.unwrap_or(settings.big_bank),
        ..settings
    })
}

/// The scenarios `QBANK_BENCH_ONLY` names ("4", "1,3"); all when empty.
fn scenarios(only: &str) -> Result<Vec<u32>> {
    if only.trim().is_empty() {
        return Ok(SCENARIOS.iter().map(|(number, _, _)| *number).collect());
    }
    only.split(',')
        .map(|part| match part.trim().parse::<u32>() {
            Ok(number @ 1..=8) => Ok(number),
            _ => Err(anyhow!(
                "QBANK_BENCH_ONLY={only:?}: name scenarios 1 to 8, separated by commas"
            )),
        })
        .collect()
}

fn run(settings: &Settings) -> Result<()> {
    let binary = server_binary()?;
    let quick = if settings.quick {
        " (quick: smaller inputs, not comparable with the targets)"
    } else {
        ""
    };
    println!("# qbank lsp end-to-end latency{quick}");
    println!();
    println!("server: {}", binary.display());
    println!();
    if settings.only.len() < SCENARIOS.len() {
        println!("scenarios: {:?} only (QBANK_BENCH_ONLY)", settings.only);
        println!();
    }
    let mut rows = Vec::new();
    for (number, name, scenario) in SCENARIOS {
        if settings.only.contains(&number) {
            scenario(&binary, settings, &mut rows)
                .with_context(|| format!("scenario {number} ({name})"))?;
        }
    }
    bench::print_summary(&rows);
    Ok(())
}

/// `QBANK_BENCH_SERVER` when set (another build, such as
/// `target/dist/qbank`), else the release binary cargo built for this
/// benchmark, else target/release.
fn server_binary() -> Result<PathBuf> {
    if let Some(chosen) = std::env::var_os("QBANK_BENCH_SERVER") {
        let chosen = PathBuf::from(chosen);
        if !chosen.is_file() {
            bail!("QBANK_BENCH_SERVER: no file at {}", chosen.display());
        }
        return Ok(chosen);
    }
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

/// What the benchmark's client tells the server: UTF-16 positions,
/// snippets, versioned edits, progress and versioned diagnostics; watched
/// files when `watched_files` (scenario 4).
pub fn capabilities(watched_files: bool) -> Capabilities {
    Capabilities {
        snippets: true,
        document_changes: true,
        work_done_progress: true,
        diagnostic_versions: true,
        watched_files,
        ..Capabilities::default()
    }
}

/// A scratch workspace with an empty `.qbank.toml`.
pub fn workspace(name: &str) -> Scratch {
    let scratch = Scratch::new(&format!("bench-{name}"));
    scratch.write(".qbank.toml", "");
    scratch
}

/// Runs of a command-line scenario; the median is reported.
pub const CLI_RUNS: usize = 3;

/// A command line run `CLI_RUNS` times from a workspace's root, as a user
/// would: the wall times, sorted, and the last run's stdout.
pub struct TimedRuns {
    pub times: Vec<Duration>,
    pub stdout: Vec<u8>,
}

impl TimedRuns {
    pub fn median(&self) -> Duration {
        self.times[self.times.len() / 2]
    }

    /// `runs: 12.3 ms, 13.0 ms, 15.1 ms`.
    pub fn shown(&self) -> String {
        let shown: Vec<String> = self.times.iter().map(|time| bench::ms(*time)).collect();
        format!("runs: {}", shown.join(", "))
    }
}

/// Runs `qbank ARGS` in `scratch` with its own home and cache (and `env`);
/// fails when an exit code is not one of `ok_codes`.
pub fn run_cli(
    binary: &Path,
    scratch: &Scratch,
    args: &[&str],
    env: &[(&str, &str)],
    ok_codes: &[i32],
) -> Result<TimedRuns> {
    let mut times = Vec::with_capacity(CLI_RUNS);
    let mut stdout = Vec::new();
    for _ in 0..CLI_RUNS {
        let started = Instant::now();
        let output = std::process::Command::new(binary)
            .args(args)
            .current_dir(scratch.root())
            .env("HOME", scratch.root())
            .env("XDG_CACHE_HOME", scratch.path(".cache"))
            .envs(env.iter().copied())
            .stderr(std::process::Stdio::null())
            .output()?;
        times.push(started.elapsed());
        if !output
            .status
            .code()
            .is_some_and(|code| ok_codes.contains(&code))
        {
            bail!("qbank {} failed: {}", args.join(" "), output.status);
        }
        stdout = output.stdout;
    }
    times.sort();
    Ok(TimedRuns { times, stdout })
}

/// A server spawned in `scratch` and initialized; prints how soon the
/// `initialize` reply came.
pub fn start(binary: &Path, scratch: &Scratch, watched_files: bool) -> Result<Started> {
    let mut client = bench::spawn(binary, scratch, REPLY_TIMEOUT, SCENARIO_LIMIT)?;
    let (reply, initialized) =
        bench::initialize(&mut client, scratch.root(), &capabilities(watched_files))?;
    let to_initialize = reply.at - client.started();
    println!("spawn → initialize reply: {}", bench::ms(to_initialize));
    Ok(Started {
        client,
        to_initialize,
        initialized,
    })
}

/// A server just initialized.
pub struct Started {
    pub client: Client,
    /// Spawn → the `initialize` reply.
    pub to_initialize: Duration,
    /// When `initialized` was sent.
    pub initialized: Instant,
}

//! The peer comparison of issue 18: qbank against iwes 0.29.3 (a Rust
//! markdown knowledge-base language server from crates.io), both driven
//! over stdio in one run on the same generated vault, with a markdown
//! table of their figures and a ratios row (iwes / qbank), and a growth
//! curve when several sizes are given.
//!
//! iwes is installed with `cargo install --locked --version 0.29.3 --root
//! target/peers/iwes-0.29.3 iwes` the first time and reused after. The
//! workload (`vault.rs`) is deterministic; the driving and the definition
//! of a useful completion are in `drive.rs`, the tables in `table.rs`. It
//! takes minutes, so it is not part of `cargo test`, and a plain `cargo
//! bench` skips it: run `QBANK_BENCH_PEERS=1 nice -n 19 cargo bench --bench
//! peers`. `QBANK_BENCH_PEERS_SIZES=1000,10000,100000,300000` (or
//! `--sizes 1000,10000` after `--`) for the growth curve; 100,000 notes
//! by default. `QBANK_BENCH_PEERS_ROUNDS=3` runs the 16 timed queries three
//! times (seven by default: 112 completions, so p99 is not the slowest).
//! `QBANK_BENCH_PEERS_SERVERS=qbank` drives only the servers named (while
//! working on one of them; the table then leaves the other unmeasured).

mod drive;
mod table;
mod vault;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use crate::drive::{Figures, Kind, Server};

/// The seed of every generated question.
pub const SEED: u64 = 42;
/// The iwes release compared against.
const IWES_VERSION: &str = "0.29.3";

pub struct Settings {
    pub sizes: Vec<usize>,
    /// Times the timed queries run.
    pub rounds: usize,
    /// The longest wait for one reply (iwes answers with every note).
    pub reply_timeout: Duration,
    /// The longest one server may live.
    pub server_limit: Duration,
    /// The servers driven, by name; all when empty.
    pub only: Vec<String>,
}

fn main() -> ExitCode {
    if std::env::var("QBANK_BENCH_PEERS").as_deref() != Ok("1") {
        println!(
            "peers: skipped (it installs iwes and takes minutes); run with \
             QBANK_BENCH_PEERS=1 nice -n 19 cargo bench --bench peers"
        );
        return ExitCode::SUCCESS;
    }
    match settings().and_then(|settings| run(&settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("peers: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Sizes from `--sizes` or `QBANK_BENCH_PEERS_SIZES`, rounds from
/// `QBANK_BENCH_PEERS_ROUNDS`.
fn settings() -> Result<Settings> {
    let arguments: Vec<String> = std::env::args().collect();
    let from_arguments = arguments
        .iter()
        .position(|argument| argument == "--sizes")
        .and_then(|at| arguments.get(at + 1).cloned());
    let sizes = from_arguments
        .or_else(|| std::env::var("QBANK_BENCH_PEERS_SIZES").ok())
        .unwrap_or_else(|| "100000".to_string());
    let sizes = sizes
        .split(',')
        .map(|size| match size.trim().replace('_', "").parse::<usize>() {
            Ok(notes) if notes > 0 => Ok(notes),
            _ => Err(anyhow!(
                "sizes {sizes:?}: numbers of notes, like 1000,10000"
            )),
        })
        .collect::<Result<Vec<usize>>>()?;
    let rounds = match std::env::var("QBANK_BENCH_PEERS_ROUNDS") {
        Ok(rounds) => rounds
            .parse()
            .ok()
            .filter(|rounds| *rounds > 0)
            .ok_or_else(|| anyhow!("QBANK_BENCH_PEERS_ROUNDS={rounds:?}: a positive number"))?,
        Err(_) => 7,
    };
    let only = std::env::var("QBANK_BENCH_PEERS_SERVERS")
        .map(|names| {
            names
                .split(',')
                .map(|name| name.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    Ok(Settings {
        only,
        sizes,
        rounds,
        reply_timeout: Duration::from_secs(900),
        server_limit: Duration::from_secs(7_200),
    })
}

fn run(settings: &Settings) -> Result<()> {
    let qbank = qbank_binary()?;
    let wanted =
        |name: &str| settings.only.is_empty() || settings.only.iter().any(|one| one == name);
    let iwes = if wanted("iwes") {
        install_iwes()?
    } else {
        PathBuf::from("iwes")
    };
    println!("# Peer comparison: qbank and iwes {IWES_VERSION}");
    println!();
    println!("qbank: {}", qbank.display());
    println!("iwes: {}", iwes.display());
    println!("machine: {} cores; {}", cores(), load());
    let servers = [
        Server {
            name: "iwes",
            binary: &iwes,
            trigger: "[",
            kind: Kind::Iwes,
        },
        Server {
            name: "qbank",
            binary: &qbank,
            trigger: "@",
            kind: Kind::Qbank,
        },
    ];
    let mut measured: Vec<(usize, Vec<Option<Figures>>)> = Vec::new();
    for &notes in &settings.sizes {
        println!();
        println!("## {notes} notes");
        println!();
        let vault = vault::generate(notes);
        let mut figures = Vec::new();
        for server in &servers {
            if !wanted(server.name) {
                figures.push(None);
                continue;
            }
            println!();
            println!("### {}", server.name);
            println!();
            match drive::run(server, &vault, settings) {
                Ok(shown) => figures.push(Some(shown)),
                Err(error) => {
                    println!("{} on {notes} notes: {error:#}", server.name);
                    figures.push(None);
                }
            }
        }
        println!();
        println!("load after: {}", load());
        println!();
        table::print_one(&vault, settings, &figures);
        measured.push((notes, figures));
    }
    if measured.len() > 1 {
        println!();
        table::print_growth(&measured);
    }
    Ok(())
}

/// The release binary cargo built for this benchmark.
fn qbank_binary() -> Result<PathBuf> {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_qbank"));
    if !built.is_file() {
        bail!("no qbank binary at {}", built.display());
    }
    Ok(built)
}

fn target_folder() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// iwes under `target/peers/iwes-VERSION`, installed at the pinned version
/// with its lock file the first time.
fn install_iwes() -> Result<PathBuf> {
    let root = target_folder().join(format!("peers/iwes-{IWES_VERSION}"));
    let binary = root.join("bin/iwes");
    if binary.is_file() {
        return Ok(binary);
    }
    println!("installing iwes {IWES_VERSION} into {}", root.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .args(["install", "--locked", "--version", IWES_VERSION, "--root"])
        .arg(&root)
        .arg("iwes")
        .status()
        .context("cannot run cargo install")?;
    if !status.success() || !binary.is_file() {
        bail!("cargo install iwes {IWES_VERSION} failed: {status}");
    }
    Ok(binary)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |cores| cores.get())
}

/// The load averages, as `/proc/loadavg` gives them.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "load unknown".to_string(),
        |text| {
            let averages: Vec<&str> = text.split_whitespace().take(3).collect();
            format!("load average {}", averages.join(", "))
        },
    )
}

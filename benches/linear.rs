//! The linear-time benchmark: each pathological markdown input (deep
//! `[[[[…`, `*a**a` runs, backtick runs, nested quotes, thousands of
//! question sections, unknown keys…) parsed and checked as a note and as a
//! bank at two sizes, the positions of 10,000 and 40,000 diagnostics on one
//! line as each front end works them out, and `qbank check` printing 25,000
//! and 100,000 diagnostics. A quadratic step shows as 16× the time for 4×
//! the input; the target is under 6× (linear, with room for caches) and
//! 100 ms per MB. Plain `std::time`, no harness: `cargo bench --bench
//! linear` (`QBANK_BENCH_ONLY=quotes` for the inputs named so). Benchmarks print figures and never fail on a target.

use std::hint::black_box;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use qbank::core::bank::parse_bank;
use qbank::core::builtin::builtin_bank;
use qbank::core::check::{Siblings, check_note};
use qbank::core::index::Index;
use qbank::core::note::parse_note;
use qbank::core::template::Overrides;
use qbank_testkit::Scratch;
use qbank_testkit::pathological::{self, keys_on_one_line, positions_like_each_front_end};

const SMALL: usize = 512 * 1024;
const GROWTH: usize = 4;
const TARGET_RATIO: f64 = 6.0;
const TARGET_MS_PER_MB: f64 = 100.0;

fn main() {
    println!("# qbank linear-time benchmark");
    println!();
    println!(
        "4× the input; best of 3 runs at each size; target: under {TARGET_RATIO}× the time, {TARGET_MS_PER_MB} ms per MB"
    );
    println!();
    println!("| input | small | time | large | time | growth | ms per MB |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    // `QBANK_BENCH_ONLY=brackets` runs the inputs whose name holds it.
    let only = std::env::var("QBANK_BENCH_ONLY").unwrap_or_default();
    let inputs = pathological::inputs().into_iter();
    for (name, make) in inputs.filter(|(name, _)| name.contains(&only)) {
        let small = make(SMALL);
        let large = make(SMALL * GROWTH);
        let row = Row::measure(name, small.len(), large.len(), |size| {
            best_of(3, || {
                analyse(if size == small.len() { &small } else { &large })
            })
        });
        row.print();
    }
    if !only.is_empty() {
        return;
    }
    let (small, large) = (keys_on_one_line(10_000), keys_on_one_line(40_000));
    Row::measure(
        "positions of one line's diagnostics",
        small.len(),
        large.len(),
        |size| {
            let line = if size == small.len() { &small } else { &large };
            let note = parse_note(line);
            let diagnostics =
                check_note(index(), line, &note, Siblings::NONE, &Overrides::default());
            best_of(3, || {
                black_box(positions_like_each_front_end(line, &diagnostics));
            })
        },
    )
    .print();
    check_command_row().print();
}

/// One input's two measurements.
struct Row {
    name: &'static str,
    small: (usize, Duration),
    large: (usize, Duration),
}

impl Row {
    fn measure(
        name: &'static str,
        small: usize,
        large: usize,
        mut time: impl FnMut(usize) -> Duration,
    ) -> Row {
        Row {
            name,
            small: (small, time(small)),
            large: (large, time(large)),
        }
    }

    fn print(&self) {
        let ratio = self.large.1.as_secs_f64() / self.small.1.as_secs_f64().max(1e-6);
        let ms_per_mb = self.large.1.as_secs_f64() * 1e3 / (self.large.0 as f64 / 1e6);
        let missed = ratio >= TARGET_RATIO || ms_per_mb > TARGET_MS_PER_MB;
        println!(
            "| {} | {} | {} | {} | {} | {ratio:.1}× | {ms_per_mb:.1}{} |",
            self.name,
            size(self.small.0),
            ms(self.small.1),
            size(self.large.0),
            ms(self.large.1),
            if missed { " — **missed**" } else { "" }
        );
    }
}

/// `qbank check` (the release binary) printing one line per diagnostic.
fn check_command_row() -> Row {
    let workspace = Scratch::new("bench-linear");
    let home = Scratch::new("bench-linear-home");
    workspace.write(".qbank.toml", "");
    let lines = |size: usize| size / "BE-9999 x\n".len();
    let mut time = |size: usize| {
        workspace.write("many.md", "BE-9999 x\n".repeat(lines(size)));
        best_of(3, || {
            let output = Command::new(env!("CARGO_BIN_EXE_qbank"))
                .args(["check", "many.md"])
                .current_dir(workspace.root())
                .env("HOME", home.root())
                .output()
                .expect("runs qbank check");
            assert_eq!(
                output.stdout.iter().filter(|&&b| b == b'\n').count(),
                lines(size)
            );
        })
    };
    let small = 25_000 * "BE-9999 x\n".len();
    Row::measure(
        "qbank check: 25,000 → 100,000 diagnostics",
        small,
        small * GROWTH,
        &mut time,
    )
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::new(Some(builtin_bank()), Vec::new()))
}

/// Parses and checks a text as a note, and parses it as a bank.
fn analyse(text: &str) {
    let note = parse_note(text);
    let diagnostics = check_note(index(), text, &note, Siblings::NONE, &Overrides::default());
    let bank = parse_bank("bad.md", "bad", text.to_string());
    black_box((diagnostics.len(), bank.questions.len()));
}

fn best_of(runs: usize, mut run: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn size(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

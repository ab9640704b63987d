//! The comparison's tables, in markdown: one size with a row per server
//! and a ratios row (iwes / qbank, so "85×" means iwes takes 85 times as
//! long, or as many bytes), and the growth curve, a row per size and
//! server.

use qbank_testkit::bench::{bytes, mib, ms, percentile};

use crate::Settings;
use crate::drive::Figures;
use crate::vault::{QUERIES, Vault};

const NAMES: [&str; 2] = ["iwes", "qbank"];

/// The table of one size; `figures` holds iwes's then qbank's.
pub fn print_one(vault: &Vault, settings: &Settings, figures: &[Option<Figures>]) {
    println!(
        "### {} notes ({} of notes; qbank also a {}-question bank, {})",
        vault.notes,
        bytes(vault.note_bytes),
        vault.notes,
        bytes(vault.bank_bytes)
    );
    println!();
    println!(
        "| | first useful completion | completion p50 | p99 | largest reply | peak RSS | all indexed | useful replies |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (name, shown) in NAMES.iter().zip(figures) {
        let Some(shown) = shown else {
            println!("| {name} | not measured (see above) | | | | | | |");
            continue;
        };
        let useful = format!("{}/{}", shown.useful, shown.completion.len());
        let cells = [cells(shown).join(" | "), ms(shown.indexed), useful];
        println!("| {name} | {} |", cells.join(" | "));
    }
    if let [Some(iwes), Some(qbank)] = figures {
        let indexed = ratio(iwes.indexed.as_secs_f64(), qbank.indexed.as_secs_f64());
        println!(
            "| iwes / qbank | {} | {indexed} | |",
            ratios(iwes, qbank).join(" | ")
        );
    }
    println!();
    println!(
        "{} timed completions per server ({} queries × {} rounds); p99 is the \
         nearest rank, so with fewer than 100 samples it is the slowest.",
        settings.rounds * QUERIES,
        QUERIES,
        settings.rounds
    );
}

/// The growth curve: a row per size and server, then iwes / qbank per size.
pub fn print_growth(measured: &[(usize, Vec<Option<Figures>>)]) {
    println!("## Growth curve");
    println!();
    println!(
        "| notes | server | first useful completion | completion p50 | p99 | largest reply | peak RSS |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (notes, figures) in measured {
        for (name, shown) in NAMES.iter().zip(figures) {
            match shown {
                Some(shown) => println!("| {notes} | {name} | {} |", cells(shown).join(" | ")),
                None => println!("| {notes} | {name} | not measured | | | | |"),
            }
        }
        if let [Some(iwes), Some(qbank)] = figures.as_slice() {
            let ratios = ratios(iwes, qbank).join(" | ");
            println!("| {notes} | iwes / qbank | {ratios} |");
        }
    }
}

/// First useful completion, completion p50 and p99, largest reply, peak RSS.
fn cells(shown: &Figures) -> [String; 5] {
    [
        ms(shown.first_useful),
        ms(percentile(&shown.completion, 50.0)),
        ms(percentile(&shown.completion, 99.0)),
        bytes(shown.largest_bytes),
        mib(shown.peak_memory),
    ]
}

/// `cells`' figures of iwes over qbank's.
fn ratios(iwes: &Figures, qbank: &Figures) -> [String; 5] {
    [
        ratio(
            iwes.first_useful.as_secs_f64(),
            qbank.first_useful.as_secs_f64(),
        ),
        ratio(seconds(iwes, 50.0), seconds(qbank, 50.0)),
        ratio(seconds(iwes, 99.0), seconds(qbank, 99.0)),
        ratio(iwes.largest_bytes as f64, qbank.largest_bytes as f64),
        ratio(iwes.peak_memory as f64, qbank.peak_memory as f64),
    ]
}

fn seconds(figures: &Figures, percent: f64) -> f64 {
    percentile(&figures.completion, percent).as_secs_f64()
}

/// "85×", "4.4×", "0.52×"; a dash when the divisor is zero.
fn ratio(of: f64, to: f64) -> String {
    if to <= 0.0 {
        return "—".to_string();
    }
    let value = of / to;
    if value >= 10.0 {
        format!("{value:.0}×")
    } else if value >= 1.0 {
        format!("{value:.1}×")
    } else {
        format!("{value:.2}×")
    }
}

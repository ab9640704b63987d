//! The summary rows more than one scenario adds: start-up, completion and
//! hover latency, the largest completion reply and peak memory, each
//! labelled by the scenario's `what` (which names its input size).

use std::time::Duration;

use qbank_testkit::bench::{MIB, Row, bytes, duration_row, mib, millis, ms, percentile, row};

use crate::probes::{Largest, Requests, Session};

/// Appends the scenario's input, such as "(128 q)", to a row's label.
pub type Label<'a> = &'a dyn Fn(&str) -> String;

pub fn initialize_row(what: Label, to_initialize: Duration) -> Row {
    duration_row(&what("start → `initialize` reply"), to_initialize, 20.0)
}

/// Spawn → the first completion, within 50 ms (and offering something,
/// when `items_wanted`).
pub fn first_completion_row(what: Label, session: &Session, items_wanted: bool) -> Row {
    row(
        &what("start → first completion"),
        "≤ 50 ms",
        format!("{} ({} items)", ms(session.to_first), session.first_items),
        Some(session.to_first <= millis(50.0) && (session.first_items > 0 || !items_wanted)),
    )
}

/// Completion p50 and p99 against targets in milliseconds.
pub fn completion_rows(what: Label, figures: &Requests, (p50, p99): (f64, f64)) -> [Row; 2] {
    [
        duration_row(
            &what("`@`/key completion p50"),
            percentile(&figures.completion, 50.0),
            p50,
        ),
        duration_row(
            &what("`@`/key completion p99"),
            percentile(&figures.completion, 99.0),
            p99,
        ),
    ]
}

/// The largest completion reply: at most 100 items and 64 KB, and
/// `isIncomplete` when `incomplete_wanted`.
pub fn reply_row(what: Label, largest: &Largest, incomplete_wanted: bool) -> Row {
    let target = if incomplete_wanted {
        "≤ 100 items, ≤ 64 KB, `isIncomplete`"
    } else {
        "≤ 100 items, ≤ 64 KB"
    };
    row(
        &what("largest completion reply"),
        target,
        format!(
            "{} items, {} (`{}`, isIncomplete {})",
            largest.items,
            bytes(largest.bytes),
            largest.query,
            largest.incomplete
        ),
        Some(
            largest.items <= 100
                && largest.bytes <= 64 * 1024
                && (largest.incomplete || !incomplete_wanted),
        ),
    )
}

/// Hover p99 (with p50) against a target in milliseconds.
pub fn hover_row(what: &str, hovers: &[Duration], target: f64) -> Row {
    let p99 = percentile(hovers, 99.0);
    row(
        what,
        &format!("≤ {target} ms"),
        format!("{} (p50 {})", ms(p99), ms(percentile(hovers, 50.0))),
        Some(p99 <= millis(target)),
    )
}

/// Peak memory against a target in MB (`None`: no target).
/// The RSS of a server started and answering, before the timed requests.
pub fn started_memory_row(what: Label, now: u64, target_mb: f64) -> Row {
    row(
        &what("RSS once started (banks indexed, first completion answered)"),
        &format!("≤ {target_mb} MB"),
        mib(now),
        Some(now as f64 <= target_mb * MIB),
    )
}

pub fn memory_row(what: Label, peak: u64, target_mb: Option<f64>) -> Row {
    match target_mb {
        Some(target) => row(
            &what("peak memory (RSS)"),
            &format!("≤ {target} MB"),
            mib(peak),
            Some(peak as f64 <= target * MIB),
        ),
        None => row(&what("peak memory (RSS)"), "—", mib(peak), None),
    }
}

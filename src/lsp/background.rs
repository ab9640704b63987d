//! Work no request waits for — loading banks, scanning notes, the
//! near-duplicate analysis, summarizing a checked note, freeing large
//! structures — runs on threads of its own at a lower scheduling priority.
//! On two cores, a 2-second analysis at normal priority took turns with the
//! async threads, and a keystroke typed meanwhile waited up to 12 ms for a
//! core; at a lower priority the kernel hands the core to the keystroke at
//! once. Requests, checks and an open bank's rebuild (each with a latency
//! target in README "Speed") run on tokio's blocking threads at normal
//! priority.

use std::fmt;

use tokio::sync::oneshot;

use crate::lsp::log;

/// How much lower than the server's own threads background work runs
/// (`nice`: 0 is normal, 19 the lowest).
const BACKGROUND_NICENESS: i32 = 10;

/// A background thread that could not be started or stopped before it
/// answered (it panicked).
#[derive(Debug)]
pub struct Stopped;

impl fmt::Display for Stopped {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("the background thread stopped before it finished")
    }
}

/// Runs `work` on a new thread of lower priority; the answer comes back
/// through the returned future.
pub fn background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Result<T, Stopped>> {
    let (answer, answered) = oneshot::channel();
    detached(name, move || {
        let _ = answer.send(work());
    });
    async move { answered.await.map_err(|_| Stopped) }
}

/// Runs `work` on a new thread of lower priority, waited for by no one.
pub fn detached(name: &str, work: impl FnOnce() + Send + 'static) {
    let started = std::thread::Builder::new()
        .name(format!("qbank {name}"))
        .spawn(move || {
            lower_priority();
            work();
        });
    if let Err(error) = started {
        log(&format!("cannot start a thread for {name}: {error}"));
    }
}

/// Lowers the calling thread's priority (on Linux, `setpriority` with 0
/// names the calling thread, not the process).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority changes only this thread's scheduling priority.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICENESS);
    }
}

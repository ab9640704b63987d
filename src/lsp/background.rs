//! Work no request waits for — loading banks, scanning notes, the
//! near-duplicate analysis, summarizing a checked note, freeing large
//! structures — runs on threads of its own at a lower scheduling priority.
//! On two cores, a 2-second analysis at normal priority took turns with the
//! async threads, and a keystroke typed meanwhile waited up to 12 ms for a
//! core; at a lower priority the kernel hands the core to the keystroke at
//! once. Requests, checks and an open bank's rebuild (each with a latency
//! target in README "Speed") run on tokio's blocking threads at normal
//! priority.
//!
//! The notes scan and the near-duplicate analysis go further down, to the
//! idle class (Linux's `SCHED_IDLE`): a niceness of 10 still let the
//! scan's threads finish their time slice before a completion's thread got
//! the core (p99 11–13 ms while 100,000 notes were read; 6–8 ms in the idle
//! class). The price: on a machine whose every core is busy with other
//! work, they wait for it. Loading banks stays at the lower priority, as
//! the first completion waits for it.

use std::fmt;

use tokio::sync::oneshot;

use crate::lsp::log;

/// How much lower than the server's own threads background work runs
/// (`nice`: 0 is normal, 19 the lowest).
const BACKGROUND_NICENESS: i32 = 10;

/// How a background thread is scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Below the server's own threads (`BACKGROUND_NICENESS`).
    Lower,
    /// Only when a core has nothing else to run.
    Idle,
}

/// A background thread that could not be started or stopped before it
/// answered (it panicked).
#[derive(Debug)]
pub struct Stopped;

impl fmt::Display for Stopped {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("the background thread stopped before it finished")
    }
}

/// Runs `work` on a new thread of `priority`; the answer comes back
/// through the returned future.
pub fn background<T: Send + 'static>(
    name: &str,
    priority: Priority,
    work: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = Result<T, Stopped>> {
    let (answer, answered) = oneshot::channel();
    detached(name, priority, move || {
        let _ = answer.send(work());
    });
    async move { answered.await.map_err(|_| Stopped) }
}

/// Runs `work` on a new thread of `priority`, waited for by no one. The
/// threads it starts have the same priority.
pub fn detached(name: &str, priority: Priority, work: impl FnOnce() + Send + 'static) {
    let started = std::thread::Builder::new()
        .name(format!("qbank {name}"))
        .spawn(move || {
            lower_priority(priority);
            work();
        });
    if let Err(error) = started {
        log(&format!("cannot start a thread for {name}: {error}"));
    }
}

/// Lowers the calling thread's priority (on Linux, `setpriority` and
/// `sched_setscheduler` with 0 name the calling thread, not the process).
fn lower_priority(priority: Priority) {
    #[cfg(target_os = "linux")]
    // SAFETY: both change only this thread's scheduling.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICENESS);
        if priority == Priority::Idle {
            let idle = libc::sched_param { sched_priority: 0 };
            libc::sched_setscheduler(0, libc::SCHED_IDLE, &idle);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = priority;
}

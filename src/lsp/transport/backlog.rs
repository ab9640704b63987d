//! The output's backlog: the bytes queued for the client and not yet
//! written. A client that sends requests and reads no replies would
//! otherwise have the server queue every reply in memory (30,000
//! `qbank/documentText` requests held 835 MB); past `OUTPUT_BOUND` the
//! forwarder takes no more of tower-lsp-server's output and the stdin
//! filter reads no more input, so the client's writes block instead, until
//! it reads again.
//!
//! Counted: every chunk waiting for the writer thread (tower-lsp's frames,
//! our headers) and every body in the outbox's channel; each is counted
//! once, when it is queued, and let go once written.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// The unwritten output past which input stops being read: well above a
/// busy editor's (a 10 MB note's diagnostics are about 6 MB, a 30 MB
/// bank's `qbank/documentText` one 30 MB reply), well below what hurts.
pub const OUTPUT_BOUND: usize = 32 << 20;

/// Shared by the outbox, the forwarder, the writer thread and the stdin
/// filter.
#[derive(Debug, Clone, Default)]
pub struct Backlog(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    bytes: AtomicUsize,
    /// Woken when the backlog falls to the bound or the writer stops.
    drained: Notify,
    /// Set once the writer stopped: nothing will drain any more, so
    /// nothing should wait for it.
    closed: AtomicBool,
}

impl Backlog {
    /// Counts bytes just queued for the writer.
    pub fn queued(&self, bytes: usize) {
        self.0.bytes.fetch_add(bytes, Ordering::AcqRel);
    }

    /// Lets go of bytes the writer wrote, waking the waiters when the
    /// backlog falls to the bound.
    pub fn written(&self, bytes: usize) {
        let before = self.0.bytes.fetch_sub(bytes, Ordering::AcqRel);
        if before > OUTPUT_BOUND && before - bytes <= OUTPUT_BOUND {
            self.0.drained.notify_waiters();
        }
    }

    /// Says the writer stopped (the output closed or failed): waiting for
    /// it to drain would wait forever.
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::Release);
        self.0.drained.notify_waiters();
    }

    /// Whether more output waits than the bound allows.
    pub fn is_over(&self) -> bool {
        !self.0.closed.load(Ordering::Acquire)
            && self.0.bytes.load(Ordering::Acquire) > OUTPUT_BOUND
    }

    /// Returns once the backlog is within the bound (at once when it is).
    pub async fn within_bound(&self) {
        loop {
            // Registered before the check, so a wake between the two is
            // not lost.
            let mut drained = pin!(self.0.drained.notified());
            drained.as_mut().enable();
            if !self.is_over() {
                return;
            }
            drained.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_wait_ends_when_the_writer_catches_up() {
        let backlog = Backlog::default();
        backlog.queued(OUTPUT_BOUND + 10);
        assert!(backlog.is_over());
        let waiter = tokio::spawn({
            let backlog = backlog.clone();
            async move { backlog.within_bound().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        backlog.written(10);
        tokio::time::timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the wait ended")
            .unwrap();
    }

    #[tokio::test]
    async fn a_closed_backlog_never_holds_anyone() {
        let backlog = Backlog::default();
        backlog.queued(OUTPUT_BOUND * 2);
        backlog.close();
        assert!(!backlog.is_over());
        tokio::time::timeout(Duration::from_secs(10), backlog.within_bound())
            .await
            .expect("no wait");
    }
}

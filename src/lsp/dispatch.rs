//! The one place where a request meets the state, in the shape of
//! rust-analyzer's `handlers/dispatch.rs` and texlab's `run_query`: wait
//! for the loads the request must see, take a snapshot under the lock
//! (clones only), then on a blocking thread, inside the panic guard, parse
//! the document if it changed since its last parse, run the handler and
//! convert its answer. A panic becomes one internal-error reply and the
//! server goes on; a request handler is a plain function of a snapshot.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::Uri;

use crate::lsp::document::Encoding;
use crate::lsp::log;
use crate::lsp::server::Backend;
use crate::lsp::state::{Garbage, PendingSnapshot, Snapshot, Workspaces};

/// Runs a synchronous piece of a handler, turning a panic into an
/// internal-error reply.
pub fn guard<T>(method: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            log(&format!("{method} panicked: {message}"));
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("qbank: {method} failed: {message}").into(),
                data: None,
            })
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| message.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs a notification's synchronous work; a panic is logged.
pub fn guard_notification(method: &str, work: impl FnOnce()) {
    let _ = guard(method, || {
        work();
        Ok(())
    });
}

/// Runs `work` on a blocking thread inside the panic guard.
pub async fn off_async<T: Send + 'static>(
    method: &'static str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(move || guard(method, work)).await {
        Ok(result) => result,
        Err(error) => {
            log(&format!("{method} stopped: {error}"));
            Err(Error::internal_error())
        }
    }
}

impl Backend {
    /// Answers a request about one document: `None` when it is not open.
    pub(super) async fn on_document<R: Send + 'static>(
        &self,
        method: &'static str,
        uri: &Uri,
        handler: impl FnOnce(&Snapshot) -> Result<Option<R>> + Send + 'static,
    ) -> Result<Option<R>> {
        let Some(pending) = self.begin_snapshot(uri).await else {
            return Ok(None);
        };
        let backend = self.clone();
        off_async(method, move || {
            let (snapshot, garbage) = backend.complete_snapshot(pending);
            let answer = handler(&snapshot);
            drop(garbage);
            answer
        })
        .await
    }

    /// Answers a request about every root's workspace.
    pub(super) async fn on_workspaces<R: Send + 'static>(
        &self,
        method: &'static str,
        handler: impl FnOnce(&Workspaces, Encoding) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.wait_for_loads().await;
        let (workspaces, encoding) = {
            let state = self.lock();
            (state.all_workspaces(), state.encoding())
        };
        off_async(method, move || handler(&workspaces, encoding)).await
    }

    /// The cheap part of a snapshot, after the loads it must see.
    pub(super) async fn begin_snapshot(&self, uri: &Uri) -> Option<PendingSnapshot> {
        self.wait_for_loads().await;
        self.lock().begin_snapshot(uri)
    }

    /// Completes a snapshot off the async threads: parses the document
    /// again when its parse is of an earlier version and keeps the new
    /// parse. Returns, with it, what earlier changes left stale: a caller
    /// that parses pays for freeing it (never a keystroke), when it suits it.
    pub(super) fn complete_snapshot(&self, pending: PendingSnapshot) -> (Snapshot, Garbage) {
        let PendingSnapshot {
            mut snapshot,
            reparse,
        } = pending;
        let Some(reparse) = reparse else {
            return (snapshot, Garbage::new());
        };
        let same_text = snapshot
            .indexed_bank_text()
            .filter(|text| rope_reads(&snapshot.rope, text));
        snapshot.parsed = reparse.parse(
            &snapshot.rope,
            snapshot.version,
            &snapshot.parsed,
            same_text,
        );
        let mut state = self.lock();
        state.store_parse(&snapshot.uri, snapshot.parsed.clone());
        (snapshot, state.take_garbage())
    }
}

/// Whether a rope holds exactly `text`.
pub fn rope_reads(rope: &ropey::Rope, text: &str) -> bool {
    rope.len_bytes() == text.len() && *rope == text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<()> = guard("test", || panic!("boom"));
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("boom"), "{}", error.message);
        assert_eq!(guard("test", || Ok(7)).unwrap(), 7);
    }
}

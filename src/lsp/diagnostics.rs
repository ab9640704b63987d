//! Diagnostics, pushed: a changed document is checked after a short pause
//! in typing, off the request path. Parsing, checking and encoding run on a
//! background thread; a change during the check cuts it off. The notification
//! is serialized straight into its body and queued on the outbox under the
//! lock, only if the document is still at the generation checked. Then the
//! checked note's summary goes into its workspace's notes index.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{Diagnostic, PublishDiagnosticsParams, Uri};

use crate::core::check::{CheckSettings, FolderNotes, Siblings, check_note_with};
use crate::core::config::{CONFIG_FILE, Config, ConfigProblem, Fallback, read_config};
use crate::core::diagnostic::Diagnostic as CoreDiagnostic;
use crate::core::ide::notes::{NoteSummary, summarize_parsed};
use crate::lsp::background::{Priority, background, detached};
use crate::lsp::convert;
use crate::lsp::dispatch::guard;
use crate::lsp::log;
use crate::lsp::server::Backend;
use crate::lsp::state::Snapshot;
use crate::lsp::transport::outbox::Outbox;

/// How long typing must pause before a changed document is checked.
pub const DIAGNOSTICS_DELAY: Duration = Duration::from_millis(200);

/// From this size on, a text's line index is built beside its check: the
/// 10 MB note's diagnostics target (≤ 50 ms) needs both at once.
const LONG_TEXT_BYTES: usize = 1 << 20;

const PUBLISH_DIAGNOSTICS: &str = "textDocument/publishDiagnostics";

impl Backend {
    /// Checks a document after `delay`, unless it changes meanwhile, and
    /// publishes its diagnostics; then, for a note, puts its summary into
    /// the workspace's notes index.
    pub(super) fn schedule_diagnostics(&self, uri: Uri, delay: Duration) {
        let Some(generation) = self.lock().generation(&uri) else {
            return;
        };
        let backend = self.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            {
                let state = backend.lock();
                // An open bank is checked once its index is rebuilt (the
                // rebuild rechecks every document): a check now would parse
                // the 30 MB text a second time beside the rebuild.
                if !state.is_current(&uri, generation) || state.bank_rebuild_pending(&uri) {
                    return;
                }
            }
            let Some(pending) = backend.begin_snapshot(&uri).await else {
                return;
            };
            let checker = backend.clone();
            // At normal priority: the user waits for these (≤ 50 ms after
            // the pause for a 10 MB note).
            let checked = tokio::task::spawn_blocking(move || {
                guard("diagnostics", || {
                    let (snapshot, garbage) = checker.complete_snapshot(pending);
                    // While the folder's banks are read, its keys would all
                    // be unknown: the load rechecks every document.
                    if snapshot.workspace.banks_loading {
                        return Ok(None);
                    }
                    // A bank's problems are ranges in the text its index was
                    // built from: they wait for the index of this text.
                    if snapshot.is_bank() && !bank_is_indexed(&snapshot) {
                        return Ok(None);
                    }
                    // The line index beside the check: the 10 MB note's target.
                    let found = std::thread::scope(|scope| {
                        if snapshot.parsed.text.len() >= LONG_TEXT_BYTES {
                            scope.spawn(|| snapshot.parsed.lines());
                        }
                        compute_diagnostics(&snapshot)
                    });
                    if !checker.lock().is_current(&snapshot.uri, generation) {
                        return Ok(None);
                    }
                    match encode_diagnostics(&snapshot, &found) {
                        // Freed once the diagnostics are out: the 10 MB
                        // note's target counts until they are.
                        Ok(body) => Ok(Some((body, snapshot, (found, garbage)))),
                        Err(error) => {
                            log(&format!("cannot encode diagnostics: {error}"));
                            Err(Error::internal_error())
                        }
                    }
                })
            })
            .await;
            let Ok(Ok(Some((body, snapshot, garbage)))) = checked else {
                return;
            };
            // Checked and queued under the lock: a `didClose` cannot slip
            // its empty publication in between.
            {
                let state = backend.lock();
                if state.is_current(&uri, generation) {
                    backend.outbox.send(body);
                }
            }
            // Freeing a 10 MB note's parse takes milliseconds: not on an
            // async thread, where the next keystroke would wait (≤ 1 ms).
            // A plain free: giving pages back walks the heap under malloc's
            // lock, and the keystrokes typed meanwhile would wait for it.
            detached("freeing", Priority::Lower, move || drop(garbage));
            backend.index_buffer(&uri, snapshot, generation).await;
        });
    }

    /// Rechecks every open document (after a bank or the settings changed).
    pub(super) fn schedule_all(&self, delay: Duration) {
        let uris = self.lock().documents_in_order();
        for uri in uris {
            self.schedule_diagnostics(uri, delay);
        }
    }

    /// Publishes diagnostics through the outbox, like every publication
    /// of ours, so they keep the order they were sent in.
    pub(super) fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        match Outbox::encode(PUBLISH_DIAGNOSTICS, &params) {
            Ok(body) => self.outbox.send(body),
            Err(error) => log(&format!("cannot encode diagnostics: {error}")),
        }
    }

    /// Puts a checked note's summary into its workspace's notes index,
    /// unless the note changed since.
    pub(super) async fn index_buffer(&self, uri: &Uri, snapshot: Snapshot, generation: u64) {
        let Some(root) = snapshot.root else {
            return;
        };
        // Summarizing a 10 MB note takes milliseconds: off the async threads.
        let summary = background("notes index", Priority::Lower, move || {
            guard("diagnostics", || Ok(buffer_summary(&snapshot)))
        })
        .await;
        let Ok(Ok(Some(summary))) = summary else {
            return;
        };
        let mut state = self.lock();
        if state.is_current(uri, generation) {
            state.set_note(root, summary);
        }
    }
}

/// A note's summary from its buffer, for the notes index: only for a
/// markdown note inside a workspace folder (not a bank, not a
/// configuration file).
fn buffer_summary(snapshot: &Snapshot) -> Option<NoteSummary> {
    let path = snapshot.path.as_ref()?;
    let name = snapshot.name.as_ref()?;
    if snapshot.is_bank() || path.extension().is_none_or(|extension| extension != "md") {
        return None;
    }
    let workspace = &snapshot.workspace;
    Some(summarize_parsed(
        &workspace.index,
        &workspace.overrides,
        &mut workspace.caches().scaffolding,
        name,
        &snapshot.parsed.text,
        // The check built the line index already.
        Some(snapshot.parsed.lines()),
        &snapshot.parsed.note,
    ))
}

/// The diagnostics of a document: a configuration file's, a bank's
/// problems, or a note's checks.
fn compute_diagnostics(snapshot: &Snapshot) -> Vec<CoreDiagnostic> {
    let is_config = snapshot
        .path
        .as_ref()
        .is_some_and(|path| path.file_name().is_some_and(|name| name == CONFIG_FILE));
    if is_config {
        config_diagnostics(&snapshot.parsed.text, &snapshot.workspace.file_config)
    } else if snapshot.is_bank() {
        match snapshot.bank_position() {
            Some(position) => snapshot.workspace.index.bank_diagnostics(position),
            None => Vec::new(),
        }
    } else {
        note_diagnostics(snapshot)
    }
}

/// An open `.qbank.toml`'s problems, as a load reports them: a bad key
/// keeps the value in use.
fn config_diagnostics(text: &str, in_use: &Config) -> Vec<CoreDiagnostic> {
    read_config(text, Fallback::keeping(Some(in_use)))
        .problems
        .iter()
        .map(ConfigProblem::diagnostic)
        .collect()
}

fn note_diagnostics(snapshot: &Snapshot) -> Vec<CoreDiagnostic> {
    let workspace = &snapshot.workspace;
    let folder = snapshot
        .name
        .as_deref()
        .map(|name| (FolderNotes::new(snapshot.notes.siblings_of(name)), name));
    let siblings = folder
        .as_ref()
        .map_or(Siblings::NONE, |(folder, name)| folder.siblings_of(name));
    let document = snapshot.document();
    check_note_with(
        &workspace.index,
        document.text,
        document.note,
        siblings,
        CheckSettings::new(
            &workspace.overrides,
            &workspace.config,
            crate::clock::today_or_clock(log),
        ),
        &mut workspace.caches(),
    )
}

/// Whether the bank document's text is the text its served index holds.
fn bank_is_indexed(snapshot: &Snapshot) -> bool {
    snapshot.bank_position().is_some_and(|position| {
        let indexed = &snapshot.workspace.index.banks()[position].text;
        Arc::ptr_eq(indexed, &snapshot.parsed.text) || *indexed == snapshot.parsed.text
    })
}

/// A document's diagnostics as one `textDocument/publishDiagnostics` body.
fn encode_diagnostics(
    snapshot: &Snapshot,
    found: &[CoreDiagnostic],
) -> serde_json::Result<Vec<u8>> {
    let document = convert::DiagnosedText {
        uri: &snapshot.uri,
        version: Some(snapshot.version),
        text: &snapshot.parsed.text,
        lines: snapshot.parsed.lines(),
        encoding: snapshot.encoding,
    };
    let resolve = |name: &str, range| {
        snapshot
            .banks
            .location_by_name(&snapshot.workspace, name, range, snapshot.encoding)
    };
    convert::publish_diagnostics_body(&document, found, &resolve)
}

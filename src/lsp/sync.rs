//! Document synchronization and configuration: `didOpen`, `didChange`,
//! `didSave`, `didClose` and `didChangeConfiguration`. Every state change
//! is made before the handler's first `.await`, so changes keep their
//! arrival order; a keystroke only edits the rope and logs the edit.
//! What follows (diagnostics, a bank's live index, reloading roots) is
//! scheduled, never done in the handler.

use std::time::Duration;

use tower_lsp_server::ls_types::{
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Uri,
};

use crate::core::config::CONFIG_FILE;
use crate::lsp::diagnostics::DIAGNOSTICS_DELAY;
use crate::lsp::dispatch::guard_notification;
use crate::lsp::loading::settings_from_json;
use crate::lsp::log;
use crate::lsp::server::Backend;
use crate::lsp::state::{Changed, Refused};

/// A document's path, canonical, for a `file:` URI.
fn canonical_path(uri: &Uri) -> Option<std::path::PathBuf> {
    crate::lsp::convert::file_path(uri)
}

fn is_config(uri: &Uri) -> bool {
    uri.to_file_path()
        .is_some_and(|path| path.file_name().is_some_and(|name| name == CONFIG_FILE))
}

impl Backend {
    pub(super) fn opened(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let path = canonical_path(&document.uri);
        let mut bank_root = None;
        guard_notification("textDocument/didOpen", || {
            bank_root =
                self.lock()
                    .open(document.uri.clone(), path, &document.text, document.version);
        });
        match bank_root {
            // The rebuild pass that indexes the buffer rechecks every
            // open document when it ends.
            Some(root) => self.bank_opened(root),
            None => self.schedule_diagnostics(document.uri, Duration::ZERO),
        }
    }

    pub(super) fn changed(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let mut outcome = None;
        guard_notification("textDocument/didChange", || {
            let changed = self
                .lock()
                .change(&uri, version, &params.content_changes, |error| {
                    log(&format!("didChange for {}: {error}; clamped", uri.as_str()))
                });
            match changed {
                Ok(changed) => outcome = Some(changed),
                Err(Refused::NotOpen) => log(&format!(
                    "didChange for {} which is not open; ignored",
                    uri.as_str()
                )),
                Err(Refused::OldVersion { current }) => log(&format!(
                    "didChange for {} with version {version} after {current}; ignored",
                    uri.as_str()
                )),
            }
        });
        match outcome {
            // The bank and the other documents are rechecked once the live
            // index of the buffer is in: nothing to schedule per keystroke.
            Some(Changed::Bank(root)) => self.bank_changed(root, DIAGNOSTICS_DELAY),
            Some(Changed::Note) => self.schedule_diagnostics(uri, DIAGNOSTICS_DELAY),
            None => {}
        }
    }

    pub(super) fn saved(&self, params: DidSaveTextDocumentParams) {
        if is_config(&params.text_document.uri) {
            self.reload(None, |backend| {
                backend.schedule_all(Duration::ZERO);
                backend.spawn_indexing();
            });
        }
    }

    pub(super) fn closed(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut closed = None;
        guard_notification("textDocument/didClose", || {
            let mut state = self.lock();
            closed = state.close(&uri);
            // Queued under the lock that closed it: no check of the open
            // document can publish after this.
            self.publish(uri.clone(), Vec::new(), None);
        });
        match closed {
            // The bank's buffer leaves: its file on disk comes back.
            Some((_, Some(root))) => self.reload(Some(root), |backend| {
                backend.schedule_all(DIAGNOSTICS_DELAY)
            }),
            // The note's buffer leaves the index: the file on disk comes back.
            Some((Some(path), None)) => guard_notification("textDocument/didClose", || {
                if let Some(problem) = self.reindex_note_file(&path) {
                    log(&problem.message);
                }
            }),
            _ => {}
        }
    }

    pub(super) fn configuration_changed(&self, params: DidChangeConfigurationParams) {
        let Some(settings) = settings_from_json(&params.settings) else {
            return;
        };
        // Planned before any `.await`: requests after it wait for the load
        // and see the new settings.
        self.lock().set_settings(settings);
        self.reload(None, |backend| {
            backend.schedule_all(Duration::ZERO);
            backend.spawn_indexing();
        });
    }
}

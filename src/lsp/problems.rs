//! What a root could not load, shown where the user looks: an invalid or
//! refused `.qbank.toml`, a bank or template that was not read (a FIFO, a
//! device, a file over its bound, a link out of the workspace) each get one
//! diagnostic on the file itself, published after every load and cleared
//! when the file loads again. An open file gets its diagnostics from its
//! buffer instead; a path that does not exist has nowhere to carry one and
//! is only logged.

use std::collections::HashSet;
use std::path::PathBuf;

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Uri};

use crate::core::config::CONFIG_FILE;
use crate::core::diagnostic::codes;
use crate::core::line_index::LineIndex;
use crate::files::{self, FileRole, Reach};
use crate::lsp::document::{self, Encoding};
use crate::lsp::server::Backend;
use crate::workspace::LoadProblem;

impl Backend {
    /// Publishes every root's load problems, and clears the files whose
    /// problems are gone.
    pub(super) async fn publish_load_problems(&self) {
        let (workspaces, encoding) = {
            let state = self.lock();
            (state.all_workspaces(), state.encoding())
        };
        let mut published: Vec<(PathBuf, Diagnostic)> = Vec::new();
        for (served, _) in &workspaces {
            for problem in &served.workspace.problems {
                let exists = std::fs::symlink_metadata(&problem.path).is_ok();
                if exists && !published.iter().any(|(path, _)| *path == problem.path) {
                    published.push((problem.path.clone(), load_diagnostic(problem, encoding)));
                }
            }
        }
        let paths: HashSet<PathBuf> = published.iter().map(|(path, _)| path.clone()).collect();
        let cleared = self.lock().replace_load_flags(paths);
        let outcomes = published
            .into_iter()
            .map(|(path, diagnostic)| (path, vec![diagnostic]))
            .chain(cleared.into_iter().map(|path| (path, Vec::new())));
        for (path, diagnostics) in outcomes {
            // An open file's diagnostics come from its buffer.
            if self.lock().is_open_path(&path) {
                continue;
            }
            if let Some(uri) = Uri::from_file_path(&path) {
                self.publish(uri, diagnostics, None);
            }
        }
    }
}

fn load_diagnostic(problem: &LoadProblem, encoding: Encoding) -> Diagnostic {
    let is_config = problem
        .path
        .file_name()
        .is_some_and(|name| name == CONFIG_FILE);
    let (code, message, range) = if is_config {
        // The file as it was read, within the bound (the range points into it).
        let text =
            files::read_text(&problem.path, FileRole::Config, Reach::Anywhere).unwrap_or_default();
        let range = document::text_range(
            &text,
            &LineIndex::new(&text),
            problem.range.clone(),
            encoding,
        );
        let message = format!(
            "{}; until it is fixed, the last valid configuration (or the defaults) is used",
            problem.message
        );
        (codes::CONFIG_INVALID, message, range)
    } else {
        let message = format!("{}; left out of the workspace", problem.message);
        (codes::UNREADABLE_FILE, message, Default::default())
    };
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some("qbank".to_string()),
        message,
        ..Diagnostic::default()
    }
}

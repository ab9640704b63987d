//! What a root could not load, shown where the user looks: each bad key of
//! `.qbank.toml` gets a diagnostic at its key or value (the core's
//! `ConfigProblem`, the same the command line prints); a refused
//! `.qbank.toml`, a bank or template that was not read (a FIFO, a device, a
//! file over its bound, a link out of the workspace) gets one diagnostic on
//! the file itself. They are published after every load and cleared when
//! the file loads again. An open file gets its diagnostics from its
//! buffer instead; a path that does not exist has nowhere to carry one and
//! is only logged.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Diagnostic, NumberOrString, Range, Uri};

use crate::core::config::CONFIG_FILE;
use crate::core::diagnostic::{Severity, codes};
use crate::core::line_index::LineIndex;
use crate::files::{self, FileRole, Reach};
use crate::lsp::convert;
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
        let mut published: Vec<(PathBuf, Vec<Diagnostic>)> = Vec::new();
        for (served, _) in &workspaces {
            // A file two roots share carries the first root's problems.
            let already: HashSet<PathBuf> =
                published.iter().map(|(path, _)| path.clone()).collect();
            for (path, problems) in by_file(&served.workspace.problems) {
                if !already.contains(&path) && std::fs::symlink_metadata(&path).is_ok() {
                    let diagnostics = load_diagnostics(&path, &problems, encoding);
                    published.push((path, diagnostics));
                }
            }
        }
        let paths: HashSet<PathBuf> = published.iter().map(|(path, _)| path.clone()).collect();
        let cleared = self.lock().replace_load_flags(paths);
        let outcomes = published
            .into_iter()
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

/// Problems grouped by file, files in the order they first come.
fn by_file(problems: &[LoadProblem]) -> Vec<(PathBuf, Vec<&LoadProblem>)> {
    let mut files: Vec<(PathBuf, Vec<&LoadProblem>)> = Vec::new();
    for problem in problems {
        match files.iter_mut().find(|(path, _)| *path == problem.path) {
            Some((_, found)) => found.push(problem),
            None => files.push((problem.path.clone(), vec![problem])),
        }
    }
    files
}

/// One file's problems as diagnostics: each bad key of `.qbank.toml` at
/// its range, as the core reports it; anything else at the file's start.
fn load_diagnostics(path: &Path, problems: &[&LoadProblem], encoding: Encoding) -> Vec<Diagnostic> {
    let in_config = problems.iter().any(|problem| problem.config.is_some());
    // The file as it was read, within the bound (the ranges point into it).
    let text = if in_config {
        files::read_text(path, FileRole::Config, Reach::Anywhere).unwrap_or_default()
    } else {
        String::new()
    };
    let lines = LineIndex::new(&text);
    problems
        .iter()
        .map(|problem| match &problem.config {
            Some(found) => {
                let range = document::text_range(&text, &lines, found.range.clone(), encoding);
                protocol_diagnostic(range, found.severity, found.code, found.message.clone())
            }
            None => unread_diagnostic(problem),
        })
        .collect()
}

/// A file that was not read: a refused `.qbank.toml` keeps the
/// configuration's code, other files are left out of the workspace.
fn unread_diagnostic(problem: &LoadProblem) -> Diagnostic {
    let is_config = problem
        .path
        .file_name()
        .is_some_and(|name| name == CONFIG_FILE);
    let (code, message) = if is_config {
        let message = format!(
            "{}; until it is fixed, the last valid configuration (or the defaults) is used",
            problem.message
        );
        (codes::CONFIG_INVALID, message)
    } else {
        let message = format!("{}; left out of the workspace", problem.message);
        (codes::UNREADABLE_FILE, message)
    };
    protocol_diagnostic(Default::default(), Severity::Error, code, message)
}

fn protocol_diagnostic(
    range: Range,
    severity: Severity,
    code: &str,
    message: String,
) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(convert::severity(severity)),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some("qbank".to_string()),
        message,
        ..Diagnostic::default()
    }
}

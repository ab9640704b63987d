//! `qbank check`: every note and bank named (or the whole workspace)
//! checked on every core, each folder's notes read once for
//! `asked-before`, and printed as `path:line:col: severity[code]: message`
//! lines or one JSON document; the exit code says whether an error was
//! found or a named file could not be read.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::core::check::{CheckCaches, CheckSettings, FolderNotes, check_note_with};
use crate::core::diagnostic::Severity;
use crate::core::line_index::LineIndex;
use crate::core::note::parse_note;
use crate::files::{self, FileRole, ReadError, escape_controls};
use crate::workspace::{self, LoadProblem, Workspace, folder_notes};

use super::args::Format;
use super::output::{self, FileReport, print_diagnostic, write_json};
use super::{Target, expand_paths, failure_if, warn};

pub fn check(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let targets = expand_paths(workspace, paths, true)?;
    let today = crate::clock::today().map_err(anyhow::Error::msg)?;
    let settings = CheckSettings::new(&workspace.overrides, &workspace.config, today);
    let mut reports: Vec<FileReport> = Vec::new();
    // Each folder's notes are read once, however many of them are checked.
    let mut folders: HashMap<PathBuf, FolderNotes> = HashMap::new();
    for target in &targets {
        let folder = folder_of(&target.path);
        if workspace.bank_position(&target.path).is_none() && !folders.contains_key(&folder) {
            let notes = folder_notes(workspace, &folder);
            folders.insert(folder, notes);
        }
    }
    let checked = crate::core::parallel::on_every_core(&targets, |chunk| {
        // Each question's scaffolding is worked out once per thread.
        let mut caches = CheckCaches::default();
        chunk
            .iter()
            .map(|target| check_file(workspace, target, &folders, settings, &mut caches))
            .collect()
    });
    let mut unread_named = false;
    for (target, result) in targets.iter().zip(checked) {
        match result {
            Ok((text, diagnostics)) => reports.push(FileReport {
                path: shown_name(workspace, &target.path, !paths.is_empty()),
                text,
                diagnostics,
            }),
            Err(error) => {
                warn(&error.to_string());
                unread_named |= target.named;
            }
        }
    }
    let has_errors = reports
        .iter()
        .flat_map(|report| &report.diagnostics)
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    match format {
        Format::Json => {
            let objects: Vec<_> = reports
                .iter()
                .flat_map(|report| {
                    let lines = LineIndex::new(&report.text);
                    report
                        .diagnostics
                        .iter()
                        .map(move |diagnostic| {
                            output::diagnostic_json(&report.path, &report.text, &lines, diagnostic)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            write_json(out, &objects)?;
        }
        Format::Text => {
            for report in &reports {
                let lines = LineIndex::new(&report.text);
                // A newline in a file name must not forge a line.
                let path = escape_controls(&report.path);
                for diagnostic in &report.diagnostics {
                    print_diagnostic(out, &path, &report.text, &lines, diagnostic)?;
                }
            }
            // The summary comes after the lines, on a terminal too.
            out.flush()?;
            let files = reports.len();
            let unread = targets.len() - files;
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} in {} file{}{}",
                output::count_summary(&reports),
                files,
                if files == 1 { "" } else { "s" },
                if unread > 0 {
                    format!(" ({unread} not read)")
                } else {
                    String::new()
                }
            );
        }
    }
    // What the workspace could not load fails the check as an error in a
    // note would; an unknown key of `.qbank.toml` is ignored, as a warning is.
    let workspace_errors = workspace.problems.iter().any(LoadProblem::is_error);
    let failed = has_errors || unread_named || workspace_errors;
    Ok(failure_if(failed))
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new("")).to_path_buf()
}

/// One file's text and diagnostics: a bank's from the index, a note's
/// from its text and the other notes of its folder.
fn check_file(
    workspace: &Workspace,
    target: &Target,
    folders: &HashMap<PathBuf, FolderNotes>,
    settings: CheckSettings<'_>,
    caches: &mut CheckCaches,
) -> Result<(String, Vec<crate::core::diagnostic::Diagnostic>), ReadError> {
    let path = &target.path;
    if let Some(position) = workspace.bank_position(path) {
        let text = workspace.index.banks()[position].text.to_string();
        return Ok((text, workspace.index.bank_diagnostics(position)));
    }
    let text = files::read_text(path, FileRole::Note, target.reach())?;
    let no_siblings = FolderNotes::default();
    let notes = folders.get(&folder_of(path)).unwrap_or(&no_siblings);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let diagnostics = check_note_with(
        &workspace.index,
        &text,
        &parse_note(&text),
        notes.siblings_of(&name),
        settings,
        caches,
    );
    Ok((text, diagnostics))
}

/// A path as the user named it when they named it, else relative to the root.
fn shown_name(workspace: &Workspace, file: &Path, named: bool) -> String {
    if named {
        file.display().to_string()
    } else {
        workspace::display_path(file, &workspace.root)
    }
}

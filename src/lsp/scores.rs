//! Overviews an editor shows beside the text: the command `qbank.scores`
//! (the interview scores of a candidate's folder, of the whole workspace,
//! or per question, as `qbank scores` prints them) and the request
//! `qbank/noteStatus` (a note's questions, answered and due, and whether
//! the workspace is still being indexed: a status bar's content).

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

use crate::core::ide::notes::{NoteSummary, Notes, section_summaries};
use crate::core::ide::review::{NoteStanding, note_standing};
use crate::core::scores::report::{candidates_report, questions_report};
use crate::core::scores::rollup::{NoteScores, by_candidate, by_question, note_scores};
use crate::lsp::capabilities::SCORES;
use crate::lsp::convert::file_path;
use crate::lsp::dispatch::off_async;
use crate::lsp::handlers::{DocumentTextParams, invalid_params};
use crate::lsp::server::Backend;
use crate::lsp::state::Workspaces;
use crate::notes::note_name;

/// `qbank.scores`: `uri`, a note or folder (none: every note), and
/// `byQuestion` for the calibration table.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoresArguments {
    uri: Option<Uri>,
    #[serde(default)]
    by_question: bool,
}

impl Backend {
    /// `qbank.scores` over the notes as they are now (open notes
    /// re-indexed first): `{ text }`.
    pub(super) async fn scores_now(&self, arguments: ScoresArguments) -> Result<Option<Value>> {
        let target = match &arguments.uri {
            Some(uri) => Some(file_path(uri).ok_or_else(|| {
                invalid_params(format!(
                    "{SCORES}: `uri` must be the file:// URI of a note or folder, not {}",
                    uri.as_str()
                ))
            })?),
            None => None,
        };
        self.refresh_open_notes(SCORES).await?;
        let per_question = arguments.by_question;
        self.on_workspaces(SCORES, move |workspaces, _| {
            let text = scores_text(workspaces, target.as_deref(), per_question);
            Ok(Some(json!({ "text": text })))
        })
        .await
    }

    /// The request `qbank/noteStatus` `{ uri }`: `{ questions, answered,
    /// due, indexing, notes }`. An open note is read as its buffer is
    /// now; another from the notes index; anything else has no questions.
    pub async fn note_status(&self, params: DocumentTextParams) -> Result<Option<Value>> {
        let uri = params.uri()?;
        let (indexing, notes) = self.lock().indexing();
        let standing = match self.begin_snapshot(&uri).await {
            Some(pending) => {
                let backend = self.clone();
                off_async("qbank/noteStatus", move || {
                    let (snapshot, garbage) = backend.complete_snapshot(pending);
                    drop(garbage);
                    let workspace = &snapshot.workspace;
                    let document = snapshot.document();
                    let sections = section_summaries(
                        &workspace.index,
                        &workspace.overrides,
                        &mut workspace.caches().scaffolding,
                        document.text,
                        document.note,
                    );
                    let today = crate::clock::today_or_clock(crate::lsp::log);
                    let name = document.name.unwrap_or_default();
                    Ok(note_standing(name, document.text, &sections, today))
                })
                .await?
            }
            None => {
                let path = file_path(&uri);
                self.on_workspaces("qbank/noteStatus", move |workspaces, _| {
                    Ok(path
                        .and_then(|path| indexed_standing(workspaces, &path))
                        .unwrap_or_default())
                })
                .await?
            }
        };
        Ok(Some(json!({
            "questions": standing.questions,
            "answered": standing.answered,
            "due": standing.due,
            "indexing": indexing,
            "notes": notes,
        })))
    }
}

/// What `qbank scores` prints for the notes at `target` (all without
/// one), each workspace's after the other's.
fn scores_text(workspaces: &Workspaces, target: Option<&Path>, per_question: bool) -> String {
    let mut reports = Vec::new();
    for (served, notes) in workspaces {
        let workspace = &served.workspace;
        let Some(read) = scores_under(notes, &workspace.root, target) else {
            continue;
        };
        let index = &workspace.index;
        let report = if per_question {
            questions_report(index, &by_question(&read))
        } else {
            candidates_report(&by_candidate(index, &read), &|name| name.to_string())
        };
        if !read.is_empty() {
            reports.push(report);
        }
    }
    if reports.is_empty() {
        return "no interview rubrics found: a rubric is a question section with a `**Score:**` line\n"
            .to_string();
    }
    reports.join("\n")
}

/// The rubrics of the notes of one workspace at `target` (a note, or a
/// folder with its subfolders); `None` when `target` lies outside it.
fn scores_under(notes: &Notes, root: &Path, target: Option<&Path>) -> Option<Vec<NoteScores>> {
    let name = match target {
        Some(path) if !path.starts_with(root) => return None,
        Some(path) => note_name(root, path),
        None => String::new(),
    };
    let read = |note: &NoteSummary| note_scores(&note.name, note.text());
    Some(match notes.get(&name) {
        Some(note) => read(note).into_iter().collect(),
        None => notes.under(&name).filter_map(read).collect(),
    })
}

/// The standing of an indexed note at `path`.
fn indexed_standing(workspaces: &Workspaces, path: &Path) -> Option<NoteStanding> {
    let today = crate::clock::today_or_clock(crate::lsp::log);
    workspaces.iter().find_map(|(served, notes)| {
        let root = &served.workspace.root;
        if !path.starts_with(root) {
            return None;
        }
        let note = notes.get(&note_name(root, path))?;
        Some(note_standing(
            &note.name,
            note.text(),
            note.sections(),
            today,
        ))
    })
}

//! The review commands. `qbank.review` with `{uri, version, key, rating}`
//! records a rating in the note's marker line for that question, through
//! `workspace/applyEdit`, refused with ContentModified when the document
//! has moved on since the version named. `qbank.nextDue` returns where the
//! next due question stands across the workspaces' notes (soonest due
//! first, open notes as they are now), or null when none is due, with the
//! range of its section so an editor can fold the answer before the
//! student recalls it.

use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

use crate::core::diagnostic::TextEdit;
use crate::core::ide::Place;
use crate::core::ide::review::due_sections;
use crate::core::key::Key;
use crate::core::note::is_answered;
use crate::core::review::{Rating, Scheduler, first_section_for, review_edit};
use crate::lsp::capabilities::NEXT_DUE;
use crate::lsp::dispatch::off_async;
use crate::lsp::document::Encoding;
use crate::lsp::handlers::{check_version, invalid_params};
use crate::lsp::log;
use crate::lsp::places::Places;
use crate::lsp::server::Backend;
use crate::lsp::state::{Snapshot, Workspaces};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewArguments {
    pub uri: Uri,
    /// Required: a rating is for the answer the student saw.
    version: i32,
    key: String,
    rating: String,
}

/// The edit that records the rating, built on the snapshot.
pub fn review_text_edit(snapshot: &Snapshot, arguments: &ReviewArguments) -> Result<TextEdit> {
    check_version(snapshot, Some(arguments.version))?;
    let rating = Rating::parse(&arguments.rating).ok_or_else(|| {
        invalid_params(format!(
            "unknown rating `{}`: again, hard, good or easy",
            arguments.rating
        ))
    })?;
    let key = Key::parse(arguments.key.trim())
        .ok_or_else(|| invalid_params(format!("`{}` is not a question key", arguments.key)))?;
    let document = snapshot.document();
    let section = first_section_for(document.note, &key)
        .ok_or_else(|| invalid_params(format!("no section for {key} in this note")))?;
    let context = snapshot.context();
    let answered = context.index.lookup(&key).is_none_or(|id| {
        let mut caches = snapshot.workspace.caches();
        let lines = caches.scaffolding.get(context.index, context.overrides, id);
        is_answered(document.text, &section, lines)
    });
    if !answered {
        return Err(invalid_params(format!(
            "{key} is not answered yet: write the answer, then rate how well you recalled it"
        )));
    }
    let scheduler = Scheduler::new(snapshot.workspace.config.desired_retention);
    let (edit, marker) = review_edit(
        document.text,
        document.note,
        &section,
        context.today,
        rating,
        &scheduler,
    )
    .map_err(invalid_params)?;
    log(&format!(
        "qbank.review: {key} rated {rating}, due {}",
        marker.due
    ));
    Ok(edit)
}

impl Backend {
    /// `qbank.nextDue` on the notes as they are now: an open note's entry
    /// in the notes index is refreshed first (it is otherwise refreshed
    /// after the diagnostics' pause, and a question just rated would come
    /// back as due).
    pub(super) async fn next_due_now(&self) -> Result<Option<Value>> {
        self.refresh_open_notes(NEXT_DUE).await?;
        self.on_workspaces(NEXT_DUE, next_due).await
    }

    /// Puts every open note's buffer, as it is now, into the notes index,
    /// for a command that reads the index (`qbank.nextDue`,
    /// `qbank.scores`).
    pub(super) async fn refresh_open_notes(&self, method: &'static str) -> Result<()> {
        let uris = self.lock().documents_in_order();
        for uri in uris {
            let Some(generation) = self.lock().generation(&uri) else {
                continue;
            };
            let Some(pending) = self.begin_snapshot(&uri).await else {
                continue;
            };
            let backend = self.clone();
            let snapshot = off_async(method, move || {
                let (snapshot, garbage) = backend.complete_snapshot(pending);
                drop(garbage);
                Ok(snapshot)
            })
            .await?;
            self.index_buffer(&uri, snapshot, generation).await;
        }
        Ok(())
    }
}

/// Where the next due question stands, or null.
fn next_due(workspaces: &Workspaces, encoding: Encoding) -> Result<Option<Value>> {
    let today = crate::clock::today_or_clock(log);
    let mut best: Option<(chrono::NaiveDate, Value)> = None;
    for (served, notes) in workspaces {
        let Some(due) = due_sections(notes.iter(), today).into_iter().next() else {
            continue;
        };
        if best.as_ref().is_some_and(|(date, _)| *date <= due.due) {
            continue;
        }
        let places = Places::for_workspace(&served.workspace, &served.banks, notes, encoding);
        let place = Place::Note(due.note.clone());
        let (Some(heading), Some(section)) = (
            places.location(&place, due.heading.clone()),
            places.location(&place, due.range.clone()),
        ) else {
            continue;
        };
        let index = &served.workspace.index;
        let question = index
            .lookup(&due.key)
            .map(|id| index.get(id).text().to_string());
        best = Some((
            due.due,
            json!({
                "uri": heading.uri,
                "range": heading.range,
                "section": section.range,
                "key": due.key.to_string(),
                "question": question,
                "due": due.due.to_string(),
                "overdueDays": due.overdue_days,
            }),
        ));
    }
    Ok(Some(best.map_or(Value::Null, |(_, found)| found)))
}

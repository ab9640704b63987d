//! `qbank due` and `qbank review`: the study loop in a terminal. `due`
//! lists the answered questions due for review, soonest first. `review`
//! runs a session: a due question, a pause to recall, the written answer,
//! a rating, and the note's marker line rewritten — the one place the
//! command line writes a note, atomically and only over the text it read
//! (`files::replace_text`); a note changed meanwhile is skipped, and said.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use serde::Serialize;

use crate::core::ide::notes::{NoteSummary, SectionSummary};
use crate::core::ide::review::{DueSection, due_in_parsed, due_sections, new_sections, sort_due};
use crate::core::index::Index;
use crate::core::key::Key;
use crate::core::note::{parse_note, parse_outline};
use crate::core::review::{
    Rating, Scheduler, first_section_for, is_marker_line, may_be_due, review_edit,
};
use crate::files::{self, FileRole, Reach, WriteRefusal, escape_controls};
use crate::workspace::Workspace;

use super::args::Format;
use super::output::write_json;
use super::{failure_if, load_summaries, note_files, warn};

/// One due question as `qbank due --format json` gives it.
#[derive(Serialize)]
struct DueJson {
    key: String,
    question: Option<String>,
    note: String,
    line: usize,
    due: String,
    overdue_days: i64,
}

fn today() -> Result<NaiveDate> {
    crate::clock::today().map_err(|problem| anyhow!(problem))
}

fn question_text(index: &Index, key: &Key) -> Option<String> {
    index.lookup(key).map(|id| index.get(id).text().to_string())
}

pub fn due(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let today = today()?;
    let files = note_files(workspace, paths)?;
    // Each note is read, judged and let go: only its due sections are kept.
    let (found, unread_named) = files.read(workspace, |name, text, caches| {
        if !may_be_due(text, today) {
            return Vec::new();
        }
        let note = parse_outline(text);
        let index = &workspace.index;
        due_in_parsed(
            index,
            &workspace.overrides,
            &mut caches.scaffolding,
            (name, text),
            &note,
            today,
        )
    });
    let mut due: Vec<DueSection> = found.into_iter().flatten().collect();
    sort_due(&mut due);
    let index = &workspace.index;
    match format {
        Format::Json => {
            let rows: Vec<DueJson> = due
                .iter()
                .map(|section| DueJson {
                    key: section.key.to_string(),
                    question: question_text(index, &section.key),
                    note: section.note.clone(),
                    line: section.line,
                    due: section.due.to_string(),
                    overdue_days: section.overdue_days,
                })
                .collect();
            write_json(out, &rows)?;
        }
        Format::Text => {
            for section in &due {
                let key = section.key.to_string();
                let when = overdue(section.overdue_days);
                let note = escape_controls(&section.note);
                let question = index
                    .lookup(&section.key)
                    .map_or("", |id| index.get(id).text());
                writeln!(
                    out,
                    "{key:<7} {when:<16} {note}:{}  {question}",
                    section.line
                )?;
            }
            out.flush()?;
            let summary = match due.len() {
                0 => format!("nothing due for review on {today}"),
                1 => format!("1 question due for review on {today}"),
                count => format!("{count} questions due for review on {today}"),
            };
            let _ = writeln!(std::io::stderr().lock(), "{summary}");
        }
    }
    Ok(failure_if(unread_named))
}

/// "due today", "1 day overdue", "3 days overdue".
fn overdue(days: i64) -> String {
    match days {
        0 => "due today".to_string(),
        1 => "1 day overdue".to_string(),
        days => format!("{days} days overdue"),
    }
}

/// One question to review: its note and key.
struct Pending {
    note: String,
    key: Key,
    /// How it stands: "due today", "3 days overdue", "new".
    standing: String,
}

pub fn review(
    workspace: &Workspace,
    paths: &[PathBuf],
    include_new: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let today = today()?;
    let (notes, unread_named) = load_summaries(workspace, paths)?;
    let pending = to_review(&notes, today, include_new);
    if pending.is_empty() {
        let never = new_sections(&notes).len();
        writeln!(out, "Nothing is due for review on {today}.")?;
        if never > 0 && !include_new {
            writeln!(
                out,
                "{never} answered question{} never reviewed: `qbank review --new` starts {}.",
                if never == 1 { " is" } else { "s are" },
                if never == 1 {
                    "its schedule"
                } else {
                    "their schedules"
                }
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let scheduler = Scheduler::new(workspace.config.desired_retention);
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut session = Session {
        workspace,
        today,
        scheduler: &scheduler,
        reviewed: 0,
        skipped: 0,
    };
    for (position, item) in pending.iter().enumerate() {
        writeln!(out, "\n[{} of {}]", position + 1, pending.len())?;
        match session.review_one(item, &mut input, out)? {
            Step::Next => {}
            Step::Quit => break,
        }
    }
    writeln!(
        out,
        "\n{} reviewed, {} skipped.",
        session.reviewed, session.skipped
    )?;
    Ok(failure_if(unread_named))
}

/// Due questions soonest first, then (with `--new`) those never reviewed.
fn to_review(notes: &[NoteSummary], today: NaiveDate, include_new: bool) -> Vec<Pending> {
    let mut pending: Vec<Pending> = due_sections(notes, today)
        .into_iter()
        .map(|section| Pending {
            standing: overdue(section.overdue_days),
            note: section.note,
            key: section.key,
        })
        .collect();
    if include_new {
        pending.extend(new_sections(notes).into_iter().map(
            |(note, section): (&NoteSummary, &SectionSummary)| Pending {
                note: note.name.clone(),
                key: section.key,
                standing: "new".to_string(),
            },
        ));
    }
    pending
}

enum Step {
    Next,
    Quit,
}

struct Session<'a> {
    workspace: &'a Workspace,
    today: NaiveDate,
    scheduler: &'a Scheduler,
    reviewed: usize,
    skipped: usize,
}

impl Session<'_> {
    fn review_one(
        &mut self,
        item: &Pending,
        input: &mut impl BufRead,
        out: &mut impl Write,
    ) -> Result<Step> {
        let path = self.workspace.root.join(&item.note);
        let shown = escape_controls(&item.note);
        // Read now: what is shown is what the rating is about, and the
        // marker is written only over this very text.
        let text = match files::read_text(&path, FileRole::Note, Reach::NoLinks) {
            Ok(text) => text,
            Err(error) => {
                warn(&error.to_string());
                self.skipped += 1;
                return Ok(Step::Next);
            }
        };
        let note = parse_note(&text);
        let Some(section) = first_section_for(&note, &item.key) else {
            writeln!(out, "{shown}: {} is no longer there; skipped.", item.key)?;
            self.skipped += 1;
            return Ok(Step::Next);
        };
        let question = question_text(&self.workspace.index, &item.key).unwrap_or_default();
        writeln!(out, "{} · {question}", item.key)?;
        writeln!(out, "({shown}, {})", item.standing)?;
        write!(out, "Recall your answer, then press Enter (q to quit): ")?;
        out.flush()?;
        if read_answer(input)?.is_none_or(|line| line.eq_ignore_ascii_case("q")) {
            return Ok(Step::Quit);
        }
        writeln!(out, "\n{}", written_answer(&text, &section.body))?;
        let rating = match ask_rating(input, out)? {
            Choice::Rate(rating) => rating,
            Choice::Skip => {
                self.skipped += 1;
                return Ok(Step::Next);
            }
            Choice::Quit => return Ok(Step::Quit),
        };
        let (edit, marker) =
            review_edit(&text, &note, &section, self.today, rating, self.scheduler)
                .map_err(|problem| anyhow!("{shown}: {problem}"))?;
        let mut new_text = text.clone();
        new_text.replace_range(edit.range.clone(), &edit.new_text);
        match files::replace_text(&path, &text, &new_text) {
            Ok(()) => {
                self.reviewed += 1;
                let days = (marker.due - self.today).num_days();
                writeln!(
                    out,
                    "Rated {rating}: next review {} (in {days} day{}).",
                    marker.due,
                    if days == 1 { "" } else { "s" }
                )?;
            }
            Err(WriteRefusal::Changed) => {
                self.skipped += 1;
                writeln!(
                    out,
                    "{shown} changed since it was read; not written, skipped."
                )?;
            }
            Err(refusal) => {
                self.skipped += 1;
                warn(&format!("{shown}: {refusal}; skipped"));
            }
        }
        Ok(Step::Next)
    }
}

/// The section's body as the student wrote it, without the marker line and
/// the blank lines around it.
fn written_answer(text: &str, body: &std::ops::Range<usize>) -> String {
    let body = text.get(body.clone()).unwrap_or("");
    let lines: Vec<&str> = body.lines().filter(|line| !is_marker_line(line)).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// A line of input, trimmed; `None` at the end of input.
fn read_answer(input: &mut impl BufRead) -> Result<Option<String>> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim().to_string()))
}

/// What the student answered to the rating question.
enum Choice {
    Rate(Rating),
    Skip,
    /// `q`, or the end of input.
    Quit,
}

/// Asks until the answer is a rating, `s` or `q`.
fn ask_rating(input: &mut impl BufRead, out: &mut impl Write) -> Result<Choice> {
    loop {
        write!(
            out,
            "How well did you recall it? 1 again · 2 hard · 3 good · 4 easy (s skip, q quit): "
        )?;
        out.flush()?;
        let Some(line) = read_answer(input)? else {
            return Ok(Choice::Quit);
        };
        match line.to_ascii_lowercase().as_str() {
            "q" | "quit" => return Ok(Choice::Quit),
            "s" | "skip" => return Ok(Choice::Skip),
            answer => {
                if let Some(rating) = Rating::parse(answer) {
                    return Ok(Choice::Rate(rating));
                }
                writeln!(out, "`{answer}` is not a rating.")?;
            }
        }
    }
}

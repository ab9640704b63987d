//! The commands about the bank's questions themselves: `search`, `show`
//! and `packet`, each a core call printed as text or JSON; and the
//! questions `packet --exclude` leaves out, read from the notes it names.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use crate::core::check::keys_one_digit_away;
use crate::core::index::{Index, KeyInputError, QuestionId};
use crate::core::note::parse_note;
use crate::core::packet::{
    PacketRequest, draw_packet, packet_sections, questions_in_notes, render_packet,
};
use crate::core::template::{Mode, TemplateContext, render_section};
use crate::files::{escape_controls, shown_path};
use crate::workspace::{Workspace, declares_bank};

use super::args::Format;
use super::output::{self, PacketQuestionJson, question_json, write_json};
use super::{failure_if, note_files, warn};

pub(super) fn search(
    workspace: &Workspace,
    query: &str,
    limit: usize,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let hits = index.search(query, limit);
    match format {
        Format::Json => {
            let questions: Vec<_> = hits
                .iter()
                .map(|hit| question_json(index, hit.question))
                .collect();
            write_json(out, &questions)?;
        }
        Format::Text => {
            if hits.is_empty() {
                warn(&format!("no question matches `{query}`"));
            }
            let width = hits
                .iter()
                .map(|hit| index.get(hit.question).key().to_string().len())
                .max()
                .unwrap_or(0);
            for hit in &hits {
                let question = index.get(hit.question);
                writeln!(
                    out,
                    "{:<width$}  {}",
                    question.key().to_string(),
                    question.text()
                )?;
            }
        }
    }
    Ok(failure_if(hits.is_empty()))
}

/// The question a typed key names (`BE-23`, `be-23`, or `23` in the bank
/// a bare number means), or an error that says why none, with a guess.
pub(super) fn question_for(index: &Index, typed: &str) -> Result<QuestionId> {
    let key = match index.key_from_input(typed) {
        Ok(key) => key,
        Err(KeyInputError::WhichBank(number)) => {
            let keys: Vec<String> = index
                .prefixes()
                .iter()
                .map(|prefix| format!("{prefix}-{number}"))
                .collect();
            bail!(
                "{number} alone names a question of the only bank in use or of the built-in one; \
with these banks, write {}",
                keys.join(" or ")
            );
        }
        Err(KeyInputError::NotAKey) => {
            let guess = index.search(typed, 1).first().map(|hit| hit.question);
            bail!("no question {typed}{}", did_you_mean(index, guess));
        }
    };
    match index.lookup(&key) {
        Some(id) => Ok(id),
        None => {
            let guess = keys_one_digit_away(index, &key).first().copied();
            bail!("no question {key}{}", did_you_mean(index, guess));
        }
    }
}

fn did_you_mean(index: &Index, guess: Option<QuestionId>) -> String {
    guess.map_or_else(String::new, |id| {
        let question = index.get(id);
        format!("; did you mean {}? ({})", question.key(), question.text())
    })
}

pub(super) fn show(
    workspace: &Workspace,
    key: &str,
    template: Option<Mode>,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let id = question_for(index, key)?;
    if let Some(mode) = template {
        let section = render_section(
            3,
            &TemplateContext::new(index, id),
            mode,
            &workspace.overrides,
        );
        match format {
            Format::Json => write_json(
                out,
                &serde_json::json!({ "key": index.get(id).key().to_string(), "mode": mode, "template": section.text }),
            )?,
            Format::Text => write!(out, "{}", section.text)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    match format {
        Format::Json => write_json(out, &question_json(index, id))?,
        Format::Text => output::print_question(out, index, id)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn packet(
    workspace: &Workspace,
    request: &PacketRequest,
    mode: Mode,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let packet = draw_packet(index, request).map_err(|message| anyhow!(message))?;
    // Under a time budget, fewer questions than asked is the budget's doing.
    if packet.questions.len() < request.count && request.minutes.is_none() {
        warn(&format!(
            "only {} distinct questions could be drawn (asked for {})",
            packet.questions.len(),
            request.count
        ));
    }
    match format {
        Format::Json => {
            // Each question carries the markdown the text output prints for it.
            let sections = packet_sections(index, &packet, 2, mode, &workspace.overrides);
            let questions: Vec<_> = packet
                .questions
                .iter()
                .zip(sections)
                .map(|(&id, section)| PacketQuestionJson::new(index, id, mode, section.text))
                .collect();
            write_json(out, &questions)?;
        }
        Format::Text => write!(
            out,
            "{}",
            render_packet(index, &packet, 2, mode, &workspace.overrides).text
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The questions the notes at `paths` already write, for `packet
/// --exclude`: named files and the notes of named folders, found and read
/// as `check` and `stats` find and read them. A path that does not exist,
/// or a named note that cannot be read, is an error: a packet must never
/// ask again what it was told to leave out. A bank is no note (its
/// questions are defined there, not asked), so it excludes nothing.
pub(super) fn questions_asked_in(
    workspace: &Workspace,
    paths: &[PathBuf],
) -> Result<Vec<QuestionId>> {
    if let Some(missing) = paths.iter().find(|path| !path.exists()) {
        bail!("--exclude {}: no such file or folder", shown_path(missing));
    }
    let (banks, notes): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|path| workspace.is_bank_file(path));
    for bank in &banks {
        warn_bank_excludes_nothing(&shown_path(bank));
    }
    // No path left must not mean "every note", as it does for `stats`.
    if notes.is_empty() {
        return Ok(Vec::new());
    }
    let (read, unread_named) =
        note_files(workspace, &notes)?.read(workspace, |name, text, _caches| {
            let keys = (!declares_bank(text)).then(|| parse_note(text).keys);
            (name.to_string(), keys)
        });
    if unread_named {
        bail!("--exclude names a note that could not be read (above): no packet drawn");
    }
    let mut notes_keys = Vec::with_capacity(read.len());
    for (name, keys) in &read {
        match keys {
            Some(keys) => notes_keys.push(keys.as_slice()),
            None => warn_bank_excludes_nothing(&escape_controls(name)),
        }
    }
    Ok(questions_in_notes(&workspace.index, notes_keys))
}

fn warn_bank_excludes_nothing(shown: &str) {
    warn(&format!(
        "--exclude {shown}: a bank, not a note (its questions are not asked there): nothing excluded from it"
    ));
}

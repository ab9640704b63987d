//! The commands about the bank's questions themselves: `search`, `show`
//! and `packet`, each a core call printed as text or JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use crate::core::check::keys_one_digit_away;
use crate::core::key::Key;
use crate::core::packet::{PacketRequest, draw_packet, render_packet};
use crate::core::template::{Mode, TemplateContext, render_section};
use crate::workspace::Workspace;

use super::args::Format;
use super::output::{self, question_json, write_json};
use super::warn;

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
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
    let Some(id) = index.lookup_str(key) else {
        let mut message = format!("no question {key}");
        let suggestion = match Key::parse(key.trim()) {
            Some(parsed) => keys_one_digit_away(index, &parsed).first().copied(),
            None => index.search(key, 1).first().map(|hit| hit.question),
        };
        if let Some(suggestion) = suggestion {
            let question = index.get(suggestion);
            message.push_str(&format!(
                "; did you mean {}? ({})",
                question.key(),
                question.text()
            ));
        }
        bail!(message);
    };
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
    if packet.questions.len() < request.count {
        warn(&format!(
            "only {} distinct questions could be drawn (asked for {})",
            packet.questions.len(),
            request.count
        ));
    }
    match format {
        Format::Json => {
            let questions: Vec<_> = packet
                .questions
                .iter()
                .map(|&id| question_json(index, id))
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

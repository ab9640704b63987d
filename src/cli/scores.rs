//! `qbank scores`: interview scores rolled up per candidate folder (a
//! one-line summary, then each packet and category, then what is left to
//! score or fix), or with `--by-question` per question across candidates,
//! the widest spread first; text or JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::core::index::Index;
use crate::core::note::parse_outline;
use crate::core::outline::fast_outline;
use crate::core::scores::rollup::{
    CandidateScores, NoteScores, QuestionAt, QuestionScores, by_candidate, by_question,
};
use crate::core::scores::rubric::might_hold_score_line;
use crate::core::scores::{Totals, read_scores};
use crate::files::escape_controls;
use crate::workspace::Workspace;

use super::args::Format;
use super::output::write_json;
use super::{failure_if, note_files, warn};

pub fn scores(
    workspace: &Workspace,
    paths: &[PathBuf],
    per_question: bool,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let files = note_files(workspace, paths)?;
    // Most notes hold no rubric: those are let go unparsed.
    let (read, unread_named) = files.read(workspace, |name, text, _| {
        if !might_hold_score_line(text) {
            return None;
        }
        // A round is headings, lists and score lines: most are read
        // without the markdown parser.
        let outline = fast_outline(text).unwrap_or_else(|| parse_outline(text));
        let packets = read_scores(text, &outline);
        (!packets.is_empty()).then(|| NoteScores {
            name: name.to_string(),
            packets,
        })
    });
    let notes: Vec<NoteScores> = read.into_iter().flatten().collect();
    if notes.is_empty() {
        warn("no interview rubrics found: a rubric is a question section with a `**Score:**` line");
    }
    let index = &workspace.index;
    match (per_question, format) {
        (false, Format::Text) => write_candidates(out, &by_candidate(index, &notes))?,
        (false, Format::Json) => {
            let rows: Vec<CandidateJson> = by_candidate(index, &notes)
                .iter()
                .map(CandidateJson::new)
                .collect();
            write_json(out, &rows)?;
        }
        (true, Format::Text) => write_questions(out, index, &by_question(&notes))?,
        (true, Format::Json) => {
            let rows: Vec<QuestionJson> = by_question(&notes)
                .iter()
                .map(|question| QuestionJson::new(index, question))
                .collect();
            write_json(out, &rows)?;
        }
    }
    Ok(failure_if(unread_named))
}

/// Each candidate: the summary line, then packets, categories, and the
/// questions left unscored or with a score to fix, by `note:line`.
fn write_candidates(out: &mut impl Write, candidates: &[CandidateScores]) -> Result<()> {
    for (position, candidate) in candidates.iter().enumerate() {
        if position > 0 {
            writeln!(out)?;
        }
        let folder = escape_controls(&candidate.folder);
        let rounds = match candidate.notes {
            1 => "1 note".to_string(),
            notes => format!("{notes} notes"),
        };
        writeln!(out, "{folder}: {rounds} · {}", candidate.totals.summary())?;
        let local = |note: &str| escape_controls(in_folder(&candidate.folder, note));
        for packet in &candidate.packets {
            let title = packet
                .title
                .as_deref()
                .and_then(|title| title.split(" · ").next())
                .unwrap_or("rubrics under no packet heading");
            let at = format!("{}:{}", local(&packet.note), packet.line + 1);
            writeln!(out, "  {at} {title}: {}", packet.totals.summary())?;
        }
        for (category, totals) in &candidate.categories {
            writeln!(out, "  {category}: {}", totals.summary())?;
        }
        for at in &candidate.unscored {
            writeln!(
                out,
                "  unscored: {} ({}:{})",
                at.key,
                local(&at.note),
                at.line + 1
            )?;
        }
        for (at, problem) in &candidate.unreadable {
            let place = format!("{}:{}", local(&at.note), at.line + 1);
            writeln!(out, "  to fix: {} ({place}): {}", at.key, problem.message())?;
        }
    }
    Ok(())
}

/// A note's name within its candidate's folder.
fn in_folder<'a>(folder: &str, note: &'a str) -> &'a str {
    note.strip_prefix(folder)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(note)
}

/// A table, one question a row: who was asked it, the scores' mean,
/// spread and range, and its wording.
fn write_questions(
    out: &mut impl Write,
    index: &Index,
    questions: &[QuestionScores],
) -> Result<()> {
    let key_width = questions
        .iter()
        .map(|question| question.key.to_string().len())
        .max()
        .unwrap_or(3)
        .max(3);
    writeln!(
        out,
        "{:<key_width$}  asked  scored  mean  spread  range  question",
        "key"
    )?;
    for question in questions {
        let one_decimal = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.1}"));
        let range = match (question.lowest(), question.highest()) {
            (Some(lowest), Some(highest)) => format!("{lowest}–{highest}"),
            _ => "-".to_string(),
        };
        writeln!(
            out,
            "{:<key_width$}  {:>5}  {:>6}  {:>4}  {:>6}  {range:<5}  {}",
            question.key.to_string(),
            question.candidates,
            question.scores.len(),
            one_decimal(question.mean()),
            one_decimal(question.spread()),
            wording(index, question),
        )?;
    }
    Ok(())
}

fn wording<'a>(index: &'a Index, question: &QuestionScores) -> &'a str {
    index
        .lookup(&question.key)
        .map_or("(in no bank in use)", |id| index.get(id).text())
}

/// Two decimals are enough for a mean of scores 1–4, and keep the JSON
/// stable.
fn rounded(value: Option<f64>) -> Option<f64> {
    value.map(|value| (value * 100.0).round() / 100.0)
}

#[derive(Serialize)]
struct TotalsJson {
    questions: usize,
    scored: usize,
    mean: Option<f64>,
    points_ticked: usize,
    points: usize,
    red_flags: usize,
    unscored: usize,
    unreadable: usize,
}

impl TotalsJson {
    fn new(totals: &Totals) -> TotalsJson {
        TotalsJson {
            questions: totals.asked,
            scored: totals.scored,
            mean: rounded(totals.mean()),
            points_ticked: totals.points.ticked,
            points: totals.points.total,
            red_flags: totals.red_flags.ticked,
            unscored: totals.unscored,
            unreadable: totals.unreadable,
        }
    }
}

#[derive(Serialize)]
struct PlaceJson {
    key: String,
    note: String,
    /// 1-based, as `qbank due` and `check` give lines.
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl PlaceJson {
    fn new(at: &QuestionAt, message: Option<String>) -> PlaceJson {
        PlaceJson {
            key: at.key.to_string(),
            note: at.note.clone(),
            line: at.line + 1,
            message,
        }
    }
}

#[derive(Serialize)]
struct PacketJson {
    note: String,
    line: usize,
    title: Option<String>,
    #[serde(flatten)]
    totals: TotalsJson,
}

#[derive(Serialize)]
struct CategoryJson {
    category: String,
    #[serde(flatten)]
    totals: TotalsJson,
}

#[derive(Serialize)]
struct CandidateJson {
    candidate: String,
    notes: usize,
    #[serde(flatten)]
    totals: TotalsJson,
    packets: Vec<PacketJson>,
    categories: Vec<CategoryJson>,
    unscored_questions: Vec<PlaceJson>,
    scores_to_fix: Vec<PlaceJson>,
}

impl CandidateJson {
    fn new(candidate: &CandidateScores) -> CandidateJson {
        CandidateJson {
            candidate: candidate.folder.clone(),
            notes: candidate.notes,
            totals: TotalsJson::new(&candidate.totals),
            packets: candidate
                .packets
                .iter()
                .map(|packet| PacketJson {
                    note: packet.note.clone(),
                    line: packet.line + 1,
                    title: packet.title.clone(),
                    totals: TotalsJson::new(&packet.totals),
                })
                .collect(),
            categories: candidate
                .categories
                .iter()
                .map(|(category, totals)| CategoryJson {
                    category: category.clone(),
                    totals: TotalsJson::new(totals),
                })
                .collect(),
            unscored_questions: candidate
                .unscored
                .iter()
                .map(|at| PlaceJson::new(at, None))
                .collect(),
            scores_to_fix: candidate
                .unreadable
                .iter()
                .map(|(at, problem)| PlaceJson::new(at, Some(problem.message())))
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct QuestionJson {
    key: String,
    question: Option<String>,
    category: Option<String>,
    candidates: usize,
    scores: Vec<u8>,
    mean: Option<f64>,
    spread: Option<f64>,
    lowest: Option<u8>,
    highest: Option<u8>,
}

impl QuestionJson {
    fn new(index: &Index, question: &QuestionScores) -> QuestionJson {
        let id = index.lookup(&question.key);
        QuestionJson {
            key: question.key.to_string(),
            question: id.map(|id| index.get(id).text().to_string()),
            category: id.map(|id| index.get(id).category().to_string()),
            candidates: question.candidates,
            scores: question.scores.clone(),
            mean: rounded(question.mean()),
            spread: rounded(question.spread()),
            lowest: question.lowest(),
            highest: question.highest(),
        }
    }
}

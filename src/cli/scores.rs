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
use crate::core::scores::Totals;
use crate::core::scores::report::{candidates_report, questions_report};
use crate::core::scores::rollup::{
    CandidateScores, NoteScores, QuestionAt, QuestionScores, by_candidate, by_question, note_scores,
};
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
    let (read, unread_named) = files.read(workspace, |name, text, _| note_scores(name, text));
    let notes: Vec<NoteScores> = read.into_iter().flatten().collect();
    if notes.is_empty() {
        warn("no interview rubrics found: a rubric is a question section with a `**Score:**` line");
    }
    let index = &workspace.index;
    match (per_question, format) {
        (false, Format::Text) => {
            let shown = |name: &str| escape_controls(name);
            out.write_all(candidates_report(&by_candidate(index, &notes), &shown).as_bytes())?;
        }
        (false, Format::Json) => {
            let rows: Vec<CandidateJson> = by_candidate(index, &notes)
                .iter()
                .map(CandidateJson::new)
                .collect();
            write_json(out, &rows)?;
        }
        (true, Format::Text) => {
            out.write_all(questions_report(index, &by_question(&notes)).as_bytes())?;
        }
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

//! Roll-ups as text, the same for `qbank scores` and the server's
//! `qbank.scores` command: per candidate a summary line, then each packet
//! (`note:line`) and category, then what is left to score or fix; per
//! question a table of who was asked it, the mean, spread and range.

use std::fmt::Write as _;

use crate::core::index::Index;

use super::rollup::{CandidateScores, QuestionScores};

/// The candidates' roll-up; `shown` turns a folder or note name into what
/// is printed (the command line escapes control characters).
pub fn candidates_report(candidates: &[CandidateScores], shown: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for (position, candidate) in candidates.iter().enumerate() {
        if position > 0 {
            out.push('\n');
        }
        let notes = match candidate.notes {
            1 => "1 note".to_string(),
            notes => format!("{notes} notes"),
        };
        let folder = shown(&candidate.folder);
        let _ = writeln!(out, "{folder}: {notes} · {}", candidate.totals.summary());
        let place = |note: &str, line: usize| {
            format!("{}:{}", shown(in_folder(&candidate.folder, note)), line + 1)
        };
        for packet in &candidate.packets {
            let title = packet
                .title
                .as_deref()
                .and_then(|title| title.split(" · ").next())
                .unwrap_or("rubrics under no packet heading");
            let at = place(&packet.note, packet.line);
            let _ = writeln!(out, "  {at} {title}: {}", packet.totals.summary());
        }
        for (category, totals) in &candidate.categories {
            let _ = writeln!(out, "  {category}: {}", totals.summary());
        }
        for at in &candidate.unscored {
            let _ = writeln!(out, "  unscored: {} ({})", at.key, place(&at.note, at.line));
        }
        for (at, problem) in &candidate.unreadable {
            let at_place = place(&at.note, at.line);
            let _ = writeln!(
                out,
                "  to fix: {} ({at_place}): {}",
                at.key,
                problem.message()
            );
        }
    }
    out
}

/// A note's name within its candidate's folder.
fn in_folder<'a>(folder: &str, note: &'a str) -> &'a str {
    note.strip_prefix(folder)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(note)
}

/// A table, one question a row: how many candidates were asked it, how
/// many scores it got, their mean, spread and range, and its wording.
pub fn questions_report(index: &Index, questions: &[QuestionScores]) -> String {
    let key_width = questions
        .iter()
        .map(|question| question.key.to_string().len())
        .max()
        .unwrap_or(3)
        .max(3);
    let mut out = format!(
        "{:<key_width$}  asked  scored  mean  spread  range  question\n",
        "key"
    );
    let one_decimal = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.1}"));
    for question in questions {
        let range = match (question.lowest(), question.highest()) {
            (Some(lowest), Some(highest)) => format!("{lowest}–{highest}"),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<key_width$}  {:>5}  {:>6}  {:>4}  {:>6}  {range:<5}  {}",
            question.key.to_string(),
            question.candidates,
            question.scores.len(),
            one_decimal(question.mean()),
            one_decimal(question.spread()),
            wording(index, question),
        );
    }
    out
}

fn wording<'a>(index: &'a Index, question: &QuestionScores) -> &'a str {
    index
        .lookup(&question.key)
        .map_or("(in no bank in use)", |id| index.get(id).text())
}

//! What the command line prints: question cards, diagnostics lines, stats
//! tables, and the JSON objects of PRODUCT.md §7.

use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use crate::core::bank::AnswerKey;
use crate::core::diagnostic::{Diagnostic, Severity};
use crate::core::index::{Index, QuestionId};
use crate::core::key::Key;
use crate::core::line_index::{ColumnUnit, LineCol, LineIndex};
use crate::core::template::Mode;

/// One checked file and what was found in it.
pub struct FileReport {
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize)]
pub struct QuestionJson {
    key: String,
    number: u32,
    category: String,
    text: String,
    shape: &'static str,
    sides: Vec<String>,
    related: Vec<String>,
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u32>,
    /// `cue: detail`, as the bank writes them.
    points: Vec<String>,
    red_flags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_up: Option<String>,
}

pub fn question_json(index: &Index, id: QuestionId) -> QuestionJson {
    let question = index.get(id);
    let answer = question.answer();
    QuestionJson {
        key: question.key().to_string(),
        number: question.question.number,
        category: question.category().to_string(),
        text: question.text().to_string(),
        shape: question.shape().shape.as_str(),
        sides: question.shape().sides.clone(),
        related: index
            .related(id)
            .iter()
            .map(|related| index.get(related.id).key().to_string())
            .collect(),
        tags: question.question.tags.to_vec(),
        level: answer
            .and_then(|answer| answer.level)
            .map(|level| level.as_str()),
        minutes: answer.and_then(|answer| answer.minutes).map(u32::from),
        points: answer.map_or_else(Vec::new, |answer| {
            answer.points.iter().map(ToString::to_string).collect()
        }),
        red_flags: answer.map_or_else(Vec::new, |answer| answer.red_flags.to_vec()),
        follow_up: question.follow_up().map(str::to_string),
    }
}

/// A packet's question: the question, and its section as the packet's
/// markdown holds it, a `rubric` in interview mode, a `template` in study.
#[derive(Serialize)]
pub struct PacketQuestionJson {
    #[serde(flatten)]
    question: QuestionJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    rubric: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
}

impl PacketQuestionJson {
    pub fn new(index: &Index, id: QuestionId, mode: Mode, section: String) -> PacketQuestionJson {
        let (rubric, template) = match mode {
            Mode::Interview => (Some(section), None),
            Mode::Study => (None, Some(section)),
        };
        PacketQuestionJson {
            question: question_json(index, id),
            rubric,
            template,
        }
    }
}

pub fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A question as `qbank show` prints it.
pub fn print_question(out: &mut impl Write, index: &Index, id: QuestionId) -> Result<()> {
    let question = index.get(id);
    writeln!(out, "{} · {}", question.key(), question.text())?;
    writeln!(out)?;
    writeln!(out, "  category  {}", question.category())?;
    writeln!(out, "  shape     {}", question.shape().shape.as_str())?;
    if !question.shape().sides.is_empty() {
        writeln!(out, "  sides     {}", question.shape().sides.join(" | "))?;
    }
    if !question.question.tags.is_empty() {
        writeln!(out, "  tags      {}", question.question.tags.join(", "))?;
    }
    let answer = question.answer();
    if let Some(level) = answer.and_then(|answer| answer.level) {
        writeln!(out, "  level     {level}")?;
    }
    if let Some(minutes) = answer.and_then(|answer| answer.minutes) {
        writeln!(out, "  minutes   {minutes}")?;
    }
    for field in question.fields() {
        let value = question.bank.field_value(field);
        writeln!(out, "  {:<9} {value}", field.name)?;
    }
    let lines = LineIndex::new(&question.bank.text);
    let line = lines.line_of(question.question.range().start) + 1;
    writeln!(out, "  bank      {}:{line}", question.bank.name)?;
    if let Some(answer) = answer {
        print_answer_key(out, answer, question.follow_up())?;
    }
    let related = index.related(id);
    if !related.is_empty() {
        writeln!(out)?;
        writeln!(out, "Related:")?;
        for related in related {
            let other = index.get(related.id);
            writeln!(
                out,
                "  {:<7} {}  ({})",
                other.key().to_string(),
                other.text(),
                related.relation.as_str()
            )?;
        }
    }
    Ok(())
}

/// What a strong answer covers, its red flags and its follow-up.
fn print_answer_key(
    out: &mut impl Write,
    answer: &AnswerKey,
    follow_up: Option<&str>,
) -> Result<()> {
    if !answer.points.is_empty() {
        writeln!(out, "\nA strong answer covers:")?;
        for point in &answer.points {
            writeln!(out, "  - {point}")?;
        }
    }
    if !answer.red_flags.is_empty() {
        writeln!(out, "\nRed flags:")?;
        for flag in &answer.red_flags {
            writeln!(out, "  - {flag}")?;
        }
    }
    if let Some(follow_up) = follow_up {
        writeln!(out, "\nFollow-up: {follow_up}")?;
    }
    Ok(())
}

/// `path:line:col: severity[code]: message`, with 1-based character columns.
pub fn print_diagnostic(
    out: &mut impl Write,
    path: &str,
    text: &str,
    lines: &LineIndex,
    diagnostic: &Diagnostic,
) -> Result<()> {
    let start = lines.line_col(text, diagnostic.range.start, ColumnUnit::Char);
    writeln!(
        out,
        "{path}:{}:{}: {}[{}]: {}",
        start.line + 1,
        start.character + 1,
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    )?;
    Ok(())
}

/// A diagnostic as `check --format json` prints it, borrowing its strings:
/// a `serde_json::Value` per diagnostic took 3 KB each (650 MB for 200,000).
/// Fields are declared in the order they have always been printed in
/// (sorted, as `serde_json`'s maps sort them).
#[derive(Serialize)]
pub struct DiagnosticJson<'a> {
    code: &'static str,
    message: &'a str,
    path: &'a str,
    range: RangeJson,
    severity: &'static str,
}

#[derive(Serialize)]
struct RangeJson {
    end: PositionJson,
    start: PositionJson,
}

#[derive(Serialize)]
struct PositionJson {
    character: u32,
    line: u32,
}

impl From<LineCol> for PositionJson {
    fn from(position: LineCol) -> PositionJson {
        PositionJson {
            character: position.character,
            line: position.line,
        }
    }
}

/// A diagnostic as `check --format json` prints it: an LSP-style 0-based
/// range in UTF-16 code units, as LSP clients count by default.
pub fn diagnostic_json<'a>(
    path: &'a str,
    text: &str,
    lines: &LineIndex,
    diagnostic: &'a Diagnostic,
) -> DiagnosticJson<'a> {
    let position = |offset| lines.line_col(text, offset, ColumnUnit::Utf16).into();
    DiagnosticJson {
        code: diagnostic.code,
        message: &diagnostic.message,
        path,
        range: RangeJson {
            end: position(diagnostic.range.end),
            start: position(diagnostic.range.start),
        },
        severity: diagnostic.severity.as_str(),
    }
}

/// "2 errors, 1 warning, 4 infos, 3 hints" (or "no problems"): "info" as
/// in `information[…]`, never "note", which reads as a file here.
pub fn count_summary(reports: &[FileReport]) -> String {
    let count = |severity: Severity| {
        reports
            .iter()
            .flat_map(|report| &report.diagnostics)
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    };
    let parts: Vec<String> = [
        (count(Severity::Error), "error"),
        (count(Severity::Warning), "warning"),
        (count(Severity::Information), "info"),
        (count(Severity::Hint), "hint"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, name)| format!("{count} {name}{}", if count == 1 { "" } else { "s" }))
    .collect();
    if parts.is_empty() {
        "no problems".to_string()
    } else {
        parts.join(", ")
    }
}

#[derive(Serialize)]
pub struct CategoryStats {
    category: String,
    total: usize,
    answered: usize,
    unanswered: usize,
    /// Questions that stand in a note but are not answered yet.
    in_notes_unanswered: usize,
    answered_keys: Vec<String>,
    /// In the bank's order: what is left to study.
    unanswered_keys: Vec<String>,
    /// The unanswered questions that stand in a note already.
    started_keys: Vec<String>,
    /// Over the answered questions that have points: how many points
    /// there are, and how many the best answer to each covers; left out
    /// when `coverage = false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    points_covered: Option<usize>,
    /// Answered questions with a review schedule, and those due for review
    /// today (or before) and within the week.
    in_review: usize,
    due_today: usize,
    due_this_week: usize,
}

/// What the notes say of each question, by question id.
pub struct QuestionFacts {
    pub answered: Vec<bool>,
    pub in_notes: Vec<bool>,
    /// The most points any answer covers; `None` when coverage is off.
    pub covered: Option<Vec<usize>>,
    /// The earliest review due date of the question's answers.
    pub next_review: Vec<Option<NaiveDate>>,
    pub today: NaiveDate,
}

impl QuestionFacts {
    /// Days after today counted as "this week" (today included).
    const WEEK: i64 = 7;

    fn due_within(&self, id: usize, days: i64) -> bool {
        self.next_review[id].is_some_and(|due| (due - self.today).num_days() < days)
    }
}

impl CategoryStats {
    pub fn new(
        index: &Index,
        category: &str,
        ids: &[QuestionId],
        facts: &QuestionFacts,
    ) -> CategoryStats {
        let QuestionFacts {
            answered,
            in_notes,
            covered,
            ..
        } = facts;
        let covered = covered.as_deref();
        let count =
            |keep: &dyn Fn(usize) -> bool| ids.iter().filter(|&&id| keep(id as usize)).count();
        let keys = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
            ids.iter()
                .filter(|&&id| keep(id as usize))
                .map(|&id| index.get(id).key().to_string())
                .collect()
        };
        let answered_keys = keys(&|id| answered[id]);
        let unanswered_keys = keys(&|id| !answered[id]);
        let started_keys = keys(&|id| in_notes[id] && !answered[id]);
        let (mut points, mut points_covered) = (0, 0);
        for &id in ids.iter().filter(|&&id| answered[id as usize]) {
            let answer = index.get(id).answer();
            points += answer.map_or(0, |answer| answer.points.len());
            points_covered += covered.map_or(0, |covered| covered[id as usize]);
        }
        let (points, points_covered) = match covered {
            Some(_) => (Some(points), Some(points_covered)),
            None => (None, None),
        };
        CategoryStats {
            category: category.to_string(),
            total: ids.len(),
            answered: answered_keys.len(),
            unanswered: unanswered_keys.len(),
            in_notes_unanswered: started_keys.len(),
            answered_keys,
            unanswered_keys,
            started_keys,
            points,
            points_covered,
            in_review: count(&|id| facts.next_review[id].is_some()),
            due_today: count(&|id| facts.due_within(id, 1)),
            due_this_week: count(&|id| facts.due_within(id, QuestionFacts::WEEK)),
        }
    }
}

/// Column headers a reader needs no legend for (but for "started", given
/// under the table), then what is left to study: the started questions,
/// then the rest by category. Points covered is a column when coverage is
/// on.
pub fn print_stats(out: &mut impl Write, stats: &[CategoryStats], note_count: usize) -> Result<()> {
    let width = stats
        .iter()
        .map(|row| row.category.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let coverage_on = stats.first().is_some_and(|row| row.points.is_some());
    let row = |out: &mut dyn Write, name: &str, numbers: [usize; 9]| {
        let [
            total,
            answered,
            started,
            not_started,
            in_review,
            due,
            _,
            covered,
            points,
        ] = numbers;
        write!(
            out,
            "{name:<width$}  {total:>9}  {answered:>8}  {started:>7}  {not_started:>11}  {in_review:>9}  {due:>9}"
        )?;
        match (coverage_on, points) {
            (false, _) => writeln!(out),
            (true, 0) => writeln!(out, "  {:>14}", "-"),
            (true, _) => writeln!(out, "  {:>14}", format!("{covered}/{points}")),
        }
    };
    write!(
        out,
        "{:<width$}  questions  answered  started  not started  in review  due today",
        "category"
    )?;
    writeln!(out, "{}", if coverage_on { "  points covered" } else { "" })?;
    let mut all = [0; 9];
    for stats in stats {
        let not_started = stats.unanswered - stats.in_notes_unanswered;
        let numbers = [
            stats.total,
            stats.answered,
            stats.in_notes_unanswered,
            not_started,
            stats.in_review,
            stats.due_today,
            stats.due_this_week,
            stats.points_covered.unwrap_or(0),
            stats.points.unwrap_or(0),
        ];
        row(out, &stats.category, numbers)?;
        for (sum, number) in all.iter_mut().zip(numbers) {
            *sum += number;
        }
    }
    row(out, "all", all)?;
    write!(
        out,
        "\nstarted: in a note, not answered yet; in review: answered and on a review schedule"
    )?;
    if coverage_on {
        write!(
            out,
            "; points covered: by the answered questions' best answers"
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} of {} questions answered across {note_count} note{}; {} due for review today, {} within the week",
        all[1],
        all[0],
        if note_count == 1 { "" } else { "s" },
        all[5],
        all[6],
    )?;
    print_left_to_study(out, stats)
}

/// The unanswered keys: started ones first, then by category, runs of
/// consecutive numbers shortened (`BE-1–BE-20`).
fn print_left_to_study(out: &mut impl Write, stats: &[CategoryStats]) -> Result<()> {
    let started: Vec<&String> = stats.iter().flat_map(|row| &row.started_keys).collect();
    let unanswered: usize = stats.iter().map(|row| row.unanswered).sum();
    if unanswered == 0 {
        return Ok(());
    }
    writeln!(out, "\nTo study next:")?;
    if !started.is_empty() {
        writeln!(out, "  started: {}", key_runs(started.into_iter()))?;
    }
    for row in stats {
        let not_started = row
            .unanswered_keys
            .iter()
            .filter(|key| !row.started_keys.contains(key));
        let runs = key_runs(not_started);
        if !runs.is_empty() {
            writeln!(out, "  {}: {runs}", row.category)?;
        }
    }
    Ok(())
}

/// `BE-1–BE-3, BE-7`: keys in order, consecutive numbers of one prefix
/// joined into a run.
fn key_runs<'k>(keys: impl Iterator<Item = &'k String>) -> String {
    let mut runs: Vec<(Key, Key)> = Vec::new();
    for key in keys.filter_map(|key| Key::parse(key)) {
        match runs.last_mut() {
            Some((_, last)) if last.prefix == key.prefix && last.number + 1 == key.number => {
                *last = key;
            }
            _ => runs.push((key, key)),
        }
    }
    let shown: Vec<String> = runs
        .into_iter()
        .map(|(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}–{last}")
            }
        })
        .collect();
    shown.join(", ")
}

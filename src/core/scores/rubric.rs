//! One interview rubric as the interviewer left it: its score line read on
//! the scale every rubric and interview packet states (1 no signal ·
//! 2 partial · 3 solid · 4 strong), and how many of its points and red
//! flags are ticked. A question section is a rubric when its body holds a
//! score line (`**Score:** 3`), which the interview template always
//! writes; a study answer never has one.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The lowest and highest scores, and what each score means.
pub const LOWEST_SCORE: u8 = 1;
pub const HIGHEST_SCORE: u8 = 4;
pub const SCORE_LABELS: [&str; 4] = ["no signal", "partial", "solid", "strong"];

/// The meaning of a score on the scale (`3` → "solid").
pub fn score_label(score: u8) -> &'static str {
    let position = usize::from(score.clamp(LOWEST_SCORE, HIGHEST_SCORE) - LOWEST_SCORE);
    SCORE_LABELS[position]
}

/// How many of a list's boxes are ticked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub ticked: usize,
    pub total: usize,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.ticked += other.ticked;
        self.total += other.total;
    }
}

/// What a score line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Nothing written after `**Score:**` yet.
    Blank,
    Score(u8),
    Problem(ScoreProblem),
}

/// Why a written score is not one: each says what was written, so a
/// message can quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreProblem {
    /// A whole number off the scale: `5`, `0`.
    OffScale(String),
    /// A fraction of a point: `3.5`.
    NotWhole(String),
    /// A score out of another maximum: the `5` of `3/5`.
    OutOf(String),
    /// Words that are no score and no label of the scale: `good`.
    Unreadable(String),
    /// A label that contradicts the number: `3 – strong`.
    LabelContradicts { score: u8, label: &'static str },
}

impl ScoreProblem {
    /// What is wrong and how to write it instead.
    pub fn message(&self) -> String {
        let scale = scale_words();
        match self {
            ScoreProblem::OffScale(written) => {
                format!("score {written} is off the scale: write 1–4 ({scale})")
            }
            ScoreProblem::NotWhole(written) => {
                format!("score {written} is not a whole number: write 1–4 ({scale})")
            }
            ScoreProblem::OutOf(written) if written.is_empty() => {
                format!("a score out of nothing: write 1–4, or 3/4 ({scale})")
            }
            ScoreProblem::OutOf(written) => {
                format!("a score out of {written}: this rubric is scored 1–4 ({scale})")
            }
            ScoreProblem::Unreadable(written) => {
                let written: String = written.chars().take(40).collect();
                format!("`{written}` is not a score: write 1–4 ({scale})")
            }
            ScoreProblem::LabelContradicts { score, label } => format!(
                "{score} is `{}` on the scale, not `{label}`",
                score_label(*score)
            ),
        }
    }
}

/// The scale as rubrics state it: `1 no signal · 2 partial · 3 solid · 4 strong`.
pub fn scale_words() -> String {
    (LOWEST_SCORE..=HIGHEST_SCORE)
        .map(|score| format!("{score} {}", score_label(score)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A score line: the whole line and what follows its `**Score:**`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreLine {
    pub line: Range<usize>,
    /// The written value, trimmed (empty at the end of the label when blank).
    pub value: Range<usize>,
    pub reading: Reading,
}

/// A rubric section as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rubric {
    /// The first score line: the one that counts.
    pub score: ScoreLine,
    /// Score lines after the first, which do not count.
    pub extra_scores: Vec<Range<usize>>,
    pub points: Tally,
    pub red_flags: Tally,
}

impl Rubric {
    /// The score, when one is written and readable.
    pub fn score(&self) -> Option<u8> {
        match self.score.reading {
            Reading::Score(score) => Some(score),
            _ => None,
        }
    }
}

/// Which list a box belongs to, by the bold label above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Points,
    RedFlags,
    Other,
}

/// Reads the rubric in `body` (a question section's body in `text`);
/// `None` when the body holds no score line, as a study answer does not.
pub fn read_rubric(text: &str, body: Range<usize>) -> Option<Rubric> {
    let body_text = text.get(body.clone())?;
    if !might_hold_score_line(body_text) {
        return None;
    }
    let mut score: Option<ScoreLine> = None;
    let mut extra_scores = Vec::new();
    let (mut points, mut red_flags) = (Tally::default(), Tally::default());
    // Boxes before any label are points: a checklist of the user's own.
    let mut list = List::Points;
    for (start, line) in lines_outside_code(body_text) {
        let line_range = body.start + start..body.start + start + line.len();
        if let Some(value_start) = score_value_start(line) {
            let found = score_line(text, line_range.clone(), line_range.start + value_start);
            match score {
                None => score = Some(found),
                Some(_) => extra_scores.push(line_range),
            }
        } else if let Some(label) = bold_label(line) {
            list = list_under(label);
        } else if let Some(ticked) = task_box(line) {
            let tally = match list {
                List::Points => &mut points,
                List::RedFlags => &mut red_flags,
                List::Other => continue,
            };
            tally.total += 1;
            tally.ticked += usize::from(ticked);
        }
    }
    Some(Rubric {
        score: score?,
        extra_scores,
        points,
        red_flags,
    })
}

/// Whether a question section's body is a rubric: it holds a score line
/// outside code.
pub fn is_rubric(body: &str) -> bool {
    might_hold_score_line(body)
        && lines_outside_code(body).any(|(_, line)| score_value_start(line).is_some())
}

/// Whether a body may hold a score line: most note sections hold none,
/// and this spares them the line-by-line reading.
pub fn might_hold_score_line(text: &str) -> bool {
    // Built once: a check asks this of every answered section.
    static FINDERS: LazyLock<[Finder<'static>; 2]> =
        LazyLock::new(|| [Finder::new(b"**Score"), Finder::new(b"**score")]);
    FINDERS
        .iter()
        .any(|finder| finder.find(text.as_bytes()).is_some())
}

/// The body's lines outside fenced code, each with its offset, without
/// its line break.
fn lines_outside_code(body: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fence: Option<(u8, usize)> = None;
    let mut start = 0;
    body.split_inclusive('\n').filter_map(move |raw| {
        let offset = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let marker = trimmed.bytes().next().filter(|&b| b == b'`' || b == b'~');
        if let Some(marker) = marker {
            let run = trimmed.bytes().take_while(|&b| b == marker).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((marker, run)),
                    Some((open, length)) if open == marker && run >= length => fence = None,
                    Some(_) => {}
                }
                return None;
            }
        }
        fence.is_none().then_some((offset, line))
    })
}

/// Where the value starts in a score line (`**Score:** 3`, `**Score**: 3`,
/// any case, possibly as a list item); `None` for any other line, the
/// rubric's italic scale line `*Score: 1 no signal · …*` included.
fn score_value_start(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let item = match trimmed.as_bytes() {
        [b'-' | b'*' | b'+', b' ', rest @ ..] if rest.starts_with(b"**") => 2,
        _ => 0,
    };
    let rest = &trimmed[item..];
    let label_length = ["**score:**", "**score**:"].iter().find_map(|label| {
        let head = rest.get(..label.len())?;
        head.eq_ignore_ascii_case(label).then_some(label.len())
    })?;
    Some(line.len() - trimmed.len() + item + label_length)
}

fn score_line(text: &str, line: Range<usize>, value_start: usize) -> ScoreLine {
    let written = &text[value_start..line.end];
    let leading = written.len() - written.trim_start().len();
    let value = written.trim();
    let value_range = value_start + leading..value_start + leading + value.len();
    ScoreLine {
        line,
        value: value_range,
        reading: read_score(value),
    }
}

/// Reads a written score: `3`, `3/4`, `3 – solid`, `3 (solid)`, `**3**`,
/// or a label alone (`solid`).
pub fn read_score(value: &str) -> Reading {
    let value = value
        .trim()
        .trim_matches(|c| matches!(c, '*' | '_' | '`'))
        .trim();
    if value.is_empty() {
        return Reading::Blank;
    }
    let digits = leading_digits(value);
    if digits.is_empty() {
        return match leading_label(value) {
            Some(score) => Reading::Score(score),
            None => Reading::Problem(ScoreProblem::Unreadable(value.to_string())),
        };
    }
    let rest = &value[digits.len()..];
    let fraction = rest
        .strip_prefix(['.', ','])
        .map(leading_digits)
        .filter(|fraction| !fraction.is_empty());
    if let Some(fraction) = fraction {
        let written = &value[..digits.len() + 1 + fraction.len()];
        return Reading::Problem(ScoreProblem::NotWhole(written.to_string()));
    }
    let score = digits
        .parse::<u8>()
        .ok()
        .filter(|score| (LOWEST_SCORE..=HIGHEST_SCORE).contains(score));
    let Some(score) = score else {
        return Reading::Problem(ScoreProblem::OffScale(digits.to_string()));
    };
    let mut rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('/') {
        let after = after.trim_start();
        let out_of = leading_digits(after);
        if out_of != HIGHEST_SCORE.to_string() {
            let written = if out_of.is_empty() { after } else { out_of };
            return Reading::Problem(ScoreProblem::OutOf(written.to_string()));
        }
        rest = after[out_of.len()..].trim_start();
    }
    let comment = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '(' | ',' | '·' | '=')
    });
    match leading_label(comment) {
        Some(labelled) if labelled != score => Reading::Problem(ScoreProblem::LabelContradicts {
            score,
            label: score_label(labelled),
        }),
        _ => Reading::Score(score),
    }
}

fn leading_digits(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    &text[..end]
}

/// The score whose label the text starts with, as a whole word.
fn leading_label(text: &str) -> Option<u8> {
    (LOWEST_SCORE..=HIGHEST_SCORE).find(|&score| {
        let label = score_label(score);
        text.get(..label.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(label))
            && !text[label.len()..].starts_with(|c: char| c.is_alphanumeric())
    })
}

/// The label of a line that starts with one in bold (`**Red flags:**`).
fn bold_label(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("**")?;
    let (label, _) = rest.split_once("**")?;
    label.trim_end().ends_with(':').then_some(label)
}

/// The list boxes under a bold label belong to: red flags under one that
/// says so, nothing under the rubric's other labels (level, follow-up,
/// notes), points under any other (a workspace template's "What to
/// listen for:" as well as "A strong answer covers:").
fn list_under(label: &str) -> List {
    let label = label.to_lowercase();
    let not_a_list = ["level", "time", "follow-up", "follow-ups", "notes", "score"];
    if label.contains("red flag") {
        List::RedFlags
    } else if not_a_list
        .iter()
        .any(|other| label.trim_end_matches(':').trim() == *other)
    {
        List::Other
    } else {
        List::Points
    }
}

/// Whether a line is a task-list item, and if so whether it is ticked.
fn task_box(line: &str) -> Option<bool> {
    let item = match line.trim_start().as_bytes() {
        [b'-' | b'*' | b'+', b' ', rest @ ..] => rest,
        _ => return None,
    };
    match item {
        [b'[', b' ', b']', rest @ ..] if rest.is_empty() || rest[0] == b' ' => Some(false),
        [b'[', b'x' | b'X', b']', rest @ ..] if rest.is_empty() || rest[0] == b' ' => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check_reading(values: &[&str], expected: Expect) {
        let mut rendered = String::new();
        for value in values {
            rendered.push_str(&format!("{value:?} → {:?}\n", read_score(value)));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn scores_in_every_written_form() {
        check_reading(
            &[
                "3",
                "3/4",
                "3 / 4",
                "3 – solid",
                "3 - solid, but slow",
                "4 — strong",
                "2 (partial)",
                "**3**",
                "solid",
                "No signal",
                "1: no signal",
                "3 (borderline)",
                "",
                "  ",
            ],
            expect![[r#"
                "3" → Score(3)
                "3/4" → Score(3)
                "3 / 4" → Score(3)
                "3 – solid" → Score(3)
                "3 - solid, but slow" → Score(3)
                "4 — strong" → Score(4)
                "2 (partial)" → Score(2)
                "**3**" → Score(3)
                "solid" → Score(3)
                "No signal" → Score(1)
                "1: no signal" → Score(1)
                "3 (borderline)" → Score(3)
                "" → Blank
                "  " → Blank
            "#]],
        );
    }

    #[test]
    fn what_is_not_a_score_on_the_scale() {
        check_reading(
            &[
                "5",
                "0",
                "300000000000",
                "3.5",
                "2,5",
                "3/5",
                "3/",
                "good",
                "-1",
                "3 – strong",
                "solidly",
            ],
            expect![[r#"
                "5" → Problem(OffScale("5"))
                "0" → Problem(OffScale("0"))
                "300000000000" → Problem(OffScale("300000000000"))
                "3.5" → Problem(NotWhole("3.5"))
                "2,5" → Problem(NotWhole("2,5"))
                "3/5" → Problem(OutOf("5"))
                "3/" → Problem(OutOf(""))
                "good" → Problem(Unreadable("good"))
                "-1" → Problem(Unreadable("-1"))
                "3 – strong" → Problem(LabelContradicts { score: 3, label: "strong" })
                "solidly" → Problem(Unreadable("solidly"))
            "#]],
        );
    }

    fn check_rubric(body: &str, expected: Expect) {
        let rubric = read_rubric(body, 0..body.len());
        let rendered = match rubric {
            None => "not a rubric\n".to_string(),
            Some(rubric) => format!(
                "score {:?} at {:?} · points {}/{} · red flags {}/{} · extra score lines {}\n",
                rubric.score.reading,
                &body[rubric.score.value.clone()],
                rubric.points.ticked,
                rubric.points.total,
                rubric.red_flags.ticked,
                rubric.red_flags.total,
                rubric.extra_scores.len(),
            ),
        };
        expected.assert_eq(&rendered);
    }

    #[test]
    fn a_rubric_as_ticked_and_scored() {
        check_rubric(
            "\n**A strong answer covers:**\r\n- [x] Atomicity\r\n- [ ] Isolation\n* [X] Durability\n\n\
             **Red flags:**\n- [x] Says ACID means fast\n- [ ] Confuses C with CAP\n\n\
             **Follow-up:** What is a phantom read?\n- [x] not a point\n\n\
             **What to listen for:**\n- [x] MVCC\n\n\
             *Score: 1 no signal · 2 partial · 3 solid · 4 strong*\n**Score:** 3 – solid \r\n**Notes:** Good.\n",
            expect![[r#"
                score Score(3) at "3 – solid" · points 3/4 · red flags 1/2 · extra score lines 0
            "#]],
        );
    }

    #[test]
    fn a_blank_score_a_second_score_line_and_code() {
        check_rubric(
            "- [x] my own point\n**Score:**\n```md\n**Score:** 4\n- [x] in code\n```\n- **score**: 2\n",
            expect![[r#"
                score Blank at "" · points 1/1 · red flags 0/0 · extra score lines 1
            "#]],
        );
    }

    #[test]
    fn a_study_answer_is_no_rubric() {
        check_rubric(
            "**In one sentence:** ACID is…\n*Score: 1 no signal · 2 partial*\n- [x] done\n",
            expect![[r#"
                not a rubric
            "#]],
        );
        check_rubric(
            "```\n**Score:** 3\n```\n",
            expect![[r#"
                not a rubric
            "#]],
        );
    }
}

//! `score` and `unscored`, over a note's interview rubrics: a score line
//! that cannot be read on the scale 1–4 (a warning on what is written,
//! saying how to write it), a second score line in one rubric (only the
//! first counts), and a rubric left without a score once others of its
//! packet are scored (a hint on its empty score line: the interview is
//! over, or that question was skipped).

use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::note::Note;
use crate::core::scores::{Reading, ScoredPacket, read_scores, rubric::might_hold_score_line};

pub(super) fn scores(text: &str, note: &Note) -> Vec<Diagnostic> {
    if !might_hold_score_line(text) {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    for packet in read_scores(text, note) {
        unreadable_scores(&packet, &mut diagnostics);
        unscored(&packet, &mut diagnostics);
    }
    diagnostics
}

fn unreadable_scores(packet: &ScoredPacket, diagnostics: &mut Vec<Diagnostic>) {
    for question in &packet.questions {
        let score = &question.rubric.score;
        if let Reading::Problem(problem) = &score.reading {
            diagnostics.push(Diagnostic::new(
                score.value.clone(),
                Severity::Warning,
                codes::SCORE,
                format!("{}: {}", question.key, problem.message()),
            ));
        }
        for extra in &question.rubric.extra_scores {
            diagnostics.push(Diagnostic::new(
                extra.clone(),
                Severity::Warning,
                codes::SCORE,
                format!(
                    "a second score line for {}: only the first one counts",
                    question.key
                ),
            ));
        }
    }
}

fn unscored(packet: &ScoredPacket, diagnostics: &mut Vec<Diagnostic>) {
    let is_blank = |reading: &Reading| matches!(reading, Reading::Blank);
    let written = packet
        .questions
        .iter()
        .filter(|question| !is_blank(&question.rubric.score.reading))
        .count();
    if written == 0 {
        return;
    }
    let asked = packet.questions.len();
    for question in &packet.questions {
        let score = &question.rubric.score;
        if is_blank(&score.reading) {
            diagnostics.push(Diagnostic::new(
                score.line.clone(),
                Severity::Hint,
                codes::UNSCORED,
                format!(
                    "{} has no score yet ({written} of {asked} in this packet have one)",
                    question.key
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::{check, check_all};
    use crate::core::diagnostic::codes;

    const ROUND: &str = r#"
## Interview packet · 4 questions · 4 categories · about 20 min · scored 1–4

### BE-23 · What is ACID compliance, and why is it important in databases?
- [x] Atomicity
**Score:** 5

### BE-40 · What is SQL injection, and how do you prevent it?
**Score:** 3 – strong
**score**: 2

### BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
*Score: 1 no signal · 2 partial · 3 solid · 4 strong*
**Score:**
**Notes:**

### BE-12 · What is the difference between an API and a web service?
**Score:** 3/4 – solid

## BE-128 · What is load testing, and how do you perform it?
**Score:**
"#;

    #[test]
    fn unreadable_and_second_scores() {
        check(
            codes::SCORE,
            ROUND,
            expect![[r#"
                5:12-5:13 warning[score] BE-23: score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)
                8:12-8:22 warning[score] BE-40: 3 is `solid` on the scale, not `strong`
                9:1-9:13 warning[score] a second score line for BE-40: only the first one counts
            "#]],
        );
    }

    #[test]
    fn unscored_once_others_of_the_packet_are() {
        check(
            codes::UNSCORED,
            ROUND,
            expect![[r#"
                13:1-13:11 hint[unscored] BE-66 has no score yet (3 of 4 in this packet have one)
            "#]],
        );
    }

    #[test]
    fn a_rubric_is_neither_unanswered_nor_judged_as_an_answer() {
        check_all(
            r#"
## Interview packet · 2 questions · 2 categories · about 10 min · scored 1–4

### BE-23 · What is ACID compliance, and why is it important in databases?
- [x] Atomicity: all or nothing
- [ ] Isolation
**Score:** 3
**Notes:** Knew WAL.

### BE-40 · What is SQL injection, and how do you prevent it?
- [ ] Parameterised queries
**Score:**
"#,
            expect![[r#"
                11:1-11:11 hint[unscored] BE-40 has no score yet (1 of 2 in this packet have one)
            "#]],
        );
    }
}

//! Interview scores: the rubrics of a note read as the interviewer left
//! them (`rubric`), grouped by the packet heading they stand under, and
//! added up (`Totals`) per packet here, per candidate folder, category and
//! question across candidates in `rollup`. `qbank scores`, the packet
//! lens, the `score`/`unscored` diagnostics and hover all read scores
//! through this module.

pub mod report;
pub mod rollup;
pub mod rubric;

use std::ops::Range;

use crate::core::key::Key;
use crate::core::line_index::LineCounter;
use crate::core::note::{Note, Section};
use crate::core::packet::is_packet_heading;

pub use rubric::{
    HIGHEST_SCORE, LOWEST_SCORE, Reading, Rubric, ScoreLine, ScoreProblem, Tally, read_rubric,
    score_label,
};

/// A note's question sections grouped by the packet heading above them:
/// a packet heading (`## Interview packet · …`) holds the question
/// sections below it up to the next heading of its level or higher;
/// sections under no packet heading form one group with `heading: None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionGroup {
    /// The packet heading's position among the note's headings.
    pub heading: Option<usize>,
    pub sections: Vec<Section>,
}

/// The note's question sections by packet, in the note's order (the group
/// of sections under no packet first, when there are some).
pub fn packet_groups(note: &Note) -> Vec<SectionGroup> {
    let mut loose = SectionGroup {
        heading: None,
        sections: Vec::new(),
    };
    let mut packets: Vec<SectionGroup> = Vec::new();
    // The packet heading whose extent the walk is in, with its level.
    let mut open: Option<(usize, usize)> = None;
    for (position, heading) in note.headings.iter().enumerate() {
        if open.is_some_and(|(_, level)| heading.level <= level) {
            open = None;
        }
        if heading.key.is_none() && is_packet_heading(&heading.text) {
            open = Some((packets.len(), heading.level));
            packets.push(SectionGroup {
                heading: Some(position),
                sections: Vec::new(),
            });
            continue;
        }
        let Some(section) = note.question_section(position) else {
            continue;
        };
        match open {
            Some((packet, _)) => packets[packet].sections.push(section),
            None => loose.sections.push(section),
        }
    }
    let loose = (!loose.sections.is_empty()).then_some(loose);
    loose.into_iter().chain(packets).collect()
}

impl SectionGroup {
    /// The scores of the group's rubrics, added up (the packet lens and
    /// the score line's hover).
    pub fn totals(&self, text: &str) -> Totals {
        let mut totals = Totals::default();
        for section in &self.sections {
            if let Some(rubric) = read_rubric(text, section.body.clone()) {
                totals.add(&rubric);
            }
        }
        totals
    }
}

/// One scored (or yet unscored) question of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredQuestion {
    pub key: Key,
    /// The question heading.
    pub heading: Range<usize>,
    /// The heading's 0-based line.
    pub line: usize,
    pub rubric: Rubric,
}

/// The rubric sections under one packet heading (or under none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredPacket {
    /// The packet heading's text and 0-based line; `None` for the rubrics
    /// under no packet heading.
    pub heading: Option<(String, usize)>,
    pub questions: Vec<ScoredQuestion>,
}

/// The note's rubrics by packet; packets without a rubric are left out.
pub fn read_scores(text: &str, note: &Note) -> Vec<ScoredPacket> {
    let mut lines = LineCounter::new(text);
    let mut packets = Vec::new();
    for group in packet_groups(note) {
        let heading = group.heading.map(|position| {
            let heading = &note.headings[position];
            (heading.text.clone(), lines.line_of(heading.range.start))
        });
        let questions: Vec<ScoredQuestion> = group
            .sections
            .iter()
            .filter_map(|section| {
                let heading = &note.headings[section.heading];
                let rubric = read_rubric(text, section.body.clone())?;
                Some(ScoredQuestion {
                    key: heading.key.as_ref()?.key,
                    heading: heading.range.clone(),
                    line: lines.line_of(heading.range.start),
                    rubric,
                })
            })
            .collect();
        if !questions.is_empty() {
            packets.push(ScoredPacket { heading, questions });
        }
    }
    packets
}

/// Scores added up over some rubrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Rubric sections: questions asked.
    pub asked: usize,
    /// Those with a readable score.
    pub scored: usize,
    pub score_sum: u32,
    /// Those whose score line is still blank.
    pub unscored: usize,
    /// Those whose score cannot be read (a `score` diagnostic each).
    pub unreadable: usize,
    pub points: Tally,
    pub red_flags: Tally,
}

impl Totals {
    pub fn add(&mut self, rubric: &Rubric) {
        self.asked += 1;
        match rubric.score.reading {
            Reading::Score(score) => {
                self.scored += 1;
                self.score_sum += u32::from(score);
            }
            Reading::Blank => self.unscored += 1,
            Reading::Problem(_) => self.unreadable += 1,
        }
        self.points.add(rubric.points);
        self.red_flags.add(rubric.red_flags);
    }

    pub fn merge(&mut self, other: &Totals) {
        self.asked += other.asked;
        self.scored += other.scored;
        self.score_sum += other.score_sum;
        self.unscored += other.unscored;
        self.unreadable += other.unreadable;
        self.points.add(other.points);
        self.red_flags.add(other.red_flags);
    }

    /// The totals of some rubrics.
    pub fn of<'a>(rubrics: impl IntoIterator<Item = &'a Rubric>) -> Totals {
        let mut totals = Totals::default();
        for rubric in rubrics {
            totals.add(rubric);
        }
        totals
    }

    /// The mean of the readable scores.
    pub fn mean(&self) -> Option<f64> {
        (self.scored > 0).then(|| f64::from(self.score_sum) / self.scored as f64)
    }

    /// As a packet's lens says it while the interview goes on: `10
    /// questions · 7 scored · mean 3.1 / 4 · 2 red flags`.
    pub fn progress(&self) -> String {
        self.said(false)
    }

    /// As `qbank scores` says it: the progress, with the points ticked
    /// and the questions left unscored.
    pub fn summary(&self) -> String {
        self.said(true)
    }

    fn said(&self, in_full: bool) -> String {
        let mut parts = vec![
            plural(self.asked, "question", "questions"),
            format!("{} scored", self.scored),
        ];
        if let Some(mean) = self.mean() {
            parts.push(format!("mean {mean:.1} / {HIGHEST_SCORE}"));
        }
        if in_full && self.points.total > 0 {
            let points = self.points;
            parts.push(format!("{} of {} points", points.ticked, points.total));
        }
        if self.red_flags.ticked > 0 {
            parts.push(plural(self.red_flags.ticked, "red flag", "red flags"));
        }
        if in_full && self.unscored > 0 {
            parts.push(format!("{} unscored", self.unscored));
        }
        if self.unreadable > 0 {
            parts.push(plural(self.unreadable, "score to fix", "scores to fix"));
        }
        parts.join(" · ")
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::core::note::parse_note;

    #[test]
    fn rubrics_by_packet_with_their_totals() {
        let text = "# Alice\n\n### BE-1 · Loose\n**Score:** 2\n\n\
            ## Interview packet · 2 questions · scored 1–4\n\n\
            ### BE-23 · ACID\n- [x] A\n- [ ] C\n**Red flags:**\n- [x] Says fast\n**Score:** 3\n\n\
            #### Detail\n\n### BE-40 · SQL injection\n**Score:**\n\n### BE-41 · Study\nAn answer.\n\n\
            ## Notes\n\n### BE-50 · After\n**Score:** 4/4\n\n\
            ## Study packet · 1 question\n### BE-60 · Not scored\nText.\n";
        let note = parse_note(text);
        let mut rendered = String::new();
        for packet in read_scores(text, &note) {
            let totals = Totals::of(packet.questions.iter().map(|question| &question.rubric));
            rendered.push_str(&format!(
                "{:?}: {} | {}\n",
                packet.heading,
                packet
                    .questions
                    .iter()
                    .map(|question| format!("{}@{}", question.key, question.line))
                    .collect::<Vec<_>>()
                    .join(" "),
                totals.summary()
            ));
        }
        expect![[r#"
            None: BE-1@2 BE-50@24 | 2 questions · 2 scored · mean 3.0 / 4
            Some(("Interview packet · 2 questions · scored 1–4", 5)): BE-23@7 BE-40@16 | 2 questions · 1 scored · mean 3.0 / 4 · 1 of 2 points · 1 red flag · 1 unscored
        "#]]
        .assert_eq(&rendered);
    }
}

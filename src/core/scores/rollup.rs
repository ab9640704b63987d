//! Scores rolled up for a hiring decision: per candidate (a folder holds
//! one candidate's rounds, the rule `asked-before` uses), and within a
//! candidate per packet and per category; and per question across
//! candidates, so a team sees which questions discriminate and which
//! everyone aces.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::core::index::Index;
use crate::core::key::Key;

use crate::core::note::parse_outline;
use crate::core::outline::fast_outline;

use super::rubric::might_hold_score_line;
use super::{Reading, ScoreProblem, ScoredPacket, Totals, read_scores};

/// One note's rubrics, by packet, under its workspace name
/// (`candidates/alice/round-1.md`).
#[derive(Debug, Clone)]
pub struct NoteScores {
    pub name: String,
    pub packets: Vec<ScoredPacket>,
}

/// A note's rubrics, read the cheapest way that reads them exactly: a
/// note without `**Score` is not parsed, a plain one has its headings read
/// line by line (`fast_outline`); `None` for a note without a rubric.
pub fn note_scores(name: &str, text: &str) -> Option<NoteScores> {
    if !might_hold_score_line(text) {
        return None;
    }
    let outline = fast_outline(text).unwrap_or_else(|| parse_outline(text));
    let packets = read_scores(text, &outline);
    (!packets.is_empty()).then(|| NoteScores {
        name: name.to_string(),
        packets,
    })
}

/// Where a question stands: its note and 0-based heading line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionAt {
    pub key: Key,
    pub note: String,
    pub line: usize,
}

/// One packet of a candidate's.
#[derive(Debug, Clone, PartialEq)]
pub struct PacketTotals {
    pub note: String,
    /// The packet heading's text, or `None` for rubrics under none.
    pub title: Option<String>,
    /// The packet heading's 0-based line (the first rubric's without one).
    pub line: usize,
    pub totals: Totals,
}

/// One candidate: the rubrics of the notes of one folder.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateScores {
    /// The folder, as notes are named (`candidates/alice`; `.` for the
    /// workspace root).
    pub folder: String,
    pub notes: usize,
    pub totals: Totals,
    pub packets: Vec<PacketTotals>,
    /// Per category, in the order the bank lists them; questions no bank
    /// knows come last under "Unknown questions".
    pub categories: Vec<(String, Totals)>,
    pub unscored: Vec<QuestionAt>,
    /// The questions whose score cannot be read, with why.
    pub unreadable: Vec<(QuestionAt, ScoreProblem)>,
}

/// The category of questions no bank in use holds.
pub const UNKNOWN_CATEGORY: &str = "Unknown questions";

/// The folder part of a note's name, as candidates are named.
pub fn candidate_of(note: &str) -> &str {
    note.rfind('/').map_or(".", |slash| &note[..slash])
}

/// Every candidate's roll-up, by folder name.
pub fn by_candidate(index: &Index, notes: &[NoteScores]) -> Vec<CandidateScores> {
    let mut folders: BTreeMap<&str, Vec<&NoteScores>> = BTreeMap::new();
    for note in notes.iter().filter(|note| !note.packets.is_empty()) {
        folders
            .entry(candidate_of(&note.name))
            .or_default()
            .push(note);
    }
    let places = CategoryPlaces::new(index);
    folders
        .into_iter()
        .map(|(folder, mut notes)| {
            notes.sort_by(|a, b| a.name.cmp(&b.name));
            candidate(&places, folder, &notes)
        })
        .collect()
}

/// Each category's place among the index's, worked out once for all
/// candidates.
struct CategoryPlaces<'a> {
    index: &'a Index,
    places: FxHashMap<&'a str, usize>,
}

impl<'a> CategoryPlaces<'a> {
    fn new(index: &'a Index) -> CategoryPlaces<'a> {
        let places = index
            .category_names()
            .into_iter()
            .enumerate()
            .map(|(place, name)| (name, place))
            .collect();
        CategoryPlaces { index, places }
    }

    /// A question's category and the category's place, unknown questions
    /// last.
    fn of(&self, key: &Key) -> (usize, String) {
        let Some(id) = self.index.lookup(key) else {
            return (usize::MAX, UNKNOWN_CATEGORY.to_string());
        };
        let name = self.index.get(id).category();
        let place = self.places.get(name).copied().unwrap_or(usize::MAX - 1);
        (place, name.to_string())
    }
}

fn candidate(places: &CategoryPlaces, folder: &str, notes: &[&NoteScores]) -> CandidateScores {
    let mut totals = Totals::default();
    let mut packets = Vec::new();
    // Keyed by the category's place in the index, unknown questions last.
    let mut categories: BTreeMap<(usize, String), Totals> = BTreeMap::new();
    let mut unscored = Vec::new();
    let mut unreadable = Vec::new();
    for note in notes {
        for packet in &note.packets {
            let packet_totals = Totals::of(packet.questions.iter().map(|q| &q.rubric));
            totals.merge(&packet_totals);
            packets.push(PacketTotals {
                note: note.name.clone(),
                title: packet.heading.as_ref().map(|(text, _)| text.clone()),
                line: packet
                    .heading
                    .as_ref()
                    .map_or(packet.questions[0].line, |(_, line)| *line),
                totals: packet_totals,
            });
            for question in &packet.questions {
                categories
                    .entry(places.of(&question.key))
                    .or_default()
                    .add(&question.rubric);
                let at = || QuestionAt {
                    key: question.key,
                    note: note.name.clone(),
                    line: question.line,
                };
                match &question.rubric.score.reading {
                    Reading::Blank => unscored.push(at()),
                    Reading::Problem(problem) => unreadable.push((at(), problem.clone())),
                    Reading::Score(_) => {}
                }
            }
        }
    }
    CandidateScores {
        folder: folder.to_string(),
        notes: notes.len(),
        totals,
        packets,
        categories: categories
            .into_iter()
            .map(|((_, name), totals)| (name, totals))
            .collect(),
        unscored,
        unreadable,
    }
}

/// One question's scores across candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionScores {
    pub key: Key,
    /// The candidate folders that were asked it.
    pub candidates: usize,
    /// Every readable score given to it, in candidate order.
    pub scores: Vec<u8>,
}

impl QuestionScores {
    pub fn mean(&self) -> Option<f64> {
        let sum: u32 = self.scores.iter().map(|&score| u32::from(score)).sum();
        (!self.scores.is_empty()).then(|| f64::from(sum) / self.scores.len() as f64)
    }

    /// The population standard deviation: 0 when everyone got the same,
    /// 1.5 when half got 1 and half 4.
    pub fn spread(&self) -> Option<f64> {
        let mean = self.mean()?;
        let variance = self
            .scores
            .iter()
            .map(|&score| (f64::from(score) - mean).powi(2))
            .sum::<f64>()
            / self.scores.len() as f64;
        Some(variance.sqrt())
    }

    pub fn lowest(&self) -> Option<u8> {
        self.scores.iter().copied().min()
    }

    pub fn highest(&self) -> Option<u8> {
        self.scores.iter().copied().max()
    }
}

/// Per question across every candidate, the questions that discriminate
/// most first (widest spread), then the lowest mean; questions asked but
/// never scored last.
pub fn by_question(notes: &[NoteScores]) -> Vec<QuestionScores> {
    let mut sorted: Vec<&NoteScores> = notes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut questions: FxHashMap<&Key, (QuestionScores, Option<&str>)> = FxHashMap::default();
    for note in sorted {
        let folder = candidate_of(&note.name);
        for question in note.packets.iter().flat_map(|packet| &packet.questions) {
            let (scores, last_folder) = questions.entry(&question.key).or_insert_with(|| {
                let scores = QuestionScores {
                    key: question.key,
                    candidates: 0,
                    scores: Vec::new(),
                };
                (scores, None)
            });
            if *last_folder != Some(folder) {
                scores.candidates += 1;
                *last_folder = Some(folder);
            }
            scores.scores.extend(question.rubric.score());
        }
    }
    let mut questions: Vec<QuestionScores> =
        questions.into_values().map(|(scores, _)| scores).collect();
    questions.sort_by(|a, b| {
        let spread = |question: &QuestionScores| question.spread().unwrap_or(-1.0);
        let mean = |question: &QuestionScores| question.mean().unwrap_or(f64::MAX);
        spread(b)
            .total_cmp(&spread(a))
            .then(mean(a).total_cmp(&mean(b)))
            .then_with(|| a.key.cmp(&b.key))
    });
    questions
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::core::builtin::builtin_bank;
    use crate::core::note::parse_note;

    fn note(name: &str, scores: &[(&str, &str)]) -> NoteScores {
        let mut text = format!(
            "## Interview packet · {} questions · scored 1–4\n",
            scores.len()
        );
        for (key, score) in scores {
            text.push_str(&format!(
                "### {key} · Q\n- [x] a\n- [ ] b\n**Score:** {score}\n"
            ));
        }
        NoteScores {
            name: name.to_string(),
            packets: read_scores(&text, &parse_note(&text)),
        }
    }

    fn fixture() -> Vec<NoteScores> {
        vec![
            note(
                "c/bob/r1.md",
                &[("BE-23", "1"), ("BE-40", "4"), ("BE-1", "")],
            ),
            note("c/alice/r1.md", &[("BE-23", "4"), ("BE-40", "4")]),
            note("c/alice/r2.md", &[("BE-66", "3/4"), ("XX-9", "good")]),
            note("top.md", &[("BE-23", "")]),
        ]
    }

    #[test]
    fn per_candidate_packet_and_category() {
        let index = Index::new(Some(builtin_bank()), Vec::new());
        let mut rendered = String::new();
        for candidate in by_candidate(&index, &fixture()) {
            rendered.push_str(&format!(
                "{} ({} notes): {}\n",
                candidate.folder,
                candidate.notes,
                candidate.totals.summary()
            ));
            for packet in &candidate.packets {
                let title = packet.title.as_deref().unwrap_or("-");
                let summary = packet.totals.summary();
                rendered.push_str(&format!(
                    "  {}:{} {title}: {summary}\n",
                    packet.note, packet.line
                ));
            }
            for (category, totals) in &candidate.categories {
                rendered.push_str(&format!("  {category}: {}\n", totals.summary()));
            }
            for at in &candidate.unscored {
                rendered.push_str(&format!("  unscored {} {}:{}\n", at.key, at.note, at.line));
            }
            for (at, problem) in &candidate.unreadable {
                rendered.push_str(&format!("  unreadable {} {problem:?}\n", at.key));
            }
        }
        expect![[r#"
            . (1 notes): 1 question · 0 scored · 1 of 2 points · 1 unscored
              top.md:0 Interview packet · 1 questions · scored 1–4: 1 question · 0 scored · 1 of 2 points · 1 unscored
              Databases and Data Storage: 1 question · 0 scored · 1 of 2 points · 1 unscored
              unscored BE-23 top.md:1
            c/alice (2 notes): 4 questions · 3 scored · mean 3.7 / 4 · 4 of 8 points · 1 score to fix
              c/alice/r1.md:0 Interview packet · 2 questions · scored 1–4: 2 questions · 2 scored · mean 4.0 / 4 · 2 of 4 points
              c/alice/r2.md:0 Interview packet · 2 questions · scored 1–4: 2 questions · 1 scored · mean 3.0 / 4 · 2 of 4 points · 1 score to fix
              Databases and Data Storage: 2 questions · 2 scored · mean 4.0 / 4 · 2 of 4 points
              Performance Optimization: 1 question · 1 scored · mean 3.0 / 4 · 1 of 2 points
              Unknown questions: 1 question · 0 scored · 1 of 2 points · 1 score to fix
              unreadable XX-9 Unreadable("good")
            c/bob (1 notes): 3 questions · 2 scored · mean 2.5 / 4 · 3 of 6 points · 1 unscored
              c/bob/r1.md:0 Interview packet · 3 questions · scored 1–4: 3 questions · 2 scored · mean 2.5 / 4 · 3 of 6 points · 1 unscored
              General Back-End Development Concepts: 1 question · 0 scored · 1 of 2 points · 1 unscored
              Databases and Data Storage: 2 questions · 2 scored · mean 2.5 / 4 · 2 of 4 points
              unscored BE-1 c/bob/r1.md:9
        "#]]
        .assert_eq(&rendered);
    }

    #[test]
    fn per_question_widest_spread_first() {
        let mut rendered = String::new();
        for question in by_question(&fixture()) {
            rendered.push_str(&format!(
                "{} asked {} · scores {:?} · mean {:?} · spread {:?}\n",
                question.key,
                question.candidates,
                question.scores,
                question.mean(),
                question
                    .spread()
                    .map(|spread| (spread * 100.0).round() / 100.0),
            ));
        }
        expect![[r#"
            BE-23 asked 3 · scores [4, 1] · mean Some(2.5) · spread Some(1.5)
            BE-66 asked 1 · scores [3] · mean Some(3.0) · spread Some(0.0)
            BE-40 asked 2 · scores [4, 4] · mean Some(4.0) · spread Some(0.0)
            BE-1 asked 1 · scores [] · mean None · spread None
            XX-9 asked 1 · scores [] · mean None · spread None
        "#]]
        .assert_eq(&rendered);
    }
}

//! Spaced review as the editor and the command line show it: the lenses
//! over an answered question section ("Due today · Again · Hard · Good ·
//! Easy", "Next review in 4 days"), the review line of a heading's hover,
//! and the sections due on a day across the workspace's notes, soonest
//! first (`qbank due`, `qbank.nextDue`, `qbank review`).
//!
//! Only the first section of a question in a note is reviewed, as only it
//! is checked: a rating names the question, and the note's first section
//! for it holds the marker.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;

use crate::core::ide::lens::{Lens, LensAction};
use crate::core::ide::notes::{NoteSummary, SectionSummary, section_summaries};
use crate::core::ide::{Context, Document};
use crate::core::index::Index;
use crate::core::key::Key;
use crate::core::note::{Note, is_answered};
use crate::core::review::{Rating, ReviewState, Standing, section_review};
use crate::core::template::{Overrides, ScaffoldingCache};

/// The review lenses of a document: over the heading of each answered
/// question section (the first for its question), its standing, and the
/// four ratings when it is due or new.
pub fn review_lenses(
    context: &Context,
    document: &Document,
    cache: &mut ScaffoldingCache,
) -> Vec<Lens> {
    let sections = section_summaries(
        context.index,
        context.overrides,
        cache,
        document.text,
        document.note,
    );
    let mut lenses = Vec::new();
    for section in first_sections(sections.iter()) {
        if !section.answered {
            continue;
        }
        let standing = section.review.standing(context.today);
        let range = section.heading.clone();
        lenses.push(Lens::label(range.clone(), standing.describe()));
        if matches!(standing, Standing::New | Standing::Due { .. }) {
            lenses.extend(Rating::ALL.into_iter().map(|rating| Lens {
                range: range.clone(),
                title: rating.label().to_string(),
                action: Some(LensAction::Review {
                    key: section.key,
                    rating,
                }),
            }));
        }
    }
    lenses
}

/// Each question's first section, in order.
fn first_sections<'s>(
    sections: impl Iterator<Item = &'s SectionSummary>,
) -> impl Iterator<Item = &'s SectionSummary> {
    let mut seen: HashSet<Key> = HashSet::new();
    sections.filter(move |section| seen.insert(section.key))
}

/// How a note stands, as an editor's status bar says it: its distinct
/// questions, how many it answers, how many of those are due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoteStanding {
    pub questions: usize,
    pub answered: usize,
    pub due: usize,
}

/// The standing of a note given its text and section summaries.
pub fn note_standing(
    name: &str,
    text: &str,
    sections: &[SectionSummary],
    today: NaiveDate,
) -> NoteStanding {
    let (questions, answered) = first_sections(sections.iter())
        .fold((0, 0), |(questions, answered), section| {
            (questions + 1, answered + usize::from(section.answered))
        });
    NoteStanding {
        questions,
        answered,
        due: due_in_note(name, text, sections, today).len(),
    }
}

/// The review line of a question heading's hover: "Review: good on
/// 2026-11-30 · due 2026-12-04 (in 4 days) · stability 3.1 days · 2
/// reviews", "Review: new" for an answered section never reviewed.
pub fn review_summary(state: &ReviewState, answered: bool, today: NaiveDate) -> Option<String> {
    match state {
        ReviewState::New if answered => {
            Some("Review: new (rate it from the lens to start its schedule)".to_string())
        }
        ReviewState::New => None,
        ReviewState::Broken(problem) => Some(format!("Review: {problem}")),
        ReviewState::Scheduled(marker) => {
            let when = match state.standing(today) {
                Standing::Due { overdue_days: 0 } => "today".to_string(),
                Standing::Due { overdue_days } => format!("{overdue_days} days ago"),
                Standing::Waiting { in_days: 1 } => "tomorrow".to_string(),
                Standing::Waiting { in_days } => format!("in {in_days} days"),
                Standing::New | Standing::Broken => String::new(),
            };
            Some(format!(
                "Review: {} on {} · due {} ({when}) · stability {:.1} days · {} review{}",
                marker.rating,
                marker.reviewed,
                marker.due,
                marker.stability,
                marker.reviews,
                if marker.reviews == 1 { "" } else { "s" }
            ))
        }
    }
}

/// One section due for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSection {
    /// The note's name.
    pub note: String,
    pub key: Key,
    /// The heading's line and the section, and the heading's line number
    /// (1-based).
    pub heading: Range<usize>,
    pub range: Range<usize>,
    pub line: usize,
    pub due: NaiveDate,
    pub overdue_days: i64,
}

/// The answered sections of one note due on `today` (the first section
/// of each question), given the note's text and its section summaries.
pub fn due_in_note(
    name: &str,
    text: &str,
    sections: &[SectionSummary],
    today: NaiveDate,
) -> Vec<DueSection> {
    let mut due = DueList::new(name, text);
    for section in first_sections(sections.iter()).filter(|section| section.answered) {
        due.add(
            &section.key,
            &section.heading,
            &section.range,
            &section.review,
            today,
        );
    }
    due.sections
}

/// `due_in_note` straight from a parsed note, for a command that reads
/// each note once: a section's answer is looked at only when its marker
/// says it is due.
pub fn due_in_parsed(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    (name, text): (&str, &str),
    note: &Note,
    today: NaiveDate,
) -> Vec<DueSection> {
    let mut due = DueList::new(name, text);
    let mut seen: HashSet<&Key> = HashSet::new();
    for section in note.question_sections() {
        let heading = &note.headings[section.heading];
        let Some(found) = &heading.key else { continue };
        if !seen.insert(&found.key) {
            continue;
        }
        let review = section_review(text, &section).state;
        if !review.standing(today).is_due() {
            continue;
        }
        let answered = index
            .lookup(&found.key)
            .is_none_or(|id| is_answered(text, &section, cache.get(index, overrides, id)));
        if answered {
            due.add(&found.key, &heading.range, &section.range, &review, today);
        }
    }
    due.sections
}

/// Due sections of one note as they are found, in order, their heading's
/// line counted on from the previous one.
struct DueList<'t> {
    name: &'t str,
    text: &'t str,
    /// The offset lines are counted up to, and its line (1-based).
    counted: (usize, usize),
    sections: Vec<DueSection>,
}

impl<'t> DueList<'t> {
    fn new(name: &'t str, text: &'t str) -> DueList<'t> {
        DueList {
            name,
            text,
            counted: (0, 1),
            sections: Vec::new(),
        }
    }

    fn add(
        &mut self,
        key: &Key,
        heading: &Range<usize>,
        range: &Range<usize>,
        review: &ReviewState,
        today: NaiveDate,
    ) {
        let (Some(marker), Standing::Due { overdue_days }) =
            (review.marker(), review.standing(today))
        else {
            return;
        };
        let (from, line) = self.counted;
        let upto = heading.start.min(self.text.len()).max(from);
        let line = line + memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..upto]).count();
        self.counted = (upto, line);
        self.sections.push(DueSection {
            note: self.name.to_string(),
            key: *key,
            heading: heading.clone(),
            range: range.clone(),
            line,
            due: marker.due,
            overdue_days,
        });
    }
}

/// Soonest due first, then by note and position.
pub fn sort_due(due: &mut [DueSection]) {
    due.sort_by(|a, b| (a.due, &a.note, a.heading.start).cmp(&(b.due, &b.note, b.heading.start)));
}

/// The answered sections due on `today` across `notes`, sorted.
pub fn due_sections<'n>(
    notes: impl IntoIterator<Item = &'n NoteSummary>,
    today: NaiveDate,
) -> Vec<DueSection> {
    let mut due: Vec<DueSection> = notes
        .into_iter()
        .flat_map(|note| due_in_note(&note.name, note.text(), note.sections(), today))
        .collect();
    sort_due(&mut due);
    due
}

/// Answered sections never reviewed, in note order: what `qbank review
/// --new` offers after the due ones.
pub fn new_sections<'n>(
    notes: impl IntoIterator<Item = &'n NoteSummary>,
) -> Vec<(&'n NoteSummary, &'n SectionSummary)> {
    notes
        .into_iter()
        .flat_map(|note| {
            first_sections(note.sections().iter())
                .filter(|section| section.answered && section.review == ReviewState::New)
                .map(move |section| (note, section))
        })
        .collect()
}

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
use crate::core::ide::notes::{NoteSummary, Notes, SectionSummary};
use crate::core::ide::{Context, Document};
use crate::core::key::Key;
use crate::core::review::{Rating, ReviewState, Standing};

/// The review lenses of a document: over the heading of each answered
/// question section (the first for its question), its standing, and the
/// four ratings when it is due or new.
pub fn review_lenses(context: &Context, document: &Document) -> Vec<Lens> {
    let mut lenses = Vec::new();
    for section in first_sections(document_sections(context, document).iter()) {
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
                    key: section.key.clone(),
                    rating,
                }),
            }));
        }
    }
    lenses
}

/// The document's question sections, summarized from its own text.
fn document_sections(context: &Context, document: &Document) -> Vec<SectionSummary> {
    crate::core::ide::notes::section_summaries(
        context.index,
        context.overrides,
        &mut Default::default(),
        document.text,
        document.note,
    )
}

/// Each question's first section, in order.
fn first_sections<'s>(
    sections: impl Iterator<Item = &'s SectionSummary>,
) -> impl Iterator<Item = &'s SectionSummary> {
    let mut seen: HashSet<Key> = HashSet::new();
    sections.filter(move |section| seen.insert(section.key.clone()))
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
#[derive(Debug, Clone)]
pub struct DueSection<'n> {
    pub note: &'n NoteSummary,
    pub key: Key,
    /// The heading's line and the section.
    pub heading: Range<usize>,
    pub range: Range<usize>,
    pub due: NaiveDate,
    pub overdue_days: i64,
}

/// The answered sections due on `today` across `notes` (each note's first
/// section for a question), soonest due first, then by note and position.
pub fn due_sections(notes: &Notes, today: NaiveDate) -> Vec<DueSection<'_>> {
    let mut due = Vec::new();
    for note in notes.iter() {
        for section in first_sections(note.sections.iter()) {
            let Some(marker) = section.review.marker().filter(|_| section.answered) else {
                continue;
            };
            if let Standing::Due { overdue_days } = section.review.standing(today) {
                due.push(DueSection {
                    note,
                    key: section.key.clone(),
                    heading: section.heading.clone(),
                    range: section.range.clone(),
                    due: marker.due,
                    overdue_days,
                });
            }
        }
    }
    due.sort_by(|a, b| {
        (a.due, &a.note.name, a.heading.start).cmp(&(b.due, &b.note.name, b.heading.start))
    });
    due
}

/// Answered sections never reviewed, in note order: what `qbank review
/// --new` offers after the due ones.
pub fn new_sections(notes: &Notes) -> Vec<(&NoteSummary, &SectionSummary)> {
    notes
        .iter()
        .flat_map(|note| {
            first_sections(note.sections.iter())
                .filter(|section| section.answered && section.review == ReviewState::New)
                .map(move |section| (note, section))
        })
        .collect()
}

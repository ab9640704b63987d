//! Spaced review of answered question sections (PRODUCT §5a). A section's
//! review state is its marker (`marker`), the first non-blank line of its
//! body; `schedule` turns a rating into the next marker with FSRS. This
//! module finds the marker, says where a section stands on a given day,
//! and builds the one edit that records a rating: a replaced marker line,
//! or a new one right under the heading. Nothing here reads the clock:
//! "today" is the caller's.

pub mod marker;
pub mod schedule;

use std::ops::Range;

use chrono::NaiveDate;

pub use marker::{MARKER_START, Marker, Rating, is_marker_line};
pub use schedule::{DEFAULT_RETENTION, Scheduler};

use crate::core::diagnostic::TextEdit;
use crate::core::front_matter::line_end;
use crate::core::note::{Note, Section};

/// A section's review state, as its marker line says.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewState {
    /// No marker: never reviewed.
    New,
    Scheduled(Marker),
    /// A marker that cannot be read, and why.
    Broken(String),
}

/// A section's marker line (its line break excluded) and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionReview {
    pub line: Option<Range<usize>>,
    pub state: ReviewState,
}

/// Where a section stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    New,
    /// Due on the day or before it, by this many days (0: due that day).
    Due {
        overdue_days: i64,
    },
    /// Not due for this many days.
    Waiting {
        in_days: i64,
    },
    Broken,
}

impl ReviewState {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        match self {
            ReviewState::New => Standing::New,
            ReviewState::Broken(_) => Standing::Broken,
            ReviewState::Scheduled(marker) => {
                let days = (marker.due - today).num_days();
                if days <= 0 {
                    Standing::Due {
                        overdue_days: -days,
                    }
                } else {
                    Standing::Waiting { in_days: days }
                }
            }
        }
    }

    pub fn marker(&self) -> Option<&Marker> {
        match self {
            ReviewState::Scheduled(marker) => Some(marker),
            _ => None,
        }
    }
}

impl Standing {
    pub fn is_due(self) -> bool {
        matches!(self, Standing::Due { .. })
    }

    /// "Due today", "Due 3 days ago", "Next review in 4 days", "New".
    pub fn describe(self) -> String {
        match self {
            Standing::New => "New".to_string(),
            Standing::Due { overdue_days: 0 } => "Due today".to_string(),
            Standing::Due { overdue_days: 1 } => "Due since yesterday".to_string(),
            Standing::Due { overdue_days } => format!("Due {overdue_days} days ago"),
            Standing::Waiting { in_days: 1 } => "Next review tomorrow".to_string(),
            Standing::Waiting { in_days } => format!("Next review in {in_days} days"),
            Standing::Broken => "Review marker unreadable".to_string(),
        }
    }
}

/// The review state of a section: its marker is the first non-blank line
/// of its body, when that line starts with `<!-- qbank:`.
pub fn section_review(text: &str, section: &Section) -> SectionReview {
    let Some(line) = marker_line(text, section) else {
        return SectionReview {
            line: None,
            state: ReviewState::New,
        };
    };
    let state = match Marker::parse(&text[line.clone()]) {
        Ok(marker) => ReviewState::Scheduled(marker),
        Err(problem) => ReviewState::Broken(problem),
    };
    SectionReview {
        line: Some(line),
        state,
    }
}

fn marker_line(text: &str, section: &Section) -> Option<Range<usize>> {
    let body = section.body.clone();
    let mut start = body.start;
    while start < body.end {
        let end = line_end(text, start).min(body.end);
        let line = text.get(start..end)?;
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            return is_marker_line(content).then(|| start..start + content.len());
        }
        start = end;
    }
    None
}

/// Whether any review marker of `text` could be due on `today`: false
/// only when every marker line names a later due date (or there is none),
/// so a command looking for due sections may skip the note unparsed. A
/// marker it cannot read at a glance counts as possibly due.
pub fn may_be_due(text: &str, today: NaiveDate) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), MARKER_START).any(|start| {
        let line = &text[start..crate::core::front_matter::line_end(text, start)];
        let due = line
            .split(" · ")
            .find_map(|segment| segment.trim().strip_prefix("due "))
            .and_then(|date| NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok());
        due.is_none_or(|due| due <= today)
    })
}

/// The first section of `note` for question `key` (as written in its
/// heading), whether or not answered.
pub fn first_section_for(note: &Note, key: &crate::core::key::Key) -> Option<Section> {
    note.question_sections().into_iter().find(|section| {
        note.headings[section.heading]
            .key
            .as_ref()
            .is_some_and(|found| &found.key == key)
    })
}

/// The edit that records `rating` for `section` on `today`, and the marker
/// it writes: the section's marker line replaced, or a new line right
/// under its heading, in the note's own line ending. A section whose marker
/// cannot be read is refused: its line is the student's to fix or delete.
pub fn review_edit(
    text: &str,
    note: &Note,
    section: &Section,
    today: NaiveDate,
    rating: Rating,
    scheduler: &Scheduler,
) -> Result<(TextEdit, Marker), String> {
    let review = section_review(text, section);
    let previous = match &review.state {
        ReviewState::Broken(problem) => {
            return Err(format!(
                "{problem}: fix or delete the marker line, then rate again"
            ));
        }
        state => state.marker(),
    };
    let marker = scheduler.rate(previous, today, rating);
    let edit = match review.line {
        Some(line) => TextEdit {
            range: line,
            new_text: marker.to_string(),
        },
        None => insertion_under(text, &note.headings[section.heading].range, &marker),
    };
    Ok((edit, marker))
}

/// A new marker line right under the heading whose range is given.
fn insertion_under(text: &str, heading: &Range<usize>, marker: &Marker) -> TextEdit {
    let end = line_end(text, heading.start.min(text.len()));
    let heading_line = &text[heading.start.min(end)..end];
    let line_break = if heading_line.ends_with("\r\n") {
        "\r\n"
    } else if heading_line.ends_with('\n') {
        "\n"
    } else if heading_line.ends_with('\r') {
        "\r"
    } else if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let new_text = if heading_line.ends_with('\n') || heading_line.ends_with('\r') {
        format!("{marker}{line_break}")
    } else {
        // The heading is the text's last line, without a break.
        format!("{line_break}{marker}")
    };
    TextEdit {
        range: end..end,
        new_text,
    }
}

#[cfg(test)]
mod tests;

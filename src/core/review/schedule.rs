//! Scheduling with FSRS through the `rs-fsrs` crate: default parameters,
//! the long-term scheduler (a question comes back after whole days, never
//! within the day: a student reviews notes, not flash cards, and a note is
//! opened once a day at most), no fuzz (the same ratings give the same
//! dates, in tests and between machines), and the student's desired
//! retention. Days are calendar days: a review "on" a date happens at its
//! midnight UTC, so elapsed days are whole.

use chrono::{DateTime, NaiveDate, Utc};
use rs_fsrs::{Card, FSRS, Parameters, State};

use super::marker::{Marker, Rating};

/// The desired retention when none is set: FSRS's own default.
pub const DEFAULT_RETENTION: f64 = 0.9;

/// The scheduler for one desired retention (0.7–0.99, checked by the
/// configuration).
pub struct Scheduler {
    fsrs: FSRS,
}

impl Scheduler {
    pub fn new(desired_retention: f64) -> Scheduler {
        Scheduler {
            fsrs: FSRS::new(Parameters {
                request_retention: desired_retention,
                enable_short_term: false,
                enable_fuzz: false,
                ..Parameters::default()
            }),
        }
    }

    /// The marker after rating a review on `today`: from the section's
    /// marker, or from scratch for its first review. What the marker
    /// carries that qbank does not know is kept.
    pub fn rate(&self, previous: Option<&Marker>, today: NaiveDate, rating: Rating) -> Marker {
        let now = midnight(today);
        let card = previous.map_or_else(|| new_card(now), card_of);
        let next = self.fsrs.next(card, now, fsrs_rating(rating)).card;
        Marker {
            reviewed: today,
            rating,
            due: next.due.date_naive(),
            stability: next.stability,
            difficulty: next.difficulty,
            reviews: u32::try_from(next.reps).unwrap_or(0),
            lapses: u32::try_from(next.lapses).unwrap_or(0),
            unknown_segments: previous
                .map_or_else(Vec::new, |marker| marker.unknown_segments.clone()),
            unknown_fields: previous.map_or_else(Vec::new, |marker| marker.unknown_fields.clone()),
        }
    }
}

pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

pub fn new_card(now: DateTime<Utc>) -> Card {
    Card {
        due: now,
        last_review: now,
        ..Card::default()
    }
}

/// The card a marker describes: in review since its last rating.
fn card_of(marker: &Marker) -> Card {
    Card {
        due: midnight(marker.due),
        stability: marker.stability,
        difficulty: marker.difficulty,
        elapsed_days: 0,
        scheduled_days: (marker.due - marker.reviewed).num_days(),
        reps: i32::try_from(marker.reviews).unwrap_or(i32::MAX),
        lapses: i32::try_from(marker.lapses).unwrap_or(i32::MAX),
        state: State::Review,
        last_review: midnight(marker.reviewed),
    }
}

pub fn fsrs_rating(rating: Rating) -> rs_fsrs::Rating {
    match rating {
        Rating::Again => rs_fsrs::Rating::Again,
        Rating::Hard => rs_fsrs::Rating::Hard,
        Rating::Good => rs_fsrs::Rating::Good,
        Rating::Easy => rs_fsrs::Rating::Easy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Sequences of (days after the due date, rating), replayed through
    /// markers written and read back, and through the crate with its card
    /// carried along: the due dates agree at every step.
    #[test]
    fn the_schedule_is_the_crates_own() {
        use Rating::*;
        let sequences: [&[(i64, Rating)]; 5] = [
            &[
                (0, Good),
                (0, Good),
                (0, Good),
                (0, Good),
                (0, Good),
                (0, Good),
            ],
            &[
                (0, Good),
                (0, Again),
                (0, Again),
                (0, Good),
                (0, Hard),
                (0, Easy),
            ],
            &[
                (0, Easy),
                (3, Good),
                (-1, Hard),
                (10, Again),
                (0, Good),
                (40, Good),
            ],
            &[(0, Again), (0, Again), (0, Again), (0, Again), (0, Good)],
            &[
                (0, Hard),
                (1, Hard),
                (2, Hard),
                (0, Easy),
                (0, Easy),
                (0, Easy),
            ],
        ];
        for retention in [0.9, 0.8, 0.97] {
            let scheduler = Scheduler::new(retention);
            for sequence in sequences {
                let mut today = date("2026-11-30");
                let mut marker: Option<Marker> = None;
                let mut card = new_card(midnight(today));
                for &(late, rating) in sequence {
                    let next = scheduler.rate(marker.as_ref(), today, rating);
                    let written = next.to_string();
                    let read = Marker::parse(&written).unwrap();
                    assert_eq!(read, next, "{written}");
                    card = scheduler
                        .fsrs
                        .next(card, midnight(today), fsrs_rating(rating))
                        .card;
                    assert_eq!(read.due, card.due.date_naive(), "{sequence:?} at {today}");
                    assert_eq!(read.stability, card.stability);
                    marker = Some(read);
                    today = card.due.date_naive() + chrono::Duration::days(late);
                }
            }
        }
    }

    #[test]
    fn a_first_good_comes_back_in_days_and_again_sooner() {
        let scheduler = Scheduler::new(DEFAULT_RETENTION);
        let today = date("2026-11-30");
        let due: Vec<String> = Rating::ALL
            .iter()
            .map(|&rating| scheduler.rate(None, today, rating).due.to_string())
            .collect();
        expect_test::expect!["2026-12-01 2026-12-02 2026-12-03 2026-12-15"]
            .assert_eq(&due.join(" "));
    }
}

//! The review marker: one HTML comment line under a question heading that
//! holds the section's spaced-review state, invisible when the markdown is
//! rendered and one changed line per review in a diff:
//!
//! ```markdown
//! <!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3.1262 d=7.2102 n=1 -->
//! ```
//!
//! Segments are separated by ` · `: `reviewed DATE RATING`, `due DATE`, and
//! the memory `s=` (stability, days), `d=` (difficulty, 1–10), `n=`
//! (reviews so far) and `l=` (lapses, when any). Numbers are written in
//! full (the shortest text that reads back the same), so that a schedule
//! read from a note continues exactly. A segment or a `key=value` qbank
//! does not know is kept, in its place, when the marker is rewritten: a
//! newer qbank may add fields without an older one dropping them.

use std::fmt;

use chrono::NaiveDate;

/// What a marker line starts with, after any indentation.
pub const MARKER_START: &str = "<!-- qbank:";
const MARKER_END: &str = "-->";
const SEPARATOR: &str = " · ";

/// How a student rated their recall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }

    /// `good`, `Good` or the rating's number, 1 (again) to 4 (easy).
    pub fn parse(text: &str) -> Option<Rating> {
        let text = text.trim();
        Rating::ALL.into_iter().find(|rating| {
            rating.as_str().eq_ignore_ascii_case(text) || rating.number().to_string() == text
        })
    }

    /// 1 for again to 4 for easy, as FSRS numbers them.
    pub fn number(self) -> u8 {
        match self {
            Rating::Again => 1,
            Rating::Hard => 2,
            Rating::Good => 3,
            Rating::Easy => 4,
        }
    }

    /// "Again", as a button says it.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Again => "Again",
            Rating::Hard => "Hard",
            Rating::Good => "Good",
            Rating::Easy => "Easy",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A section's review state as its marker says.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub reviewed: NaiveDate,
    pub rating: Rating,
    pub due: NaiveDate,
    pub stability: f64,
    pub difficulty: f64,
    pub reviews: u32,
    pub lapses: u32,
    /// What this qbank does not know, kept as written: whole segments, and
    /// `key=value` pairs of the memory segment.
    pub unknown_segments: Vec<String>,
    pub unknown_fields: Vec<String>,
}

/// Whether a line is meant as a marker (well formed or not).
pub fn is_marker_line(line: &str) -> bool {
    line.trim_start().starts_with(MARKER_START)
}

impl Marker {
    /// Reads a marker line (its line break excluded); the error says what
    /// is wrong in words a student can act on.
    pub fn parse(line: &str) -> Result<Marker, String> {
        let line = line.trim();
        let rest = line
            .strip_prefix(MARKER_START)
            .ok_or_else(|| format!("a review marker starts with `{MARKER_START}`"))?;
        let body = rest.strip_suffix(MARKER_END).ok_or_else(|| {
            format!(
                "the review marker does not end with `{MARKER_END}` on its line, so it hides what follows it"
            )
        })?;
        let mut reviewed = None;
        let mut due = None;
        let mut memory = None;
        let mut unknown_segments = Vec::new();
        for segment in body.split(SEPARATOR.trim()).map(str::trim) {
            let mut words = segment.split_whitespace();
            match words.next() {
                Some("reviewed") => reviewed = Some(read_reviewed(&mut words)?),
                Some("due") => due = Some(read_date(words.next(), "due")?),
                Some(first) if first.contains('=') => memory = Some(segment),
                Some(_) => unknown_segments.push(segment.to_string()),
                None => {}
            }
        }
        let (reviewed, rating) =
            reviewed.ok_or("the review marker has no `reviewed DATE RATING`")?;
        let due = due.ok_or("the review marker has no `due DATE`")?;
        if due < reviewed {
            return Err(format!(
                "the review marker's due date {due} is before its review {reviewed}"
            ));
        }
        let mut marker = Marker {
            reviewed,
            rating,
            due,
            stability: 0.0,
            difficulty: 0.0,
            reviews: 0,
            lapses: 0,
            unknown_segments,
            unknown_fields: Vec::new(),
        };
        marker.read_memory(memory.ok_or("the review marker has no `s=… d=… n=…`")?)?;
        Ok(marker)
    }

    fn read_memory(&mut self, segment: &str) -> Result<(), String> {
        let (mut stability, mut difficulty, mut reviews) = (None, None, None);
        for field in segment.split_whitespace() {
            let (key, value) = field.split_once('=').unwrap_or((field, ""));
            match key {
                "s" => stability = Some(read_number(value, "s", 0.0..=1e6)?),
                "d" => difficulty = Some(read_number(value, "d", 1.0..=10.0)?),
                "n" => reviews = Some(read_count(value, "n")?),
                "l" => self.lapses = read_count(value, "l")?,
                _ => self.unknown_fields.push(field.to_string()),
            }
        }
        self.stability = stability.ok_or("the review marker has no stability `s=`")?;
        self.difficulty = difficulty.ok_or("the review marker has no difficulty `d=`")?;
        self.reviews = reviews.ok_or("the review marker has no review count `n=`")?;
        if self.stability <= 0.0 {
            return Err("the review marker's stability `s=` must be above 0".to_string());
        }
        Ok(())
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{MARKER_START} reviewed {} {}{SEPARATOR}due {}{SEPARATOR}s={} d={} n={}",
            self.reviewed, self.rating, self.due, self.stability, self.difficulty, self.reviews
        )?;
        if self.lapses > 0 {
            write!(f, " l={}", self.lapses)?;
        }
        for field in &self.unknown_fields {
            write!(f, " {field}")?;
        }
        for segment in &self.unknown_segments {
            write!(f, "{SEPARATOR}{segment}")?;
        }
        write!(f, " {MARKER_END}")
    }
}

fn read_reviewed<'a>(
    words: &mut impl Iterator<Item = &'a str>,
) -> Result<(NaiveDate, Rating), String> {
    let date = read_date(words.next(), "reviewed")?;
    let rating = words.next().unwrap_or("");
    let rating = Rating::parse(rating).ok_or_else(|| {
        format!("the review marker's rating `{rating}` is not again, hard, good or easy")
    })?;
    Ok((date, rating))
}

fn read_date(text: Option<&str>, what: &str) -> Result<NaiveDate, String> {
    let text = text.unwrap_or("");
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("the review marker's {what} date `{text}` is not a date (YYYY-MM-DD)"))
}

fn read_number(
    text: &str,
    key: &str,
    bounds: std::ops::RangeInclusive<f64>,
) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|number| bounds.contains(number))
        .ok_or_else(|| {
            format!(
                "the review marker's `{key}={text}` is not a number from {} to {}",
                bounds.start(),
                bounds.end()
            )
        })
}

fn read_count(text: &str, key: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .map_err(|_| format!("the review marker's `{key}={text}` is not a whole number"))
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(line: &str, expected: Expect) {
        let rendered = match Marker::parse(line) {
            Ok(marker) => format!("{marker}\n{marker:?}"),
            Err(problem) => format!("error: {problem}"),
        };
        expected.assert_eq(&rendered);
    }

    #[test]
    fn a_marker_reads_back_as_written() {
        check(
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3.1262 d=7.2102 n=2 -->",
            expect![[r#"
                <!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3.1262 d=7.2102 n=2 -->
                Marker { reviewed: 2026-11-30, rating: Good, due: 2026-12-04, stability: 3.1262, difficulty: 7.2102, reviews: 2, lapses: 0, unknown_segments: [], unknown_fields: [] }"#]],
        );
    }

    #[test]
    fn what_qbank_does_not_know_is_kept() {
        check(
            "  <!-- qbank: reviewed 2026-11-30 again · due 2026-12-01 · s=0.4 d=9.1 n=5 l=2 r=0.93 · by phone -->",
            expect![[r#"
                <!-- qbank: reviewed 2026-11-30 again · due 2026-12-01 · s=0.4 d=9.1 n=5 l=2 r=0.93 · by phone -->
                Marker { reviewed: 2026-11-30, rating: Again, due: 2026-12-01, stability: 0.4, difficulty: 9.1, reviews: 5, lapses: 2, unknown_segments: ["by phone"], unknown_fields: ["r=0.93"] }"#]],
        );
    }

    #[test]
    fn a_broken_marker_says_what_is_wrong() {
        let problems: Vec<String> = [
            "<!-- qbank: reviewed yesterday good · due 2026-12-04 · s=3 d=5 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 great · due 2026-12-04 · s=3 d=5 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3 d=5 n=1",
            "<!-- qbank: reviewed 2026-11-30 good · s=3 d=5 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-11-01 · s=3 d=5 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=-1 d=5 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3 d=50 n=1 -->",
            "<!-- qbank: reviewed 2026-11-30 good · due 2026-12-04 · s=3 d=5 -->",
            "<!-- qbank: -->",
        ]
        .iter()
        .map(|line| Marker::parse(line).unwrap_err())
        .collect();
        expect![[r#"
            the review marker's reviewed date `yesterday` is not a date (YYYY-MM-DD)
            the review marker's rating `great` is not again, hard, good or easy
            the review marker does not end with `-->` on its line, so it hides what follows it
            the review marker has no `due DATE`
            the review marker's due date 2026-11-01 is before its review 2026-11-30
            the review marker's `s=-1` is not a number from 0 to 1000000
            the review marker's `d=50` is not a number from 1 to 10
            the review marker has no review count `n=`
            the review marker has no `reviewed DATE RATING`"#]]
        .assert_eq(&problems.join("\n"));
    }

    #[test]
    fn ratings_read_as_words_or_numbers() {
        let read: Vec<Option<Rating>> = ["again", "Hard", " good ", "4", "5", "", "g"]
            .iter()
            .map(|text| Rating::parse(text))
            .collect();
        assert_eq!(
            read,
            [
                Some(Rating::Again),
                Some(Rating::Hard),
                Some(Rating::Good),
                Some(Rating::Easy),
                None,
                None,
                None
            ]
        );
    }
}

//! `missing-points`: an answered section that misses some of its question's
//! points (see `coverage`), named by their cues. Information only: an
//! answer is the student's to shape, and `coverage = false` turns it off
//! (`check_note_with` then does not judge answers at all).

use super::Asked;
use crate::core::coverage::CoverageCache;
use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::index::Index;

/// At most this many missing points are named in the message.
const NAMED: usize = 4;

pub(super) fn missing_points(
    index: &Index,
    asked: &Asked,
    answer: &str,
    coverage: &mut CoverageCache,
) -> Option<Diagnostic> {
    let points = &asked.question.answer()?.points;
    if !asked.answered || points.is_empty() {
        return None;
    }
    let covered = coverage.covered(index, asked.id, answer, points);
    let missing: Vec<String> = points
        .iter()
        .zip(&covered)
        .filter(|(_, covered)| !**covered)
        .map(|(point, _)| match &point.cue {
            Some(cue) => cue.clone(),
            None => point.detail.chars().take(40).collect(),
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut named = missing
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if missing.len() > NAMED {
        named.push_str(&format!(" and {} more", missing.len() - NAMED));
    }
    Some(Diagnostic::new(
        asked.key_range.clone(),
        Severity::Information,
        codes::MISSING_POINTS,
        format!(
            "{} covers {} of {} points; missing: {named}",
            asked.key,
            points.len() - missing.len(),
            points.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check;
    use crate::core::diagnostic::codes;

    #[test]
    fn an_answer_is_told_which_points_it_misses() {
        check(
            codes::MISSING_POINTS,
            r#"
### BE-23 · What is ACID compliance, and why is it important in databases?

Atomicity: a transaction's writes all apply or none do, rolled back on a crash.
Durability: once committed, it survives a power loss because the write-ahead log is flushed first.

<details><summary>Check yourself (6 points)</summary>

- Isolation: concurrent transactions don't see each other's uncommitted work

</details>

### BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?

### BE-21 · What is SQL, and how does it differ from NoSQL?

Relational databases enforce a schema on write; NoSQL stores are schema-flexible.
"#,
            expect![[r#"
                1:5-1:10 information[missing-points] BE-23 covers 2 of 6 points; missing: Consistency, Isolation, Why it matters, Trade-off
                14:5-14:10 information[missing-points] BE-21 covers 1 of 7 points; missing: SQL, NoSQL, Query model, Scaling and 2 more
            "#]],
        );
    }
}

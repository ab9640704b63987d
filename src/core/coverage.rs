//! Coverage: which of a question's points an answer covers. The answer's
//! words and each point's are compared as terms (`text::Termer`: English
//! stems, and an acronym the banks spell out folded with its spelled-out
//! form, so "CDN" covers "content delivery network"), frame words left out.
//!
//! A point is covered when the answer holds its cue (PRODUCT §3: "its cue
//! or content words"), or two fifths of its detail, counting only the terms
//! that are the point's own (a term two points of the question share tells
//! neither apart). A cue that another point of the question also mentions
//! ("front end" in a point about the back end's concerns) needs one of the
//! point's own terms beside it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::core::bank::Point;
use crate::core::index::{Index, QuestionId};
use crate::core::note::{Note, Section, section_answer};
use crate::core::template::{Overrides, ScaffoldingCache};
use crate::core::text::{Acronym, Termer};

/// Without the cue, this share of the detail's own terms covers a point.
const WITHOUT_CUE: f32 = 0.4;

/// Compares answers with points; made once per set of known acronyms and
/// kept, since it memoizes stems.
pub struct CoverageMatcher {
    termer: Termer,
}

impl CoverageMatcher {
    pub fn new(acronyms: &[Acronym]) -> CoverageMatcher {
        CoverageMatcher {
            termer: Termer::new(acronyms),
        }
    }

    /// Whether `answer` covers each point, in the points' order.
    pub fn covered(&mut self, answer: &str, points: &[Point]) -> Vec<bool> {
        let prepared = self.prepare(points);
        self.covered_prepared(answer, &prepared)
    }

    /// A question's points as the terms each is judged on, worked out once
    /// per question.
    pub fn prepare(&mut self, points: &[Point]) -> PreparedPoints {
        let terms: Vec<(Vec<u32>, Vec<u32>)> = points
            .iter()
            .map(|point| {
                let cue = point
                    .cue
                    .as_deref()
                    .map_or_else(Vec::new, |cue| self.termer.term_ids(cue));
                (cue, self.termer.term_ids(&point.detail))
            })
            .collect();
        // A term several points share tells them apart from nothing: each
        // point is judged on the terms that are its own.
        let mut points_using: FxHashMap<u32, usize> = FxHashMap::default();
        for (cue, detail) in &terms {
            let own: FxHashSet<u32> = cue.iter().chain(detail).copied().collect();
            for term in own {
                *points_using.entry(term).or_default() += 1;
            }
        }
        let is_own = |term: &u32| points_using[term] == 1;
        let points = terms
            .iter()
            .map(|(cue, detail)| {
                let own: Vec<u32> = detail.iter().copied().filter(|term| is_own(term)).collect();
                JudgedPoint {
                    judged: if own.is_empty() { detail.clone() } else { own },
                    // A cue no other point of the question mentions covers
                    // its point alone; one that another point mentions
                    // needs one of this point's own terms beside it.
                    cue_own: cue.iter().all(is_own),
                    cue: cue.clone(),
                }
            })
            .collect();
        PreparedPoints { points }
    }

    /// Whether `answer` covers each prepared point, in order (the points
    /// prepared by this matcher: terms are its numbers).
    pub fn covered_prepared(&mut self, answer: &str, prepared: &PreparedPoints) -> Vec<bool> {
        // Sorted and without repeats: looked up by binary search.
        let answer = self.termer.term_ids(answer);
        let holds = |term: &u32| answer.binary_search(term).is_ok();
        prepared
            .points
            .iter()
            .map(|point| {
                let held = point.judged.iter().filter(|term| holds(term)).count();
                let share = held as f32 / point.judged.len().max(1) as f32;
                let cue_held = !point.cue.is_empty() && point.cue.iter().all(holds);
                (cue_held && (point.cue_own || held >= 1)) || share >= WITHOUT_CUE
            })
            .collect()
    }
}

/// A question's points as `CoverageMatcher::prepare` reads them.
pub struct PreparedPoints {
    points: Vec<JudgedPoint>,
}

/// One point: its cue's terms, the detail terms it is judged on (its own,
/// or all of them when none is its own), and whether its cue is its own.
struct JudgedPoint {
    cue: Vec<u32>,
    judged: Vec<u32>,
    cue_own: bool,
}

/// What coverage remembers across the checks of one index: its matcher
/// (and the stems it memoized) and every answer it judged, so that a note
/// checked again after a keystroke judges only the answer that changed.
#[derive(Default)]
pub struct CoverageCache {
    matcher: Option<CoverageMatcher>,
    /// By question, then by answer.
    judged: FxHashMap<QuestionId, FxHashMap<Box<str>, Vec<bool>>>,
    /// Each question's points, prepared once.
    prepared: FxHashMap<QuestionId, PreparedPoints>,
    /// The bytes of the answers in `judged`: past `MOST_REMEMBERED_BYTES`,
    /// it starts again empty.
    remembered_bytes: usize,
}

/// Enough for the answers of several long notes.
const MOST_REMEMBERED_BYTES: usize = 32 << 20;

impl std::fmt::Debug for CoverageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoverageCache")
            .field("questions", &self.judged.len())
            .field("remembered_bytes", &self.remembered_bytes)
            .finish()
    }
}

impl CoverageCache {
    /// Whether `answer` covers each of question `id`'s `points`.
    pub fn covered(
        &mut self,
        index: &Index,
        id: QuestionId,
        answer: &str,
        points: &[Point],
    ) -> Vec<bool> {
        if let Some(covered) = self.judged.get(&id).and_then(|answers| answers.get(answer)) {
            return covered.clone();
        }
        let matcher = self
            .matcher
            .get_or_insert_with(|| CoverageMatcher::new(index.acronyms()));
        let prepared = self
            .prepared
            .entry(id)
            .or_insert_with(|| matcher.prepare(points));
        let covered = matcher.covered_prepared(answer, prepared);
        if self.remembered_bytes + answer.len() > MOST_REMEMBERED_BYTES {
            self.judged.clear();
            self.remembered_bytes = 0;
        }
        self.remembered_bytes += answer.len();
        self.judged
            .entry(id)
            .or_default()
            .insert(Box::from(answer), covered.clone());
        covered
    }
}

/// An answered question section and the points its answer covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionCoverage {
    pub id: QuestionId,
    /// The section's heading, as an index into the note's headings.
    pub heading: usize,
    /// Per point of the question, in the bank's order.
    pub covered: Vec<bool>,
}

impl SectionCoverage {
    pub fn covered_count(&self) -> usize {
        self.covered.iter().filter(|covered| **covered).count()
    }

    /// "covers 3 of 5 points".
    pub fn summary(&self) -> String {
        format!(
            "covers {} of {} points",
            self.covered_count(),
            self.covered.len()
        )
    }
}

/// Each answered question section of a note whose question has points,
/// with the points its answer covers; the same answers `missing-points`
/// judges.
pub fn section_coverages(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
    caches: (&mut ScaffoldingCache, &mut CoverageCache),
) -> Vec<SectionCoverage> {
    coverages_of(
        index,
        (text, note),
        overrides,
        caches,
        note.question_sections(),
    )
}

/// The coverage of the section under the note's heading at `heading` (an
/// index into its headings), when it is answered and its question has
/// points: hover judges that one section, not the whole note.
pub fn section_coverage(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
    heading: usize,
) -> Option<SectionCoverage> {
    let section = note.question_section(heading)?;
    let caches = (
        &mut ScaffoldingCache::default(),
        &mut CoverageCache::default(),
    );
    coverages_of(index, (text, note), overrides, caches, [section]).pop()
}

/// The coverages of the given sections of the note, with scaffolding and
/// judged answers from caches that belong to this index and these
/// overrides.
fn coverages_of(
    index: &Index,
    (text, note): (&str, &Note),
    overrides: &Overrides,
    (cache, judge): (&mut ScaffoldingCache, &mut CoverageCache),
    sections: impl IntoIterator<Item = Section>,
) -> Vec<SectionCoverage> {
    let mut coverages = Vec::new();
    for section in sections {
        let key = note.headings[section.heading].key.as_ref();
        let Some(id) = key.and_then(|found| index.lookup(&found.key)) else {
            continue;
        };
        let question = index.get(id);
        let Some(answer_key) = question.answer() else {
            continue;
        };
        if answer_key.points.is_empty() {
            continue;
        }
        // Empty exactly when the section is unanswered (`is_answered`).
        let answer = section_answer(text, &section, cache.get(index, overrides, id));
        if answer.is_empty() {
            continue;
        }
        coverages.push(SectionCoverage {
            id,
            heading: section.heading,
            covered: judge.covered(index, id, &answer, &answer_key.points),
        });
    }
    coverages
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::bank::Point;
    use crate::core::text::acronyms_in;

    fn point(text: &str) -> Point {
        let (cue, detail) = text.split_once(": ").unwrap();
        Point {
            cue: Some(cue.to_string()),
            detail: detail.to_string(),
        }
    }

    fn check(answer: &str, expected: Expect) {
        let points = [
            point("CDN: a content delivery network caches assets at edge servers near users"),
            point("Cache invalidation: purge or version file names when assets change"),
            point("Origin offload: cache hits never reach the origin server"),
        ];
        let acronyms = acronyms_in("What is a Content Delivery Network (CDN)?");
        let covered = CoverageMatcher::new(&acronyms).covered(answer, &points);
        let rendered: Vec<String> = points
            .iter()
            .zip(covered)
            .map(|(point, covered)| {
                format!(
                    "{} {}",
                    if covered { "✓" } else { "✗" },
                    point.cue.as_deref().unwrap()
                )
            })
            .collect();
        expected.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn an_acronym_covers_its_spelled_out_form_and_back() {
        check(
            "A Content Delivery Network keeps copies at the edge, close to the user.",
            expect![[r#"
                ✓ CDN
                ✗ Cache invalidation
                ✗ Origin offload"#]],
        );
        check(
            "The CDN caches assets on edge servers.",
            expect![[r#"
            ✓ CDN
            ✗ Cache invalidation
            ✗ Origin offload"#]],
        );
    }

    #[test]
    fn plurals_and_other_words_around_a_cue_still_cover() {
        check(
            "Invalidating the cache: we version file names, or purge, whenever an asset changes. Most requests are cache hits that never touch the origin.",
            expect![[r#"
                ✗ CDN
                ✓ Cache invalidation
                ✓ Origin offload"#]],
        );
    }

    #[test]
    fn a_cue_said_in_passing_is_not_enough() {
        check(
            "We had a problem with the origin once.",
            expect![[r#"
            ✗ CDN
            ✗ Cache invalidation
            ✗ Origin offload"#]],
        );
        check(
            "",
            expect![[r#"
            ✗ CDN
            ✗ Cache invalidation
            ✗ Origin offload"#]],
        );
    }

    /// The cache answers what the matcher would, for each answer it is
    /// given, the first time and again.
    #[test]
    fn the_cache_judges_each_answer_as_the_matcher_does() {
        let index = Index::new(Some(crate::core::builtin::builtin_bank()), Vec::new());
        let id = index
            .lookup(&index.key_from_input("BE-66").unwrap())
            .unwrap();
        let points = &index.get(id).answer().unwrap().points;
        let whole: String = points.iter().map(|point| format!("{point}\n")).collect();
        let answers = [whole.as_str(), "Edge servers keep copies near users.", ""];
        let mut cache = CoverageCache::default();
        let mut matcher = CoverageMatcher::new(index.acronyms());
        for answer in answers.iter().chain(&answers) {
            assert_eq!(
                cache.covered(&index, id, answer, points),
                matcher.covered(answer, points),
                "{answer:?}"
            );
        }
        assert_ne!(
            cache.covered(&index, id, answers[0], points),
            cache.covered(&index, id, answers[1], points)
        );
    }
}

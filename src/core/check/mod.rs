//! Note analysis: the diagnostics of a note that need no editor, and which
//! of its questions are answered. Both `qbank check` and the language
//! server call these.
//!
//! `check_note` resolves the note's question sections, then runs one small
//! check per diagnostic kind, each in its own file as rust-analyzer's
//! `ide-diagnostics/src/handlers/` has them: `unknown_question` over the
//! note's keys (beside the sections' answers, on another thread for a long
//! note), and for each section in turn `repeated_question`,
//! `near_duplicate`, `question_drift`, `asked_before`, `unanswered`,
//! `review` and, for answers, `missing_points`; then `score` over the
//! note's interview rubrics (`score` and `unscored`).
//! Diagnostics come out sorted by start, then severity; ties keep the
//! order they were made in (unknown keys first, then each section's in the
//! order above).

mod asked_before;
mod missing_points;
mod near_duplicate;
mod question_drift;
mod repeated_question;
mod review;
mod score;
mod unanswered;
mod unknown_question;

#[cfg(test)]
mod fixture;

use std::collections::hash_map::Entry;
use std::ops::Range;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::core::config::Config;
use crate::core::coverage::CoverageCache;
use crate::core::diagnostic::Diagnostic;
use crate::core::index::{Index, QuestionId, QuestionRef};
use crate::core::key::Key;
use crate::core::line_index::LineCounter;
use crate::core::note::{Heading, Note, Section, holds_written_lines, is_answered, section_answer};
use crate::core::scores::rubric::is_rubric;
use crate::core::template::{
    Overrides, Scaffolding, ScaffoldingCache, TemplateContext, scaffolding_lines,
};

pub use unknown_question::keys_one_digit_away;

/// The questions another note of the same folder asks, for `asked-before`.
#[derive(Debug, Clone)]
pub struct SiblingNote {
    pub name: String,
    pub keys: Vec<Key>,
}

/// The question headings of the notes of one folder, for `asked-before`:
/// built once for a folder, asked once for each of its notes (`qbank check`
/// over 10,000 notes of a folder does not read or scan them all per note).
#[derive(Debug, Default)]
pub struct FolderNotes {
    /// For each key, the first two notes by name asking it: the first
    /// other than a given note is one of them.
    askers: FxHashMap<Key, (String, Option<String>)>,
}

impl FolderNotes {
    pub fn new(mut notes: Vec<SiblingNote>) -> FolderNotes {
        notes.sort_by(|a, b| a.name.cmp(&b.name));
        let mut askers: FxHashMap<Key, (String, Option<String>)> = FxHashMap::default();
        for note in notes {
            for key in note.keys {
                match askers.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert((note.name.clone(), None));
                    }
                    Entry::Occupied(mut slot) => {
                        let (first, second) = slot.get_mut();
                        if second.is_none() && *first != note.name {
                            *second = Some(note.name.clone());
                        }
                    }
                }
            }
        }
        FolderNotes { askers }
    }

    /// The siblings of the note named `name` (which may or may not be one
    /// of the folder's notes).
    pub fn siblings_of<'a>(&'a self, name: &'a str) -> Siblings<'a> {
        Siblings {
            folder: Some(self),
            except: name,
        }
    }
}

/// The notes beside the one checked: a folder's notes but that one.
#[derive(Debug, Clone, Copy)]
pub struct Siblings<'a> {
    folder: Option<&'a FolderNotes>,
    except: &'a str,
}

impl Siblings<'_> {
    /// A note checked alone.
    pub const NONE: Siblings<'static> = Siblings {
        folder: None,
        except: "",
    };

    /// The first sibling by name asking `key`.
    fn first_asking(&self, key: &Key) -> Option<&str> {
        let (first, second) = self.folder?.askers.get(key)?;
        if *first != self.except {
            Some(first)
        } else {
            second.as_deref()
        }
    }
}

/// One question section of a note, resolved against the index.
#[derive(Debug, Clone)]
pub struct QuestionSection {
    pub id: QuestionId,
    pub section: Section,
    /// Whether the body holds a study answer; an interview rubric never
    /// counts as one.
    pub answered: bool,
    /// Whether the body is an interview rubric (it has a score line).
    pub rubric: bool,
}

/// The note's question sections whose key names a question, with whether
/// each is answered. Scaffolding is worked out once per question.
pub fn question_sections(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
) -> Vec<QuestionSection> {
    question_sections_with(
        index,
        text,
        note,
        overrides,
        &mut ScaffoldingCache::default(),
    )
}

/// `question_sections`, with scaffolding from `cache` (which must belong to
/// this index and these overrides).
pub fn question_sections_with(
    index: &Index,
    text: &str,
    note: &Note,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
) -> Vec<QuestionSection> {
    sections_by_id(index, note)
        .map(|(id, section)| {
            let lines = cache.get(index, overrides, id);
            // One look for a score line per section: a rubric is never
            // answered, and an answer holds no score line.
            let body = text.get(section.body.clone()).unwrap_or("");
            let rubric = is_rubric(body);
            let answered = !rubric && holds_written_lines(body, lines);
            QuestionSection {
                id,
                section,
                answered,
                rubric,
            }
        })
        .collect()
}

fn sections_by_id<'n>(
    index: &'n Index,
    note: &'n Note,
) -> impl Iterator<Item = (QuestionId, Section)> + 'n {
    note.question_sections()
        .into_iter()
        .filter_map(move |section| {
            let key = &note.headings[section.heading].key.as_ref()?.key;
            Some((index.lookup(key)?, section))
        })
}

/// The lines a template puts under a question's heading. Related questions
/// are left out of the rendering (lines naming them count as scaffolding
/// anyway), so this needs no similarity analysis.
fn question_scaffolding(index: &Index, id: QuestionId, overrides: &Overrides) -> Scaffolding {
    scaffolding_lines(&TemplateContext::without_related(index, id), overrides)
}

/// Whether a note answers each of its questions, worked out on demand: a
/// request that asks about a few questions of a long note pays for those.
pub struct AnsweredInNote<'a> {
    index: &'a Index,
    text: &'a str,
    overrides: &'a Overrides,
    sections: FxHashMap<QuestionId, Vec<Section>>,
}

impl<'a> AnsweredInNote<'a> {
    pub fn new(index: &'a Index, text: &'a str, note: &Note, overrides: &'a Overrides) -> Self {
        let mut sections: FxHashMap<QuestionId, Vec<Section>> = FxHashMap::default();
        for (id, section) in sections_by_id(index, note) {
            sections.entry(id).or_default().push(section);
        }
        AnsweredInNote {
            index,
            text,
            overrides,
            sections,
        }
    }

    /// `None` when the note holds no section for the question; else whether
    /// any of its sections for it is answered.
    pub fn get(&self, id: QuestionId) -> Option<bool> {
        let sections = self.sections.get(&id)?;
        let lines = question_scaffolding(self.index, id, self.overrides);
        Some(
            sections
                .iter()
                .any(|section| is_answered(self.text, section, &lines)),
        )
    }
}

/// Every diagnostic of a note, in source order, every finding on but
/// `review-due` (which needs a day).
pub fn check_note(
    index: &Index,
    text: &str,
    note: &Note,
    siblings: Siblings<'_>,
    overrides: &Overrides,
) -> Vec<Diagnostic> {
    let settings = CheckSettings {
        overrides,
        coverage: true,
        due_on: None,
    };
    check_note_with(
        index,
        text,
        note,
        siblings,
        settings,
        &mut CheckCaches::default(),
    )
}

/// What a note's check reads beyond the note and its index.
#[derive(Debug, Clone, Copy)]
pub struct CheckSettings<'a> {
    /// The templates whose scaffolding never counts as an answer.
    pub overrides: &'a Overrides,
    /// Whether answers are judged against their question's points
    /// (`missing-points`); `coverage = false` turns the finding off, and
    /// then its work is not done either.
    pub coverage: bool,
    /// The day `review-due` hints are given for; `None` gives none
    /// (`review_hints = false`).
    pub due_on: Option<NaiveDate>,
}

impl<'a> CheckSettings<'a> {
    pub fn new(overrides: &'a Overrides, config: &Config, today: NaiveDate) -> CheckSettings<'a> {
        CheckSettings {
            overrides,
            coverage: config.coverage,
            due_on: config.review_hints.then_some(today),
        }
    }
}

/// What checks remember for one index and one set of overrides, kept by a
/// workspace across the checks of a note being edited.
#[derive(Debug, Default)]
pub struct CheckCaches {
    pub scaffolding: ScaffoldingCache,
    pub coverage: CoverageCache,
}

/// `check_note` with settings, and what earlier checks worked out from
/// `caches` (which must belong to this index and these overrides).
pub fn check_note_with(
    index: &Index,
    text: &str,
    note: &Note,
    siblings: Siblings<'_>,
    settings: CheckSettings<'_>,
    caches: &mut CheckCaches,
) -> Vec<Diagnostic> {
    let overrides = settings.overrides;
    let CheckCaches {
        scaffolding: cache,
        coverage,
    } = caches;
    // Unknown keys and the sections' answers do not depend on each other:
    // in a long note, they are worked out at once.
    let (mut diagnostics, sections) = if note.keys.len() >= PARALLEL_KEYS {
        std::thread::scope(|scope| {
            let unknown = scope.spawn(|| unknown_question::unknown_keys(index, note));
            let sections = question_sections_with(index, text, note, overrides, cache);
            let unknown = unknown
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (unknown, sections)
        })
    } else {
        (
            unknown_question::unknown_keys(index, note),
            question_sections_with(index, text, note, overrides, cache),
        )
    };
    diagnostics.extend(unknown_question::unknown_prefix_headings(index, note));
    let mut context = NoteContext {
        index,
        note,
        sections: &sections,
        siblings,
        first_asked: FxHashMap::default(),
        lines: LineCounter::new(text),
    };
    for (position, current) in sections.iter().enumerate() {
        let asked = Asked::new(index, note, current);
        // A repeat or a twin is asked by a section before this one.
        // A repeat's answer is not judged: the repeat is the finding.
        let first = !context.first_asked.contains_key(&asked.id);
        diagnostics.extend(repeated_question::repeated_question(&context, &asked));
        diagnostics.extend(near_duplicate::near_duplicate(&context, &asked));
        context.record_first(&asked, position);
        diagnostics.extend(question_drift::question_drift(&asked));
        diagnostics.extend(asked_before::asked_before(&context, &asked));
        diagnostics.extend(unanswered::unanswered(&asked));
        diagnostics.extend(review::review(
            text,
            &asked,
            &current.section,
            settings.due_on,
        ));
        if settings.coverage && first && asked.answered && asked.question.answer().is_some() {
            let lines = cache.get(index, overrides, asked.id);
            let answer = section_answer(text, &current.section, lines);
            diagnostics.extend(missing_points::missing_points(
                index, &asked, &answer, coverage,
            ));
        }
    }
    diagnostics.extend(score::scores(text, note));
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.severity));
    diagnostics
}

/// Below this many keys, a note's check runs on one thread.
const PARALLEL_KEYS: usize = 2_000;

/// What the checks of one question section read beyond the section: the
/// note, its question sections, the keys its siblings ask, and the first
/// section of each question before this one.
struct NoteContext<'a> {
    index: &'a Index,
    note: &'a Note,
    sections: &'a [QuestionSection],
    /// The other notes of the folder.
    siblings: Siblings<'a>,
    /// Each question's first section among those checked so far.
    first_asked: FxHashMap<QuestionId, FirstAsked>,
    /// Lines are counted only for the first section of each question (the
    /// ones messages point back to), in order: a long note is not indexed.
    lines: LineCounter<'a>,
}

/// Where a question is first asked in the note.
#[derive(Debug, Clone, Copy)]
struct FirstAsked {
    /// Its section's position in `NoteContext::sections`.
    position: usize,
    /// Where its heading starts.
    offset: usize,
    /// Its heading's line, 1-based.
    line: usize,
}

impl NoteContext<'_> {
    /// Records `asked`, at `position` in the sections, as its question's
    /// first section unless an earlier one asks it.
    fn record_first(&mut self, asked: &Asked, position: usize) {
        if let Entry::Vacant(slot) = self.first_asked.entry(asked.id) {
            let offset = asked.heading.range.start;
            let line = self.lines.line_of(offset) + 1;
            slot.insert(FirstAsked {
                position,
                offset,
                line,
            });
        }
    }
}

/// One question section as each check sees it.
struct Asked<'a> {
    id: QuestionId,
    question: QuestionRef<'a>,
    key: Key,
    heading: &'a Heading,
    /// The heading's key, where most of the section's diagnostics point.
    key_range: Range<usize>,
    answered: bool,
    /// An interview rubric: scored, never answered.
    rubric: bool,
}

impl<'a> Asked<'a> {
    fn new(index: &'a Index, note: &'a Note, current: &QuestionSection) -> Asked<'a> {
        let heading = &note.headings[current.section.heading];
        let question = index.get(current.id);
        Asked {
            id: current.id,
            key: question.key(),
            question,
            heading,
            key_range: heading
                .key
                .as_ref()
                .map_or(heading.range.clone(), |found| found.range.clone()),
            answered: current.answered,
            rubric: current.rubric,
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check_all;

    #[test]
    fn repeated_near_duplicate_drift_and_unanswered() {
        check_all(
            r#"
## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
A CDN caches content near users.

## BE-78 · What is a CDN?
Edge servers.

## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?

## BE-999 · How do you prevent SQL injection?
"#,
            expect![[r#"
                1:4-1:9 information[missing-points] BE-66 covers 0 of 7 points; missing: Edge servers, Shorter round trips, Origin offload, Caching rules and 3 more
                4:4-4:9 information[near-duplicate] BE-78 asks the same as BE-66 (line 1): What is CDN (Content Delivery Network), and how does it improve performance?
                  related 1:1-2:1: BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
                4:4-4:9 information[missing-points] BE-78 covers 0 of 7 points; missing: Definition, Physical distance, Handshake round trips, Cache hits and 3 more
                4:12-4:26 information[question-drift] heading differs from BE-78's wording in the bank: What is a Content Delivery Network (CDN), and how does it reduce latency?
                  fix: Update heading to BE-78's wording
                7:1-8:1 hint[unanswered] BE-66 is not answered yet
                7:4-7:9 warning[repeated-question] BE-66 is already asked on line 1
                  related 1:1-1:1: first asked here
                9:4-9:10 error[unknown-question] unknown question BE-999; did you mean BE-40? (What is SQL injection, and how do you prevent it?)
                  fix: Change to BE-40
                  fix: Change to BE-99
            "#]],
        );
    }

    #[test]
    fn same_place_keeps_severity_then_kind_order() {
        check_all(
            r#"
//- round/note.md
## BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
A CDN caches content near users.

## BE-78 · What is a CDN?
//- round/earlier.md
## BE-78 · What is a Content Delivery Network (CDN), and how does it reduce latency?
Edge servers.
"#,
            expect![[r#"
                1:4-1:9 information[missing-points] BE-66 covers 0 of 7 points; missing: Edge servers, Shorter round trips, Origin offload, Caching rules and 3 more
                4:1-5:1 hint[unanswered] BE-78 is not answered yet
                4:4-4:9 information[near-duplicate] BE-78 asks the same as BE-66 (line 1): What is CDN (Content Delivery Network), and how does it improve performance?
                  related 1:1-2:1: BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?
                4:4-4:9 information[asked-before] BE-78 was already asked in earlier.md
                4:12-4:26 information[question-drift] heading differs from BE-78's wording in the bank: What is a Content Delivery Network (CDN), and how does it reduce latency?
                  fix: Update heading to BE-78's wording
            "#]],
        );
    }
}

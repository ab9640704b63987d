//! Code lens. In a bank: over each category, how many of its questions the
//! workspace's notes answer ("12 of 20 answered"), and over each question,
//! in how many notes ("answered in 2 notes" / "not answered"). In a note:
//! over each interview packet heading, the count, categories and minutes of
//! the question sections under it ("10 questions · 6 categories · about 55
//! min"), then, once its rubrics are scored, the scores so far ("10
//! questions · 7 scored · mean 3.1 / 4 · 2 red flags"); over each answered question section, how many of its
//! question's points the answer covers ("covers 3 of 5 points").

use std::ops::Range;

use crate::core::bank::Bank;
use crate::core::check::CheckCaches;
use crate::core::coverage::section_coverages;
use crate::core::ide::review::review_lenses;
use crate::core::ide::{Context, Document};
use crate::core::index::QuestionId;
use crate::core::key::Key;
use crate::core::packet::{Packet, packet_summary, question_minutes};
use crate::core::review::Rating;
use crate::core::scores::packet_groups;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub range: Range<usize>,
    pub title: String,
    /// What clicking it does; `None` for a label.
    pub action: Option<LensAction>,
}

/// What a lens does when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LensAction {
    /// Rates the review of the document's section for `key`.
    Review { key: Key, rating: Rating },
}

impl Lens {
    /// A lens that only shows its title.
    pub fn label(range: Range<usize>, title: String) -> Lens {
        Lens {
            range,
            title,
            action: None,
        }
    }
}

/// The lenses of a document; `bank` is its position among the index's
/// banks, for a bank. `caches` belong to the context's index and overrides.
pub fn code_lenses(
    context: &Context,
    document: &Document,
    bank: Option<usize>,
    caches: &mut CheckCaches,
) -> Vec<Lens> {
    match bank {
        Some(position) => bank_lenses(context, position),
        None => {
            let mut lenses = packet_lenses(context, document);
            if context.coverage {
                lenses.extend(coverage_lenses(context, document, caches));
            }
            lenses.extend(review_lenses(context, document, &mut caches.scaffolding));
            lenses.sort_by_key(|lens| lens.range.start);
            lenses
        }
    }
}

/// Over each answered question section whose question has points, how
/// many its answer covers ("covers 3 of 5 points").
fn coverage_lenses(context: &Context, document: &Document, caches: &mut CheckCaches) -> Vec<Lens> {
    let note = document.note;
    let caches = (&mut caches.scaffolding, &mut caches.coverage);
    section_coverages(
        context.index,
        document.text,
        note,
        context.overrides,
        caches,
    )
    .into_iter()
    .map(|coverage| {
        Lens::label(
            note.headings[coverage.heading].range.clone(),
            coverage.summary(),
        )
    })
    .collect()
}

fn bank_lenses(context: &Context, position: usize) -> Vec<Lens> {
    let index = context.index;
    let Some(bank) = index.banks().get(position) else {
        return Vec::new();
    };
    let answered_count = |question: &crate::core::bank::Question| {
        context.notes.answered_in(&bank.key(question)).len()
    };
    // Only the bank's own questions: a bank left out for its prefix has none.
    let own = |question: &crate::core::bank::Question| {
        index
            .lookup(&bank.key(question))
            .is_some_and(|id| index.bank_of(id) == position)
    };
    let mut lenses = Vec::new();
    for (category_position, category) in bank.categories.iter().enumerate() {
        let questions = in_category(bank, category_position).filter(|question| own(question));
        let (total, answered) = questions.fold((0, 0), |(total, answered), question| {
            (
                total + 1,
                answered + usize::from(answered_count(question) > 0),
            )
        });
        lenses.push(Lens::label(
            category.range.clone(),
            format!("{answered} of {total} answered"),
        ));
    }
    for question in bank.questions.iter().filter(|question| own(question)) {
        let title = match answered_count(question) {
            0 => "not answered".to_string(),
            1 => "answered in 1 note".to_string(),
            count => format!("answered in {count} notes"),
        };
        lenses.push(Lens::label(question.line_range(), title));
    }
    lenses.sort_by_key(|lens| lens.range.start);
    lenses
}

fn in_category(
    bank: &Bank,
    category: usize,
) -> impl Iterator<Item = &crate::core::bank::Question> + '_ {
    bank.questions
        .iter()
        .filter(move |question| question.category.map(|index| index as usize) == Some(category))
}

/// Over each packet heading: before any score, its count, categories
/// and minutes; once the interviewer scores, the scores so far ("10
/// questions · 7 scored · mean 3.1 / 4 · 2 red flags").
fn packet_lenses(context: &Context, document: &Document) -> Vec<Lens> {
    let index = context.index;
    let note = document.note;
    let mut lenses = Vec::new();
    for group in packet_groups(note) {
        let Some(position) = group.heading else {
            continue;
        };
        let totals = group.totals(document.text);
        let title = if totals.scored + totals.unreadable > 0 {
            totals.progress()
        } else {
            let questions: Vec<QuestionId> = group
                .sections
                .iter()
                .filter_map(|section| {
                    index.lookup(&note.headings[section.heading].key.as_ref()?.key)
                })
                .collect();
            packet_summary(&packet_of(context, questions))
        };
        lenses.push(Lens::label(note.headings[position].range.clone(), title));
    }
    lenses
}

/// The questions as a packet: their categories in order, their minutes.
fn packet_of(context: &Context, questions: Vec<QuestionId>) -> Packet {
    let index = context.index;
    let mut categories: Vec<String> = Vec::new();
    for &id in &questions {
        let category = index.get(id).category();
        if !categories.iter().any(|known| known == category) {
            categories.push(category.to_string());
        }
    }
    let minutes = questions
        .iter()
        .map(|&id| question_minutes(index, id))
        .sum();
    Packet {
        questions,
        categories,
        minutes,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{Workspace, cursor};
    use crate::core::note::parse_note;

    fn check(fixture: &str, bank: bool, expected: Expect) {
        let workspace = Workspace::new(fixture);
        let (text, _) = cursor(&format!("{}$0", workspace.current.1));
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let bank = bank.then(|| workspace.index.banks().len() - 1);
        let mut rendered = String::new();
        let caches = &mut CheckCaches::default();
        for lens in code_lenses(&workspace.context(), &document, bank, caches) {
            let line = crate::core::ide::line_range_at(&text, lens.range.start);
            let action = match &lens.action {
                Some(LensAction::Review { key, rating }) => format!(" → review {key} {rating}"),
                None => String::new(),
            };
            rendered.push_str(&format!("{}{action} | {}\n", lens.title, &text[line]));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn bank_categories_and_questions_count_answers_across_notes() {
        check(
            r#"
//- questions/team.md
---
prefix: TM
---
## Ops
1. How do we deploy?
2. Who is on call?
3. Where are the runbooks?
## People
4. Who hires?
//- notes/a.md
## TM-1 · How do we deploy?
With a pipeline.
## TM-2 · Who is on call?
//- notes/b.md
### TM-1 · Deploys
Blue-green.
"#,
            true,
            expect![[r#"
                1 of 3 answered | ## Ops
                answered in 2 notes | 1. How do we deploy?
                not answered | 2. Who is on call?
                not answered | 3. Where are the runbooks?
                0 of 1 answered | ## People
                not answered | 4. Who hires?
            "#]],
        );
    }

    #[test]
    fn packet_headings_summarize_their_sections() {
        check(
            "# Round 1\n\n## Interview packet · 3 questions · 2 categories · about 18 min\n\n### BE-23 · ACID\n\n### BE-40 · SQL injection\n\n### BE-104 · Stateless\n\n## Notes\n### BE-61 · Caching\n",
            false,
            expect![[r#"
                3 questions · 2 categories · about 15 min | ## Interview packet · 3 questions · 2 categories · about 18 min
            "#]],
        );
    }

    /// Over each answered section, the first for its question: its review
    /// standing on the fixture's day (2026-11-30), and the ratings when it
    /// is due or new. An unanswered section has none, nor a repeat.
    #[test]
    fn a_packet_being_scored_shows_its_scores_so_far() {
        check(
            "## Interview packet · 3 questions · 2 categories · about 15 min · scored 1–4\n\n### BE-23 · ACID\n- [x] A\n**Red flags:**\n- [x] Says fast\n**Score:** 3\n\n### BE-40 · SQL injection\n**Score:** 2/4\n\n### BE-104 · Stateless\n**Score:**\n\n## Interview packet · 1 question · 1 category · about 5 min · scored 1–4\n### BE-61 · Caching\n**Score:** great\n\n## Interview packet · 1 question · 1 category · about 5 min · scored 1–4\n### BE-62 · Caching\n**Score:**\n",
            false,
            expect![[r#"
                3 questions · 2 scored · mean 2.5 / 4 · 1 red flag | ## Interview packet · 3 questions · 2 categories · about 15 min · scored 1–4
                1 question · 0 scored · 1 score to fix | ## Interview packet · 1 question · 1 category · about 5 min · scored 1–4
                1 question · 1 category · about 5 min | ## Interview packet · 1 question · 1 category · about 5 min · scored 1–4
            "#]],
        );
    }

    #[test]
    fn answered_sections_show_their_review_standing() {
        check(
            "## BE-1 · Due\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->\nAn answer.\n\n## BE-2 · Waiting\n\n<!-- qbank: reviewed 2026-11-29 easy · due 2026-12-04 · s=15 d=3 n=1 -->\nAn answer.\n\n## BE-3 · Broken\n<!-- qbank: reviewed soon -->\nAn answer.\n\n## BE-4 · Unanswered\n\n## BE-1 · Repeat\nAgain.\n",
            false,
            expect![[r#"
                covers 0 of 6 points | ## BE-1 · Due
                Due 3 days ago | ## BE-1 · Due
                Again → review BE-1 again | ## BE-1 · Due
                Hard → review BE-1 hard | ## BE-1 · Due
                Good → review BE-1 good | ## BE-1 · Due
                Easy → review BE-1 easy | ## BE-1 · Due
                covers 0 of 6 points | ## BE-2 · Waiting
                Next review in 4 days | ## BE-2 · Waiting
                covers 0 of 6 points | ## BE-3 · Broken
                Review marker unreadable | ## BE-3 · Broken
                covers 0 of 6 points | ## BE-1 · Repeat
            "#]],
        );
    }

    #[test]
    fn answered_sections_say_how_many_points_they_cover() {
        check(
            "## BE-40 · What is SQL injection, and how do you prevent it?\n\nUser input concatenated into SQL is parsed as code. Use parameterized queries with placeholders; never escape quotes by hand.\n\n## BE-23 · ACID\n\n## BE-61 · Caching\n\nKeep hot data in Redis.\n",
            false,
            expect![[r#"
                covers 2 of 7 points | ## BE-40 · What is SQL injection, and how do you prevent it?
                New | ## BE-40 · What is SQL injection, and how do you prevent it?
                Again → review BE-40 again | ## BE-40 · What is SQL injection, and how do you prevent it?
                Hard → review BE-40 hard | ## BE-40 · What is SQL injection, and how do you prevent it?
                Good → review BE-40 good | ## BE-40 · What is SQL injection, and how do you prevent it?
                Easy → review BE-40 easy | ## BE-40 · What is SQL injection, and how do you prevent it?
                covers 0 of 6 points | ## BE-61 · Caching
                New | ## BE-61 · Caching
                Again → review BE-61 again | ## BE-61 · Caching
                Hard → review BE-61 hard | ## BE-61 · Caching
                Good → review BE-61 good | ## BE-61 · Caching
                Easy → review BE-61 easy | ## BE-61 · Caching
            "#]],
        );
    }
}

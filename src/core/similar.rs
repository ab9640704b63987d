//! Near-duplicate questions and similar questions. Questions are compared by
//! their terms (see `text`), weighted by rarity (inverse document frequency)
//! so that sharing "database" or "back-end" counts for little and sharing
//! "CDN" counts for a lot. Two questions ask the same thing when
//!
//! - their *subjects* (the topic before "and how…", or the sides compared)
//!   are nearly the same set of terms (weighted Jaccard ≥ 0.6) and both or
//!   neither are comparisons ("What are unit tests?" does not repeat "How
//!   do integration tests differ from unit tests?"), or
//! - their whole wordings are (weighted Jaccard ≥ 0.7), or
//! - one is a definition whose distinctive subject ("SQL injection") stands
//!   whole in the other, is part of the other's subject too, and is not
//!   just one side of the other's comparison.
//!
//! Candidates come from prefix filtering over the rarest terms, so the work
//! grows with the bank, not with its square. The same rule judges each
//! question's follow-up against its question (see `repeats`): a follow-up
//! must go deeper, not ask the same again.

use std::ops::Range;

use crate::core::lists::Lists;
use crate::core::search::vocabulary::Vocabulary;
use crate::core::shape::{Shape, ShapeInfo, classify};
use crate::core::text::{Termer, acronyms_in};

const SUBJECT_THRESHOLD: f32 = 0.6;
const WORDING_THRESHOLD: f32 = 0.7;
/// A definition's subject must weigh this many "unique terms" to count as
/// distinctive on its own.
const DISTINCTIVE_SUBJECT: f32 = 1.25;
const SIMILAR_THRESHOLD: f32 = 0.25;
const SIMILAR_LIMIT: usize = 3;
/// The longest posting list `similar` scans for one of a question's rarest
/// terms: past it, a term is too common to relate two questions.
const MAX_SCANNED_POSTINGS: usize = 256;

/// What `Similarity` reads of one question.
pub struct Wording<'a> {
    pub text: &'a str,
    pub follow_up: Option<&'a str>,
}

/// Terms, weights and near-duplicate pairs of every question of an index,
/// in the index's question order. Every per-question and per-term list is
/// one range of a flat array (`Lists`).
/// The most words the analysis' termer remembers before it starts again.
const TERMER_WORDS_KEPT: usize = 16_384;

#[derive(Debug, Default)]
pub struct Similarity {
    /// Each question's terms, ascending.
    terms: Lists,
    subjects: Lists,
    /// The terms of each side of every comparison, question after question.
    sides: Lists,
    /// Where each question's sides end in `sides` (none: not a comparison).
    side_ends: Vec<u32>,
    definitions: Vec<bool>,
    idf: Vec<f32>,
    /// The weight of a term no question uses (a follow-up's own).
    unseen_idf: f32,
    /// Each term's questions, ascending.
    postings: Lists,
    /// Each question's near-duplicates, ascending.
    twins: Lists,
    /// Questions whose follow-up asks the same as they do, ascending.
    repeating_follow_ups: Vec<u32>,
}

/// The sides of one comparison: a range of a `Lists`.
#[derive(Clone, Copy)]
struct Sides<'a> {
    lists: &'a Lists,
    start: u32,
    end: u32,
}

impl<'a> Sides<'a> {
    fn of(lists: &'a Lists, range: Range<u32>) -> Sides<'a> {
        Sides {
            lists,
            start: range.start,
            end: range.end,
        }
    }

    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn iter(&self) -> impl Iterator<Item = &'a [u32]> + 'a {
        let lists = self.lists;
        (self.start..self.end).map(move |side| lists.get(side as usize))
    }
}

/// The analysed terms of one wording, borrowed.
#[derive(Clone, Copy)]
struct Analysed<'a> {
    terms: &'a [u32],
    subject: &'a [u32],
    sides: Sides<'a>,
    definition: bool,
}

/// The analysed terms of one wording, owned: while building, and a
/// follow-up's.
struct OwnedAnalysis {
    terms: Vec<u32>,
    subject: Vec<u32>,
    sides: Lists,
    definition: bool,
}

impl OwnedAnalysis {
    fn as_analysed(&self) -> Analysed<'_> {
        Analysed {
            terms: &self.terms,
            subject: &self.subject,
            sides: Sides::of(&self.sides, 0..self.sides.len() as u32),
            definition: self.definition,
        }
    }
}

/// Turns wordings into term numbers: the termer, and the vocabulary that
/// numbers terms in order of first sight (`similar` breaks ties by number,
/// so the order is part of the result).
struct Analyser {
    termer: Termer,
    vocabulary: Vocabulary,
}

impl Analyser {
    fn term_ids(&mut self, terms: Vec<String>) -> Vec<u32> {
        let mut ids: Vec<u32> = terms
            .iter()
            .map(|term| self.vocabulary.intern(term))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The terms, then the subject's, then each side's: numbered in that
    /// order.
    fn analyse(&mut self, text: &str, shape: &ShapeInfo) -> OwnedAnalysis {
        let terms = self.termer.terms(text);
        let terms = self.term_ids(terms);
        let subject = subject_terms(&mut self.termer, text, shape);
        let subject = self.term_ids(subject);
        let mut sides = Lists::default();
        for side in &shape.sides {
            let side_terms = self.termer.terms(side);
            sides.push(&self.term_ids(side_terms));
        }
        OwnedAnalysis {
            terms,
            subject,
            sides,
            definition: shape.shape == Shape::Definition,
        }
    }
}

impl Similarity {
    /// Analyses `count` questions and their follow-ups, read as
    /// `questions` gives them (three passes; a large bank's wordings are
    /// not gathered first).
    pub fn new<'a, I: Iterator<Item = Wording<'a>>>(
        count: usize,
        questions: impl Fn() -> I,
    ) -> Similarity {
        let acronyms: Vec<_> = questions()
            .flat_map(|wording| acronyms_in(wording.text))
            .collect();
        let mut analyser = Analyser {
            termer: Termer::new(&acronyms),
            vocabulary: Vocabulary::default(),
        };
        let mut terms = Lists::with_capacity(count, count * 8);
        let mut subjects = Lists::with_capacity(count, count * 3);
        let mut sides = Lists::default();
        let mut side_ends = Vec::with_capacity(count);
        let mut definitions = Vec::with_capacity(count);
        for wording in questions() {
            // Classified here and dropped, not through the index's cache of
            // shapes: filling it for every question of a large bank held
            // the sides of 32,000 comparisons (4 MB) no request looks at.
            let analysis = analyser.analyse(wording.text, &classify(wording.text));
            terms.push(&analysis.terms);
            subjects.push(&analysis.subject);
            for side in analysis.sides.iter() {
                sides.push(side);
            }
            side_ends.push(sides.len() as u32);
            definitions.push(analysis.definition);
            // The termer's words are a cache, and a generated or large
            // bank's rare words are met once: kept whole, they were the
            // analysis' largest transient (6 MB for 100,000 questions).
            if analyser.termer.words_known() > TERMER_WORDS_KEPT {
                analyser.termer.forget_words();
            }
        }
        // Only the follow-ups are left to analyse, and the termer's words
        // are a cache: the analysis' own vocabulary numbers the terms.
        analyser.termer.forget_words();
        terms.shrink_to_fit();
        subjects.shrink_to_fit();
        sides.shrink_to_fit();
        let postings = terms.transposed(analyser.vocabulary.len());
        let total = count.max(1) as f32;
        let idf = postings
            .iter()
            .map(|list| (total / list.len().max(1) as f32).ln().max(0.05))
            .collect();
        let mut similarity = Similarity {
            terms,
            subjects,
            sides,
            side_ends,
            definitions,
            idf,
            unseen_idf: total.ln().max(0.05),
            postings,
            twins: Lists::default(),
            repeating_follow_ups: Vec::new(),
        };
        // Follow-ups join the vocabulary but not the postings: a term only a
        // follow-up uses weighs as much as the rarest question term. Each
        // is analysed when judged, in question order, so their terms are
        // numbered as if all were analysed first, and none is held longer.
        for (question, wording) in questions().enumerate() {
            let Some(text) = wording.follow_up else {
                continue;
            };
            let follow_up = analyser.analyse(text, &classify(text));
            if similarity.repeats(similarity.analysed(question), follow_up.as_analysed()) {
                similarity.repeating_follow_ups.push(question as u32);
            }
        }
        // The near-duplicates last, once the vocabulary is gone: finding
        // them holds their candidates' postings for a moment.
        drop(analyser);
        similarity.find_twins();
        similarity
    }

    /// Whether a question's follow-up asks the same as the question.
    pub fn follow_up_repeats(&self, question: usize) -> bool {
        self.repeating_follow_ups
            .binary_search(&(question as u32))
            .is_ok()
    }

    /// The near-duplicates of a question, by index, in ascending order.
    pub fn twins(&self, question: usize) -> &[u32] {
        self.twins.get(question)
    }

    pub fn are_twins(&self, first: usize, second: usize) -> bool {
        self.twins(first).binary_search(&(second as u32)).is_ok()
    }

    /// Questions that share rare terms with this one without repeating it,
    /// best first, at most three.
    pub fn similar(&self, question: usize) -> Vec<u32> {
        if question >= self.terms.len() {
            return Vec::new();
        }
        let own = self.terms.get(question);
        // A term in more than a tenth of the questions (or in thousands of
        // them, in a large bank) says little about any pair, and scanning
        // its list would cost a hover milliseconds.
        let common_cap = (self.terms.len() / 10).clamp(16, MAX_SCANNED_POSTINGS);
        let mut rarest: Vec<u32> = own.to_vec();
        rarest.sort_by(|a, b| self.idf(*b).total_cmp(&self.idf(*a)));
        let mut scored: Vec<(f32, u32)> = Vec::new();
        for &term in rarest.iter().take(3) {
            let list = self.postings.get(term as usize);
            if list.len() > common_cap {
                continue;
            }
            for &other in list {
                let other_index = other as usize;
                if other_index == question
                    || self.are_twins(question, other_index)
                    || scored.iter().any(|(_, seen)| *seen == other)
                {
                    continue;
                }
                let score = self.jaccard(own, self.terms.get(other_index));
                // "improve performance" alone does not relate two questions:
                // they must share what one of them is about.
                let shares_a_subject = self
                    .shared_weight(self.subjects.get(question), self.subjects.get(other_index))
                    > 0.0;
                if score >= SIMILAR_THRESHOLD && shares_a_subject {
                    scored.push((score, other));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(SIMILAR_LIMIT)
            .map(|(_, other)| other)
            .collect()
    }

    /// A term's rarity weight.
    fn idf(&self, term: u32) -> f32 {
        self.idf
            .get(term as usize)
            .copied()
            .unwrap_or(self.unseen_idf)
    }

    fn weight(&self, terms: &[u32]) -> f32 {
        terms.iter().map(|&term| self.idf(term)).sum()
    }

    fn shared_weight(&self, first: &[u32], second: &[u32]) -> f32 {
        let (mut i, mut j, mut shared) = (0, 0, 0.0);
        while i < first.len() && j < second.len() {
            match first[i].cmp(&second[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += self.idf(first[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        shared
    }

    fn jaccard(&self, first: &[u32], second: &[u32]) -> f32 {
        let shared = self.shared_weight(first, second);
        let union = self.weight(first) + self.weight(second) - shared;
        if union <= 0.0 { 0.0 } else { shared / union }
    }

    fn is_distinctive(&self, subject: &[u32]) -> bool {
        let max_idf = (self.terms.len().max(2) as f32).ln();
        !subject.is_empty() && self.weight(subject) >= DISTINCTIVE_SUBJECT * max_idf
    }

    fn analysed(&self, question: usize) -> Analysed<'_> {
        Analysed {
            terms: self.terms.get(question),
            subject: self.subjects.get(question),
            sides: self.sides_of(question),
            definition: self.definitions[question],
        }
    }

    fn sides_of(&self, question: usize) -> Sides<'_> {
        let start = question
            .checked_sub(1)
            .map_or(0, |before| self.side_ends[before]);
        Sides::of(&self.sides, start..self.side_ends[question])
    }

    /// Whether a follow-up asks the same as its question, by the module's
    /// rule with one direction left out: a follow-up that names its
    /// definition question's subject and asks more ("How would you version
    /// a REST API…?" after "Explain RESTful APIs") is what a follow-up is
    /// for; one that asks only the definition of its question's subject is
    /// not.
    fn repeats(&self, question: Analysed, follow_up: Analysed) -> bool {
        let same_subject = question.sides.is_empty() == follow_up.sides.is_empty()
            && self.jaccard(question.subject, follow_up.subject) >= SUBJECT_THRESHOLD;
        same_subject
            || self.jaccard(question.terms, follow_up.terms) >= WORDING_THRESHOLD
            || (follow_up.definition && self.subject_contained(follow_up, question))
    }

    /// A definition's distinctive subject stands whole in the other wording,
    /// and shares a term with the other's subject.
    fn subject_contained(&self, definition: Analysed, other: Analysed) -> bool {
        let subject = definition.subject;
        self.is_distinctive(subject)
            && subject
                .iter()
                .all(|term| other.terms.binary_search(term).is_ok())
            && subject
                .iter()
                .any(|term| other.subject.binary_search(term).is_ok())
            && !other
                .sides
                .iter()
                .any(|side| subject.iter().all(|term| side.binary_search(term).is_ok()))
    }

    fn is_comparison(&self, question: usize) -> bool {
        !self.sides_of(question).is_empty()
    }

    fn find_twins(&mut self) {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let subject_pairs = self.pairs_above(&self.subjects, SUBJECT_THRESHOLD);
        pairs.extend(subject_pairs.into_iter().filter(|&(first, second)| {
            self.is_comparison(first as usize) == self.is_comparison(second as usize)
        }));
        pairs.extend(self.pairs_above(&self.terms, WORDING_THRESHOLD));
        for definition in 0..self.definitions.len() {
            if !self.definitions[definition] || !self.is_distinctive(self.subjects.get(definition))
            {
                continue;
            }
            let Some(&rarest) = self
                .subjects
                .get(definition)
                .iter()
                .max_by(|a, b| self.idf(**a).total_cmp(&self.idf(**b)))
            else {
                continue;
            };
            for &other in self.postings.get(rarest as usize) {
                if other as usize != definition
                    && self
                        .subject_contained(self.analysed(definition), self.analysed(other as usize))
                {
                    pairs.push((definition as u32, other));
                }
            }
        }
        let mut directed: Vec<(u32, u32)> = pairs
            .into_iter()
            .flat_map(|(first, second)| [(first, second), (second, first)])
            .collect();
        directed.sort_unstable();
        directed.dedup();
        let mut twins = Lists::with_capacity(self.definitions.len(), directed.len());
        let mut rest = directed.as_slice();
        let mut list = Vec::new();
        for question in 0..self.definitions.len() as u32 {
            let count = rest
                .iter()
                .take_while(|(first, _)| *first == question)
                .count();
            list.clear();
            list.extend(rest[..count].iter().map(|(_, second)| *second));
            twins.push(&list);
            rest = &rest[count..];
        }
        self.twins = twins;
    }

    /// Pairs of term sets whose weighted Jaccard reaches `threshold`, found by
    /// prefix filtering: with terms ordered rarest first, two sets that
    /// reach the threshold share a term in both their prefixes. Each set is
    /// compared with the earlier sets whose prefix shares a term with its
    /// own, found through flat postings of the prefixes.
    fn pairs_above(&self, sets: &Lists, threshold: f32) -> Vec<(u32, u32)> {
        let mut prefixes = Lists::with_capacity(sets.len(), sets.len() * 3);
        let mut ordered: Vec<u32> = Vec::new();
        let mut terms = 0;
        for set in sets.iter() {
            ordered.clear();
            ordered.extend_from_slice(set);
            ordered.sort_by(|a, b| self.idf(*b).total_cmp(&self.idf(*a)).then(a.cmp(b)));
            let total = self.weight(set);
            let mut suffix = total;
            let mut prefix_len = 0;
            while prefix_len < ordered.len() && suffix >= threshold * total {
                suffix -= self.idf(ordered[prefix_len]);
                prefix_len += 1;
            }
            prefixes.push(&ordered[..prefix_len]);
            terms = ordered[..prefix_len]
                .iter()
                .fold(terms, |most, &term| most.max(term as usize + 1));
        }
        let postings = prefixes.transposed(terms);
        let mut pairs = Vec::new();
        let mut candidates: Vec<u32> = Vec::new();
        for (question, set) in sets.iter().enumerate() {
            candidates.clear();
            for &term in prefixes.get(question) {
                let earlier = postings
                    .get(term as usize)
                    .iter()
                    .take_while(|&&other| (other as usize) < question);
                candidates.extend(earlier);
            }
            candidates.sort_unstable();
            candidates.dedup();
            for &other in &candidates {
                if self.jaccard(set, sets.get(other as usize)) >= threshold {
                    pairs.push((other, question as u32));
                }
            }
        }
        pairs
    }
}

/// The terms naming what a question is about: the sides of a comparison and
/// what its parentheses name ("(CAP theorem)"), or its first clause without
/// a trailing "in …" context.
fn subject_terms(termer: &mut Termer, text: &str, shape: &ShapeInfo) -> Vec<String> {
    if !shape.sides.is_empty() {
        let mut terms: Vec<String> = shape
            .sides
            .iter()
            .flat_map(|side| termer.terms(side))
            .collect();
        for parenthetical in text
            .split('(')
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            terms.extend(termer.terms(parenthetical));
        }
        return terms;
    }
    let lower = text.to_ascii_lowercase();
    let mut end = lower.len();
    // ", " and not ",": "100,000 users" is one number, not a clause break.
    for stop in [
        ", ",
        "?",
        ". ",
        " and how",
        " and why",
        " and when",
        " and what",
    ] {
        if let Some(at) = lower.find(stop) {
            end = end.min(at);
        }
    }
    let clause = &lower[..end];
    let cut = clause
        .find(" in ")
        .map(|at| &clause[..at])
        .filter(|head| !termer.terms(head).is_empty());
    termer.terms(cut.unwrap_or(clause))
}

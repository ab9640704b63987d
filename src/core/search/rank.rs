//! Ranking a query's candidates. Questions matching more of the query's
//! words come first; among those, nucleo-matcher scores each query token
//! against the text each candidate's haystack writes, and the scores of the
//! tokens that match add up (a question met through a root or an acronym
//! scores nothing for that token but keeps its place by words matched).
//! When there are too many candidates to score, those matching the most
//! words, then the most words whole, are kept first.

use std::cell::RefCell;

use nucleo_matcher::pattern::Atom;
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::query::Query;
use super::{NumberMatch, SearchHit, SearchIndex, union};

/// How many candidates are ranked by the fuzzy matcher; beyond this,
/// candidates are first ordered by words matched.
pub(super) const FUZZY_RANK_LIMIT: usize = 2_000;

thread_local! {
    /// nucleo's matcher holds about 135 KB of scratch space: make it once per thread.
    pub(super) static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Each question's hit: the query words it matched (`matched`, by
/// question) and the sum of the scores of the tokens matching its text.
pub(super) fn fuzzy_scores(
    atoms: &[Atom],
    questions: &[u32],
    matched: &[u8],
    haystack: impl Fn(u32, &mut String),
) -> Vec<SearchHit> {
    let mut text = String::new();
    let mut buffer = Vec::new();
    MATCHER.with_borrow_mut(|matcher| {
        questions
            .iter()
            .map(|&question| {
                haystack(question, &mut text);
                let haystack = Utf32Str::new(&text, &mut buffer);
                let score = atoms
                    .iter()
                    .filter_map(|atom| atom.score(haystack, matcher))
                    .map(u32::from)
                    .sum();
                SearchHit {
                    question,
                    matched_words: u32::from(matched[question as usize]),
                    score,
                }
            })
            .collect()
    })
}

impl SearchIndex {
    /// Keeps the `keep` candidates matching the most query words, then
    /// holding the most of them as whole words, in bank order among equals.
    pub(super) fn most_matched(
        &self,
        candidates: Vec<u32>,
        matched: &[u8],
        query: &Query,
        keep: usize,
    ) -> Vec<u32> {
        let mut whole_words = vec![0u8; self.len()];
        for word in &query.words {
            for question in self.exact_word(&word.text) {
                whole_words[question as usize] = whole_words[question as usize].saturating_add(1);
            }
        }
        let order = |&question: &u32| {
            let slot = question as usize;
            (
                std::cmp::Reverse(matched[slot]),
                std::cmp::Reverse(whole_words[slot]),
                question,
            )
        };
        // The best `keep` of maybe every question: selected in linear time,
        // then only they are sorted.
        let mut ordered = candidates;
        if ordered.len() > keep {
            ordered.select_nth_unstable_by_key(keep, order);
            ordered.truncate(keep);
        }
        ordered.sort_unstable_by_key(order);
        ordered
    }

    /// Questions holding `word` as a whole word, ascending.
    fn exact_word(&self, word: &str) -> Vec<u32> {
        let holding = self
            .vocabulary
            .find(word)
            .map_or(&[][..], |word| self.questions_of(word));
        let numbered = self.questions_numbered(word, NumberMatch::Exact);
        union(&[holding, &numbered], self.len())
    }
}

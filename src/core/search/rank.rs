//! Ranking a query's candidates: nucleo-matcher scores the text each
//! candidate's haystack writes; when there are too many candidates to score,
//! those with the most needles matching whole words are kept first.

use std::cell::RefCell;

use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::{NumberMatch, SearchHit, SearchIndex, union};

/// How many candidates are ranked by the fuzzy matcher; beyond this,
/// candidates are first ordered by whole-word matches.
pub(super) const FUZZY_RANK_LIMIT: usize = 2_000;

thread_local! {
    /// nucleo's matcher holds about 135 KB of scratch space: make it once per thread.
    pub(super) static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

pub(super) fn fuzzy_scores(
    pattern: &Pattern,
    questions: &[u32],
    haystack: impl Fn(u32, &mut String),
) -> Vec<SearchHit> {
    let mut text = String::new();
    let mut buffer = Vec::new();
    MATCHER.with_borrow_mut(|matcher| {
        questions
            .iter()
            .filter_map(|&question| {
                haystack(question, &mut text);
                pattern
                    .score(Utf32Str::new(&text, &mut buffer), matcher)
                    .map(|score| SearchHit { question, score })
            })
            .collect()
    })
}

impl SearchIndex {
    /// Keeps the `keep` candidates with the most needles matching a whole
    /// word, in bank order among equals.
    pub(super) fn order_by_whole_words(
        &self,
        candidates: Vec<u32>,
        needles: &[String],
        keep: usize,
    ) -> Vec<u32> {
        let mut whole_words = vec![0u8; self.len()];
        for needle in needles {
            for question in self.exact_word(needle) {
                whole_words[question as usize] = whole_words[question as usize].saturating_add(1);
            }
        }
        let mut ordered = candidates;
        ordered
            .sort_by_key(|&question| (std::cmp::Reverse(whole_words[question as usize]), question));
        ordered.truncate(keep);
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

//! What one query word matches. A word meets a question through any of its
//! forms: a word of the question it starts ("kub" in "Kubernetes"), a word
//! with the same root ("scale" and "scalability"), an acronym the banks spell
//! out ("cdn" and "Content Delivery Network", either way round), or, when
//! none of those finds anything, a word it fuzzily matches (the typo
//! "kubrnetes"). Each form is a union of postings; no form reads the
//! questions themselves.

use nucleo_matcher::Utf32Str;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use rust_stemmers::Stemmer;

use super::query::{MAX_QUERY_WORDS, Query, QueryWord};
use super::rank::MATCHER;
use super::{NumberMatch, SearchIndex, intersect, union};
use crate::core::text::{Acronym, word_root};

/// How many words of one query may fall back to the fuzzy match over the
/// whole vocabulary, the one expansion whose cost grows with the bank.
pub(super) const MAX_TYPO_WORDS: usize = 3;

const _: () = assert!(3 * MAX_QUERY_WORDS < u8::MAX as usize);

/// The questions each word of a query matches, counted per question: each
/// question counts a query word once, whichever of its forms met it.
/// A query word takes up to three counts (a key that is not one of the
/// banks' counts as its two words), so a byte holds them.
pub(super) struct Tally {
    /// Per question: how many query words it matches.
    pub(super) matched: Vec<u8>,
    /// Per question: the last query word (plus one) that counted it.
    last_word: Vec<u8>,
    word: u8,
    /// The questions matching at least one word, in the order first met.
    pub(super) candidates: Vec<u32>,
}

impl Tally {
    pub(super) fn new(questions: usize) -> Tally {
        Tally {
            matched: vec![0; questions],
            last_word: vec![0; questions],
            word: 0,
            candidates: Vec::new(),
        }
    }

    /// Starts counting the next query word.
    fn next_word(&mut self) {
        self.word += 1;
    }

    fn add(&mut self, questions: &[u32]) {
        for &question in questions {
            let slot = question as usize;
            if self.last_word[slot] == self.word {
                continue;
            }
            self.last_word[slot] = self.word;
            if self.matched[slot] == 0 {
                self.candidates.push(question);
            }
            self.matched[slot] += 1;
        }
    }
}

impl SearchIndex {
    /// Counts, for every question, how many of the query's words it matches.
    pub(super) fn tally(&self, query: &Query, stemmer: &Stemmer) -> Tally {
        let mut tally = Tally::new(self.len());
        let spelled = self.spelled_acronyms(query);
        let mut typo_words = 0;
        for (position, word) in query.words.iter().enumerate() {
            tally.next_word();
            if let Some(digits) = &word.key_digits {
                let keyed = self.questions_keyed(&word.text, digits);
                if !keyed.is_empty() {
                    tally.add(&keyed);
                    continue;
                }
                // Not a key of these banks ("http-2"): two words, as written.
                for part in [word.text.as_str(), digits] {
                    tally.next_word();
                    self.add_word_forms(&QueryWord::plain(part, stemmer), stemmer, &mut tally);
                }
                continue;
            }
            let mut found = self.add_word_forms(word, stemmer, &mut tally);
            for (_, acronym) in spelled.iter().filter(|(at, _)| *at == position) {
                found |= self.add_word(&acronym.short, &mut tally);
            }
            if !found && typo_words < MAX_TYPO_WORDS {
                typo_words += 1;
                tally.add(&self.questions_with_fuzzy_word(&word.text));
            }
        }
        tally
    }

    /// Adds the questions `word` meets by prefix, root or acronym; whether
    /// there were any.
    fn add_word_forms(&self, word: &QueryWord, stemmer: &Stemmer, tally: &mut Tally) -> bool {
        let mut found = false;
        for id in self.buckets.words_with_prefix(&self.vocabulary, &word.text) {
            tally.add(self.questions_of(id));
            found = true;
        }
        let numbered = self.questions_numbered(&word.text, NumberMatch::Prefix);
        found |= !numbered.is_empty();
        tally.add(&numbered);
        if let Some(root) = &word.root {
            for id in self.words_with_root(root, &word.text, stemmer) {
                tally.add(self.questions_of(id));
                found = true;
            }
        }
        // "cdns" is the acronym "cdn" through its root.
        let acronym = (self.acronym(&word.text))
            .or_else(|| word.root.as_deref().and_then(|root| self.acronym(root)));
        if let Some(acronym) = acronym {
            let spelled_out = self.questions_with_every_word(&acronym.words);
            found |= !spelled_out.is_empty();
            tally.add(&spelled_out);
        }
        found
    }

    /// The acronym `short` (lowercase) that the banks spell out, if any.
    fn acronym(&self, short: &str) -> Option<&Acronym> {
        self.acronyms
            .binary_search_by(|acronym| acronym.short.as_str().cmp(short))
            .ok()
            .map(|position| &self.acronyms[position])
    }

    /// Questions of the bank `prefix` (lowercase) whose number starts with
    /// `digits`, ascending.
    fn questions_keyed(&self, prefix: &str, digits: &str) -> Vec<u32> {
        let Some(id) = self.vocabulary.find(prefix) else {
            return Vec::new();
        };
        intersect(
            self.questions_of(id),
            &self.questions_numbered(digits, NumberMatch::Prefix),
        )
    }

    /// Adds the questions holding `word` whole; whether there were any.
    fn add_word(&self, word: &str, tally: &mut Tally) -> bool {
        let Some(id) = self.vocabulary.find(word) else {
            return false;
        };
        tally.add(self.questions_of(id));
        true
    }

    /// Words of the vocabulary with this root that do not start with the
    /// query word (those its prefix already found). A root is a prefix of
    /// the words it comes from but for a final "y" the stemmer turns into
    /// "i" ("rely", "reli"), so only the words starting with it are stemmed.
    fn words_with_root(&self, root: &str, typed: &str, stemmer: &Stemmer) -> Vec<u32> {
        let start = root
            .strip_suffix('i')
            .filter(|start| start.len() >= 3)
            .unwrap_or(root);
        self.buckets
            .words_with_prefix(&self.vocabulary, start)
            .into_iter()
            .filter(|&id| {
                let candidate = self.vocabulary.word(id);
                !candidate.starts_with(typed) && word_root(stemmer, candidate) == root
            })
            .collect()
    }

    /// Questions holding every one of `words` whole, ascending.
    fn questions_with_every_word(&self, words: &[String]) -> Vec<u32> {
        let mut result: Option<Vec<u32>> = None;
        for word in words {
            let Some(id) = self.vocabulary.find(word) else {
                return Vec::new();
            };
            let holding = self.questions_of(id);
            result = Some(match result {
                None => holding.to_vec(),
                Some(previous) => intersect(&previous, holding),
            });
        }
        result.unwrap_or_default()
    }

    /// The acronyms whose spelled-out words the query holds in a row
    /// ("content delivery network"), each paired with the position of every
    /// query word of the phrase: those words also meet the acronym.
    fn spelled_acronyms(&self, query: &Query) -> Vec<(usize, &Acronym)> {
        let mut found = Vec::new();
        for acronym in &self.acronyms {
            let length = acronym.words.len().max(1);
            let spelled = query
                .all_words
                .windows(length)
                .any(|window| window == acronym.words.as_slice());
            if !spelled {
                continue;
            }
            for (position, word) in query.words.iter().enumerate() {
                if acronym.words.contains(&word.text) {
                    found.push((position, acronym));
                }
            }
        }
        found
    }

    /// Questions holding a word that `needle` matches as a fuzzy
    /// subsequence ("kubernets" in "kubernetes"), for typos.
    pub(super) fn questions_with_fuzzy_word(&self, needle: &str) -> Vec<u32> {
        if needle.chars().count() < 3 {
            return Vec::new();
        }
        let pattern = Pattern::new(
            needle,
            CaseMatching::Ignore,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        let mut buffer = Vec::new();
        MATCHER.with_borrow_mut(|matcher| {
            let mut matches = |word: &str| {
                word.len() >= needle.len()
                    && pattern
                        .score(Utf32Str::new(word, &mut buffer), matcher)
                        .is_some()
            };
            let mut lists: Vec<&[u32]> = (0..self.vocabulary.len() as u32)
                .filter(|&word| matches(self.vocabulary.word(word)))
                .map(|word| self.questions_of(word))
                .collect();
            let numbered = self.questions_numbered(needle, NumberMatch::Fuzzy(&mut matches));
            if !numbered.is_empty() {
                lists.push(&numbered);
            }
            union(&lists, self.len())
        })
    }
}

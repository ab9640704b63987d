//! Question search: what `qbank search`, `@` completion and workspace symbols
//! ask, ranked one way for all three. A query is the words a person types
//! ("how do I scale a database"), matched against each question's key,
//! wording, category and tags.
//!
//! Each query word, less the stop words (`query.rs`), meets the questions
//! holding any of its forms (`expand.rs`): a word it starts, a word of the
//! same root, an acronym the banks spell out in either form, or failing
//! those, a word it matches fuzzily (a typo). Questions rank by how many
//! distinct query words they match, so one missing a word still ranks, below
//! those holding all; then by nucleo-matcher's score of the query's tokens
//! against the question (`rank.rs`); then in bank order. No query scores
//! every question: the forms are unions of postings, and when too many
//! questions match, those matching the most words are scored first.
//!
//! Building the index is on the path of loading a bank, so it is laid out
//! flat: words are interned once into one string, each word's questions are
//! one range of one array, and words are bucketed by their first three
//! letters so a prefix finds its words without a sorted vocabulary. Roots
//! are worked out at query time, for the few words sharing a query word's
//! first letters, never for the whole vocabulary. The text the matcher
//! ranks is written out only for the candidates of a query.

mod build;
mod expand;
mod query;
mod rank;
pub(crate) mod vocabulary;

use std::fmt::Write;
use std::ops::Range;

use crate::core::lists::Lists;
use crate::core::parallel;
use crate::core::text::{Acronym, english_stemmer};
use build::Builder;
use query::Query;
use rank::{FUZZY_RANK_LIMIT, fuzzy_scores};
use vocabulary::{PrefixBuckets, Vocabulary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub question: u32,
    /// How many distinct words of the query the question matches.
    pub matched_words: u32,
    /// nucleo-matcher's score of the query's tokens against the question.
    pub score: u32,
}

impl SearchHit {
    /// How well the question matches, higher first: the words it matches,
    /// then the matcher's score. Every list of questions that ranks them by
    /// match quality orders by this.
    pub fn quality(&self) -> (u32, u32) {
        (self.matched_words, self.score)
    }
}

/// One searchable question: its key (`prefix-number`) and the text searched.
pub struct SearchEntry<'a> {
    pub prefix: &'a str,
    pub number: u32,
    pub text: &'a str,
    pub category: &'a str,
    pub tags: &'a [String],
}

impl SearchEntry<'_> {
    /// What the fuzzy matcher ranks, into `out`: `KEY wording | category
    /// #tag`. ASCII separators keep ASCII questions on nucleo's fast path.
    pub fn write_haystack(&self, out: &mut String) {
        out.clear();
        let _ = write!(
            out,
            "{}-{} {} | {}",
            self.prefix, self.number, self.text, self.category
        );
        for tag in self.tags {
            out.push_str(" #");
            out.push_str(tag);
        }
    }
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Each question's key number. Its digits are a word of the question,
    /// kept here rather than in the vocabulary, where every question would
    /// add a word of its own.
    numbers: Vec<u32>,
    vocabulary: Vocabulary,
    /// Each word's questions, ascending.
    postings: Lists,
    /// The vocabulary's words by their first three bytes.
    buckets: PrefixBuckets,
    /// The acronyms the questions spell out, each meaning one thing across
    /// the banks, by their short form (lowercase).
    acronyms: Vec<Acronym>,
}

/// Below this many questions for each, more threads would not pay for
/// joining what they built.
const LEAST_PER_THREAD: usize = 16_384;

impl SearchIndex {
    /// The index of `count` questions, whose entries `entries` gives for a
    /// range of them. A large index is built in parts on every core, then
    /// joined: the same index, word for word (`Builder::append`).
    pub fn new<'a, I>(count: usize, entries: impl Fn(Range<usize>) -> I + Sync) -> SearchIndex
    where
        I: Iterator<Item = SearchEntry<'a>>,
    {
        let threads = parallel::cores().min(count / LEAST_PER_THREAD).max(1);
        SearchIndex::in_parts(count, threads, entries)
    }

    pub(super) fn in_parts<'a, I>(
        count: usize,
        parts: usize,
        entries: impl Fn(Range<usize>) -> I + Sync,
    ) -> SearchIndex
    where
        I: Iterator<Item = SearchEntry<'a>>,
    {
        let build = |range: Range<usize>| {
            let mut builder = Builder::with_capacity(range.len());
            for (question, entry) in (range.start as u32..).zip(entries(range)) {
                builder.add(question, &entry);
            }
            vec![builder]
        };
        let size = count.div_ceil(parts.max(1)).max(1);
        let ranges: Vec<Range<usize>> = (0..count)
            .step_by(size)
            .map(|start| start..(start + size).min(count))
            .collect();
        let mut built = match ranges.as_slice() {
            [] => Vec::new(),
            [only] => build(only.clone()),
            _ => std::thread::scope(|scope| {
                let workers: Vec<_> = ranges
                    .iter()
                    .map(|range| {
                        let build = &build;
                        scope.spawn(move || build(range.clone()))
                    })
                    .collect();
                parallel::joined(workers)
            }),
        }
        .into_iter();
        let mut whole = built.next().unwrap_or_default();
        for part in built {
            whole.append(part);
        }
        whole.finish()
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// The best `limit` questions for `query`, best first: most query words
    /// matched, then the matcher's score, then bank order. An empty query
    /// returns the first questions. `haystack` writes a question's text to
    /// rank (`SearchEntry::write_haystack`).
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        haystack: impl Fn(u32, &mut String),
    ) -> Vec<SearchHit> {
        let stemmer = english_stemmer();
        let query = Query::parse(query, &stemmer);
        if query.words.is_empty() {
            return (0..self.len().min(limit) as u32)
                .map(|question| SearchHit {
                    question,
                    matched_words: 0,
                    score: 0,
                })
                .collect();
        }
        let tally = self.tally(&query, &stemmer);
        let mut candidates = tally.candidates;
        if candidates.len() > FUZZY_RANK_LIMIT {
            candidates = self.most_matched(candidates, &tally.matched, &query, limit.max(50) * 4);
        }
        let mut hits = fuzzy_scores(&query.atoms, &candidates, &tally.matched, haystack);
        hits.sort_unstable_by(|a, b| {
            b.quality()
                .cmp(&a.quality())
                .then(a.question.cmp(&b.question))
        });
        hits.truncate(limit);
        hits
    }

    pub(super) fn questions_of(&self, word: u32) -> &[u32] {
        self.postings.get(word as usize)
    }

    /// Questions whose key number, as a word, matches `needle`: ascending.
    /// Only needles of ASCII digits can match one.
    fn questions_numbered(&self, needle: &str, how: NumberMatch<'_>) -> Vec<u32> {
        let Some(digits) = Digits::of(needle) else {
            return Vec::new();
        };
        let mut decimal = String::new();
        let mut how = how;
        (0..self.numbers.len() as u32)
            .filter(|&question| {
                let number = self.numbers[question as usize];
                match &mut how {
                    NumberMatch::Prefix => digits.starts(number),
                    NumberMatch::Exact => digits.equals(number),
                    NumberMatch::Fuzzy(matches) => {
                        decimal.clear();
                        let _ = write!(decimal, "{number}");
                        matches(&decimal)
                    }
                }
            })
            .collect()
    }
}

/// How a needle of digits meets a key number.
enum NumberMatch<'m> {
    Prefix,
    Exact,
    Fuzzy(&'m mut dyn FnMut(&str) -> bool),
}

/// A needle of ASCII digits, to compare with key numbers without writing
/// each number out.
struct Digits {
    value: u64,
    count: u32,
    /// "0" is the only word of digits starting with a zero.
    leading_zero: bool,
}

impl Digits {
    fn of(needle: &str) -> Option<Digits> {
        if needle.is_empty() || needle.len() > 10 || !needle.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Digits {
            value: needle.parse().ok()?,
            count: needle.len() as u32,
            leading_zero: needle.starts_with('0'),
        })
    }

    /// Whether the decimal digits of `number` start with these.
    fn starts(&self, number: u32) -> bool {
        if self.leading_zero {
            return self.count == 1 && number == 0;
        }
        let written = number.checked_ilog10().unwrap_or(0) + 1;
        written >= self.count && u64::from(number) / 10u64.pow(written - self.count) == self.value
    }

    fn equals(&self, number: u32) -> bool {
        (!self.leading_zero || self.count == 1) && u64::from(number) == self.value
    }
}

fn intersect(first: &[u32], second: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut result = Vec::new();
    while i < first.len() && j < second.len() {
        match first[i].cmp(&second[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                result.push(first[i]);
                i += 1;
                j += 1;
            }
        }
    }
    result
}

/// The sorted union of sorted lists, through a bitmap when there are many.
fn union(lists: &[&[u32]], universe: usize) -> Vec<u32> {
    match lists {
        [] => Vec::new(),
        [only] => only.to_vec(),
        _ => {
            let mut seen = vec![false; universe];
            for list in lists {
                for &question in *list {
                    seen[question as usize] = true;
                }
            }
            seen.iter()
                .enumerate()
                .filter(|(_, present)| **present)
                .map(|(question, _)| question as u32)
                .collect()
        }
    }
}

#[cfg(test)]
mod tests;

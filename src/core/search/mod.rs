//! Question search: what `qbank search`, `@` completion and workspace symbols
//! ask. A query is whitespace-separated atoms matched against each
//! question's key, wording, category and tags.
//!
//! A word index keeps it fast on 100,000 questions: it finds the questions
//! in which every atom starts a word, and nucleo-matcher ranks those. When
//! an atom starts no word — a typo such as "kubernets" — the atom is matched
//! fuzzily against the vocabulary (short words, not whole questions) and the
//! questions holding the matched words are ranked instead. No query scores
//! every question.
//!
//! Building the index is on the path of loading a bank, so it is laid out
//! flat: words are interned once into one string, each word's questions are
//! one range of one array, and words are bucketed by their first three
//! letters so a prefix finds its words without a sorted vocabulary. The text
//! the matcher ranks is written out only for the candidates of a query.

mod build;
mod rank;
mod vocabulary;

use std::fmt::Write;

use nucleo_matcher::Utf32Str;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};

use crate::core::text::words;
use build::Builder;
use rank::{FUZZY_RANK_LIMIT, MATCHER, fuzzy_scores};
use vocabulary::{PrefixBuckets, Vocabulary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub question: u32,
    pub score: u32,
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
    /// Where each word's questions end in `postings`; they start where the
    /// previous word's end.
    posting_ends: Vec<u32>,
    /// Every word's questions, ascending, word after word.
    postings: Vec<u32>,
    /// The vocabulary's words by their first three bytes.
    buckets: PrefixBuckets,
}

impl SearchIndex {
    pub fn new<'a>(entries: impl Iterator<Item = SearchEntry<'a>>) -> SearchIndex {
        let mut builder = Builder::with_capacity(entries.size_hint().0);
        for (question, entry) in entries.enumerate() {
            builder.add(question as u32, &entry);
        }
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// The best `limit` questions for `query`, best first; ties keep bank
    /// order. An empty query returns the first questions. `haystack` writes
    /// a question's text to rank (`SearchEntry::write_haystack`).
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        haystack: impl Fn(u32, &mut String),
    ) -> Vec<SearchHit> {
        let needles: Vec<String> = words(query).collect();
        if needles.is_empty() {
            return (0..self.len().min(limit) as u32)
                .map(|question| SearchHit { question, score: 0 })
                .collect();
        }
        let pattern = Pattern::new(
            query,
            CaseMatching::Ignore,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        let candidates = self.candidates(&needles);
        let ranked = if candidates.len() <= FUZZY_RANK_LIMIT {
            candidates
        } else {
            self.order_by_whole_words(candidates, &needles, limit.max(50) * 4)
        };
        let mut hits = fuzzy_scores(&pattern, &ranked, haystack);
        hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.question.cmp(&b.question)));
        hits.truncate(limit);
        hits
    }

    /// Questions in which every needle starts a word, or failing that for a
    /// needle, holds a word the needle fuzzily matches; ascending.
    fn candidates(&self, needles: &[String]) -> Vec<u32> {
        let mut result: Option<Vec<u32>> = None;
        for needle in needles {
            let mut matching = self.questions_with_word_prefix(needle);
            if matching.is_empty() {
                matching = self.questions_with_fuzzy_word(needle);
            }
            result = Some(match result {
                None => matching,
                Some(previous) => intersect(&previous, &matching),
            });
            if result.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        result.unwrap_or_default()
    }

    fn questions_of(&self, word: u32) -> &[u32] {
        let end = self.posting_ends[word as usize] as usize;
        let start = match word {
            0 => 0,
            _ => self.posting_ends[word as usize - 1] as usize,
        };
        &self.postings[start..end]
    }

    fn questions_with_word_prefix(&self, prefix: &str) -> Vec<u32> {
        let numbered = self.questions_numbered(prefix, NumberMatch::Prefix);
        let mut lists: Vec<&[u32]> = self
            .buckets
            .words_with_prefix(&self.vocabulary, prefix)
            .into_iter()
            .map(|word| self.questions_of(word))
            .collect();
        if !numbered.is_empty() {
            lists.push(&numbered);
        }
        union(&lists, self.len())
    }

    /// Questions holding a word that `needle` matches as a fuzzy
    /// subsequence ("kubernets" in "kubernetes"), for typos.
    fn questions_with_fuzzy_word(&self, needle: &str) -> Vec<u32> {
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
mod tests {
    use crate::core::builtin::builtin_bank;
    use crate::core::index::Index;
    use expect_test::{Expect, expect};

    fn check(query: &str, expected: Expect) {
        let index = Index::new(Some(builtin_bank()), Vec::new());
        let rendered: Vec<String> = index
            .search(query, 5)
            .iter()
            .map(|hit| {
                let question = index.get(hit.question);
                format!("{} {}", question.key(), question.text())
            })
            .collect();
        let rendered = if rendered.is_empty() {
            "(none)".to_string()
        } else {
            rendered.join("\n")
        };
        expected.assert_eq(&(rendered + "\n"));
    }

    #[test]
    fn words_anywhere_in_the_question() {
        check(
            "content delivery",
            expect![[r#"
            BE-78 What is a Content Delivery Network (CDN), and how does it reduce latency?
            BE-100 What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
            BE-117 What is a content delivery network (CDN), and how does it impact performance?
            BE-66 What is CDN (Content Delivery Network), and how does it improve performance?
        "#]],
        );
        check(
            "acid",
            expect![[r#"
            BE-23 What is ACID compliance, and why is it important in databases?
        "#]],
        );
    }

    #[test]
    fn keys_rank_first() {
        check(
            "BE-23",
            expect![[r#"
            BE-23 What is ACID compliance, and why is it important in databases?
        "#]],
        );
    }

    #[test]
    fn short_prefixes_and_typos() {
        check(
            "k",
            expect![[r#"
            BE-4 What are the key responsibilities of a back-end developer?
            BE-24 What is a primary key in a relational database?
            BE-28 What are foreign keys, and how do they work?
            BE-52 What are public and private keys in asymmetric encryption?
            BE-83 What is Kubernetes, and how does it help with container orchestration?
        "#]],
        );
        check(
            "kubrnetes",
            expect![[r#"
            BE-83 What is Kubernetes, and how does it help with container orchestration?
            BE-94 What are some common tools used for container orchestration (Kubernetes, Docker Swarm)?
        "#]],
        );
    }

    #[test]
    fn categories_and_nothing() {
        check(
            "testing debugging",
            expect![[r#"
            BE-121 What are unit tests, and why are they important in back-end development?
            BE-122 What are integration tests, and how do they differ from unit tests?
            BE-123 How do you use mock objects in unit testing?
            BE-124 What is test-driven development (TDD), and how does it benefit back-end development?
            BE-125 What tools do you use for automated back-end testing?
        "#]],
        );
        check(
            "zzzz",
            expect![[r#"
                (none)
            "#]],
        );
    }
}

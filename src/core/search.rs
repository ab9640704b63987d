//! Question search: what `qbank search`, `@` completion and workspace symbols
//! ask. A query is whitespace-separated atoms matched against each
//! question's key, wording, category and tags.
//!
//! A word index keeps it fast on 100,000 questions: it finds the questions
//! in which every atom starts a word (one- and two-letter prefixes have
//! their question lists built with the index, since they match the most),
//! and nucleo-matcher ranks those. When an atom starts no word — a typo
//! such as "kubernets" — the atom is matched fuzzily against the vocabulary
//! (short words, not whole questions) and the questions holding the matched
//! words are ranked instead. No query scores every question.

use std::cell::RefCell;
use std::collections::HashMap;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::core::text::words;

/// How many candidates are ranked by the fuzzy matcher; beyond this,
/// candidates are first ordered by whole-word matches.
const FUZZY_RANK_LIMIT: usize = 2_000;

/// Letters and digits an ASCII short prefix is made of, for table lookups.
const ALPHABET: usize = 36;

thread_local! {
    /// nucleo's matcher holds about 135 KB of scratch space: make it once per thread.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    pub question: u32,
    pub score: u32,
}

/// One searchable question: its key and the text searched.
pub struct SearchEntry<'a> {
    pub key: String,
    pub text: &'a str,
    pub category: &'a str,
    pub tags: &'a [String],
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    /// What the fuzzy matcher ranks: `KEY wording | category #tag`. ASCII
    /// separators keep ASCII questions on nucleo's fast path.
    haystacks: Vec<String>,
    /// Every word, sorted, with the questions holding it (ascending).
    vocabulary: Vec<(String, Vec<u32>)>,
    /// Questions holding a word that starts with a one- or two-character
    /// ASCII prefix, indexed by `short_slot`.
    short_ascii: Vec<Vec<u32>>,
    /// The same for prefixes with other characters.
    short_other: HashMap<String, Vec<u32>>,
}

/// Appends a question to a list built in question order, once.
fn push_once(list: &mut Vec<u32>, question: u32) {
    if list.last() != Some(&question) {
        list.push(question);
    }
}

fn alphabet_slot(byte: u8) -> Option<usize> {
    match byte {
        b'a'..=b'z' => Some((byte - b'a') as usize),
        b'0'..=b'9' => Some(26 + (byte - b'0') as usize),
        _ => None,
    }
}

/// The table slot of a one- or two-character ASCII prefix.
fn short_slot(prefix: &str) -> Option<usize> {
    match prefix.as_bytes() {
        [first] => alphabet_slot(*first),
        [first, second] => {
            Some(ALPHABET + alphabet_slot(*first)? * ALPHABET + alphabet_slot(*second)?)
        }
        _ => None,
    }
}

impl SearchIndex {
    pub fn new<'a>(entries: impl Iterator<Item = SearchEntry<'a>>) -> SearchIndex {
        let mut index = SearchIndex {
            short_ascii: vec![Vec::new(); ALPHABET + ALPHABET * ALPHABET],
            ..SearchIndex::default()
        };
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        let mut lowered = String::new();
        for (question, entry) in entries.enumerate() {
            let question = question as u32;
            let mut haystack = format!("{} {} | {}", entry.key, entry.text, entry.category);
            for tag in entry.tags {
                haystack.push_str(" #");
                haystack.push_str(tag);
            }
            for word in haystack
                .split(|character: char| !character.is_alphanumeric())
                .filter(|word| !word.is_empty())
            {
                lowered.clear();
                if word.is_ascii() {
                    lowered.push_str(word);
                    lowered.make_ascii_lowercase();
                } else {
                    lowered.extend(word.chars().flat_map(char::to_lowercase));
                }
                match postings.get_mut(lowered.as_str()) {
                    Some(list) => push_once(list, question),
                    None => {
                        postings.insert(lowered.clone(), vec![question]);
                    }
                }
                index.add_short_prefixes(&lowered, question);
            }
            index.haystacks.push(haystack);
        }
        index.vocabulary = postings.into_iter().collect();
        index.vocabulary.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        index
    }

    fn add_short_prefixes(&mut self, word: &str, question: u32) {
        let mut ends = word
            .char_indices()
            .map(|(position, _)| position)
            .skip(1)
            .chain([word.len()]);
        for end in [ends.next(), ends.next()].into_iter().flatten() {
            let prefix = &word[..end];
            match short_slot(prefix) {
                Some(slot) => push_once(&mut self.short_ascii[slot], question),
                None => push_once(
                    self.short_other.entry(prefix.to_string()).or_default(),
                    question,
                ),
            }
        }
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// The best `limit` questions for `query`, best first; ties keep bank order.
    /// An empty query returns the first questions.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
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
        let mut hits = self.fuzzy_scores(&pattern, &ranked);
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

    fn questions_with_word_prefix(&self, prefix: &str) -> Vec<u32> {
        if prefix.chars().count() <= 2 {
            let list = match short_slot(prefix) {
                Some(slot) => self.short_ascii.get(slot),
                None => self.short_other.get(prefix),
            };
            return list.cloned().unwrap_or_default();
        }
        let start = self
            .vocabulary
            .partition_point(|(word, _)| word.as_str() < prefix);
        let lists: Vec<&[u32]> = self.vocabulary[start..]
            .iter()
            .take_while(|(word, _)| word.starts_with(prefix))
            .map(|(_, list)| list.as_slice())
            .collect();
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
            let lists: Vec<&[u32]> = self
                .vocabulary
                .iter()
                .filter(|(word, _)| word.len() >= needle.len())
                .filter(|(word, _)| {
                    pattern
                        .score(Utf32Str::new(word, &mut buffer), matcher)
                        .is_some()
                })
                .map(|(_, list)| list.as_slice())
                .collect();
            union(&lists, self.len())
        })
    }

    fn exact_word(&self, word: &str) -> &[u32] {
        match self
            .vocabulary
            .binary_search_by(|(known, _)| known.as_str().cmp(word))
        {
            Ok(position) => &self.vocabulary[position].1,
            Err(_) => &[],
        }
    }

    /// Keeps the `keep` candidates with the most needles matching a whole
    /// word, in bank order among equals.
    fn order_by_whole_words(
        &self,
        candidates: Vec<u32>,
        needles: &[String],
        keep: usize,
    ) -> Vec<u32> {
        let mut whole_words = vec![0u8; self.len()];
        for needle in needles {
            for &question in self.exact_word(needle) {
                whole_words[question as usize] = whole_words[question as usize].saturating_add(1);
            }
        }
        let mut ordered = candidates;
        ordered
            .sort_by_key(|&question| (std::cmp::Reverse(whole_words[question as usize]), question));
        ordered.truncate(keep);
        ordered
    }

    fn fuzzy_scores(&self, pattern: &Pattern, questions: &[u32]) -> Vec<SearchHit> {
        let mut buffer = Vec::new();
        MATCHER.with_borrow_mut(|matcher| {
            questions
                .iter()
                .filter_map(|&question| {
                    let haystack = Utf32Str::new(&self.haystacks[question as usize], &mut buffer);
                    pattern
                        .score(haystack, matcher)
                        .map(|score| SearchHit { question, score })
                })
                .collect()
        })
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

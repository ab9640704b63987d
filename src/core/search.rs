//! Question search: what `qbank search`, `@` completion and workspace symbols
//! ask. A query is whitespace-separated atoms matched against each
//! question's key, wording, category and tags.
//!
//! Two tiers keep it fast on 100,000 questions: a word index finds the
//! questions in which every atom starts a word (one- and two-letter prefixes
//! are precomputed, since they match the most), and nucleo-matcher ranks
//! those; only when no question has such words does a full fuzzy scan run,
//! so typos and abbreviations still find their question.

use std::collections::HashMap;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::core::text::words;

/// How many word-index candidates are ranked by the fuzzy matcher; beyond
/// this, candidates are first ordered by whole-word matches.
const FUZZY_RANK_LIMIT: usize = 2_000;
const KEY_MATCH_BONUS: u32 = 1 << 20;

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
    keys: Vec<String>,
    haystacks: Vec<String>,
    /// Every word, sorted, with the questions holding it (ascending).
    vocabulary: Vec<(String, Vec<u32>)>,
    /// Questions holding a word that starts with a given one- or two-letter prefix.
    short_prefixes: HashMap<String, Vec<u32>>,
}

impl SearchIndex {
    pub fn new<'a>(entries: impl Iterator<Item = SearchEntry<'a>>) -> SearchIndex {
        let mut keys = Vec::new();
        let mut haystacks = Vec::new();
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        for (question, entry) in entries.enumerate() {
            let question = question as u32;
            let mut haystack = format!("{} {} · {}", entry.key, entry.text, entry.category);
            for tag in entry.tags {
                haystack.push_str(" #");
                haystack.push_str(tag);
            }
            for word in words(&haystack) {
                match postings.get_mut(&word) {
                    Some(list) => {
                        if list.last() != Some(&question) {
                            list.push(question);
                        }
                    }
                    None => {
                        postings.insert(word, vec![question]);
                    }
                }
            }
            keys.push(entry.key);
            haystacks.push(haystack);
        }
        let mut vocabulary: Vec<(String, Vec<u32>)> = postings.into_iter().collect();
        vocabulary.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let short_prefixes = short_prefix_postings(&vocabulary);
        SearchIndex {
            keys,
            haystacks,
            vocabulary,
            short_prefixes,
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
        let exact_key = self.exact_key(query);
        let candidates = self.word_candidates(&needles);
        let mut hits = if candidates.is_empty() {
            self.fuzzy_scan(&pattern, 0..self.len() as u32)
        } else if candidates.len() <= FUZZY_RANK_LIMIT {
            self.fuzzy_scan(&pattern, candidates.into_iter())
        } else {
            let best = self.order_by_whole_words(candidates, &needles, limit.max(50) * 4);
            self.fuzzy_scan(&pattern, best.into_iter())
        };
        if let Some(question) = exact_key {
            match hits.iter_mut().find(|hit| hit.question == question) {
                Some(hit) => hit.score += KEY_MATCH_BONUS,
                None => hits.push(SearchHit {
                    question,
                    score: KEY_MATCH_BONUS,
                }),
            }
        }
        hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.question.cmp(&b.question)));
        hits.truncate(limit);
        hits
    }

    fn exact_key(&self, query: &str) -> Option<u32> {
        let wanted = query.trim().to_ascii_uppercase();
        if !wanted.contains('-') {
            return None;
        }
        self.keys
            .iter()
            .position(|key| *key == wanted)
            .map(|question| question as u32)
    }

    /// Questions in which every needle starts some word, ascending.
    fn word_candidates(&self, needles: &[String]) -> Vec<u32> {
        let mut result: Option<Vec<u32>> = None;
        for needle in needles {
            let matching = self.questions_with_word_prefix(needle);
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
            return self.short_prefixes.get(prefix).cloned().unwrap_or_default();
        }
        let start = self
            .vocabulary
            .partition_point(|(word, _)| word.as_str() < prefix);
        let mut lists: Vec<&[u32]> = Vec::new();
        for (word, list) in &self.vocabulary[start..] {
            if !word.starts_with(prefix) {
                break;
            }
            lists.push(list);
        }
        union(&lists, self.len())
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

    fn fuzzy_scan(
        &self,
        pattern: &Pattern,
        questions: impl Iterator<Item = u32>,
    ) -> Vec<SearchHit> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        questions
            .filter_map(|question| {
                let haystack = Utf32Str::new(&self.haystacks[question as usize], &mut buffer);
                pattern
                    .score(haystack, &mut matcher)
                    .map(|score| SearchHit { question, score })
            })
            .collect()
    }
}

fn short_prefix_postings(vocabulary: &[(String, Vec<u32>)]) -> HashMap<String, Vec<u32>> {
    let mut prefixes: HashMap<String, Vec<u32>> = HashMap::new();
    for (word, list) in vocabulary {
        let mut ends = word
            .char_indices()
            .map(|(index, _)| index)
            .skip(1)
            .chain([word.len()]);
        for end in [ends.next(), ends.next()].into_iter().flatten() {
            prefixes
                .entry(word[..end].to_string())
                .or_default()
                .extend_from_slice(list);
        }
    }
    for list in prefixes.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    prefixes
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

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

use std::cell::RefCell;
use std::fmt::Write;
use std::hash::BuildHasher;

use hashbrown::hash_table::{Entry, HashTable};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use rustc_hash::FxBuildHasher;

use crate::core::text::words;

/// How many candidates are ranked by the fuzzy matcher; beyond this,
/// candidates are first ordered by whole-word matches.
const FUZZY_RANK_LIMIT: usize = 2_000;

/// Letters and digits, the characters of a bucket's three-byte prefix.
const ALPHABET: usize = 36;

/// One bucket per three-character ASCII prefix.
const BUCKETS: usize = ALPHABET * ALPHABET * ALPHABET;

thread_local! {
    /// nucleo's matcher holds about 135 KB of scratch space: make it once per thread.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

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
    /// Where each bucket's words end in `bucket_words`.
    bucket_ends: Vec<u32>,
    /// Words of three or more bytes whose first three are ASCII letters or
    /// digits, by bucket.
    bucket_words: Vec<u32>,
    /// The other words: one or two bytes long, or not starting with three
    /// ASCII letters and digits.
    irregular_words: Vec<u32>,
}

fn alphabet_slot(byte: u8) -> Option<usize> {
    match byte {
        b'a'..=b'z' => Some((byte - b'a') as usize),
        b'0'..=b'9' => Some(26 + (byte - b'0') as usize),
        _ => None,
    }
}

/// The bucket of a word whose first three bytes are ASCII letters or digits.
fn bucket_of(word: &[u8]) -> Option<usize> {
    let [first, second, third, ..] = word else {
        return None;
    };
    Some(
        (alphabet_slot(*first)? * ALPHABET + alphabet_slot(*second)?) * ALPHABET
            + alphabet_slot(*third)?,
    )
}

/// The buckets holding every bucketed word that starts with a one- or
/// two-byte ASCII prefix: they are neighbours.
fn buckets_of_short_prefix(prefix: &[u8]) -> Option<std::ops::Range<usize>> {
    match prefix {
        [first] => {
            let start = alphabet_slot(*first)? * ALPHABET * ALPHABET;
            Some(start..start + ALPHABET * ALPHABET)
        }
        [first, second] => {
            let start = (alphabet_slot(*first)? * ALPHABET + alphabet_slot(*second)?) * ALPHABET;
            Some(start..start + ALPHABET)
        }
        _ => None,
    }
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

    fn bucket(&self, bucket: usize) -> &[u32] {
        let start = match bucket {
            0 => 0,
            _ => self.bucket_ends[bucket - 1] as usize,
        };
        &self.bucket_words[start..self.bucket_ends[bucket] as usize]
    }

    /// Every word starting with `prefix`, in no particular order.
    fn words_with_prefix(&self, prefix: &str) -> Vec<u32> {
        let starts = |word: &u32| self.vocabulary.word(*word).starts_with(prefix);
        let bytes = prefix.as_bytes();
        let mut found: Vec<u32> = Vec::new();
        if self.bucket_ends.is_empty() {
            return found;
        }
        if let Some(bucket) = bucket_of(bytes) {
            found.extend(self.bucket(bucket).iter().copied().filter(starts));
            return found;
        }
        if let Some(buckets) = buckets_of_short_prefix(bytes) {
            let start = match buckets.start {
                0 => 0,
                start => self.bucket_ends[start - 1] as usize,
            };
            let end = self.bucket_ends[buckets.end - 1] as usize;
            found.extend_from_slice(&self.bucket_words[start..end]);
        }
        found.extend(self.irregular_words.iter().copied().filter(starts));
        found
    }

    fn questions_with_word_prefix(&self, prefix: &str) -> Vec<u32> {
        let numbered = self.questions_numbered(prefix, NumberMatch::Prefix);
        let mut lists: Vec<&[u32]> = self
            .words_with_prefix(prefix)
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

    /// Questions holding `word` as a whole word, ascending.
    fn exact_word(&self, word: &str) -> Vec<u32> {
        let holding = self
            .vocabulary
            .find(word)
            .map_or(&[][..], |word| self.questions_of(word));
        let numbered = self.questions_numbered(word, NumberMatch::Exact);
        union(&[holding, &numbered], self.len())
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
}

fn fuzzy_scores(
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

/// Collects the words of every question, then lays them out flat.
#[derive(Default)]
struct Builder {
    vocabulary: Vocabulary,
    /// Word ids, each once per question, question after question.
    occurrences: Vec<u32>,
    /// Where each question's words end in `occurrences`.
    question_ends: Vec<u32>,
    /// Per word: the last question that counted it, plus one.
    last_question: Vec<u32>,
    /// Per word: how many questions hold it.
    counts: Vec<u32>,
    lowered: String,
    numbers: Vec<u32>,
    /// Consecutive questions share a bank prefix and usually a category:
    /// their words are looked up once.
    prefix: (String, Vec<u32>),
    category: (String, Vec<u32>),
}

impl Builder {
    /// A builder with room for about `questions` questions, so the word
    /// table rarely grows: a large bank has about one distinct word per
    /// question, and twenty words in each.
    fn with_capacity(questions: usize) -> Builder {
        let mut builder = Builder {
            occurrences: Vec::with_capacity(questions * 20),
            question_ends: Vec::with_capacity(questions),
            ..Builder::default()
        };
        builder.vocabulary.reserve(questions);
        builder.counts.reserve(questions);
        builder.last_question.reserve(questions);
        builder
    }

    /// Adds the words of `entry`: those of its key, wording, category and
    /// tags, as in its haystack.
    fn add(&mut self, question: u32, entry: &SearchEntry<'_>) {
        if self.prefix.0 != entry.prefix {
            self.prefix = (entry.prefix.to_string(), self.intern_words(entry.prefix));
        }
        if self.category.0 != entry.category {
            self.category = (
                entry.category.to_string(),
                self.intern_words(entry.category),
            );
        }
        for position in 0..self.prefix.1.len() {
            self.count(self.prefix.1[position], question);
        }
        for position in 0..self.category.1.len() {
            self.count(self.category.1[position], question);
        }
        self.numbers.push(entry.number);
        self.add_words(entry.text, question);
        for tag in entry.tags {
            self.add_words(tag, question);
        }
        self.question_ends.push(self.occurrences.len() as u32);
    }

    fn intern_words(&mut self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        let vocabulary = &mut self.vocabulary;
        for_each_lowered_word(text, &mut self.lowered, |word| {
            ids.push(vocabulary.intern(word));
        });
        ids
    }

    fn add_words(&mut self, text: &str, question: u32) {
        let mut lowered = std::mem::take(&mut self.lowered);
        for_each_lowered_word(text, &mut lowered, |word| {
            let word = self.vocabulary.intern(word);
            self.count(word, question);
        });
        self.lowered = lowered;
    }

    /// Records that `question` holds `word`, once.
    fn count(&mut self, word: u32, question: u32) {
        let word = word as usize;
        if word >= self.counts.len() {
            self.counts.resize(word + 1, 0);
            self.last_question.resize(word + 1, 0);
        }
        if self.last_question[word] != question + 1 {
            self.last_question[word] = question + 1;
            self.counts[word] += 1;
            self.occurrences.push(word as u32);
        }
    }

    fn finish(self) -> SearchIndex {
        let mut posting_ends = self.counts;
        let mut total = 0;
        for count in &mut posting_ends {
            total += *count;
            *count = total;
        }
        // Where each word's next question goes: its start, then onwards.
        let mut next: Vec<u32> = std::iter::once(0)
            .chain(posting_ends.iter().copied())
            .take(posting_ends.len())
            .collect();
        let mut postings = vec![0; total as usize];
        let mut start = 0;
        for (question, &end) in self.question_ends.iter().enumerate() {
            for &word in &self.occurrences[start..end as usize] {
                postings[next[word as usize] as usize] = question as u32;
                next[word as usize] += 1;
            }
            start = end as usize;
        }
        let (bucket_ends, bucket_words, irregular_words) = bucket_words(&self.vocabulary);
        SearchIndex {
            numbers: self.numbers,
            vocabulary: self.vocabulary,
            posting_ends,
            postings,
            bucket_ends,
            bucket_words,
            irregular_words,
        }
    }
}

/// Sorts word ids into buckets by their first three bytes (a counting
/// sort); returns the bucket ends, the bucketed words and the others.
fn bucket_words(vocabulary: &Vocabulary) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let buckets: Vec<Option<usize>> = (0..vocabulary.len() as u32)
        .map(|word| bucket_of(vocabulary.word(word).as_bytes()))
        .collect();
    let mut ends = vec![0u32; BUCKETS];
    for bucket in buckets.iter().flatten() {
        ends[*bucket] += 1;
    }
    let mut total = 0;
    for end in &mut ends {
        total += *end;
        *end = total;
    }
    let mut next: Vec<u32> = std::iter::once(0)
        .chain(ends[..BUCKETS - 1].iter().copied())
        .collect();
    let mut bucketed = vec![0; total as usize];
    let mut irregular = Vec::new();
    for (word, bucket) in buckets.into_iter().enumerate() {
        match bucket {
            Some(bucket) => {
                bucketed[next[bucket] as usize] = word as u32;
                next[bucket] += 1;
            }
            None => irregular.push(word as u32),
        }
    }
    (ends, bucketed, irregular)
}

/// What a byte is to the word scanner.
const SEPARATOR: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const NON_ASCII: u8 = 4;

const BYTE_CLASSES: [u8; 256] = {
    let mut classes = [SEPARATOR; 256];
    let mut byte = 0;
    while byte < 256 {
        classes[byte] = match byte as u8 {
            b'a'..=b'z' | b'0'..=b'9' => LOWER,
            b'A'..=b'Z' => UPPER,
            0x80..=0xFF => NON_ASCII,
            _ => SEPARATOR,
        };
        byte += 1;
    }
    classes
};

/// Calls `found` with every word of `text` lowercased: runs of alphanumeric
/// characters, as `str::split` on non-alphanumerics finds them. Runs of
/// ASCII letters and digits are found byte by byte, and passed as they
/// stand when already lowercase; `lowered` holds the others.
fn for_each_lowered_word(text: &str, lowered: &mut String, mut found: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        if BYTE_CLASSES[bytes[position] as usize] == SEPARATOR {
            position += 1;
            continue;
        }
        let start = position;
        let mut seen = SEPARATOR;
        while position < bytes.len() {
            let class = BYTE_CLASSES[bytes[position] as usize];
            if class == SEPARATOR {
                break;
            }
            seen |= class;
            position += 1;
        }
        let run = &text[start..position];
        if seen & NON_ASCII != 0 {
            for_each_unicode_word(run, lowered, &mut found);
        } else if seen & UPPER != 0 {
            lowered.clear();
            lowered.push_str(run);
            lowered.make_ascii_lowercase();
            found(lowered);
        } else {
            found(run);
        }
    }
}

/// The words of a run with non-ASCII characters, some of which may
/// separate words; each lowercased character by character.
fn for_each_unicode_word(run: &str, lowered: &mut String, found: &mut impl FnMut(&str)) {
    for word in run
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        lowered.clear();
        lowered.extend(word.chars().flat_map(char::to_lowercase));
        found(lowered);
    }
}

/// Every distinct word once, end to end in one string, found through a
/// hash table of word ids (hashbrown's `HashTable`, hashed with FxHash:
/// words are short and mostly ASCII, and SipHash cost many times more).
#[derive(Debug, Default)]
struct Vocabulary {
    text: String,
    /// Where each word ends in `text`; it starts where the previous ends.
    ends: Vec<u32>,
    ids: HashTable<u32>,
}

fn word_hash(word: &str) -> u64 {
    FxBuildHasher.hash_one(word)
}

/// Word `word` of a vocabulary's `text` and `ends`.
fn word_in<'a>(text: &'a str, ends: &[u32], word: u32) -> &'a str {
    let start = match word {
        0 => 0,
        _ => ends[word as usize - 1] as usize,
    };
    &text[start..ends[word as usize] as usize]
}

impl Vocabulary {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn word(&self, word: u32) -> &str {
        word_in(&self.text, &self.ends, word)
    }

    fn find(&self, word: &str) -> Option<u32> {
        self.ids
            .find(word_hash(word), |&id| self.word(id) == word)
            .copied()
    }

    /// The id of `word`, added if new.
    fn intern(&mut self, word: &str) -> u32 {
        let Vocabulary { text, ends, ids } = self;
        let entry = ids.entry(
            word_hash(word),
            |&id| word_in(text, ends, id) == word,
            |&id| word_hash(word_in(text, ends, id)),
        );
        match entry {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(slot) => {
                let id = ends.len() as u32;
                text.push_str(word);
                ends.push(text.len() as u32);
                slot.insert(id);
                id
            }
        }
    }

    /// Makes room for `words` words without growing.
    fn reserve(&mut self, words: usize) {
        self.ends.reserve(words);
        self.text.reserve(words * 8);
        let Vocabulary { text, ends, ids } = self;
        ids.reserve(words, |&id| word_hash(word_in(text, ends, id)));
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

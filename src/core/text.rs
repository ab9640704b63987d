//! Words of questions: tokenizing, stop words, stemming and acronyms. Both the
//! near-duplicate finder and related-question ranking compare questions by
//! the *terms* made here, so "indexes", "indexing" and "index" meet, and
//! "Content Delivery Network" meets "CDN" when the bank spells it out.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use crate::core::search::vocabulary::Vocabulary;

/// Words that frame a question rather than name its topic: they never make
/// two questions alike.
const FRAME_WORDS: &[&str] = &[
    "a",
    "about",
    "across",
    "advantage",
    "advantages",
    "an",
    "and",
    "any",
    "approach",
    "are",
    "as",
    "at",
    "be",
    "been",
    "benefit",
    "benefits",
    "best",
    "between",
    "by",
    "can",
    "common",
    "commonly",
    "concept",
    "could",
    "describe",
    "differ",
    "difference",
    "differences",
    "different",
    "do",
    "does",
    "e",
    "eg",
    "ensure",
    "example",
    "examples",
    "explain",
    "for",
    "from",
    "g",
    "handle",
    "help",
    "helps",
    "how",
    "i",
    "implement",
    "importance",
    "important",
    "in",
    "into",
    "is",
    "it",
    "its",
    "key",
    "main",
    "might",
    "most",
    "of",
    "offs",
    "on",
    "one",
    "or",
    "over",
    "play",
    "practices",
    "purpose",
    "role",
    "should",
    "significance",
    "some",
    "that",
    "the",
    "their",
    "them",
    "these",
    "they",
    "this",
    "those",
    "to",
    "trade",
    "type",
    "types",
    "use",
    "used",
    "using",
    "versus",
    "vs",
    "was",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "work",
    "works",
    "would",
    "you",
    "your",
];

/// Splits text into lowercase ASCII-folded words: runs of letters and digits.
/// Hyphens and slashes split words ("back-end" is "back", "end").
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// A word in lowercase (as `str::to_lowercase` makes it), copied only when
/// that changes it.
fn lowercase(word: &str) -> Cow<'_, str> {
    let unchanged = word.chars().all(|character| {
        let mut lower = character.to_lowercase();
        lower.next() == Some(character) && lower.next().is_none()
    });
    if unchanged {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

pub fn is_frame_word(word: &str) -> bool {
    FRAME_WORDS.binary_search(&word).is_ok()
}

/// Words a person types around what they look for ("how do I scale a
/// database", "sql vs nosql"). Fewer than the frame words: "key", "types"
/// or "best" name what a searcher wants, so they stay.
const QUERY_STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "between", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "how", "i", "if", "in", "into", "is", "it", "its",
    "me", "my", "of", "on", "or", "our", "s", "should", "so", "t", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "versus", "vs", "was", "we",
    "what", "whats", "when", "where", "which", "who", "why", "will", "with", "would", "you",
    "your",
];

/// Whether search ignores `word` (lowercase) in a query that has others.
pub fn is_query_stop_word(word: &str) -> bool {
    QUERY_STOP_WORDS.binary_search(&word).is_ok()
}

/// The root search compares words by (both lowercase): the English stem,
/// folded a step further so that the words a person types meet the bank's.
/// The stemmer leaves "scale"/"scaling" at "scale" and
/// "scalable"/"scalability" at "scalabl": dropping "-abl"/"-ibl" and a
/// final "e" gives all four "scal" (and "reliability" meets "rely" at
/// "reli"). A word without vowels keeps its plural "s" through the stemmer
/// ("jwts"), so it is dropped here. Never shorter than three letters, where
/// unrelated words would meet.
pub fn word_root(stemmer: &Stemmer, word: &str) -> String {
    let has_vowel = word.bytes().any(|byte| b"aeiouy".contains(&byte));
    if !has_vowel && word.len() >= 3 && word.ends_with('s') && !word.ends_with("ss") {
        return word[..word.len() - 1].to_string();
    }
    let mut root = stemmer.stem(word).into_owned();
    for suffix in ["abl", "ibl"] {
        if root.len() >= suffix.len() + 4 && root.ends_with(suffix) {
            root.truncate(root.len() - suffix.len());
        }
    }
    if root.len() > 3 && root.ends_with('e') {
        root.pop();
    }
    root
}

/// The English stemmer `word_root` takes.
pub fn english_stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// An acronym the bank spells out, such as `CDN` for "content delivery network".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acronym {
    pub short: String,
    pub words: Vec<String>,
}

/// Finds acronyms a text spells out in parentheses, both ways round:
/// "Content Delivery Network (CDN)" and "CDN (Content Delivery Network)".
/// The initials of the words must spell the acronym.
pub fn acronyms_in(text: &str) -> Vec<Acronym> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut consumed = 0;
    while let Some(open) = rest.find('(') {
        let Some(close_relative) = rest[open..].find(')') else {
            break;
        };
        let close = open + close_relative;
        let inside = &rest[open + 1..close];
        let before = &text[..consumed + open];
        if let Some(acronym) =
            spelled_before(inside, before).or_else(|| spelled_inside(inside, before))
        {
            found.push(acronym);
        }
        consumed += close + 1;
        rest = &rest[close + 1..];
    }
    found
}

fn looks_like_acronym(word: &str) -> bool {
    let uppercase = word.chars().filter(char::is_ascii_uppercase).count();
    (2..=6).contains(&word.len())
        && uppercase >= 2
        && word.chars().all(|c| c.is_ascii_alphanumeric())
}

/// "Content Delivery Network (CDN)": the acronym inside, its words before.
fn spelled_before(inside: &str, before: &str) -> Option<Acronym> {
    let short = inside.trim();
    if !looks_like_acronym(short) {
        return None;
    }
    let preceding: Vec<String> = words(before).collect();
    match_initials(short, &preceding)
}

/// "CDN (Content Delivery Network)": the acronym before, its words inside.
fn spelled_inside(inside: &str, before: &str) -> Option<Acronym> {
    let short = before.split_whitespace().last()?;
    if !looks_like_acronym(short) {
        return None;
    }
    let inside_words: Vec<String> = words(inside).collect();
    let acronym = match_initials(short, &inside_words)?;
    (acronym.words.len() == inside_words.len()).then_some(acronym)
}

/// Tries the last `n` words, then the last `n` words that are not frame
/// words, for initials spelling `short`.
fn match_initials(short: &str, preceding: &[String]) -> Option<Acronym> {
    let letters: Vec<char> = short.to_lowercase().chars().collect();
    let count = letters.len();
    let initials_match = |candidate: &[&String]| {
        candidate.len() == count
            && candidate
                .iter()
                .zip(&letters)
                .all(|(word, letter)| word.starts_with(*letter))
    };
    let all: Vec<&String> = preceding.iter().collect();
    let content: Vec<&String> = preceding
        .iter()
        .filter(|word| !is_frame_word(word))
        .collect();
    for candidate in [&all, &content] {
        if candidate.len() >= count && initials_match(&candidate[candidate.len() - count..]) {
            let words = candidate[candidate.len() - count..]
                .iter()
                .map(|word| word.to_string())
                .collect();
            return Some(Acronym {
                short: short.to_lowercase(),
                words,
            });
        }
    }
    None
}

/// The acronyms that mean one thing, each once, sorted by their short form.
/// An acronym spelled out two different ways ("VNS" for two different
/// things) is ambiguous and left out.
pub fn unambiguous_acronyms(mut found: Vec<Acronym>) -> Vec<Acronym> {
    found.sort_unstable_by(|a, b| a.short.cmp(&b.short).then_with(|| a.words.cmp(&b.words)));
    found.dedup();
    let mut kept: Vec<Acronym> = Vec::with_capacity(found.len());
    for same_short in found.chunk_by(|a, b| a.short == b.short) {
        if let [only] = same_short {
            kept.push(only.clone());
        }
    }
    kept
}

/// Turns words into comparable terms: stems them (memoized, since a bank
/// repeats its vocabulary), folds spelled-out acronyms into the acronym, and
/// drops frame words. Each distinct term also has a number, for callers
/// that compare many texts' terms (`term_ids`).
pub struct Termer {
    stemmer: Stemmer,
    /// Each word seen, interned; `word_terms` gives its stem's number.
    words: Vocabulary,
    word_terms: Vec<u32>,
    /// Each term, interned: its id is its number.
    terms: Vocabulary,
    /// Acronym phrases by their first word, longest first.
    phrases: FxHashMap<String, Vec<Acronym>>,
    /// The words each acronym stands for, by the acronym.
    spelled: FxHashMap<String, Vec<String>>,
}

impl Default for Termer {
    fn default() -> Self {
        Termer::new(&[])
    }
}

impl Termer {
    /// A termer that folds the given acronyms. An acronym the bank spells
    /// out two different ways ("VNS" for two different things) is ambiguous
    /// and is not folded.
    pub fn new(acronyms: &[Acronym]) -> Termer {
        let mut phrases: FxHashMap<String, Vec<Acronym>> = FxHashMap::default();
        let mut spelled: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for acronym in unambiguous_acronyms(acronyms.to_vec()) {
            spelled.insert(acronym.short.clone(), acronym.words.clone());
            let Some(first) = acronym.words.first() else {
                continue;
            };
            let entry = phrases.entry(first.clone()).or_default();
            entry.push(acronym.clone());
            entry.sort_by_key(|known| std::cmp::Reverse(known.words.len()));
        }
        Termer {
            stemmer: english_stemmer(),
            words: Vocabulary::default(),
            word_terms: Vec::new(),
            terms: Vocabulary::default(),
            phrases,
            spelled,
        }
    }

    /// Forgets the words and terms met so far, and their numbers
    /// (`term_ids` numbers given before mean nothing after): what a large
    /// bank's analysis met (6 MB for 100,000 questions) is not held while
    /// it goes on with the few texts left.
    pub fn forget_words(&mut self) {
        self.words = Vocabulary::default();
        self.word_terms = Vec::new();
        self.terms = Vocabulary::default();
    }

    /// How many distinct words the termer remembers (`forget_words`).
    pub fn words_known(&self) -> usize {
        self.words.len()
    }

    pub fn stem(&mut self, word: &str) -> String {
        let number = self.stem_number(word);
        self.terms.word(number).to_string()
    }

    /// The number of a word's stem, worked out once per word. Words and
    /// terms are interned, each once in one string: a large bank's
    /// analysis meets a few hundred thousand of them.
    fn stem_number(&mut self, word: &str) -> u32 {
        let id = self.words.intern(word) as usize;
        if id == self.word_terms.len() {
            let stem = self.stemmer.stem(word);
            let number = self.number(&stem);
            self.word_terms.push(number);
        }
        self.word_terms[id]
    }

    /// A term's number, given on first sight.
    fn number(&mut self, term: &str) -> u32 {
        self.terms.intern(term)
    }

    /// The sorted, de-duplicated terms of a text.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        self.visit_terms(text, |term, _| terms.push(term.to_string()));
        terms.sort();
        terms.dedup();
        terms
    }

    /// The terms of a text as their numbers, sorted, de-duplicated: the
    /// same terms as `terms`, cheaper to compare (numbers belong to this
    /// termer).
    pub fn term_ids(&mut self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        self.visit_terms(text, |_, id| ids.push(id));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Each term of a text (a term may come more than once), with its
    /// number.
    fn visit_terms(&mut self, text: &str, mut visit: impl FnMut(&str, u32)) {
        let words: Vec<Cow<str>> = text
            .split(|character: char| !character.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(lowercase)
            .collect();
        // The words an acronym stands for, written out or implied by the
        // acronym: the acronym is their term.
        let mut acronyms: Vec<String> = Vec::new();
        let mut folded_words: Vec<String> = Vec::new();
        let mut position = 0;
        while position < words.len() {
            if let Some(acronym) = self.phrase_at(&words, position) {
                acronyms.push(acronym.short.clone());
                folded_words.extend(acronym.words.iter().cloned());
                position += acronym.words.len();
                continue;
            }
            position += 1;
        }
        for word in &words {
            if let Some(spelled_words) = self.spelled.get(word.as_ref()) {
                folded_words.extend(spelled_words.iter().cloned());
            }
        }
        folded_words.sort_unstable();
        folded_words.dedup();
        for short in &acronyms {
            let number = self.number(short);
            visit(short, number);
        }
        // Each distinct word is stemmed once, however often it is written.
        let mut kept: Vec<&str> = words
            .iter()
            .map(AsRef::as_ref)
            .filter(|word| {
                !is_frame_word(word)
                    && folded_words
                        .binary_search_by(|folded| folded.as_str().cmp(word))
                        .is_err()
            })
            .collect();
        kept.sort_unstable();
        kept.dedup();
        for word in kept {
            let number = self.stem_number(word);
            visit(self.terms.word(number), number);
        }
    }

    fn phrase_at(&self, words: &[Cow<str>], position: usize) -> Option<&Acronym> {
        let candidates = self.phrases.get(words[position].as_ref())?;
        candidates.iter().find(|acronym| {
            words.len() - position >= acronym.words.len()
                && acronym
                    .words
                    .iter()
                    .zip(&words[position..])
                    .all(|(a, b)| a == b)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_words_are_sorted_for_binary_search() {
        let mut sorted = FRAME_WORDS.to_vec();
        sorted.sort();
        assert_eq!(sorted, FRAME_WORDS);
    }

    #[test]
    fn query_stop_words_are_sorted_for_binary_search() {
        let mut sorted = QUERY_STOP_WORDS.to_vec();
        sorted.sort();
        assert_eq!(sorted, QUERY_STOP_WORDS);
    }

    #[test]
    fn roots_meet_across_derivations() {
        let stemmer = english_stemmer();
        let roots = |text: &str| -> String {
            words(text)
                .map(|word| word_root(&stemmer, &word))
                .collect::<Vec<_>>()
                .join(" ")
        };
        expect_test::expect!["scal scal scal scal scal"]
            .assert_eq(&roots("scale scaling scalable scalability scales"));
        expect_test::expect!["idempot idempot token token jwt jwt cdn"]
            .assert_eq(&roots("idempotent idempotency tokens token JWT JWTs CDNs"));
        expect_test::expect!["reli reli avail avail databas databas use cap capabl"].assert_eq(
            &roots("rely reliability available availability database databases use cap capable"),
        );
    }

    #[test]
    fn finds_acronyms_both_ways_round() {
        let shorts = |text: &str| -> Vec<String> {
            acronyms_in(text)
                .into_iter()
                .map(|acronym| format!("{}={}", acronym.short, acronym.words.join(" ")))
                .collect()
        };
        assert_eq!(
            shorts("What is CDN (Content Delivery Network), and how"),
            ["cdn=content delivery network"]
        );
        assert_eq!(
            shorts("What is a Content Delivery Network (CDN), and"),
            ["cdn=content delivery network"]
        );
        assert_eq!(
            shorts("the concept of Infrastructure as Code (IaC)?"),
            ["iac=infrastructure as code"]
        );
        assert_eq!(
            shorts("What is CSRF (Cross-Site Request Forgery)"),
            ["csrf=cross site request forgery"]
        );
        assert_eq!(
            shorts("What is XSS (Cross-Site Scripting)"),
            Vec::<String>::new()
        );
        assert_eq!(
            shorts("tools (Kubernetes, Docker Swarm)"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn folds_spelled_out_acronyms_into_terms() {
        let acronyms = acronyms_in("CDN (Content Delivery Network)");
        let mut termer = Termer::new(&acronyms);
        assert_eq!(
            termer.terms("What is a content delivery network, and how does it impact performance?"),
            ["cdn", "impact", "perform"]
        );
        assert_eq!(
            termer.terms("What is a CDN, and how does it optimize the delivery of content?"),
            ["cdn", "optim"]
        );
        assert_eq!(
            termer.terms("What are indexes, and when is indexing used?"),
            ["index"]
        );
    }
}

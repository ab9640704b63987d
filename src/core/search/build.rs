//! Building the search index: `Builder` collects the words of every
//! question (each lowercased word interned once, found by a byte-class
//! scanner that leaves ASCII words as they stand) and the acronyms they
//! spell out, then lays them out flat: each word's questions one range of
//! one array.

use super::vocabulary::{PrefixBuckets, Vocabulary};
use super::{SearchEntry, SearchIndex};
use crate::core::lists::Lists;
use crate::core::text::{Acronym, acronyms_in, unambiguous_acronyms};

/// Collects the words of every question, then lays them out flat.
#[derive(Default)]
pub(super) struct Builder {
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
    /// Acronyms the wordings spell out, ambiguous ones included until the end.
    acronyms: Vec<Acronym>,
}

impl Builder {
    /// A builder with room for about `questions` questions, so the word
    /// table rarely grows: a large bank has about one distinct word per
    /// question, and twenty words in each.
    pub(super) fn with_capacity(questions: usize) -> Builder {
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
    pub(super) fn add(&mut self, question: u32, entry: &SearchEntry<'_>) {
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
        // An acronym is spelled out in parentheses: most wordings have none.
        if entry.text.contains('(') {
            self.acronyms.extend(acronyms_in(entry.text));
        }
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

    /// Adds what `next` collected from the questions after these: its
    /// words interned here in the order it met them, which is the order
    /// one builder over both would have, so the index is the same.
    pub(super) fn append(&mut self, next: Builder) {
        let ids: Vec<u32> = (0..next.vocabulary.len() as u32)
            .map(|word| self.vocabulary.intern(next.vocabulary.word(word)))
            .collect();
        self.counts.resize(self.vocabulary.len(), 0);
        for (word, count) in next.counts.iter().enumerate() {
            self.counts[ids[word] as usize] += count;
        }
        let base = self.occurrences.len() as u32;
        self.occurrences
            .extend(next.occurrences.iter().map(|&word| ids[word as usize]));
        self.question_ends
            .extend(next.question_ends.iter().map(|&end| base + end));
        self.numbers.extend(next.numbers);
        self.acronyms.extend(next.acronyms);
    }

    pub(super) fn finish(self) -> SearchIndex {
        let mut start = 0;
        let occurrences = self
            .question_ends
            .iter()
            .enumerate()
            .flat_map(|(question, &end)| {
                let words = &self.occurrences[start..end as usize];
                start = end as usize;
                words.iter().map(move |&word| (word, question as u32))
            });
        let postings = Lists::from_counts(&self.counts, occurrences);
        let buckets = PrefixBuckets::new(&self.vocabulary);
        SearchIndex {
            numbers: self.numbers,
            vocabulary: self.vocabulary,
            postings,
            buckets,
            acronyms: unambiguous_acronyms(self.acronyms),
        }
    }
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

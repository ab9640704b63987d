//! The search index's words: each distinct word interned once into one
//! string (`Vocabulary`), and the words bucketed by their first three
//! letters (`PrefixBuckets`), so a prefix finds its words without a sorted
//! vocabulary.

use std::hash::BuildHasher;

use hashbrown::hash_table::{Entry, HashTable};
use rustc_hash::FxBuildHasher;

/// Every distinct word once, end to end in one string, found through a
/// hash table of word ids (hashbrown's `HashTable`, hashed with FxHash:
/// words are short and mostly ASCII, and SipHash cost many times more).
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
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
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn word(&self, word: u32) -> &str {
        word_in(&self.text, &self.ends, word)
    }

    pub(crate) fn find(&self, word: &str) -> Option<u32> {
        self.ids
            .find(word_hash(word), |&id| self.word(id) == word)
            .copied()
    }

    /// The id of `word`, added if new.
    pub(crate) fn intern(&mut self, word: &str) -> u32 {
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
    pub(crate) fn reserve(&mut self, words: usize) {
        self.ends.reserve(words);
        self.text.reserve(words * 8);
        let Vocabulary { text, ends, ids } = self;
        ids.reserve(words, |&id| word_hash(word_in(text, ends, id)));
    }
}

/// Letters and digits, the characters of a bucket's three-byte prefix.
const ALPHABET: usize = 36;

/// One bucket per three-character ASCII prefix.
const BUCKETS: usize = ALPHABET * ALPHABET * ALPHABET;

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

/// The words of a vocabulary by bucket, one bucket per three-character
/// ASCII prefix, laid out as one array (a counting sort).
#[derive(Debug, Default)]
pub(super) struct PrefixBuckets {
    /// Where each bucket's words end in `words`.
    ends: Vec<u32>,
    /// Words of three or more bytes whose first three are ASCII letters or
    /// digits, by bucket.
    words: Vec<u32>,
    /// The other words: one or two bytes long, or not starting with three
    /// ASCII letters and digits.
    irregular: Vec<u32>,
}

impl PrefixBuckets {
    /// Sorts the vocabulary's word ids into buckets by their first three
    /// bytes.
    pub(super) fn new(vocabulary: &Vocabulary) -> PrefixBuckets {
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
        PrefixBuckets {
            ends,
            words: bucketed,
            irregular,
        }
    }

    fn bucket(&self, bucket: usize) -> &[u32] {
        let start = match bucket {
            0 => 0,
            _ => self.ends[bucket - 1] as usize,
        };
        &self.words[start..self.ends[bucket] as usize]
    }

    /// Every word of `vocabulary` (the one bucketed) starting with
    /// `prefix`, in no particular order.
    pub(super) fn words_with_prefix(&self, vocabulary: &Vocabulary, prefix: &str) -> Vec<u32> {
        let starts = |word: &u32| vocabulary.word(*word).starts_with(prefix);
        let bytes = prefix.as_bytes();
        let mut found: Vec<u32> = Vec::new();
        if self.ends.is_empty() {
            return found;
        }
        if let Some(bucket) = bucket_of(bytes) {
            found.extend(self.bucket(bucket).iter().copied().filter(starts));
            return found;
        }
        if let Some(buckets) = buckets_of_short_prefix(bytes) {
            let start = match buckets.start {
                0 => 0,
                start => self.ends[start - 1] as usize,
            };
            let end = self.ends[buckets.end - 1] as usize;
            found.extend_from_slice(&self.words[start..end]);
        }
        found.extend(self.irregular.iter().copied().filter(starts));
        found
    }
}

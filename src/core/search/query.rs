//! A query as search reads it. A person types words, not the bank's
//! wording: "how do I scale a database" asks about scaling and databases,
//! so the words around them ("how", "do", "I", "a", and "vs" in "sql vs
//! nosql") are dropped, unless the query holds nothing else ("what", "how
//! would you"), when its words are searched as typed. Each word keeps its
//! root (`word_root`) so that "scale" meets "scaling" and "scalability".

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use rust_stemmers::Stemmer;

use crate::core::text::{is_query_stop_word, word_root, words};

/// The most words a query matches: each costs a pass over its postings,
/// and a query pasted from a long text says enough in its first words.
pub(super) const MAX_QUERY_WORDS: usize = 16;

/// How many of a query's words are read at all, stop words included.
const MAX_READ_WORDS: usize = 64;

/// Roots shorter than this are not looked up: "db" would meet every word
/// starting with "d" or "db" whose stem happens to be that short.
const MIN_ROOT_LEN: usize = 3;

pub(super) struct Query {
    /// The distinct words to match, in query order.
    pub(super) words: Vec<QueryWord>,
    /// Every word read, stop words included, in order: where a spelled-out
    /// acronym ("infrastructure as code") is found.
    pub(super) all_words: Vec<String>,
    /// What ranks questions matching as many words: one fuzzy atom per
    /// whitespace-separated token that holds a word to match ("BE-23" stays
    /// one atom, scoring the key as written).
    pub(super) atoms: Vec<Atom>,
}

pub(super) struct QueryWord {
    /// Lowercase, as the index holds words.
    pub(super) text: String,
    /// The word's root, when it is long enough to look up and not a number.
    pub(super) root: Option<String>,
    /// For a key ("be-23"), the digits after its prefix: the key is one
    /// word, its prefix `text`, or every question of the bank would match
    /// the prefix and rank beside it.
    pub(super) key_digits: Option<String>,
}

impl QueryWord {
    /// A word (lowercase) that is not a key.
    pub(super) fn plain(word: &str, stemmer: &Stemmer) -> QueryWord {
        let is_number = word.bytes().all(|byte| byte.is_ascii_digit());
        let root = (!is_number)
            .then(|| word_root(stemmer, word))
            .filter(|root| root.len() >= MIN_ROOT_LEN);
        QueryWord {
            text: word.to_string(),
            root,
            key_digits: None,
        }
    }
}

/// The prefix and digits of a token written as a key, such as "BE-23"
/// (lowercased): letters and digits starting with a letter, "-", digits.
fn key_parts(token: &str) -> Option<(String, String)> {
    let (prefix, digits) = token.split_once('-')?;
    let prefix_is_key = prefix
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && prefix
            .chars()
            .all(|character| character.is_ascii_alphanumeric());
    let digits_are_key = !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit());
    (prefix_is_key && digits_are_key).then(|| (prefix.to_ascii_lowercase(), digits.to_string()))
}

impl Query {
    pub(super) fn parse(text: &str, stemmer: &Stemmer) -> Query {
        let all_words: Vec<String> = words(text).take(MAX_READ_WORDS).collect();
        let has_content = all_words.iter().any(|word| !is_query_stop_word(word));
        let wanted = |word: &str| !has_content || !is_query_stop_word(word);
        let mut query_words: Vec<QueryWord> = Vec::new();
        let mut push = |word: QueryWord| {
            let known = query_words
                .iter()
                .any(|known| known.text == word.text && known.key_digits == word.key_digits);
            if !known && query_words.len() < MAX_QUERY_WORDS {
                query_words.push(word);
            }
        };
        for token in text.split_whitespace().take(MAX_READ_WORDS) {
            let token = token.trim_matches(|character: char| !character.is_alphanumeric());
            if let Some((prefix, digits)) = key_parts(token) {
                push(QueryWord {
                    text: prefix,
                    root: None,
                    key_digits: Some(digits),
                });
                continue;
            }
            for word in words(token).filter(|word| wanted(word)) {
                push(QueryWord::plain(&word, stemmer));
            }
        }
        let atoms = text
            .split_whitespace()
            .filter(|token| words(token).any(|word| wanted(&word)))
            .take(MAX_QUERY_WORDS)
            .map(|token| token.trim_matches(|character: char| !character.is_alphanumeric()))
            .map(|token| {
                Atom::new(
                    token,
                    CaseMatching::Ignore,
                    Normalization::Smart,
                    AtomKind::Fuzzy,
                    false,
                )
            })
            .collect();
        Query {
            words: query_words,
            all_words,
            atoms,
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::text::english_stemmer;

    fn check(text: &str, expected: Expect) {
        let query = Query::parse(text, &english_stemmer());
        let rendered: Vec<String> = query
            .words
            .iter()
            .map(|word| match (&word.root, &word.key_digits) {
                (Some(root), _) => format!("{}/{root}", word.text),
                (None, Some(digits)) => format!("{}-{digits}", word.text),
                (None, None) => word.text.clone(),
            })
            .collect();
        expected.assert_eq(&rendered.join(" "));
    }

    #[test]
    fn stop_words_are_dropped_unless_nothing_else_is_left() {
        check(
            "how do I scale a database",
            expect!["scale/scal database/databas"],
        );
        check("SQL vs NoSQL", expect!["sql/sql nosql/nosql"]);
        check(
            "docker versus kubernetes",
            expect!["docker/docker kubernetes/kubernet"],
        );
        check("how would you", expect!["how/how would/would you/you"]);
        check("BE-23 be-23 (gen-7),", expect!["be-23 gen-7"]);
        check("e-commerce http-2", expect!["e commerce/commerc http-2"]);
    }
}

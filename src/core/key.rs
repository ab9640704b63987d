//! Question keys (`BE-23`): validating bank prefixes, formatting keys, and
//! finding keys written as whole words in a piece of text.

use std::fmt;
use std::ops::Range;

/// A question key: a bank prefix and a question number, written `PREFIX-NUMBER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub prefix: Prefix,
    pub number: u32,
}

impl Key {
    pub fn new(prefix: &str, number: u32) -> Key {
        Key {
            prefix: Prefix::new(prefix),
            number,
        }
    }

    /// Parses a whole string as a key (`BE-23`); surrounding text is not allowed.
    pub fn parse(text: &str) -> Option<Key> {
        let (prefix, number) = text.split_once('-')?;
        if !is_valid_prefix(prefix) || number.is_empty() || number.len() > 9 {
            return None;
        }
        if !number.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        Some(Key {
            prefix: Prefix::new(prefix),
            number: number.parse().ok()?,
        })
    }
}

/// The longest bank prefix, in bytes (`is_valid_prefix`).
const PREFIX_BYTES: usize = 8;

/// A key's prefix, held in the key itself: a prefix is at most eight ASCII
/// bytes, and a vault's notes and a large bank hold hundreds of thousands
/// of keys, each of which once owned a heap-allocated `String` for it.
/// Unused bytes are zero, so comparing the bytes orders prefixes as
/// strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Prefix([u8; PREFIX_BYTES]);

impl Prefix {
    /// `prefix`, cut to eight bytes at a character boundary (a valid
    /// prefix is never cut: `is_valid_prefix`).
    pub fn new(prefix: &str) -> Prefix {
        let mut end = prefix.len().min(PREFIX_BYTES);
        while !prefix.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; PREFIX_BYTES];
        bytes[..end].copy_from_slice(&prefix.as_bytes()[..end]);
        Prefix(bytes)
    }

    pub fn as_str(&self) -> &str {
        let end = self
            .0
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(PREFIX_BYTES);
        // Always whole characters (`new`); an empty prefix otherwise.
        std::str::from_utf8(&self.0[..end]).unwrap_or_default()
    }
}

impl std::ops::Deref for Prefix {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl PartialEq<str> for Prefix {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Prefix {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Key {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-{}", self.prefix, self.number)
    }
}

/// A bank prefix is 1–8 uppercase ASCII letters and digits, starting with a letter.
pub fn is_valid_prefix(prefix: &str) -> bool {
    let bytes = prefix.as_bytes();
    (1..=8).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
}

/// The prefix a bank gets when its front matter names none: the file stem,
/// uppercased, with everything but ASCII letters and digits removed, cut to
/// eight characters. Returns `None` when nothing valid is left.
pub fn prefix_from_stem(stem: &str) -> Option<String> {
    let mut prefix: String = stem
        .chars()
        .filter(|character| character.is_ascii_alphanumeric())
        .map(|character| character.to_ascii_uppercase())
        .collect();
    let first_letter = prefix.find(|character: char| character.is_ascii_alphabetic())?;
    prefix.drain(..first_letter);
    prefix.truncate(8);
    is_valid_prefix(&prefix).then_some(prefix)
}

/// A key found in text, with the byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMatch {
    pub key: Key,
    pub range: Range<usize>,
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Finds every key written as a whole word in `text`: not preceded by a
/// letter, digit, `_` or `-`, and not followed by a letter, digit or `_`.
/// Offsets in the result are relative to `text`. Any prefix shape is
/// accepted; callers keep the ones whose prefix names a bank.
pub fn find_keys(text: &str) -> Vec<KeyMatch> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut search_from = 0;
    while let Some(dash) = memchr_dash(bytes, search_from) {
        search_from = dash + 1;
        let mut prefix_start = dash;
        while prefix_start > 0 && bytes[prefix_start - 1].is_ascii_alphanumeric() {
            prefix_start -= 1;
        }
        if prefix_start == dash
            || (prefix_start > 0 && is_boundary_blocker(bytes[prefix_start - 1]))
        {
            continue;
        }
        let mut number_end = dash + 1;
        while number_end < bytes.len() && bytes[number_end].is_ascii_digit() {
            number_end += 1;
        }
        if number_end == dash + 1 || (number_end < bytes.len() && is_word_byte(bytes[number_end])) {
            continue;
        }
        if let Some(key) = Key::parse(&text[prefix_start..number_end]) {
            found.push(KeyMatch {
                key,
                range: prefix_start..number_end,
            });
            search_from = number_end;
        }
    }
    found
}

fn is_boundary_blocker(byte: u8) -> bool {
    is_word_byte(byte) || byte == b'-' || byte >= 0x80
}

fn memchr_dash(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&byte| byte == b'-')
        .map(|position| position + from)
}

/// The key-like word that ends at `offset`, for completion after `BE-2`:
/// returns the prefix, the digits typed so far and the byte range they cover.
pub fn partial_key_before(text: &str, offset: usize) -> Option<(String, String, Range<usize>)> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut digits_start = offset;
    while digits_start > 0 && bytes[digits_start - 1].is_ascii_digit() {
        digits_start -= 1;
    }
    if digits_start == 0 || bytes[digits_start - 1] != b'-' {
        return None;
    }
    let dash = digits_start - 1;
    let mut prefix_start = dash;
    while prefix_start > 0 && bytes[prefix_start - 1].is_ascii_alphanumeric() {
        prefix_start -= 1;
    }
    if prefix_start > 0 && is_boundary_blocker(bytes[prefix_start - 1]) {
        return None;
    }
    let prefix = &text[prefix_start..dash];
    if !is_valid_prefix(prefix) {
        return None;
    }
    Some((
        prefix.to_string(),
        text[digits_start..offset].to_string(),
        prefix_start..offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(text: &str, expected: Expect) {
        let rendered: Vec<String> = find_keys(text)
            .iter()
            .map(|found| format!("{}@{}..{}", found.key, found.range.start, found.range.end))
            .collect();
        expected.assert_eq(&rendered.join(" "));
    }

    #[test]
    fn finds_whole_word_keys_only() {
        check("see BE-23, BE-7.", expect!["BE-23@4..9 BE-7@11..15"]);
    }

    #[test]
    fn ignores_keys_glued_to_words() {
        check(
            "xBE-23 BE-23x BE-23_ X-BE-1 (BE-4) é-BE-5",
            expect!["BE-4@29..33"],
        );
    }

    #[test]
    fn parses_and_validates() {
        assert_eq!(Key::parse("BE-23"), Some(Key::new("BE", 23)));
        assert_eq!(Key::parse("be-23"), None);
        assert_eq!(Key::parse("BE-"), None);
        assert_eq!(Key::parse("1BE-2"), None);
        assert_eq!(Key::parse("ABCDEFGHI-2"), None);
        assert_eq!(prefix_from_stem("team-sre"), Some("TEAMSRE".to_string()));
        assert_eq!(prefix_from_stem("2024 notes"), Some("NOTES".to_string()));
        assert_eq!(prefix_from_stem("---"), None);
    }

    #[test]
    fn partial_keys_for_completion() {
        assert_eq!(
            partial_key_before("see BE-2", 8),
            Some(("BE".into(), "2".into(), 4..8))
        );
        assert_eq!(
            partial_key_before("BE-", 3),
            Some(("BE".into(), "".into(), 0..3))
        );
        assert_eq!(partial_key_before("front-end", 6), None);
        assert_eq!(partial_key_before("x-BE-", 5), None);
    }
}

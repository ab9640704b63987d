//! `BankStr`: a piece of what a bank says, held as a range of the bank's
//! own text when it reads exactly as written there (most wordings and
//! field values), and as its own copy only when reading changed it
//! (markup removed, whitespace collapsed). A 100,000-question bank then
//! holds its words once, in the file's text, instead of once more per
//! question and field.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankStr {
    /// Bytes `start..end` of the bank's text.
    Source { start: u32, end: u32 },
    /// Read differently from how the bank writes it.
    Own(Box<str>),
}

impl BankStr {
    /// `value` as read from `source[within]`: a range when it is written
    /// there as it is (any occurrence will do: the bytes are the same),
    /// else a copy.
    pub fn new(value: &str, source: &str, within: Range<usize>) -> BankStr {
        let found = source
            .get(within.clone())
            .and_then(|written| memchr::memmem::find(written.as_bytes(), value.as_bytes()))
            .map(|at| within.start + at);
        let range = found.and_then(|start| {
            let end = start + value.len();
            Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
        });
        match range {
            Some((start, end)) if !value.is_empty() => BankStr::Source { start, end },
            _ => BankStr::Own(value.into()),
        }
    }

    /// The text, given the bank's text it was read from.
    pub fn get<'a>(&'a self, source: &'a str) -> &'a str {
        match self {
            BankStr::Source { start, end } => {
                source.get(*start as usize..*end as usize).unwrap_or("")
            }
            BankStr::Own(own) => own,
        }
    }
}

impl Default for BankStr {
    fn default() -> BankStr {
        BankStr::Own(Box::from(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_written_as_read_is_a_range_else_a_copy() {
        let source = "1. What is `ACID`?\n   - hint: start from   the log\n";
        let hint = BankStr::new("start from", source, 20..source.len());
        assert!(matches!(hint, BankStr::Source { .. }));
        assert_eq!(hint.get(source), "start from");
        let collapsed = BankStr::new("start from the log", source, 20..source.len());
        assert!(matches!(collapsed, BankStr::Own(_)));
        assert_eq!(collapsed.get(source), "start from the log");
        let unmarked = BankStr::new("What is ACID?", source, 0..19);
        assert_eq!(unmarked, BankStr::Own("What is ACID?".into()));
        assert_eq!(BankStr::new("", source, 0..3).get(source), "");
        assert_eq!(BankStr::new("x", source, 90..99).get(source), "x");
    }
}

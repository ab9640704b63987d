//! `BankStr`: a piece of what a bank says, held as a range of the bank's
//! own text when it reads exactly as written there (most wordings and
//! field values), and as its own copy only when reading changed it
//! (markup removed, whitespace collapsed). A 100,000-question bank then
//! holds its words once, in the file's text, instead of once more per
//! question and field.

/// What opens the line a value is read from.
#[derive(Debug, Clone, Copy)]
pub enum Marker {
    /// A list item's number: `12. `.
    Number,
    /// A field's bullet and name: `- hint: `.
    Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankStr {
    /// Bytes `start..end` of the bank's text.
    Source { start: u32, end: u32 },
    /// Read differently from how the bank writes it.
    Own(Box<str>),
}

impl BankStr {
    /// `value` as read from the bank's text: a range when it is written
    /// there as it is, starting at `start`, else a copy. The caller knows
    /// where the value would start (after a list item's number, after a
    /// field's colon), so nothing is searched: a bank of 100,000 questions
    /// spent a third of its parse building substring searchers.
    pub fn at(value: &str, source: &str, start: usize) -> BankStr {
        let written = source
            .as_bytes()
            .get(start..)
            .is_some_and(|rest| !value.is_empty() && rest.starts_with(value.as_bytes()));
        let range = written
            .then(|| {
                Some((
                    u32::try_from(start).ok()?,
                    u32::try_from(start + value.len()).ok()?,
                ))
            })
            .flatten();
        match range {
            Some((start, end)) => BankStr::Source { start, end },
            None => BankStr::Own(value.into()),
        }
    }

    /// Where the text after a line's leading marker starts at or after
    /// `from`: spaces, then digits and `.` or `)` (a list item's number), or
    /// a name and `:` (a field), then spaces. Where the wording or value read
    /// from that line starts when written plainly.
    pub fn after_marker(source: &str, from: usize, marker: Marker) -> usize {
        let bytes = source.as_bytes();
        let skip = |mut at: usize, keep: &dyn Fn(u8) -> bool| {
            while at < bytes.len() && keep(bytes[at]) {
                at += 1;
            }
            at
        };
        let at = skip(from, &|byte| byte == b' ' || byte == b'\t');
        let at = match marker {
            Marker::Number => skip(at, &|byte| byte.is_ascii_digit()) + 1,
            Marker::Field => {
                let line_end = memchr::memchr(b'\n', &bytes[at.min(bytes.len())..])
                    .map_or(bytes.len(), |end| at + end);
                memchr::memchr(b':', &bytes[at.min(line_end)..line_end])
                    .map_or(line_end, |colon| at + colon + 1)
            }
        };
        skip(at.min(bytes.len()), &|byte| byte == b' ' || byte == b'\t')
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
        let source = "12. What is `ACID`?\n    - hint: start from   the log\n";
        let wording_at = BankStr::after_marker(source, 0, Marker::Number);
        assert_eq!(&source[wording_at..wording_at + 7], "What is");
        let unmarked = BankStr::at("What is ACID?", source, wording_at);
        assert_eq!(unmarked, BankStr::Own("What is ACID?".into()));
        let field = source.find("- hint").unwrap();
        let value_at = BankStr::after_marker(source, field, Marker::Field);
        let hint = BankStr::at("start from", source, value_at);
        assert!(matches!(hint, BankStr::Source { .. }));
        assert_eq!(hint.get(source), "start from");
        let collapsed = BankStr::at("start from the log", source, value_at);
        assert!(matches!(collapsed, BankStr::Own(_)));
        assert_eq!(collapsed.get(source), "start from the log");
        assert_eq!(BankStr::at("", source, 0).get(source), "");
        assert_eq!(BankStr::at("x", source, 999).get(source), "x");
        assert_eq!(BankStr::after_marker("- name", 0, Marker::Field), 6);
        assert_eq!(BankStr::after_marker("7", 0, Marker::Number), 1);
    }
}

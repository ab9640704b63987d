//! The bank parser: one markdown file in, its questions, categories and
//! problems out. It never fails: whatever it cannot read becomes a
//! diagnostic and everything else still loads. Every question and category
//! keeps its byte range in the source, for hover, definition and diagnostics.
//! How a question gets its number, and what happens when two would share
//! one, is `numbers`' to say.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::front_matter::{front_matter_end, text_start};
use crate::core::key::{self, Key, KeyMatch};
use crate::core::parallel;

mod answer;
mod fields;
mod numbers;
mod sections;
mod stored;

pub use answer::{AnswerKey, Level, Point};
pub use fields::{Field, FieldItem, ShownField};
use fields::{Fields, see_of, tags_of, take_unnested_fields};
pub use stored::{BankStr, Marker};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    /// The `##` heading's range.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub number: u32,
    /// The question's wording, inline markup removed, whitespace collapsed
    /// (`Bank::wording`, `QuestionRef::text`).
    pub wording: BankStr,
    /// Index into the bank's categories; `None` for a question outside any.
    pub category: Option<u32>,
    // Offsets are 32-bit (a bank is at most 64 MiB, `FileRole::Bank`), read
    // as `usize` ranges through `range()` and `line_range()`: a large
    // bank holds one question per 300 bytes of its text.
    /// The whole list item, nested fields included.
    range: Range<u32>,
    /// The item's first line: its number and wording.
    line_range: Range<u32>,
    pub tags: Box<[String]>,
    pub see: Box<[KeyMatch]>,
    // A large bank's questions nearly all have shown fields and an answer:
    // held in the bank's flat arrays, they cost no allocation each, and
    // the threads reading a bank do not wait on malloc's lock for them.
    /// The fields shown as written (`Field::is_shown_as_written`), a
    /// range of the bank's `shown_fields` (`Bank::fields`).
    fields: Range<u32>,
    /// What a strong answer covers, when the bank says: a position in the
    /// bank's `answers` (`Bank::answer`).
    answer: Option<u32>,
}

/// A parsed bank. `name` is how the caller names the file (a path, or
/// `<built-in>/backend.md`); it only labels messages.
#[derive(Debug, Clone)]
pub struct Bank {
    pub name: String,
    pub prefix: String,
    pub title: Option<String>,
    pub categories: Vec<Category>,
    pub questions: Vec<Question>,
    pub diagnostics: Vec<Diagnostic>,
    pub text: Arc<str>,
    /// Every question's shown fields, one after another.
    shown_fields: Vec<ShownField>,
    /// The answers of the questions that have one.
    answers: Vec<AnswerKey>,
}

impl Question {
    /// The whole list item, nested fields included.
    pub fn range(&self) -> Range<usize> {
        self.range.start as usize..self.range.end as usize
    }

    /// The item's first line: its number and wording.
    pub fn line_range(&self) -> Range<usize> {
        self.line_range.start as usize..self.line_range.end as usize
    }
}

/// A question as read so far: its list item, the ranges growing as the
/// reader goes.
struct Draft {
    number: u32,
    category: Option<u32>,
    range: Range<usize>,
    line_range: Range<usize>,
}

/// An offset into a bank's text, which fits in 32 bits (see `Question`).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl Bank {
    pub fn key(&self, question: &Question) -> Key {
        Key::new(&self.prefix, question.number)
    }

    /// A question's follow-up, when the bank gives one.
    pub fn follow_up<'a>(&'a self, question: &'a Question) -> Option<&'a str> {
        let follow_up = self.answer(question)?.follow_up.as_ref()?;
        Some(follow_up.text.get(&self.text))
    }

    /// What a strong answer to a question covers, when the bank says.
    pub fn answer(&self, question: &Question) -> Option<&AnswerKey> {
        self.answers.get(question.answer? as usize)
    }

    /// A question's fields shown as written.
    pub fn fields(&self, question: &Question) -> &[ShownField] {
        let range = question.fields.start as usize..question.fields.end as usize;
        self.shown_fields.get(range).unwrap_or_default()
    }

    /// A question's wording.
    pub fn wording<'a>(&'a self, question: &'a Question) -> &'a str {
        question.wording.get(&self.text)
    }

    /// A shown field's value.
    pub fn field_value<'a>(&'a self, field: &'a ShownField) -> &'a str {
        field.value.get(&self.text)
    }

    pub fn category_name(&self, question: &Question) -> &str {
        question
            .category
            .and_then(|index| self.categories.get(index as usize))
            .map_or("(no category)", |category| category.name.as_str())
    }
}

/// Parses a bank. `stem` is the file stem, used for the prefix when the front
/// matter names none.
/// The text is taken as an `Arc<str>` so that an editor's parse of the same
/// text can share it: a 30 MB bank open in the editor is held once.
/// A large bank is read on every core (`sections`).
pub fn parse_bank(name: &str, stem: &str, text: impl Into<Arc<str>>) -> Bank {
    let text = text.into();
    let threads = match text.len() {
        0..sections::PARALLEL_BYTES => 1,
        _ => parallel::cores(),
    };
    parse_in_sections(name, stem, text, sections::SECTION_BYTES, threads)
}

/// The start of a bank too large to read at once: its front matter and
/// first sections, at least `bytes` of them, cut before a heading, which
/// parse as they would in the whole (a preview while the rest loads).
/// `None` for a bank not twice that size, or one that cannot be cut.
pub fn first_sections(text: &str, bytes: usize) -> Option<&str> {
    let front = front_matter_end(text);
    let body = front.map_or(text_start(text), |front| front.end);
    let cut = sections::first_cut(text, body, bytes)?;
    text.get(..cut)
}

/// Parses a bank in sections of at least `section_bytes` where it can be
/// cut (see `sections::section_ends`), on up to `threads` threads.
fn parse_in_sections(
    name: &str,
    stem: &str,
    text: Arc<str>,
    section_bytes: usize,
    threads: usize,
) -> Bank {
    let front = front_matter_end(&text);
    // After the front matter, or else after a byte order mark.
    let body = front.as_ref().map_or(text_start(&text), |front| front.end);
    let ends = sections::section_ends(&text, body, section_bytes);
    let mut reader = sections::read_sections(&text, body, &ends, threads);
    reader.front_matter = front.map(|front| (text[front.content].to_string(), 0..front.end));
    let (prefix, title) = reader.front_matter(stem);
    let mut bank = Bank {
        name: name.to_string(),
        prefix,
        title,
        categories: reader.categories,
        questions: Vec::new(),
        diagnostics: reader.diagnostics,
        text: Arc::from(""),
        shown_fields: reader.shown_fields,
        answers: reader.answers,
    };
    numbers::keep_valid_questions(&mut bank, reader.questions, &text);
    bank.questions.shrink_to_fit();
    bank.shown_fields.shrink_to_fit();
    bank.answers.shrink_to_fit();
    bank.text = text;
    bank
}

/// Where the reader is inside the current question's list item.
#[derive(Debug, Default, PartialEq, Eq)]
enum ItemPart {
    #[default]
    Wording,
    Fields,
}

#[derive(Default)]
struct BankReader {
    /// The front matter's content and range, read before any event.
    front_matter: Option<(String, Range<usize>)>,
    heading: Option<(HeadingLevel, Range<usize>, String)>,
    categories: Vec<Category>,
    current_category: Option<u32>,
    /// One entry per open list: the next item's number for ordered lists.
    lists: Vec<Option<u64>>,
    /// Where the open question list's questions start in `questions`, and
    /// the numbers written on its items so far (see `numbers`).
    list_first: usize,
    list_written: Vec<u32>,
    block_quotes: usize,
    question: Option<(Draft, ItemPart)>,
    /// The current question's wording as read so far.
    wording: String,
    /// The current question's fields as read so far.
    fields: Fields,
    /// The range of the nested item being read as a field, and its text.
    field: Option<Range<usize>>,
    field_text: String,
    /// The items of the list nested under that field, and the one being read.
    field_items: Vec<FieldItem>,
    field_item: Option<(Range<usize>, String)>,
    questions: Vec<Question>,
    diagnostics: Vec<Diagnostic>,
    /// The bank's flat arrays (`Question::fields`, `Question::answer`).
    shown_fields: Vec<ShownField>,
    answers: Vec<AnswerKey>,
}

impl BankReader {
    fn event(&mut self, text: &str, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((level, range, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(text),
            Event::Start(Tag::BlockQuote(_)) => self.block_quotes += 1,
            Event::End(TagEnd::BlockQuote(_)) => {
                self.block_quotes = self.block_quotes.saturating_sub(1)
            }
            Event::Start(Tag::List(start)) => {
                if self.lists.len() == 1 {
                    if let Some((_, part)) = &mut self.question {
                        *part = ItemPart::Fields;
                    }
                }
                self.lists.push(start);
                if self.is_question_list() {
                    self.list_first = self.questions.len();
                    self.list_written.clear();
                }
            }
            Event::End(TagEnd::List(_)) => {
                if self.is_question_list() {
                    self.finish_question(text);
                    let list = &mut self.questions[self.list_first..];
                    numbers::number_list(list, &self.list_written);
                }
                self.lists.pop();
            }
            Event::Start(Tag::Item) => self.start_item(text, range),
            Event::End(TagEnd::Item) => self.end_item(text),
            Event::Text(content) | Event::Code(content) => self.text(&content, range),
            Event::SoftBreak | Event::HardBreak => self.text("\n", range),
            _ => {}
        }
    }

    fn is_question_list(&self) -> bool {
        self.block_quotes == 0 && self.lists.len() == 1 && self.lists[0].is_some()
    }

    fn start_item(&mut self, text: &str, range: Range<usize>) {
        if self.is_question_list() {
            self.finish_question(text);
            let number = self.lists[0].unwrap_or(1);
            self.lists[0] = Some(number + 1);
            let number = number.min(u32::MAX as u64) as u32;
            let written = numbers::written_number(text, range.start);
            self.list_written.push(written.unwrap_or(number));
            let line_end = memchr::memchr2(b'\n', b'\r', &text.as_bytes()[range.clone()])
                .map_or(range.end, |end| range.start + end);
            let question = Draft {
                number,
                category: self.current_category,
                range: range.clone(),
                line_range: range.start..line_end,
            };
            self.question = Some((question, ItemPart::Wording));
        } else if self.lists.len() == 2 && self.question.is_some() {
            self.field = Some(range);
            self.field_text.clear();
            self.field_items.clear();
        } else if self.lists.len() == 3 && self.field.is_some() {
            self.field_item = Some((range, String::new()));
        }
    }

    fn end_item(&mut self, text: &str) {
        if self.lists.len() == 3 {
            if let Some((range, item)) = self.field_item.take() {
                let text = collapse_whitespace(&item);
                self.field_items.push(FieldItem { text, range });
            }
        } else if self.lists.len() == 2 {
            if let Some(range) = self.field.take().filter(|_| self.question.is_some()) {
                let items = std::mem::take(&mut self.field_items);
                self.fields.add(&self.field_text, range, items);
            }
        } else if self.is_question_list() {
            self.finish_question(text);
        }
    }

    fn text(&mut self, content: &str, range: Range<usize>) {
        if let Some((_, _, heading)) = &mut self.heading {
            heading.push_str(content);
        } else if let Some((_, item)) = &mut self.field_item {
            item.push_str(content);
        } else if self.field.is_some() {
            self.field_text.push_str(content);
        } else if let Some((question, ItemPart::Wording)) = &mut self.question {
            self.wording.push_str(content);
            question.line_range.end = question.line_range.end.max(range.end);
        }
    }

    fn finish_heading(&mut self, text: &str) {
        let Some((level, range, name)) = self.heading.take() else {
            return;
        };
        // A heading inside a question's item belongs to the item, not the bank.
        if self.question.is_some() && !self.lists.is_empty() {
            return;
        }
        self.finish_question(text);
        match level {
            HeadingLevel::H1 => self.current_category = None,
            HeadingLevel::H2 => {
                self.categories.push(Category {
                    name: collapse_whitespace(&name),
                    range,
                });
                self.current_category = u32::try_from(self.categories.len() - 1).ok();
            }
            _ => {}
        }
    }

    fn finish_question(&mut self, source: &str) {
        if let Some((mut draft, _)) = self.question.take() {
            let wording_at = BankStr::after_marker(source, draft.line_range.start, Marker::Number);
            // Only a wording of several lines can hold unnested fields.
            let wording = if self.wording.contains('\n') {
                let wording =
                    take_unnested_fields(&mut draft, &mut self.fields, &self.wording, source);
                BankStr::at(&collapse_whitespace(&wording), source, wording_at)
            } else if is_collapsed(&self.wording) {
                BankStr::at(&self.wording, source, wording_at)
            } else {
                BankStr::at(&collapse_whitespace(&self.wording), source, wording_at)
            };
            // The answer, tags and `see` are read before the fields that
            // are kept go.
            let answer = self.keep_answer(source);
            let tags = tags_of(&self.fields);
            let see = see_of(&self.fields, source);
            let fields = self.keep_fields(source);
            self.questions.push(Question {
                number: draft.number,
                wording,
                category: draft.category,
                range: offset(draft.range.start)..offset(draft.range.end),
                line_range: offset(draft.line_range.start)..offset(draft.line_range.end),
                tags,
                see,
                fields,
                answer,
            });
            self.wording.clear();
        }
    }

    /// Reads `prefix` and `title` from the front matter, reporting an invalid prefix.
    fn front_matter(&mut self, stem: &str) -> (String, Option<String>) {
        let mut prefix = None;
        let mut title = None;
        if let Some((front_matter, range)) = &self.front_matter {
            for line in front_matter.lines() {
                let Some((name, value)) = line.split_once(':') else {
                    continue;
                };
                let value = value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_string();
                match name.trim() {
                    "prefix" if key::is_valid_prefix(&value) => prefix = Some(value),
                    "prefix" => self.diagnostics.push(Diagnostic::new(
                        range.clone(),
                        Severity::Error,
                        codes::BANK_FRONT_MATTER,
                        format!(
                            "prefix `{value}` is not 1–8 uppercase letters and digits starting with a letter; using the file name instead"
                        ),
                    )),
                    "title" => title = Some(value),
                    _ => {}
                }
            }
        }
        let prefix = prefix
            .or_else(|| key::prefix_from_stem(stem))
            .unwrap_or_else(|| "Q".to_string());
        (prefix, title)
    }
}

impl BankReader {
    /// Reads the current question's answer into the bank's answers, if
    /// it has one; its position there.
    fn keep_answer(&mut self, source: &str) -> Option<u32> {
        let answer = answer::read_answer(&self.fields, source, &mut self.diagnostics)?;
        self.answers.push(answer);
        Some(offset(self.answers.len() - 1))
    }

    /// Moves the fields the current question keeps once its answer is
    /// read into the bank's shown fields: those shown as written, their
    /// values held as `BankStr`s. `tags`, `see` and the answer's fields
    /// live in their own places, and a large bank would otherwise hold
    /// each of them twice; nothing shows the lists nested under a shown
    /// field. Their range there.
    fn keep_fields(&mut self, source: &str) -> Range<u32> {
        let start = offset(self.shown_fields.len());
        let shown_fields = &mut self.shown_fields;
        self.fields.drain(|field| {
            if field.is_shown_as_written() {
                let at = BankStr::after_marker(source, field.range.start, Marker::Field);
                shown_fields.push(ShownField {
                    value: BankStr::at(&field.value, source, at),
                    name: std::mem::take(&mut field.name),
                });
            }
        });
        start..offset(self.shown_fields.len())
    }
}

/// The text with every run of whitespace made one space, and none at
/// either end.
pub fn collapse_whitespace(text: &str) -> String {
    if is_collapsed(text) {
        return text.to_string();
    }
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// Whether ASCII text has only single spaces between words: most wordings,
/// which are then copied as they are.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_space = |byte: &u8| matches!(byte, b' ' | b'\t'..=b'\r');
    bytes.first().is_none_or(|first| !is_space(first))
        && bytes.last().is_none_or(|last| !is_space(last))
        && bytes
            .iter()
            .all(|byte| byte.is_ascii() && !matches!(byte, b'\t'..=b'\r'))
        && memchr::memmem::find(bytes, b"  ").is_none()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::sections::section_ends;
    use super::*;
    use expect_test::{Expect, expect};

    /// Parses a bank and renders its questions and diagnostics, a line each.
    pub(super) fn check(source: &str, expected: Expect) {
        let bank = parse_bank("test.md", "test", source.to_string());
        let mut rendered = format!("prefix {} title {:?}\n", bank.prefix, bank.title);
        for question in &bank.questions {
            let key = bank.key(question);
            let line = &source[question.line_range()];
            rendered.push_str(&format!(
                "{key} [{}] {} | {line:?}",
                bank.category_name(question),
                bank.wording(question)
            ));
            if !question.tags.is_empty() {
                rendered.push_str(&format!(" tags={:?}", question.tags));
            }
            for see in &question.see {
                rendered.push_str(&format!(
                    " see={}@{:?}",
                    see.key,
                    &source[see.range.clone()]
                ));
            }
            rendered.push('\n');
        }
        rendered.push_str(&diagnostic_lines(source, &bank.diagnostics));
        expected.assert_eq(&rendered);
    }

    /// `line N: severity[code] message`, one per diagnostic.
    pub(crate) fn diagnostic_lines(source: &str, diagnostics: &[Diagnostic]) -> String {
        let mut rendered = String::new();
        for diagnostic in diagnostics {
            let line = 1 + source[..diagnostic.range.start].matches('\n').count();
            rendered.push_str(&format!(
                "line {line}: {}[{}] {}\n",
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message
            ));
        }
        rendered
    }

    #[test]
    fn reads_front_matter_categories_and_fields() {
        check(
            r#"---
prefix: BE
title: Back-End Development
---
# Questions

## Databases and Data Storage
21. What is SQL, and how does it differ from *NoSQL*?
22. What are the different types of
    database normalization?
23. What is ACID compliance, and why is it important in `databases`?
    - tags: transactions, Consistency
    - see: BE-32
    - level: senior
"#,
            expect![[r#"
                prefix BE title Some("Back-End Development")
                BE-21 [Databases and Data Storage] What is SQL, and how does it differ from NoSQL? | "21. What is SQL, and how does it differ from *NoSQL*?"
                BE-22 [Databases and Data Storage] What are the different types of database normalization? | "22. What are the different types of\n    database normalization?"
                BE-23 [Databases and Data Storage] What is ACID compliance, and why is it important in databases? | "23. What is ACID compliance, and why is it important in `databases`?" tags=["transactions", "consistency"] see=BE-32@"BE-32"
            "#]],
        );
    }

    #[test]
    fn questions_between_two_rules_are_kept() {
        // pulldown-cmark's metadata blocks would take the rules for one.
        check(
            "---\nprefix: BE\n---\n## Basics\n1. First?\n---\n2. Between the rules?\n---\n3. Last?\n",
            expect![[r#"
                prefix BE title None
                BE-1 [Basics] First? | "1. First?"
                BE-2 [Basics] Between the rules? | "2. Between the rules?"
                BE-3 [Basics] Last? | "3. Last?"
            "#]],
        );
    }

    #[test]
    fn broken_banks_still_load() {
        check(
            r#"1. Outside any category?

## One
1. First?
2.
1. Again first?

> 5. Quoted, not a question.

- 6. Bulleted, not a question.
"#,
            expect![[r#"
                prefix TEST title None
                TEST-1 [(no category)] Outside any category? | "1. Outside any category?"
                line 1: warning[bank-outside-category] TEST-1 stands outside any `##` category
                line 4: error[bank-duplicate-number] TEST-1 is numbered twice (first on line 1); this one is not loaded
                line 5: error[bank-empty-question] TEST-2 has no text
                line 6: error[bank-duplicate-number] TEST-1 is numbered twice (first on line 1); this one is not loaded
            "#]],
        );
    }

    #[test]
    fn fields_under_three_digit_numbers_indented_four_spaces() {
        check(
            "## A\n100. What is a runbook?\n    - tags: ops, docs\n    - see: TEST-101\n101. What is toil?\n",
            expect![[r#"
                prefix TEST title None
                TEST-100 [A] What is a runbook? | "100. What is a runbook?" tags=["ops", "docs"] see=TEST-101@"TEST-101"
                TEST-101 [A] What is toil? | "101. What is toil?"
            "#]],
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        check(
            "\u{FEFF}---\nprefix: BE\n---\n## Basics\n1. First?\n",
            expect![[r#"
                prefix BE title None
                BE-1 [Basics] First? | "1. First?"
            "#]],
        );
        check(
            "\u{FEFF}## Basics\n1. First?\n   - see: TEST-1\n",
            expect![[r#"
                prefix TEST title None
                TEST-1 [Basics] First? | "1. First?" see=TEST-1@"TEST-1"
            "#]],
        );
    }

    /// Pieces of banks, plain and tricky, for checking that a bank parsed
    /// in sections reads exactly as one parsed whole.
    const PIECES: &[&str] = &[
        "## Category\n",
        "# Top\n",
        "###### Six\n",
        "####### seven is text\n",
        "#hashtag is text\n",
        "## \n",
        "1. What is X?\n",
        "2. What is *Y*, and `Z`?\n",
        "10. Ten?\n",
        "3) Parenthesis?\n",
        "1.\n",
        "   - tags: a, B\n",
        "   - see: TEST-1, TEST-99\n",
        "    - level: senior\n",
        "- 5. Bulleted\n",
        "> 4. Quoted\n",
        "> quote\n",
        "continued wording\n",
        "\n",
        "\n\n",
        "    indented code\n",
        "---\n",
        "...\n",
        "prefix: X\n",
        "===\n",
        "See [ref] and [other], <b>bold</b> and ``code``.\n",
        "line with trailing spaces  \n",
        "trailing backslash\\\n",
        "\r\n",
        "## Ünïcode ·\r\n",
    ];

    /// Pieces that can carry a block or a link across a heading: a bank
    /// with one is parsed whole.
    const SPANNING: &[&str] = &[
        "```\n",
        "~~~\n",
        "<div>\n",
        "   <!-- note\n",
        "-->\n",
        "[ref]: https://example.com\n",
    ];

    fn bank_shape(bank: &Bank) -> String {
        format!(
            "{} {:?} {:?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}",
            bank.prefix,
            bank.title,
            bank.categories,
            bank.questions,
            bank.shown_fields,
            bank.answers,
            bank.diagnostics
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn sections_read_as_the_whole_on_any_threads(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..40),
            spanning in proptest::option::of((0..SPANNING.len(), 0..40usize)),
            front_matter in proptest::bool::ANY,
            threads in 2..5usize,
        ) {
            let mut text = String::new();
            if front_matter {
                text.push_str("---\nprefix: TEST\n---\n");
            }
            for (position, piece) in pieces.into_iter().enumerate() {
                if let Some((spanning, at)) = spanning {
                    if at == position {
                        text.push_str(SPANNING[spanning]);
                    }
                }
                text.push_str(PIECES[piece]);
            }
            let whole = parse_in_sections("t.md", "t", text.as_str().into(), usize::MAX, 1);
            let sections = parse_in_sections("t.md", "t", text.as_str().into(), 1, 1);
            proptest::prop_assert_eq!(bank_shape(&whole), bank_shape(&sections), "{:?}", text);
            let on_threads = parse_in_sections("t.md", "t", text.as_str().into(), 1, threads);
            proptest::prop_assert_eq!(bank_shape(&whole), bank_shape(&on_threads), "{:?}", text);
        }
    }

    #[test]
    fn large_plain_banks_are_cut_at_headings() {
        let text = qbank_testkit::generate::bank(3_000, 5);
        let ends = section_ends(&text, 0, 16 * 1024);
        assert!(ends.len() > 10, "{} sections", ends.len());
        for &end in &ends[..ends.len() - 1] {
            assert!(text[end..].starts_with("## "), "{:?}", &text[end..end + 20]);
        }
        let whole = parse_in_sections("g.md", "g", text.as_str().into(), usize::MAX, 1);
        for threads in [1, 2, 3] {
            let sections = parse_in_sections("g.md", "g", text.as_str().into(), 16 * 1024, threads);
            assert_eq!(
                bank_shape(&whole),
                bank_shape(&sections),
                "{threads} threads"
            );
        }
        let fenced = format!("{text}\n```\n## not a heading\n");
        assert_eq!(section_ends(&fenced, 0, 16 * 1024), [fenced.len()]);
    }

    #[test]
    fn first_sections_read_as_the_start_of_the_whole() {
        let text = format!(
            "---\nprefix: GEN\n---\n{}",
            qbank_testkit::generate::bank(3_000, 5)
        );
        let whole = parse_bank("g.md", "g", text.as_str());
        let first = first_sections(&text, 16 * 1024).expect("a large bank is cut");
        assert!(first.len() >= 16 * 1024 && first.len() < text.len() / 2);
        assert!(text[first.len()..].starts_with("## "));
        let start = parse_bank("g.md", "g", first);
        assert_eq!(start.prefix, "GEN");
        assert!(!start.questions.is_empty());
        for (read, in_whole) in start.questions.iter().zip(&whole.questions) {
            assert_eq!(start.key(read), whole.key(in_whole));
            assert_eq!(start.wording(read), whole.wording(in_whole));
            assert_eq!(start.answer(read), whole.answer(in_whole));
        }
        assert_eq!(first_sections(first, first.len() / 2 + 1), None);
        let fenced = format!("{text}\n```\n");
        assert_eq!(first_sections(&fenced, 16 * 1024), None);
    }

    #[test]
    fn prefix_falls_back_to_the_file_stem() {
        check(
            "---\nprefix: be\n---\n## A\n1. Q?\n",
            expect![[r#"
            prefix TEST title None
            TEST-1 [A] Q? | "1. Q?"
            line 1: error[bank-front-matter] prefix `be` is not 1–8 uppercase letters and digits starting with a letter; using the file name instead
        "#]],
        );
    }
}

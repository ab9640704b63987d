//! The bank parser: one markdown file in, its questions, categories and
//! problems out. It never fails: whatever it cannot read becomes a
//! diagnostic and everything else still loads. Every question and category
//! keeps its byte range in the source, for hover, definition and diagnostics.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::key::{self, Key, KeyMatch};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    /// The `##` heading's range.
    pub range: Range<usize>,
}

/// One `key: value` line under a question; `tags` and `see` are also
/// understood, others are only kept and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub number: u32,
    /// The question's wording, inline markup removed, whitespace collapsed.
    pub text: String,
    /// Index into the bank's categories; `None` for a question outside any.
    pub category: Option<usize>,
    /// The whole list item, nested fields included.
    pub range: Range<usize>,
    /// The item's first line: its number and wording.
    pub line_range: Range<usize>,
    pub tags: Vec<String>,
    pub see: Vec<KeyMatch>,
    pub fields: Vec<Field>,
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
    pub text: String,
}

impl Bank {
    pub fn key(&self, question: &Question) -> Key {
        Key::new(&self.prefix, question.number)
    }

    pub fn category_name(&self, question: &Question) -> &str {
        question.category.map_or("(no category)", |index| {
            self.categories[index].name.as_str()
        })
    }
}

/// Parses a bank. `stem` is the file stem, used for the prefix when the front
/// matter names none.
pub fn parse_bank(name: &str, stem: &str, text: String) -> Bank {
    let mut reader = BankReader::default();
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    for (event, range) in Parser::new_ext(&text, options).into_offset_iter() {
        reader.event(&text, event, range);
    }
    reader.finish_question(&text);
    let (prefix, title) = reader.front_matter(stem);
    let mut bank = Bank {
        name: name.to_string(),
        prefix,
        title,
        categories: reader.categories,
        questions: Vec::with_capacity(reader.questions.len()),
        diagnostics: reader.diagnostics,
        text: String::new(),
    };
    keep_valid_questions(&mut bank, reader.questions, &text);
    bank.text = text;
    bank
}

/// Drops empty and twice-numbered questions, each with a diagnostic.
fn keep_valid_questions(bank: &mut Bank, questions: Vec<Question>, text: &str) {
    let mut first_with_number: std::collections::HashMap<u32, Range<usize>> = Default::default();
    for question in questions {
        if question.text.is_empty() {
            bank.diagnostics.push(Diagnostic::new(
                question.line_range.clone(),
                Severity::Error,
                codes::BANK_EMPTY_QUESTION,
                format!("{}-{} has no text", bank.prefix, question.number),
            ));
            continue;
        }
        if let Some(first) = first_with_number.get(&question.number) {
            let first_line = 1 + text[..first.start].matches('\n').count();
            bank.diagnostics.push(
                Diagnostic::new(
                    question.line_range.clone(),
                    Severity::Error,
                    codes::BANK_DUPLICATE_NUMBER,
                    format!(
                        "{}-{} is numbered twice (first on line {first_line}); this one is not loaded",
                        bank.prefix, question.number
                    ),
                )
                .with_related(None, first.clone(), "first question with this number"),
            );
            continue;
        }
        if question.category.is_none() {
            bank.diagnostics.push(Diagnostic::new(
                question.line_range.clone(),
                Severity::Warning,
                codes::BANK_OUTSIDE_CATEGORY,
                format!(
                    "{}-{} stands outside any `##` category",
                    bank.prefix, question.number
                ),
            ));
        }
        first_with_number.insert(question.number, question.line_range.clone());
        bank.questions.push(question);
    }
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
    front_matter: Option<(String, Range<usize>)>,
    in_front_matter: bool,
    heading: Option<(HeadingLevel, Range<usize>, String)>,
    categories: Vec<Category>,
    current_category: Option<usize>,
    /// One entry per open list: the next item's number for ordered lists.
    lists: Vec<Option<u64>>,
    block_quotes: usize,
    question: Option<(Question, ItemPart)>,
    field: Option<(String, Range<usize>)>,
    questions: Vec<Question>,
    diagnostics: Vec<Diagnostic>,
}

impl BankReader {
    fn event(&mut self, text: &str, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                self.in_front_matter = true;
                self.front_matter = Some((String::new(), range));
            }
            Event::End(TagEnd::MetadataBlock(_)) => self.in_front_matter = false,
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
            }
            Event::End(TagEnd::List(_)) => {
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
            let line_end = text[range.start..range.end]
                .find(['\n', '\r'])
                .map_or(range.end, |end| range.start + end);
            let question = Question {
                number: number.min(u32::MAX as u64) as u32,
                text: String::new(),
                category: self.current_category,
                range: range.clone(),
                line_range: range.start..line_end,
                tags: Vec::new(),
                see: Vec::new(),
                fields: Vec::new(),
            };
            self.question = Some((question, ItemPart::Wording));
        } else if self.lists.len() == 2 && self.question.is_some() {
            self.field = Some((String::new(), range));
        }
    }

    fn end_item(&mut self, text: &str) {
        if self.lists.len() == 2 {
            if let (Some((field_text, range)), Some((question, _))) =
                (self.field.take(), self.question.as_mut())
            {
                add_field(question, &field_text, range, text);
            }
        } else if self.is_question_list() {
            self.finish_question(text);
        }
    }

    fn text(&mut self, content: &str, range: Range<usize>) {
        if self.in_front_matter {
            if let Some((front_matter, _)) = &mut self.front_matter {
                front_matter.push_str(content);
            }
        } else if let Some((_, _, heading)) = &mut self.heading {
            heading.push_str(content);
        } else if let Some((field_text, _)) = &mut self.field {
            field_text.push_str(content);
        } else if let Some((question, ItemPart::Wording)) = &mut self.question {
            question.text.push_str(content);
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
                self.current_category = Some(self.categories.len() - 1);
            }
            _ => {}
        }
    }

    fn finish_question(&mut self, source: &str) {
        if let Some((mut question, _)) = self.question.take() {
            let wording = take_unnested_fields(&mut question, source);
            question.text = collapse_whitespace(&wording);
            self.questions.push(question);
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

/// Splits `- name: value` lines off a question's wording. Under `100.` a
/// field must be indented five spaces to nest; indented four, markdown reads
/// it as more wording. Such lines are still the question's fields, as the
/// author meant. Returns the wording that is left.
fn take_unnested_fields(question: &mut Question, source: &str) -> String {
    let looks_like_field = |line: &str| {
        let Some(rest) = line.trim_start().strip_prefix(['-', '*', '+']) else {
            return false;
        };
        let Some((name, _)) = rest.split_once(':') else {
            return false;
        };
        rest.starts_with(' ')
            && !name.trim().is_empty()
            && name
                .trim()
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    let wording = std::mem::take(&mut question.text);
    let lines: Vec<&str> = wording.split('\n').collect();
    let Some(first_field) = lines
        .iter()
        .skip(1)
        .position(|line| looks_like_field(line))
        .map(|position| position + 1)
    else {
        return wording;
    };
    let item = source.get(question.range.clone()).unwrap_or("");
    let mut search_from = 0;
    for (position, line) in lines[first_field..].iter().enumerate() {
        let line = line.trim();
        let Some(found) = item[search_from..].find(line) else {
            continue;
        };
        let start = question.range.start + search_from + found;
        if position == 0 {
            let wording_end = source[..start].trim_end().len();
            question.line_range.end = question
                .line_range
                .end
                .min(wording_end)
                .max(question.line_range.start);
        }
        search_from += found + line.len();
        let content = line[1..].trim_start();
        let content_start = start + (line.len() - content.len());
        add_field(question, content, content_start..start + line.len(), source);
    }
    lines[..first_field].join(" ")
}

fn add_field(question: &mut Question, field_text: &str, range: Range<usize>, source: &str) {
    let Some((name, value)) = field_text.split_once(':') else {
        return;
    };
    let name = name.trim().to_lowercase();
    let value = value.trim().to_string();
    match name.as_str() {
        "tags" => question.tags.extend(
            value
                .split(',')
                .map(|tag| tag.trim().to_lowercase())
                .filter(|tag| !tag.is_empty()),
        ),
        "see" => {
            let item = &source[range.clone()];
            question
                .see
                .extend(key::find_keys(item).into_iter().map(|found| KeyMatch {
                    key: found.key,
                    range: range.start + found.range.start..range.start + found.range.end,
                }));
        }
        _ => {}
    }
    question.fields.push(Field { name, value, range });
}

pub fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(source: &str, expected: Expect) {
        let bank = parse_bank("test.md", "test", source.to_string());
        let mut rendered = format!("prefix {} title {:?}\n", bank.prefix, bank.title);
        for question in &bank.questions {
            let key = bank.key(question);
            let line = &source[question.line_range.clone()];
            rendered.push_str(&format!(
                "{key} [{}] {} | {line:?}",
                bank.category_name(question),
                question.text
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
        for diagnostic in &bank.diagnostics {
            let line = 1 + source[..diagnostic.range.start].matches('\n').count();
            rendered.push_str(&format!(
                "line {line}: {}[{}] {}\n",
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message
            ));
        }
        expected.assert_eq(&rendered);
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
                TEST-3 [One] Again first? | "1. Again first?"
                line 1: warning[bank-outside-category] TEST-1 stands outside any `##` category
                line 4: error[bank-duplicate-number] TEST-1 is numbered twice (first on line 1); this one is not loaded
                line 5: error[bank-empty-question] TEST-2 has no text
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

//! References: every place a question key is written, in this document and
//! in the workspace's other indexed notes, from a key under the cursor (in
//! a note, or a `see:` key in a bank) or from a question's line in a bank.
//! The question's line in its bank is the declaration.

use std::ops::Range;

use crate::core::ide::{Context, Document, Place};
use crate::core::key::Key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub place: Place,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct References {
    pub key: Key,
    /// What the cursor stands on: a key, or a bank question's line.
    pub origin: Range<usize>,
    /// The declaration first (when asked for), then this document, then
    /// the other notes in name order.
    pub references: Vec<Reference>,
}

/// The key under the cursor: a written key whose prefix is a bank's, else,
/// in a bank (`bank` is its position in the index), the question whose
/// line holds the cursor.
pub fn key_at(
    context: &Context,
    document: &Document,
    bank: Option<usize>,
    offset: usize,
) -> Option<(Key, Range<usize>)> {
    let index = context.index;
    if let Some(found) = document
        .note
        .key_at(offset)
        .filter(|found| index.has_prefix(&found.key.prefix))
    {
        return Some((found.key, found.range.clone()));
    }
    let bank = index.banks().get(bank?)?;
    let question = bank.questions.iter().find(|question| {
        question.line_range().start <= offset && offset <= question.line_range().end
    })?;
    Some((bank.key(question), question.line_range()))
}

pub fn references(
    context: &Context,
    document: &Document,
    bank: Option<usize>,
    offset: usize,
    include_declaration: bool,
) -> Option<References> {
    let index = context.index;
    let (key, origin) = key_at(context, document, bank, offset)?;
    let mut references = Vec::new();
    if include_declaration {
        if let Some(id) = index.lookup(&key) {
            references.push(Reference {
                place: Place::Bank(index.bank_of(id)),
                range: index.get(id).question.line_range(),
            });
        }
    }
    references.extend(
        document
            .note
            .keys
            .iter()
            .filter(|found| found.key == key)
            .map(|found| Reference {
                place: Place::Here,
                range: found.range.clone(),
            }),
    );
    for note in context
        .notes
        .mentioning(&key)
        .filter(|note| Some(note.name.as_str()) != document.name)
    {
        references.extend(
            note.keys()
                .iter()
                .filter(|found| found.key == key)
                .map(|found| Reference {
                    place: Place::Note(note.name.clone()),
                    range: found.range.clone(),
                }),
        );
    }
    Some(References {
        key,
        origin,
        references,
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{Workspace, cursor};

    /// The first file is the one the cursor is in; `bank` marks it a bank.
    fn check(fixture: &str, bank: bool, expected: Expect) {
        let workspace = Workspace::new(fixture);
        let (text, cursor) = cursor(&workspace.current.1);
        let note = crate::core::note::parse_note(&text);
        let document = Document {
            text: &text,
            note: &note,
            name: Some(&workspace.current.0),
        };
        let context = workspace.context();
        let bank = bank.then(|| workspace.index.banks().len() - 1);
        let rendered = match references(&context, &document, bank, cursor.start, true) {
            None => "no references".to_string(),
            Some(found) => {
                let mut rendered = format!("{} from {:?}\n", found.key, &text[found.origin]);
                for reference in found.references {
                    let (name, source) = match &reference.place {
                        Place::Here => ("here".to_string(), text.as_str()),
                        Place::Note(name) => {
                            let file = workspace.texts.iter().find(|(file, _)| file == name);
                            (name.clone(), file.unwrap().1.as_str())
                        }
                        Place::Bank(position) => {
                            let bank = &workspace.index.banks()[*position];
                            (bank.name.clone(), &*bank.text)
                        }
                    };
                    let line = crate::core::ide::line_range_at(source, reference.range.start);
                    rendered.push_str(&format!("{name}: {}\n", &source[line]));
                }
                rendered
            }
        };
        expected.assert_eq(&rendered);
    }

    #[test]
    fn from_a_key_in_a_note_across_notes() {
        check(
            r#"
//- notes/a.md
Remember BE-2$03 and BE-40.
//- notes/b.md
## BE-23 · What is ACID compliance?
Atomicity.
//- c.md
`BE-23` in code does not count; BE-23 in text does.
//- d.md
Only BE-40 here.
"#,
            false,
            expect![[r#"
                BE-23 from "BE-23"
                <built-in>/backend.md: 23. What is ACID compliance, and why is it important in databases?
                here: Remember BE-23 and BE-40.
                c.md: `BE-23` in code does not count; BE-23 in text does.
                notes/b.md: ## BE-23 · What is ACID compliance?
            "#]],
        );
    }

    #[test]
    fn from_a_question_line_in_a_bank() {
        check(
            r#"
//- questions/team.md
---
prefix: TM
---
## Team
1. How do we deploy$0?
2. Who is on call?
   - see: TM-1
//- notes/a.md
TM-1 and TM-2.
"#,
            true,
            expect![[r#"
                TM-1 from "1. How do we deploy?"
                questions/team.md: 1. How do we deploy?
                here:    - see: TM-1
                notes/a.md: TM-1 and TM-2.
            "#]],
        );
        check(
            "//- notes/a.md\nplain $0words\n",
            false,
            expect!["no references"],
        );
    }
}

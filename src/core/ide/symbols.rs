//! Symbols. Document symbols: a note's headings nested by level, question
//! sections marked as such (each runs to the next heading of the same or a
//! higher level); in a bank, its categories and their questions. Workspace
//! symbols: the questions a fuzzy query finds, then the indexed notes'
//! question sections whose heading holds every word of the query.

use std::ops::Range;

use crate::core::ide::{Context, Document, Place};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A plain heading of a note.
    Heading,
    /// A question section of a note, or a question of a bank.
    Question,
    /// A bank's category.
    Category,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole section.
    pub range: Range<usize>,
    /// The heading's text (or the question's line), inside `range`.
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

/// A document's outline. `bank` is the document's position among the
/// index's banks, for a bank.
pub fn document_symbols(
    context: &Context,
    document: &Document,
    bank: Option<usize>,
) -> Vec<Symbol> {
    if let Some(bank) = bank.and_then(|position| context.index.banks().get(position)) {
        return bank_symbols(bank);
    }
    let note = document.note;
    let index = context.index;
    // Headings with their level, nested by a stack of open parents.
    let mut roots: Vec<Symbol> = Vec::new();
    let mut open: Vec<(usize, Symbol)> = Vec::new();
    for (position, heading) in note.headings.iter().enumerate() {
        let end = note.headings[position + 1..]
            .iter()
            .find(|next| next.level <= heading.level)
            .map_or(note.len, |next| next.range.start);
        let question = heading
            .key
            .as_ref()
            .and_then(|found| index.lookup(&found.key));
        let selection = if heading.text_range.is_empty() {
            heading.range.clone()
        } else {
            heading.text_range.clone()
        };
        let symbol = Symbol {
            name: if heading.text.is_empty() {
                "(empty heading)".to_string()
            } else {
                heading.text.clone()
            },
            detail: question.map(|id| index.get(id).category().to_string()),
            kind: if question.is_some() {
                SymbolKind::Question
            } else {
                SymbolKind::Heading
            },
            range: heading.range.start..end.max(heading.range.end),
            selection,
            children: Vec::new(),
        };
        close_until(&mut open, &mut roots, heading.level);
        open.push((heading.level, symbol));
    }
    close_until(&mut open, &mut roots, 0);
    roots
}

/// Closes the open symbols at `level` or deeper, each into its parent.
fn close_until(open: &mut Vec<(usize, Symbol)>, roots: &mut Vec<Symbol>, level: usize) {
    while open
        .last()
        .is_some_and(|(open_level, _)| *open_level >= level)
    {
        let (_, symbol) = open.pop().expect("checked above");
        match open.last_mut() {
            Some((_, parent)) => parent.children.push(symbol),
            None => roots.push(symbol),
        }
    }
}

fn bank_symbols(bank: &crate::core::bank::Bank) -> Vec<Symbol> {
    let mut categories: Vec<Symbol> = bank
        .categories
        .iter()
        .enumerate()
        .map(|(position, category)| {
            let end = bank
                .categories
                .get(position + 1)
                .map_or(bank.text.len(), |next| next.range.start);
            Symbol {
                name: category.name.clone(),
                detail: None,
                kind: SymbolKind::Category,
                range: category.range.start..end,
                selection: category.range.clone(),
                children: Vec::new(),
            }
        })
        .collect();
    let mut outside = Vec::new();
    for question in &bank.questions {
        let symbol = Symbol {
            name: format!("{} · {}", bank.key(question), bank.wording(question)),
            detail: None,
            kind: SymbolKind::Question,
            range: question.range(),
            selection: question.line_range(),
            children: Vec::new(),
        };
        match question
            .category
            .and_then(|category| categories.get_mut(category as usize))
        {
            Some(category) => category.children.push(symbol),
            None => outside.push(symbol),
        }
    }
    outside.append(&mut categories);
    outside
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    /// The bank's category, or the note's name.
    pub container: String,
    pub kind: SymbolKind,
    pub place: Place,
    pub range: Range<usize>,
}

/// Questions matching `query`, best first, then matching question sections
/// of the indexed notes, in name order; `limit` in all.
pub fn workspace_symbols(context: &Context, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let index = context.index;
    let mut symbols: Vec<WorkspaceSymbol> = index
        .search(query, limit)
        .into_iter()
        .map(|hit| {
            let question = index.get(hit.question);
            WorkspaceSymbol {
                name: format!("{} · {}", question.key(), question.text()),
                container: question.category().to_string(),
                kind: SymbolKind::Question,
                place: Place::Bank(index.bank_of(hit.question)),
                range: question.question.line_range(),
            }
        })
        .collect();
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    'notes: for note in context.notes.iter() {
        for section in note.sections() {
            if symbols.len() >= limit {
                break 'notes;
            }
            let title = section.title.to_lowercase();
            if words.iter().all(|word| title.contains(word.as_str())) {
                symbols.push(WorkspaceSymbol {
                    name: section.title.clone(),
                    container: note.name.clone(),
                    kind: SymbolKind::Question,
                    place: Place::Note(note.name.clone()),
                    range: section.heading.clone(),
                });
            }
        }
    }
    symbols
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{Workspace, cursor};
    use crate::core::note::parse_note;

    fn render(symbols: &[Symbol], text: &str, depth: usize, out: &mut String) {
        for symbol in symbols {
            assert!(symbol.range.start <= symbol.selection.start);
            assert!(symbol.selection.end <= symbol.range.end);
            out.push_str(&format!(
                "{}{:?} {:?}{} [{}]\n",
                "  ".repeat(depth),
                symbol.kind,
                symbol.name,
                symbol
                    .detail
                    .as_ref()
                    .map_or(String::new(), |detail| format!(" ({detail})")),
                text[symbol.range.clone()].lines().count()
            ));
            render(&symbol.children, text, depth + 1, out);
        }
    }

    fn check_document(fixture: &str, bank: bool, expected: Expect) {
        let workspace = Workspace::new(fixture);
        let (text, _) = cursor(&format!("{}$0", workspace.current.1));
        let note = parse_note(&text);
        let document = crate::core::ide::Document::new(&text, &note);
        let bank = bank.then(|| workspace.index.banks().len() - 1);
        let symbols = document_symbols(&workspace.context(), &document, bank);
        let mut rendered = String::new();
        render(&symbols, &text, 0, &mut rendered);
        expected.assert_eq(&rendered);
    }

    #[test]
    fn a_note_outline_nests_by_level() {
        check_document(
            "# Notes\nintro\n## Interview packet\n### BE-23 · ACID\nbody\n#### Detail\nmore\n### BE-40 · SQL injection\n## Other\n### BE-999 · Unknown\n",
            false,
            expect![[r#"
                Heading "Notes" [10]
                  Heading "Interview packet" [6]
                    Question "BE-23 · ACID" (Databases and Data Storage) [4]
                      Heading "Detail" [2]
                    Question "BE-40 · SQL injection" (Databases and Data Storage) [1]
                  Heading "Other" [2]
                    Heading "BE-999 · Unknown" [1]
            "#]],
        );
    }

    #[test]
    fn a_bank_outline_is_categories_and_questions() {
        check_document(
            "//- questions/team.md\n---\nprefix: TM\n---\n## Ops\n1. How do we deploy?\n   - tags: ci\n2. Who is on call?\n## People\n3. Who hires?\n",
            true,
            expect![[r#"
                Category "Ops" [4]
                  Question "TM-1 · How do we deploy?" [2]
                  Question "TM-2 · Who is on call?" [1]
                Category "People" [2]
                  Question "TM-3 · Who hires?" [1]
            "#]],
        );
    }

    #[test]
    fn workspace_symbols_are_questions_then_note_sections() {
        let workspace = Workspace::new(
            "//- current.md\n\n//- notes/a.md\n## BE-23 · ACID, my words\nbody\n//- notes/b.md\n## BE-40 · acid and injection\n## BE-61 · caching\n",
        );
        let rendered: Vec<String> = workspace_symbols(&workspace.context(), "acid", 10)
            .into_iter()
            .map(|symbol| format!("{:?} {} | {}", symbol.place, symbol.name, symbol.container))
            .collect();
        expect![[r#"
            Bank(0) BE-23 · What is ACID compliance, and why is it important in databases? | Databases and Data Storage
            Note("notes/a.md") BE-23 · ACID, my words | notes/a.md
            Note("notes/b.md") BE-40 · acid and injection | notes/b.md
        "#]]
        .assert_eq(&(rendered.join("\n") + "\n"));
    }
}

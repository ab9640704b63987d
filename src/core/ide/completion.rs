//! Completion in its three contexts: after a bank prefix and `-` the bank's
//! questions by key; after `@` a fuzzy search over every question, which
//! inserts the key inline or, on an otherwise empty line or after a heading
//! marker, the question heading and its template; inside a heading, question
//! wordings. Every item's edit covers the trigger and the typed word, so
//! accepting it leaves nothing doubled.

use std::ops::Range;

use crate::core::diagnostic::TextEdit;
use crate::core::ide::card::question_card;
use crate::core::ide::snippet::{escape, to_snippet};
use crate::core::ide::{
    Context, Document, StudyOrder, answered_in_note, line_ending, line_range_at, section_level_at,
    study_order, with_line_ending,
};
use crate::core::index::{Index, QuestionId};
use crate::core::key::partial_key_before;
use crate::core::search::SearchHit;
use crate::core::template::{Rendered, TemplateContext, render_section};

/// How many items a reply holds at most; beyond it the list is incomplete.
pub const MAX_ITEMS: usize = 100;

/// How many question-and-template items a line-start `@` offers.
pub const SECTION_ITEMS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A key after `PREFIX-`.
    Key,
    /// A key found by `@` search, inserted inline.
    SearchKey,
    /// A question heading and its template, from `@` at a line's start.
    Section,
    /// A question wording inside a heading.
    HeadingText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub question: QuestionId,
    pub kind: CompletionKind,
    pub label: String,
    pub detail: String,
    /// The text the editor filters on: the typed text itself where the
    /// server ranks, so the editor keeps the server's choice.
    pub filter_text: String,
    /// Orders items as the server ranked them.
    pub sort_text: String,
    pub edit: TextEdit,
    /// Whether `edit.new_text` is snippet syntax.
    pub is_snippet: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// More questions matched than were sent, or the server filters itself:
    /// the editor should ask again as the user types.
    pub is_incomplete: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct CompletionOptions {
    /// Whether the editor accepts snippets with tab stops.
    pub snippets: bool,
    pub limit: usize,
}

impl Default for CompletionOptions {
    fn default() -> Self {
        CompletionOptions {
            snippets: true,
            limit: MAX_ITEMS,
        }
    }
}

pub fn complete(
    context: &Context,
    document: &Document,
    offset: usize,
    options: &CompletionOptions,
) -> Completions {
    let text = document.text;
    if offset > text.len() || !text.is_char_boundary(offset) {
        return Completions::default();
    }
    let partial_key =
        partial_key_before(text, offset).filter(|(prefix, _, _)| context.index.has_prefix(prefix));
    if let Some((prefix, digits, range)) = partial_key {
        return complete_key(context, document, &prefix, &digits, range, options);
    }
    if let Some(at) = at_query(text, offset) {
        return complete_search(context, document, &at, options);
    }
    if let Some(heading) = heading_query(document, offset) {
        return complete_heading(context, document, &heading, options);
    }
    Completions::default()
}

/// Documentation for an item, for `completionItem/resolve`.
pub fn documentation(index: &Index, id: QuestionId) -> String {
    question_card(index, id, None, None)
}

fn sort_text(rank: usize) -> String {
    format!("{rank:05}")
}

/// Extends a range's end over the rest of the word the cursor stands in.
fn word_end(text: &str, offset: usize) -> usize {
    offset
        + text[offset..]
            .find(|character: char| !is_query_char(character))
            .unwrap_or(text.len() - offset)
}

fn is_query_char(character: char) -> bool {
    character.is_alphanumeric() || character == '-' || character == '_'
}

fn complete_key(
    context: &Context,
    document: &Document,
    prefix: &str,
    digits: &str,
    range: Range<usize>,
    options: &CompletionOptions,
) -> Completions {
    let index = context.index;
    let Some(bank) = index.bank_with_prefix(prefix) else {
        return Completions::default();
    };
    let answered = answered_in_note(context, document);
    let text = document.text;
    let end = range.end
        + text[range.end..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
    let mut matching: Vec<(usize, StudyOrder, u32, QuestionId)> = index
        .questions()
        .filter(|question| index.bank_of(question.id) == bank)
        .filter_map(|question| {
            let number = question.question.number.to_string();
            number.starts_with(digits).then(|| {
                let order = study_order(context, document, &answered, question.id);
                (number.len(), order, question.question.number, question.id)
            })
        })
        .collect();
    matching.sort_unstable();
    let is_incomplete = matching.len() > options.limit;
    let typed = &text[range.start..end];
    let items = matching
        .into_iter()
        .take(options.limit)
        .enumerate()
        .map(|(rank, (_, _, _, id))| {
            let question = index.get(id);
            let key = question.key().to_string();
            CompletionItem {
                question: id,
                kind: CompletionKind::Key,
                label: key.clone(),
                detail: question.text().to_string(),
                filter_text: if key.starts_with(typed) {
                    key.clone()
                } else {
                    typed.to_string()
                },
                sort_text: sort_text(rank),
                edit: TextEdit {
                    range: range.start..end,
                    new_text: key,
                },
                is_snippet: false,
            }
        })
        .collect();
    Completions {
        items,
        is_incomplete,
    }
}

/// An `@` query at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AtQuery {
    /// From the `@` to the end of the word the cursor stands in.
    range: Range<usize>,
    /// The words typed after `@`, up to the cursor.
    query: String,
    /// The heading level to insert a section at, when the `@` stands alone
    /// on its line or after a heading marker.
    block_level: Option<usize>,
    /// The start of the line, for a block insertion.
    line_start: usize,
}

fn at_query(text: &str, offset: usize) -> Option<AtQuery> {
    let at = at_before(text, offset)?;
    let word_start = at + 1;
    if text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let end = word_end(text, offset);
    let line = line_range_at(text, offset);
    let lead = &text[line.start..at];
    let rest_is_blank = text[end..line.end].trim().is_empty();
    let block_level = if !rest_is_blank {
        None
    } else if lead.trim().is_empty() {
        Some(0)
    } else {
        heading_marker_level(lead)
    };
    Some(AtQuery {
        range: at..end,
        query: text[word_start..offset].to_string(),
        block_level,
        line_start: line.start,
    })
}

/// The `@` that starts the query ending at `offset`: up to three words of
/// letters, digits, `-` and `_`, separated by single spaces, on one line.
fn at_before(text: &str, offset: usize) -> Option<usize> {
    let mut spaces = 0;
    let mut previous_was_space = false;
    for (position, character) in text[..offset].char_indices().rev() {
        match character {
            '@' => return Some(position),
            ' ' if !previous_was_space && spaces < MAX_QUERY_SPACES => {
                spaces += 1;
                previous_was_space = true;
            }
            character if is_query_char(character) => previous_was_space = false,
            _ => return None,
        }
    }
    None
}

/// How many spaces an `@` query may hold: three words at most.
const MAX_QUERY_SPACES: usize = 2;

/// The level of a heading marker such as `## ` (up to three spaces before).
fn heading_marker_level(lead: &str) -> Option<usize> {
    let trimmed = lead.trim_start_matches(' ');
    if lead.len() - trimmed.len() > 3 {
        return None;
    }
    let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
    let after = &trimmed[hashes..];
    let well_formed = (1..=6).contains(&hashes)
        && !after.is_empty()
        && after
            .chars()
            .all(|character| character == ' ' || character == '\t');
    well_formed.then_some(hashes)
}

/// Search hits reranked: match quality first (`SearchHit::quality`, the
/// order the search gives), then the study order: questions due for
/// review, then those answered nowhere (neither in this note nor in
/// another), then answered ones.
fn ranked_hits(
    context: &Context,
    document: &Document,
    query: &str,
    limit: usize,
) -> (Vec<QuestionId>, bool) {
    let hits = context.index.search(query, limit + 1);
    let is_incomplete = hits.len() > limit;
    let answered = answered_in_note(context, document);
    let mut ranked: Vec<(SearchHit, StudyOrder)> = hits
        .into_iter()
        .take(limit)
        .map(|hit| {
            let order = study_order(context, document, &answered, hit.question);
            (hit, order)
        })
        .collect();
    // Stable: among equals the search's own order (bank order) stands.
    ranked.sort_by_key(|(hit, order)| (std::cmp::Reverse(hit.quality()), *order));
    (
        ranked.into_iter().map(|(hit, _)| hit.question).collect(),
        is_incomplete,
    )
}

fn complete_search(
    context: &Context,
    document: &Document,
    at: &AtQuery,
    options: &CompletionOptions,
) -> Completions {
    let index = context.index;
    let text = document.text;
    // A line-start item carries a whole template: fewer of them keep the
    // reply small, and the list is marked incomplete so typing refines it.
    let limit = match at.block_level {
        Some(_) => options.limit.min(SECTION_ITEMS),
        None => options.limit,
    };
    let (ids, _) = ranked_hits(context, document, &at.query, limit);
    let ending = line_ending(text);
    let typed = text[at.range.clone()].to_string();
    let items = ids
        .into_iter()
        .enumerate()
        .map(|(rank, id)| {
            let question = index.get(id);
            let key = question.key().to_string();
            let label = format!("{key} · {}", question.text());
            let (kind, edit, is_snippet) = match at.block_level {
                Some(level) => {
                    let level = if level == 0 {
                        section_level_at(document.note, at.line_start)
                    } else {
                        level
                    };
                    let section = trimmed_section(context, id, level);
                    let new_text = if options.snippets {
                        to_snippet("", &section)
                    } else {
                        section.text
                    };
                    (
                        CompletionKind::Section,
                        TextEdit {
                            range: at.line_start..at.range.end,
                            new_text: with_line_ending(&new_text, ending),
                        },
                        options.snippets,
                    )
                }
                None => (
                    CompletionKind::SearchKey,
                    TextEdit {
                        range: at.range.clone(),
                        new_text: key,
                    },
                    false,
                ),
            };
            let filter_text = match kind {
                CompletionKind::Section => text[at.line_start..at.range.end].to_string(),
                _ => typed.clone(),
            };
            CompletionItem {
                question: id,
                kind,
                label,
                detail: question.category().to_string(),
                filter_text,
                sort_text: sort_text(rank),
                edit,
                is_snippet,
            }
        })
        .collect();
    // The server filters and ranks by its own fuzzy search: ask again on
    // every keystroke.
    Completions {
        items,
        is_incomplete: true,
    }
}

/// A question section without its trailing blank lines: the line it
/// replaces keeps its own line ending.
fn trimmed_section(context: &Context, id: QuestionId, level: usize) -> Rendered {
    let mut section = render_section(
        level,
        &TemplateContext::new(context.index, id),
        context.mode,
        context.overrides,
    );
    let kept = section.text.trim_end_matches('\n').len();
    section.text.truncate(kept);
    for slot in &mut section.slots {
        *slot = (*slot).min(kept);
    }
    section
}

/// The heading text typed before the cursor in a heading without a key.
struct HeadingQuery {
    /// From the heading text's start to the line's end.
    range: Range<usize>,
    query: String,
}

fn heading_query(document: &Document, offset: usize) -> Option<HeadingQuery> {
    let text = document.text;
    let heading = document.note.heading_at(offset)?;
    if heading.key.is_some() {
        return None;
    }
    let line = line_range_at(text, offset);
    let lead = &text[line.start..line.end];
    let after_spaces = lead.trim_start_matches(' ');
    let after_hashes = after_spaces.trim_start_matches('#');
    let text_start = line.end - after_hashes.trim_start().len();
    if after_hashes.len() == after_spaces.len() || offset < text_start {
        return None;
    }
    let content_end = text_start + text[text_start..line.end].trim_end().len();
    Some(HeadingQuery {
        range: text_start..content_end.max(offset),
        query: text[text_start..offset].to_string(),
    })
}

fn complete_heading(
    context: &Context,
    document: &Document,
    heading: &HeadingQuery,
    options: &CompletionOptions,
) -> Completions {
    let index = context.index;
    let (ids, is_incomplete) = ranked_hits(context, document, &heading.query, options.limit);
    let items = ids
        .into_iter()
        .enumerate()
        .map(|(rank, id)| {
            let question = index.get(id);
            let new_text = format!("{} · {}", question.key(), question.text());
            CompletionItem {
                question: id,
                kind: CompletionKind::HeadingText,
                label: question.text().to_string(),
                detail: question.key().to_string(),
                filter_text: heading.query.clone(),
                sort_text: sort_text(rank),
                edit: TextEdit {
                    range: heading.range.clone(),
                    new_text: if options.snippets {
                        escape(&new_text)
                    } else {
                        new_text
                    },
                },
                is_snippet: options.snippets,
            }
        })
        .collect();
    Completions {
        items,
        is_incomplete: is_incomplete || !heading.query.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{apply, context, cursor, seed_index};
    use crate::core::note::parse_note;

    fn run(fixture: &str, snippets: bool) -> (String, Completions) {
        let (text, cursor) = cursor(fixture);
        let index = seed_index();
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let options = CompletionOptions {
            snippets,
            limit: MAX_ITEMS,
        };
        let completions = complete(&context(&index), &document, cursor.start, &options);
        (text, completions)
    }

    /// The first `shown` items, one a line, and what accepting the first does.
    fn check(fixture: &str, shown: usize, expected: Expect) {
        let (text, completions) = run(fixture, true);
        let mut rendered = format!(
            "{} items{}\n",
            completions.items.len(),
            if completions.is_incomplete {
                ", incomplete"
            } else {
                ""
            }
        );
        for item in completions.items.iter().take(shown) {
            rendered.push_str(&format!(
                "{:?} {} | {} | replaces {:?}\n",
                item.kind,
                item.label,
                item.detail,
                &text[item.edit.range.clone()]
            ));
        }
        if let Some(first) = completions.items.first() {
            rendered.push_str("--- accepting the first:\n");
            rendered.push_str(&apply(&text, std::slice::from_ref(&first.edit)));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn keys_after_a_prefix() {
        check(
            "See BE-2$0 now",
            4,
            expect![[r#"
            11 items
            Key BE-2 | What is a server, and what role does it play in web development? | replaces "BE-2"
            Key BE-20 | How does a load balancer help with scaling back-end services? | replaces "BE-2"
            Key BE-21 | What is SQL, and how does it differ from NoSQL? | replaces "BE-2"
            Key BE-22 | What are the different types of database normalization? | replaces "BE-2"
            --- accepting the first:
            See BE-2 now"#]],
        );
    }

    #[test]
    fn keys_after_a_bare_prefix_are_all_listed() {
        check(
            "BE-$0",
            2,
            expect![[r#"
            100 items, incomplete
            Key BE-1 | What is back-end development, and how does it differ from front-end development? | replaces "BE-"
            Key BE-2 | What is a server, and what role does it play in web development? | replaces "BE-"
            --- accepting the first:
            BE-1"#]],
        );
    }

    #[test]
    fn no_completion_for_unknown_prefixes_or_words() {
        check(
            "front-end XY-$0",
            1,
            expect![[r#"
            0 items
        "#]],
        );
        check(
            "plain$0",
            1,
            expect![[r#"
            0 items
        "#]],
        );
    }

    #[test]
    fn search_inline_inserts_the_key() {
        check(
            "Remember @aci$0d today",
            3,
            expect![[r#"
            1 items, incomplete
            SearchKey BE-23 · What is ACID compliance, and why is it important in databases? | Databases and Data Storage | replaces "@acid"
            --- accepting the first:
            Remember BE-23 today"#]],
        );
    }

    #[test]
    fn at_after_a_letter_is_an_email() {
        check(
            "mail me@acid$0",
            1,
            expect![[r#"
            0 items
        "#]],
        );
    }

    #[test]
    fn search_at_line_start_inserts_a_section_snippet() {
        check(
            "# Notes\n\n@acid$0\n",
            1,
            expect![[r#"
                1 items, incomplete
                Section BE-23 · What is ACID compliance, and why is it important in databases? | Databases and Data Storage | replaces "@acid"
                --- accepting the first:
                # Notes

                ## BE-23 · What is ACID compliance, and why is it important in databases?

                **In one sentence:** $1

                **How it works:**
                - $2

                **Example:** $3

                **Trade-offs:**
                - $4

                <details><summary>Check yourself (6 points)</summary>

                - Atomicity: all of a transaction's writes take effect or none do; on error or crash the partial work is rolled back
                - Consistency: each committed transaction moves the database from one valid state to another with constraints (primary, foreign, unique keys and CHECKs) holding; business invariants still depend on correct transaction code
                - Isolation: concurrent transactions don't see each other's uncommitted work, and the isolation level sets which anomalies remain (Read Committed by default in PostgreSQL, Repeatable Read in MySQL InnoDB)
                - Durability: once a commit is acknowledged the data survives a crash or power loss, because the write-ahead (redo) log is flushed to disk before the acknowledgment
                - Why it matters: money transfers, stock decrements and order placement cannot tolerate partial writes or lost updates, and the database guarantees this instead of every application
                - Trade-off: stronger isolation and synchronous flushing cost throughput and latency, so some setups relax them (PostgreSQL synchronous_commit off, BASE-style NoSQL stores)

                </details>$0
            "#]],
        );
    }

    #[test]
    fn search_after_a_heading_marker_keeps_its_level() {
        let (text, completions) = run("#### @sql inj$0", false);
        let first = &completions.items[0];
        assert_eq!(first.kind, CompletionKind::Section);
        assert!(!first.is_snippet);
        let applied = apply(&text, std::slice::from_ref(&first.edit));
        assert!(
            applied.starts_with("#### BE-40 · What is SQL injection"),
            "{applied}"
        );
    }

    #[test]
    fn heading_text_becomes_a_question_heading() {
        check(
            "## What is ACID$0\n\nbody\n",
            2,
            expect![[r#"
            1 items, incomplete
            HeadingText What is ACID compliance, and why is it important in databases? | BE-23 | replaces "What is ACID"
            --- accepting the first:
            ## BE-23 · What is ACID compliance, and why is it important in databases?

            body
        "#]],
        );
    }

    #[test]
    fn questions_answered_in_other_notes_rank_last_among_equals() {
        use crate::core::ide::fixture::Workspace;
        let workspace = Workspace::new(
            "//- current.md\nAsk @$0\n//- notes/a.md\n## BE-1 · Back-end\nServers and data.\n",
        );
        let (text, cursor) = cursor(&workspace.current.1);
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let completions = complete(
            &workspace.context(),
            &document,
            cursor.start,
            &CompletionOptions::default(),
        );
        let labels: Vec<&str> = completions
            .items
            .iter()
            .map(|item| item.label.split(' ').next().unwrap())
            .collect();
        assert_eq!(&labels[..2], ["BE-2", "BE-3"]);
        assert_eq!(labels.last(), Some(&"BE-1"));
    }

    #[test]
    fn crlf_documents_get_crlf_sections() {
        let (text, completions) = run("a\r\n@acid$0\r\nb\r\n", false);
        let applied = apply(&text, std::slice::from_ref(&completions.items[0].edit));
        assert!(!applied.replace("\r\n", "").contains('\n'), "{applied:?}");
    }
}

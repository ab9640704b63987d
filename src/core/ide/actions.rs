//! Code actions and the edits behind the server's commands: insert a study
//! template or an interview rubric for a question, expand a bare key into a
//! question heading, link a heading whose text is a bank question to its
//! key, insert a balanced interview packet (never a question the note or,
//! by default, the other notes of its folder already write), and the quick
//! fixes the note diagnostics carry. Every edit is minimal: an insertion
//! where nothing is replaced, and a replacement of exactly what changes.

use std::ops::Range;

use crate::core::bank::Level;
use crate::core::check::{Siblings, check_note};
use crate::core::diagnostic::{Diagnostic, TextEdit};
use crate::core::ide::notes::{NoteSummary, Notes, folder_of};
use crate::core::ide::{
    Context, Document, line_ending, line_range_at, next_line_start, question_with_wording,
    section_level_at, with_line_ending,
};
use crate::core::index::QuestionId;
use crate::core::packet::{PacketRequest, draw_packet, questions_in_notes, render_packet};
use crate::core::template::{Mode, TemplateContext, question_heading, render_body, render_section};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    Refactor,
    Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<TextEdit>,
    /// The diagnostic a quick fix resolves.
    pub diagnostic: Option<Diagnostic>,
    pub preferred: bool,
}

impl Action {
    fn new(title: impl Into<String>, kind: ActionKind, edit: TextEdit) -> Action {
        Action {
            title: title.into(),
            kind,
            edits: vec![edit],
            diagnostic: None,
            preferred: false,
        }
    }
}

/// What a packet insertion asks for; `None` fields take the defaults.
#[derive(Debug, Clone, Default)]
pub struct PacketOptions {
    pub count: Option<usize>,
    pub categories: Vec<String>,
    pub mode: Option<Mode>,
    pub seed: Option<u64>,
    pub level: Option<Level>,
    /// A time budget; without a count, as many questions as fit.
    pub minutes: Option<u32>,
    /// Whose questions are left out besides the note's own.
    pub exclude: PacketExclusion,
}

/// Which other notes' questions (and their near-duplicates) a packet leaves
/// out. The note's own questions are always left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PacketExclusion {
    /// The other notes right in the note's folder, not its subfolders: a
    /// folder holds one candidate's rounds (the `asked-before` rule).
    #[default]
    Folder,
    /// No other note.
    NoteOnly,
    /// These notes, and every note in these folders and their subfolders,
    /// by name relative to the workspace root (`alice/round-1.md`, `alice`;
    /// empty for the whole workspace).
    Named(Vec<String>),
}

/// The most questions one packet holds.
const MOST_PACKET_QUESTIONS: usize = 100;

/// The packet sizes offered as source actions.
pub const PACKET_SIZES: [usize; 2] = [5, 10];

/// Every action for a selection (or a cursor, an empty range).
pub fn code_actions(context: &Context, document: &Document, range: Range<usize>) -> Vec<Action> {
    let index = context.index;
    let note = document.note;
    let text = document.text;
    let mut actions = quick_fixes(context, document, range.clone());
    let offset = range.start;
    let heading = note.heading_at(offset);
    let key_here = note
        .key_at(offset)
        .filter(|found| index.lookup(&found.key).is_some())
        .or_else(|| heading.and_then(|heading| heading.key.as_ref()));
    if let Some(found) = key_here {
        if let Some(id) = index.lookup(&found.key) {
            let key = found.key.to_string();
            for (title, mode) in [
                ("Insert answer template", Mode::Study),
                ("Insert interview rubric", Mode::Interview),
            ] {
                let edit = insert_template(context, document, offset, id, mode);
                actions.push(Action::new(title, ActionKind::Refactor, edit));
            }
            let in_heading = heading.is_some_and(|heading| {
                heading.range.start <= found.range.start && found.range.end <= heading.range.end
            });
            if !in_heading {
                if let Some(edit) = expand_key(context, document, &found.range, id) {
                    actions.push(Action::new(
                        format!("Expand {key} to question heading"),
                        ActionKind::Refactor,
                        edit,
                    ));
                }
            }
        }
    } else if let Some(heading) = heading.filter(|heading| heading.key.is_none()) {
        if let Some(id) = question_with_wording(index, &heading.text) {
            let key = index.get(id).key();
            actions.push(Action::new(
                format!("Link heading to {key}"),
                ActionKind::Refactor,
                TextEdit {
                    range: heading.text_range.start..heading.text_range.start,
                    new_text: format!("{key} · "),
                },
            ));
        }
    }
    for count in PACKET_SIZES {
        let options = PacketOptions {
            count: Some(count),
            mode: Some(Mode::Interview),
            ..PacketOptions::default()
        };
        if let Ok(edit) = insert_packet(context, document, offset, &options) {
            actions.push(Action::new(
                format!("Insert interview packet ({count} questions)"),
                ActionKind::Source,
                edit,
            ));
        }
    }
    let _ = text;
    actions
}

/// Quick fixes of the note diagnostics touching the range.
fn quick_fixes(context: &Context, document: &Document, range: Range<usize>) -> Vec<Action> {
    let diagnostics = check_note(
        context.index,
        document.text,
        document.note,
        Siblings::NONE,
        context.overrides,
    );
    let mut actions = Vec::new();
    for diagnostic in diagnostics {
        let touches = diagnostic.range.start <= range.end && range.start <= diagnostic.range.end;
        if !touches {
            continue;
        }
        for (position, fix) in diagnostic.fixes.iter().enumerate() {
            actions.push(Action {
                title: fix.title.clone(),
                kind: ActionKind::QuickFix,
                edits: fix.edits.clone(),
                diagnostic: Some(diagnostic.clone()),
                preferred: position == 0,
            });
        }
    }
    actions
}

/// The edit that inserts a question's template at `offset`: under the
/// question heading there, as its body; elsewhere, a whole question section
/// after the line.
pub fn insert_template(
    context: &Context,
    document: &Document,
    offset: usize,
    id: QuestionId,
    mode: Mode,
) -> TextEdit {
    let text = document.text;
    let ending = line_ending(text);
    let template = TemplateContext::new(context.index, id);
    let heading = document
        .note
        .heading_at(offset)
        .filter(|heading| heading.key.is_some());
    let at = next_line_start(text, offset);
    let mut new_text = String::new();
    if at == text.len() && !text.is_empty() && !text.ends_with(['\n', '\r']) {
        new_text.push('\n');
    }
    let inserted = match heading {
        Some(_) => render_body(&template, mode, context.overrides).text,
        None => {
            let level = section_level_at(document.note, offset);
            render_section(level, &template, mode, context.overrides).text
        }
    };
    new_text.push('\n');
    new_text.push_str(inserted.trim_end_matches('\n'));
    new_text.push('\n');
    if !starts_with_blank_line(&text[at..]) {
        new_text.push('\n');
    }
    TextEdit {
        range: at..at,
        new_text: with_line_ending(&new_text, ending),
    }
}

/// Whether text starts with a blank line (or is empty): a separator is
/// already there.
fn starts_with_blank_line(text: &str) -> bool {
    let first_line = text.split(['\n', '\r']).next().unwrap_or("");
    first_line.trim().is_empty()
}

/// Replaces a line holding only a key (perhaps as a list item) with the
/// question heading.
fn expand_key(
    context: &Context,
    document: &Document,
    key_range: &Range<usize>,
    id: QuestionId,
) -> Option<TextEdit> {
    let text = document.text;
    let line = line_range_at(text, key_range.start);
    let before = text[line.start..key_range.start].trim();
    let after = text[key_range.end..line.end].trim();
    let marker_only = before.is_empty()
        || before == "-"
        || before == "*"
        || before == "+"
        || (before.ends_with('.')
            && before[..before.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit()));
    if !marker_only || !after.trim_end_matches(['.', ':', ',']).is_empty() {
        return None;
    }
    let question = context.index.get(id);
    let level = section_level_at(document.note, key_range.start);
    Some(TextEdit {
        range: line,
        new_text: question_heading(level, &question.key(), question.text()),
    })
}

/// The edit that inserts a packet at `offset`: at the start of a blank line,
/// or after the line the cursor is on. Questions the note already holds,
/// and those of the notes `options.exclude` names, are skipped. Fails for a
/// category that matches none or several.
pub fn insert_packet(
    context: &Context,
    document: &Document,
    offset: usize,
    options: &PacketOptions,
) -> Result<TextEdit, String> {
    let index = context.index;
    let text = document.text;
    let exclude = questions_already_asked(context, document, &options.exclude);
    let count = match (options.count, options.minutes) {
        (Some(count), _) => count,
        (None, Some(_)) => MOST_PACKET_QUESTIONS,
        (None, None) => context.packet_size,
    };
    let request = PacketRequest {
        count: count.clamp(1, MOST_PACKET_QUESTIONS),
        categories: options.categories.clone(),
        seed: options.seed.unwrap_or_else(|| text_seed(text)),
        exclude,
        level: options.level,
        minutes: options.minutes,
    };
    let packet = draw_packet(index, &request)?;
    let level = packet_level_at(document, offset);
    let mode = options.mode.unwrap_or(context.mode);
    let rendered = render_packet(index, &packet, level, mode, context.overrides);
    let line = line_range_at(text, offset);
    let ending = line_ending(text);
    let (at, mut new_text) = if text[line.clone()].trim().is_empty() {
        (line.start, String::new())
    } else {
        let at = next_line_start(text, offset);
        let mut prefix = String::new();
        if at == text.len() && !text.ends_with(['\n', '\r']) {
            prefix.push('\n');
        }
        prefix.push('\n');
        (at, prefix)
    };
    new_text.push_str(rendered.text.trim_end_matches('\n'));
    new_text.push('\n');
    if !starts_with_blank_line(&text[at..]) || at == line.start {
        new_text.push('\n');
    }
    Ok(TextEdit {
        range: at..at,
        new_text: with_line_ending(&new_text, ending),
    })
}

/// The questions a packet inserted into the document leaves out: those
/// its text writes, and those of the other indexed notes `exclusion` names.
fn questions_already_asked(
    context: &Context,
    document: &Document,
    exclusion: &PacketExclusion,
) -> Vec<QuestionId> {
    let others = excluded_notes(context.notes, document.name, exclusion);
    let notes_keys =
        std::iter::once(document.note.keys.as_slice()).chain(others.iter().map(|note| note.keys()));
    questions_in_notes(context.index, notes_keys)
}

/// The indexed notes `exclusion` names for a document named `name`, never
/// the document's own indexed copy (its buffer is newer). Outside a
/// workspace a document has no folder.
fn excluded_notes<'a>(
    notes: &'a Notes,
    name: Option<&str>,
    exclusion: &PacketExclusion,
) -> Vec<&'a NoteSummary> {
    let mut chosen: Vec<&NoteSummary> = match (exclusion, name) {
        (PacketExclusion::NoteOnly, _) | (PacketExclusion::Folder, None) => Vec::new(),
        (PacketExclusion::Folder, Some(name)) => notes.in_folder(folder_of(name)).collect(),
        (PacketExclusion::Named(named), _) => named
            .iter()
            .flat_map(|named| note_or_folder(notes, named))
            .collect(),
    };
    chosen.retain(|note| Some(note.name.as_str()) != name);
    chosen
}

/// The note of that name, else every note under the folder of that name.
fn note_or_folder<'a>(notes: &'a Notes, name: &str) -> Vec<&'a NoteSummary> {
    if let Some(note) = notes.get(name) {
        return vec![note.as_ref()];
    }
    let folder = match name.trim_end_matches('/') {
        "" => String::new(),
        trimmed => format!("{trimmed}/"),
    };
    notes.under(&folder).collect()
}

/// A packet goes one level below the heading above it (a question
/// heading's level when it follows a question), at `##` with none.
fn packet_level_at(document: &Document, offset: usize) -> usize {
    let level = document
        .note
        .headings
        .iter()
        .rev()
        .find(|heading| heading.range.start < offset)
        .map_or(2, |heading| {
            if heading.key.is_some() {
                heading.level
            } else {
                heading.level + 1
            }
        });
    level.clamp(1, 5)
}

/// A seed that stays the same while the note does, so an action offered
/// twice proposes the same packet (FNV-1a).
fn text_seed(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::{apply, context, cursor, seed_index};
    use crate::core::note::parse_note;

    fn actions_for(fixture: &str) -> (String, Vec<Action>) {
        let (text, selection) = cursor(fixture);
        let index = seed_index();
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let actions = code_actions(&context(&index), &document, selection);
        (text, actions)
    }

    /// Action titles, then the result of applying the one titled `apply_title`.
    fn check(fixture: &str, apply_title: &str, expected: Expect) {
        let (text, actions) = actions_for(fixture);
        let mut rendered = String::new();
        for action in &actions {
            rendered.push_str(&format!("{:?}: {}\n", action.kind, action.title));
        }
        if let Some(action) = actions.iter().find(|action| action.title == apply_title) {
            rendered.push_str(&format!("--- {apply_title}:\n"));
            rendered.push_str(&apply(&text, &action.edits));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn on_a_bare_key() {
        check(
            "# Notes\n\nBE-$023\n\nmore\n",
            "Expand BE-23 to question heading",
            expect![[r#"
            Refactor: Insert answer template
            Refactor: Insert interview rubric
            Refactor: Expand BE-23 to question heading
            Source: Insert interview packet (5 questions)
            Source: Insert interview packet (10 questions)
            --- Expand BE-23 to question heading:
            # Notes

            ## BE-23 · What is ACID compliance, and why is it important in databases?

            more
        "#]],
        );
    }

    #[test]
    fn template_under_a_question_heading() {
        check(
            "## BE-2$03 · What is ACID compliance, and why is it important in databases?\n\n## Next\n",
            "Insert answer template",
            expect![[r#"
                Refactor: Insert answer template
                Refactor: Insert interview rubric
                Source: Insert interview packet (5 questions)
                Source: Insert interview packet (10 questions)
                --- Insert answer template:
                ## BE-23 · What is ACID compliance, and why is it important in databases?

                **In one sentence:** 

                **How it works:**
                - 

                **Example:** 

                **Trade-offs:**
                - 

                <details><summary>Check yourself (6 points)</summary>

                - Atomicity: all of a transaction's writes take effect or none do; on error or crash the partial work is rolled back
                - Consistency: each committed transaction moves the database from one valid state to another with constraints (primary, foreign, unique keys and CHECKs) holding; business invariants still depend on correct transaction code
                - Isolation: concurrent transactions don't see each other's uncommitted work, and the isolation level sets which anomalies remain (Read Committed by default in PostgreSQL, Repeatable Read in MySQL InnoDB)
                - Durability: once a commit is acknowledged the data survives a crash or power loss, because the write-ahead (redo) log is flushed to disk before the acknowledgment
                - Why it matters: money transfers, stock decrements and order placement cannot tolerate partial writes or lost updates, and the database guarantees this instead of every application
                - Trade-off: stronger isolation and synchronous flushing cost throughput and latency, so some setups relax them (PostgreSQL synchronous_commit off, BASE-style NoSQL stores)

                </details>

                ## Next
            "#]],
        );
    }

    #[test]
    fn rubric_after_a_key_in_a_sentence() {
        check(
            "Ask BE-4$00 first.",
            "Insert interview rubric",
            expect![[r#"
                Refactor: Insert answer template
                Refactor: Insert interview rubric
                Source: Insert interview packet (5 questions)
                Source: Insert interview packet (10 questions)
                --- Insert interview rubric:
                Ask BE-40 first.

                ## BE-40 · What is SQL injection, and how do you prevent it?

                **Level:** junior · **Time:** about 5 min

                **A strong answer covers:**
                - [ ] Cause: user input is concatenated into SQL text, so the database parses data as code
                - [ ] Payloads: a login field of ' OR '1'='1' -- makes the WHERE clause always true, UNION SELECT pulls rows from other tables, and time-based blind payloads such as pg_sleep(5) leak data with no visible output
                - [ ] Parameterized queries: placeholders (? or $1) with values sent separately (JDBC PreparedStatement, PDO, psycopg) mean input can never change the query's structure
                - [ ] ORM escape hatches: raw APIs such as Django raw() and extra(), Sequelize.query, knex.raw and string-built Hibernate HQL or native queries are injectable again when concatenated
                - [ ] Identifier allow-lists: table names, column names and ORDER BY direction can't be bound as parameters, so map user choices onto a fixed allow-list
                - [ ] Least privilege: the app's database account has only the DML it needs, with no DDL, superuser or file access, limiting what a successful injection can do
                - [ ] Second-order injection: a value stored safely and later concatenated into another query (a username used in an admin report) is exploited, so data from your own database is not trusted either

                **Red flags:**
                - [ ] Offers escaping quotes as the fix
                - [ ] Relies on client-side validation to block it

                **Follow-up:** How would an attacker extract data through a time-based blind injection when the page shows no query output?

                *Score: 1 no signal · 2 partial · 3 solid · 4 strong*
                **Score:** 
                **Notes:** 
            "#]],
        );
    }

    #[test]
    fn link_a_heading_with_a_bank_wording() {
        check(
            "### What is SQL injection, and how do you $0prevent it?\n",
            "Link heading to BE-40",
            expect![[r#"
                Refactor: Link heading to BE-40
                Source: Insert interview packet (5 questions)
                Source: Insert interview packet (10 questions)
                --- Link heading to BE-40:
                ### BE-40 · What is SQL injection, and how do you prevent it?
            "#]],
        );
    }

    #[test]
    fn quick_fix_for_an_unknown_key() {
        check(
            "See BE-99$09.\n",
            "Change to BE-99",
            expect![[r#"
            QuickFix: Change to BE-99
            Source: Insert interview packet (5 questions)
            Source: Insert interview packet (10 questions)
            --- Change to BE-99:
            See BE-99.
        "#]],
        );
    }

    #[test]
    fn packets_skip_questions_already_in_the_note() {
        let (text, actions) = actions_for("# Round 1\n\nBE-23 BE-40\n$0\n");
        let packet = actions
            .iter()
            .find(|action| action.title == "Insert interview packet (5 questions)")
            .expect("packet action");
        let applied = apply(&text, &packet.edits);
        let note = parse_note(&applied);
        let sections = note.question_sections();
        assert_eq!(sections.len(), 5, "{applied}");
        for section in sections {
            let key = note.headings[section.heading].key.as_ref().unwrap();
            assert!(!["BE-23", "BE-40"].contains(&key.key.to_string().as_str()));
        }
        assert!(
            applied.starts_with("# Round 1\n\nBE-23 BE-40\n## Interview packet · 5 questions"),
            "{applied}"
        );
    }

    /// A small bank and a candidate's folder: round 1 beside the note,
    /// round 0 in a subfolder, another candidate's round elsewhere.
    const CANDIDATES: &str = r#"//- alice/round-2.md
# Round 2
$0
IV-8 came up already.
//- questions/iv.md
---
prefix: IV
---
## Small
1. What is a mutex?
2. How does a hash map resolve collisions?
3. What is a B-tree?
4. How does TLS establish a session key?
5. What is backpressure in a stream?
6. How does garbage collection find unreachable objects?
7. What is a bloom filter?
8. How does DNS resolve a name?
//- alice/round-1.md
### IV-1 · What is a mutex?
Follow-up on IV-2, not `IV-5` (in code).
//- alice/old/round-0.md
### IV-3 · What is a B-tree?
//- bob/round-1.md
### IV-4 · How does TLS establish a session key?
"#;

    /// The keys of every small-bank question a packet holds, for each
    /// exclusion, one line each.
    fn packet_keys_by_exclusion(exclusions: &[PacketExclusion], expected: Expect) {
        let workspace = crate::core::ide::fixture::Workspace::new(CANDIDATES);
        let (name, fixture) = &workspace.current;
        let (text, selection) = cursor(fixture);
        let note = parse_note(&text);
        let document = Document {
            name: Some(name),
            ..Document::new(&text, &note)
        };
        let mut rendered = String::new();
        for exclusion in exclusions {
            let options = PacketOptions {
                count: Some(8),
                categories: vec!["small".to_string()],
                exclude: exclusion.clone(),
                ..PacketOptions::default()
            };
            let edit = insert_packet(&workspace.context(), &document, selection.start, &options)
                .expect("a packet");
            let inserted = parse_note(&edit.new_text);
            let mut numbers: Vec<u32> = inserted
                .headings
                .iter()
                .filter_map(|heading| Some(heading.key.as_ref()?.key.number))
                .collect();
            numbers.sort_unstable();
            let keys: Vec<String> = numbers
                .iter()
                .map(|number| format!("IV-{number}"))
                .collect();
            rendered.push_str(&format!("{exclusion:?}: {}\n", keys.join(" ")));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn packets_skip_the_note_and_by_default_its_folder() {
        packet_keys_by_exclusion(
            &[
                PacketExclusion::default(),
                PacketExclusion::NoteOnly,
                PacketExclusion::Named(vec!["alice/old".to_string(), "bob/round-1.md".to_string()]),
                PacketExclusion::Named(vec!["alice/".to_string(), "nowhere".to_string()]),
                PacketExclusion::Named(vec![String::new()]),
            ],
            expect![[r#"
                Folder: IV-3 IV-4 IV-5 IV-6 IV-7
                NoteOnly: IV-1 IV-2 IV-3 IV-4 IV-5 IV-6 IV-7
                Named(["alice/old", "bob/round-1.md"]): IV-1 IV-2 IV-5 IV-6 IV-7
                Named(["alice/", "nowhere"]): IV-4 IV-5 IV-6 IV-7
                Named([""]): IV-5 IV-6 IV-7
            "#]],
        );
    }

    #[test]
    fn edits_are_minimal_insertions() {
        let (text, actions) = actions_for("Intro\r\nBE-$023\r\nOutro\r\n");
        for action in actions
            .iter()
            .filter(|action| action.title.starts_with("Insert"))
        {
            for edit in &action.edits {
                assert!(edit.range.is_empty(), "{}", action.title);
                assert!(
                    !edit.new_text.replace("\r\n", "").contains('\n'),
                    "{}",
                    action.title
                );
            }
            let applied = apply(&text, &action.edits);
            assert!(applied.starts_with("Intro\r\nBE-23\r\n"));
            assert!(applied.ends_with("Outro\r\n"));
        }
    }
}

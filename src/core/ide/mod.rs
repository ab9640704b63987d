//! Editor features as pure functions: hover, completion, code actions,
//! definition, references, symbols, folding, inlay hints and code lens.
//! Each takes the index and the workspace's notes, a document's text and
//! its parse, and a byte offset, and returns the core's own types with byte
//! ranges. The `lsp` layer converts positions in and results out; nothing
//! here knows the protocol, the filesystem or an async runtime.

pub mod actions;
pub mod card;
pub mod completion;
pub mod definition;
pub mod folding;
pub mod hover;
pub mod inlay;
pub mod lens;
pub mod notes;
pub mod references;
pub mod review;
pub mod scores;
pub mod snippet;
pub mod symbols;

#[cfg(test)]
pub(crate) mod fixture;

use std::ops::Range;

use chrono::NaiveDate;

use crate::core::check::AnsweredInNote;
use crate::core::config::Config;
use crate::core::ide::notes::Notes;
use crate::core::index::{Index, QuestionId};
use crate::core::note::Note;
use crate::core::template::{Mode, Overrides};

/// What every feature needs besides the document: the questions, the
/// workspace's notes (as far as they are indexed), the template overrides
/// and the settings in effect.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub index: &'a Index,
    pub notes: &'a Notes,
    pub overrides: &'a Overrides,
    /// The default template mode.
    pub mode: Mode,
    pub packet_size: usize,
    /// Whether lenses and hover judge answers against their points.
    pub coverage: bool,
    /// The day review states are told for.
    pub today: NaiveDate,
}

impl<'a> Context<'a> {
    /// The context of a workspace, its settings from `config`.
    pub fn new(
        index: &'a Index,
        notes: &'a Notes,
        overrides: &'a Overrides,
        config: &Config,
        today: NaiveDate,
    ) -> Context<'a> {
        Context {
            index,
            notes,
            overrides,
            mode: config.mode,
            packet_size: config.packet_size,
            coverage: config.coverage,
            today,
        }
    }
}

/// One document as features see it: its text, its parse and its name among
/// the workspace's notes (`None` outside a workspace). Its own text wins
/// over what the notes index holds under that name.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub text: &'a str,
    pub note: &'a Note,
    pub name: Option<&'a str>,
}

impl<'a> Document<'a> {
    /// A document outside any workspace.
    pub fn new(text: &'a str, note: &'a Note) -> Document<'a> {
        Document {
            text,
            note,
            name: None,
        }
    }
}

/// Whether the document answers its questions, worked out per question on demand.
pub fn answered_in_note<'a>(context: &Context<'a>, document: &Document<'a>) -> AnsweredInNote<'a> {
    AnsweredInNote::new(
        context.index,
        document.text,
        document.note,
        context.overrides,
    )
}

/// Whether a question is answered in this note: `None` when the note does
/// not hold it as a section.
pub fn is_answered_here(answered: &AnsweredInNote, id: QuestionId) -> Option<bool> {
    answered.get(id)
}

/// Where a result stands: in the document asked about, in another indexed
/// note (by name), or in a bank (by its position in the index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Here,
    Note(String),
    Bank(usize),
}

/// The other notes (not this document) that answer a question, by name.
pub fn answered_elsewhere<'a>(
    context: &Context<'a>,
    document: &Document,
    id: QuestionId,
) -> Vec<&'a str> {
    let key = context.index.get(id).key();
    let mut names = context.notes.answered_in(&key);
    names.retain(|name| Some(*name) != document.name);
    names
}

/// Whether a question is answered in this document or in any other note.
pub fn is_answered_anywhere(
    context: &Context,
    document: &Document,
    answered_here: &AnsweredInNote,
    id: QuestionId,
) -> bool {
    is_answered_here(answered_here, id) == Some(true)
        || !answered_elsewhere(context, document, id).is_empty()
}

/// Where a question stands for study, as completion orders equal matches:
/// due for review first, then answered nowhere, then the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StudyOrder {
    Due,
    Unanswered,
    Answered,
}

pub fn study_order(
    context: &Context,
    document: &Document,
    answered_here: &AnsweredInNote,
    id: QuestionId,
) -> StudyOrder {
    if context
        .notes
        .is_due(&context.index.get(id).key(), context.today)
    {
        StudyOrder::Due
    } else if is_answered_anywhere(context, document, answered_here, id) {
        StudyOrder::Answered
    } else {
        StudyOrder::Unanswered
    }
}

/// The byte range of the line holding `offset`, without its line ending.
pub fn line_range_at(text: &str, offset: usize) -> Range<usize> {
    let offset = offset.min(text.len());
    let start = text[..offset]
        .rfind(['\n', '\r'])
        .map_or(0, |position| position + 1);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |position| offset + position);
    start..end
}

/// The offset just past the line holding `offset`, its line ending included
/// (the text's end for the last line).
pub fn next_line_start(text: &str, offset: usize) -> usize {
    let end = line_range_at(text, offset).end;
    let bytes = text.as_bytes();
    match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(b'\r') | Some(b'\n') => end + 1,
        _ => end,
    }
}

/// The line ending the text already uses: `\r\n` when its first line ends so.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(position) if position > 0 && text.as_bytes()[position - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Rewrites `\n` line endings of generated text to the document's.
pub fn with_line_ending(generated: &str, ending: &str) -> String {
    if ending == "\n" {
        generated.to_string()
    } else {
        generated.replace('\n', ending)
    }
}

/// The level new question headings get at `offset`: the level of the
/// question heading above, else one below the heading above, else 2.
pub fn section_level_at(note: &Note, offset: usize) -> usize {
    note.headings
        .iter()
        .rev()
        .find(|heading| heading.range.start < offset)
        .map_or(2, |heading| {
            if heading.key.is_some() {
                heading.level
            } else {
                (heading.level + 1).min(6)
            }
        })
}

/// The question whose wording a heading's text is, ignoring case,
/// punctuation and spacing: the target of "Link heading to BE-23".
pub fn question_with_wording(index: &Index, wording: &str) -> Option<QuestionId> {
    let wanted = normalized_words(wording);
    if wanted.is_empty() {
        return None;
    }
    index
        .search(wording, 5)
        .into_iter()
        .map(|hit| hit.question)
        .find(|&id| normalized_words(index.get(id).text()) == wanted)
}

fn normalized_words(text: &str) -> Vec<String> {
    text.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

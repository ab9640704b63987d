//! The workspace's notes as features see them: for each note (named by its
//! path relative to the workspace root, `/`-separated) the keys it writes
//! and its question sections with whether each is answered, plus two
//! aggregates kept up to date on every insert and removal — which notes
//! mention a key, and which answer it — so references, answered tracking,
//! code lens and `asked-before` never scan every note. Building a summary
//! is pure: the caller reads the files. A summary holds no more than
//! features read from it: a note without keys (most of a large vault) is a
//! name, a note that only mentions keys their ranges, and only a note with
//! question sections its text.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::core::check::SiblingNote;
use crate::core::index::Index;
use crate::core::key::{Key, KeyMatch};
use crate::core::line_index::LineIndex;
use crate::core::note::{Note, is_answered, mentions_no_key, parse_note};
use crate::core::review::{ReviewState, section_review};
use crate::core::template::{Overrides, Scaffolding};

/// One question section of an indexed note.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSummary {
    pub key: Key,
    /// The heading's text, key included.
    pub title: String,
    pub level: usize,
    /// The heading line.
    pub heading: Range<usize>,
    /// The heading and the body below it.
    pub range: Range<usize>,
    pub answered: bool,
    /// What the section's review marker says.
    pub review: ReviewState,
}

/// One note of the workspace, as read when it was last indexed.
#[derive(Debug, Clone)]
pub struct NoteSummary {
    pub name: String,
    /// What a note that writes a key holds; `None` for the others (most
    /// of a large vault): no result ever points into such a note, and it
    /// has no sections, rubrics or review markers to read, so it costs
    /// its name and a pointer.
    body: Option<Box<NoteBody>>,
}

#[derive(Debug, Clone)]
struct NoteBody {
    // Boxed slices: tens of thousands of notes hold a body.
    keys: Box<[KeyMatch]>,
    sections: Box<[SectionSummary]>,
    /// The text and its line index, kept when the note has question
    /// sections (answers, rubrics, review markers are read from it). A
    /// note that only mentions keys keeps their ranges; the front end
    /// reads its file again to show one (`Notes` of a large vault hold
    /// tens of thousands of such notes).
    text: Option<Box<(String, LineIndex)>>,
}

impl NoteSummary {
    /// The folder part of the name, with its trailing `/` (empty at the root).
    pub fn folder(&self) -> &str {
        folder_of(&self.name)
    }

    /// The text and its line index, so the front end can turn byte ranges
    /// into positions; `None` unless the note has question sections
    /// (`NoteBody::text`).
    pub fn text_and_lines(&self) -> Option<(&str, &LineIndex)> {
        let (text, lines) = self.body.as_ref()?.text.as_deref()?;
        Some((text, lines))
    }

    /// The text when kept (see `text_and_lines`), else empty: what is read
    /// from it (sections, rubrics, markers) a note without sections lacks.
    pub fn text(&self) -> &str {
        self.text_and_lines().map_or("", |(text, _)| text)
    }

    /// Keys written as whole words outside code, headings' keys included.
    pub fn keys(&self) -> &[KeyMatch] {
        self.body.as_ref().map_or(&[], |body| &body.keys)
    }

    pub fn sections(&self) -> &[SectionSummary] {
        self.body.as_ref().map_or(&[], |body| &body.sections)
    }
}

/// The folder part of a note's name, with its trailing `/` (empty at the
/// root).
pub fn folder_of(name: &str) -> &str {
    name.rfind('/').map_or("", |slash| &name[..=slash])
}

pub use crate::core::template::ScaffoldingCache;

/// Summarizes a note's text. A section whose key names no question counts
/// as answered when its body holds any text at all. A note that writes
/// nothing like a key (most of a large vault) is not parsed: its summary
/// is its name.
pub fn summarize_note(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    name: &str,
    text: &str,
) -> NoteSummary {
    if mentions_no_key(text) {
        return NoteSummary {
            name: name.to_string(),
            body: None,
        };
    }
    summarize_parsed(index, overrides, cache, name, text, None, &parse_note(text))
}

/// Summarizes a note already parsed (an editor's buffer), given its text
/// and, when at hand, that text's line index; they are copied only when
/// the summary keeps them (`NoteBody::text`).
pub fn summarize_parsed(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    name: &str,
    text: &str,
    lines: Option<&LineIndex>,
    note: &Note,
) -> NoteSummary {
    let body = (!note.keys.is_empty()).then(|| {
        let sections = section_summaries(index, overrides, cache, text, note);
        let kept = || {
            let lines = lines.cloned().unwrap_or_else(|| LineIndex::new(text));
            Box::new((text.to_string(), lines))
        };
        Box::new(NoteBody {
            text: (!sections.is_empty()).then(kept),
            keys: note.keys.as_slice().into(),
            sections: sections.into(),
        })
    });
    NoteSummary {
        name: name.to_string(),
        body,
    }
}

/// The question sections of a parsed note: key, heading, whether answered
/// and what its review marker says.
pub fn section_summaries(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    text: &str,
    note: &Note,
) -> Vec<SectionSummary> {
    let no_scaffolding = Scaffolding::default();
    note.question_sections()
        .into_iter()
        .filter_map(|section| {
            let heading = &note.headings[section.heading];
            let key = heading.key.as_ref()?.key;
            let scaffolding = match index.lookup(&key) {
                Some(id) => cache.get(index, overrides, id),
                None => &no_scaffolding,
            };
            Some(SectionSummary {
                answered: is_answered(text, &section, scaffolding),
                review: section_review(text, &section).state,
                key,
                title: heading.text.clone(),
                level: heading.level,
                heading: heading.range.clone(),
                range: section.range,
            })
        })
        .collect()
}

/// An indexed note, ordered and found by its name: the set holds each
/// name once, in the summary, rather than again as a map's key.
#[derive(Debug, Clone)]
struct ByName(Arc<NoteSummary>);

impl std::borrow::Borrow<str> for ByName {
    fn borrow(&self) -> &str {
        &self.0.name
    }
}

impl PartialEq for ByName {
    fn eq(&self, other: &ByName) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for ByName {}

impl PartialOrd for ByName {
    fn partial_cmp(&self, other: &ByName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByName {
    fn cmp(&self, other: &ByName) -> std::cmp::Ordering {
        self.0.name.cmp(&other.0.name)
    }
}

/// Every indexed note, by name, with the aggregates features ask for.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    notes: BTreeSet<ByName>,
    /// For each key, the notes that write it.
    mentioned_in: NamesByKey,
    /// For each key, the notes with an answered section for it.
    answered_in: NamesByKey,
    /// For each key, the notes whose answer to it is scheduled for review.
    scheduled_in: NamesByKey,
}

impl Notes {
    pub fn len(&self) -> usize {
        self.notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<NoteSummary>> {
        self.notes.get(name).map(|note| &note.0)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.notes.contains(name)
    }

    /// Notes in name order.
    pub fn iter(&self) -> impl Iterator<Item = &NoteSummary> {
        self.notes.iter().map(|note| note.0.as_ref())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.notes.iter().map(|note| note.0.name.as_str())
    }

    /// Adds a note, replacing the one of the same name.
    pub fn insert(&mut self, summary: NoteSummary) {
        let name = &summary.name;
        self.remove(name);
        for found in summary.keys() {
            self.mentioned_in.add(&found.key, name);
        }
        for section in summary.sections().iter().filter(|section| section.answered) {
            self.answered_in.add(&section.key, name);
            if section.review.marker().is_some() {
                self.scheduled_in.add(&section.key, name);
            }
        }
        self.notes.insert(ByName(Arc::new(summary)));
    }

    pub fn remove(&mut self, name: &str) -> Option<Arc<NoteSummary>> {
        let old = self.notes.take(name)?.0;
        for found in old.keys() {
            self.mentioned_in.forget(&found.key, name);
        }
        for section in old.sections() {
            self.answered_in.forget(&section.key, name);
            self.scheduled_in.forget(&section.key, name);
        }
        Some(old)
    }

    /// The notes that write `key`, in name order.
    pub fn mentioning<'a>(&'a self, key: &Key) -> impl Iterator<Item = &'a NoteSummary> + 'a {
        self.mentioned_in
            .get(key)
            .iter()
            .filter_map(|name| self.get(name).map(Arc::as_ref))
    }

    /// The names of the notes that answer `key`, in name order.
    pub fn answered_in(&self, key: &Key) -> Vec<&str> {
        self.answered_in
            .get(key)
            .iter()
            .map(String::as_str)
            .collect()
    }

    pub fn is_answered(&self, key: &Key) -> bool {
        !self.answered_in.get(key).is_empty()
    }

    /// Whether some note's answer to `key` is due for review on `today`.
    pub fn is_due(&self, key: &Key, today: NaiveDate) -> bool {
        self.scheduled_in
            .get(key)
            .iter()
            .filter_map(|name| self.get(name))
            .flat_map(|note| note.sections())
            .any(|section| {
                &section.key == key && section.answered && section.review.standing(today).is_due()
            })
    }

    /// Every note in `folder` (a folder part as `folder_of` gives it: `/`
    /// at its end, empty for the root) and in its subfolders, in name order.
    pub fn under<'a>(&'a self, folder: &str) -> impl Iterator<Item = &'a NoteSummary> {
        self.notes
            .range::<str, _>((
                std::ops::Bound::Included(folder),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |note| note.0.name.starts_with(folder))
            .map(|note| note.0.as_ref())
    }

    /// The notes right in `folder`, not in its subfolders: as a folder
    /// holds one candidate's rounds, for `asked-before` and packets.
    pub fn in_folder<'a>(&'a self, folder: &str) -> impl Iterator<Item = &'a NoteSummary> {
        self.under(folder)
            .filter(move |note| !note.name[folder.len()..].contains('/'))
    }

    /// The other notes of the folder holding `name`, with their question
    /// headings' keys, for `asked-before`.
    pub fn siblings_of(&self, name: &str) -> Vec<SiblingNote> {
        let folder = folder_of(name);
        self.in_folder(folder)
            .filter(|other| other.name != name)
            .map(|other| SiblingNote {
                name: other.name[folder.len()..].to_string(),
                keys: other.sections().iter().map(|section| section.key).collect(),
            })
            .collect()
    }
}

/// For each key, the names of the notes that have it, in name order: a
/// sorted `Vec` per key (most keys have one or two notes, where a set
/// would cost a node each).
#[derive(Debug, Clone, Default)]
struct NamesByKey(HashMap<Key, Vec<String>>);

impl NamesByKey {
    fn add(&mut self, key: &Key, name: &str) {
        let names = self.0.entry(*key).or_default();
        if let Err(place) = names.binary_search_by(|known| known.as_str().cmp(name)) {
            names.insert(place, name.to_string());
        }
    }

    fn forget(&mut self, key: &Key, name: &str) {
        if let Some(names) = self.0.get_mut(key) {
            if let Ok(place) = names.binary_search_by(|known| known.as_str().cmp(name)) {
                names.remove(place);
            }
            if names.is_empty() {
                self.0.remove(key);
            }
        }
    }

    fn get(&self, key: &Key) -> &[String] {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }
}

/// An empty set of notes, for documents outside every workspace.
pub fn no_notes() -> &'static Notes {
    static EMPTY: std::sync::OnceLock<Notes> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Notes::default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ide::fixture::seed_index;

    fn notes(files: &[(&str, &str)]) -> Notes {
        let index = seed_index();
        let mut cache = ScaffoldingCache::default();
        let mut notes = Notes::default();
        for (name, text) in files {
            notes.insert(summarize_note(
                &index,
                &Overrides::default(),
                &mut cache,
                name,
                text,
            ));
        }
        notes
    }

    #[test]
    fn a_summary_holds_only_what_features_read() {
        let notes = notes(&[
            ("prose.md", "# Caching\n\nNo key here.\n"),
            ("mention.md", "See BE-23 and BE-40.\n"),
            ("answer.md", "## BE-23 · ACID\nAtomicity.\n"),
        ]);
        let held = |name: &str| {
            let note = notes.get(name).unwrap();
            (
                note.keys().len(),
                note.sections().len(),
                note.text_and_lines().map(|(text, _)| text.len()),
            )
        };
        assert_eq!(held("prose.md"), (0, 0, None));
        assert_eq!(held("mention.md"), (2, 0, None));
        assert_eq!(
            held("answer.md"),
            (1, 1, Some("## BE-23 · ACID\nAtomicity.\n".len()))
        );
        assert_eq!(notes.mentioning(&Key::new("BE", 40)).count(), 1);
        assert_eq!(notes.len(), 3);
    }

    #[test]
    fn aggregates_follow_inserts_and_removals() {
        let mut notes = notes(&[
            ("a.md", "## BE-23 · ACID\nAtomicity.\n\nSee BE-40.\n"),
            (
                "round/b.md",
                "## BE-23 · ACID\n\n## BE-40 · SQL injection\nBind.\n",
            ),
            ("round/c.md", "Mentions BE-23 inline, `BE-40` in code.\n"),
            ("round/deeper/d.md", "## BE-61 · Caching\n"),
        ]);
        let acid = Key::new("BE", 23);
        let mentioning: Vec<&str> = notes
            .mentioning(&acid)
            .map(|note| note.name.as_str())
            .collect();
        assert_eq!(mentioning, ["a.md", "round/b.md", "round/c.md"]);
        assert_eq!(notes.answered_in(&acid), ["a.md"]);
        assert_eq!(notes.answered_in(&Key::new("BE", 40)), ["round/b.md"]);
        let siblings: Vec<(String, Vec<String>)> = notes
            .siblings_of("round/c.md")
            .into_iter()
            .map(|sibling| {
                let keys = sibling.keys.iter().map(Key::to_string).collect();
                (sibling.name, keys)
            })
            .collect();
        assert_eq!(
            siblings,
            [(
                "b.md".to_string(),
                vec!["BE-23".to_string(), "BE-40".to_string()]
            )]
        );
        notes.insert(summarize_note(
            &seed_index(),
            &Overrides::default(),
            &mut ScaffoldingCache::default(),
            "a.md",
            "nothing\n",
        ));
        assert!(notes.answered_in(&acid).is_empty());
        notes.remove("round/b.md");
        assert_eq!(notes.mentioning(&acid).count(), 1);
        assert!(!notes.is_answered(&Key::new("BE", 40)));
        assert_eq!(notes.len(), 3);
    }
}

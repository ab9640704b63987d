//! The workspace's notes as features see them: for each note (named by its
//! path relative to the workspace root, `/`-separated) the keys it writes
//! and its question sections with whether each is answered, plus two
//! aggregates kept up to date on every insert and removal — which notes
//! mention a key, and which answer it — so references, answered tracking,
//! code lens and `asked-before` never scan every note. Building a summary
//! is pure: the caller reads the files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::core::check::SiblingNote;
use crate::core::index::Index;
use crate::core::key::{Key, KeyMatch};
use crate::core::line_index::LineIndex;
use crate::core::note::{Note, is_answered, parse_note};
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
    /// The text, so the front end can turn byte ranges into positions.
    pub text: String,
    pub lines: LineIndex,
    /// Keys written as whole words outside code, headings' keys included.
    pub keys: Vec<KeyMatch>,
    pub sections: Vec<SectionSummary>,
}

impl NoteSummary {
    /// The folder part of the name, with its trailing `/` (empty at the root).
    pub fn folder(&self) -> &str {
        folder_of(&self.name)
    }
}

/// The folder part of a note's name, with its trailing `/` (empty at the
/// root).
pub fn folder_of(name: &str) -> &str {
    name.rfind('/').map_or("", |slash| &name[..=slash])
}

pub use crate::core::template::ScaffoldingCache;

/// Summarizes a note's text. A section whose key names no question counts
/// as answered when its body holds any text at all.
pub fn summarize_note(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    name: &str,
    text: String,
) -> NoteSummary {
    let note = parse_note(&text);
    let lines = LineIndex::new(&text);
    summarize_parsed(index, overrides, cache, name, (text, lines), &note)
}

/// Summarizes a note already parsed (an editor's buffer), given its text
/// and that text's line index.
pub fn summarize_parsed(
    index: &Index,
    overrides: &Overrides,
    cache: &mut ScaffoldingCache,
    name: &str,
    (text, lines): (String, LineIndex),
    note: &Note,
) -> NoteSummary {
    let sections = section_summaries(index, overrides, cache, &text, note);
    NoteSummary {
        name: name.to_string(),
        lines,
        keys: note.keys.clone(),
        sections,
        text,
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
            let key = heading.key.as_ref()?.key.clone();
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

/// Every indexed note, by name, with the aggregates features ask for.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    notes: BTreeMap<String, Arc<NoteSummary>>,
    /// For each key, the notes that write it.
    mentioned_in: HashMap<Key, BTreeSet<String>>,
    /// For each key, the notes with an answered section for it.
    answered_in: HashMap<Key, BTreeSet<String>>,
    /// For each key, the notes whose answer to it is scheduled for review.
    scheduled_in: HashMap<Key, BTreeSet<String>>,
}

impl Notes {
    pub fn len(&self) -> usize {
        self.notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<NoteSummary>> {
        self.notes.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.notes.contains_key(name)
    }

    /// Notes in name order.
    pub fn iter(&self) -> impl Iterator<Item = &NoteSummary> {
        self.notes.values().map(Arc::as_ref)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.notes.keys().map(String::as_str)
    }

    /// Adds a note, replacing the one of the same name.
    pub fn insert(&mut self, summary: NoteSummary) {
        let name = summary.name.clone();
        self.remove(&name);
        for found in &summary.keys {
            self.mentioned_in
                .entry(found.key.clone())
                .or_default()
                .insert(name.clone());
        }
        for section in summary.sections.iter().filter(|section| section.answered) {
            self.answered_in
                .entry(section.key.clone())
                .or_default()
                .insert(name.clone());
            if section.review.marker().is_some() {
                self.scheduled_in
                    .entry(section.key.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
        self.notes.insert(name, Arc::new(summary));
    }

    pub fn remove(&mut self, name: &str) -> Option<Arc<NoteSummary>> {
        let old = self.notes.remove(name)?;
        for found in &old.keys {
            forget(&mut self.mentioned_in, &found.key, name);
        }
        for section in &old.sections {
            forget(&mut self.answered_in, &section.key, name);
            forget(&mut self.scheduled_in, &section.key, name);
        }
        Some(old)
    }

    /// The notes that write `key`, in name order.
    pub fn mentioning<'a>(&'a self, key: &Key) -> impl Iterator<Item = &'a NoteSummary> + 'a {
        self.mentioned_in
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|name| self.notes.get(name).map(Arc::as_ref))
    }

    /// The names of the notes that answer `key`, in name order.
    pub fn answered_in(&self, key: &Key) -> Vec<&str> {
        self.answered_in
            .get(key)
            .map(|names| names.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn is_answered(&self, key: &Key) -> bool {
        self.answered_in
            .get(key)
            .is_some_and(|names| !names.is_empty())
    }

    /// Whether some note's answer to `key` is due for review on `today`.
    pub fn is_due(&self, key: &Key, today: NaiveDate) -> bool {
        self.scheduled_in
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|name| self.notes.get(name))
            .flat_map(|note| &note.sections)
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
            .take_while(move |(name, _)| name.starts_with(folder))
            .map(|(_, summary)| summary.as_ref())
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
                keys: other
                    .sections
                    .iter()
                    .map(|section| section.key.clone())
                    .collect(),
            })
            .collect()
    }
}

fn forget(map: &mut HashMap<Key, BTreeSet<String>>, key: &Key, name: &str) {
    if let Some(names) = map.get_mut(key) {
        names.remove(name);
        if names.is_empty() {
            map.remove(key);
        }
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
                text.to_string(),
            ));
        }
        notes
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
            "nothing\n".to_string(),
        ));
        assert!(notes.answered_in(&acid).is_empty());
        notes.remove("round/b.md");
        assert_eq!(notes.mentioning(&acid).count(), 1);
        assert!(!notes.is_answered(&Key::new("BE", 40)));
        assert_eq!(notes.len(), 3);
    }
}

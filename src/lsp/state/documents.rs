//! The open documents: each one's rope and edit log, the last parse (perhaps
//! of an earlier version, which the next parse starts from), its path and,
//! for a bank file, the root and name it has there. Generations come from
//! one counter for all documents, so a task started for a document closed
//! and opened again is never taken for current. What a change makes stale
//! waits in a graveyard for a caller that parses anyway to free it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::core::changes::Edit;
use crate::core::line_index::LineIndex;
use crate::core::note::{Note, parse_note, reparse_note};
use crate::lsp::document::{Document, Encoding, PositionError, shared_text};

/// A bank file open in the editor: the root holding it and its name there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankName {
    pub root: usize,
    pub name: String,
}

/// An open document and what is cached for it.
#[derive(Debug)]
struct OpenDocument {
    document: Document,
    /// Canonical, for a `file:` URI.
    path: Option<PathBuf>,
    bank: Option<BankName>,
    /// The last parse, perhaps of an earlier version.
    cache: Option<Arc<Parsed>>,
    /// New on every open and change; a pending task for another
    /// generation gives up.
    generation: u64,
}

/// A document's text and parse, for one version.
#[derive(Debug)]
pub struct Parsed {
    pub version: i32,
    /// Shared with the bank built from this version, for a bank file.
    pub text: Arc<str>,
    pub note: Note,
    /// Built on first use: diagnostics and the notes index need it, most
    /// requests do not.
    lines: OnceLock<LineIndex>,
}

impl Parsed {
    pub fn new(version: i32, text: Arc<str>, note: Note) -> Parsed {
        Parsed {
            version,
            text,
            note,
            lines: OnceLock::new(),
        }
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// What a snapshot takes of one document under the lock: all cheap clones.
/// `parsed` may be of an earlier version; then `reparse` says how to catch up.
#[derive(Debug)]
pub struct DocumentView {
    pub rope: Rope,
    pub version: i32,
    pub path: Option<PathBuf>,
    pub bank: Option<BankName>,
    pub parsed: Arc<Parsed>,
    pub reparse: Option<Reparse>,
}

/// What a parse of an earlier version needs to catch up: the edits since
/// that version, when all are known (else the whole text is parsed).
#[derive(Debug)]
pub struct Reparse {
    edits: Option<Vec<Edit>>,
}

impl Reparse {
    /// Parses the current text outside the lock: only around the edits
    /// made since `previous` when they are known, else in full. `same_text`
    /// is a copy of the rope's text the caller already holds (a bank's, as
    /// indexed): the parse then shares it.
    pub fn parse(
        self,
        rope: &Rope,
        version: i32,
        previous: &Parsed,
        same_text: Option<Arc<str>>,
    ) -> Arc<Parsed> {
        let text = same_text.unwrap_or_else(|| shared_text(rope));
        let note = match self.edits {
            Some(edits) => reparse_note(&previous.text, &previous.note, &text, &edits),
            None => parse_note(&text),
        };
        Arc::new(Parsed::new(version, text, note))
    }
}

/// What a change did, for the caller to schedule the follow-up work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Note,
    /// A bank file of this root changed: its live index is rebuilt.
    Bank(usize),
}

/// Why a change was not applied.
#[derive(Debug)]
pub enum Refused {
    NotOpen,
    OldVersion { current: i32 },
}

/// Parses that changes made stale, freed later, off the lock and off the
/// keystroke's path: freeing a long note's parse takes milliseconds.
pub type Garbage = Vec<Arc<Parsed>>;

#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, OpenDocument>,
    /// The last generation handed out.
    generations: u64,
    graveyard: Garbage,
}

impl Documents {
    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    pub fn open(
        &mut self,
        uri: Uri,
        path: Option<PathBuf>,
        bank: Option<BankName>,
        text: &str,
        version: i32,
    ) {
        let generation = self.next_generation();
        let document = OpenDocument {
            document: Document::new(text, version),
            path,
            bank,
            cache: None,
            generation,
        };
        self.open.insert(uri, document);
    }

    /// Applies a `didChange`'s edits in order, logging each one clamped by
    /// `on_clamped`. Nothing is parsed or freed here: a keystroke pays only
    /// for the rope.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
        mut on_clamped: impl FnMut(PositionError),
    ) -> Result<Changed, Refused> {
        let generation = self.next_generation();
        let open = self.open.get_mut(uri).ok_or(Refused::NotOpen)?;
        if version <= open.document.version {
            return Err(Refused::OldVersion {
                current: open.document.version,
            });
        }
        for change in changes {
            if let Err(error) = open.document.apply(change, encoding) {
                on_clamped(error);
            }
        }
        open.document.version = version;
        open.generation = generation;
        Ok(match &open.bank {
            Some(bank) => Changed::Bank(bank.root),
            None => Changed::Note,
        })
    }

    /// Closes a document; returns its path and bank binding.
    pub fn close(&mut self, uri: &Uri) -> Option<(Option<PathBuf>, Option<BankName>)> {
        let closed = self.open.remove(uri)?;
        self.graveyard.extend(closed.cache);
        Some((closed.path, closed.bank))
    }

    pub fn generation(&self, uri: &Uri) -> Option<u64> {
        self.open.get(uri).map(|open| open.generation)
    }

    pub fn is_current(&self, uri: &Uri, generation: u64) -> bool {
        self.generation(uri) == Some(generation)
    }

    /// The open documents' URIs, in order.
    pub fn uris_in_order(&self) -> Vec<Uri> {
        let mut uris: Vec<Uri> = self.open.keys().cloned().collect();
        uris.sort();
        uris
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.open.values().filter_map(|open| open.path.as_deref())
    }

    pub fn is_open_path(&self, path: &Path) -> bool {
        self.paths().any(|open| open == path)
    }

    /// A document's version and text, for the custom requests.
    pub fn rope(&self, uri: &Uri) -> Option<(i32, &Rope)> {
        let open = self.open.get(uri)?;
        Some((open.document.version, &open.document.rope))
    }

    /// The documents of the banks open in a root, by bank name.
    pub fn bank_documents(&self, root: usize) -> Vec<(String, Uri)> {
        self.open
            .iter()
            .filter_map(|(uri, open)| match &open.bank {
                Some(bank) if bank.root == root => Some((bank.name.clone(), uri.clone())),
                _ => None,
            })
            .collect()
    }

    /// The root whose bank the document is, for an open bank.
    pub fn bank_root(&self, uri: &Uri) -> Option<usize> {
        self.open.get(uri)?.bank.as_ref().map(|bank| bank.root)
    }

    pub fn has_open_bank(&self, root: usize) -> bool {
        self.open
            .values()
            .any(|open| open.bank.as_ref().is_some_and(|bank| bank.root == root))
    }

    /// Binds every document to its bank again after the roots changed.
    pub fn rebind_banks(&mut self, bank_of: impl Fn(&Path) -> Option<BankName>) {
        for open in self.open.values_mut() {
            open.bank = open.path.as_deref().and_then(&bank_of);
        }
    }

    /// The parts of a snapshot that need the lock.
    pub fn view(&self, uri: &Uri) -> Option<DocumentView> {
        let open = self.open.get(uri)?;
        let version = open.document.version;
        // A stale parse stands in until the caller parses from it; with
        // none, an empty one, and the caller parses the whole text.
        let (parsed, reparse) = match &open.cache {
            Some(parsed) => (
                parsed.clone(),
                (parsed.version != version).then(|| Reparse {
                    edits: open.document.edits_after(parsed.version),
                }),
            ),
            None => (
                Arc::new(Parsed::new(version, Arc::from(""), Note::default())),
                Some(Reparse { edits: None }),
            ),
        };
        Some(DocumentView {
            rope: open.document.rope.clone(),
            version,
            path: open.path.clone(),
            bank: open.bank.clone(),
            parsed,
            reparse,
        })
    }

    /// Keeps a parse for the document's version, if it is still current
    /// and newer than the one cached. The one it replaces goes to the
    /// graveyard.
    pub fn store_parse(&mut self, uri: &Uri, parsed: Arc<Parsed>) {
        let Some(open) = self.open.get_mut(uri) else {
            return;
        };
        let newer = open
            .cache
            .as_ref()
            .is_none_or(|cached| cached.version < parsed.version);
        if open.document.version == parsed.version && newer {
            open.document.forget_edits_before(parsed.version);
            self.graveyard.extend(open.cache.replace(parsed));
        }
    }

    /// What changes made stale, for a caller about to do heavy work anyway
    /// to free off the lock.
    pub fn take_garbage(&mut self) -> Garbage {
        std::mem::take(&mut self.graveyard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any version a client picks, even the lowest, gets its text parsed;
    /// a document opened again never reuses a generation.
    #[test]
    fn a_new_document_is_always_parsed_and_generations_never_repeat() {
        let mut documents = Documents::default();
        let uri: Uri = "untitled:note.md".parse().unwrap();
        documents.open(uri.clone(), None, None, "## BE-23 · x\n", i32::MIN);
        let view = documents.view(&uri).unwrap();
        assert!(view.reparse.is_some_and(|reparse| reparse.edits.is_none()));
        assert_eq!(view.version, i32::MIN);
        let first = documents.generation(&uri).unwrap();
        let changed = documents.change(&uri, i32::MIN + 1, &[], Encoding::Utf16, |_| {});
        assert_eq!(changed.unwrap(), Changed::Note);
        documents.close(&uri);
        documents.open(uri.clone(), None, None, "", 1);
        assert!(documents.generation(&uri).unwrap() > first + 1);
    }

    #[test]
    fn an_old_version_is_refused_and_leaves_the_text() {
        let mut documents = Documents::default();
        let uri: Uri = "untitled:note.md".parse().unwrap();
        documents.open(uri.clone(), None, None, "abc", 3);
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "xyz".to_string(),
        };
        let refused = documents.change(&uri, 3, &[whole], Encoding::Utf16, |_| {});
        assert!(matches!(refused, Err(Refused::OldVersion { current: 3 })));
        assert_eq!(documents.rope(&uri).unwrap().1.to_string(), "abc");
    }
}

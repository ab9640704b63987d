//! Where results stand, as protocol locations: the document asked about
//! (its rope), another indexed note (its file under the workspace root,
//! positions through the note's line index, or through its file read again
//! when the index keeps no text for it), or a bank (its file, or the
//! built-in bank's cache copy). Each bank's URI and line index are worked
//! out once per workspace, on first use, in `BankFiles`.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::{Location, Range as LspRange, Uri};

use crate::core::builtin::BUILTIN_NAME;
use crate::core::ide::Place;
use crate::core::ide::notes::Notes;
use crate::core::line_index::LineIndex;
use crate::files::Reach;
use crate::lsp::cache::builtin_copy;
use crate::lsp::document::{self, Encoding};
use crate::lsp::log;
use crate::notes::read_note_text;
use crate::workspace::Workspace;

/// The files of a workspace's banks, in the index's order: each one's URI
/// and line index, made on first use and kept as long as the workspace.
#[derive(Debug)]
pub struct BankFiles {
    files: Vec<OnceLock<Option<BankFile>>>,
}

#[derive(Debug)]
struct BankFile {
    uri: Uri,
    lines: LineIndex,
}

impl BankFiles {
    pub fn new(workspace: &Workspace) -> BankFiles {
        let banks = workspace.index.banks().len();
        BankFiles {
            files: (0..banks).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The location of a byte range of the bank at `position` in
    /// `workspace`, the workspace these files were made for.
    pub fn location(
        &self,
        workspace: &Workspace,
        position: usize,
        range: Range<usize>,
        encoding: Encoding,
    ) -> Option<Location> {
        let bank = workspace.index.banks().get(position)?;
        let file = self.files.get(position)?.get_or_init(|| {
            let path = bank_file(workspace, &bank.name, &bank.text)?;
            Some(BankFile {
                uri: Uri::from_file_path(path)?,
                lines: LineIndex::new(&bank.text),
            })
        });
        let file = file.as_ref()?;
        Some(Location::new(
            file.uri.clone(),
            document::text_range(&bank.text, &file.lines, range, encoding),
        ))
    }

    /// `location` for the bank diagnostics name by its name.
    pub fn location_by_name(
        &self,
        workspace: &Workspace,
        name: &str,
        range: Range<usize>,
        encoding: Encoding,
    ) -> Option<Location> {
        let position = workspace
            .index
            .banks()
            .iter()
            .position(|bank| bank.name == name)?;
        self.location(workspace, position, range, encoding)
    }
}

/// Where a bank's text lives for an editor: its file, or the built-in
/// bank's cache copy.
fn bank_file(workspace: &Workspace, name: &str, text: &str) -> Option<PathBuf> {
    if name == BUILTIN_NAME {
        return builtin_copy(text)
            .map_err(|error| log(&format!("cannot write the built-in bank's copy: {error}")))
            .ok();
    }
    Some(workspace.root.join(name))
}

pub struct Places<'a> {
    here: Option<(&'a Uri, &'a Rope)>,
    workspace: &'a Workspace,
    banks: &'a BankFiles,
    notes: &'a Notes,
    encoding: Encoding,
    /// Notes that only mention keys keep no text (`NoteSummary::text_and_lines`):
    /// each is read from its file once per answer that points into it.
    read: Mutex<HashMap<String, Option<(String, LineIndex)>>>,
}

impl<'a> Places<'a> {
    /// A range of a note that keeps no text, read from its file (as the
    /// scan read it: no links followed). The file may have changed since
    /// it was indexed; its watcher re-indexes it, and the range is clamped.
    fn read_note_range(&self, name: &str, path: &Path, range: Range<usize>) -> Option<LspRange> {
        let mut read = self
            .read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let file = read.entry(name.to_string()).or_insert_with(|| {
            let text = read_note_text(path, Reach::NoLinks)
                .map_err(|problem| log(&problem.message))
                .ok()?;
            let lines = LineIndex::new(&text);
            Some((text, lines))
        });
        let (text, lines) = file.as_ref()?;
        Some(document::text_range(text, lines, range, self.encoding))
    }

    /// Places seen from a document: `here` is its URI and text.
    pub fn seen_from(self, uri: &'a Uri, rope: &'a Rope) -> Places<'a> {
        Places {
            here: Some((uri, rope)),
            ..self
        }
    }

    /// Places seen from no document in particular.
    pub fn for_workspace(
        workspace: &'a Workspace,
        banks: &'a BankFiles,
        notes: &'a Notes,
        encoding: Encoding,
    ) -> Places<'a> {
        Places {
            here: None,
            workspace,
            banks,
            notes,
            encoding,
            read: Mutex::default(),
        }
    }

    pub fn location(&self, place: &Place, range: Range<usize>) -> Option<Location> {
        let encoding = self.encoding;
        match place {
            Place::Here => {
                let (uri, rope) = self.here?;
                Some(Location::new(
                    uri.clone(),
                    document::range(rope, range, encoding),
                ))
            }
            Place::Note(name) => {
                let note = self.notes.get(name)?;
                let path = self.workspace.root.join(name);
                let uri = Uri::from_file_path(&path)?;
                let range = match note.text_and_lines() {
                    Some((text, lines)) => document::text_range(text, lines, range, encoding),
                    None => self.read_note_range(name, &path, range)?,
                };
                Some(Location::new(uri, range))
            }
            Place::Bank(position) => {
                self.banks
                    .location(self.workspace, *position, range, encoding)
            }
        }
    }
}

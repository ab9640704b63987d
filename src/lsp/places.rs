//! Where results stand, as protocol locations: the document asked about
//! (its rope), another indexed note (its file under the workspace root,
//! positions through the note's line index), or a bank (its file, or the
//! built-in bank's cache copy). Banks are resolved once per request.

use std::collections::HashMap;
use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{Location, Uri};

use crate::core::ide::Place;
use crate::core::ide::notes::Notes;
use crate::lsp::document::{self, Encoding};
use crate::lsp::server::bank_location;
use crate::lsp::state::Snapshot;
use crate::workspace::Workspace;

pub struct Places<'a> {
    here: Option<(&'a Uri, &'a Rope)>,
    workspace: &'a Workspace,
    notes: &'a Notes,
    encoding: Encoding,
    banks: HashMap<usize, Option<(Uri, Rope)>>,
}

impl<'a> Places<'a> {
    /// Places seen from a document.
    pub fn new(snapshot: &'a Snapshot) -> Places<'a> {
        Places {
            here: Some((&snapshot.uri, &snapshot.rope)),
            ..Places::for_workspace(&snapshot.workspace, &snapshot.notes, snapshot.encoding)
        }
    }

    /// Places seen from no document in particular.
    pub fn for_workspace(
        workspace: &'a Workspace,
        notes: &'a Notes,
        encoding: Encoding,
    ) -> Places<'a> {
        Places {
            here: None,
            workspace,
            notes,
            encoding,
            banks: HashMap::new(),
        }
    }

    pub fn location(&mut self, place: &Place, range: Range<usize>) -> Option<Location> {
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
                let uri = Uri::from_file_path(self.workspace.root.join(name))?;
                Some(Location::new(
                    uri,
                    document::text_range(&note.text, &note.lines, range, encoding),
                ))
            }
            Place::Bank(position) => {
                let workspace = self.workspace;
                let (uri, rope) = self
                    .banks
                    .entry(*position)
                    .or_insert_with(|| {
                        let bank = workspace.index.banks().get(*position)?;
                        bank_location(workspace, &bank.name)
                    })
                    .as_ref()?;
                Some(Location::new(
                    uri.clone(),
                    document::range(rope, range, encoding),
                ))
            }
        }
    }
}

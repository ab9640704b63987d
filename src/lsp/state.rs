//! The server's state behind one std mutex, never held across an `.await`:
//! the negotiated encoding and client abilities, the workspaces loaded from
//! disk (with editor settings applied key by key), the open documents, and
//! snapshots that requests read. A bank open in the editor is indexed from
//! its buffer: its workspace is rebuilt on the next snapshot after a change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::Uri;

use crate::core::config::Settings;
use crate::core::ide::{Context, Document as IdeDocument};
use crate::core::note::{Note, parse_note};
use crate::core::template::Mode;
use crate::lsp::document::{Document, Encoding};
use crate::lsp::log;
use crate::workspace::{LoadOptions, Workspace, display_path, load_workspace};

/// What the client said it can do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    pub snippets: bool,
    pub document_changes: bool,
}

/// One workspace root: as loaded from disk, and with open banks' buffers.
#[derive(Debug)]
struct Root {
    disk: Arc<Workspace>,
    live: Option<Arc<Workspace>>,
}

/// An open document and what is cached for its current version.
#[derive(Debug)]
pub struct OpenDocument {
    pub document: Document,
    pub path: Option<PathBuf>,
    /// The root holding it, and its name as a bank there, for a bank file.
    pub bank: Option<(usize, String)>,
    cache: Option<Arc<Parsed>>,
    /// Bumped on every change; a pending diagnostics run for an older
    /// generation gives up.
    pub generation: u64,
}

/// A document's text and parse, for one version.
#[derive(Debug)]
pub struct Parsed {
    pub version: i32,
    pub text: String,
    pub note: Note,
}

/// A consistent view of one document and its workspace for a request.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    pub parsed: Arc<Parsed>,
    pub workspace: Arc<Workspace>,
    pub path: Option<PathBuf>,
    pub is_bank: bool,
    pub encoding: Encoding,
    pub support: ClientSupport,
}

impl Snapshot {
    pub fn context(&self) -> Context<'_> {
        Context {
            index: &self.workspace.index,
            overrides: &self.workspace.overrides,
            mode: self.workspace.config.mode,
            packet_size: self.workspace.config.packet_size,
        }
    }

    pub fn document(&self) -> IdeDocument<'_> {
        IdeDocument {
            text: &self.parsed.text,
            note: &self.parsed.note,
        }
    }

    /// The position of this document's bank in the index, for a bank.
    pub fn bank_position(&self) -> Option<usize> {
        let path = self.path.as_ref()?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let name = display_path(&canonical, &self.workspace.root);
        self.workspace
            .index
            .banks()
            .iter()
            .position(|bank| bank.name == name)
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub initialized: bool,
    pub shut_down: bool,
    pub encoding: Option<Encoding>,
    pub support: ClientSupport,
    pub folders: Vec<PathBuf>,
    /// The editor's settings, applied over each root's `.qbank.toml`.
    pub settings: Settings,
    roots: Vec<Root>,
    /// For documents outside every root: the built-in bank.
    fallback: Option<Arc<Workspace>>,
    pub documents: HashMap<Uri, OpenDocument>,
}

impl State {
    pub fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    /// Loads every root from disk with the current settings.
    pub fn load_roots(&mut self) {
        self.roots = self
            .folders
            .iter()
            .map(|folder| Root {
                disk: Arc::new(load_root(folder, &self.settings)),
                live: None,
            })
            .collect();
        self.fallback = None;
        for open in self.documents.values_mut() {
            open.bank = open
                .path
                .as_ref()
                .and_then(|path| bank_of(&self.roots, path));
            open.cache = None;
        }
    }

    pub fn open(&mut self, uri: Uri, text: &str, version: i32) {
        let path = uri
            .to_file_path()
            .map(|path| std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned()));
        let bank = path.as_ref().and_then(|path| bank_of(&self.roots, path));
        if let Some((root, _)) = &bank {
            self.roots[*root].live = None;
        }
        self.documents.insert(
            uri,
            OpenDocument {
                document: Document::new(text, version),
                path,
                bank,
                cache: None,
                generation: 0,
            },
        );
    }

    /// Marks a document changed: its cache is dropped and, for a bank, its
    /// workspace is rebuilt on the next snapshot.
    pub fn changed(&mut self, uri: &Uri) {
        let Some(open) = self.documents.get_mut(uri) else {
            return;
        };
        open.cache = None;
        open.generation += 1;
        if let Some((root, _)) = &open.bank {
            self.roots[*root].live = None;
        }
    }

    pub fn close(&mut self, uri: &Uri) {
        if let Some(open) = self.documents.remove(uri) {
            if let Some((root, _)) = open.bank {
                self.roots[root].live = None;
            }
        }
    }

    /// The workspace for a path: the deepest root holding it, else the
    /// fallback with the built-in bank alone.
    fn root_for(&self, path: Option<&Path>) -> Option<usize> {
        let path = path?;
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, folder)| path.starts_with(folder))
            .max_by_key(|(_, folder)| folder.components().count())
            .map(|(position, _)| position)
    }

    fn workspace_for(&mut self, path: Option<&Path>) -> Arc<Workspace> {
        match self.root_for(path) {
            Some(root) => self.live_workspace(root),
            None => {
                let settings = &self.settings;
                self.fallback
                    .get_or_insert_with(|| Arc::new(Workspace::detached(settings)))
                    .clone()
            }
        }
    }

    /// The root's workspace with every open bank read from its buffer.
    fn live_workspace(&mut self, root: usize) -> Arc<Workspace> {
        if let Some(live) = &self.roots[root].live {
            return live.clone();
        }
        let buffers: Vec<(String, String)> = self
            .documents
            .values()
            .filter_map(|open| match &open.bank {
                Some((bank_root, name)) if *bank_root == root => {
                    Some((name.clone(), open.document.rope.to_string()))
                }
                _ => None,
            })
            .collect();
        let disk = &self.roots[root].disk;
        let live = if buffers.is_empty() {
            disk.clone()
        } else {
            Arc::new(disk.with_bank_texts(&buffers))
        };
        self.roots[root].live = Some(live.clone());
        live
    }

    /// The open documents' URIs, in order.
    pub fn documents_in_order(&self) -> Vec<Uri> {
        let mut uris: Vec<Uri> = self.documents.keys().cloned().collect();
        uris.sort();
        uris
    }

    /// The parts of a snapshot that need the lock; `parsed` may be missing.
    pub fn begin_snapshot(&mut self, uri: &Uri) -> Option<(Snapshot, bool)> {
        let path = self.documents.get(uri)?.path.clone();
        let workspace = self.workspace_for(path.as_deref());
        let encoding = self.encoding();
        let support = self.support;
        let open = self.documents.get(uri)?;
        let version = open.document.version;
        let rope = open.document.rope.clone();
        let (parsed, fresh) = match &open.cache {
            Some(parsed) if parsed.version == version => (parsed.clone(), true),
            _ => (
                Arc::new(Parsed {
                    version,
                    text: String::new(),
                    note: Note::default(),
                }),
                false,
            ),
        };
        Some((
            Snapshot {
                uri: uri.clone(),
                rope,
                version,
                parsed,
                workspace,
                path,
                is_bank: open.bank.is_some(),
                encoding,
                support,
            },
            fresh,
        ))
    }

    /// Keeps a parse for the document's version, if it is still current.
    pub fn store_parse(&mut self, uri: &Uri, parsed: Arc<Parsed>) {
        if let Some(open) = self.documents.get_mut(uri) {
            if open.document.version == parsed.version {
                open.cache = Some(parsed);
            }
        }
    }
}

/// Reads and parses a snapshot's text outside the lock.
pub fn parse_snapshot(rope: &Rope, version: i32) -> Arc<Parsed> {
    let text = rope.to_string();
    let note = parse_note(&text);
    Arc::new(Parsed {
        version,
        text,
        note,
    })
}

/// The root and bank name of a path that is one of a root's bank files.
fn bank_of(roots: &[Root], path: &Path) -> Option<(usize, String)> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    roots
        .iter()
        .position(|root| root.disk.bank_files.contains(&canonical))
        .map(|position| {
            let name = display_path(&canonical, &roots[position].disk.root);
            (position, name)
        })
}

/// Loads one root: `.qbank.toml`, then the editor's settings key by key.
/// What cannot be loaded (an invalid `.qbank.toml`, a missing bank) is
/// logged; the rest of the root is served.
pub fn load_root(folder: &Path, settings: &Settings) -> Workspace {
    let options = LoadOptions {
        settings: settings.clone(),
        ..LoadOptions::default()
    };
    let workspace = load_workspace(folder, &options);
    for problem in &workspace.problems {
        log(&problem.message);
    }
    workspace
}

/// Editor settings from `initializationOptions` or a configuration change:
/// the `qbank` section (or the object itself), read key by key. Keys qbank
/// does not know are skipped; a bad value is logged and skipped.
pub fn settings_from_json(value: &Value) -> Option<Settings> {
    let object = value.get("qbank").unwrap_or(value).as_object()?;
    let mut settings = Settings::default();
    for (key, value) in object {
        let problem = match key.as_str() {
            "builtin" => value
                .as_bool()
                .map(|builtin| settings.builtin = Some(builtin)),
            "banks" => serde_json::from_value::<Vec<String>>(value.clone())
                .ok()
                .map(|banks| settings.banks = Some(banks)),
            "mode" => value
                .as_str()
                .and_then(Mode::parse)
                .map(|mode| settings.mode = Some(mode)),
            "templates" => value
                .as_str()
                .map(|templates| settings.templates = Some(templates.to_string())),
            "packet_size" | "packetSize" => value
                .as_u64()
                .filter(|size| (1..=100).contains(size))
                .map(|size| settings.packet_size = Some(size as usize)),
            _ => Some(()),
        };
        if problem.is_none() {
            log(&format!(
                "setting qbank.{key} = {value} is not valid; ignored"
            ));
        }
    }
    Some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_read_key_by_key() {
        let settings = settings_from_json(&json!({
            "qbank": { "mode": "interview", "packetSize": 5, "path": "/bin/qbank", "builtin": "yes" }
        }))
        .unwrap();
        assert_eq!(settings.mode, Some(Mode::Interview));
        assert_eq!(settings.packet_size, Some(5));
        assert_eq!(settings.builtin, None);
        assert_eq!(settings_from_json(&json!(null)), None);
        let flat = settings_from_json(&json!({ "banks": ["team.md"] })).unwrap();
        assert_eq!(flat.banks, Some(vec!["team.md".to_string()]));
    }
}

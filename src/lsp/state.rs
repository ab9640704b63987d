//! The server's state behind one std mutex, never held across an `.await`:
//! the negotiated encoding and client abilities, the workspaces loaded from
//! disk (with editor settings applied key by key), each workspace's index
//! of notes, the open documents, and snapshots that requests read. A bank
//! open in the editor is indexed from its buffer: its workspace is rebuilt
//! on the next snapshot after a change. An open note is indexed from its
//! buffer too (after each diagnostics run); a scan never overwrites it, and
//! closing it falls back to the file on disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::Uri;

use crate::core::changes::Edit;
use crate::core::config::Settings;
use crate::core::config::{CONFIG_FILE, Config};
use crate::core::ide::notes::{NoteSummary, Notes};
use crate::core::ide::{Context, Document as IdeDocument};
use crate::core::line_index::LineIndex;
use crate::core::note::{Note, parse_note, reparse_note};
use crate::core::template::Mode;
use crate::lsp::document::{Document, Encoding};
use crate::lsp::log;
use crate::notes::note_name;
use crate::workspace::{LoadOptions, Workspace, display_path, load_workspace};

/// What the client said it can do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    pub snippets: bool,
    pub document_changes: bool,
    /// `window.workDoneProgress`: the server may create progress tokens.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`.
    pub watch_files: bool,
    /// `workspace.codeLens.refreshSupport` and `workspace.inlayHint.refreshSupport`.
    pub code_lens_refresh: bool,
    pub inlay_hint_refresh: bool,
}

/// One workspace root: as loaded from disk, with open banks' buffers, and
/// its notes as far as they are indexed.
#[derive(Debug)]
struct Root {
    disk: Arc<Workspace>,
    live: Option<Arc<Workspace>>,
    notes: Arc<Notes>,
    /// Bumped when a scan starts: batches of an older scan are dropped.
    scan: u64,
}

/// What a scan of one root needs, taken from the state when it starts.
#[derive(Debug, Clone)]
pub struct ScanTarget {
    pub root: usize,
    pub scan: u64,
    pub workspace: Arc<Workspace>,
}

/// An open document and what is cached for its current version.
#[derive(Debug)]
pub struct OpenDocument {
    pub document: Document,
    pub path: Option<PathBuf>,
    /// The root holding it, and its name as a bank there, for a bank file.
    pub bank: Option<(usize, String)>,
    /// The last parse, perhaps of an earlier version: the next parse
    /// starts from it.
    cache: Option<Arc<Parsed>>,
    /// New on every open and change (from one counter for all documents);
    /// a pending diagnostics run for another generation gives up.
    pub generation: u64,
}

/// A document's text and parse, for one version.
#[derive(Debug)]
pub struct Parsed {
    pub version: i32,
    pub text: String,
    pub note: Note,
    /// Built on first use: diagnostics and the notes index need it,
    /// most requests do not.
    lines: OnceLock<LineIndex>,
}

impl Parsed {
    pub fn new(version: i32, text: String, note: Note) -> Parsed {
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

/// A consistent view of one document and its workspace for a request.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    pub parsed: Arc<Parsed>,
    pub workspace: Arc<Workspace>,
    pub notes: Arc<Notes>,
    pub path: Option<PathBuf>,
    /// The root holding the document, and its name among the root's notes.
    pub root: Option<usize>,
    pub name: Option<String>,
    pub is_bank: bool,
    pub encoding: Encoding,
    pub support: ClientSupport,
}

impl Snapshot {
    pub fn context(&self) -> Context<'_> {
        Context {
            index: &self.workspace.index,
            notes: &self.notes,
            overrides: &self.workspace.overrides,
            mode: self.workspace.config.mode,
            packet_size: self.workspace.config.packet_size,
        }
    }

    pub fn document(&self) -> IdeDocument<'_> {
        IdeDocument {
            text: &self.parsed.text,
            note: &self.parsed.note,
            name: self.name.as_deref(),
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

/// What a change made stale, kept alive only to be dropped later, off the
/// lock and off the keystroke's path.
#[derive(Debug, Default)]
pub struct Stale {
    _parse: Option<Arc<Parsed>>,
    _workspace: Option<Arc<Workspace>>,
}

#[derive(Debug, Default)]
pub struct State {
    pub initialized: bool,
    pub shut_down: bool,
    pub encoding: Option<Encoding>,
    pub support: ClientSupport,
    pub folders: Vec<PathBuf>,
    /// The roots' banks are too large to load before answering `initialize`:
    /// they load in the background once the client is initialized.
    pub banks_pending: bool,
    /// The editor's settings, applied over each root's `.qbank.toml`.
    pub settings: Settings,
    roots: Vec<Root>,
    /// For documents outside every root: the built-in bank.
    fallback: Option<Arc<Workspace>>,
    pub documents: HashMap<Uri, OpenDocument>,
    /// Parses and workspaces that changes made stale, waiting to be freed.
    graveyard: Vec<Stale>,
    /// The last generation handed to a document.
    generations: u64,
    /// Files not open that carry a diagnostic of ours (an unreadable note,
    /// an invalid `.qbank.toml`), to clear once they read well again.
    pub flagged: HashSet<PathBuf>,
}

impl State {
    pub fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    /// Loads every root from disk with the current settings, under the
    /// lock. Indexed notes are kept; an invalid `.qbank.toml` keeps the
    /// configuration last read.
    pub fn load_roots(&mut self) {
        let loaded = self.load_plans().into_iter().map(LoadPlan::load).collect();
        self.install_roots(loaded);
    }

    /// What loading the roots needs, to do it without holding the lock.
    pub fn load_plans(&self) -> Vec<LoadPlan> {
        self.folders
            .iter()
            .enumerate()
            .map(|(position, folder)| LoadPlan {
                folder: folder.clone(),
                settings: self.settings.clone(),
                last_good: self
                    .roots
                    .get(position)
                    .filter(|root| root.disk.root == *folder)
                    .map(|root| root.disk.file_config.clone()),
            })
            .collect()
    }

    /// Bytes of banks the roots would load: small enough, and they load
    /// before `initialize` is answered.
    pub fn bank_bytes(&self) -> u64 {
        self.load_plans().iter().map(LoadPlan::bank_bytes).sum()
    }

    /// Serves each root from the built-in bank alone until its banks load.
    pub fn install_pending_roots(&mut self) {
        let pending = self
            .folders
            .iter()
            .map(|folder| Workspace {
                root: folder.clone(),
                ..Workspace::detached(&self.settings)
            })
            .collect();
        self.install_roots(pending);
    }

    /// Puts loaded workspaces in place of the roots', keeping indexed notes.
    pub fn install_roots(&mut self, loaded: Vec<Workspace>) {
        let mut previous = std::mem::take(&mut self.roots);
        self.roots = loaded
            .into_iter()
            .enumerate()
            .map(|(position, workspace)| {
                let kept = previous
                    .get_mut(position)
                    .filter(|root| root.disk.root == workspace.root);
                let (notes, scan) = kept.map_or((Arc::default(), 0), |root| {
                    (std::mem::take(&mut root.notes), root.scan)
                });
                Root {
                    disk: Arc::new(workspace),
                    live: None,
                    notes,
                    scan,
                }
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

    /// The indexes of every root, to warm their similarity analysis.
    pub fn root_indexes(&self) -> Vec<Arc<crate::core::index::Index>> {
        self.roots
            .iter()
            .map(|root| root.disk.index.clone())
            .collect()
    }

    /// A generation no document had: one counter for all, so a task of a
    /// document closed and opened again is never taken for current.
    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    pub fn open(&mut self, uri: Uri, text: &str, version: i32) {
        let path = uri
            .to_file_path()
            .map(|path| std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned()));
        let bank = path.as_ref().and_then(|path| bank_of(&self.roots, path));
        if let Some((root, _)) = &bank {
            self.roots[*root].live = None;
        }
        let generation = self.next_generation();
        self.documents.insert(
            uri,
            OpenDocument {
                document: Document::new(text, version),
                path,
                bank,
                cache: None,
                generation,
            },
        );
    }

    /// Marks a document changed: its parse goes stale (the next one starts
    /// from it) and, for a bank, its workspace is rebuilt on the next
    /// snapshot.
    ///
    /// What the change made stale is not freed here: freeing a bank's
    /// workspace takes milliseconds, which a keystroke must not pay. It
    /// waits in the graveyard for the next request that parses anyway
    /// (`take_garbage`).
    pub fn changed(&mut self, uri: &Uri) {
        let generation = self.next_generation();
        let Some(open) = self.documents.get_mut(uri) else {
            return;
        };
        open.generation = generation;
        let workspace = match &open.bank {
            Some((root, _)) => self.roots[*root].live.take(),
            None => None,
        };
        if workspace.is_some() {
            self.graveyard.push(Stale {
                _parse: None,
                _workspace: workspace,
            });
        }
    }

    /// What changes made stale, for a caller about to do heavy work anyway
    /// to free off the lock.
    pub fn take_garbage(&mut self) -> Vec<Stale> {
        std::mem::take(&mut self.graveyard)
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

    /// Reloads one root from disk (a bank, a template or `.qbank.toml`
    /// changed), keeping its notes.
    pub fn reload_root(&mut self, root: usize) {
        let Some(folder) = self.folders.get(root).cloned() else {
            return;
        };
        let last_good = self.roots[root].disk.file_config.clone();
        self.roots[root].disk = Arc::new(load_root(&folder, &self.settings, Some(last_good)));
        self.roots[root].live = None;
        let roots = &self.roots;
        for open in self.documents.values_mut() {
            open.bank = open.path.as_ref().and_then(|path| bank_of(roots, path));
            open.cache = None;
        }
    }

    /// The root holding a path, if any.
    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.root_for(Some(path))
    }

    pub fn root_workspace(&self, root: usize) -> Option<Arc<Workspace>> {
        self.roots.get(root).map(|root| root.disk.clone())
    }

    /// Starts a scan of every root: older scans' batches are dropped from now on.
    pub fn begin_scans(&mut self) -> Vec<ScanTarget> {
        self.roots
            .iter_mut()
            .enumerate()
            .map(|(position, root)| {
                root.scan += 1;
                ScanTarget {
                    root: position,
                    scan: root.scan,
                    workspace: root.disk.clone(),
                }
            })
            .collect()
    }

    pub fn is_current_scan(&self, target: &ScanTarget) -> bool {
        self.roots
            .get(target.root)
            .is_some_and(|root| root.scan == target.scan)
    }

    /// The names of the open documents of a root.
    fn open_names(&self, root: usize) -> HashSet<String> {
        let Some(folder) = self.folders.get(root) else {
            return HashSet::new();
        };
        self.documents
            .values()
            .filter_map(|open| open.path.as_ref())
            .filter(|path| self.root_for(Some(path)) == Some(root))
            .map(|path| note_name(folder, path))
            .collect()
    }

    /// Adds a scan's notes, unless the scan is stale; open documents keep
    /// what their buffers say.
    pub fn add_scanned(&mut self, target: &ScanTarget, notes: Vec<NoteSummary>) {
        if !self.is_current_scan(target) || notes.is_empty() {
            return;
        }
        let open = self.open_names(target.root);
        let indexed = Arc::make_mut(&mut self.roots[target.root].notes);
        for note in notes {
            if !open.contains(&note.name) {
                indexed.insert(note);
            }
        }
    }

    /// Ends a scan: notes it did not see (deleted meanwhile) are dropped,
    /// unless open in the editor.
    pub fn finish_scan(&mut self, target: &ScanTarget, seen: &HashSet<String>) {
        if !self.is_current_scan(target) {
            return;
        }
        let open = self.open_names(target.root);
        let stale: Vec<String> = self.roots[target.root]
            .notes
            .names()
            .filter(|name| !seen.contains(*name) && !open.contains(*name))
            .map(str::to_string)
            .collect();
        if stale.is_empty() {
            return;
        }
        let indexed = Arc::make_mut(&mut self.roots[target.root].notes);
        for name in stale {
            indexed.remove(&name);
        }
    }

    /// Puts one note into its root's index (a buffer, or a file re-read).
    pub fn set_note(&mut self, root: usize, note: NoteSummary) {
        if let Some(root) = self.roots.get_mut(root) {
            Arc::make_mut(&mut root.notes).insert(note);
        }
    }

    pub fn remove_note(&mut self, root: usize, name: &str) {
        if let Some(root) = self.roots.get_mut(root) {
            if root.notes.contains(name) {
                Arc::make_mut(&mut root.notes).remove(name);
            }
        }
    }

    /// Whether a path is open in the editor.
    pub fn is_open_path(&self, path: &Path) -> bool {
        self.documents
            .values()
            .any(|open| open.path.as_deref() == Some(path))
    }

    /// Every root's live workspace and notes, for workspace-wide requests;
    /// the built-in bank alone when there is no root.
    pub fn all_workspaces(&mut self) -> Vec<(Arc<Workspace>, Arc<Notes>)> {
        if self.roots.is_empty() {
            return vec![(self.workspace_for(None), Arc::default())];
        }
        (0..self.roots.len())
            .map(|root| (self.live_workspace(root), self.roots[root].notes.clone()))
            .collect()
    }

    /// The open documents' URIs, in order.
    pub fn documents_in_order(&self) -> Vec<Uri> {
        let mut uris: Vec<Uri> = self.documents.keys().cloned().collect();
        uris.sort();
        uris
    }

    /// The parts of a snapshot that need the lock. `parsed` may be of an
    /// earlier version: then the edits since it come along (`None` when
    /// they are not all known) for the caller to parse again.
    pub fn begin_snapshot(&mut self, uri: &Uri) -> Option<(Snapshot, Option<Reparse>)> {
        let path = self.documents.get(uri)?.path.clone();
        let workspace = self.workspace_for(path.as_deref());
        let root = self.root_for(path.as_deref());
        let (notes, name) = match (root, &path) {
            (Some(root), Some(path)) => (
                self.roots[root].notes.clone(),
                Some(note_name(&self.folders[root], path)),
            ),
            _ => (Arc::default(), None),
        };
        let encoding = self.encoding();
        let support = self.support;
        let open = self.documents.get(uri)?;
        let version = open.document.version;
        let rope = open.document.rope.clone();
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
                Arc::new(Parsed::new(version, String::new(), Note::default())),
                Some(Reparse { edits: None }),
            ),
        };
        Some((
            Snapshot {
                uri: uri.clone(),
                rope,
                version,
                parsed,
                workspace,
                notes,
                path,
                root,
                name,
                is_bank: open.bank.is_some(),
                encoding,
                support,
            },
            reparse,
        ))
    }

    /// Keeps a parse for the document's version, if it is still current.
    /// The parse it replaces goes to the graveyard: freeing a long note's
    /// parse takes milliseconds, and frees on another thread slow the
    /// keystrokes typed meanwhile.
    pub fn store_parse(&mut self, uri: &Uri, parsed: Arc<Parsed>) {
        let Some(open) = self.documents.get_mut(uri) else {
            return;
        };
        let newer = open
            .cache
            .as_ref()
            .is_none_or(|cached| cached.version < parsed.version);
        if open.document.version == parsed.version && newer {
            open.document.forget_edits_before(parsed.version);
            let replaced = open.cache.replace(parsed);
            self.graveyard.push(Stale {
                _parse: replaced,
                _workspace: None,
            });
        }
    }
}

/// What a snapshot whose parse is of an earlier version needs to parse
/// again: the edits since that version, when all are known.
#[derive(Debug)]
pub struct Reparse {
    pub edits: Option<Vec<Edit>>,
}

/// Reads and parses a snapshot's text outside the lock: only around the
/// edits made since `previous` (an earlier version's parse) when they are
/// known, else in full.
pub fn parse_snapshot(
    rope: &Rope,
    version: i32,
    previous: &Parsed,
    reparse: Reparse,
) -> Arc<Parsed> {
    let text = rope.to_string();
    let note = match reparse.edits {
        Some(edits) => reparse_note(&previous.text, &previous.note, &text, &edits),
        None => parse_note(&text),
    };
    Arc::new(Parsed::new(version, text, note))
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

/// One root to load: its folder, the settings, and the configuration it
/// last read successfully.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    folder: PathBuf,
    settings: Settings,
    last_good: Option<Config>,
}

impl LoadPlan {
    pub fn load(self) -> Workspace {
        load_root(&self.folder, &self.settings, self.last_good)
    }

    fn bank_bytes(&self) -> u64 {
        let options = LoadOptions {
            settings: self.settings.clone(),
            fallback_config: self.last_good.clone(),
            ..LoadOptions::default()
        };
        crate::workspace::bank_bytes(&self.folder, &options)
    }
}

/// Loads one root: `.qbank.toml`, then the editor's settings key by key.
/// What cannot be loaded (an invalid `.qbank.toml`, a missing bank) is
/// logged; the rest of the root is served, with the last good
/// configuration when `.qbank.toml` turned invalid.
pub fn load_root(folder: &Path, settings: &Settings, last_good: Option<Config>) -> Workspace {
    let options = LoadOptions {
        settings: settings.clone(),
        fallback_config: last_good,
        ..LoadOptions::default()
    };
    let workspace = load_workspace(folder, &options);
    for problem in &workspace.problems {
        let kept = problem
            .path
            .file_name()
            .is_some_and(|name| name == CONFIG_FILE)
            && options.fallback_config.is_some();
        if kept {
            log(&format!(
                "{}; the last valid configuration stays in use",
                problem.message
            ));
        } else {
            log(&problem.message);
        }
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

    /// Any version a client picks, even the lowest, gets its text parsed;
    /// a document opened again never reuses a generation.
    #[test]
    fn a_new_document_is_always_parsed_and_generations_never_repeat() {
        let mut state = State::default();
        let uri: Uri = "untitled:note.md".parse().unwrap();
        state.open(uri.clone(), "## BE-23 · x\n", i32::MIN);
        let (snapshot, reparse) = state.begin_snapshot(&uri).unwrap();
        assert!(reparse.is_some_and(|reparse| reparse.edits.is_none()));
        assert_eq!(snapshot.version, i32::MIN);
        let first = state.documents[&uri].generation;
        state.changed(&uri);
        state.close(&uri);
        state.open(uri.clone(), "", 1);
        state.changed(&uri);
        assert!(state.documents[&uri].generation > first + 1);
    }
}

//! The server's state behind one std mutex, never held across an `.await`
//! and never while reading the disk, parsing or indexing: the negotiated
//! encoding and client abilities, the editor's settings, the roots
//! (`roots`) and the open documents (`documents`). Work that needs more
//! than a few clones is planned here, done by the caller off the lock, and
//! installed here. A snapshot is the cheap, consistent view of one
//! document and its workspace that requests read.

mod documents;
mod roots;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::core::config::Settings;
use crate::core::ide::notes::{NoteSummary, Notes};
use crate::core::ide::{Context, Document as IdeDocument};
use crate::lsp::document::{Encoding, PositionError};
use crate::lsp::places::{BankFiles, Places};
use crate::notes::note_name;
use crate::workspace::Workspace;

pub use documents::{Changed, DocumentView, Garbage, Parsed, Refused};
pub use roots::{LivePlan, LoadBatch, LoadPlan, ScanTarget, Served};

/// Every root's workspace and notes, for workspace-wide requests.
pub type Workspaces = Vec<(Served, Arc<Notes>)>;

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

/// What `initialize` learnt from the client.
#[derive(Debug, Clone)]
pub struct Client {
    pub encoding: Encoding,
    pub support: ClientSupport,
    pub folders: Vec<PathBuf>,
    pub settings: Option<Settings>,
}

#[derive(Debug)]
pub struct State {
    shut_down: bool,
    encoding: Encoding,
    support: ClientSupport,
    /// The editor's settings, applied over each root's `.qbank.toml`.
    settings: Settings,
    /// The roots' banks are too large to load before answering `initialize`:
    /// they load in the background once the client is initialized.
    banks_pending: bool,
    /// Whether a near-duplicate analysis runs, and whether another was
    /// asked for meanwhile.
    analysis: Analysis,
    roots: roots::Roots,
    documents: documents::Documents,
    /// Files not open that carry a diagnostic of ours (an unreadable note,
    /// an invalid `.qbank.toml`), to clear once they read well again.
    flagged: HashSet<PathBuf>,
    /// Files carrying a diagnostic about their load (`problems.rs`).
    load_flagged: HashSet<PathBuf>,
}

impl Default for State {
    fn default() -> State {
        State {
            shut_down: false,
            encoding: Encoding::Utf16,
            support: ClientSupport::default(),
            settings: Settings::default(),
            banks_pending: false,
            analysis: Analysis::Idle,
            roots: roots::Roots::default(),
            documents: documents::Documents::default(),
            flagged: HashSet::new(),
            load_flagged: HashSet::new(),
        }
    }
}

/// Where the near-duplicate analysis of the served indexes stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Analysis {
    Idle,
    Running,
    /// Running, and asked for again since it started: an index it does
    /// not see may have been installed.
    RunAgain,
}

/// A consistent view of one document and its workspace for a request.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    pub parsed: Arc<Parsed>,
    pub workspace: Arc<Workspace>,
    pub banks: Arc<BankFiles>,
    pub notes: Arc<Notes>,
    pub path: Option<PathBuf>,
    /// The root holding the document, and its name among the root's notes.
    pub root: Option<usize>,
    pub name: Option<String>,
    /// Its name as a bank, for a bank file.
    pub bank: Option<String>,
    pub encoding: Encoding,
    pub support: ClientSupport,
}

impl Snapshot {
    pub fn context(&self) -> Context<'_> {
        Context::new(
            &self.workspace.index,
            &self.notes,
            &self.workspace.overrides,
            &self.workspace.config,
            crate::clock::today_or_clock(crate::lsp::log),
        )
    }

    pub fn document(&self) -> IdeDocument<'_> {
        IdeDocument {
            text: &self.parsed.text,
            note: &self.parsed.note,
            name: self.name.as_deref(),
        }
    }

    /// Where results stand, seen from this document.
    pub fn places(&self) -> Places<'_> {
        Places::for_workspace(&self.workspace, &self.banks, &self.notes, self.encoding)
            .seen_from(&self.uri, &self.rope)
    }

    pub fn is_bank(&self) -> bool {
        self.bank.is_some()
    }

    /// The text the served index holds of this document's bank, for a bank.
    pub fn indexed_bank_text(&self) -> Option<Arc<str>> {
        let position = self.bank_position()?;
        Some(self.workspace.index.banks()[position].text.clone())
    }

    /// The position of this document's bank in the index, for a bank.
    pub fn bank_position(&self) -> Option<usize> {
        let name = self.bank.as_deref()?;
        self.workspace
            .index
            .banks()
            .iter()
            .position(|bank| bank.name == name)
    }
}

/// A snapshot whose parse may be of an earlier version, and how to catch up.
#[derive(Debug)]
pub struct PendingSnapshot {
    pub snapshot: Snapshot,
    pub reparse: Option<documents::Reparse>,
}

impl State {
    /// Takes what `initialize` learnt; every root serves `pending` until
    /// its banks load.
    pub fn initialize(&mut self, client: Client, pending: impl Fn(&Settings, &Path) -> Workspace) {
        self.encoding = client.encoding;
        self.support = client.support;
        if let Some(settings) = client.settings {
            self.settings = settings;
        }
        let settings = &self.settings;
        let fallback = pending(settings, Path::new(""));
        self.roots
            .set_folders(client.folders, |folder| pending(settings, folder), fallback);
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn support(&self) -> ClientSupport {
        self.support
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    pub fn shut_down(&mut self) {
        self.shut_down = true;
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    pub fn set_banks_pending(&mut self) {
        self.banks_pending = true;
    }

    pub fn banks_pending(&self) -> bool {
        self.banks_pending
    }

    /// Whether the banks still wait for their first load, once.
    pub fn take_banks_pending(&mut self) -> bool {
        std::mem::take(&mut self.banks_pending)
    }

    /// Asks for a near-duplicate analysis; true when the caller is to run
    /// it, false when one runs already (it then runs once more).
    pub fn begin_analysis(&mut self) -> bool {
        let idle = self.analysis == Analysis::Idle;
        self.analysis = if idle {
            Analysis::Running
        } else {
            Analysis::RunAgain
        };
        idle
    }

    /// Ends an analysis run; true when another was asked for meanwhile,
    /// which the caller then runs.
    pub fn end_analysis(&mut self) -> bool {
        let again = self.analysis == Analysis::RunAgain;
        self.analysis = if again {
            Analysis::Running
        } else {
            Analysis::Idle
        };
        again
    }

    pub fn folder_count(&self) -> usize {
        self.roots.folder_count()
    }

    // Loading roots.

    pub fn plan_loads(&mut self, which: Option<usize>, barrier: bool) -> LoadBatch {
        self.roots.plan_loads(which, &self.settings, barrier)
    }

    pub fn last_ticket(&self) -> u64 {
        self.roots.last_ticket()
    }

    pub fn loading_up_to(&self, ticket: u64) -> bool {
        self.roots.loading_up_to(ticket)
    }

    /// Serves a preview of a root's load until the load is installed
    /// (`Roots::install_preview`); returns what it replaced.
    pub fn install_preview(
        &mut self,
        ticket: u64,
        root: usize,
        workspace: Workspace,
    ) -> Option<Served> {
        self.roots.install_preview(ticket, root, workspace)
    }

    /// Installs loaded roots and binds open documents to their banks again.
    /// Returns what was replaced, to free off the lock, and the roots whose
    /// live rebuild task (for their open banks) the caller must start.
    pub fn install_loaded(
        &mut self,
        ticket: u64,
        loaded: Vec<(usize, Workspace)>,
        fallback: Option<Workspace>,
    ) -> (Vec<Served>, Vec<usize>) {
        let (replaced, changed) = self.roots.install_loaded(ticket, loaded, fallback);
        let roots = &self.roots;
        self.documents.rebind_banks(|path| roots.bank_of(path));
        let with_open_banks: Vec<usize> = changed
            .into_iter()
            .filter(|&root| self.documents.has_open_bank(root))
            .collect();
        let start = self.roots.finish_load(ticket, &with_open_banks);
        (replaced, start)
    }

    pub fn bank_changed(&mut self, root: usize, barrier: bool) -> bool {
        self.roots.bank_changed(root, barrier)
    }

    pub fn bank_changed_at(&self, root: usize) -> Option<std::time::Instant> {
        self.roots.bank_changed_at(root)
    }

    pub fn plan_live(&mut self, root: usize) -> Option<LivePlan> {
        let banks = self.documents.bank_documents(root);
        self.roots.plan_live(root, banks)
    }

    pub fn install_live(
        &mut self,
        plan: &LivePlan,
        rebuilt: Option<Workspace>,
    ) -> (Option<Served>, bool) {
        self.roots.install_live(plan, rebuilt)
    }

    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.roots.root_of(path)
    }

    /// The workspace a root serves now.
    pub fn root_workspace(&self, root: usize) -> Option<Arc<Workspace>> {
        self.roots.served(Some(root)).map(|served| served.workspace)
    }

    pub fn all_workspaces(&self) -> Workspaces {
        self.roots.all()
    }

    /// Whether notes are being indexed, and how many are so far.
    pub fn indexing(&self) -> (bool, usize) {
        (self.roots.is_scanning(), self.roots.note_count())
    }

    pub fn root_indexes(&self) -> Vec<Arc<crate::core::index::Index>> {
        self.roots.indexes()
    }

    // Notes.

    /// The names of the open documents of a root.
    fn open_names(&self, root: usize) -> HashSet<String> {
        let Some(folder) = self.roots.folder(root) else {
            return HashSet::new();
        };
        self.documents
            .paths()
            .filter(|path| self.roots.root_of(path) == Some(root))
            .map(|path| note_name(folder, path))
            .collect()
    }

    pub fn begin_scans(&mut self) -> Vec<ScanTarget> {
        self.roots.begin_scans()
    }

    pub fn is_current_scan(&self, target: &ScanTarget) -> bool {
        self.roots.is_current_scan(target)
    }

    pub fn add_scanned(&mut self, target: &ScanTarget, notes: Vec<NoteSummary>) {
        let open = self.open_names(target.root);
        self.roots.add_scanned(target, notes, &open);
    }

    /// Puts in what the scan read and is still waiting, as a batch would;
    /// true while some is left.
    pub fn insert_scanned(&mut self, target: &ScanTarget) -> bool {
        self.add_scanned(target, Vec::new());
        self.roots.has_scanned_waiting(target)
    }

    pub fn finish_scan(&mut self, target: &ScanTarget, unseen: &HashSet<String>) {
        let open = self.open_names(target.root);
        self.roots.finish_scan(target, unseen, &open);
    }

    /// The names of a root's indexed notes (see `Roots::note_names`).
    pub fn note_names(&self, root: usize) -> HashSet<String> {
        self.roots.note_names(root)
    }

    pub fn set_note(&mut self, root: usize, note: NoteSummary) {
        self.roots.set_note(root, note);
    }

    pub fn remove_note(&mut self, root: usize, name: &str) {
        self.roots.remove_note(root, name);
    }

    pub fn flag(&mut self, path: PathBuf) {
        self.flagged.insert(path);
    }

    /// The files whose load problems are published now; returns those
    /// that carried one before and no longer do.
    pub fn replace_load_flags(&mut self, paths: HashSet<PathBuf>) -> Vec<PathBuf> {
        let previous = std::mem::replace(&mut self.load_flagged, paths);
        previous
            .into_iter()
            .filter(|path| !self.load_flagged.contains(path))
            .collect()
    }

    /// Whether a file carried a diagnostic of ours; it no longer does.
    pub fn unflag(&mut self, path: &Path) -> bool {
        self.flagged.remove(path)
    }

    // Open documents.

    /// Opens a document (`path` canonical, for a `file:` URI). Returns the
    /// root whose open bank it is, if it is one.
    pub fn open(
        &mut self,
        uri: Uri,
        path: Option<PathBuf>,
        text: &str,
        version: i32,
    ) -> Option<usize> {
        let bank = path.as_deref().and_then(|path| self.roots.bank_of(path));
        let bank_root = bank.as_ref().map(|bank| bank.root);
        self.documents.open(uri, path, bank, text, version);
        bank_root
    }

    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        on_clamped: impl FnMut(PositionError),
    ) -> Result<Changed, Refused> {
        self.documents
            .change(uri, version, changes, self.encoding, on_clamped)
    }

    /// Closes a document; returns its path and, for a bank, its root.
    pub fn close(&mut self, uri: &Uri) -> Option<(Option<PathBuf>, Option<usize>)> {
        let (path, bank) = self.documents.close(uri)?;
        Some((path, bank.map(|bank| bank.root)))
    }

    pub fn generation(&self, uri: &Uri) -> Option<u64> {
        self.documents.generation(uri)
    }

    pub fn is_current(&self, uri: &Uri, generation: u64) -> bool {
        self.documents.is_current(uri, generation)
    }

    /// Whether the document is an open bank whose root's live index is
    /// about to be rebuilt.
    pub fn bank_rebuild_pending(&self, uri: &Uri) -> bool {
        self.documents
            .bank_root(uri)
            .is_some_and(|root| self.roots.rebuild_pending(root))
    }

    pub fn documents_in_order(&self) -> Vec<Uri> {
        self.documents.uris_in_order()
    }

    pub fn is_open_path(&self, path: &Path) -> bool {
        self.documents.is_open_path(path)
    }

    pub fn document_rope(&self, uri: &Uri) -> Option<(i32, &Rope)> {
        self.documents.rope(uri)
    }

    /// The parts of a snapshot that need the lock: clones, nothing more.
    pub fn begin_snapshot(&self, uri: &Uri) -> Option<PendingSnapshot> {
        let DocumentView {
            rope,
            version,
            path,
            bank,
            parsed,
            reparse,
        } = self.documents.view(uri)?;
        let root = path.as_deref().and_then(|path| self.roots.root_of(path));
        let served = self.roots.served(root)?;
        let (notes, name) = match (root, &path) {
            (Some(root), Some(path)) => (
                self.roots.notes(root),
                self.roots
                    .folder(root)
                    .map(|folder| note_name(folder, path)),
            ),
            _ => (Arc::default(), None),
        };
        let snapshot = Snapshot {
            uri: uri.clone(),
            rope,
            version,
            parsed,
            workspace: served.workspace,
            banks: served.banks,
            notes,
            path,
            root,
            name,
            bank: bank.map(|bank| bank.name),
            encoding: self.encoding,
            support: self.support,
        };
        Some(PendingSnapshot { snapshot, reparse })
    }

    pub fn store_parse(&mut self, uri: &Uri, parsed: Arc<Parsed>) {
        self.documents.store_parse(uri, parsed);
    }

    pub fn take_garbage(&mut self) -> Garbage {
        self.documents.take_garbage()
    }
}

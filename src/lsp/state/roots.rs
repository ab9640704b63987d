//! The workspace roots, one per folder the client opened: the workspace each
//! one serves (as loaded from disk, or with the buffers of its open banks),
//! the places of its banks' files, its index of notes, and the bookkeeping
//! that keeps heavy work off the lock: loads are planned here, run
//! elsewhere, and installed here by ticket; a root's live index (its open
//! banks' buffers) is rebuilt at most once at a time, the last good
//! workspace serving meanwhile. Nothing here reads the disk or parses.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tower_lsp_server::ls_types::Uri;

use crate::core::config::{Config, Settings};
use crate::core::ide::notes::{NoteSummary, Notes};
use crate::lsp::places::BankFiles;
use crate::lsp::state::documents::BankName;
use crate::workspace::{Workspace, display_path};

/// A workspace as requests see it, with where its banks' files are.
#[derive(Debug, Clone)]
pub struct Served {
    pub workspace: Arc<Workspace>,
    pub banks: Arc<BankFiles>,
}

impl Served {
    pub fn new(workspace: Workspace) -> Served {
        let banks = Arc::new(BankFiles::new(&workspace));
        Served {
            workspace: Arc::new(workspace),
            banks,
        }
    }
}

#[derive(Debug)]
struct Root {
    served: Served,
    notes: Arc<Notes>,
    /// Bumped when a scan starts: batches of an older scan are dropped.
    scan: u64,
    /// Until the current scan ends (from the start: nothing is indexed yet).
    scanning: bool,
    /// Notes the current scan read that wait for `notes` to be free of
    /// requests' snapshots (see `Roots::add_scanned`).
    scanned: Vec<NoteSummary>,
    /// The ticket of the load `served` comes from.
    loaded: u64,
    live: Live,
}

/// The rebuild of a root's live index from its open banks' buffers.
#[derive(Debug, Default)]
struct Live {
    /// When a buffer last changed; `None` when the live index is current.
    changed_at: Option<Instant>,
    /// A rebuild task runs (at most one per root).
    rebuilding: bool,
    /// Barrier tickets of banks just opened: requests after the `didOpen`
    /// wait for the index of its buffer.
    barriers: Vec<u64>,
}

/// What a scan of one root needs, taken from the state when it starts.
#[derive(Debug, Clone)]
pub struct ScanTarget {
    pub root: usize,
    pub scan: u64,
    pub workspace: Arc<Workspace>,
}

/// One root to load from disk: its folder, the settings, and the
/// configuration it last read successfully.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub root: usize,
    pub folder: PathBuf,
    pub settings: Settings,
    pub last_good: Option<Config>,
}

/// Loads planned together under one ticket; `barrier` loads hold up the
/// requests that arrive after them until they are installed.
#[derive(Debug)]
pub struct LoadBatch {
    pub ticket: u64,
    pub plans: Vec<LoadPlan>,
    pub settings: Settings,
    /// Whether the batch loads every root: then the workspace for documents
    /// outside every root is built again too.
    pub all_roots: bool,
    /// Whether a root may be served a preview while its large banks load:
    /// not for a barrier, whose waiting requests must see the whole.
    pub previews: bool,
}

/// What a live rebuild of one root starts from.
#[derive(Debug)]
pub struct LivePlan {
    pub root: usize,
    pub base: Arc<Workspace>,
    /// The open banks: their names and documents.
    pub banks: Vec<(String, Uri)>,
    loaded: u64,
    barriers: Vec<u64>,
}

#[derive(Debug, Default)]
pub struct Roots {
    folders: Vec<PathBuf>,
    roots: Vec<Root>,
    /// For documents outside every root: the built-in bank.
    fallback: Option<Served>,
    tickets: u64,
    /// Barrier loads not installed yet.
    in_flight: BTreeSet<u64>,
}

impl Roots {
    /// Serves every folder from `pending` (the built-in bank alone) until
    /// its banks load.
    pub fn set_folders(
        &mut self,
        folders: Vec<PathBuf>,
        pending: impl Fn(&Path) -> Workspace,
        fallback: Workspace,
    ) {
        self.fallback = Some(Served::new(fallback));
        self.roots = folders
            .iter()
            .map(|folder| Root {
                served: Served::new(pending(folder)),
                notes: Arc::default(),
                scan: 0,
                scanning: true,
                scanned: Vec::new(),
                loaded: 0,
                live: Live::default(),
            })
            .collect();
        self.folders = folders;
    }

    pub fn folder_count(&self) -> usize {
        self.folders.len()
    }

    /// Plans loading every root (`None`) or one from disk; the caller loads
    /// off the lock and hands the result to `install_loaded`.
    pub fn plan_loads(
        &mut self,
        which: Option<usize>,
        settings: &Settings,
        barrier: bool,
    ) -> LoadBatch {
        self.tickets += 1;
        let ticket = self.tickets;
        if barrier {
            self.in_flight.insert(ticket);
        }
        let plans = self
            .roots
            .iter()
            .enumerate()
            .filter(|(position, _)| which.is_none_or(|which| which == *position))
            .map(|(position, root)| LoadPlan {
                root: position,
                folder: self.folders[position].clone(),
                settings: settings.clone(),
                last_good: Some(root.served.workspace.file_config.clone()),
            })
            .collect();
        LoadBatch {
            ticket,
            plans,
            settings: settings.clone(),
            all_roots: which.is_none(),
            previews: !barrier,
        }
    }

    /// The last ticket handed out: a request waits for the barrier loads up
    /// to it.
    pub fn last_ticket(&self) -> u64 {
        self.tickets
    }

    /// Whether a barrier load planned at or before `ticket` is still loading.
    pub fn loading_up_to(&self, ticket: u64) -> bool {
        self.in_flight.first().is_some_and(|first| *first <= ticket)
    }

    /// Serves a preview of a load's workspace (the first sections of its
    /// large banks, read before the rest) until the load itself is
    /// installed, unless that load or a later one is installed already.
    /// Returns what it replaced, to free off the lock.
    pub fn install_preview(
        &mut self,
        ticket: u64,
        position: usize,
        workspace: Workspace,
    ) -> Option<Served> {
        let root = self.roots.get_mut(position)?;
        if root.loaded >= ticket {
            return None;
        }
        Some(std::mem::replace(&mut root.served, Served::new(workspace)))
    }

    /// Puts loaded workspaces in place, unless a later load of the same
    /// root is already installed; indexed notes are kept. Returns what was
    /// replaced, to free off the lock, and the roots that changed. The
    /// load's ticket stays until `finish_load`.
    pub fn install_loaded(
        &mut self,
        ticket: u64,
        loaded: Vec<(usize, Workspace)>,
        fallback: Option<Workspace>,
    ) -> (Vec<Served>, Vec<usize>) {
        let mut replaced = Vec::new();
        let mut changed = Vec::new();
        for (position, workspace) in loaded {
            let Some(root) = self.roots.get_mut(position) else {
                continue;
            };
            if root.loaded > ticket {
                continue;
            }
            root.loaded = ticket;
            replaced.push(std::mem::replace(&mut root.served, Served::new(workspace)));
            changed.push(position);
        }
        if let Some(fallback) = fallback {
            replaced.extend(self.fallback.replace(Served::new(fallback)));
        }
        (replaced, changed)
    }

    /// Ends a load. Its ticket is released, or, for roots with open banks,
    /// handed to their live rebuilds: the requests waiting for the load see
    /// the open banks' buffers too. Returns the roots whose rebuild task the
    /// caller must start.
    pub fn finish_load(&mut self, ticket: u64, with_open_banks: &[usize]) -> Vec<usize> {
        if with_open_banks.is_empty() {
            self.in_flight.remove(&ticket);
            return Vec::new();
        }
        let mut start = Vec::new();
        for &position in with_open_banks {
            let Some(root) = self.roots.get_mut(position) else {
                continue;
            };
            root.live.barriers.push(ticket);
            root.live.changed_at = Some(Instant::now());
            if !std::mem::replace(&mut root.live.rebuilding, true) {
                start.push(position);
            }
        }
        start
    }

    /// The bank an open file is, if it is one of a root's bank files
    /// (`path` canonical).
    pub fn bank_of(&self, path: &Path) -> Option<BankName> {
        let position = self.roots.iter().position(|root| {
            root.served
                .workspace
                .bank_files
                .iter()
                .any(|bank| bank == path)
        })?;
        let name = display_path(path, &self.folders[position]);
        Some(BankName {
            root: position,
            name,
        })
    }

    /// The deepest root holding a path.
    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, folder)| path.starts_with(folder))
            .max_by_key(|(_, folder)| folder.components().count())
            .map(|(position, _)| position)
    }

    pub fn folder(&self, root: usize) -> Option<&Path> {
        self.folders.get(root).map(PathBuf::as_path)
    }

    /// What requests on a document in `root` (or outside every root) see.
    pub fn served(&self, root: Option<usize>) -> Option<Served> {
        match root {
            Some(root) => self.roots.get(root).map(|root| root.served.clone()),
            None => self.fallback.clone(),
        }
    }

    pub fn notes(&self, root: usize) -> Arc<Notes> {
        self.roots
            .get(root)
            .map(|root| root.notes.clone())
            .unwrap_or_default()
    }

    /// Every root's workspace and notes, for workspace-wide requests; the
    /// fallback alone when there is no root.
    pub fn all(&self) -> Vec<(Served, Arc<Notes>)> {
        if self.roots.is_empty() {
            return self
                .fallback
                .iter()
                .map(|served| (served.clone(), Arc::default()))
                .collect();
        }
        self.roots
            .iter()
            .map(|root| (root.served.clone(), root.notes.clone()))
            .collect()
    }

    // Live indexes of open banks.

    /// Notes a change of an open bank's buffer; with `barrier` (a bank
    /// just opened), requests wait for the rebuilt index. Returns true when
    /// the caller must start the rebuild task (none runs for this root).
    pub fn bank_changed(&mut self, root: usize, barrier: bool) -> bool {
        if root >= self.roots.len() {
            return false;
        }
        if barrier {
            self.tickets += 1;
            self.in_flight.insert(self.tickets);
            self.roots[root].live.barriers.push(self.tickets);
        }
        let root = &mut self.roots[root];
        root.live.changed_at = Some(Instant::now());
        !std::mem::replace(&mut root.live.rebuilding, true)
    }

    /// Whether a rebuild of the root's live index is wanted or running.
    pub fn rebuild_pending(&self, root: usize) -> bool {
        self.roots
            .get(root)
            .is_some_and(|root| root.live.rebuilding || root.live.changed_at.is_some())
    }

    /// When the root's banks last changed, while a rebuild is wanted.
    pub fn bank_changed_at(&self, root: usize) -> Option<Instant> {
        self.roots.get(root)?.live.changed_at
    }

    /// What a rebuild starts from; the changes so far are taken.
    pub fn plan_live(&mut self, root: usize, banks: Vec<(String, Uri)>) -> Option<LivePlan> {
        let entry = self.roots.get_mut(root)?;
        entry.live.changed_at = None;
        Some(LivePlan {
            root,
            base: entry.served.workspace.clone(),
            banks,
            loaded: entry.loaded,
            barriers: std::mem::take(&mut entry.live.barriers),
        })
    }

    /// Installs a rebuilt workspace unless a load from disk came meanwhile
    /// (that load asks for its own rebuild). Returns what it replaced, to
    /// free off the lock, and whether the task must go on (more changes
    /// came) or ends here.
    pub fn install_live(
        &mut self,
        plan: &LivePlan,
        rebuilt: Option<Workspace>,
    ) -> (Option<Served>, bool) {
        for barrier in &plan.barriers {
            self.in_flight.remove(barrier);
        }
        let Some(root) = self.roots.get_mut(plan.root) else {
            return (None, false);
        };
        let replaced = match rebuilt {
            Some(workspace) if root.loaded == plan.loaded => {
                Some(std::mem::replace(&mut root.served, Served::new(workspace)))
            }
            _ => None,
        };
        let more = root.live.changed_at.is_some();
        root.live.rebuilding = more;
        (replaced, more)
    }

    // Scans of notes.

    /// Starts a scan of every root: older scans' batches are dropped from now on.
    pub fn begin_scans(&mut self) -> Vec<ScanTarget> {
        self.roots
            .iter_mut()
            .enumerate()
            .map(|(position, root)| {
                root.scan += 1;
                root.scanning = true;
                root.scanned = Vec::new();
                ScanTarget {
                    root: position,
                    scan: root.scan,
                    workspace: root.served.workspace.clone(),
                }
            })
            .collect()
    }

    pub fn is_current_scan(&self, target: &ScanTarget) -> bool {
        self.roots
            .get(target.root)
            .is_some_and(|root| root.scan == target.scan)
    }

    /// Adds a scan's notes, unless the scan is stale; notes named in
    /// `open` keep what their buffers say. While a request's snapshot
    /// shares the notes, changing them would copy every summary (100,000
    /// in a large vault, under the lock, at every batch): the batch waits
    /// for the next one, or for the scan's end. At most `MOST_INSERTED`
    /// go in at once, under the lock requests wait for.
    pub fn add_scanned(
        &mut self,
        target: &ScanTarget,
        notes: Vec<NoteSummary>,
        open: &HashSet<String>,
    ) {
        if !self.is_current_scan(target) {
            return;
        }
        let root = &mut self.roots[target.root];
        root.scanned.extend(notes);
        if let Some(indexed) = Arc::get_mut(&mut root.notes) {
            insert_scanned(indexed, &mut root.scanned, open, MOST_INSERTED);
        }
    }

    /// Whether the scan's notes still wait to go in (see `add_scanned`).
    pub fn has_scanned_waiting(&self, target: &ScanTarget) -> bool {
        self.is_current_scan(target) && !self.roots[target.root].scanned.is_empty()
    }

    /// Ends a scan: what it read is indexed, and the notes indexed when it
    /// began that it did not read (`unseen`) are gone, unless open.
    pub fn finish_scan(
        &mut self,
        target: &ScanTarget,
        unseen: &HashSet<String>,
        open: &HashSet<String>,
    ) {
        if !self.is_current_scan(target) {
            return;
        }
        let root = &mut self.roots[target.root];
        root.scanning = false;
        if !root.scanned.is_empty() {
            let all = root.scanned.len();
            insert_scanned(Arc::make_mut(&mut root.notes), &mut root.scanned, open, all);
        }
        root.scanned = Vec::new();
        let notes = &self.roots[target.root].notes;
        let stale: Vec<String> = unseen
            .iter()
            .filter(|name| notes.contains(name) && !open.contains(*name))
            .cloned()
            .collect();
        if stale.is_empty() {
            return;
        }
        let indexed = Arc::make_mut(&mut self.roots[target.root].notes);
        for name in stale {
            indexed.remove(&name);
        }
    }

    /// The names of a root's indexed notes: before a scan, those it must
    /// read again or drop (none, at the first scan).
    pub fn note_names(&self, root: usize) -> HashSet<String> {
        self.roots.get(root).map_or_else(HashSet::new, |root| {
            root.notes.names().map(str::to_string).collect()
        })
    }

    /// Whether a root's notes are still being read for the first time, or
    /// again after a rescan began.
    pub fn is_scanning(&self) -> bool {
        self.roots.iter().any(|root| root.scanning)
    }

    /// How many notes the roots index so far.
    pub fn note_count(&self) -> usize {
        self.roots.iter().map(|root| root.notes.len()).sum()
    }

    /// Puts one note into its root's index (a buffer, or a file re-read):
    /// newer than what a scan read of it and has not indexed yet.
    pub fn set_note(&mut self, root: usize, note: NoteSummary) {
        if let Some(root) = self.roots.get_mut(root) {
            root.scanned.retain(|scanned| scanned.name != note.name);
            Arc::make_mut(&mut root.notes).insert(note);
        }
    }

    pub fn remove_note(&mut self, root: usize, name: &str) {
        if let Some(root) = self.roots.get_mut(root) {
            root.scanned.retain(|scanned| scanned.name != name);
            if root.notes.contains(name) {
                Arc::make_mut(&mut root.notes).remove(name);
            }
        }
    }

    /// The indexes of every root, to warm their similarity analysis.
    pub fn indexes(&self) -> Vec<Arc<crate::core::index::Index>> {
        self.roots
            .iter()
            .map(|root| root.served.workspace.index.clone())
            .collect()
    }
}

/// Scanned notes put in the index at once: a thousand take about half a
/// millisecond, and up to ten times that while the scan's threads keep the
/// cores and the allocator busy.
const MOST_INSERTED: usize = 1_000;

/// Indexes up to `most` of the notes a scan read, but not those open in
/// the editor.
fn insert_scanned(
    indexed: &mut Notes,
    scanned: &mut Vec<NoteSummary>,
    open: &HashSet<String>,
    most: usize,
) {
    let rest = scanned.len().saturating_sub(most);
    for note in scanned.drain(rest..) {
        if !open.contains(&note.name) {
            indexed.insert(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Settings;

    fn scanning_root() -> (Roots, ScanTarget) {
        let mut roots = Roots::default();
        let detached = Workspace::detached(&Settings::default());
        roots.set_folders(
            vec![PathBuf::from("/vault")],
            |_| Workspace::detached(&Settings::default()),
            detached,
        );
        let target = roots.begin_scans().remove(0);
        (roots, target)
    }

    fn summaries(range: std::ops::Range<usize>) -> Vec<NoteSummary> {
        let workspace = Workspace::detached(&Settings::default());
        let index = &workspace.index;
        let mut cache = crate::core::ide::notes::ScaffoldingCache::default();
        range
            .map(|number| {
                crate::core::ide::notes::summarize_note(
                    index,
                    &crate::core::template::Overrides::default(),
                    &mut cache,
                    &format!("n{number}.md"),
                    "plain\n",
                )
            })
            .collect()
    }

    /// A preview serves until its load is installed, and never over that
    /// load or a later one.
    #[test]
    fn a_preview_serves_only_until_its_load_is_installed() {
        let (mut roots, _) = scanning_root();
        let settings = Settings::default();
        let served = |roots: &Roots| roots.served(Some(0)).unwrap().workspace.banks_loading;
        let preview = || Workspace {
            banks_loading: true,
            ..Workspace::detached(&Settings::default())
        };
        let first = roots.plan_loads(None, &settings, false);
        assert!(first.previews);
        assert!(roots.install_preview(first.ticket, 0, preview()).is_some());
        assert!(served(&roots));
        let loaded = vec![(0, Workspace::detached(&settings))];
        roots.install_loaded(first.ticket, loaded, None);
        assert!(!served(&roots));
        assert!(roots.install_preview(first.ticket, 0, preview()).is_none());
        let barrier = roots.plan_loads(None, &settings, true);
        assert!(!barrier.previews);
        let later = roots.plan_loads(None, &settings, false);
        roots.install_loaded(
            later.ticket,
            vec![(0, Workspace::detached(&settings))],
            None,
        );
        assert!(
            roots
                .install_preview(barrier.ticket, 0, preview())
                .is_none()
        );
        assert!(!served(&roots));
    }

    /// While a request's snapshot shares the notes, a batch waits rather
    /// than copy them; once free, at most a thousand go in at a time, and
    /// the scan's end puts in the rest even while a snapshot holds on.
    #[test]
    fn a_batch_waits_for_snapshots_and_the_end_of_the_scan_puts_in_the_rest() {
        let (mut roots, target) = scanning_root();
        let open = HashSet::new();
        let snapshot = roots.notes(0);
        roots.add_scanned(&target, summaries(0..1_500), &open);
        assert_eq!(roots.note_count(), 0);
        assert!(roots.has_scanned_waiting(&target));
        drop(snapshot);
        roots.add_scanned(&target, summaries(1_500..1_600), &open);
        assert_eq!(roots.note_count(), 1_000);
        let snapshot = roots.notes(0);
        roots.finish_scan(&target, &HashSet::new(), &open);
        assert_eq!(roots.note_count(), 1_600);
        assert_eq!(snapshot.len(), 1_000, "a snapshot keeps what it saw");
        assert!(!roots.has_scanned_waiting(&target));
    }

    /// A note set from its buffer or a re-read file while the scan's read
    /// of it waits is newer: the scan's does not replace it.
    #[test]
    fn a_note_set_meanwhile_is_not_replaced_by_the_waiting_scan() {
        let (mut roots, target) = scanning_root();
        let snapshot = roots.notes(0);
        roots.add_scanned(&target, summaries(0..2), &HashSet::new());
        drop(snapshot);
        roots.remove_note(0, "n1.md");
        roots.finish_scan(&target, &HashSet::new(), &HashSet::new());
        let names: Vec<String> = roots.notes(0).names().map(str::to_string).collect();
        assert_eq!(names, ["n0.md"]);
    }
}

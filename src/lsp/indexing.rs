//! The workspace in the background: the scan of every root's notes on a
//! blocking thread, published into the state in batches (requests answer
//! from what is indexed so far) with `$/progress` begin, report and end
//! when the client allows it (and answers its request for a token in
//! time: one that never answers gets no reports, but its notes are
//! indexed all the same); watched files, registered dynamically for
//! `**/*.md` and `**/.qbank.toml`, which re-read a changed note, reload a
//! root when a bank, a template or `.qbank.toml` changes, and rescan when
//! what "answered" means may have changed. What cannot be read is logged;
//! a file that can carry a diagnostic gets one, and the last good state
//! keeps serving.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, DidChangeWatchedFilesRegistrationOptions, FileChangeType,
    FileEvent, FileSystemWatcher, GlobPattern, NumberOrString, Position, Range as LspRange,
    Registration, Uri,
};
use tower_lsp_server::{Bounded, NotCancellable, OngoingProgress};

use crate::core::config::CONFIG_FILE;
use crate::core::ide::notes::ScaffoldingCache;
use crate::files::Reach;
use crate::lsp::background::{Priority, background};
use crate::lsp::diagnostics::DIAGNOSTICS_DELAY;
use crate::lsp::dispatch::{guard, guard_notification};
use crate::lsp::log;
use crate::lsp::server::Backend;
use crate::notes::{NoteProblem, ProblemKind, note_name, read_note, scan_notes};
use crate::walk::is_ignored;
use crate::workspace::Workspace;

/// How often the end of a scan tries to put in the notes still waiting
/// for requests' snapshots before copying the notes to do it, and the
/// pause between tries.
const FLUSH_ATTEMPTS: usize = 50;
const FLUSH_PAUSE: Duration = Duration::from_millis(2);

/// Progress tokens are unique per server.
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// How long the editor may take to answer `window/workDoneProgress/create`.
const PROGRESS_CREATE_TIMEOUT: Duration = Duration::from_secs(5);

/// The code of the diagnostic on a note that cannot be read.
const UNREADABLE: &str = "unreadable-note";

impl Backend {
    /// Starts a scan of every root in the background; a scan already
    /// running gives up at its next batch.
    pub(super) fn spawn_indexing(&self) {
        let backend = self.clone();
        tokio::spawn(async move { backend.index_workspace().await });
    }

    async fn index_workspace(&self) {
        let (pending_banks, support) = {
            let mut state = self.lock();
            (state.take_banks_pending(), state.support())
        };
        let started = Instant::now();
        let title = if pending_banks {
            "qbank: loading banks and notes"
        } else {
            "qbank: indexing notes"
        };
        let progress = if support.work_done_progress {
            self.begin_progress(title).await
        } else {
            None
        };
        if pending_banks {
            if let Some(progress) = &progress {
                progress.report_with_message("loading banks", 0).await;
            }
            self.load_banks_off_lock().await;
            log(&format!(
                "banks loaded in {} ms",
                started.elapsed().as_millis()
            ));
        }
        let targets = self.lock().begin_scans();
        let mut indexed = 0;
        let mut stale = false;
        for target in &targets {
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
            let workspace = target.workspace.clone();
            // Reading 10,000 notes blocks: in the background, in batches.
            let scan = background("scan", Priority::Idle, move || {
                scan_notes(&workspace, |batch| sender.send(batch).is_ok())
            });
            // What was indexed before and is not read again is gone: a set
            // of those names, not of every name read (empty at the first
            // scan of a 100,000-note vault, where it once held them all).
            let mut unseen = self.lock().note_names(target.root);
            let mut percentage = 0;
            while let Some(batch) = receiver.recv().await {
                if !self.lock().is_current_scan(target) {
                    stale = true;
                    break;
                }
                for problem in &batch.problems {
                    self.report_problem(&target.workspace, problem).await;
                }
                indexed += batch.notes.len();
                for note in &batch.notes {
                    unseen.remove(&note.name);
                }
                let (done, total) = (batch.done, batch.total);
                guard_notification("indexing", || {
                    self.lock().add_scanned(target, batch.notes);
                });
                if let Some(progress) = &progress {
                    // The walk may still be finding notes: the total grows,
                    // and a percentage never goes back.
                    let read = (done * 100).checked_div(total).unwrap_or(100) as u32;
                    percentage = percentage.max(read);
                    progress
                        .report_with_message(format!("{done}/{total} notes"), percentage)
                        .await;
                }
            }
            drop(receiver);
            if let Err(error) = scan.await {
                log(&format!(
                    "indexing {} stopped: {error}",
                    target.workspace.root.display()
                ));
                continue;
            }
            if stale {
                break;
            }
            // What waits for requests' snapshots goes in a batch at a time;
            // what still waits after that goes in at once, copying the
            // notes if a snapshot shares them.
            for _ in 0..FLUSH_ATTEMPTS {
                let waiting = guard("indexing", || Ok(self.lock().insert_scanned(target)));
                if !waiting.unwrap_or(false) {
                    break;
                }
                tokio::time::sleep(FLUSH_PAUSE).await;
            }
            guard_notification("indexing", || self.lock().finish_scan(target, &unseen));
        }
        if let Some(progress) = progress {
            progress
                .finish_with_message(format!("{indexed} notes indexed"))
                .await;
        }
        if stale {
            return;
        }
        log(&format!(
            "indexed {indexed} notes in {} ms",
            started.elapsed().as_millis()
        ));
        self.workspace_changed(Duration::ZERO);
        if pending_banks {
            self.analyse_near_duplicates();
        }
    }

    /// Asks the client for a progress token and begins reporting on it;
    /// `None` when the client refuses, or does not answer in time: the
    /// scan then goes on without reports rather than waiting for ever.
    async fn begin_progress(
        &self,
        title: &str,
    ) -> Option<OngoingProgress<Bounded, NotCancellable>> {
        let token = NumberOrString::String(format!(
            "qbank/indexing/{}",
            NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
        ));
        let created = self.client.create_work_done_progress(token.clone());
        match tokio::time::timeout(PROGRESS_CREATE_TIMEOUT, created).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                log(&format!("no progress reports: {}", error.message));
                return None;
            }
            Err(_) => {
                log(
                    "no progress reports: the editor did not answer window/workDoneProgress/create in time",
                );
                return None;
            }
        }
        let progress = self.client.progress(token, title.to_string());
        Some(progress.with_percentage(0).begin().await)
    }

    /// Loads every root's banks without holding the state lock and puts
    /// them in place. Requests meanwhile are answered from the built-in
    /// bank, then from the loaded banks: no barrier.
    async fn load_banks_off_lock(&self) {
        let batch = self.lock().plan_loads(None, false);
        self.load_and_install(batch).await;
        self.schedule_all(Duration::ZERO);
    }

    /// Analyses the near-duplicates of every served index off the request
    /// path, so hovers, completions and checks never wait for it; then
    /// checks the open documents again, whose `near-duplicate` findings
    /// waited for it. One run at a time: asked for meanwhile (a bank
    /// reloaded), it runs once more, on the indexes served then.
    /// After the first load of large banks, it runs once their notes are
    /// read: a large bank's analysis takes a second and a half on two
    /// cores, which the notes would otherwise wait for, and run beside the
    /// scan both would hold their peaks at once (README "Memory").
    pub(super) fn analyse_near_duplicates(&self) {
        if !self.lock().begin_analysis() {
            return;
        }
        let backend = self.clone();
        tokio::spawn(async move {
            loop {
                let started = Instant::now();
                let indexes = backend.lock().root_indexes();
                let analysed = background("near-duplicates", Priority::Idle, move || {
                    for index in &indexes {
                        index.similarity();
                    }
                });
                match analysed.await {
                    Ok(()) => log(&format!(
                        "near-duplicates analysed in {} ms",
                        started.elapsed().as_millis()
                    )),
                    Err(error) => log(&format!("near-duplicates: {error}")),
                }
                backend.schedule_all(Duration::ZERO);
                if !backend.lock().end_analysis() {
                    return;
                }
            }
        });
    }

    /// After the notes changed: recheck open documents (`asked-before`)
    /// and ask the client to refresh lenses and hints when it can. The
    /// requests go from a task of their own: a handler waiting for the
    /// client's answer would hold up `exit`.
    fn workspace_changed(&self, delay: Duration) {
        self.schedule_all(delay);
        let support = self.lock().support();
        let client = self.client.clone();
        tokio::spawn(async move {
            if support.code_lens_refresh {
                let _ = client.code_lens_refresh().await;
            }
            if support.inlay_hint_refresh {
                let _ = client.inlay_hint_refresh().await;
            }
        });
    }

    /// A log line for anything that could not be indexed, and a diagnostic
    /// on a note that could not be read.
    async fn report_problem(&self, workspace: &Workspace, problem: &NoteProblem) {
        log(&problem.message);
        // A file gone meanwhile (its folder vanished mid-scan) has nowhere
        // to carry a diagnostic.
        let gone = !problem.path.exists();
        if problem.kind != ProblemKind::Unreadable
            || gone
            || self.lock().is_open_path(&problem.path)
        {
            return;
        }
        let Some(uri) = Uri::from_file_path(&problem.path) else {
            return;
        };
        let message = problem
            .message
            .strip_prefix(&format!("{}: ", problem.path.display()))
            .unwrap_or(&problem.message);
        let diagnostic = Diagnostic {
            range: LspRange::new(Position::new(0, 0), Position::new(0, 0)),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String(UNREADABLE.to_string())),
            source: Some("qbank".to_string()),
            message: format!(
                "{message}; this note is left out of the workspace index ({})",
                crate::workspace::display_path(&problem.path, &workspace.root)
            ),
            ..Diagnostic::default()
        };
        self.lock().flag(problem.path.clone());
        self.publish(uri, vec![diagnostic], None);
    }

    /// Clears a diagnostic published on a file that is not open.
    async fn clear_flag(&self, path: &Path) {
        let was_flagged = self.lock().unflag(path);
        if let Some(uri) = was_flagged.then(|| Uri::from_file_path(path)).flatten() {
            self.publish(uri, Vec::new(), None);
        }
    }

    /// Asks the client to watch notes and configuration, when it can.
    pub(super) async fn register_watchers(&self) {
        if !self.lock().support().watch_files {
            return;
        }
        let watcher = |pattern: &str| FileSystemWatcher {
            glob_pattern: GlobPattern::String(pattern.to_string()),
            kind: None,
        };
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![watcher("**/*.md"), watcher(&format!("**/{CONFIG_FILE}"))],
        };
        let registration = Registration {
            id: "qbank/watched-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            log(&format!(
                "the client did not take the file watchers: {}",
                error.message
            ));
        }
    }

    /// Reads a note from disk into its root's index again (or drops it when
    /// it is gone, ignored or unreadable). Returns the problem, if any.
    pub(super) fn reindex_note_file(&self, path: &Path) -> Option<NoteProblem> {
        let (root, workspace) = {
            let state = self.lock();
            let root = state.root_of(path)?;
            (root, state.root_workspace(root)?)
        };
        let name = note_name(&workspace.root, path);
        let is_note = path.extension().is_some_and(|extension| extension == "md")
            && !workspace.is_bank_file(path);
        // As the walk does: a link, a FIFO or a device is no note.
        let regular = std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_file());
        let readable = is_note && regular && !is_ignored(&workspace.root, path);
        let read = readable.then(|| {
            let mut cache = ScaffoldingCache::default();
            read_note(&workspace, path, Reach::NoLinks, &mut cache)
        });
        let mut state = self.lock();
        if state.is_open_path(path) {
            return None;
        }
        match read {
            Some(Ok(summary)) => {
                state.set_note(root, summary);
                None
            }
            Some(Err(problem)) => {
                state.remove_note(root, &name);
                Some(problem)
            }
            None => {
                state.remove_note(root, &name);
                None
            }
        }
    }

    /// `workspace/didChangeWatchedFiles`: notes are re-read at once (before
    /// any `.await`, so a request after the notification sees them); a
    /// changed bank, template or `.qbank.toml` reloads its root.
    pub(super) async fn watched_files_changed(&self, changes: Vec<FileEvent>) {
        let mut reloaded: BTreeSet<usize> = BTreeSet::new();
        let mut rescan = false;
        let mut problems: Vec<(NoteProblem, Workspace)> = Vec::new();
        let mut cleared: Vec<PathBuf> = Vec::new();
        let mut notes_changed = false;
        guard_notification("workspace/didChangeWatchedFiles", || {
            for change in &changes {
                let Some(path) = event_path(&change.uri) else {
                    continue;
                };
                let found = {
                    let state = self.lock();
                    state
                        .root_of(&path)
                        .and_then(|root| Some((root, state.root_workspace(root)?)))
                };
                let Some((root, workspace)) = found else {
                    continue;
                };
                match classify(&workspace, &path) {
                    Kind::Config | Kind::Template => {
                        reloaded.insert(root);
                        rescan = true;
                    }
                    Kind::Bank => {
                        reloaded.insert(root);
                    }
                    Kind::Note => {
                        if change.typ == FileChangeType::DELETED {
                            self.lock()
                                .remove_note(root, &note_name(&workspace.root, &path));
                            cleared.push(path);
                        } else {
                            match self.reindex_note_file(&path) {
                                Some(problem) => problems.push((problem, (*workspace).clone())),
                                None => cleared.push(path),
                            }
                        }
                        notes_changed = true;
                    }
                    Kind::Other => {}
                }
            }
        });
        // Planned before any `.await`: requests after the notification wait
        // for the reloaded roots.
        let batches: Vec<_> = {
            let mut state = self.lock();
            reloaded
                .iter()
                .map(|&root| state.plan_loads(Some(root), true))
                .collect()
        };
        for path in cleared {
            self.clear_flag(&path).await;
        }
        for (problem, workspace) in &problems {
            self.report_problem(workspace, problem).await;
        }
        if reloaded.is_empty() {
            if notes_changed {
                self.workspace_changed(DIAGNOSTICS_DELAY);
            }
            return;
        }
        let backend = self.clone();
        tokio::spawn(async move {
            for batch in batches {
                backend.load_and_install(batch).await;
            }
            backend.analyse_near_duplicates();
            if rescan {
                backend.spawn_indexing();
            }
            backend.workspace_changed(DIAGNOSTICS_DELAY);
        });
    }
}

/// A watched file's path, canonical where it still exists (a deleted file
/// through its folder).
fn event_path(uri: &Uri) -> Option<PathBuf> {
    let path = uri.to_file_path()?.into_owned();
    if let Ok(canonical) = std::fs::canonicalize(&path) {
        return Some(canonical);
    }
    let folder = std::fs::canonicalize(path.parent()?).ok()?;
    Some(folder.join(path.file_name()?))
}

enum Kind {
    Config,
    Template,
    Bank,
    Note,
    Other,
}

/// What a changed file is to its root.
fn classify(workspace: &Workspace, path: &Path) -> Kind {
    let root = &workspace.root;
    if path == root.join(CONFIG_FILE) {
        return Kind::Config;
    }
    if path.starts_with(root.join(&workspace.config.templates)) {
        return Kind::Template;
    }
    let is_markdown = path.extension().is_some_and(|extension| extension == "md");
    let configured = workspace
        .config
        .banks
        .iter()
        .any(|bank| path.starts_with(root.join(bank)));
    let in_questions = path.parent() == Some(&root.join("questions"));
    if workspace.bank_files.iter().any(|bank| bank == path)
        || (is_markdown && (configured || in_questions))
    {
        return Kind::Bank;
    }
    if is_markdown { Kind::Note } else { Kind::Other }
}

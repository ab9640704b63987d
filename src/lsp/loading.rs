//! Loading roots without holding the state lock: a load is planned under
//! the lock (`State::plan_loads`), read from disk, parsed and indexed on a
//! blocking thread, and installed under the lock again, by ticket, so a
//! slow load never overwrites a later one. A "barrier" load (settings,
//! `.qbank.toml`, a bank or template changed on disk, an open bank closed)
//! holds up the requests that arrive after it until it is installed, so
//! they see what the notification said; keystrokes never wait.
//!
//! The live index of a root whose banks are open in the editor is rebuilt
//! from their buffers the same way: debounced like diagnostics, at most one
//! rebuild per root in flight, the last good workspace serving meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::core::config::{CONFIG_FILE, PACKET_SIZES, RETENTIONS, Settings};
use crate::core::template::Mode;
use crate::lsp::background::{Priority, background};
use crate::lsp::diagnostics::DIAGNOSTICS_DELAY;
use crate::lsp::dispatch::{guard, rope_reads};
use crate::lsp::log;
use crate::lsp::memory::{give_back_free_pages, release};
use crate::lsp::server::Backend;
use crate::lsp::state::{LivePlan, LoadBatch, LoadPlan, Served, State};
use crate::workspace::{LoadOptions, Workspace, load_workspace_with_preview};

/// Banks up to this size (about 2,000 questions of 300 bytes) load before
/// `initialize` is answered, in about 5 ms of parsing and indexing at
/// 130 MB/s; larger ones load in the background with progress.
pub const SYNC_LOAD_BYTES: u64 = 640_000;

/// A batch's workspaces, read from disk.
pub struct Loaded {
    ticket: u64,
    roots: Vec<(usize, Workspace)>,
    fallback: Option<Workspace>,
}

impl Loaded {
    /// Installs the loaded roots. Returns what they replaced, to free off
    /// the lock, and the roots whose open banks need a live rebuild.
    pub fn install(self, state: &mut State) -> (Vec<Served>, Vec<usize>) {
        state.install_loaded(self.ticket, self.roots, self.fallback)
    }
}

/// Reads every root of a batch from disk. Blocking: call it off the async
/// threads and off the lock.
pub fn load_batch(batch: LoadBatch) -> Loaded {
    load_batch_with_previews(batch, None::<fn(usize, Workspace)>)
}

/// `load_batch`, handing `preview` each root's preview while its large
/// banks load, when the batch allows them.
fn load_batch_with_previews(
    batch: LoadBatch,
    preview: Option<impl FnMut(usize, Workspace)>,
) -> Loaded {
    let fallback = batch
        .all_roots
        .then(|| Workspace::detached(&batch.settings));
    let mut preview = preview.filter(|_| batch.previews);
    Loaded {
        ticket: batch.ticket,
        roots: batch
            .plans
            .into_iter()
            .map(|plan| {
                let root = plan.root;
                let preview = preview
                    .as_mut()
                    .map(|preview| move |workspace| preview(root, workspace));
                (root, load_root(plan, preview))
            })
            .collect(),
        fallback,
    }
}

/// Bytes of banks a batch would load: small enough, and they load before
/// `initialize` is answered. Blocking (it reads `.qbank.toml` and sizes).
pub fn bank_bytes(batch: &LoadBatch) -> u64 {
    batch
        .plans
        .iter()
        .map(|plan| crate::workspace::bank_bytes(&plan.folder, &load_options(plan)))
        .sum()
}

fn load_options(plan: &LoadPlan) -> LoadOptions {
    LoadOptions {
        settings: plan.settings.clone(),
        fallback_config: plan.last_good.clone(),
        ..LoadOptions::default()
    }
}

/// Loads one root: `.qbank.toml`, then the editor's settings key by key.
/// What cannot be loaded (an invalid `.qbank.toml`, a missing bank) is
/// logged; the rest of the root is served, with the last good
/// configuration when `.qbank.toml` turned invalid.
fn load_root(plan: LoadPlan, preview: Option<impl FnOnce(Workspace)>) -> Workspace {
    let options = load_options(&plan);
    let workspace = load_workspace_with_preview(&plan.folder, &options, preview);
    for problem in &workspace.problems {
        // A bad key's message says what it keeps; a refused file keeps all.
        let kept = problem.config.is_none()
            && problem
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

/// A root's workspace rebuilt from its open banks' texts; `None` when
/// every text is the bank it serves already (a bank just opened).
fn rebuild_live(base: &Workspace, texts: Vec<(String, Arc<str>)>) -> Option<Workspace> {
    let banks = base.index.banks();
    let unchanged = texts.iter().all(|(name, text)| {
        banks
            .iter()
            .any(|bank| bank.name == *name && (Arc::ptr_eq(&bank.text, text) || bank.text == *text))
    });
    if unchanged {
        return None;
    }
    Some(base.with_bank_texts(texts))
}

impl Backend {
    /// Loads a planned batch off the lock and installs it; what it replaced
    /// is freed off the lock, and open banks of the reloaded roots get
    /// their live index rebuilt.
    pub(super) async fn load_and_install(&self, batch: LoadBatch) {
        let ticket = batch.ticket;
        let backend = self.clone();
        let installed = background("loading", Priority::Lower, move || {
            // A large bank's first sections answer while the rest loads.
            let preview = |root, workspace| {
                let replaced = backend.lock().install_preview(ticket, root, workspace);
                drop(replaced);
            };
            let loaded = guard("loading", || {
                Ok(load_batch_with_previews(batch, Some(preview)))
            })
            .ok();
            let (replaced, with_open_banks) = match loaded {
                Some(loaded) => loaded.install(&mut backend.lock()),
                // Nothing to install, but the requests waiting go on.
                None => backend.lock().install_loaded(ticket, Vec::new(), None),
            };
            release(replaced);
            with_open_banks
        })
        .await;
        self.loads_changed();
        match installed {
            Ok(rebuilds) => {
                for root in rebuilds {
                    self.spawn_rebuild(root, Duration::ZERO);
                }
                self.publish_load_problems().await;
            }
            Err(error) => {
                log(&format!("loading stopped: {error}"));
                // The requests waiting for it go on with what is installed.
                self.lock().install_loaded(ticket, Vec::new(), None);
                self.loads_changed();
            }
        }
    }

    /// Plans a barrier reload of one root or all (`None`) now, before any
    /// `.await`, and loads it in the background; then `after` runs.
    pub(super) fn reload(
        &self,
        which: Option<usize>,
        after: impl FnOnce(Backend) + Send + 'static,
    ) {
        let batch = self.lock().plan_loads(which, true);
        let backend = self.clone();
        tokio::spawn(async move {
            backend.load_and_install(batch).await;
            backend.analyse_near_duplicates();
            after(backend);
        });
    }

    /// Waits until the barrier loads planned before this call are
    /// installed: a request after a settings change sees the new settings.
    pub(super) async fn wait_for_loads(&self) {
        let mut installed = self.loads.subscribe();
        let ticket = {
            let state = self.lock();
            let ticket = state.last_ticket();
            if !state.loading_up_to(ticket) {
                return;
            }
            ticket
        };
        while self.lock().loading_up_to(ticket) {
            if installed.changed().await.is_err() {
                return;
            }
        }
    }

    fn loads_changed(&self) {
        self.loads.send_modify(|installs| *installs += 1);
    }

    /// An open bank's buffer changed (or its root reloaded): its root's
    /// live index is rebuilt once typing pauses for `delay`, by the root's
    /// one rebuild task.
    pub(super) fn bank_changed(&self, root: usize, delay: Duration) {
        self.want_rebuild(root, delay, false);
    }

    /// A bank was opened: its buffer is indexed at once, and requests after
    /// the `didOpen` wait for it.
    pub(super) fn bank_opened(&self, root: usize) {
        self.want_rebuild(root, Duration::ZERO, true);
    }

    fn want_rebuild(&self, root: usize, delay: Duration, barrier: bool) {
        if self.lock().bank_changed(root, barrier) {
            self.spawn_rebuild(root, delay);
        }
    }

    /// Starts a root's one rebuild task (the state says none runs).
    fn spawn_rebuild(&self, root: usize, delay: Duration) {
        let backend = self.clone();
        tokio::spawn(async move { backend.rebuild_live_task(root, delay).await });
    }

    async fn rebuild_live_task(&self, root: usize, first_delay: Duration) {
        let mut delay = first_delay;
        loop {
            self.wait_for_pause(root, delay).await;
            // Changes during a rebuild wait for a pause in typing again.
            delay = DIAGNOSTICS_DELAY;
            let backend = self.clone();
            // At normal priority: the edited question is searchable within
            // a second of the last keystroke.
            let rebuilt =
                tokio::task::spawn_blocking(move || backend.rebuild_live_once(root)).await;
            let Ok((installed, more)) = rebuilt else {
                return;
            };
            // Open banks wait for their index to be checked; the other
            // documents are checked against the new index.
            if installed || !more {
                self.schedule_all(Duration::ZERO);
            }
            if installed {
                self.analyse_near_duplicates();
            }
            if !more {
                return;
            }
        }
    }

    /// Sleeps until the root's banks have not changed for `delay`.
    async fn wait_for_pause(&self, root: usize, delay: Duration) {
        loop {
            let Some(changed_at) = self.lock().bank_changed_at(root) else {
                return;
            };
            let quiet = changed_at + delay;
            if Instant::now() >= quiet {
                return;
            }
            tokio::time::sleep_until(quiet.into()).await;
        }
    }

    /// The current text of each open bank, from its document's parse (made
    /// now if stale and kept for the requests and checks that follow): the
    /// bank and the parse share one copy of the text.
    fn bank_texts(&self, plan: &LivePlan) -> Vec<(String, Arc<str>)> {
        let mut texts = Vec::new();
        for (name, uri) in &plan.banks {
            let Some(pending) = self.lock().begin_snapshot(uri) else {
                continue;
            };
            // A bank just opened reads as indexed: nothing to parse.
            let indexed = pending.snapshot.indexed_bank_text();
            if let Some(text) = indexed.filter(|text| rope_reads(&pending.snapshot.rope, text)) {
                texts.push((name.clone(), text));
                continue;
            }
            let (snapshot, garbage) = self.complete_snapshot(pending);
            drop(garbage);
            texts.push((name.clone(), snapshot.parsed.text.clone()));
        }
        texts
    }

    /// One rebuild, on a blocking thread: plan under the lock, build off
    /// it, install under it, free the replaced workspace off it. Returns
    /// whether a workspace was installed and whether more changes came.
    fn rebuild_live_once(&self, root: usize) -> (bool, bool) {
        let Some(plan) = self.lock().plan_live(root) else {
            return (false, false);
        };
        let rebuilt = guard("rebuilding a bank's index", || {
            let texts = self.bank_texts(&plan);
            // The index is built beside the one serving: what typing freed
            // goes back first, so the two together stay within twice one.
            give_back_free_pages();
            Ok(rebuild_live(&plan.base, texts))
        })
        .ok()
        .flatten();
        let (replaced, more): (Option<Served>, bool) = self.lock().install_live(&plan, rebuilt);
        self.loads_changed();
        let installed = replaced.is_some();
        release((plan, replaced));
        (installed, more)
    }
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
                .and_then(|size| usize::try_from(size).ok())
                .filter(|size| PACKET_SIZES.contains(size))
                .map(|size| settings.packet_size = Some(size)),
            "coverage" => value
                .as_bool()
                .map(|coverage| settings.coverage = Some(coverage)),
            "desired_retention" | "desiredRetention" => value
                .as_f64()
                .filter(|retention| RETENTIONS.contains(retention))
                .map(|retention| settings.desired_retention = Some(retention)),
            "review_hints" | "reviewHints" => value
                .as_bool()
                .map(|hints| settings.review_hints = Some(hints)),
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

//! The workspace's notes read from disk, for both front ends: the walk that
//! finds them (the `ignore` crate: `.gitignore` respected even outside a
//! git repository, hidden files skipped, symbolic links followed but never
//! round a loop, banks left out, files over 4 MB skipped) and the reading
//! that turns each into the core's `NoteSummary`. `qbank stats` indexes all
//! at once; the language server scans in batches on a blocking thread.
//! What cannot be read becomes a `NoteProblem` naming the file; the rest
//! is indexed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::core::check::CheckCaches;
use crate::core::ide::notes::{NoteSummary, Notes, ScaffoldingCache, summarize_note};
use crate::files::{self, FileRole, Reach, ReadError};
use crate::walk::{self, Found};
use crate::workspace::Workspace;

/// Notes larger than this are not indexed.
pub const MAX_NOTE_BYTES: u64 = FileRole::Note.limit();

/// A batch holds at most this many notes…
const BATCH_NOTES: usize = 500;
/// …and is sent at least this often.
const BATCH_TIME: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Over `MAX_NOTE_BYTES`: skipped on purpose.
    TooLarge,
    /// Not readable, not UTF-8, binary, or gone.
    Unreadable,
    /// The walk itself failed: a folder vanished, a link loops.
    Walk,
}

/// A file or folder that could not be indexed; `message` is one line that
/// names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteProblem {
    pub path: PathBuf,
    pub kind: ProblemKind,
    pub message: String,
}

/// The name a note has in the index: its path relative to the root, with
/// `/` between components.
pub fn note_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every note under the root, in path order, with what was skipped.
pub fn list_notes(workspace: &Workspace) -> (Vec<PathBuf>, Vec<NoteProblem>) {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    walk_notes(
        workspace,
        |path| notes.push(path),
        |problem| problems.push(problem),
    );
    notes.sort();
    (notes, problems)
}

/// The notes under the root as the walk finds them (banks left out), and
/// what it skipped.
fn walk_notes(
    workspace: &Workspace,
    mut note: impl FnMut(PathBuf),
    mut problem: impl FnMut(NoteProblem),
) {
    walk::for_each_markdown_file(&workspace.root, &workspace.root, |found| match found {
        Found::Markdown(path) => {
            if !workspace.is_bank_file(&path) {
                note(path);
            }
        }
        // A FIFO or a device named like a note: said once, never opened.
        Found::Special(path) => problem(NoteProblem {
            message: walk::not_regular(&path),
            path,
            kind: ProblemKind::Unreadable,
        }),
        Found::Problem(path, message) => problem(NoteProblem {
            path,
            kind: ProblemKind::Walk,
            message: format!("while scanning notes: {message}"),
        }),
    });
}

/// What reading one walked file gave.
pub enum Walked<T> {
    Note(PathBuf, T),
    Problem(NoteProblem),
}

/// Every note of the workspace read as the walk finds it, on every core
/// while the walk goes on, `each` making what the command needs of a note
/// (as `read_files`); the results in path order, then what was skipped.
pub fn read_walked<T: Send>(
    workspace: &Workspace,
    each: impl Fn(&str, &str, &mut CheckCaches) -> T + Sync,
) -> (Vec<T>, Vec<NoteProblem>) {
    let mut read = Vec::new();
    let mut problems = Vec::new();
    let found = AtomicUsize::new(0);
    let readers = crate::core::parallel::cores();
    for_each_walked(workspace, (readers, &found), each, |walked| {
        match walked {
            Walked::Note(path, value) => read.push((path, value)),
            Walked::Problem(problem) => problems.push(problem),
        }
        true
    });
    read.sort_by(|a, b| a.0.cmp(&b.0));
    (read.into_iter().map(|(_, value)| value).collect(), problems)
}

/// Walks the workspace on one thread and reads the notes it finds on
/// `readers` threads meanwhile, handing each result to `on_read` on the
/// calling thread as it comes (in no set order), the walk's problems among
/// them; `found` counts the notes the walk has found so far. Nothing lists
/// every path first: a 100,000-note vault's list was 3 MB held for the
/// whole scan. When `on_read` returns false, reading stops (the walk ends
/// without sending more). A reader's panic is the caller's.
pub fn for_each_walked<T: Send>(
    workspace: &Workspace,
    (readers, found): (usize, &AtomicUsize),
    each: impl Fn(&str, &str, &mut CheckCaches) -> T + Sync,
    mut on_read: impl FnMut(Walked<T>) -> bool,
) {
    // Paths and results travel in chunks: one message per note had the
    // threads wake each other 100,000 times, a fifth of a scan's time.
    let (paths, received) = std::sync::mpsc::sync_channel::<Vec<PathBuf>>(16);
    let (results, read) = std::sync::mpsc::sync_channel::<Vec<Walked<T>>>(16);
    // Shared by the readers alone: were they all to stop (a panic, or
    // `on_read` done), the receiver goes with them and the walk's sends
    // fail instead of waiting.
    let received = std::sync::Arc::new(std::sync::Mutex::new(received));
    std::thread::scope(|scope| {
        for _ in 0..readers.max(1) {
            let received = received.clone();
            let results = results.clone();
            let each = &each;
            scope.spawn(move || {
                let next = || received.lock().ok()?.recv().ok();
                let mut caches = CheckCaches::default();
                let mut buffer = Vec::new();
                while let Some(chunk) = next() {
                    let read = chunk
                        .into_iter()
                        .map(|path| {
                            read_walked_note(workspace, path, each, &mut caches, &mut buffer)
                        })
                        .collect();
                    if results.send(read).is_err() {
                        return;
                    }
                }
            });
        }
        drop(received);
        let problems = results.clone();
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(WALKED_CHUNK);
            walk_notes(
                workspace,
                |path| {
                    found.fetch_add(1, Ordering::Relaxed);
                    chunk.push(path);
                    if chunk.len() == WALKED_CHUNK {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(WALKED_CHUNK));
                        let _ = paths.send(full);
                    }
                },
                |problem| {
                    let _ = problems.send(vec![Walked::Problem(problem)]);
                },
            );
            if !chunk.is_empty() {
                let _ = paths.send(chunk);
            }
        });
        drop(results);
        for walked in read.into_iter().flatten() {
            if !on_read(walked) {
                break;
            }
        }
    });
}

/// Paths a reader takes at a time.
const WALKED_CHUNK: usize = 64;

/// Reads one walked note (no links followed) and makes what `each` needs
/// of it, or the problem that says why it was not read.
fn read_walked_note<T>(
    workspace: &Workspace,
    path: PathBuf,
    each: impl Fn(&str, &str, &mut CheckCaches) -> T,
    caches: &mut CheckCaches,
    buffer: &mut Vec<u8>,
) -> Walked<T> {
    match files::read_text_into(&path, FileRole::Note, Reach::NoLinks, buffer) {
        Ok(text) => {
            let value = each(&note_name(&workspace.root, &path), text, caches);
            Walked::Note(path, value)
        }
        Err(error) => Walked::Problem(note_problem(&path, &error)),
    }
}

/// Reads and summarizes one note.
pub fn read_note(
    workspace: &Workspace,
    path: &Path,
    reach: Reach<'_>,
    cache: &mut ScaffoldingCache,
) -> Result<NoteSummary, NoteProblem> {
    let text = read_note_text(path, reach)?;
    Ok(summarize_note(
        &workspace.index,
        &workspace.overrides,
        cache,
        &note_name(&workspace.root, path),
        &text,
    ))
}

/// A note's text, or the problem that says why it was not read.
pub fn read_note_text(path: &Path, reach: Reach<'_>) -> Result<String, NoteProblem> {
    files::read_text(path, FileRole::Note, reach).map_err(|error| note_problem(path, &error))
}

fn note_problem(path: &Path, error: &ReadError) -> NoteProblem {
    NoteProblem {
        path: path.to_path_buf(),
        kind: if error.is_too_large() {
            ProblemKind::TooLarge
        } else {
            ProblemKind::Unreadable
        },
        message: error.to_string(),
    }
}

/// One step of a scan.
#[derive(Debug, Default)]
pub struct ScanBatch {
    pub notes: Vec<NoteSummary>,
    pub problems: Vec<NoteProblem>,
    /// Files read so far, and found so far by the walk (all of them once
    /// it has ended).
    pub done: usize,
    pub total: usize,
}

/// Reads the notes as the walk finds them (`for_each_walked`), handing
/// over a batch every few hundred notes or tenth of a second; `total` is
/// what the walk has found so far. Stops when `on_batch` returns false.
pub fn scan_notes(workspace: &Workspace, mut on_batch: impl FnMut(ScanBatch) -> bool) {
    let mut batch = ScanBatch::default();
    let mut sent = Instant::now();
    let mut any = false;
    let found = AtomicUsize::new(0);
    // One reader beside the walk: with most notes summarized without
    // being parsed (`summarize_note`), it reads 100,000 in under a second,
    // and a second one took the other core from the requests answered
    // meanwhile (completion p99 50 ms instead of 12 ms on two cores).
    for_each_walked(workspace, (1, &found), summarizer(workspace), |walked| {
        any = true;
        match walked {
            Walked::Note(_, summary) => batch.notes.push(summary),
            Walked::Problem(problem) => batch.problems.push(problem),
        }
        batch.done += 1;
        batch.total = found.load(Ordering::Relaxed).max(batch.done);
        let full = batch.notes.len() + batch.problems.len() >= BATCH_NOTES;
        if !full && sent.elapsed() < BATCH_TIME {
            return true;
        }
        sent = Instant::now();
        let next = ScanBatch {
            done: batch.done,
            total: batch.total,
            ..ScanBatch::default()
        };
        on_batch(std::mem::replace(&mut batch, next))
    });
    if !batch.notes.is_empty() || !batch.problems.is_empty() || !any {
        on_batch(batch);
    }
}

/// Every note of the workspace at once (the command line's index).
pub fn index_notes(workspace: &Workspace) -> (Notes, Vec<NoteProblem>) {
    let (summaries, problems) = summarize_workspace(workspace);
    (notes_of(summaries), problems)
}

/// The named files as an index (the command line's `PATH` arguments, and
/// the notes of folders it names: the user's choice, so a named link is
/// followed).
pub fn read_notes(workspace: &Workspace, paths: &[PathBuf]) -> (Notes, Vec<NoteProblem>) {
    let (summaries, problems) = summarize_files(workspace, paths, Reach::Anywhere);
    (notes_of(summaries), problems)
}

fn notes_of(summaries: Vec<NoteSummary>) -> Notes {
    let mut notes = Notes::default();
    summaries
        .into_iter()
        .for_each(|summary| notes.insert(summary));
    notes
}

/// Every note of the workspace summarized, in path order, with what was
/// skipped: for a command that reads them once and needs no index.
pub fn summarize_workspace(workspace: &Workspace) -> (Vec<NoteSummary>, Vec<NoteProblem>) {
    read_walked(workspace, summarizer(workspace))
}

/// What `read_files` and `read_walked` make of a note for an index: its
/// summary.
pub fn summarizer(
    workspace: &Workspace,
) -> impl Fn(&str, &str, &mut CheckCaches) -> NoteSummary + Sync + '_ {
    |name, text, caches| {
        let cache = &mut caches.scaffolding;
        summarize_note(&workspace.index, &workspace.overrides, cache, name, text)
    }
}

/// Reads and summarizes files on every core; the summaries come back in
/// the files' order.
pub fn summarize_files(
    workspace: &Workspace,
    paths: &[PathBuf],
    reach: Reach<'_>,
) -> (Vec<NoteSummary>, Vec<NoteProblem>) {
    read_files(workspace, paths, reach, summarizer(workspace))
}

/// Reads files on every core (a one-shot command waits for all of them)
/// and hands each note's name and text to `each`, with check caches and a
/// read buffer per thread; the results come back in the files' order, the
/// unread files as problems.
pub fn read_files<T: Send>(
    workspace: &Workspace,
    paths: &[PathBuf],
    reach: Reach<'_>,
    each: impl Fn(&str, &str, &mut CheckCaches) -> T + Sync,
) -> (Vec<T>, Vec<NoteProblem>) {
    let results = crate::core::parallel::on_every_core(paths, |chunk| {
        let mut caches = CheckCaches::default();
        let mut buffer = Vec::new();
        chunk
            .iter()
            .map(|path| {
                let text = files::read_text_into(path, FileRole::Note, reach, &mut buffer)
                    .map_err(|error| note_problem(path, &error))?;
                Ok(each(&note_name(&workspace.root, path), text, &mut caches))
            })
            .collect::<Vec<Result<T, NoteProblem>>>()
    });
    let mut read = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(value) => read.push(value),
            Err(problem) => problems.push(problem),
        }
    }
    (read, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::scratch::Folder;
    use crate::workspace::{LoadOptions, load_workspace};

    #[test]
    fn the_walk_respects_gitignore_banks_sizes_and_links() {
        let folder = Folder::new("notes-walk");
        let root = folder.0.clone();
        let write = |name: &str, text: &[u8]| folder.write(name, text);
        write(".gitignore", b"drafts/\n");
        write("a.md", b"## BE-23 - ACID\nAtomicity.\n");
        write("sub/b.md", b"BE-23\n");
        write("drafts/c.md", b"BE-23\n");
        write(".hidden/d.md", b"BE-23\n");
        write(
            "questions/team.md",
            b"---\nprefix: TM\n---\n## Ops\n1. Deploy?\n",
        );
        write("latin1.md", b"caf\xe9\n");
        write("big.md", &vec![b'a'; MAX_NOTE_BYTES as usize + 1]);
        // A loop, and a link to a note outside the workspace: neither is followed.
        std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
        let outside = Folder::new("notes-walk-outside");
        outside.write("secret.md", b"BE-23\n");
        std::os::unix::fs::symlink(&outside.0, root.join("outside")).unwrap();
        std::os::unix::fs::symlink(outside.path("secret.md"), root.join("linked.md")).unwrap();
        let workspace = load_workspace(&root, &LoadOptions::default());
        let (notes, problems) = index_notes(&workspace);
        let names: Vec<&str> = notes.names().collect();
        assert_eq!(names, ["a.md", "sub/b.md"]);
        let mut kinds: Vec<(ProblemKind, String)> = problems
            .iter()
            .map(|problem| (problem.kind, note_name(&root, &problem.path)))
            .collect();
        kinds.sort_by(|a, b| a.1.cmp(&b.1));
        let expected = vec![
            (ProblemKind::TooLarge, "big.md".to_string()),
            (ProblemKind::Unreadable, "latin1.md".to_string()),
        ];
        assert_eq!(kinds, expected, "{problems:#?}");
        assert!(walk::is_ignored(&root, &root.join("drafts/new.md")));
        assert!(walk::is_ignored(&root, &root.join(".hidden/new.md")));
        assert!(!walk::is_ignored(&root, &root.join("sub/new.md")));
    }

    /// Read as the walk finds them on several threads, the notes still
    /// come back in path order, as `list_notes` gives them.
    #[test]
    fn notes_read_during_the_walk_come_back_in_path_order() {
        let folder = Folder::new("notes-order");
        for index in (0..300).rev() {
            folder.write(
                &format!("{}/n{index}.md", index % 7),
                b"## BE-1 - x\nAn answer.\n",
            );
        }
        let workspace = load_workspace(&folder.0, &LoadOptions::default());
        let (paths, _) = list_notes(&workspace);
        let (summaries, problems) = summarize_workspace(&workspace);
        assert!(problems.is_empty(), "{problems:?}");
        let names: Vec<&str> = summaries
            .iter()
            .map(|summary| summary.name.as_str())
            .collect();
        let listed: Vec<String> = paths
            .iter()
            .map(|path| note_name(&folder.0, path))
            .collect();
        assert_eq!(names, listed);
        assert_eq!(names.len(), 300);
    }
}

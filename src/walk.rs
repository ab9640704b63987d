//! The walk over a folder's markdown files, for both front ends: hidden
//! files and folders skipped, `.gitignore` respected (even outside a git
//! repository), symbolic links never followed (a link must not lead the
//! walk out of the workspace, nor round in a loop). The `ignore` crate
//! walks, but every `.gitignore` is read here, through the one reader
//! (`files.rs`): the crate itself would open a FIFO named `.gitignore` and
//! wait forever, or read a link to `/dev/zero` until memory runs out. Like
//! git, a `.gitignore` that is a link is not read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::files::{self, FileRole, Reach, ReadError};

/// A file the walk found, or something it could not go through.
pub enum Found {
    /// A regular markdown file.
    Markdown(PathBuf),
    /// A markdown name that is no regular file (a FIFO, a device).
    Special(PathBuf),
    /// A folder that vanished, could not be listed, or a `.gitignore`
    /// that was not read; one line naming it.
    Problem(PathBuf, String),
}

/// Every markdown file under `start`, in path order, with what was
/// skipped; `.gitignore` files from `root` (an ancestor of `start`, or
/// `start` itself) down apply.
pub fn markdown_files(root: &Path, start: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    for_each_markdown_file(root, start, |file| found.push(file));
    found
}

/// `markdown_files`, each handed to `visit` as the walk finds it (in the
/// walk's order), so that reading can start before the walk ends.
pub fn for_each_markdown_file(root: &Path, start: &Path, mut visit: impl FnMut(Found)) {
    let ignores = Arc::new(Mutex::new(Ignores::new(root)));
    let filter = ignores.clone();
    let walker = ignore::WalkBuilder::new(start)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !lock(&filter).is_ignored(entry.path(), is_dir)
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| start.to_path_buf());
                visit(Found::Problem(path, format!("skipped: {error}")));
                continue;
            }
        };
        let Some(kind) = entry.file_type() else {
            continue;
        };
        let is_markdown = entry
            .path()
            .extension()
            .is_some_and(|extension| extension == "md");
        if !is_markdown || kind.is_dir() || kind.is_symlink() {
            continue;
        }
        if kind.is_file() {
            visit(Found::Markdown(entry.into_path()));
        } else {
            visit(Found::Special(entry.into_path()));
        }
    }
    let refused = std::mem::take(&mut lock(&ignores).refused);
    for error in refused {
        visit(Found::Problem(error.path.clone(), error.to_string()));
    }
}

/// The line that names a `Found::Special`.
pub fn not_regular(path: &Path) -> String {
    format!(
        "{}: is not a regular file (a FIFO, a device or a socket); not read",
        files::shown_path(path)
    )
}

fn lock(ignores: &Mutex<Ignores>) -> std::sync::MutexGuard<'_, Ignores> {
    ignores.lock().unwrap_or_else(PoisonError::into_inner)
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// Whether a path under the root is one the walk would leave out: in a
/// hidden folder, a hidden file, or matched by a `.gitignore` on the way.
pub fn is_ignored(root: &Path, path: &Path) -> bool {
    Ignores::new(root).is_ignored(path, false)
}

/// The `.gitignore` files of a tree, each read once when first needed.
struct Ignores {
    root: PathBuf,
    /// Each folder's matcher; `None` when it has no (readable) `.gitignore`.
    folders: HashMap<PathBuf, Option<Arc<Gitignore>>>,
    /// The `.gitignore` files that were refused.
    refused: Vec<ReadError>,
}

impl Ignores {
    fn new(root: &Path) -> Ignores {
        Ignores {
            root: root.to_path_buf(),
            folders: HashMap::new(),
            refused: Vec::new(),
        }
    }

    /// Whether `path` is hidden below the root or ignored by a
    /// `.gitignore` in the root or a folder on the way to it (a deeper
    /// file's rules, `!` included, win).
    fn is_ignored(&mut self, path: &Path, is_dir: bool) -> bool {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return true;
        };
        let hidden = relative
            .components()
            .any(|component| component.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            return true;
        }
        let mut ignored = false;
        let mut folder = self.root.clone();
        let folders = relative.parent().into_iter().flat_map(Path::components);
        for next in std::iter::once(None).chain(folders.map(Some)) {
            if let Some(component) = next {
                folder.push(component);
            }
            let Some(matcher) = self.matcher(&folder) else {
                continue;
            };
            match matcher.matched_path_or_any_parents(path, is_dir) {
                ignore::Match::Ignore(_) => ignored = true,
                ignore::Match::Whitelist(_) => ignored = false,
                ignore::Match::None => {}
            }
        }
        ignored
    }

    fn matcher(&mut self, folder: &Path) -> Option<Arc<Gitignore>> {
        if let Some(known) = self.folders.get(folder) {
            return known.clone();
        }
        let matcher = self.read(folder).map(Arc::new);
        self.folders.insert(folder.to_path_buf(), matcher.clone());
        matcher
    }

    fn read(&mut self, folder: &Path) -> Option<Gitignore> {
        let path = folder.join(".gitignore");
        std::fs::symlink_metadata(&path).ok()?;
        let text = match files::read_text(&path, FileRole::Ignore, Reach::NoLinks) {
            Ok(text) => text,
            Err(error) => {
                self.refused.push(error);
                return None;
            }
        };
        let mut builder = GitignoreBuilder::new(folder);
        for line in text.lines() {
            // A line that is no valid glob is left out, as git does.
            let _ = builder.add_line(Some(path.clone()), line);
        }
        builder.build().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::scratch::{Folder, fifo};

    fn names(root: &Path, found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|found| match found {
                Found::Markdown(path) => crate::notes::note_name(root, path),
                Found::Special(path) => format!("special {}", crate::notes::note_name(root, path)),
                Found::Problem(_, message) => {
                    format!(
                        "problem {}",
                        message.replace(&format!("{}/", root.display()), "")
                    )
                }
            })
            .collect()
    }

    #[test]
    fn gitignore_files_are_read_safely_and_respected() {
        let folder = Folder::new("walk");
        let root = folder.0.clone();
        let write = |name: &str, text: &str| folder.write(name, text);
        write(".gitignore", "drafts/\n*.tmp.md\n");
        write("a.md", "");
        write("drafts/b.md", "");
        write("c.tmp.md", "");
        write("sub/.gitignore", "!keep.tmp.md\nlocal.md\n");
        write("sub/keep.tmp.md", "");
        write("sub/local.md", "");
        write("sub/d.md", "");
        write(".hidden/e.md", "");
        std::fs::create_dir_all(root.join("piped")).unwrap();
        fifo(&root.join("piped/.gitignore"));
        write("piped/f.md", "");
        std::fs::create_dir_all(root.join("zero")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero/.gitignore")).unwrap();
        write("zero/g.md", "");
        let found = markdown_files(&root, &root);
        let mut names = names(&root, &found);
        names.sort();
        assert_eq!(
            names,
            [
                "a.md",
                "piped/f.md",
                "problem piped/.gitignore: is a FIFO, not a regular file; not read",
                "problem zero/.gitignore: is a symbolic link; not read",
                "sub/d.md",
                "sub/keep.tmp.md",
                "zero/g.md",
            ]
        );
        assert!(is_ignored(&root, &root.join("drafts/new.md")));
        assert!(is_ignored(&root, &root.join("sub/local.md")));
        assert!(!is_ignored(&root, &root.join("sub/keep.tmp.md")));
    }
}

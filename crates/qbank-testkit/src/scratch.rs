//! Scratch folders for tests and benchmarks: a fresh folder under the
//! system's temporary folder, unique within and across test processes,
//! with files written by relative path (parent folders made on the way),
//! `file://` URIs for the protocol, and removal when dropped. A test that
//! runs the real binary gives it a scratch folder as HOME too (see
//! `client::lsp_command`), so nothing lands in the developer's home.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A folder that exists as long as this value does.
pub struct Scratch {
    root: PathBuf,
}

impl Scratch {
    /// A fresh, empty folder whose name starts with `qbank-{name}-`. Its path
    /// is canonical, so it compares equal to paths the server reports.
    pub fn new(name: &str) -> Scratch {
        static CREATED: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "qbank-{name}-{}-{}",
            std::process::id(),
            CREATED.fetch_add(1, Ordering::SeqCst)
        ));
        // A folder left by an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", root.display()));
        let root = root.canonicalize().expect("a folder just made has a path");
        Scratch { root }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a file or folder inside, by relative path.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The `file://` URI of a file inside; `uri("")` names the folder.
    pub fn uri(&self, relative: &str) -> String {
        file_uri(&self.path(relative))
    }

    /// Writes a file (making its folders) and returns its path.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|error| panic!("cannot create {}: {error}", parent.display()));
        }
        std::fs::write(&path, contents)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        path
    }

    /// Makes a folder inside (and its parents) and returns its path.
    pub fn folder(&self, relative: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", path.display()));
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The `file://` URI of an absolute path, as the server writes it.
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

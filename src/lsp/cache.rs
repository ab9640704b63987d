//! The built-in bank's copy in the user's cache folder, so that definition
//! can point any editor at a real file: `$XDG_CACHE_HOME/qbank/backend.md`,
//! else `~/.cache/qbank/backend.md`. It is the only file qbank writes, and
//! only when missing or different. Something planted there (a link, a
//! FIFO) is never written through nor waited on: the copy is written to a
//! file created exclusively under a random name, renamed over the final
//! name (which replaces a link rather than following it), then read back
//! through the one reader before anyone is pointed at it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::files::{self, FileRole, Reach};
/// The cache folder from the environment, without any crate's guessing.
fn cache_folder() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|folder| folder.is_absolute());
    from_xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|home| home.is_absolute())
            .map(|home| home.join(".cache"))
    })
}

/// Writes the built-in bank's text to the cache (when it is not already
/// there) and returns the file's path.
pub fn builtin_copy(text: &str) -> io::Result<PathBuf> {
    let folder = cache_folder()
        .ok_or_else(|| io::Error::other("neither XDG_CACHE_HOME nor HOME is set"))?
        .join("qbank");
    let path = folder.join("backend.md");
    if holds(&path, text) {
        return Ok(path);
    }
    fs::create_dir_all(&folder)?;
    let mut partial = tempfile::Builder::new()
        .prefix("backend.md.")
        .suffix(".partial")
        .tempfile_in(&folder)?;
    partial.write_all(text.as_bytes())?;
    partial.persist(&path).map_err(|error| error.error)?;
    if !holds(&path, text) {
        return Err(io::Error::other(format!(
            "{}: changed as it was written; not used",
            files::shown_path(&path)
        )));
    }
    Ok(path)
}

/// Whether `path` is a regular file (no link) holding exactly `text`.
fn holds(path: &Path, text: &str) -> bool {
    files::read_text(path, FileRole::CacheCopy, Reach::NoLinks).is_ok_and(|found| found == text)
}

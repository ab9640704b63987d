//! The built-in bank's copy in the user's cache folder, so that definition
//! can point any editor at a real file: `$XDG_CACHE_HOME/qbank/backend.md`,
//! else `~/.cache/qbank/backend.md`. It is the only file qbank writes, and
//! only when missing or different.

use std::fs;
use std::io;
use std::path::PathBuf;

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
    if fs::read_to_string(&path).is_ok_and(|existing| existing == text) {
        return Ok(path);
    }
    fs::create_dir_all(&folder)?;
    let partial = folder.join(format!("backend.md.{}.partial", std::process::id()));
    fs::write(&partial, text)?;
    fs::rename(&partial, &path)?;
    Ok(path)
}

//! The one way qbank reads a file. A folder someone cloned may hold FIFOs,
//! links to devices, huge files or links out of the workspace, and
//! `read_to_string` blocks forever on the first and allocates until killed
//! on `/dev/zero`. Here a file is stat'ed before it is opened, opened
//! without blocking (and without becoming a controlling terminal), checked
//! again on the open descriptor to be a regular file, and read through a
//! limit that depends on what it is for. Every refusal is a `ReadError`
//! whose message is one line naming the file. Nothing else in qbank opens
//! a file for reading, so no feature can forget a check (`tests/tidy.rs`
//! holds the rest of the program to that). `replace_text` is the one way
//! qbank writes a user's file: `qbank review`'s marker, atomically, never
//! through a link, only over the text it read.

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a file is read as; each has its own size bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Bank,
    Note,
    Template,
    Config,
    /// A `.gitignore`.
    Ignore,
    /// The built-in bank's copy in the cache folder.
    CacheCopy,
}

impl FileRole {
    /// The largest file read in this role, in bytes.
    pub const fn limit(self) -> u64 {
        const MB: u64 = 1024 * 1024;
        match self {
            FileRole::Bank => 64 * MB,
            FileRole::Note | FileRole::Template | FileRole::CacheCopy => 4 * MB,
            FileRole::Config | FileRole::Ignore => MB,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            FileRole::Bank => "banks",
            FileRole::Note => "notes",
            FileRole::Template => "templates",
            FileRole::Config => "configuration",
            FileRole::Ignore => "ignore files",
            FileRole::CacheCopy => "the cache copy",
        }
    }
}

/// Where a path came from, which decides how far a link may lead.
#[derive(Debug, Clone, Copy)]
pub enum Reach<'a> {
    /// Named by the user (the command line, the editor's settings): a link
    /// may lead anywhere.
    Anywhere,
    /// Named or held by the workspace at this root (`.qbank.toml`, its
    /// banks, templates): the file, links followed, must lie under the root.
    Inside(&'a Path),
    /// Found by walking a folder, or a file qbank owns: a link is not read.
    NoLinks,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    PermissionDenied,
    Folder,
    /// A FIFO, a device, a socket: reading one may block or never end.
    Special(&'static str),
    Link,
    OutsideWorkspace,
    TooLarge {
        size: u64,
        role: FileRole,
    },
    Binary,
    NotUtf8 {
        offset: usize,
    },
    Other(String),
}

/// A file that was not read, and why. Shown as one line naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub path: PathBuf,
    pub refusal: Refusal,
}

impl ReadError {
    /// The reason alone, for a diagnostic that sits on the file itself.
    pub fn reason(&self) -> String {
        match &self.refusal {
            Refusal::NotFound => "no such file or folder".to_string(),
            Refusal::PermissionDenied => "permission denied".to_string(),
            Refusal::Folder => "is a folder, not a file".to_string(),
            Refusal::Special(kind) => format!("is {kind}, not a regular file; not read"),
            Refusal::Link => "is a symbolic link; not read".to_string(),
            Refusal::OutsideWorkspace => {
                "leads outside the workspace (through a link or `..`); not read".to_string()
            }
            Refusal::TooLarge { size, role } => format!(
                "is {}, over the {} limit for {}; not read",
                size_near(*size, role.limit()),
                megabytes(role.limit()),
                role.noun()
            ),
            Refusal::Binary => "looks binary (it holds NUL bytes), not markdown".to_string(),
            Refusal::NotUtf8 { offset } => {
                format!("is not UTF-8 (invalid byte at offset {offset})")
            }
            Refusal::Other(message) => message.clone(),
        }
    }

    pub fn is_too_large(&self) -> bool {
        matches!(self.refusal, Refusal::TooLarge { .. })
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", shown_path(&self.path), self.reason())
    }
}

impl std::error::Error for ReadError {}

/// A path as one line shows it: control characters (a newline in a file
/// name could forge a line of output) are escaped.
pub fn shown_path(path: &Path) -> String {
    escape_controls(&path.display().to_string())
}

/// Escapes control characters as `\n`, `\t`, `\u{1b}`…; other text stays.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|character| match character {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            control if control.is_control() => format!("\\u{{{:x}}}", control as u32),
            other => other.to_string(),
        })
        .collect()
}

/// A size beside a limit: in bytes when megabytes would round to the limit.
fn size_near(size: u64, limit: u64) -> String {
    if size < limit + limit / 10 {
        format!("{size} bytes")
    } else {
        megabytes(size)
    }
}

fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes % MB == 0 {
        format!("{} MB", bytes / MB)
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
}

/// Reads a UTF-8 text file in a role, refusing anything that is not a
/// regular file within the role's bound, binary, or not UTF-8.
pub fn read_text(path: &Path, role: FileRole, reach: Reach<'_>) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    read_checked(path, role, reach, &mut bytes)?;
    String::from_utf8(bytes).map_err(|error| not_utf8(path, error.utf8_error()))
}

/// `read_text` into a buffer the caller keeps from file to file (a
/// command that reads ten thousand notes and keeps none of them).
pub fn read_text_into<'b>(
    path: &Path,
    role: FileRole,
    reach: Reach<'_>,
    buffer: &'b mut Vec<u8>,
) -> Result<&'b str, ReadError> {
    read_checked(path, role, reach, buffer)?;
    std::str::from_utf8(buffer).map_err(|error| not_utf8(path, error))
}

fn not_utf8(path: &Path, error: std::str::Utf8Error) -> ReadError {
    ReadError {
        path: path.to_path_buf(),
        refusal: Refusal::NotUtf8 {
            offset: error.valid_up_to(),
        },
    }
}

/// The file's bytes into `bytes` (cleared first), refused if binary.
fn read_checked(
    path: &Path,
    role: FileRole,
    reach: Reach<'_>,
    bytes: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let refuse = |refusal| ReadError {
        path: path.to_path_buf(),
        refusal,
    };
    bytes.clear();
    read_bytes(path, role, reach, bytes).map_err(refuse)?;
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(refuse(Refusal::Binary));
    }
    Ok(())
}

fn read_bytes(
    path: &Path,
    role: FileRole,
    reach: Reach<'_>,
    bytes: &mut Vec<u8>,
) -> Result<(), Refusal> {
    // The path is checked before it is opened: opening some devices has
    // effects of its own.
    let before = match reach {
        Reach::NoLinks => std::fs::symlink_metadata(path),
        _ => std::fs::metadata(path),
    };
    check_kind(&before.map_err(io_refusal)?, role)?;
    let target = resolve(path, reach)?;
    let file = open_without_blocking(&target, matches!(reach, Reach::NoLinks))?;
    // …and the open file again: the path may have been swapped meanwhile.
    let metadata = file.metadata().map_err(io_refusal)?;
    check_kind(&metadata, role)?;
    let limit = role.limit();
    bytes.reserve(metadata.len().min(limit) as usize);
    // One byte past the limit tells a file that grew from one that fits.
    file.take(limit + 1)
        .read_to_end(bytes)
        .map_err(io_refusal)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            role,
        });
    }
    Ok(())
}

/// The path to open: for a workspace's file, its real path, which must lie
/// under the workspace's real root.
fn resolve(path: &Path, reach: Reach<'_>) -> Result<PathBuf, Refusal> {
    let Reach::Inside(root) = reach else {
        return Ok(path.to_path_buf());
    };
    let real = std::fs::canonicalize(path).map_err(io_refusal)?;
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !real.starts_with(&real_root) {
        return Err(Refusal::OutsideWorkspace);
    }
    Ok(real)
}

fn check_kind(metadata: &Metadata, role: FileRole) -> Result<(), Refusal> {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err(Refusal::Folder);
    }
    if kind.is_symlink() {
        return Err(Refusal::Link);
    }
    if !kind.is_file() {
        return Err(Refusal::Special(special_kind(metadata)));
    }
    if metadata.len() > role.limit() {
        return Err(Refusal::TooLarge {
            size: metadata.len(),
            role,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn special_kind(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &Metadata) -> &'static str {
    "a special file"
}

#[cfg(unix)]
fn open_without_blocking(path: &Path, no_links: bool) -> Result<File, Refusal> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
    if no_links {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) if no_links => Refusal::Link,
            _ => io_refusal(error),
        })
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path, _no_links: bool) -> Result<File, Refusal> {
    OpenOptions::new().read(true).open(path).map_err(io_refusal)
}

pub(crate) fn io_refusal(error: io::Error) -> Refusal {
    match error.kind() {
        io::ErrorKind::NotFound => Refusal::NotFound,
        io::ErrorKind::PermissionDenied => Refusal::PermissionDenied,
        io::ErrorKind::IsADirectory => Refusal::Folder,
        _ => Refusal::Other(error.to_string()),
    }
}

/// Why `replace_text` did not write.
#[derive(Debug)]
pub enum WriteRefusal {
    /// The file could not be read again, or is a link (never written
    /// through).
    Unreadable(ReadError),
    /// The file no longer holds what was read: someone else wrote it.
    Changed,
    Io(io::Error),
}

impl fmt::Display for WriteRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteRefusal::Unreadable(error) => write!(f, "{error}"),
            WriteRefusal::Changed => f.write_str("changed since it was read"),
            WriteRefusal::Io(error) => write!(f, "cannot be written: {error}"),
        }
    }
}

/// Replaces a note's text with `new`, only if it still holds `expected`:
/// atomically (a new file created exclusively in the same folder, with the
/// note's permissions, then renamed over it), never through a link (a note
/// that is a link is refused). The one write qbank makes to a user's file
/// (`qbank review`'s marker).
pub fn replace_text(path: &Path, expected: &str, new: &str) -> Result<(), WriteRefusal> {
    use std::io::Write;
    let current =
        read_text(path, FileRole::Note, Reach::NoLinks).map_err(WriteRefusal::Unreadable)?;
    if current != expected {
        return Err(WriteRefusal::Changed);
    }
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let permissions = std::fs::symlink_metadata(path)
        .map_err(WriteRefusal::Io)?
        .permissions();
    let mut partial = tempfile::Builder::new()
        .prefix(".qbank-review.")
        .suffix(".partial")
        .tempfile_in(folder)
        .map_err(WriteRefusal::Io)?;
    partial
        .write_all(new.as_bytes())
        .map_err(WriteRefusal::Io)?;
    partial.as_file().sync_all().map_err(WriteRefusal::Io)?;
    std::fs::set_permissions(partial.path(), permissions).map_err(WriteRefusal::Io)?;
    partial
        .persist(path)
        .map_err(|error| WriteRefusal::Io(error.error))?;
    Ok(())
}

/// Scratch folders and FIFOs for the unit tests of the modules that find
/// and read files.
#[cfg(all(test, unix))]
pub(crate) mod scratch {
    use std::path::{Path, PathBuf};

    /// A folder removed when dropped; its path is canonical.
    pub struct Folder(pub PathBuf);

    impl Folder {
        pub fn new(name: &str) -> Folder {
            let path = std::env::temp_dir().join(format!(
                "qbank-{name}-{}-{}",
                std::process::id(),
                fastrand::u64(..)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Folder(path.canonicalize().unwrap())
        }

        pub fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }

        /// Writes a file, making its folders.
        pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
            let path = self.path(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn fifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the file.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::scratch::{Folder, fifo};
    use super::*;
    use std::os::unix::fs::symlink;

    fn reason(path: &Path, role: FileRole, reach: Reach<'_>) -> String {
        match read_text(path, role, reach) {
            Ok(text) => format!("read {} bytes", text.len()),
            Err(error) => error.reason(),
        }
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let folder = Folder::new("special");
        fifo(&folder.path("pipe.md"));
        symlink("/dev/zero", folder.path("zero.md")).unwrap();
        symlink(folder.path("pipe.md"), folder.path("to-pipe.md")).unwrap();
        std::fs::create_dir(folder.path("folder.md")).unwrap();
        let cases = [
            ("pipe.md", "is a FIFO, not a regular file; not read"),
            (
                "zero.md",
                "is a character device, not a regular file; not read",
            ),
            ("to-pipe.md", "is a FIFO, not a regular file; not read"),
            ("folder.md", "is a folder, not a file"),
            ("missing.md", "no such file or folder"),
        ];
        for (name, expected) in cases {
            let path = folder.path(name);
            assert_eq!(
                reason(&path, FileRole::Note, Reach::Anywhere),
                expected,
                "{name}"
            );
        }
        assert_eq!(
            reason(Path::new("/dev/null"), FileRole::Bank, Reach::Anywhere),
            "is a character device, not a regular file; not read"
        );
    }

    #[test]
    fn sizes_are_bounded_by_role() {
        let folder = Folder::new("sizes");
        let config = folder.path(".qbank.toml");
        std::fs::write(&config, vec![b'#'; FileRole::Config.limit() as usize + 1]).unwrap();
        assert_eq!(
            reason(&config, FileRole::Config, Reach::Anywhere),
            "is 1048577 bytes, over the 1 MB limit for configuration; not read"
        );
        assert_eq!(
            reason(&config, FileRole::Note, Reach::Anywhere),
            "read 1048577 bytes"
        );
        let note = folder.path("big.md");
        std::fs::write(&note, vec![b'a'; 5 * 1024 * 1024]).unwrap();
        assert_eq!(
            reason(&note, FileRole::Note, Reach::Anywhere),
            "is 5 MB, over the 4 MB limit for notes; not read"
        );
    }

    #[test]
    fn links_stay_inside_the_workspace_when_asked() {
        let root = Folder::new("root");
        let outside = Folder::new("outside");
        std::fs::write(outside.path("secret.md"), "secret\n").unwrap();
        std::fs::write(root.path("own.md"), "own\n").unwrap();
        symlink(outside.path("secret.md"), root.path("linked.md")).unwrap();
        symlink(root.path("own.md"), root.path("inner.md")).unwrap();
        let inside = Reach::Inside(&root.0);
        assert_eq!(
            reason(&root.path("linked.md"), FileRole::Template, inside),
            "leads outside the workspace (through a link or `..`); not read"
        );
        let dotdot = root
            .path("..")
            .join(outside.0.file_name().unwrap())
            .join("secret.md");
        assert_eq!(
            reason(&dotdot, FileRole::Bank, inside),
            "leads outside the workspace (through a link or `..`); not read"
        );
        assert_eq!(
            reason(&root.path("inner.md"), FileRole::Template, inside),
            "read 4 bytes"
        );
        assert_eq!(
            reason(&root.path("linked.md"), FileRole::Template, Reach::Anywhere),
            "read 7 bytes"
        );
        assert_eq!(
            reason(&root.path("inner.md"), FileRole::Note, Reach::NoLinks),
            "is a symbolic link; not read"
        );
        assert_eq!(
            reason(&root.path("own.md"), FileRole::Note, Reach::NoLinks),
            "read 4 bytes"
        );
    }

    #[test]
    fn text_must_be_utf8_and_not_binary() {
        let folder = Folder::new("text");
        std::fs::write(folder.path("latin1.md"), b"caf\xe9\n").unwrap();
        std::fs::write(folder.path("binary.md"), b"a\0b").unwrap();
        assert_eq!(
            reason(&folder.path("latin1.md"), FileRole::Note, Reach::Anywhere),
            "is not UTF-8 (invalid byte at offset 3)"
        );
        assert_eq!(
            reason(&folder.path("binary.md"), FileRole::Note, Reach::Anywhere),
            "looks binary (it holds NUL bytes), not markdown"
        );
    }

    #[test]
    fn messages_are_one_line_whatever_the_name() {
        let error = ReadError {
            path: PathBuf::from("notes/a\nb.md: error[x]: forged"),
            refusal: Refusal::NotFound,
        };
        assert_eq!(
            error.to_string(),
            "notes/a\\nb.md: error[x]: forged: no such file or folder"
        );
        assert_eq!(escape_controls("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\\tc");
    }
}

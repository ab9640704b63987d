//! The I/O edge both front ends share: finding the workspace root, reading
//! `.qbank.toml`, bank files, template overrides and notes from disk, and
//! turning unreadable input into one-line errors that name the file. The
//! core never touches the filesystem; this module is where it is touched.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::core::bank::{Bank, first_sections, parse_bank};
use crate::core::builtin::{BUILTIN_NAME, builtin_bank};
use crate::core::check::CheckCaches;
use crate::core::check::{FolderNotes, SiblingNote};
use crate::core::config::{CONFIG_FILE, Config, ConfigProblem, Fallback, Settings, read_config};
use crate::core::diagnostic::Severity;
use crate::core::front_matter::text_start;
use crate::core::index::Index;
use crate::core::line_index::{ColumnUnit, LineIndex};
use crate::core::note::parse_note;
use crate::core::shape::Shape;
use crate::core::template::{Mode, Overrides};
use crate::files::{self, FileRole, Reach, ReadError, shown_path};

/// What the caller adds to `.qbank.toml`: `--bank` paths and `--no-builtin`
/// from the command line, or the editor's settings, applied key by key.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub extra_banks: Vec<PathBuf>,
    pub no_builtin: bool,
    pub settings: Settings,
    /// What a bad key of `.qbank.toml` keeps, instead of its default: the
    /// server passes the configuration it used until the file turned bad.
    pub fallback_config: Option<Config>,
}

impl LoadOptions {
    fn fallback(&self) -> Fallback<'_> {
        Fallback::keeping(self.fallback_config.as_ref())
    }
}

/// Something that could not be loaded: a bad key of `.qbank.toml`, or an
/// unreadable file. `message` is one line that names the file (and, inside
/// `.qbank.toml`, the line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    pub path: PathBuf,
    pub message: String,
    /// A problem inside `.qbank.toml`, as the editor shows it on the file.
    pub config: Option<ConfigProblem>,
}

/// Everything loaded for one workspace root. Cloning is cheap: the index is shared.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// The configuration as `.qbank.toml` gave it (a bad key's value from
    /// the fallback), before the caller's settings.
    pub file_config: Config,
    pub index: Arc<Index>,
    pub overrides: Overrides,
    /// The files of the banks in use, canonicalized.
    pub bank_files: Vec<PathBuf>,
    /// What could not be loaded; the rest of the workspace still is.
    pub problems: Vec<LoadProblem>,
    /// Template scaffolding and judged answers for this index and these
    /// overrides, kept across the checks of notes (a workspace never
    /// changes either: a change makes a new workspace, with new caches).
    pub checks: Arc<Mutex<CheckCaches>>,
    /// Whether this only serves while the folder's banks are read (the
    /// `placeholder`, or a preview of their first sections): its index
    /// lacks them, or most of them, so a note's keys cannot be checked
    /// against it.
    pub banks_loading: bool,
}

impl Workspace {
    /// The check caches, even after a panic poisoned their lock (a
    /// half-filled cache only lacks entries).
    pub fn caches(&self) -> std::sync::MutexGuard<'_, CheckCaches> {
        self.checks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A workspace with no root on disk: the built-in bank (unless the
    /// settings turn it off) and default configuration.
    pub fn detached(settings: &Settings) -> Workspace {
        Workspace::without_banks(PathBuf::new(), Config::default(), settings)
    }

    /// What serves a folder while its banks load in the background: its
    /// `.qbank.toml` and the editor's settings as `load_workspace` applies
    /// them, so a folder that turns the built-in bank off never gets its
    /// answers meanwhile, and no bank of its own yet. Problems wait for the
    /// real load, which reports them.
    pub fn placeholder(root: &Path, settings: &Settings) -> Workspace {
        let (file_config, _) = load_config(root, Fallback::Defaults);
        Workspace {
            banks_loading: true,
            ..Workspace::without_banks(root.to_path_buf(), file_config, settings)
        }
    }

    /// A workspace with the built-in bank at most: `file_config` with the
    /// editor's settings over it, nothing read but that.
    fn without_banks(root: PathBuf, file_config: Config, settings: &Settings) -> Workspace {
        let mut config = file_config.clone();
        config.apply(settings);
        Workspace {
            root,
            index: index_of(config.builtin, Vec::new()),
            config,
            file_config,
            overrides: Overrides::default(),
            bank_files: Vec::new(),
            problems: Vec::new(),
            checks: Arc::default(),
            banks_loading: false,
        }
    }

    pub fn is_bank_file(&self, path: &Path) -> bool {
        let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.bank_files.contains(&path)
    }

    /// The position in the index's banks of the bank read from `path`.
    pub fn bank_position(&self, path: &Path) -> Option<usize> {
        let name = display_path(&fs::canonicalize(path).ok()?, &self.root);
        self.index.banks().iter().position(|bank| bank.name == name)
    }

    /// The same workspace with some banks read from other texts (an editor's
    /// buffers), by bank name; the other banks are reused as they are.
    pub fn with_bank_texts(&self, mut texts: Vec<(String, Arc<str>)>) -> Workspace {
        let banks: Vec<Bank> = self
            .index
            .banks()
            .iter()
            .filter(|bank| bank.name != BUILTIN_NAME)
            .map(|bank| {
                match texts.iter().position(|(name, _)| *name == bank.name) {
                    // The buffer's text moves into the bank: a 30 MB bank is
                    // not copied once more.
                    Some(found) => {
                        let (name, text) = texts.swap_remove(found);
                        parse_bank(&name, &file_stem(Path::new(&name)), text)
                    }
                    None => bank.clone(),
                }
            })
            .collect();
        let builtin = self.uses_builtin().then(builtin_bank);
        Workspace {
            index: Arc::new(Index::new(builtin, banks)),
            // Scaffolding belongs to an index: a new one starts empty.
            checks: Arc::default(),
            ..self.clone()
        }
    }

    /// Whether the built-in bank was asked for (it is left out when another
    /// bank takes its prefix).
    fn uses_builtin(&self) -> bool {
        self.config.builtin
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The workspace root for a starting folder: the nearest ancestor holding
/// `.qbank.toml`, else the nearest holding `.git` or `questions/`, else the
/// folder itself.
pub fn find_root(start: &Path) -> PathBuf {
    let start = fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for marker in [CONFIG_FILE, ".git", "questions"] {
        if let Some(found) = start
            .ancestors()
            .find(|folder| folder.join(marker).exists())
        {
            return found.to_path_buf();
        }
    }
    start
}

impl LoadProblem {
    /// A file that was not read.
    fn unread(error: ReadError) -> LoadProblem {
        LoadProblem {
            message: error.to_string(),
            path: error.path,
            config: None,
        }
    }

    /// Something wrong with a path itself (it cannot be listed).
    fn at(path: PathBuf, reason: impl std::fmt::Display) -> LoadProblem {
        LoadProblem {
            message: format!("{}: {reason}", shown_path(&path)),
            path,
            config: None,
        }
    }

    /// A bad key of `.qbank.toml`, said as `path:line:col: message`.
    fn in_config(path: &Path, text: &str, problem: ConfigProblem) -> LoadProblem {
        let position = LineIndex::new(text).line_col(text, problem.range.start, ColumnUnit::Char);
        LoadProblem {
            message: format!(
                "{}:{}:{}: {}",
                shown_path(path),
                position.line + 1,
                position.character + 1,
                problem.message
            ),
            path: path.to_path_buf(),
            config: Some(problem),
        }
    }

    /// Whether it is an error: everything but an unknown key of
    /// `.qbank.toml`, which is only ignored.
    pub fn is_error(&self) -> bool {
        self.config
            .as_ref()
            .is_none_or(|problem| problem.severity == Severity::Error)
    }
}

/// The index of the built-in bank (when `builtin`) and `banks`. The
/// built-in bank alone is indexed once and shared by every workspace that
/// has no bank of its own: a server with a folder and documents outside it
/// held it two or three times, each analysed on its own.
fn index_of(builtin: bool, banks: Vec<Bank>) -> Arc<Index> {
    static BUILTIN_ONLY: OnceLock<Arc<Index>> = OnceLock::new();
    if builtin && banks.is_empty() {
        let shared =
            BUILTIN_ONLY.get_or_init(|| Arc::new(Index::new(Some(builtin_bank()), Vec::new())));
        return Arc::clone(shared);
    }
    Arc::new(Index::new(builtin.then(builtin_bank), banks))
}

/// Reads `.qbank.toml` at the root, if there is one, onto the defaults:
/// a bad key keeps the fallback's value and is a problem, the others apply.
pub fn load_config(root: &Path, fallback: Fallback<'_>) -> (Config, Vec<LoadProblem>) {
    let path = root.join(CONFIG_FILE);
    let kept = match fallback {
        Fallback::Defaults => Config::default(),
        Fallback::LastValid(config) => config.clone(),
    };
    // A dangling link is no configuration; anything else there is read,
    // and refused if it is not a regular file inside the workspace.
    if fs::symlink_metadata(&path).is_err() {
        return (Config::default(), Vec::new());
    }
    let text = match files::read_text(&path, FileRole::Config, Reach::Inside(root)) {
        Ok(text) => text,
        Err(error) => return (kept, vec![LoadProblem::unread(error)]),
    };
    let read = read_config(&text, fallback);
    let problems = read
        .problems
        .into_iter()
        .map(|problem| LoadProblem::in_config(&path, &text, problem))
        .collect();
    (read.config, problems)
}

/// A bank file to read, and whether the user named it (the command line,
/// the editor's settings) or the workspace did.
#[derive(Debug, Clone)]
struct BankSource {
    path: PathBuf,
    named_by_user: bool,
}

impl BankSource {
    fn reach<'a>(&self, root: &'a Path) -> Reach<'a> {
        if self.named_by_user {
            Reach::Anywhere
        } else {
            Reach::Inside(root)
        }
    }
}

/// The markdown files of a bank path: the file itself, or a folder's `*.md`
/// files in name order.
fn bank_files_at(path: &Path) -> Result<Vec<PathBuf>, LoadProblem> {
    let not_listed = |error: std::io::Error| {
        LoadProblem::unread(ReadError {
            path: path.to_path_buf(),
            refusal: files::io_refusal(error),
        })
    };
    if !fs::metadata(path).map_err(not_listed)?.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found: Vec<PathBuf> = fs::read_dir(path)
        .map_err(not_listed)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        // Anything but a folder is read, and refused if it is no regular
        // file: a FIFO among the banks is said, not skipped.
        .filter(|file| {
            file.extension().is_some_and(|extension| extension == "md") && !file.is_dir()
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(LoadProblem::at(
            path.to_path_buf(),
            "no banks here (a bank is a `.md` file)",
        ));
    }
    Ok(found)
}

/// Loads configuration, banks and template overrides for a root. It never
/// fails: what cannot be read is recorded in `problems` and left out (a
/// bad key of `.qbank.toml` keeps its default, or the caller's fallback),
/// and the rest loads.
pub fn load_workspace(root: &Path, options: &LoadOptions) -> Workspace {
    load_workspace_with_preview(root, options, None::<fn(Workspace)>)
}

/// How much of a large bank a preview holds: about 3,000 questions,
/// parsed and indexed in a few milliseconds.
const PREVIEW_BYTES: usize = 1 << 20;

/// `load_workspace`, handing `preview` (when there is one) a workspace of
/// what is read so far as soon as a bank too large to parse in a moment is
/// read: the banks before it, and its first sections
/// (`bank::first_sections`). The preview says its banks are loading
/// (`banks_loading`), so nothing is checked against it; its problems are
/// left for the whole.
pub fn load_workspace_with_preview(
    root: &Path,
    options: &LoadOptions,
    mut preview: Option<impl FnOnce(Workspace)>,
) -> Workspace {
    let (file_config, mut problems) = load_config(root, options.fallback());
    let mut config = file_config.clone();
    config.apply(&options.settings);
    config.builtin &= !options.no_builtin;
    let templates = root.join(&config.templates);
    let templates_reach = if options.settings.templates.is_some() {
        Reach::Anywhere
    } else {
        Reach::Inside(root)
    };
    let (overrides, template_problems) = load_overrides(&templates, templates_reach);
    let sources = bank_sources(root, &config, options, &mut problems);
    let mut bank_files: Vec<PathBuf> = Vec::new();
    let mut banks: Vec<Bank> = Vec::new();
    let canonical_of = |source: &BankSource| {
        fs::canonicalize(&source.path).unwrap_or_else(|_| source.path.clone())
    };
    // A file the user names is theirs, even where the workspace names it too.
    let named_by_user: Vec<PathBuf> = sources
        .iter()
        .filter(|source| source.named_by_user)
        .map(canonical_of)
        .collect();
    let workspace = |index, bank_files, problems, banks_loading| Workspace {
        root: root.to_path_buf(),
        config: config.clone(),
        file_config: file_config.clone(),
        index,
        overrides: overrides.clone(),
        bank_files,
        problems,
        checks: Arc::default(),
        banks_loading,
    };
    for mut source in sources {
        let canonical = canonical_of(&source);
        if bank_files.contains(&canonical) {
            continue;
        }
        source.named_by_user |= named_by_user.contains(&canonical);
        let text = match files::read_text(&source.path, FileRole::Bank, source.reach(root)) {
            Ok(text) => text,
            Err(error) => {
                problems.push(LoadProblem::unread(error));
                continue;
            }
        };
        let name = display_path(&canonical, root);
        let stem = file_stem(&canonical);
        // The first bank large enough is previewed, the others are not.
        let first = preview
            .as_ref()
            .and_then(|_| first_sections(&text, PREVIEW_BYTES));
        if let Some(first) = first {
            if let Some(preview) = preview.take() {
                let mut read = banks.clone();
                read.push(parse_bank(&name, &stem, first));
                let index = index_of(config.builtin, read);
                preview(workspace(index, Vec::new(), Vec::new(), true));
            }
        }
        banks.push(parse_bank(&name, &stem, text));
        bank_files.push(canonical);
    }
    problems.extend(template_problems);
    workspace(index_of(config.builtin, banks), bank_files, problems, false)
}

/// The bank files a root uses, in order: `questions/*.md`, the configured
/// banks, then the caller's. Paths that cannot be listed become problems.
fn bank_sources(
    root: &Path,
    config: &Config,
    options: &LoadOptions,
    problems: &mut Vec<LoadProblem>,
) -> Vec<BankSource> {
    let mut sources: Vec<BankSource> = Vec::new();
    let mut add = |paths: Vec<PathBuf>, named_by_user: bool| {
        sources.extend(paths.into_iter().map(|path| BankSource {
            path,
            named_by_user,
        }));
    };
    let questions_folder = root.join("questions");
    if questions_folder.is_dir() {
        add(bank_files_at(&questions_folder).unwrap_or_default(), false);
    }
    // Banks from the editor's settings replace `.qbank.toml`'s: the user's.
    let configured_by_user = options.settings.banks.is_some();
    let configured = config
        .banks
        .iter()
        .map(|bank| (root.join(bank), configured_by_user));
    let given = options.extra_banks.iter().map(|path| (path.clone(), true));
    for (path, named_by_user) in configured.chain(given) {
        match bank_files_at(&path) {
            Ok(found) => add(found, named_by_user),
            Err(problem) => problems.push(problem),
        }
    }
    sources
}

/// How many bytes of banks a root would load, without reading them: the
/// server loads small banks before it answers `initialize` and large ones
/// in the background.
pub fn bank_bytes(root: &Path, options: &LoadOptions) -> u64 {
    let (mut config, _) = load_config(root, options.fallback());
    config.apply(&options.settings);
    bank_sources(root, &config, options, &mut Vec::new())
        .iter()
        .filter_map(|source| fs::metadata(&source.path).ok())
        .filter(|metadata| metadata.is_file())
        .map(|metadata| metadata.len().min(FileRole::Bank.limit()))
        .sum()
}

/// A path as messages show it: relative to the root when it is inside it.
pub fn display_path(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Whether a markdown text declares itself a bank: front matter with a
/// `prefix` (after a byte order mark, if there is one).
pub fn declares_bank(text: &str) -> bool {
    let text = &text[text_start(text)..];
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return false;
    };
    let front_matter = rest.split("\n---").next().unwrap_or("");
    front_matter
        .lines()
        .any(|line| line.trim_start().starts_with("prefix:"))
}

/// Template overrides from `<folder>/<mode>/<shape>.md`. A missing file is
/// no override; one that cannot be read is a problem, and the built-in
/// template stays.
pub fn load_overrides(folder: &Path, reach: Reach<'_>) -> (Overrides, Vec<LoadProblem>) {
    let mut overrides = Overrides::default();
    let mut problems = Vec::new();
    if !folder.is_dir() {
        return (overrides, problems);
    }
    for mode in Mode::ALL {
        for shape in Shape::ALL {
            let path = folder
                .join(mode.as_str())
                .join(format!("{}.md", shape.as_str()));
            if fs::symlink_metadata(&path).is_err() {
                continue;
            }
            match files::read_text(&path, FileRole::Template, reach) {
                Ok(text) => overrides.insert(mode, shape, text),
                Err(error) => problems.push(LoadProblem::unread(error)),
            }
        }
    }
    (overrides, problems)
}

/// The question headings of the notes of a folder (banks left out), read
/// once for all of them; what cannot be read is left out (it is reported
/// when it is checked or indexed itself).
pub fn folder_notes(workspace: &Workspace, folder: &Path) -> FolderNotes {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(entries) = fs::read_dir(folder) else {
        return FolderNotes::default();
    };
    let notes: Vec<SiblingNote> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .filter(|path| !workspace.is_bank_file(path))
        .filter_map(|path| {
            let text = files::read_text(&path, FileRole::Note, Reach::NoLinks).ok()?;
            let keys = parse_note(&text)
                .headings
                .into_iter()
                .filter_map(|heading| heading.key.map(|found| found.key))
                .collect();
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some(SiblingNote { name, keys })
        })
        .collect();
    FolderNotes::new(notes)
}

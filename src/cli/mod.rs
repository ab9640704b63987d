//! The `qbank` command line: parses arguments, loads the workspace, calls
//! the core and prints text or JSON. Errors become one line on stderr and a
//! non-zero exit; nothing here panics on bad input.

mod args;
mod output;
mod questions;
mod review;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::core::bank::Level;
use crate::core::check::{CheckCaches, CheckSettings, FolderNotes, check_note_with};
use crate::core::coverage::section_coverages;
use crate::core::diagnostic::Severity;
use crate::core::handout::{self, LeftOut};
use crate::core::ide::notes::NoteSummary;
use crate::core::index::QuestionId;
use crate::core::line_index::{ColumnUnit, LineIndex};
use crate::core::note::parse_note;
use crate::core::packet::PacketRequest;
use crate::core::template::Mode;
use crate::files::{self, FileRole, Reach, ReadError, escape_controls, shown_path};
use crate::walk::Found;
use crate::workspace::{
    self, LoadOptions, LoadProblem, Workspace, declares_bank, find_root, folder_notes,
    load_workspace,
};

use args::{Cli, Command, Format};
use output::{CategoryStats, FileReport, QuestionFacts, print_diagnostic, write_json};

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // Output cut short by its reader (`| head`) is normal on a command
        // line: the command ends quietly, as git and ripgrep do.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            warn(&format!("{error:#}"));
            ExitCode::from(2)
        }
    }
}

/// Exit code 1 when a command failed in a way its user should know of (a
/// named file unread, an error found, nothing found), else 0.
fn failure_if(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// One line on stderr. A closed stderr loses the line and nothing else
/// (`eprintln!` would panic).
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "qbank: {message}");
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Lsp { .. } = cli.command {
        return crate::lsp::run();
    }
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let root = find_root(&current);
    let mut options = LoadOptions {
        extra_banks: cli.global.banks.clone(),
        no_builtin: cli.global.no_builtin,
        ..LoadOptions::default()
    };
    if let Command::Check { paths } = &cli.command {
        options.extra_banks.extend(self_declared_banks(paths));
    }
    let workspace = load_workspace(&root, &options);
    // A bank the user named must load; what the workspace holds is
    // reported, left out, and the rest goes on (`check` then exits 1).
    if let Some(problem) = workspace
        .problems
        .iter()
        .find(|problem| options.extra_banks.contains(&problem.path))
    {
        bail!("{}", problem.message);
    }
    for problem in &workspace.problems {
        warn(&problem.message);
    }
    // Related questions include near-duplicates once the analysis is done;
    // a one-shot command waits for it (search does not need it).
    if !matches!(cli.command, Command::Search { .. }) {
        workspace.index.similarity();
    }
    let format = cli.global.format;
    // One write per buffer, not per line: 200,000 diagnostic lines into a
    // pipe were 200,000 system calls.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let code = match cli.command {
        Command::Lsp { .. } => unreachable!("handled above"),
        Command::Search { query, limit } => {
            questions::search(&workspace, &query.join(" "), limit, format, &mut out)
        }
        Command::Show {
            key,
            template,
            mode,
        } => {
            let mode = mode.map(Mode::from).unwrap_or(workspace.config.mode);
            questions::show(&workspace, &key, template.then_some(mode), format, &mut out)
        }
        Command::Packet {
            count,
            categories,
            seed,
            mode,
            level,
            minutes,
        } => {
            // A time budget alone draws as many questions as fit.
            let count = match (count, minutes) {
                (Some(count), _) => count,
                (None, Some(_)) => usize::MAX,
                (None, None) => workspace.config.packet_size,
            };
            let request = PacketRequest {
                count,
                categories,
                seed: seed.unwrap_or_else(time_seed),
                exclude: Vec::new(),
                level: level.map(Level::from),
                minutes,
            };
            let mode = mode.map(Mode::from).unwrap_or(workspace.config.mode);
            questions::packet(&workspace, &request, mode, format, &mut out)
        }
        Command::Check { paths } => check(&workspace, &paths, format, &mut out),
        Command::Stats { paths } => stats(&workspace, &paths, format, &mut out),
        Command::Handout { note } => handout(&workspace, &note, format, &mut out),
        Command::Due { paths } => review::due(&workspace, &paths, format, &mut out),
        Command::Review { paths, new } => review::review(&workspace, &paths, new, &mut out),
    }?;
    out.flush()?;
    Ok(code)
}

fn time_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64)
}

/// Files named on the command line that declare themselves banks
/// (front matter with a `prefix`), so `qbank check team/sre.md` checks it as one.
fn self_declared_banks(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|path| {
            files::read_text(path, FileRole::Bank, Reach::Anywhere)
                .is_ok_and(|text| declares_bank(&text))
        })
        .cloned()
        .collect()
}

/// A file to check or count, and whether the user named it on the
/// command line (rather than a folder holding it, or the workspace).
struct Target {
    path: PathBuf,
    named: bool,
}

impl Target {
    /// A named file may be a link the user chose; a file found in a folder
    /// is read only if it is no link.
    fn reach(&self) -> Reach<'static> {
        if self.named {
            Reach::Anywhere
        } else {
            Reach::NoLinks
        }
    }
}

/// The markdown files to check or count: named files, folders' notes, or
/// the whole workspace.
fn expand_paths(
    workspace: &Workspace,
    paths: &[PathBuf],
    include_banks: bool,
) -> Result<Vec<Target>> {
    let found = |path: PathBuf| Target { path, named: false };
    if paths.is_empty() {
        let (mut files, problems) = crate::notes::list_notes(workspace);
        for problem in problems {
            warn(&problem.message);
        }
        if include_banks {
            files.extend(workspace.bank_files.iter().cloned());
        }
        return Ok(files.into_iter().map(found).collect());
    }
    let mut targets = Vec::new();
    for path in paths {
        if !path.is_dir() {
            targets.push(Target {
                path: path.clone(),
                named: true,
            });
            continue;
        }
        // The same walk as the workspace's (links not followed, hidden files
        // and `.gitignore`d ones left out, only regular files), shown as
        // the user named the folder.
        let start = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let ignores_from = if start.starts_with(&workspace.root) {
            workspace.root.clone()
        } else {
            start.clone()
        };
        let mut in_folder: Vec<PathBuf> = Vec::new();
        for found in crate::walk::markdown_files(&ignores_from, &start) {
            match found {
                Found::Markdown(file) => {
                    if include_banks || !workspace.is_bank_file(&file) {
                        let inside = file.strip_prefix(&start).unwrap_or(&file);
                        in_folder.push(path.join(inside));
                    }
                }
                Found::Special(file) => warn(&crate::walk::not_regular(&file)),
                Found::Problem(_, message) => warn(&message),
            }
        }
        in_folder.sort();
        if in_folder.is_empty() {
            bail!("{}: no markdown files here", shown_path(path));
        }
        targets.extend(in_folder.into_iter().map(found));
    }
    Ok(targets)
}

fn check(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let targets = expand_paths(workspace, paths, true)?;
    let today = crate::clock::today().map_err(anyhow::Error::msg)?;
    let settings = CheckSettings::new(&workspace.overrides, &workspace.config, today);
    let mut reports: Vec<FileReport> = Vec::new();
    // Each folder's notes are read once, however many of them are checked.
    let mut folders: HashMap<PathBuf, FolderNotes> = HashMap::new();
    for target in &targets {
        let folder = folder_of(&target.path);
        if workspace.bank_position(&target.path).is_none() && !folders.contains_key(&folder) {
            let notes = folder_notes(workspace, &folder);
            folders.insert(folder, notes);
        }
    }
    let checked = crate::parallel::on_every_core(&targets, |chunk| {
        // Each question's scaffolding is worked out once per thread.
        let mut caches = CheckCaches::default();
        chunk
            .iter()
            .map(|target| check_file(workspace, target, &folders, settings, &mut caches))
            .collect()
    });
    let mut unread_named = false;
    for (target, result) in targets.iter().zip(checked) {
        match result {
            Ok((text, diagnostics)) => reports.push(FileReport {
                path: shown_name(workspace, &target.path, !paths.is_empty()),
                text,
                diagnostics,
            }),
            Err(error) => {
                warn(&error.to_string());
                unread_named |= target.named;
            }
        }
    }
    let has_errors = reports
        .iter()
        .flat_map(|report| &report.diagnostics)
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    match format {
        Format::Json => {
            let objects: Vec<_> = reports
                .iter()
                .flat_map(|report| {
                    let lines = LineIndex::new(&report.text);
                    report
                        .diagnostics
                        .iter()
                        .map(move |diagnostic| {
                            output::diagnostic_json(&report.path, &report.text, &lines, diagnostic)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            write_json(out, &objects)?;
        }
        Format::Text => {
            for report in &reports {
                let lines = LineIndex::new(&report.text);
                // A newline in a file name must not forge a line.
                let path = escape_controls(&report.path);
                for diagnostic in &report.diagnostics {
                    print_diagnostic(out, &path, &report.text, &lines, diagnostic)?;
                }
            }
            // The summary comes after the lines, on a terminal too.
            out.flush()?;
            let files = reports.len();
            let unread = targets.len() - files;
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} in {} file{}{}",
                output::count_summary(&reports),
                files,
                if files == 1 { "" } else { "s" },
                if unread > 0 {
                    format!(" ({unread} not read)")
                } else {
                    String::new()
                }
            );
        }
    }
    // What the workspace could not load fails the check as an error in a
    // note would; an unknown key of `.qbank.toml` is ignored, as a warning is.
    let workspace_errors = workspace.problems.iter().any(LoadProblem::is_error);
    let failed = has_errors || unread_named || workspace_errors;
    Ok(failure_if(failed))
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new("")).to_path_buf()
}

/// One file's text and diagnostics: a bank's from the index, a note's
/// from its text and the other notes of its folder.
fn check_file(
    workspace: &Workspace,
    target: &Target,
    folders: &HashMap<PathBuf, FolderNotes>,
    settings: CheckSettings<'_>,
    caches: &mut CheckCaches,
) -> Result<(String, Vec<crate::core::diagnostic::Diagnostic>), ReadError> {
    let path = &target.path;
    if let Some(position) = workspace.bank_position(path) {
        let text = workspace.index.banks()[position].text.to_string();
        return Ok((text, workspace.index.bank_diagnostics(position)));
    }
    let text = files::read_text(path, FileRole::Note, target.reach())?;
    let no_siblings = FolderNotes::default();
    let notes = folders.get(&folder_of(path)).unwrap_or(&no_siblings);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let diagnostics = check_note_with(
        &workspace.index,
        &text,
        &parse_note(&text),
        notes.siblings_of(&name),
        settings,
        caches,
    );
    Ok((text, diagnostics))
}

/// A path as the user named it when they named it, else relative to the root.
fn shown_name(workspace: &Workspace, file: &Path, named: bool) -> String {
    if named {
        file.display().to_string()
    } else {
        workspace::display_path(file, &workspace.root)
    }
}

/// The note files the paths name (every note of the workspace without
/// any): which to read, how far a link may lead, which the user named, and
/// what the walk could not read.
struct NoteFiles {
    paths: Vec<PathBuf>,
    reach: Reach<'static>,
    named: Vec<PathBuf>,
    problems: Vec<crate::notes::NoteProblem>,
}

fn note_files(workspace: &Workspace, paths: &[PathBuf]) -> Result<NoteFiles> {
    if paths.is_empty() {
        let (paths, problems) = crate::notes::list_notes(workspace);
        return Ok(NoteFiles {
            paths,
            reach: Reach::NoLinks,
            named: Vec::new(),
            problems,
        });
    }
    let targets = expand_paths(workspace, paths, false)?;
    Ok(NoteFiles {
        named: targets
            .iter()
            .filter(|target| target.named)
            .map(|target| target.path.clone())
            .collect(),
        paths: targets.into_iter().map(|target| target.path).collect(),
        reach: Reach::Anywhere,
        problems: Vec::new(),
    })
}

impl NoteFiles {
    /// Reads the files on every core, `each` making what the command needs
    /// of a note; says each file that was not read, and whether one of them
    /// was named by the user (a command fails only then).
    fn read<T: Send>(
        mut self,
        workspace: &Workspace,
        each: impl Fn(&str, &str, &mut CheckCaches) -> T + Sync,
    ) -> (Vec<T>, bool) {
        let (read, problems) = crate::notes::read_files(workspace, &self.paths, self.reach, each);
        self.problems.extend(problems);
        for problem in &self.problems {
            warn(&problem.message);
        }
        let unread_named = self
            .problems
            .iter()
            .any(|problem| self.named.contains(&problem.path));
        (read, unread_named)
    }
}

/// The notes the paths name, summarized, and whether a named one was not
/// read.
fn load_summaries(workspace: &Workspace, paths: &[PathBuf]) -> Result<(Vec<NoteSummary>, bool)> {
    Ok(
        note_files(workspace, paths)?.read(workspace, |name, text, caches| {
            summarize(workspace, name, text, caches)
        }),
    )
}

fn summarize(
    workspace: &Workspace,
    name: &str,
    text: &str,
    caches: &mut CheckCaches,
) -> NoteSummary {
    let cache = &mut caches.scaffolding;
    crate::core::ide::notes::summarize_note(
        &workspace.index,
        &workspace.overrides,
        cache,
        name,
        text.to_string(),
    )
}

fn stats(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let coverage_on = workspace.config.coverage;
    // Each note is summarized and its answers judged on the thread that
    // read it.
    let (read, unread_named) =
        note_files(workspace, paths)?.read(workspace, |name, text, caches| {
            let summary = summarize(workspace, name, text, caches);
            let covered = if coverage_on {
                points_covered(workspace, &summary, caches)
            } else {
                Vec::new()
            };
            (summary, covered)
        });
    let mut facts = QuestionFacts {
        answered: vec![false; index.len()],
        in_notes: vec![false; index.len()],
        covered: coverage_on.then(|| vec![0; index.len()]),
        next_review: vec![None; index.len()],
        today: crate::clock::today().map_err(anyhow::Error::msg)?,
    };
    for (summary, covered) in &read {
        for section in &summary.sections {
            let Some(id) = index.lookup(&section.key) else {
                continue;
            };
            let id = id as usize;
            facts.in_notes[id] = true;
            facts.answered[id] |= section.answered;
            if let Some(marker) = section.review.marker().filter(|_| section.answered) {
                let earliest = facts.next_review[id].get_or_insert(marker.due);
                *earliest = (*earliest).min(marker.due);
            }
        }
        if let Some(best) = facts.covered.as_mut() {
            for &(id, count) in covered {
                best[id as usize] = best[id as usize].max(count);
            }
        }
    }
    let stats: Vec<CategoryStats> = index
        .category_names()
        .into_iter()
        .map(|category| {
            let ids: Vec<u32> = index
                .questions()
                .filter(|question| question.category() == category)
                .map(|question| question.id)
                .collect();
            CategoryStats::new(index, category, &ids, &facts)
        })
        .collect();
    match format {
        Format::Json => write_json(out, &stats)?,
        Format::Text => output::print_stats(out, &stats, read.len())?,
    }
    Ok(failure_if(unread_named))
}

/// How many points each answered section of the note covers, by question
/// (a note with no answered question that has points is not parsed again).
fn points_covered(
    workspace: &Workspace,
    summary: &NoteSummary,
    caches: &mut CheckCaches,
) -> Vec<(QuestionId, usize)> {
    let index = &workspace.index;
    let judged = summary.sections.iter().any(|section| {
        section.answered
            && index
                .lookup(&section.key)
                .is_some_and(|id| index.get(id).question.answer.is_some())
    });
    if !judged {
        return Vec::new();
    }
    let parsed = parse_note(&summary.text);
    let shared = (&mut caches.scaffolding, &mut caches.coverage);
    section_coverages(index, &summary.text, &parsed, &workspace.overrides, shared)
        .into_iter()
        .map(|coverage| (coverage.id, coverage.covered_count()))
        .collect()
}

fn handout(
    workspace: &Workspace,
    note: &Path,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let text = files::read_text(note, FileRole::Note, Reach::Anywhere)?;
    let parsed = parse_note(&text);
    let handout = handout::handout(index, &parsed);
    let lines = LineIndex::new(&text);
    for omission in &handout.left_out {
        let line = lines
            .line_col(&text, omission.heading.start, ColumnUnit::Char)
            .line
            + 1;
        let why = match &omission.reason {
            LeftOut::Unknown => "no bank in use has this question".to_string(),
            LeftOut::Repeat => "asked again".to_string(),
            LeftOut::NearDuplicate(twin) => format!("asks the same as {twin}"),
        };
        warn(&format!(
            "{}:{line}: {} left out of the handout: {why}",
            shown_path(note),
            omission.key
        ));
    }
    if handout.questions.is_empty() {
        bail!(
            "{}: no known question headings (like `### BE-23 · …`) in this note",
            shown_path(note)
        );
    }
    let questions: Vec<(QuestionId, &str)> = handout
        .questions
        .iter()
        .map(|question| (question.id, question.wording.as_str()))
        .collect();
    match format {
        Format::Json => {
            let objects: Vec<_> = questions
                .iter()
                .enumerate()
                .map(|(position, (id, wording))| {
                    serde_json::json!({ "number": position + 1, "key": index.get(*id).key().to_string(), "text": wording })
                })
                .collect();
            write_json(out, &objects)?;
        }
        Format::Text => {
            writeln!(out, "# Questions\n")?;
            for (position, (_, wording)) in questions.iter().enumerate() {
                writeln!(out, "{}. {wording}", position + 1)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! The `qbank` command line: parses arguments, loads the workspace, calls
//! the core and prints text or JSON. Errors become one line on stderr and a
//! non-zero exit; nothing here panics on bad input.

mod args;
mod check;
mod output;
mod questions;
mod review;
mod scores;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::core::bank::Level;
use crate::core::check::CheckCaches;
use crate::core::coverage::section_coverages;
use crate::core::handout::{self, LeftOut};
use crate::core::ide::notes::NoteSummary;
use crate::core::index::QuestionId;
use crate::core::line_index::{ColumnUnit, LineIndex};
use crate::core::note::parse_note;
use crate::core::packet::PacketRequest;
use crate::core::template::Mode;
use crate::files::{self, FileRole, Reach, shown_path};
use crate::walk::Found;
use crate::workspace::{LoadOptions, Workspace, declares_bank, find_root, load_workspace};

use args::{Cli, Command, Format};
use output::{CategoryStats, QuestionFacts, write_json};

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
    use std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(|io| io.kind());
        // JSON is written through serde_json, which wraps the io error.
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(|json| json.io_error_kind());
        io == Some(BrokenPipe) || json == Some(BrokenPipe)
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
            exclude,
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
                exclude: questions::questions_asked_in(&workspace, &exclude)?,
                level: level.map(Level::from),
                minutes,
            };
            let mode = mode.map(Mode::from).unwrap_or(workspace.config.mode);
            questions::packet(&workspace, &request, mode, format, &mut out)
        }
        Command::Check { paths } => check::check(&workspace, &paths, format, &mut out),
        Command::Stats { paths } => stats(&workspace, &paths, format, &mut out),
        Command::Handout { note } => handout(&workspace, &note, format, &mut out),
        Command::Due { paths } => review::due(&workspace, &paths, format, &mut out),
        Command::Review { paths, new } => review::review(&workspace, &paths, new, &mut out),
        Command::Scores { paths, by_question } => {
            scores::scores(&workspace, &paths, by_question, format, &mut out)
        }
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

/// The note files the paths name (every note of the workspace without
/// any, read as the walk finds them): which to read, how far a link may
/// lead, and which the user named.
struct NoteFiles {
    /// `None`: the workspace's notes.
    paths: Option<Vec<PathBuf>>,
    named: Vec<PathBuf>,
}

fn note_files(workspace: &Workspace, paths: &[PathBuf]) -> Result<NoteFiles> {
    if paths.is_empty() {
        return Ok(NoteFiles {
            paths: None,
            named: Vec::new(),
        });
    }
    let targets = expand_paths(workspace, paths, false)?;
    Ok(NoteFiles {
        named: targets
            .iter()
            .filter(|target| target.named)
            .map(|target| target.path.clone())
            .collect(),
        paths: Some(targets.into_iter().map(|target| target.path).collect()),
    })
}

impl NoteFiles {
    /// Reads the files on every core, `each` making what the command needs
    /// of a note; says each file that was not read, and whether one of them
    /// was named by the user (a command fails only then).
    fn read<T: Send>(
        self,
        workspace: &Workspace,
        each: impl Fn(&str, &str, &mut CheckCaches) -> T + Sync,
    ) -> (Vec<T>, bool) {
        let (read, problems) = match &self.paths {
            None => crate::notes::read_walked(workspace, each),
            Some(paths) => crate::notes::read_files(workspace, paths, Reach::Anywhere, each),
        };
        for problem in &problems {
            warn(&problem.message);
        }
        let unread_named = problems
            .iter()
            .any(|problem| self.named.contains(&problem.path));
        (read, unread_named)
    }
}

/// The notes the paths name, summarized, and whether a named one was not
/// read.
fn load_summaries(workspace: &Workspace, paths: &[PathBuf]) -> Result<(Vec<NoteSummary>, bool)> {
    Ok(note_files(workspace, paths)?.read(workspace, crate::notes::summarizer(workspace)))
}

fn stats(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let coverage_on = workspace.config.coverage;
    // Each note is parsed once, summarized and its answers judged on the
    // thread that read it.
    let (read, unread_named) =
        note_files(workspace, paths)?.read(workspace, |name, text, caches| {
            let note = parse_note(text);
            let summary = crate::core::ide::notes::summarize_parsed(
                index,
                &workspace.overrides,
                &mut caches.scaffolding,
                name,
                text,
                None,
                &note,
            );
            let covered = if coverage_on {
                points_covered(workspace, &summary, &note, caches)
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
        for section in summary.sections() {
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
/// (none judged in a note with no answered question that has points).
fn points_covered(
    workspace: &Workspace,
    summary: &NoteSummary,
    note: &crate::core::note::Note,
    caches: &mut CheckCaches,
) -> Vec<(QuestionId, usize)> {
    let index = &workspace.index;
    let judged = summary.sections().iter().any(|section| {
        section.answered
            && index
                .lookup(&section.key)
                .is_some_and(|id| index.get(id).answer().is_some())
    });
    if !judged {
        return Vec::new();
    }
    let shared = (&mut caches.scaffolding, &mut caches.coverage);
    section_coverages(index, summary.text(), note, &workspace.overrides, shared)
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

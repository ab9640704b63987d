//! The `qbank` command line: parses arguments, loads the workspace, calls
//! the core and prints text or JSON. Errors become one line on stderr and a
//! non-zero exit; nothing here panics on bad input.

mod args;
mod output;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;

use crate::core::check::{check_note, keys_one_digit_away};
use crate::core::diagnostic::Severity;
use crate::core::key::Key;
use crate::core::line_index::LineIndex;
use crate::core::note::parse_note;
use crate::core::packet::{PacketRequest, draw_packet, render_packet};
use crate::core::template::{Mode, TemplateContext, render_section};
use crate::notes::ProblemKind;
use crate::workspace::{
    self, LoadOptions, Workspace, declares_bank, find_root, load_workspace, read_text,
};

use args::{Cli, Command, Format};
use output::{CategoryStats, FileReport, print_diagnostic, question_json, write_json};

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("qbank: {error:#}");
            ExitCode::from(2)
        }
    }
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
    // The command line is strict: what the editor would report and carry on
    // past, a one-shot command reports and stops at.
    if let Some(problem) = workspace.problems.first() {
        bail!("{}", problem.message);
    }
    // Related questions include near-duplicates once the analysis is done;
    // a one-shot command waits for it (search does not need it).
    if !matches!(cli.command, Command::Search { .. }) {
        workspace.index.similarity();
    }
    let format = cli.global.format;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Lsp { .. } => unreachable!("handled above"),
        Command::Search { query, limit } => {
            search(&workspace, &query.join(" "), limit, format, &mut out)
        }
        Command::Show {
            key,
            template,
            mode,
        } => {
            let mode = mode.map(Mode::from).unwrap_or(workspace.config.mode);
            show(&workspace, &key, template.then_some(mode), format, &mut out)
        }
        Command::Packet {
            count,
            categories,
            seed,
            mode,
        } => {
            let request = PacketRequest {
                count: count.unwrap_or(workspace.config.packet_size),
                categories,
                seed: seed.unwrap_or_else(time_seed),
                exclude: Vec::new(),
            };
            let mode = mode.map(Mode::from).unwrap_or(workspace.config.mode);
            packet(&workspace, &request, mode, format, &mut out)
        }
        Command::Check { paths } => check(&workspace, &paths, format, &mut out),
        Command::Stats { paths } => stats(&workspace, &paths, format, &mut out),
        Command::Handout { note } => handout(&workspace, &note, format, &mut out),
    }
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
        .filter(|path| path.is_file())
        .filter(|path| read_text(path).is_ok_and(|text| declares_bank(&text)))
        .cloned()
        .collect()
}

fn search(
    workspace: &Workspace,
    query: &str,
    limit: usize,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let hits = index.search(query, limit);
    match format {
        Format::Json => {
            let questions: Vec<_> = hits
                .iter()
                .map(|hit| question_json(index, hit.question))
                .collect();
            write_json(out, &questions)?;
        }
        Format::Text => {
            if hits.is_empty() {
                eprintln!("no question matches `{query}`");
            }
            let width = hits
                .iter()
                .map(|hit| index.get(hit.question).key().to_string().len())
                .max()
                .unwrap_or(0);
            for hit in &hits {
                let question = index.get(hit.question);
                writeln!(
                    out,
                    "{:<width$}  {}",
                    question.key().to_string(),
                    question.text()
                )?;
            }
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn show(
    workspace: &Workspace,
    key: &str,
    template: Option<Mode>,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let Some(id) = index.lookup_str(key) else {
        let mut message = format!("no question {key}");
        let suggestion = match Key::parse(key.trim()) {
            Some(parsed) => keys_one_digit_away(index, &parsed).first().copied(),
            None => index.search(key, 1).first().map(|hit| hit.question),
        };
        if let Some(suggestion) = suggestion {
            let question = index.get(suggestion);
            message.push_str(&format!(
                "; did you mean {}? ({})",
                question.key(),
                question.text()
            ));
        }
        bail!(message);
    };
    if let Some(mode) = template {
        let section = render_section(
            3,
            &TemplateContext::new(index, id),
            mode,
            &workspace.overrides,
        );
        match format {
            Format::Json => write_json(
                out,
                &serde_json::json!({ "key": index.get(id).key().to_string(), "mode": mode, "template": section.text }),
            )?,
            Format::Text => write!(out, "{}", section.text)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    match format {
        Format::Json => write_json(out, &question_json(index, id))?,
        Format::Text => output::print_question(out, index, id)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn packet(
    workspace: &Workspace,
    request: &PacketRequest,
    mode: Mode,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let packet = draw_packet(index, request).map_err(|message| anyhow!(message))?;
    if packet.questions.len() < request.count {
        eprintln!(
            "qbank: only {} distinct questions could be drawn (asked for {})",
            packet.questions.len(),
            request.count
        );
    }
    match format {
        Format::Json => {
            let questions: Vec<_> = packet
                .questions
                .iter()
                .map(|&id| question_json(index, id))
                .collect();
            write_json(out, &questions)?;
        }
        Format::Text => write!(
            out,
            "{}",
            render_packet(index, &packet, 2, mode, &workspace.overrides).text
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The markdown files to check or count: named files, folders' notes, or
/// the whole workspace.
fn expand_paths(
    workspace: &Workspace,
    paths: &[PathBuf],
    include_banks: bool,
) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        let (mut files, _) = crate::notes::list_notes(workspace);
        if include_banks {
            files.extend(workspace.bank_files.iter().cloned());
        }
        return Ok(files);
    }
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(path)
                .build()
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.into_path())
                .filter(|file| {
                    file.is_file() && file.extension().is_some_and(|extension| extension == "md")
                })
                .filter(|file| include_banks || !workspace.is_bank_file(file))
                .collect();
            found.sort();
            if found.is_empty() {
                bail!("{}: no markdown files here", path.display());
            }
            files.extend(found);
        } else {
            read_text(path)?;
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn check(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let files = expand_paths(workspace, paths, true)?;
    let mut reports: Vec<FileReport> = Vec::new();
    for file in &files {
        let text = read_text(file)?;
        let diagnostics = match workspace.bank_position(file) {
            Some(position) => workspace.index.bank_diagnostics(position),
            None => {
                let siblings = workspace::sibling_notes(workspace, file);
                check_note(
                    &workspace.index,
                    &text,
                    &parse_note(&text),
                    &siblings,
                    &workspace.overrides,
                )
            }
        };
        reports.push(FileReport {
            path: shown_path(workspace, file, !paths.is_empty()),
            text,
            diagnostics,
        });
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
                for diagnostic in &report.diagnostics {
                    print_diagnostic(out, &report.path, &report.text, &lines, diagnostic)?;
                }
            }
            eprintln!(
                "{} in {} file{}",
                output::count_summary(&reports),
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if has_errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A path as the user named it when they named it, else relative to the root.
fn shown_path(workspace: &Workspace, file: &Path, named: bool) -> String {
    if named {
        file.display().to_string()
    } else {
        workspace::display_path(file, &workspace.root)
    }
}

fn stats(
    workspace: &Workspace,
    paths: &[PathBuf],
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    // The same index of notes the language server builds.
    let (notes, problems) = if paths.is_empty() {
        crate::notes::index_notes(workspace)
    } else {
        crate::notes::read_notes(workspace, &expand_paths(workspace, paths, false)?)
    };
    for problem in problems {
        match problem.kind {
            ProblemKind::Unreadable => bail!("{}", problem.message),
            ProblemKind::TooLarge | ProblemKind::Walk => eprintln!("qbank: {}", problem.message),
        }
    }
    let mut answered = vec![false; index.len()];
    let mut in_notes = vec![false; index.len()];
    for section in notes.iter().flat_map(|note| &note.sections) {
        if let Some(id) = index.lookup(&section.key) {
            in_notes[id as usize] = true;
            answered[id as usize] |= section.answered;
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
            CategoryStats::new(index, category, &ids, &answered, &in_notes)
        })
        .collect();
    match format {
        Format::Json => write_json(out, &stats)?,
        Format::Text => output::print_stats(out, &stats, notes.len())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn handout(
    workspace: &Workspace,
    note: &Path,
    format: Format,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let index = &workspace.index;
    let text = read_text(note)?;
    let parsed = parse_note(&text);
    let questions: Vec<(Option<u32>, String)> = parsed
        .headings
        .iter()
        .filter_map(|heading| {
            let found = heading.key.as_ref()?;
            let id = index.lookup(&found.key);
            let wording = heading.title.as_ref().map(|(title, _)| title.clone());
            let wording = wording.or_else(|| id.map(|id| index.get(id).text().to_string()))?;
            Some((id, wording))
        })
        .collect();
    if questions.is_empty() {
        bail!(
            "{}: no question headings (like `### BE-23 · …`) in this note",
            note.display()
        );
    }
    match format {
        Format::Json => {
            let objects: Vec<_> = questions
                .iter()
                .enumerate()
                .map(|(position, (id, wording))| {
                    serde_json::json!({ "number": position + 1, "key": id.map(|id| index.get(id).key().to_string()), "text": wording })
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

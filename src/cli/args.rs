//! The command line's shape: every command, flag and its `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::core::bank::Level;
use crate::core::template::Mode;

#[derive(Debug, Parser)]
#[command(
    name = "qbank",
    version,
    about = "Interview questions in your markdown notes: search, show, packets, checks and a language server",
    long_about = "qbank knows a bank of interview questions (128 back-end questions are built in) and the \
markdown notes you write about them. Question keys look like BE-23.\n\n\
Banks in use: the built-in bank, every *.md in a `questions/` folder at the workspace root, the banks \
listed in .qbank.toml, and any --bank you pass. The workspace root is the nearest folder (from the \
current one up) holding .qbank.toml, else .git or questions/.",
    after_help = "Examples:\n  qbank search \"content delivery\"\n  qbank show BE-23 --template\n  \
qbank packet --count 10 --seed 1 > packet.md\n  qbank check notes/\n  qbank lsp   (for editors)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Use this bank file or folder of banks too (repeatable)
    #[arg(long = "bank", value_name = "PATH", global = true)]
    pub banks: Vec<PathBuf>,
    /// Leave out the built-in back-end bank
    #[arg(long, global = true)]
    pub no_builtin: bool,
    /// Print text for people or one JSON document for programs
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Study,
    Interview,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Study => Mode::Study,
            ModeArg::Interview => Mode::Interview,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Junior,
    Mid,
    Senior,
}

impl From<LevelArg> for Level {
    fn from(level: LevelArg) -> Level {
        match level {
            LevelArg::Junior => Level::Junior,
            LevelArg::Mid => Level::Mid,
            LevelArg::Senior => Level::Senior,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Language Server Protocol over stdio (for editors)
    Lsp {
        /// Accepted and ignored: stdio is the only transport
        #[arg(long)]
        stdio: bool,
    },
    /// Find questions by key or words, best match first
    Search {
        /// Words to look for, e.g. `content delivery`, `cach`, `BE-23`
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// How many questions to list (at least 1)
        #[arg(long, default_value_t = 10, value_parser = at_least_one)]
        limit: usize,
    },
    /// Show one question: text, category, shape, related questions
    Show {
        /// The question's key, e.g. BE-23 (any case; a bare 23 means the only bank in use, else the built-in one)
        key: String,
        /// Print its answer template (or rubric with --mode interview)
        #[arg(long)]
        template: bool,
        /// Template mode, with --template [default: from .qbank.toml, else study]
        #[arg(long, value_enum, requires = "template")]
        mode: Option<ModeArg>,
    },
    /// Print a balanced packet (study or interview) as markdown
    Packet {
        /// How many questions, at least 1 [default: packet_size from .qbank.toml, else 10]
        #[arg(long, value_parser = at_least_one)]
        count: Option<usize>,
        /// Draw only from this category (repeatable; part of the name is enough)
        #[arg(long = "category", value_name = "NAME")]
        categories: Vec<String>,
        /// The same seed gives the same packet [default: a new one each run]
        #[arg(long)]
        seed: Option<u64>,
        /// study: answer skeletons; interview: rubrics [default: from .qbank.toml, else study]
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// Only questions of this level, as the bank gives it
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        /// A time budget in minutes: as many balanced questions as fit (with --count, at most that many)
        #[arg(long, value_parser = at_least_one_minute)]
        minutes: Option<u32>,
        /// Draw no question (nor a near-duplicate of one) that these notes already write: a note, or a folder of notes such as one candidate's rounds (repeatable; a bank is not a note and excludes nothing)
        #[arg(long = "exclude", value_name = "PATH")]
        exclude: Vec<PathBuf>,
    },
    /// Report problems in notes and banks as `path:line:col: severity[code]: message`
    #[command(
        long_about = "Report problems in notes and banks as `path:line:col: severity[code]: message`.\n\n\
With no PATH, checks every note and bank of the workspace. A folder means the markdown files in it. \
Exits with 1 when any problem is an error."
    )]
    Check {
        /// Notes, banks or folders [default: the whole workspace]
        paths: Vec<PathBuf>,
    },
    /// Count answered and unanswered questions per category across notes
    Stats {
        /// Notes or folders [default: every note of the workspace]
        paths: Vec<PathBuf>,
    },
    /// List the answered questions due for review, soonest first
    #[command(
        long_about = "List the answered questions due for review (spaced review with FSRS), soonest first: \
key, how overdue, note:line and the question.\n\n\
Today is the local date, or QBANK_TODAY=YYYY-MM-DD."
    )]
    Due {
        /// Notes or folders [default: every note of the workspace]
        paths: Vec<PathBuf>,
    },
    /// Review due questions in the terminal: recall, see your answer, rate it
    #[command(
        long_about = "Review due questions in the terminal: each question is shown, you recall your \
answer, press Enter to see what you wrote, then rate your recall (1 again, 2 hard, 3 good, 4 easy). \
The rating is written into the note as one marker line under the question's heading, atomically and \
only if the note is unchanged since it was read (else it is skipped, and said). This is the one \
command that writes a note.\n\nToday is the local date, or QBANK_TODAY=YYYY-MM-DD."
    )]
    Review {
        /// Notes or folders [default: every note of the workspace]
        paths: Vec<PathBuf>,
        /// After the due questions, answered ones never reviewed (their first rating starts their schedule)
        #[arg(long)]
        new: bool,
    },
    /// Roll up interview scores per candidate folder, packet and category
    #[command(
        long_about = "Roll up interview scores: per candidate (a folder holds one candidate's rounds), \
a one-line summary, then each packet and category, then the questions left unscored and the scores \
to fix. With --by-question, per question across candidates: how many were asked it, the mean score, \
its spread (standard deviation) and range, widest spread first, so a team sees which questions \
discriminate and which everyone aces.\n\n\
A rubric is a question section with a score line (`**Score:** 3`, `3/4` or `3 – solid`, on the \
scale 1 no signal · 2 partial · 3 solid · 4 strong); its ticked boxes count as points covered, \
or red flags heard under **Red flags:**."
    )]
    Scores {
        /// Notes or folders [default: every note of the workspace]
        paths: Vec<PathBuf>,
        /// Per question across candidates instead of per candidate
        #[arg(long)]
        by_question: bool,
    },
    /// Print a note's questions alone, numbered: the copy a candidate may see
    #[command(
        long_about = "Print a note's questions alone, numbered: the copy a candidate may see. Each \
distinct known question once; a repeat, a near-duplicate of one listed and an unknown key are left \
out and said on stderr. Nothing else of the note is printed: no answer, rubric, score, ticked box \
or note. A heading's own wording is kept only when it reads as the question (it ends with `?` and \
adds no number), else the bank's wording is printed."
    )]
    Handout {
        /// The note (an interview packet, say)
        note: PathBuf,
    },
}

/// A time budget: zero minutes holds no question.
fn at_least_one_minute(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(minutes) => Ok(minutes),
        Err(_) => Err(format!("`{text}` is not a whole number of minutes")),
    }
}

/// A count of questions: none would be an empty packet or an empty list,
/// which no one asks for on purpose, so zero is a usage error.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(count) => Ok(count),
        Err(error) => Err(error.to_string()),
    }
}

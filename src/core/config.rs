//! Configuration: `.qbank.toml` at a workspace root, and the editor settings
//! that override it key by key. Reading takes text, not a path, and never
//! fails: each bad key (a value of the wrong kind, one out of range, a key
//! qbank does not know) is one `ConfigProblem` at the key or value it
//! points at, and only that key falls back; a file that is not TOML at all
//! is one problem and every key falls back. The CLI prints the problems as
//! lines and the server publishes them as diagnostics: both from here.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::{Spanned, Value};

use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::review::DEFAULT_RETENTION;
use crate::core::template::Mode;

pub const CONFIG_FILE: &str = ".qbank.toml";

/// Settings as written: every key optional, so a file or the editor can set
/// just the ones it cares about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub builtin: Option<bool>,
    pub banks: Option<Vec<String>>,
    pub mode: Option<Mode>,
    pub templates: Option<String>,
    pub packet_size: Option<usize>,
    pub coverage: Option<bool>,
    pub desired_retention: Option<f64>,
    pub review_hints: Option<bool>,
}

/// Settings in effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub builtin: bool,
    /// Files or folders, relative to the workspace root.
    pub banks: Vec<String>,
    pub mode: Mode,
    /// The folder of template overrides, relative to the root.
    pub templates: String,
    pub packet_size: usize,
    /// Whether answered sections get `missing-points` findings.
    pub coverage: bool,
    /// The chance of recalling an answer that reviews are scheduled for.
    pub desired_retention: f64,
    /// Whether due sections get `review-due` hints.
    pub review_hints: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            builtin: true,
            banks: Vec::new(),
            mode: Mode::Study,
            templates: ".qbank/templates".to_string(),
            packet_size: 10,
            coverage: true,
            desired_retention: DEFAULT_RETENTION,
            review_hints: true,
        }
    }
}

impl Config {
    /// Applies every key the settings set, leaving the others as they are.
    pub fn apply(&mut self, settings: &Settings) {
        if let Some(builtin) = settings.builtin {
            self.builtin = builtin;
        }
        if let Some(banks) = &settings.banks {
            self.banks = banks.clone();
        }
        if let Some(mode) = settings.mode {
            self.mode = mode;
        }
        if let Some(templates) = &settings.templates {
            self.templates = templates.clone();
        }
        if let Some(packet_size) = settings.packet_size {
            self.packet_size = packet_size;
        }
        if let Some(coverage) = settings.coverage {
            self.coverage = coverage;
        }
        if let Some(retention) = settings.desired_retention {
            self.desired_retention = retention;
        }
        if let Some(review_hints) = settings.review_hints {
            self.review_hints = review_hints;
        }
    }
}

/// The keys `.qbank.toml` knows, in the order the README lists them.
pub const KEYS: [&str; 8] = [
    "builtin",
    "banks",
    "mode",
    "templates",
    "packet_size",
    "coverage",
    "desired_retention",
    "review_hints",
];

/// The range `packet_size` must fall in, here and in the editor's settings.
pub const PACKET_SIZES: Range<usize> = 1..101;

/// The range `desired_retention` must fall in: below it reviews come too
/// late to be worth much, above it they come nearly every day.
pub const RETENTIONS: std::ops::RangeInclusive<f64> = 0.7..=0.99;

/// One thing wrong in `.qbank.toml`: `range` is the bad value, the unknown
/// key, or where TOML could not be read. `message` does not name the file:
/// the CLI puts the path and line before it, the editor shows it on the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

impl ConfigProblem {
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::new(
            self.range.clone(),
            self.severity,
            self.code,
            self.message.clone(),
        )
    }
}

/// `.qbank.toml` as read: the configuration it gives and what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub config: Config,
    pub problems: Vec<ConfigProblem>,
}

/// What a bad key falls back to: the defaults (the command line, a server
/// that has read no valid file yet), or the configuration in use before
/// the file turned bad (the server, so an edit in progress does not flip
/// the mode under the user).
#[derive(Debug, Clone, Copy)]
pub enum Fallback<'a> {
    Defaults,
    LastValid(&'a Config),
}

impl<'a> Fallback<'a> {
    /// Keeping the configuration in use, if any: when that is the
    /// defaults, it says so (messages then name the defaults).
    pub fn keeping(in_use: Option<&'a Config>) -> Fallback<'a> {
        match in_use {
            Some(config) if *config != Config::default() => Fallback::LastValid(config),
            _ => Fallback::Defaults,
        }
    }
}

/// Reads `.qbank.toml` text onto the defaults, key by key: a good key
/// applies, a bad one keeps the fallback's value and is a problem.
pub fn read_config(text: &str, fallback: Fallback<'_>) -> ConfigFile {
    let defaults = Config::default();
    let kept = match fallback {
        Fallback::Defaults => &defaults,
        Fallback::LastValid(config) => config,
    };
    let table: BTreeMap<Spanned<String>, Spanned<Value>> = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            return ConfigFile {
                config: kept.clone(),
                problems: vec![not_toml(text, &error, fallback)],
            };
        }
    };
    let mut config = Config::default();
    let mut problems = Vec::new();
    for (key, value) in &table {
        let name = key.get_ref().as_str();
        if !KEYS.contains(&name) {
            problems.push(unknown_key(name, key.span()));
            continue;
        }
        if let Err(expected) = set_key(&mut config, name, value.get_ref()) {
            copy_key(&mut config, kept, name);
            let shown = shown_source(&text[value.span()]);
            let used = value_of(kept, name);
            problems.push(ConfigProblem {
                range: value.span(),
                severity: Severity::Error,
                code: codes::CONFIG_INVALID,
                message: format!(
                    "{name} = {shown} is not valid (expected {expected}); using {used}"
                ),
            });
        }
    }
    problems.sort_by_key(|problem| problem.range.start);
    ConfigFile { config, problems }
}

/// Sets one known key from its TOML value, or says what it expected.
fn set_key(config: &mut Config, name: &str, value: &Value) -> Result<(), &'static str> {
    match name {
        "builtin" => config.builtin = value.as_bool().ok_or("true or false")?,
        "banks" => {
            config.banks = string_list(value).ok_or("a list of paths, like [\"questions\"]")?
        }
        "mode" => {
            config.mode = value
                .as_str()
                .and_then(Mode::parse)
                .ok_or("\"study\" or \"interview\"")?
        }
        "templates" => config.templates = value.as_str().ok_or("a path in quotes")?.to_string(),
        "packet_size" => {
            config.packet_size = value
                .as_integer()
                .and_then(|size| usize::try_from(size).ok())
                .filter(|size| PACKET_SIZES.contains(size))
                .ok_or("a whole number from 1 to 100")?
        }
        "coverage" => config.coverage = value.as_bool().ok_or("true or false")?,
        "desired_retention" => {
            config.desired_retention = value
                .as_float()
                .filter(|retention| RETENTIONS.contains(retention))
                .ok_or("a number from 0.7 to 0.99, like 0.9")?
        }
        "review_hints" => config.review_hints = value.as_bool().ok_or("true or false")?,
        _ => {}
    }
    Ok(())
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|item| item.as_str().map(str::to_string))
        .collect()
}

/// Gives `config` the fallback's value of one key.
fn copy_key(config: &mut Config, from: &Config, name: &str) {
    match name {
        "builtin" => config.builtin = from.builtin,
        "banks" => config.banks = from.banks.clone(),
        "mode" => config.mode = from.mode,
        "templates" => config.templates = from.templates.clone(),
        "packet_size" => config.packet_size = from.packet_size,
        "coverage" => config.coverage = from.coverage,
        "desired_retention" => config.desired_retention = from.desired_retention,
        "review_hints" => config.review_hints = from.review_hints,
        _ => {}
    }
}

/// One key's value, written as TOML (`"study"`, `10`, `[]`).
fn value_of(config: &Config, name: &str) -> String {
    let value = match name {
        "builtin" => Value::Boolean(config.builtin),
        "banks" => Value::Array(config.banks.iter().cloned().map(Value::String).collect()),
        "mode" => Value::String(config.mode.as_str().to_string()),
        "templates" => Value::String(config.templates.clone()),
        "coverage" => Value::Boolean(config.coverage),
        "desired_retention" => Value::Float(config.desired_retention),
        "review_hints" => Value::Boolean(config.review_hints),
        _ => Value::Integer(config.packet_size as i64),
    };
    value.to_string()
}

/// A value as the file writes it, on one line, short enough to read in a
/// message, control characters escaped (a quoted key may hold any).
fn shown_source(source: &str) -> String {
    const MOST: usize = 40;
    let line: String = source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(|character| match character.is_control() {
            true => character.escape_default().collect::<Vec<_>>(),
            false => vec![character],
        })
        .collect();
    match line.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn unknown_key(name: &str, range: Range<usize>) -> ConfigProblem {
    let hint = match closest_key(name) {
        Some(known) => format!("did you mean `{known}`?"),
        None => format!("the keys are {}", KEYS.join(", ")),
    };
    ConfigProblem {
        range,
        severity: Severity::Warning,
        code: codes::CONFIG_UNKNOWN_KEY,
        message: format!("unknown key `{}` ({hint}); ignored", shown_source(name)),
    }
}

/// The known key a typo most likely meant: two edits away at most (a
/// swap of neighbours counts as one), or the same but for case and dashes.
fn closest_key(name: &str) -> Option<&'static str> {
    let folded = name.to_ascii_lowercase().replace('-', "_");
    KEYS.iter()
        .map(|known| (edit_distance(&folded, known), *known))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, known)| known)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of two neighbours, each one edit.
fn edit_distance(from: &str, to: &str) -> usize {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    // Keys are short; a name far longer than every key is no typo of one.
    if from.len() > to.len() + 2 {
        return usize::MAX;
    }
    let width = to.len() + 1;
    let mut rows = vec![0usize; (from.len() + 1) * width];
    for (column, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = column;
    }
    for row in 1..=from.len() {
        rows[row * width] = row;
        for column in 1..=to.len() {
            let cost = usize::from(from[row - 1] != to[column - 1]);
            let mut best = (rows[(row - 1) * width + column] + 1)
                .min(rows[row * width + column - 1] + 1)
                .min(rows[(row - 1) * width + column - 1] + cost);
            if row > 1
                && column > 1
                && from[row - 1] == to[column - 2]
                && from[row - 2] == to[column - 1]
            {
                best = best.min(rows[(row - 2) * width + column - 2] + 1);
            }
            rows[row * width + column] = best;
        }
    }
    rows[from.len() * width + to.len()]
}

fn not_toml(text: &str, error: &toml::de::Error, fallback: Fallback<'_>) -> ConfigProblem {
    let reason = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let outcome = match fallback {
        Fallback::Defaults => "every key takes its default",
        Fallback::LastValid(_) => "the last valid configuration stays in use",
    };
    let range = error.span().unwrap_or(0..0);
    // toml may point just past the end, or inside a character.
    let start = floor_char_boundary(text, range.start);
    let end = floor_char_boundary(text, range.end).max(start);
    ConfigProblem {
        range: start..end,
        severity: Severity::Error,
        code: codes::CONFIG_INVALID,
        message: format!("not valid TOML: {reason}; {outcome}"),
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    /// Renders what reading a file gives: the configuration's keys that
    /// differ from the defaults, then each problem at the text it points at.
    fn check(text: &str, expected: Expect) {
        check_with(text, Fallback::Defaults, expected);
    }

    fn check_with(text: &str, fallback: Fallback<'_>, expected: Expect) {
        let read = read_config(text, fallback);
        let defaults = Config::default();
        let mut rendered = String::new();
        for key in KEYS {
            let value = value_of(&read.config, key);
            if value != value_of(&defaults, key) {
                rendered.push_str(&format!("{key} = {value}\n"));
            }
        }
        for problem in &read.problems {
            rendered.push_str(&format!(
                "{} {:?} {}[{}] {}\n",
                problem.range.start,
                &text[problem.range.clone()],
                problem.severity.as_str(),
                problem.code,
                problem.message
            ));
        }
        expected.assert_eq(&rendered);
    }

    #[test]
    fn good_keys_apply() {
        check(
            "builtin = false\nbanks = [\"questions\", \"team/sre.md\"]\nmode = \"interview\"\ntemplates = \"t\"\npacket_size = 5\n",
            expect![[r#"
                builtin = false
                banks = ["questions", "team/sre.md"]
                mode = "interview"
                templates = "t"
                packet_size = 5
            "#]],
        );
        check("", expect![""]);
    }

    #[test]
    fn a_bad_value_falls_back_for_its_key_only() {
        check(
            "mode = \"interviw\"\npacket_size = 3\n",
            expect![[r#"
                packet_size = 3
                7 "\"interviw\"" error[config-invalid] mode = "interviw" is not valid (expected "study" or "interview"); using "study"
            "#]],
        );
        check(
            "packet_size = \"ten\"\nbuiltin = \"no\"\nbanks = \"questions\"\ntemplates = 3\nmode = \"interview\"\n",
            expect![[r#"
                mode = "interview"
                14 "\"ten\"" error[config-invalid] packet_size = "ten" is not valid (expected a whole number from 1 to 100); using 10
                30 "\"no\"" error[config-invalid] builtin = "no" is not valid (expected true or false); using true
                43 "\"questions\"" error[config-invalid] banks = "questions" is not valid (expected a list of paths, like ["questions"]); using []
                67 "3" error[config-invalid] templates = 3 is not valid (expected a path in quotes); using ".qbank/templates"
            "#]],
        );
        check(
            "packet_size = 0\n",
            expect![[r#"
                14 "0" error[config-invalid] packet_size = 0 is not valid (expected a whole number from 1 to 100); using 10
            "#]],
        );
        check(
            "packet_size = 101\nbanks = [1, \"a\"]\n",
            expect![[r#"
                14 "101" error[config-invalid] packet_size = 101 is not valid (expected a whole number from 1 to 100); using 10
                26 "[1, \"a\"]" error[config-invalid] banks = [1, "a"] is not valid (expected a list of paths, like ["questions"]); using []
            "#]],
        );
    }

    #[test]
    fn the_server_keeps_the_last_valid_value_of_a_bad_key() {
        let last = Config {
            mode: Mode::Interview,
            packet_size: 7,
            ..Config::default()
        };
        check_with(
            "mode = \"exam\"\n",
            Fallback::LastValid(&last),
            expect![[r#"
                mode = "interview"
                7 "\"exam\"" error[config-invalid] mode = "exam" is not valid (expected "study" or "interview"); using "interview"
            "#]],
        );
        check_with(
            "mode = \n",
            Fallback::LastValid(&last),
            expect![[r#"
                mode = "interview"
                packet_size = 7
                7 "\n" error[config-invalid] not valid TOML: invalid string expected `"`, `'`; the last valid configuration stays in use
            "#]],
        );
    }

    #[test]
    fn unknown_keys_are_warnings_with_a_guess() {
        check(
            "mdoe = \"interview\"\nPacket-Size = 4\ncolour = \"blue\"\n[editor]\nx = 1\n",
            expect![[r#"
                0 "mdoe" warning[config-unknown-key] unknown key `mdoe` (did you mean `mode`?); ignored
                19 "Packet-Size" warning[config-unknown-key] unknown key `Packet-Size` (did you mean `packet_size`?); ignored
                35 "colour" warning[config-unknown-key] unknown key `colour` (the keys are builtin, banks, mode, templates, packet_size, coverage, desired_retention, review_hints); ignored
                52 "editor" warning[config-unknown-key] unknown key `editor` (the keys are builtin, banks, mode, templates, packet_size, coverage, desired_retention, review_hints); ignored
            "#]],
        );
    }

    #[test]
    fn a_file_that_is_not_toml_gives_every_default_and_one_problem() {
        check(
            "packet_size = 5\nmode = \"study\n",
            expect![[r#"
                29 "\n" error[config-invalid] not valid TOML: invalid basic string; every key takes its default
            "#]],
        );
        check(
            "mode = \"study\"\nmode = \"interview\"\n",
            expect![[r#"
                15 "m" error[config-invalid] not valid TOML: duplicate key `mode` in document root; every key takes its default
            "#]],
        );
    }

    #[test]
    fn messages_are_one_short_line() {
        let read = read_config("\"a\\u0007b\" = 1\n", Fallback::Defaults);
        assert_eq!(
            read.problems[0].message,
            "unknown key `a\\u{7}b` (the keys are builtin, banks, mode, templates, packet_size, coverage, desired_retention, review_hints); ignored"
        );
        let text = format!("mode = \"{}\"\n", "x".repeat(100));
        let read = read_config(&text, Fallback::Defaults);
        assert!(
            read.problems[0]
                .message
                .starts_with(&format!("mode = \"{}…", "x".repeat(39))),
            "{}",
            read.problems[0].message
        );
    }
}

//! Issue 13 end to end: a bad `.qbank.toml` is one line per bad key and
//! never stops a command; duplicate numbers in a bank are reported where
//! the author typed them; keys are read case-insensitively and a bare
//! number names the bank in use; packets are titled by their mode, carry
//! their rubrics in JSON, and zero counts are usage errors.

use std::path::PathBuf;

use super::{Output, Workspace, json, packet_keys};

impl Workspace {
    /// The workspace's root as qbank names it in messages.
    fn shown_root(&self) -> PathBuf {
        std::fs::canonicalize(self.scratch.root()).unwrap()
    }
}

/// Stderr's lines, the workspace's root shown as `<root>`.
fn stderr_lines(workspace: &Workspace, output: &Output) -> Vec<String> {
    let root = workspace.shown_root().display().to_string();
    output
        .stderr
        .lines()
        .map(|line| line.replace(&root, "<root>"))
        .collect()
}

#[test]
fn a_typo_in_the_configuration_is_one_line_and_the_other_keys_apply() {
    let workspace = Workspace::new();
    workspace.write(
        ".qbank.toml",
        "# team settings\npacket_size = 3\nmode = \"interviw\"\n",
    );
    let output = workspace.run(&["show", "BE-1"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(output.stdout.starts_with("BE-1 · "), "{}", output.stdout);
    assert_eq!(
        stderr_lines(&workspace, &output),
        [
            "qbank: <root>/.qbank.toml:3:8: mode = \"interviw\" is not valid (expected \"study\" or \"interview\"); using \"study\""
        ]
    );
    // packet_size = 3 still applies, and the mode is study's default.
    let output = workspace.run(&["packet", "--seed", "1", "--format", "json"]);
    assert_eq!(output.code, Some(0));
    assert_eq!(packet_keys(&output).len(), 3, "{}", output.stdout);
    let output = workspace.run(&["packet", "--seed", "1"]);
    assert!(
        output.stdout.contains("**In one sentence:**") && !output.stdout.contains("**Red flags:**"),
        "{}",
        output.stdout
    );
    // check fails on it, as on any workspace problem that is an error.
    workspace.write("note.md", "BE-23\n");
    let output = workspace.run(&["check", "note.md"]);
    assert_eq!(output.code, Some(1));
    assert_eq!(
        stderr_lines(&workspace, &output).len(),
        2,
        "{}",
        output.stderr
    );
}

#[test]
fn wrong_kinds_unknown_keys_and_bad_toml_each_get_one_clear_line() {
    let workspace = Workspace::new();
    workspace.write(
        ".qbank.toml",
        "packet_size = \"ten\"\nbuiltin = 0\nmdoe = \"interview\"\ncolour = \"blue\"\n",
    );
    let output = workspace.run(&["search", "acid"]);
    assert_eq!(output.code, Some(0));
    assert!(output.stdout.contains("BE-23"), "{}", output.stdout);
    assert_eq!(
        stderr_lines(&workspace, &output),
        [
            "qbank: <root>/.qbank.toml:1:15: packet_size = \"ten\" is not valid (expected a whole number from 1 to 100); using 10",
            "qbank: <root>/.qbank.toml:2:11: builtin = 0 is not valid (expected true or false); using true",
            "qbank: <root>/.qbank.toml:3:1: unknown key `mdoe` (did you mean `mode`?); ignored",
            "qbank: <root>/.qbank.toml:4:1: unknown key `colour` (the keys are builtin, banks, mode, templates, packet_size, coverage, desired_retention, review_hints); ignored",
        ]
    );
    workspace.write(".qbank.toml", "packet_size = 0\n");
    let output = workspace.run(&["packet", "--seed", "1", "--format", "json"]);
    assert_eq!(output.code, Some(0));
    assert_eq!(packet_keys(&output).len(), 10);
    assert_eq!(
        stderr_lines(&workspace, &output),
        [
            "qbank: <root>/.qbank.toml:1:15: packet_size = 0 is not valid (expected a whole number from 1 to 100); using 10"
        ]
    );
    // A file that is not TOML: every key takes its default, and the line says where.
    workspace.write(".qbank.toml", "packet_size = 3\nmode = \"study\n");
    let output = workspace.run(&["packet", "--seed", "1", "--format", "json"]);
    assert_eq!(output.code, Some(0));
    assert_eq!(packet_keys(&output).len(), 10);
    assert_eq!(
        stderr_lines(&workspace, &output),
        [
            "qbank: <root>/.qbank.toml:2:14: not valid TOML: invalid basic string; every key takes its default"
        ]
    );
}

#[test]
fn check_passes_over_an_unknown_key_but_fails_on_a_bad_value() {
    let workspace = Workspace::new();
    workspace.write("note.md", "BE-23\n");
    workspace.write(".qbank.toml", "mdoe = \"interview\"\n");
    let output = workspace.run(&["check", "note.md"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(
        stderr_lines(&workspace, &output),
        [
            "qbank: <root>/.qbank.toml:1:1: unknown key `mdoe` (did you mean `mode`?); ignored",
            "no problems in 1 file",
        ]
    );
    workspace.write(".qbank.toml", "mode = 1\n");
    let output = workspace.run(&["check", "note.md"]);
    assert_eq!(output.code, Some(1), "{}", output.stderr);
}

#[test]
fn a_number_typed_twice_in_a_bank_is_reported_and_no_key_moves() {
    let workspace = Workspace::new();
    workspace.write(
        "team.md",
        "---\nprefix: TEAM\n---\n## Ops\n1. What is on-call?\n2. What is a runbook?\n2. What is toil?\n3. What is an error budget?\n",
    );
    let output = workspace.run(&["check", "team.md"]);
    assert_eq!(output.code, Some(1));
    assert_eq!(
        output.stdout,
        "team.md:7:1: error[bank-duplicate-number]: TEAM-2 is numbered twice (first on line 6); this one is not loaded\n"
    );
    let output = workspace.run(&["show", "TEAM-3", "--bank", "team.md"]);
    assert!(
        output
            .stdout
            .starts_with("TEAM-3 · What is an error budget?"),
        "{}",
        output.stdout
    );
    // All ones: markdown numbers the list, and so does qbank, quietly.
    workspace.write(
        "lazy.md",
        "---\nprefix: LAZY\n---\n## Ops\n1. What is on-call?\n1. What is a runbook?\n1. What is toil?\n",
    );
    let output = workspace.run(&["check", "lazy.md"]);
    assert_eq!((output.code, output.stdout.as_str()), (Some(0), ""));
    let output = workspace.run(&["show", "LAZY-3", "--bank", "lazy.md"]);
    assert!(
        output.stdout.starts_with("LAZY-3 · What is toil?"),
        "{}",
        output.stdout
    );
}

#[test]
fn keys_are_read_in_any_case_and_a_bare_number_names_the_bank_in_use() {
    let workspace = Workspace::new();
    let expected = workspace.run(&["show", "BE-66"]);
    assert_eq!(expected.code, Some(0));
    for typed in ["be-66", "Be-66", "66"] {
        let output = workspace.run(&["show", typed]);
        assert_eq!(output.code, Some(0), "{typed}: {}", output.stderr);
        assert_eq!(output.stdout, expected.stdout, "{typed}");
    }
    let output = workspace.run(&["show", "be-23", "--format", "json"]);
    assert_eq!(json(&output.stdout)["key"], "BE-23");
    let output = workspace.run(&["show", "be-23", "--template"]);
    assert!(
        output.stdout.starts_with("### BE-23 · "),
        "{}",
        output.stdout
    );
    let output = workspace.run(&["show", "be-999"]);
    assert_eq!(output.code, Some(2));
    assert_eq!(
        output.stderr,
        "qbank: no question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)\n"
    );

    workspace.write(
        "team.md",
        "---\nprefix: TEAM\n---\n## Ops\n1. What is toil?\n",
    );
    workspace.write(
        "sre.md",
        "---\nprefix: SRE\n---\n## Ops\n1. What is an SLO?\n",
    );
    // The only bank in use; beside the built-in bank, the built-in one's.
    let output = workspace.run(&["show", "1", "--no-builtin", "--bank", "team.md"]);
    assert!(
        output.stdout.starts_with("TEAM-1 · What is toil?"),
        "{}",
        output.stdout
    );
    let output = workspace.run(&["show", "team-1", "--bank", "team.md"]);
    assert!(
        output.stdout.starts_with("TEAM-1 · What is toil?"),
        "{}",
        output.stdout
    );
    let output = workspace.run(&["show", "1", "--bank", "team.md"]);
    assert!(output.stdout.starts_with("BE-1 · "), "{}", output.stdout);
    let both = [
        "show",
        "1",
        "--no-builtin",
        "--bank",
        "team.md",
        "--bank",
        "sre.md",
    ];
    let output = workspace.run(&both);
    assert_eq!(output.code, Some(2));
    assert_eq!(
        output.stderr,
        "qbank: 1 alone names a question of the only bank in use or of the built-in one; with these banks, write SRE-1 or TEAM-1\n"
    );
}

#[test]
fn zero_counts_and_a_mode_without_a_template_are_usage_errors() {
    let workspace = Workspace::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["packet", "--count", "0"],
            "error: invalid value '0' for '--count <COUNT>': must be at least 1",
        ),
        (
            &["search", "cdn", "--limit", "0"],
            "error: invalid value '0' for '--limit <LIMIT>': must be at least 1",
        ),
        (
            &["show", "BE-23", "--mode", "interview"],
            "error: the following required arguments were not provided:",
        ),
    ];
    for (args, first_line) in cases {
        let output = workspace.run(args);
        assert_eq!(output.code, Some(2), "{args:?}");
        assert_eq!(output.stdout, "", "{args:?}");
        assert_eq!(output.stderr.lines().next(), Some(*first_line), "{args:?}");
    }
    let output = workspace.run(&["show", "BE-23", "--mode", "interview"]);
    assert!(
        output.stderr.contains("\n  --template\n"),
        "{}",
        output.stderr
    );
    let output = workspace.run(&["show", "BE-23", "--mode", "interview", "--template"]);
    assert!(
        output.stdout.contains("**Red flags:**"),
        "{}",
        output.stdout
    );
}

/// The text output's question sections: from each `### ` heading to the next.
fn sections(markdown: &str) -> Vec<String> {
    markdown
        .split("\n### ")
        .skip(1)
        .map(|section| format!("### {}", section.trim_end_matches('\n')))
        .collect()
}

#[test]
fn packets_are_titled_by_mode_and_their_json_carries_what_the_text_prints() {
    let workspace = Workspace::new();
    let study = workspace.run(&["packet", "--count", "3", "--seed", "4"]);
    assert!(
        study.stdout.starts_with("## Study packet · 3 questions · "),
        "{}",
        study.stdout
    );
    let interview = workspace.run(&[
        "packet",
        "--count",
        "3",
        "--seed",
        "4",
        "--mode",
        "interview",
    ]);
    assert!(
        interview
            .stdout
            .starts_with("## Interview packet · 3 questions · "),
        "{}",
        interview.stdout
    );
    for (mode, text, field, other) in [
        ("interview", &interview, "rubric", "template"),
        ("study", &study, "template", "rubric"),
    ] {
        let args = [
            "packet", "--count", "3", "--seed", "4", "--mode", mode, "--format", "json",
        ];
        let questions = json(&workspace.run(&args).stdout);
        let carried: Vec<String> = questions
            .as_array()
            .unwrap()
            .iter()
            .map(|question| {
                assert!(question.get(other).is_none(), "{question}");
                question[field]
                    .as_str()
                    .unwrap()
                    .trim_end_matches('\n')
                    .to_string()
            })
            .collect();
        assert_eq!(carried, sections(&text.stdout), "{mode}");
    }
    let questions = json(
        &workspace
            .run(&[
                "packet",
                "--count",
                "1",
                "--seed",
                "4",
                "--mode",
                "interview",
                "--format",
                "json",
            ])
            .stdout,
    );
    let rubric = questions[0]["rubric"].as_str().unwrap();
    assert!(
        rubric.contains("**Red flags:**") && rubric.contains("**Score:**"),
        "{rubric}"
    );
}

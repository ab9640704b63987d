//! Nothing leaves the machine (the real binary, spawned with a scratch HOME
//! for each test): qbank runs nothing named in a file or a setting (shell
//! syntax in `.qbank.toml`, banks, notes and editor settings leaves no
//! marker file behind), writes nothing but the built-in bank's cache copy
//! (the workspace and a scratch HOME are snapshotted before and after the
//! command line and a server session), does not follow symbolic links out
//! of the workspace while scanning, refuses bank paths it cannot read with
//! a message naming them, and opens no network socket (under `strace`, when
//! the machine has it; the test says so when it is skipped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use qbank_testkit::positions::position_json;
use qbank_testkit::{Capabilities, Client, Scratch};
use serde_json::{Value, json};

use crate::{QBANK, hover_markdown, run_cli, spawned, spawned_initialized};

/// Shell syntax that would create `marker` if anything ran it.
fn payloads(marker: &Path) -> Vec<String> {
    let marker = marker.display();
    vec![
        format!("$(touch {marker}-dollar)"),
        format!("`touch {marker}-backtick`"),
        format!("; touch {marker}-semicolon"),
        format!("| touch {marker}-pipe"),
        format!("&& touch {marker}-and"),
        format!("\ntouch {marker}-newline\n"),
    ]
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A workspace whose every file and setting is full of commands.
fn hostile_workspace(workspace: &Scratch, marker: &Path) {
    let payloads = payloads(marker);
    let banks: Vec<String> = payloads.iter().map(|text| toml_string(text)).collect();
    workspace.write(
        ".qbank.toml",
        format!(
            "banks = [{}, \"questions\"]\ntemplates = {}\nmode = \"study\"\n",
            banks.join(", "),
            toml_string(&payloads[0])
        ),
    );
    let mut bank = String::from("---\nprefix: EV\ntitle: \"$(touch x)\"\n---\n## $(reboot)\n");
    for (number, payload) in payloads.iter().enumerate() {
        let payload = payload.replace('\n', " ");
        bank.push_str(&format!(
            "{}. What does {payload} do?\n   - tags: {payload}\n   - see: BE-23\n",
            number + 1
        ));
    }
    workspace.write("questions/evil.md", bank);
    let mut note = String::from("# Notes\n\n## EV-1 · What does it do?\n\n");
    for payload in &payloads {
        note.push_str(&format!("{payload} EV-1 BE-23\n\n```sh\n{payload}\n```\n"));
    }
    workspace.write("notes/evil.md", note);
    workspace.folder("templates/study");
    workspace.write(
        "templates/study/definition.md",
        format!("{{{{key}}}} {}\n", payloads[0]),
    );
}

fn markers(folder: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("marker"))
        })
        .collect()
}

const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["stats"],
    &["search", "$(touch x)"],
    &["show", "EV-1", "--template"],
    &["packet", "--count", "3", "--seed", "1"],
    &["handout", "notes/evil.md"],
];

/// A server session touching every feature that reads files or settings.
fn server_session(workspace: &Scratch, home: &Scratch, marker: &Path) {
    let mut server = spawned(workspace, home);
    let payloads = payloads(marker);
    let root = workspace.uri("");
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root,
            "workspaceFolders": [{ "uri": root, "name": "w" }],
            "initializationOptions": { "qbank": { "banks": payloads, "templates": payloads[1], "mode": payloads[2] } },
            "capabilities": { "workspace": { "workspaceEdit": { "documentChanges": true }, "applyEdit": true } }
        }),
    );
    server.notify("initialized", json!({}));
    let uri = workspace.uri("notes/evil.md");
    let text = std::fs::read_to_string(workspace.path("notes/evil.md")).unwrap();
    server.open(&uri, &text, 1);
    let at = json!({ "line": 2, "character": 4 });
    let document = json!({ "uri": uri });
    for (method, params) in [
        (
            "textDocument/hover",
            json!({ "textDocument": document, "position": at }),
        ),
        (
            "textDocument/completion",
            json!({ "textDocument": document, "position": at }),
        ),
        (
            "textDocument/definition",
            json!({ "textDocument": document, "position": at }),
        ),
        (
            "textDocument/references",
            json!({ "textDocument": document, "position": at, "context": { "includeDeclaration": true } }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": document, "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
        ),
        ("workspace/symbol", json!({ "query": "touch" })),
        ("textDocument/codeLens", json!({ "textDocument": document })),
    ] {
        server.request(method, params);
    }
    for command in ["qbank.insertTemplate", "qbank.insertPacket"] {
        server.request_raw(
            "workspace/executeCommand",
            json!({ "command": command, "arguments": [{ "uri": uri, "position": at, "key": "EV-1", "mode": payloads[0], "categories": [payloads[3]] }] }),
        );
    }
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "banks": payloads, "templates": payloads[4] } } }),
    );
    server.request("workspace/symbol", json!({ "query": "x" }));
    server.stop();
}

#[test]
fn nothing_named_in_a_file_or_setting_is_run() {
    let workspace = Scratch::new("exec");
    let home = Scratch::new("exec-home");
    let traps = Scratch::new("exec-traps");
    let marker = traps.path("marker");
    hostile_workspace(&workspace, &marker);
    for args in COMMANDS {
        run_cli(workspace.root(), home.root(), args);
    }
    server_session(&workspace, &home, &marker);
    assert_eq!(
        markers(traps.root()),
        Vec::<PathBuf>::new(),
        "a command ran"
    );
    // A control: the same payload does create the marker when a shell runs
    // it, so an empty folder means nothing ran it.
    let control = Command::new("sh")
        .arg("-c")
        .arg(format!("echo {}", payloads(&marker)[0]))
        .output()
        .unwrap();
    assert!(control.status.success());
    assert_eq!(markers(traps.root()).len(), 1, "the control payload works");
}

/// Every file under a folder with its size and modification time.
fn snapshot(folder: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let metadata = std::fs::symlink_metadata(&path).unwrap();
            if metadata.is_dir() {
                pending.push(path.clone());
            }
            files.insert(
                path.strip_prefix(folder).unwrap().to_path_buf(),
                (metadata.len(), metadata.modified().unwrap()),
            );
        }
    }
    files
}

#[test]
fn nothing_is_written_but_the_built_in_bank_cache_copy() {
    let workspace = Scratch::new("writes");
    let home = Scratch::new("writes-home");
    let traps = Scratch::new("writes-traps");
    hostile_workspace(&workspace, &traps.path("marker"));
    workspace.write(
        "notes/plain.md",
        "# Plain\n\n## BE-23 · ACID?\n\nAnswered.\n",
    );
    let before_workspace = snapshot(workspace.root());
    let before_home = snapshot(home.root());
    for args in COMMANDS {
        run_cli(workspace.root(), home.root(), args);
    }
    // The server writes the cache copy for a definition into the built-in bank.
    let mut server = spawned(&workspace, &home);
    server.initialize(workspace.root(), &Capabilities::editor());
    let uri = workspace.uri("notes/plain.md");
    server.open(&uri, "See BE-23.\n", 1);
    let definition = server.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 5 } }),
    );
    let target = definition["uri"].as_str().unwrap().to_string();
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": "changed BE-9999\n" }] }),
    );
    server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 9 } }),
    );
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    server.stop();
    assert_eq!(
        snapshot(workspace.root()),
        before_workspace,
        "the workspace changed"
    );
    let after_home = snapshot(home.root());
    let new: Vec<&PathBuf> = after_home
        .keys()
        .filter(|path| before_home.get(*path) != after_home.get(*path))
        .collect();
    assert_eq!(
        new,
        vec![
            Path::new("cache"),
            Path::new("cache/qbank"),
            Path::new("cache/qbank/backend.md")
        ],
        "only the cache copy is written"
    );
    assert_eq!(
        target,
        format!("file://{}", home.path("cache/qbank/backend.md").display())
    );
}

#[test]
fn scans_do_not_follow_symlinks_out_of_the_workspace() {
    let workspace = Scratch::new("links");
    let home = Scratch::new("links-home");
    let outside = Scratch::new("links-outside");
    workspace.write(".qbank.toml", "");
    workspace.write("notes/inside.md", "# Inside\n\nBE-23\n");
    outside.write(
        "secret.md",
        "# Secret\n\nBE-9999 outside\n\n## BE-40 · What is SQL injection, and how do you prevent it?\n\nAn answer.\n",
    );
    std::os::unix::fs::symlink(outside.root(), workspace.path("linked-folder")).unwrap();
    std::os::unix::fs::symlink(outside.path("secret.md"), workspace.path("linked.md")).unwrap();
    let (_, stdout, stderr) = run_cli(
        workspace.root(),
        home.root(),
        &["check", "--format", "json"],
    );
    assert!(
        !stdout.contains("secret") && !stdout.contains("linked") && !stdout.contains("9999"),
        "check read a note outside the workspace: {stdout}{stderr}"
    );
    let (code, stdout, stderr) = run_cli(
        workspace.root(),
        home.root(),
        &["stats", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let stats: Value = serde_json::from_str(&stdout).unwrap();
    let answered: u64 = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["answered"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        answered, 0,
        "stats counted a note outside the workspace: {stdout}"
    );
    // The server's scan: references to BE-23 and BE-40 name only notes inside.
    let mut server = spawned_initialized(&workspace, &home);
    let uri = workspace.uri("notes/inside.md");
    server.open(&uri, "# Inside\n\nBE-23 BE-40\n", 1);
    for character in [1, 8] {
        let found = server.request(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": character }, "context": { "includeDeclaration": false } }),
        );
        let text = found.to_string();
        assert!(
            !text.contains("secret") && !text.contains("linked"),
            "the server read a note outside the workspace: {text}"
        );
    }
    server.stop();
}

#[test]
fn unreadable_bank_paths_are_refused_with_a_message_naming_them() {
    let workspace = Scratch::new("banks");
    let home = Scratch::new("banks-home");
    workspace.write(".qbank.toml", "");
    workspace.write("empty-folder/readme.txt", "no banks");
    workspace.write("binary.md", b"## Ops\n1. \0\0\0\n");
    workspace.write("latin.md", b"## Ops\n1. caf\xe9?\n");
    let cases: &[(&str, &str)] = &[
        ("missing.md", "no such file or folder"),
        ("empty-folder", "no banks here"),
        ("binary.md", "looks binary"),
        ("latin.md", "not UTF-8"),
        ("/dev/null/nope.md", "missing"),
    ];
    for (bank, problem) in cases {
        let (code, stdout, stderr) = run_cli(
            workspace.root(),
            home.root(),
            &["--bank", bank, "search", "cache"],
        );
        assert_eq!(code, Some(2), "{bank}: {stdout}{stderr}");
        let line = stderr.trim();
        assert_eq!(line.lines().count(), 1, "{bank}: one line: {line}");
        assert!(
            line.contains(bank.trim_start_matches('/')),
            "{bank}: {line}"
        );
        if *problem != "missing" {
            assert!(line.contains(problem), "{bank}: {line}");
        }
    }
    // The same banks in `.qbank.toml`: the same messages, and the command
    // goes on with the banks that load.
    workspace.write(".qbank.toml", "banks = [\"missing.md\"]\n");
    let (code, stdout, stderr) = run_cli(workspace.root(), home.root(), &["search", "caching"]);
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains("missing.md") && stderr.contains("no such file"),
        "{stderr}"
    );
    assert!(stdout.contains("BE-"), "{stdout}");
    // The server logs the problem and serves the built-in bank.
    let mut server = spawned_initialized(&workspace, &home);
    let uri = workspace.uri("note.md");
    server.open(&uri, "BE-23\n", 1);
    let markdown = hover_markdown(&mut server, &uri, position_json((0, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    assert!(server.log().contains("missing.md"), "{}", server.log());
    server.stop();
}

/// The socket families a trace shows, other than local (AF_UNIX) ones.
fn network_sockets(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter(|line| {
            line.contains("socket(") || line.contains("connect(") || line.contains("sendto(")
        })
        .filter(|line| !line.contains("AF_UNIX") && !line.contains("AF_LOCAL"))
        .map(str::to_string)
        .collect()
}

#[test]
fn no_network_socket_is_opened() {
    let strace = Command::new("strace").arg("-V").output();
    if !strace.is_ok_and(|output| output.status.success()) {
        eprintln!("SKIPPED: strace is not installed (apt-get install -y strace)");
        return;
    }
    let workspace = Scratch::new("net");
    let home = Scratch::new("net-home");
    let traces = Scratch::new("net-traces");
    workspace.write(".qbank.toml", "");
    workspace.write(
        "notes/a.md",
        "# A\n\n## BE-23 · ACID?\n\nBE-9999 http://example.com\n",
    );
    for (number, args) in COMMANDS.iter().enumerate() {
        let trace = traces.path(&format!("cli-{number}.txt"));
        let status = Command::new("strace")
            .args(["-f", "-e", "trace=network", "-o"])
            .arg(&trace)
            .arg(QBANK)
            .args(*args)
            .current_dir(workspace.root())
            .env("HOME", home.root())
            .env("XDG_CACHE_HOME", home.path("cache"))
            .output()
            .unwrap();
        assert!(status.status.code().is_some());
        let text = std::fs::read_to_string(&trace).unwrap();
        assert_eq!(network_sockets(&text), Vec::<String>::new(), "{args:?}");
    }
    let trace = traces.path("lsp.txt");
    let mut command = Command::new("strace");
    command
        .args(["-f", "-e", "trace=network", "-o"])
        .arg(&trace)
        .arg(QBANK)
        .arg("lsp")
        .current_dir(workspace.root())
        .env("HOME", home.root())
        .env("XDG_CACHE_HOME", home.path("cache"));
    let mut server = Client::spawn(command);
    server.initialize(workspace.root(), &Capabilities::editor());
    let uri = workspace.uri("notes/a.md");
    server.open(&uri, "BE-23 http://example.com\n", 1);
    server.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } }),
    );
    server.request("workspace/symbol", json!({ "query": "cache" }));
    server.stop();
    let text = std::fs::read_to_string(&trace).unwrap();
    assert_eq!(network_sockets(&text), Vec::<String>::new(), "qbank lsp");
    // The trace worked: the server's own stdio pipes are not sockets, but
    // strace wrote its file.
    assert!(trace.exists());
}

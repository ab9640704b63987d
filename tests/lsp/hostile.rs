//! A repository someone cloned, tried as an attacker would: FIFOs, links to
//! devices, a device named outright, links out of the workspace, folders
//! named like files and files over their bound, in every place qbank reads
//! from (`.qbank.toml`, `questions/`, a bank `.qbank.toml` names, a
//! template, a note beside the one checked, `.gitignore`, the cache copy). The command
//! line and the server each run under a 1 GB address-space limit, so that
//! reading `/dev/zero` whole ends the process (and the test) rather than
//! the machine; every run must end on its own, say what it refused in one
//! line naming the file, and go on with the rest.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qbank_testkit::positions::position_json;
use qbank_testkit::{Capabilities, Client, Scratch, lsp_command};
use serde_json::json;

use crate::{QBANK, bounded, hover_markdown, run_cli};

/// How a command-line run ended.
struct Run {
    /// `None` when it was killed: hung, or ended by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the command line in `root` with its own home, bounded in memory
/// and time (`run_cli`).
fn run(root: &Path, home: &Path, args: &[&str]) -> Run {
    let (code, stdout, stderr) = run_cli(root, home, args);
    Run {
        code,
        stdout,
        stderr,
    }
}

fn fifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the file.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn link(target: &Path, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// What a hostile file is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Fifo,
    LinkToDevice,
    LinkToFifo,
    LinkOutside,
    Folder,
    /// A sparse file over every bound (no disk is used).
    Oversized,
}

const KINDS: [Kind; 6] = [
    Kind::Fifo,
    Kind::LinkToDevice,
    Kind::LinkToFifo,
    Kind::LinkOutside,
    Kind::Folder,
    Kind::Oversized,
];

/// Puts a hostile file of `kind` at `relative`; `outside` holds the file a
/// link out of the workspace points at.
fn plant(workspace: &Scratch, outside: &Scratch, relative: &str, kind: Kind) {
    let path = workspace.path(relative);
    match kind {
        Kind::Fifo => fifo(&path),
        Kind::LinkToDevice => link(Path::new("/dev/zero"), &path),
        Kind::LinkToFifo => {
            let pipe = workspace.path("elsewhere/pipe");
            if !pipe.exists() {
                fifo(&pipe);
            }
            link(&pipe, &path);
        }
        Kind::LinkOutside => link(&outside.path("secret.md"), &path),
        Kind::Folder => {
            workspace.folder(relative);
            workspace.write(&format!("{relative}/inner.md"), "BE-23\n");
        }
        Kind::Oversized => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let file = std::fs::File::create(&path).unwrap();
            file.set_len(100 << 20).unwrap();
        }
    }
}

/// A secret outside the workspace: a bank, a template and a note at once.
fn outside_secret() -> Scratch {
    let outside = Scratch::new("hostile-outside");
    outside.write(
        "secret.md",
        "---\nprefix: SE\n---\n## Secrets\n1. SECRET-TOKEN {{key}}?\n",
    );
    outside
}

/// The workspace every case starts from: one note with one problem.
fn base_workspace(name: &str) -> Scratch {
    let workspace = Scratch::new(name);
    workspace.write("notes/a.md", "## BE-9999 · Unknown\n\nBE-23\n");
    workspace
}

const NOTE_PROBLEM: &str = "notes/a.md:1:4: error[unknown-question]";

#[test]
fn the_command_line_refuses_special_files_everywhere_and_checks_the_rest() {
    let home = Scratch::new("hostile-cli-home");
    let outside = outside_secret();
    let places = [
        ".qbank.toml",
        "questions/team.md",
        "team/sre.md",
        ".qbank/templates/study/definition.md",
    ];
    for place in places {
        for kind in KINDS {
            let case = format!("{place} as {kind:?}");
            let workspace = base_workspace("hostile-cli");
            if place == "team/sre.md" {
                workspace.write(".qbank.toml", "banks = [\"team/sre.md\"]\n");
            }
            plant(&workspace, &outside, place, kind);
            let check = run(workspace.root(), home.root(), &["check", "notes/a.md"]);
            assert!(
                check.code.is_some(),
                "{case}: hung or killed: {}",
                check.stderr
            );
            assert!(
                check.stdout.contains(NOTE_PROBLEM),
                "{case}: the note is checked: {}{}",
                check.stdout,
                check.stderr
            );
            // A folder where a bank is expected is a folder of banks (a
            // folder inside `questions/` is skipped); every other refusal
            // is one line naming the file.
            let bank_folder = kind == Kind::Folder && !place.starts_with('.');
            if !bank_folder {
                let file = Path::new(place).file_name().unwrap().to_string_lossy();
                let refusal = check.stderr.lines().find(|line| line.contains(&*file));
                assert!(
                    refusal.is_some_and(
                        |line| line.contains("not read") || line.contains("is a folder")
                    ),
                    "{case}: {}",
                    check.stderr
                );
                assert_eq!(check.code, Some(1), "{case}");
            }
            let show = run(
                workspace.root(),
                home.root(),
                &["show", "BE-23", "--template"],
            );
            assert_eq!(show.code, Some(0), "{case}: {}", show.stderr);
            assert!(show.stdout.contains("BE-23"), "{case}: {}", show.stdout);
            assert!(
                !show.stdout.contains("SECRET-TOKEN"),
                "{case}: a file outside the workspace was read: {}",
                show.stdout
            );
        }
    }
}

#[test]
fn banks_named_in_the_configuration_cannot_be_devices_or_outside_files() {
    let home = Scratch::new("hostile-banks-home");
    let outside = outside_secret();
    let workspace = base_workspace("hostile-banks");
    let secret = outside.path("secret.md");
    let relative_secret = format!(
        "../{}/secret.md",
        outside.root().file_name().unwrap().to_string_lossy()
    );
    workspace.write(
        ".qbank.toml",
        format!(
            "banks = [\"/dev/zero\", \"/dev/stdin\", {:?}, {relative_secret:?}]\n",
            secret.display().to_string()
        ),
    );
    let search = run(workspace.root(), home.root(), &["search", "secret"]);
    assert!(search.code.is_some(), "hung or killed: {}", search.stderr);
    assert!(
        !search.stdout.contains("SECRET-TOKEN"),
        "read from outside: {}",
        search.stdout
    );
    let lines: Vec<&str> = search.stderr.lines().collect();
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("qbank: /dev/zero: is a character device")),
        "{}",
        search.stderr
    );
    let outside_refusals = lines
        .iter()
        .filter(|line| line.contains("secret.md: leads outside the workspace"))
        .count();
    assert_eq!(outside_refusals, 2, "{}", search.stderr);
    // Named by the user on the command line, the same outside bank loads.
    let named = run(
        workspace.root(),
        home.root(),
        &["--bank", &secret.display().to_string(), "show", "SE-1"],
    );
    assert!(named.stdout.contains("SECRET-TOKEN"), "{}", named.stderr);
}

#[test]
fn check_skips_special_siblings_and_reports_special_notes() {
    let home = Scratch::new("hostile-notes-home");
    let outside = outside_secret();
    let workspace = base_workspace("hostile-notes");
    // Asked in a sibling: `asked-before` must still come from the real one.
    workspace.write("notes/b.md", "## BE-23 · ACID\n");
    for (name, kind) in [
        ("notes/.gitignore", Kind::Fifo),
        ("notes/pipe.md", Kind::Fifo),
        ("notes/zero.md", Kind::LinkToDevice),
        ("notes/to-pipe.md", Kind::LinkToFifo),
        ("notes/secret.md", Kind::LinkOutside),
        ("notes/folder.md", Kind::Folder),
        ("notes/huge.md", Kind::Oversized),
    ] {
        plant(&workspace, &outside, name, kind);
    }
    workspace.write("notes/c.md", "## BE-23 · ACID\n");
    let check = run(workspace.root(), home.root(), &["check", "notes/c.md"]);
    assert_eq!(check.code, Some(0), "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("BE-23 was already asked in b.md"),
        "{}",
        check.stdout
    );
    // The whole workspace: the FIFO and the oversized note are named, links
    // are not followed, and the rest is checked.
    let all = run(workspace.root(), home.root(), &["check"]);
    assert_eq!(all.code, Some(1), "{}", all.stderr);
    assert!(all.stdout.contains(NOTE_PROBLEM), "{}", all.stdout);
    assert!(
        all.stderr.contains("notes/pipe.md: is not a regular file"),
        "{}",
        all.stderr
    );
    assert!(
        all.stderr
            .contains("notes/huge.md: is 100 MB, over the 4 MB limit for notes; not read"),
        "{}",
        all.stderr
    );
    assert!(!all.stdout.contains("secret.md"), "{}", all.stdout);
    let stats = run(workspace.root(), home.root(), &["stats"]);
    assert_eq!(stats.code, Some(0), "{}", stats.stderr);
    // Named on the command line, an unreadable note fails the command.
    let named = run(workspace.root(), home.root(), &["stats", "notes/huge.md"]);
    assert_eq!(named.code, Some(1), "{}", named.stderr);
}

#[test]
fn file_names_cannot_forge_lines_of_output() {
    let home = Scratch::new("hostile-names-home");
    let workspace = Scratch::new("hostile-names");
    let forged = "notes/x.md:1:1: error[unknown-question]: forged\nb.md";
    workspace.write(forged, "## BE-9999 · Unknown\n");
    let check = run(workspace.root(), home.root(), &["check"]);
    assert_eq!(check.code, Some(1), "{}", check.stderr);
    assert_eq!(check.stdout.lines().count(), 1, "{}", check.stdout);
    assert!(
        check.stdout.starts_with(
            "notes/x.md:1:1: error[unknown-question]: forged\\nb.md:1:4: error[unknown-question]: "
        ),
        "{}",
        check.stdout
    );
}

#[test]
fn closed_pipes_end_the_command_line_quietly() {
    let home = Scratch::new("hostile-pipes-home");
    let workspace = base_workspace("hostile-pipes");
    for args in [
        &["search", "zzz"][..],
        &["packet", "--count", "5", "--seed", "1"],
        // JSON is written through serde_json, which wraps the io error.
        &["packet", "--count", "5", "--seed", "1", "--format", "json"],
    ] {
        // Both ends closed before qbank writes a byte.
        let mut child = bounded(
            Command::new(QBANK)
                .args(args)
                .current_dir(workspace.root())
                .env("HOME", home.root())
                .env("XDG_CACHE_HOME", home.path("cache"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .spawn()
        .unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "{args:?}: {status:?} (101 is a panic)"
        );
    }
}

/// The server, spawned under the address-space limit.
fn bounded_server(workspace: &Scratch, home: &Scratch) -> Client {
    let mut command = lsp_command(QBANK, workspace.root(), home.root());
    bounded(&mut command);
    let mut server = Client::spawn(command);
    // A hung `initialize` fails the test instead of stalling it.
    server.set_timeout(Duration::from_secs(20));
    server
}

/// Every hostile kind in every place at once.
fn hostile_workspace(outside: &Scratch) -> Scratch {
    let workspace = base_workspace("hostile-server");
    let mut banks = vec!["\"/dev/zero\"".to_string(), "\"/dev/stdin\"".to_string()];
    for kind in KINDS {
        let name = format!("{kind:?}").to_lowercase();
        plant(&workspace, outside, &format!("questions/{name}.md"), kind);
        plant(&workspace, outside, &format!("team/{name}.md"), kind);
        plant(&workspace, outside, &format!("notes/{name}.md"), kind);
        banks.push(format!("\"team/{name}.md\""));
    }
    workspace.write(".qbank.toml", format!("banks = [{}]\n", banks.join(", ")));
    // The walk reads `.gitignore` files too.
    plant(&workspace, outside, ".gitignore", Kind::Fifo);
    plant(&workspace, outside, "notes/.gitignore", Kind::LinkToDevice);
    plant(
        &workspace,
        outside,
        ".qbank/templates/study/definition.md",
        Kind::LinkToDevice,
    );
    plant(
        &workspace,
        outside,
        ".qbank/templates/study/comparison.md",
        Kind::Fifo,
    );
    plant(
        &workspace,
        outside,
        ".qbank/templates/study/process.md",
        Kind::LinkOutside,
    );
    workspace
}

#[test]
fn the_server_answers_and_stays_small_in_a_hostile_workspace() {
    let outside = outside_secret();
    let workspace = hostile_workspace(&outside);
    let home = Scratch::new("hostile-server-home");
    let mut server = bounded_server(&workspace, &home);
    let started = Instant::now();
    let capabilities = Capabilities {
        work_done_progress: true,
        ..Capabilities::editor()
    };
    server.initialize(workspace.root(), &capabilities);
    eprintln!("initialize in a hostile workspace: {:?}", started.elapsed());
    server.wait_for_indexing();
    let uri = workspace.uri("notes/a.md");
    let text = "## BE-9999 · Unknown\n\nBE-23\n";
    server.open(&uri, text, 1);
    let markdown = hover_markdown(&mut server, &uri, position_json((2, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    // A refused bank carries a diagnostic on itself.
    let refused = workspace.uri("team/fifo.md");
    let diagnostics = server.diagnostics_for(&refused);
    assert!(
        diagnostics.iter().any(|diagnostic| {
            diagnostic["code"] == "unreadable-file"
                && diagnostic["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("is a FIFO"))
        }),
        "{diagnostics:?}"
    );
    // References still find the key in the readable note.
    let references = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": position_json((2, 1)),
            "context": { "includeDeclaration": false },
        }),
    );
    assert!(references.as_array().is_some_and(|found| !found.is_empty()));
    // The settings name a folder of hostile templates: the reload reads
    // none of them, and a hover right after is answered.
    plant(&workspace, &outside, "evil/study/definition.md", Kind::Fifo);
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "templates": "evil" } } }),
    );
    let markdown = hover_markdown(&mut server, &uri, position_json((2, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    let memory = server.memory().expect("a spawned server's memory");
    eprintln!("peak memory: {} MiB", memory.peak >> 20);
    assert!(memory.peak < 300 << 20, "peak {} MiB", memory.peak >> 20);
    assert!(!server.log().contains("SECRET-TOKEN"), "{}", server.log());
    server.stop();
}

#[test]
fn a_fifo_configuration_does_not_stop_the_server_or_its_exit() {
    let workspace = base_workspace("hostile-config");
    let home = Scratch::new("hostile-config-home");
    fifo(&workspace.path(".qbank.toml"));
    let mut server = bounded_server(&workspace, &home);
    server.initialize(workspace.root(), &Capabilities::editor());
    let uri = workspace.uri("notes/a.md");
    server.open(&uri, "BE-23\n", 1);
    let markdown = hover_markdown(&mut server, &uri, position_json((0, 1)));
    assert!(markdown.contains("ACID"), "{markdown}");
    assert!(
        server.log().contains(".qbank.toml: is a FIFO"),
        "{}",
        server.log()
    );
    // …and said on the file itself.
    let diagnostics = server.diagnostics_for(&workspace.uri(".qbank.toml"));
    assert!(
        diagnostics
            .iter()
            .any(|diagnostic| diagnostic["code"] == "config-invalid"
                && diagnostic["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("is a FIFO"))),
        "{diagnostics:?}"
    );
    server.stop();
}

/// The cache folder's copy of the built-in bank, with something planted
/// where the server writes: it must write neither through a link nor wait
/// on a FIFO, and point definition at a regular file holding the bank.
#[test]
fn the_cache_copy_is_never_written_through_a_planted_file() {
    for planted in ["link", "fifo", "device", "partial-link"] {
        let workspace = base_workspace("hostile-cache");
        let home = Scratch::new("hostile-cache-home");
        let victim = home.write("victim.txt", "precious\n");
        let cache = home.path("cache/qbank");
        std::fs::create_dir_all(&cache).unwrap();
        let copy = cache.join("backend.md");
        match planted {
            "link" => link(&victim, &copy),
            "fifo" => fifo(&copy),
            "device" => link(Path::new("/dev/zero"), &copy),
            _ => {}
        }
        let mut server = bounded_server(&workspace, &home);
        if planted == "partial-link" {
            // The name the server used to write to first, predictable from
            // its process id.
            let pid = server.pid().unwrap();
            link(&victim, &cache.join(format!("backend.md.{pid}.partial")));
        }
        server.initialize(workspace.root(), &Capabilities::editor());
        let uri = workspace.uri("notes/a.md");
        server.open(&uri, "BE-23\n", 1);
        let location = server.request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": uri }, "position": position_json((0, 1)) }),
        );
        let target = location["uri"].as_str().unwrap_or_default();
        assert!(
            target.ends_with("/cache/qbank/backend.md"),
            "{planted}: {location}"
        );
        let metadata = std::fs::symlink_metadata(&copy).unwrap();
        assert!(metadata.is_file(), "{planted}: {metadata:?}");
        let bank = std::fs::read_to_string(&copy).unwrap();
        assert!(bank.contains("What is ACID compliance"), "{planted}");
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "precious\n",
            "{planted}: written through a link"
        );
        server.stop();
    }
}

/// A large bank open and typed into: the live index is rebuilt once typing
/// pauses, one rebuild at a time, so memory stays bounded and requests are
/// answered meanwhile (ten keystrokes 0.1 s apart into a 50 MB bank once
/// grew the server by 400 MB each, and hovers took seconds).
#[test]
fn typing_into_a_large_open_bank_keeps_memory_bounded() {
    let workspace = Scratch::new("hostile-typing");
    let home = Scratch::new("hostile-typing-home");
    let questions = 25_000;
    let bank = qbank_testkit::generate::bank(questions, 42);
    workspace.write("questions/gen.md", &bank);
    let note = "BE-23\n";
    workspace.write("notes/a.md", note);
    let mut server = bounded_server(&workspace, &home);
    server.set_timeout(Duration::from_secs(60));
    server.initialize(workspace.root(), &Capabilities::editor());
    let bank_uri = workspace.uri("questions/gen.md");
    let note_uri = workspace.uri("notes/a.md");
    server.open(&bank_uri, &bank, 1);
    server.open(&note_uri, note, 1);
    let end_line = bank.lines().count();
    let mut typed = format!("{}. What is ", questions + 1);
    let mut version = 1;
    let mut insert = |server: &mut Client, text: &str, at: usize| {
        version += 1;
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": bank_uri, "version": version },
                "contentChanges": [{
                    "range": {
                        "start": { "line": end_line, "character": at },
                        "end": { "line": end_line, "character": at },
                    },
                    "text": text,
                }],
            }),
        );
    };
    insert(&mut server, &typed.clone(), 0);
    for letter in "jyqzorkbtw".chars() {
        std::thread::sleep(Duration::from_millis(100));
        insert(&mut server, &letter.to_string(), typed.len());
        typed.push(letter);
        let markdown = hover_markdown(&mut server, &note_uri, position_json((0, 1)));
        assert!(markdown.contains("ACID"), "{markdown}");
    }
    // The typed question becomes searchable once the rebuild is done.
    let mut found = false;
    for _ in 0..600 {
        let symbols = server.request("workspace/symbol", json!({ "query": "jyqzorkbtw" }));
        if symbols.as_array().is_some_and(|found| !found.is_empty()) {
            found = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(found, "the typed question never became searchable");
    let memory = server.memory().expect("a spawned server's memory");
    eprintln!(
        "typing into a {:.1} MB bank: peak {} MiB",
        bank.len() as f64 / 1e6,
        memory.peak >> 20
    );
    assert!(memory.peak < 300 << 20, "peak {} MiB", memory.peak >> 20);
    server.stop();
}

//! The end-to-end tests of `qbank lsp`, in one test binary on the test kit
//! (`crates/qbank-testkit`). Most drive the server in-process through the
//! real stdin filter and outbox; those where the process itself matters
//! spawn the real binary: exit codes, a closed stdin, raw and huge frames,
//! what the server logs, what it writes or runs, and the command line.
//!
//! - `features`: the editor features of one document;
//! - `workspace`: indexing with progress, references across notes, live
//!   re-indexing, lenses and hints;
//! - `sync`: document sync against the kit's position model (property
//!   tests) and through the server;
//! - `edits`: every code action is versioned and changes only its range;
//! - `packets`: packets in a candidate's folder leave out what the folder
//!   (or the notes named) already asked;
//! - `protocol` and `framing`: protocol and framing abuse;
//! - `backpressure`: a client that reads no replies;
//! - `files`: bad and pathological files;
//! - `security`: nothing is run, written, followed or sent;
//! - `hostile`: special files, links and oversized files in every place
//!   qbank reads from, for the command line and the server.

mod backpressure;
mod edits;
mod features;
mod files;
mod framing;
mod hostile;
mod packets;
mod protocol;
mod review;
mod scores;
mod security;
mod sync;
mod workspace;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qbank_testkit::positions::apply_edits;
use qbank_testkit::{Capabilities, Client, Scratch, Unit};
use serde_json::{Value, json};

/// The real binary cargo built for these tests.
const QBANK: &str = env!("CARGO_BIN_EXE_qbank");

/// An in-process server initialized for a scratch workspace; the
/// `initialize` result beside it.
fn initialized(workspace: &Scratch, capabilities: Capabilities) -> (Client, Value) {
    let mut server = Client::in_process();
    let reply = server.initialize(workspace.root(), &capabilities);
    (server, reply)
}

/// An in-process server initialized for a fresh workspace named `name`.
fn started(name: &str) -> (Scratch, Client) {
    let workspace = Scratch::new(name);
    let (server, _) = initialized(&workspace, Capabilities::editor());
    (workspace, server)
}

/// The real binary, not yet initialized, in a workspace with its own home.
fn spawned(workspace: &Scratch, home: &Scratch) -> Client {
    Client::spawn_lsp(QBANK, workspace.root(), home.root())
}

/// The real binary initialized for a workspace with its own home.
fn spawned_initialized(workspace: &Scratch, home: &Scratch) -> Client {
    let mut server = spawned(workspace, home);
    server.initialize(workspace.root(), &Capabilities::editor());
    server
}

/// The real binary initialized for a fresh workspace named `name` and a
/// fresh home; the folders live as long as they are kept.
fn spawned_started(name: &str) -> (Scratch, Scratch, Client) {
    let workspace = Scratch::new(name);
    let home = Scratch::new(&format!("{name}-home"));
    let server = spawned_initialized(&workspace, &home);
    (workspace, home, server)
}

/// The markdown a hover shows at a position; empty without a hover.
fn hover_markdown(server: &mut Client, uri: &str, position: Value) -> String {
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position }),
    );
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The code actions offered at a position (no diagnostics in context).
fn code_actions_at(server: &mut Client, uri: &str, position: Value) -> Vec<Value> {
    let reply = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": position, "end": position },
            "context": { "diagnostics": [] }
        }),
    );
    reply
        .as_array()
        .unwrap_or_else(|| panic!("no actions: {reply}"))
        .clone()
}

/// The text a document holding `text` has once a command's edit is
/// applied (the kit's editor applies it, as a real one would).
fn command_text(server: &mut Client, text: &str, command: &str, arguments: Value) -> String {
    let reply = server.request(
        "workspace/executeCommand",
        json!({ "command": command, "arguments": [arguments] }),
    );
    assert_eq!(reply["applied"], true, "{reply}");
    let request = server
        .edit_requests()
        .last()
        .expect("the command asks the editor to apply its edit")
        .clone();
    let edits = request["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    apply_edits(text, &edits, Unit::Utf16)
}

/// The address space a command-line run or a bounded server may use: far
/// more than qbank needs, far less than reading a device whole takes.
const ADDRESS_SPACE: u64 = 1 << 30;
/// How long a command-line run may take before it counts as hung.
const HUNG: Duration = Duration::from_secs(120);

/// Limits the command's address space, so that a run that reads
/// `/dev/zero` whole ends itself (and its test), not the machine.
fn bounded(command: &mut Command) -> &mut Command {
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child
    // between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// Runs the command line in a workspace with its own home, bounded in
/// memory and time; the exit code (`None` when it hung or was killed),
/// stdout and stderr. Output goes to files, so a hung run can be read. A
/// panic fails the test.
fn run_cli(workspace: &Path, home: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = bounded(
        Command::new(QBANK)
            .args(args)
            .current_dir(workspace)
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null())
            .stdout(out.reopen().unwrap())
            .stderr(err.reopen().unwrap()),
    )
    .spawn()
    .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > HUNG {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |file: &tempfile::NamedTempFile| {
        let mut bytes = Vec::new();
        let _ = file.reopen().unwrap().read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let (stdout, stderr) = (read(&out), read(&err));
    assert!(!stderr.contains("panicked"), "qbank panicked: {stderr}");
    (status.and_then(|status| status.code()), stdout, stderr)
}

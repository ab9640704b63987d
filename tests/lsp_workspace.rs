//! End-to-end tests of the workspace features of `qbank lsp`: the real
//! binary over stdio with `Content-Length` framing, driven by a small
//! synchronous client that answers the server's own requests
//! (`window/workDoneProgress/create`, `client/registerCapability`,
//! refreshes) as an editor would. They check background indexing with
//! `$/progress`, references across notes, live re-indexing of an open bank
//! and of notes changed on disk, inlay hints, code lenses, and bad input.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "qbank-lsp-ws-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path.canonicalize().unwrap())
    }

    fn uri(&self, file: &str) -> String {
        format!("file://{}", self.0.join(file).display())
    }

    fn write(&self, file: &str, text: impl AsRef<[u8]>) {
        let path = self.0.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A synchronous client of one `qbank lsp` process.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications and server requests seen while waiting for replies.
    seen: VecDeque<Value>,
    next_id: i64,
}

impl Server {
    /// Starts a server and initializes it for a workspace folder, as a
    /// client that takes progress reports and watches files.
    fn initialized(workspace: &Scratch, cache: &Scratch) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .arg("lsp")
            .current_dir(&workspace.0)
            .env("XDG_CACHE_HOME", &cache.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("qbank starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
            seen: VecDeque::new(),
            next_id: 1,
        };
        server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": workspace.uri(""),
                "workspaceFolders": [{ "uri": workspace.uri(""), "name": "notes" }],
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "window": { "workDoneProgress": true },
                    "workspace": {
                        "didChangeWatchedFiles": { "dynamicRegistration": true },
                        "codeLens": { "refreshSupport": true },
                        "inlayHint": { "refreshSupport": true }
                    }
                }
            }),
        );
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message; a request of the server's is answered with null
    /// (what the client requests above expect) and still handed back.
    fn receive(&mut self) -> Value {
        let message = self
            .messages
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time");
        if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
            let reply = json!({ "jsonrpc": "2.0", "id": id, "result": null });
            self.send(&reply);
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.seen.push_back(message);
        }
    }

    /// Waits for a notification (or server request) matching `wanted`.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(position) = self.seen.iter().position(&wanted) {
            return self.seen.remove(position).unwrap();
        }
        loop {
            let message = self.receive();
            if wanted(&message) {
                return message;
            }
            self.seen.push_back(message);
        }
    }

    /// Waits until indexing reports its end; returns every progress value.
    fn wait_for_indexing(&mut self) -> Vec<Value> {
        let mut values = Vec::new();
        loop {
            let message = self.wait_for(|message| message["method"] == "$/progress");
            let value = message["params"]["value"].clone();
            let done = value["kind"] == "end";
            values.push(value);
            if done {
                return values;
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let start = std::time::Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0), "a clean exit after shutdown");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The UTF-16 position of `needle` in an ASCII-before-it text, plus a
/// column offset.
fn position_of(text: &str, needle: &str, extra: u64) -> Value {
    let offset = text.find(needle).expect("needle in text");
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |position| position + 1);
    let character = text[line_start..offset].encode_utf16().count() as u64 + extra;
    json!({ "line": line, "character": character })
}

/// The text a location's range covers in a file (one line, UTF-16 columns).
fn covered(root: &Path, location: &Value) -> String {
    let path = location["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let range = &location["range"];
    let line = text
        .lines()
        .nth(range["start"]["line"].as_u64().unwrap() as usize)
        .unwrap();
    let units: Vec<u16> = line.encode_utf16().collect();
    let start = range["start"]["character"].as_u64().unwrap() as usize;
    let end = range["end"]["character"].as_u64().unwrap() as usize;
    let name = Path::new(path).strip_prefix(root).unwrap().display();
    format!(
        "{name}: {}",
        String::from_utf16(&units[start..end]).unwrap()
    )
}

fn references(server: &mut Server, workspace: &Scratch, uri: &str, text: &str) -> Vec<String> {
    let found = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-23", 2),
            "context": { "includeDeclaration": false }
        }),
    );
    let mut covered: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|location| covered(&workspace.0, location))
        .collect();
    covered.sort();
    covered
}

/// Three notes name BE-23, a fourth does not, a fifth is gitignored.
fn three_notes() -> Scratch {
    let workspace = Scratch::new("refs");
    workspace.write(".gitignore", "drafts/\n");
    workspace.write("notes/a.md", "# Study\n\nRemember BE-23 today.\n");
    workspace.write(
        "notes/b.md",
        "## BE-23 · What is ACID compliance, and why is it important in databases?\n\nAtomicity, consistency, isolation, durability.\n",
    );
    workspace.write("c.md", "Both 😀 BE-23 and `BE-23` (in code).\n");
    workspace.write("d.md", "Only BE-40 here.\n");
    workspace.write("drafts/e.md", "BE-23 in a draft.\n");
    workspace
}

#[test]
fn indexing_reports_progress_and_references_span_the_notes() {
    let workspace = three_notes();
    let cache = Scratch::new("refs-cache");
    let mut server = Server::initialized(&workspace, &cache);
    let created = server.wait_for(|message| message["method"] == "window/workDoneProgress/create");
    let token = created["params"]["token"].clone();
    let registered = server.wait_for(|message| message["method"] == "client/registerCapability");
    let registration = &registered["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let patterns: Vec<&Value> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|watcher| &watcher["globPattern"])
        .collect();
    assert_eq!(patterns, [&json!("**/*.md"), &json!("**/.qbank.toml")]);
    let progress = server.wait_for_indexing();
    assert_eq!(progress.first().unwrap()["kind"], "begin");
    assert!(
        progress.iter().any(|value| value["kind"] == "report"),
        "{progress:?}"
    );
    assert_eq!(progress.last().unwrap()["kind"], "end");
    assert!(
        progress.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("4 notes indexed"),
        "{progress:?}"
    );
    assert!(token.is_string());

    let uri = workspace.uri("notes/a.md");
    let text = "# Study\n\nRemember BE-23 today.\n";
    server.open(&uri, text);
    assert_eq!(
        references(&mut server, &workspace, &uri, text),
        ["c.md: BE-23", "notes/a.md: BE-23", "notes/b.md: BE-23"]
    );
    // With the declaration: the question's line in the built-in bank's copy.
    let found = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-23", 0),
            "context": { "includeDeclaration": true }
        }),
    );
    let first = &found[0];
    assert!(
        first["uri"].as_str().unwrap().ends_with("qbank/backend.md"),
        "{first}"
    );

    // Hover says where the question is answered.
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 1) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("Answered in notes/b.md"), "{markdown}");

    // Workspace symbols: the question, then the note's section.
    let symbols = server.request("workspace/symbol", json!({ "query": "acid" }));
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["containerName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Databases and Data Storage", "notes/b.md"]);
    server.stop();
}

#[test]
fn a_note_changed_on_disk_updates_references() {
    let workspace = three_notes();
    let cache = Scratch::new("disk-cache");
    let mut server = Server::initialized(&workspace, &cache);
    server.wait_for_indexing();
    let uri = workspace.uri("notes/a.md");
    let text = "# Study\n\nRemember BE-23 today.\n";
    server.open(&uri, text);
    assert_eq!(references(&mut server, &workspace, &uri, text).len(), 3);

    workspace.write("c.md", "Nothing about it any more.\n");
    workspace.write("notes/f.md", "New: BE-23, twice BE-23.\n");
    std::fs::remove_file(workspace.0.join("notes/b.md")).unwrap();
    workspace.write("drafts/g.md", "BE-23, ignored.\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": workspace.uri("c.md"), "type": 2 },
            { "uri": workspace.uri("notes/f.md"), "type": 1 },
            { "uri": workspace.uri("notes/b.md"), "type": 3 },
            { "uri": workspace.uri("drafts/g.md"), "type": 1 }
        ] }),
    );
    assert_eq!(
        references(&mut server, &workspace, &uri, text),
        [
            "notes/a.md: BE-23",
            "notes/f.md: BE-23",
            "notes/f.md: BE-23"
        ]
    );
    server.stop();
}

const TEAM_BANK: &str = "---\nprefix: TM\n---\n## Ops\n1. How do we deploy?\n2. Who is on call?\n";

#[test]
fn a_question_added_in_an_open_bank_is_offered_without_saving() {
    let workspace = Scratch::new("bank");
    workspace.write("questions/team.md", TEAM_BANK);
    let cache = Scratch::new("bank-cache");
    let mut server = Server::initialized(&workspace, &cache);
    let bank_uri = workspace.uri("questions/team.md");
    server.open(&bank_uri, TEAM_BANK);
    let end = TEAM_BANK.lines().count();
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": bank_uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": end, "character": 0 }, "end": { "line": end, "character": 0 } },
                "text": "3. How do we roll back a release?\n"
            }]
        }),
    );
    let note_uri = workspace.uri("notes/ops.md");
    let note = "Ask TM-\n";
    server.open(&note_uri, note);
    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": note_uri },
            "position": position_of(note, "TM-", 3),
            "context": { "triggerKind": 2, "triggerCharacter": "-" }
        }),
    );
    let labels: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["label"].as_str().unwrap(),
                item["detail"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("TM-1", "How do we deploy?"),
            ("TM-2", "Who is on call?"),
            ("TM-3", "How do we roll back a release?")
        ]
    );
    server.stop();
}

#[test]
fn inlay_hints_and_code_lenses_show_their_texts() {
    let workspace = Scratch::new("lens");
    workspace.write("questions/team.md", TEAM_BANK);
    workspace.write(
        "notes/a.md",
        "## TM-1 · How do we deploy?\nWith a pipeline.\n",
    );
    workspace.write("notes/b.md", "### TM-1 · Deploys\nBlue-green.\n");
    let cache = Scratch::new("lens-cache");
    let mut server = Server::initialized(&workspace, &cache);
    server.wait_for_indexing();

    let note_uri = workspace.uri("notes/round.md");
    let note = "# Round 1\n\nRemember BE-23 today.\n\n## Interview packet · 3 questions · 2 categories · about 14 min\n\n### BE-23 · ACID\n\n### BE-40 · SQL injection\n\n### BE-104 · Stateless\n";
    server.open(&note_uri, note);
    let hints = server.request(
        "textDocument/inlayHint",
        json!({
            "textDocument": { "uri": note_uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 20, "character": 0 } }
        }),
    );
    assert_eq!(
        hints,
        json!([{
            "position": position_of(note, "BE-23", 5),
            "label": ": What is ACID compliance, and why is…",
            "tooltip": "BE-23 · What is ACID compliance, and why is it important in databases?"
        }])
    );
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": note_uri } }),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| lens["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["3 questions · 2 categories · about 14 min"]);
    assert_eq!(lenses[0]["range"]["start"]["line"], 4);

    let bank_uri = workspace.uri("questions/team.md");
    server.open(&bank_uri, TEAM_BANK);
    let lenses = server.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": bank_uri } }),
    );
    let titles: Vec<(u64, &str)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| {
            (
                lens["range"]["start"]["line"].as_u64().unwrap(),
                lens["command"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (3, "1 of 2 answered"),
            (4, "answered in 2 notes"),
            (5, "not answered")
        ]
    );
    server.stop();
}

#[test]
fn bad_files_get_a_diagnostic_and_the_last_good_state_serves() {
    let workspace = Scratch::new("bad");
    workspace.write(".qbank.toml", "mode = \"interview\"\n");
    workspace.write("latin1.md", b"caf\xe9 BE-23\n");
    workspace.write("good.md", "BE-23\n");
    let cache = Scratch::new("bad-cache");
    let mut server = Server::initialized(&workspace, &cache);
    let latin1 = workspace.uri("latin1.md");
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == latin1
    });
    let diagnostic = &published["params"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unreadable-note");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("is not UTF-8"),
        "{diagnostic}"
    );
    server.wait_for_indexing();

    // The configuration turns invalid: a diagnostic on it, and interview
    // mode (the last good configuration) stays.
    workspace.write(".qbank.toml", "mode = \"exam\"\n");
    let config = workspace.uri(".qbank.toml");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": config, "type": 2 }] }),
    );
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == config
    });
    let diagnostic = &published["params"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "config-invalid");
    assert_eq!(
        diagnostic["range"]["start"],
        json!({ "line": 0, "character": 7 })
    );

    let note_uri = workspace.uri("note.md");
    let note = "@acid\n";
    server.open(&note_uri, note);
    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": note_uri },
            "position": position_of(note, "@acid", 5),
            "context": { "triggerKind": 1 }
        }),
    );
    let inserted = list["items"][0]["textEdit"]["newText"].as_str().unwrap();
    assert!(inserted.contains("**Red flags:**"), "{inserted}");

    // Fixed again: the diagnostic goes away.
    workspace.write(".qbank.toml", "mode = \"study\"\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": config, "type": 2 }] }),
    );
    let published = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == config
    });
    assert_eq!(published["params"]["diagnostics"], json!([]));
    server.stop();
}

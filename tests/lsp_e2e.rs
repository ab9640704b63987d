//! End-to-end tests of `qbank lsp`: the real binary over stdio with real
//! `Content-Length` framing, driven by a small synchronous JSON-RPC client.
//! Every read has a timeout, so a hung server fails a test instead of
//! hanging it. They check what a user of an editor relies on: capabilities,
//! hover, completion, code actions that change only what they name,
//! diagnostics, definition into the built-in bank's cache copy, ordering of
//! many incremental edits, and answers to bad input.

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
        let path =
            std::env::temp_dir().join(format!("qbank-lsp-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path.canonicalize().unwrap())
    }

    fn uri(&self, file: &str) -> String {
        format!("file://{}", self.0.join(file).display())
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
    fn start(workspace: &Path, cache: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .arg("lsp")
            .current_dir(workspace)
            .env("XDG_CACHE_HOME", cache)
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
        Server {
            child,
            stdin,
            messages,
            seen: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Starts a server and initializes it for a workspace folder.
    fn initialized(workspace: &Scratch, cache: &Scratch, utf8: bool) -> (Server, Value) {
        let mut server = Server::start(&workspace.0, &cache.0);
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let reply = server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": workspace.uri(""),
                "workspaceFolders": [{ "uri": workspace.uri(""), "name": "notes" }],
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
                    "workspace": { "workspaceEdit": { "documentChanges": true }, "applyEdit": true }
                }
            }),
        );
        server.notify("initialized", json!({}));
        (server, reply)
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn receive(&mut self) -> Value {
        self.messages
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time")
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    /// Server requests met meanwhile are answered: `workspace/applyEdit` as
    /// applied, anything else with null.
    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            if let (Some(server_id), Some(method)) = (message.get("id"), message.get("method")) {
                let result = if method == "workspace/applyEdit" {
                    json!({ "applied": true })
                } else {
                    Value::Null
                };
                let reply = json!({ "jsonrpc": "2.0", "id": server_id, "result": result });
                self.send(&reply);
            }
            self.seen.push_back(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
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

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        let uri = uri.to_string();
        let message = self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The diagnostics published for one version of a document: earlier
    /// publishes (a workspace rescan rechecks open documents) are skipped.
    fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let uri = uri.to_string();
        let message = self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = wait_with_timeout(&mut self.child);
        assert_eq!(status, Some(0), "a clean exit after shutdown");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_timeout(child: &mut Child) -> Option<i32> {
    let start = std::time::Instant::now();
    while start.elapsed() < TIMEOUT {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
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

/// The byte offset of a UTF-16 position, computed independently of the
/// server: lines end at `\n`, `\r\n` or `\r`; columns past the line's end
/// clamp to it.
fn byte_offset(text: &str, line: u64, character: u64) -> usize {
    let mut current_line = 0;
    let mut offset = 0;
    let bytes = text.as_bytes();
    while current_line < line {
        match bytes.get(offset) {
            None => return text.len(),
            Some(b'\r') if bytes.get(offset + 1) == Some(&b'\n') => {
                offset += 2;
                current_line += 1;
            }
            Some(b'\r') | Some(b'\n') => {
                offset += 1;
                current_line += 1;
            }
            Some(_) => offset += 1,
        }
    }
    let mut units = 0;
    for (index, character_here) in text[offset..].char_indices() {
        let width = character_here.len_utf16() as u64;
        // Inside a surrogate pair rounds down, as the server does.
        if units + width > character || character_here == '\n' || character_here == '\r' {
            return offset + index;
        }
        units += width;
    }
    text.len()
}

fn position_of(text: &str, needle: &str, extra_units: u64) -> Value {
    let offset = text.find(needle).expect("needle in text");
    let before = &text[..offset];
    let line_start = before
        .rfind(['\n', '\r'])
        .map_or(0, |position| position + 1);
    let line = before.matches('\n').count() + before.matches('\r').count()
        - before.matches("\r\n").count();
    let character = text[line_start..offset].encode_utf16().count() as u64 + extra_units;
    json!({ "line": line, "character": character })
}

fn byte_range(text: &str, range: &Value) -> std::ops::Range<usize> {
    let start = byte_offset(
        text,
        range["start"]["line"].as_u64().unwrap(),
        range["start"]["character"].as_u64().unwrap(),
    );
    let end = byte_offset(
        text,
        range["end"]["line"].as_u64().unwrap(),
        range["end"]["character"].as_u64().unwrap(),
    );
    start..end
}

/// Applies LSP text edits (UTF-16 positions) to a text.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(std::ops::Range<usize>, String)> = edits
        .iter()
        .map(|edit| {
            (
                byte_range(text, &edit["range"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut result = text.to_string();
    for (range, new_text) in resolved {
        result.replace_range(range, &new_text);
    }
    result
}

#[test]
fn capabilities_and_encoding_negotiation() {
    let workspace = Scratch::new("caps");
    let cache = Scratch::new("caps-cache");
    let (server, reply) = Server::initialized(&workspace, &cache, true);
    let capabilities = &reply["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-8");
    assert_eq!(capabilities["textDocumentSync"]["change"], 2);
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(
        capabilities["completionProvider"]["triggerCharacters"],
        json!(["-", "@"])
    );
    assert_eq!(capabilities["completionProvider"]["resolveProvider"], true);
    assert_eq!(
        capabilities["executeCommandProvider"]["commands"],
        json!(["qbank.insertPacket", "qbank.insertTemplate"])
    );
    assert_eq!(reply["serverInfo"]["name"], "qbank");
    server.stop();

    let (server, reply) = Server::initialized(&workspace, &cache, false);
    assert_eq!(reply["capabilities"]["positionEncoding"], "utf-16");
    server.stop();
}

#[test]
fn hover_after_an_emoji_and_on_a_crlf_line() {
    let workspace = Scratch::new("hover");
    let cache = Scratch::new("hover-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "# Study 😀\r\n\r\n😀🎉 Remember BE-23 today.\r\nAnd BE-40 too.\r\n";
    server.open(&uri, text);
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 2) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("What is ACID compliance, and why is it important in databases?"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Databases and Data Storage"),
        "{markdown}"
    );
    assert_eq!(&text[byte_range(text, &hover["range"])], "BE-23");

    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-40", 4) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("SQL injection"), "{markdown}");
    assert_eq!(&text[byte_range(text, &hover["range"])], "BE-40");

    // Nothing to say on plain words.
    let nothing = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "today", 1) }),
    );
    assert_eq!(nothing, Value::Null);
    server.stop();
}

#[test]
fn completion_by_key_and_by_search() {
    let workspace = Scratch::new("completion");
    let cache = Scratch::new("completion-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "See BE-2\n\nNotes on @acid\n";
    server.open(&uri, text);

    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "BE-2", 4),
            "context": { "triggerKind": 1 }
        }),
    );
    let items = list["items"].as_array().unwrap();
    let labels: Vec<&str> = items
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    assert_eq!(&labels[..3], &["BE-2", "BE-20", "BE-21"]);
    assert!(labels.contains(&"BE-23"));
    let be23 = items.iter().find(|item| item["label"] == "BE-23").unwrap();
    let edit = &be23["textEdit"];
    assert_eq!(&text[byte_range(text, &edit["range"])], "BE-2");
    assert_eq!(
        apply_edits(text, std::slice::from_ref(edit)),
        "See BE-23\n\nNotes on @acid\n"
    );

    let resolved = server.request("completionItem/resolve", be23.clone());
    let documentation = resolved["documentation"]["value"].as_str().unwrap();
    assert!(documentation.contains("ACID compliance"), "{documentation}");

    let list = server.request(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": uri },
            "position": position_of(text, "@acid", 5),
            "context": { "triggerKind": 1 }
        }),
    );
    let first = &list["items"][0];
    assert!(
        first["label"].as_str().unwrap().starts_with("BE-23 · "),
        "{first}"
    );
    assert_eq!(
        apply_edits(text, std::slice::from_ref(&first["textEdit"])),
        "See BE-2\n\nNotes on BE-23\n"
    );
    server.stop();
}

#[test]
fn insert_answer_template_changes_only_its_range() {
    let workspace = Scratch::new("actions");
    let cache = Scratch::new("actions-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "# Round 😀 one\r\n\r\n## BE-23 · What is ACID compliance, and why is it important in databases?\r\n\r\nTail stays: ünïcode 🎉\r\n";
    server.open(&uri, text);
    let position = position_of(text, "BE-23", 2);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": position, "end": position },
            "context": { "diagnostics": [] }
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["title"].as_str().unwrap())
        .collect();
    for wanted in [
        "Insert answer template",
        "Insert interview rubric",
        "Insert interview packet (5 questions)",
        "Insert interview packet (10 questions)",
    ] {
        assert!(titles.contains(&wanted), "{titles:?}");
    }
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"] == "Insert answer template")
        .unwrap();
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], uri);
    assert_eq!(change["textDocument"]["version"], 1);
    let edits = change["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let range = byte_range(text, &edits[0]["range"]);
    let applied = apply_edits(text, edits);
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert_eq!(&applied[..range.start], &text[..range.start]);
    assert_eq!(&applied[range.start + new_text.len()..], &text[range.end..]);
    assert!(new_text.contains("**In one sentence:**"), "{new_text}");
    assert!(
        !new_text.replace("\r\n", "").contains('\n'),
        "the template keeps the note's CRLF line endings"
    );
    server.stop();
}

#[test]
fn commands_apply_their_edit_through_the_editor() {
    let workspace = Scratch::new("commands");
    let cache = Scratch::new("commands-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "# Packet\n\n";
    server.open(&uri, text);
    let result = server.request(
        "workspace/executeCommand",
        json!({
            "command": "qbank.insertPacket",
            "arguments": [{ "uri": uri, "position": { "line": 1, "character": 0 }, "count": 3, "seed": 7, "mode": "interview" }]
        }),
    );
    assert_eq!(result["applied"], true);
    let request = server.wait_for(|message| message["method"] == "workspace/applyEdit");
    let edits = request["params"]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    let applied = apply_edits(text, &edits);
    assert!(
        applied.contains("Interview packet · 3 questions"),
        "{applied}"
    );
    assert!(applied.starts_with("# Packet\n"), "{applied}");

    let result = server.request_raw(
        "workspace/executeCommand",
        json!({ "command": "qbank.insertTemplate", "arguments": [{ "uri": uri, "position": { "line": 0, "character": 0 }, "key": "BE-999" }] }),
    );
    assert!(result.get("error").is_some(), "{result}");
    server.stop();
}

#[test]
fn unknown_keys_are_diagnosed() {
    let workspace = Scratch::new("diagnostics");
    let cache = Scratch::new("diagnostics-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "Compare BE-999 with BE-23.\n";
    server.open(&uri, text);
    let diagnostics = server.diagnostics_for(&uri);
    let unknown = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "unknown-question")
        .unwrap_or_else(|| panic!("{diagnostics:?}"));
    assert_eq!(unknown["source"], "qbank");
    assert_eq!(unknown["severity"], 1);
    assert_eq!(&text[byte_range(text, &unknown["range"])], "BE-999");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean"),
        "{unknown}"
    );
    server.stop();
}

#[test]
fn definition_opens_the_built_in_bank_copy() {
    let workspace = Scratch::new("definition");
    let cache = Scratch::new("definition-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let text = "Read BE-23 again.\n";
    server.open(&uri, text);
    let location = server.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position_of(text, "BE-23", 1) }),
    );
    let target = location["uri"].as_str().unwrap();
    let path = PathBuf::from(target.strip_prefix("file://").unwrap());
    assert!(path.starts_with(&cache.0), "{target}");
    let bank = std::fs::read_to_string(&path).unwrap();
    let line = location["range"]["start"]["line"].as_u64().unwrap() as usize;
    let held = bank.lines().nth(line).unwrap();
    assert!(
        held.contains("What is ACID compliance, and why is it important in databases?"),
        "{held}"
    );
    server.stop();
}

#[test]
fn many_incremental_changes_keep_the_text() {
    let workspace = Scratch::new("ordering");
    let cache = Scratch::new("ordering-cache");
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri("note.md");
    let mut text = String::from("# Notes 😀\r\n\r\n");
    server.open(&uri, &text);
    let pieces = ["a", "😀", "é", "\r\n", "BE-23 ", "\n", "x"];
    for version in 2..2002 {
        let step = version as usize;
        let piece = pieces[step % pieces.len()];
        // Alternate between appending at the end and editing the first line.
        let (start, end) = if step % 5 == 0 {
            (
                json!({ "line": 0, "character": 2 }),
                json!({ "line": 0, "character": 3 }),
            )
        } else {
            let end = position_at_end(&text);
            (end.clone(), end)
        };
        let range = json!({ "start": start, "end": end });
        text = apply_edits(&text, &[json!({ "range": range, "newText": piece })]);
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": piece }]
            }),
        );
    }
    let copy = server.request("qbank/documentText", json!({ "uri": uri }));
    assert_eq!(copy["version"], 2001);
    assert!(copy["text"] == text.as_str(), "the server's text differs");

    // A change that does not increase the version is ignored.
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 5 },
            "contentChanges": [{ "text": "lost" }]
        }),
    );
    let copy = server.request("qbank/documentText", json!({ "uri": uri }));
    assert!(copy["text"] == text.as_str());
    server.stop();
}

fn position_at_end(text: &str) -> Value {
    let line_start = text.rfind(['\n', '\r']).map_or(0, |position| position + 1);
    let line =
        text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
    json!({ "line": line, "character": text[line_start..].encode_utf16().count() })
}

#[test]
fn bad_input_gets_error_replies_and_the_server_goes_on() {
    let workspace = Scratch::new("bad");
    let cache = Scratch::new("bad-cache");
    let mut server = Server::start(&workspace.0, &cache.0);
    let early = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": workspace.uri("x.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(early.get("error").is_some(), "{early}");
    server.request(
        "initialize",
        json!({ "processId": null, "rootUri": workspace.uri(""), "capabilities": {} }),
    );
    server.notify("initialized", json!({}));

    let unknown = server.request_raw("qbank/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    let uri = workspace.uri("note.md");
    server.open(&uri, "one line\n");
    let out_of_range = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 99, "character": 0 } }),
    );
    assert!(out_of_range.get("error").is_some(), "{out_of_range}");
    // Past the line's end is clamped, not an error.
    let clamped = server.request_raw(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 999 } }),
    );
    assert!(clamped.get("error").is_none(), "{clamped}");

    let not_open = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": workspace.uri("other.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(not_open, Value::Null);

    // Malformed params, a change to a closed document, a bogus change range.
    let malformed = server.request_raw("textDocument/hover", json!({ "nonsense": true }));
    assert!(malformed.get("error").is_some(), "{malformed}");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": workspace.uri("closed.md"), "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 50, "character": 0 }, "end": { "line": 60, "character": 0 } }, "text": "BE-23" }]
        }),
    );
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 2 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("ACID")
    );
    server.stop();
}

#[test]
fn open_banks_are_read_from_the_buffer_and_settings_apply() {
    let workspace = Scratch::new("banks");
    let cache = Scratch::new("banks-cache");
    std::fs::create_dir_all(workspace.0.join("questions")).unwrap();
    std::fs::write(
        workspace.0.join("questions/team.md"),
        "---\nprefix: TM\n---\n## Operations\n1. What is on-call duty?\n",
    )
    .unwrap();
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let note = workspace.uri("note.md");
    let note_text = "Ask TM-1 and BE-23.\n";
    server.open(&note, note_text);
    let hover_text = |server: &mut Server, needle: &str| {
        let hover = server.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": note }, "position": position_of(note_text, needle, 1) }),
        );
        hover["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(hover_text(&mut server, "TM-1").contains("on-call duty"));

    let bank = workspace.uri("questions/team.md");
    let bank_text = "---\nprefix: TM\n---\n## Operations\n1. What is an incident review?\n";
    server.open(&bank, bank_text);
    assert!(hover_text(&mut server, "TM-1").contains("incident review"));
    assert_eq!(server.diagnostics_for(&bank), Vec::<Value>::new());

    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": bank, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": 0 } }, "text": "    - see: TM-99\n" }]
        }),
    );
    let diagnostics = server.diagnostics_for_version(&bank, 2);
    assert!(
        diagnostics
            .iter()
            .any(|diagnostic| diagnostic["code"] == "bank-unknown-see"),
        "{diagnostics:?}"
    );

    assert!(hover_text(&mut server, "BE-23").contains("ACID"));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qbank": { "builtin": false } } }),
    );
    // The configuration is applied in order with the requests after it.
    assert_eq!(hover_text(&mut server, "BE-23"), "");
    assert!(hover_text(&mut server, "TM-1").contains("incident review"));
    server.stop();
}

#[test]
fn an_invalid_configuration_is_a_diagnostic_not_a_failure() {
    let workspace = Scratch::new("config");
    let cache = Scratch::new("config-cache");
    let config = "mode = \"exam\"\n";
    std::fs::write(workspace.0.join(".qbank.toml"), config).unwrap();
    let (mut server, _) = Server::initialized(&workspace, &cache, false);
    let uri = workspace.uri(".qbank.toml");
    server.open(&uri, config);
    let diagnostics = server.diagnostics_for(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "config-invalid");
    assert_eq!(
        &config[byte_range(config, &diagnostics[0]["range"])],
        "\"exam\""
    );
    // The built-in bank still answers.
    let note = workspace.uri("note.md");
    server.open(&note, "BE-23\n");
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": note }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("ACID")
    );
    server.stop();
}

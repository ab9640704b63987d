//! Shared helpers of the `reliability_*` tests: scratch folders, a
//! synchronous JSON-RPC client of the real `qbank lsp` binary over stdio
//! (with raw-frame writes for malformed input, every wait bounded by a
//! timeout), and an independent model of LSP positions over a plain
//! `String` (lines end at `\n`, `\r\n` or `\r`; a column past a line's end
//! clamps to it; a column inside a character rounds down to its start).
//! Each test crate uses a part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait on the server may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A scratch folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "qbank-rel-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path.canonicalize().unwrap())
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    pub fn uri(&self, file: &str) -> String {
        format!("file://{}", self.0.join(file).display())
    }

    pub fn write(&self, file: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the reader thread saw: a message, or the end of stdout.
enum Incoming {
    Message(Value),
}

/// A synchronous client of one `qbank lsp` process. Its stderr goes to a
/// file outside the workspace and home, so a test can look for panics.
pub struct Server {
    pub child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Incoming>,
    pub seen: VecDeque<Value>,
    next_id: i64,
    pub stderr_path: PathBuf,
    /// Whether the server closed its stdout.
    pub closed: bool,
}

impl Server {
    /// Starts `qbank lsp` in `workspace` with HOME and XDG_CACHE_HOME under
    /// `home`.
    pub fn start(workspace: &Path, home: &Path) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qbank"));
        command.arg("lsp");
        Server::spawn(command, workspace, home)
    }

    /// Starts a server from a prepared command (the binary, or a wrapper
    /// running it); its log goes to a file in the temporary folder.
    pub fn spawn(mut command: Command, workspace: &Path, home: &Path) -> Server {
        let stderr_path = std::env::temp_dir().join(format!(
            "qbank-rel-stderr-{}-{}.log",
            std::process::id(),
            unique()
        ));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = command
            .current_dir(workspace)
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("qbank starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(Incoming::Message(message)).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin: Some(stdin),
            messages,
            seen: VecDeque::new(),
            next_id: 1,
            stderr_path,
            closed: false,
        }
    }

    /// A server initialized for a fresh scratch workspace named `name`, with
    /// its own scratch home; the scratch folders live as long as they are
    /// kept.
    pub fn started(name: &str) -> (Scratch, Scratch, Server) {
        let workspace = Scratch::new(name);
        let home = Scratch::new(&format!("{name}-home"));
        let (server, _) = Server::initialized(&workspace.0, &home.0, false);
        (workspace, home, server)
    }

    /// Starts a server and initializes it for one workspace folder.
    pub fn initialized(workspace: &Path, home: &Path, utf8: bool) -> (Server, Value) {
        let mut server = Server::start(workspace, home);
        let reply = server.initialize(workspace, utf8);
        (server, reply)
    }

    pub fn initialize(&mut self, workspace: &Path, utf8: bool) -> Value {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let root = format!("file://{}", workspace.display());
        let reply = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": [{ "uri": root, "name": "notes" }],
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
                    "workspace": { "workspaceEdit": { "documentChanges": true }, "applyEdit": true }
                }
            }),
        );
        self.notify("initialized", json!({}));
        reply
    }

    /// Writes raw bytes to the server's stdin; false once the pipe is gone.
    pub fn write_raw(&mut self, bytes: &[u8]) -> bool {
        let Some(stdin) = self.stdin.as_mut() else {
            return false;
        };
        stdin.write_all(bytes).is_ok() && stdin.flush().is_ok()
    }

    /// Writes one framed body, whatever it holds.
    pub fn send_body(&mut self, body: &[u8]) -> bool {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.write_raw(&frame)
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        assert!(self.send_body(&body), "the server's stdin is open");
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    pub fn next_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The next message, within the timeout; `None` when stdout closed.
    pub fn receive(&mut self) -> Option<Value> {
        match self.messages.recv_timeout(TIMEOUT) {
            Ok(Incoming::Message(message)) => Some(message),
            Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                None
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("the server did not answer within {TIMEOUT:?}")
            }
        }
    }

    /// Waits for the response with this id, answering server requests on
    /// the way (`workspace/applyEdit` as applied, others with null).
    pub fn response_to(&mut self, id: &Value) -> Value {
        if let Some(position) = self
            .seen
            .iter()
            .position(|message| message.get("id") == Some(id) && message.get("method").is_none())
        {
            return self.seen.remove(position).unwrap();
        }
        loop {
            let message = self
                .receive()
                .unwrap_or_else(|| panic!("the server exited while a reply to {id} was due"));
            if message.get("id") == Some(id) && message.get("method").is_none() {
                return message;
            }
            self.answer_server_request(&message);
            self.seen.push_back(message);
        }
    }

    fn answer_server_request(&mut self, message: &Value) {
        if let (Some(server_id), Some(method)) = (message.get("id"), message.get("method")) {
            let result = if method == "workspace/applyEdit" {
                json!({ "applied": true })
            } else {
                Value::Null
            };
            let reply = json!({ "jsonrpc": "2.0", "id": server_id, "result": result });
            self.send(&reply);
        }
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response_to(&json!(id))
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next error reply with a null id (the answer to a body that could
    /// not be read as a request).
    pub fn next_null_id_error(&mut self) -> Value {
        self.wait_for(|message| {
            message.get("id") == Some(&Value::Null) && message.get("error").is_some()
        })
    }

    /// Waits for a message matching `wanted` (notifications or server
    /// requests), answering server requests on the way.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(position) = self.seen.iter().position(&wanted) {
            return self.seen.remove(position).unwrap();
        }
        loop {
            let message = self.receive().expect("the server is running");
            if wanted(&message) {
                return message;
            }
            self.answer_server_request(&message);
            self.seen.push_back(message);
        }
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    /// The server's copy of a document.
    pub fn document_text(&mut self, uri: &str) -> Value {
        self.request("qbank/documentText", json!({ "uri": uri }))
    }

    /// Proves the server still answers: a request that needs no document.
    pub fn assert_alive(&mut self) {
        let reply = self.request_raw("workspace/symbol", json!({ "query": "cache" }));
        assert!(reply.get("result").is_some(), "{reply}");
    }

    /// The exit code, waiting at most the timeout.
    pub fn wait_exit(&mut self) -> Option<i32> {
        wait_with_timeout(&mut self.child)
    }

    /// Everything the server logged so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Fails when the server's log shows a panic.
    pub fn assert_no_panic(&self) {
        let log = self.stderr();
        assert!(
            !log.contains("panicked"),
            "the server logged a panic:\n{log}"
        );
    }

    /// `shutdown`, `exit`, and a clean exit code.
    pub fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.wait_exit();
        assert_eq!(status, Some(0), "a clean exit after shutdown");
        self.assert_no_panic();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr_path);
    }
}

fn unique() -> usize {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

pub fn wait_with_timeout(child: &mut Child) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < TIMEOUT {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
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

/// Which unit a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Utf8,
    Utf16,
}

/// The lines of a text as (start, content end) byte pairs: a line ends at
/// `\n`, `\r\n` or `\r`, and the text after the last break is a line too.
pub fn model_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                lines.push((start, at));
                at += 2;
                start = at;
            }
            b'\r' | b'\n' => {
                lines.push((start, at));
                at += 1;
                start = at;
            }
            _ => at += 1,
        }
    }
    lines.push((start, bytes.len()));
    lines
}

/// The byte offset of a (line, column); `None` for a line past the end.
pub fn model_offset(text: &str, line: u32, column: u32, unit: Unit) -> Option<usize> {
    let lines = model_lines(text);
    let &(start, end) = lines.get(line as usize)?;
    let mut counted: u64 = 0;
    for (index, character) in text[start..end].char_indices() {
        let width = match unit {
            Unit::Utf8 => character.len_utf8(),
            Unit::Utf16 => character.len_utf16(),
        } as u64;
        if counted + width > u64::from(column) {
            return Some(start + index);
        }
        counted += width;
    }
    Some(end)
}

/// The (line, column) of a byte offset on a character boundary.
pub fn model_position(text: &str, offset: usize, unit: Unit) -> (u32, u32) {
    let lines = model_lines(text);
    // The last line starting at or before the offset; an offset between
    // `\r` and `\n` stays on the line the `\r` ends.
    let line = lines
        .iter()
        .rposition(|&(start, _)| start <= offset)
        .unwrap_or(0);
    let start = lines[line].0;
    let prefix = &text[start..offset];
    let column = match unit {
        Unit::Utf8 => prefix.len(),
        Unit::Utf16 => prefix.encode_utf16().count(),
    };
    (line as u32, column as u32)
}

/// Applies one LSP change to a plain string by the server's rules: a
/// position on a line past the end stands for the text's end; the two ends
/// are put in order. Returns whether a position was past the end.
pub fn model_apply(
    text: &mut String,
    range: Option<((u32, u32), (u32, u32))>,
    new_text: &str,
    unit: Unit,
) -> bool {
    let Some((start, end)) = range else {
        *text = new_text.to_string();
        return false;
    };
    let mut past_end = false;
    let mut resolve = |(line, column): (u32, u32)| {
        model_offset(text, line, column, unit).unwrap_or_else(|| {
            past_end = true;
            text.len()
        })
    };
    let start = resolve(start);
    let end = resolve(end);
    let (start, end) = (start.min(end), start.max(end));
    text.replace_range(start..end, new_text);
    past_end
}

/// An LSP range as JSON.
pub fn range_json(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": { "line": start.0, "character": start.1 },
        "end": { "line": end.0, "character": end.1 },
    })
}

/// Applies LSP text edits (JSON, in `unit` columns) to a text, as an
/// editor would: each range resolved against the original text.
pub fn apply_json_edits(text: &str, edits: &[Value], unit: Unit) -> String {
    let mut resolved: Vec<(std::ops::Range<usize>, String)> = edits
        .iter()
        .map(|edit| {
            let at = |end: &str| {
                let position = &edit["range"][end];
                model_offset(
                    text,
                    position["line"].as_u64().unwrap() as u32,
                    position["character"].as_u64().unwrap() as u32,
                    unit,
                )
                .expect("an edit inside the document")
            };
            (
                at("start")..at("end"),
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

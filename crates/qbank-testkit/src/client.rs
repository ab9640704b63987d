//! One synchronous JSON-RPC client of `qbank lsp` for every end-to-end test
//! and the latency benchmark. It speaks `Content-Length` framing to one of
//! two servers:
//!
//! - **in-process** ([`Client::in_process`]): `qbank::lsp::serve` on a
//!   thread of its own with a two-worker tokio runtime (as `qbank lsp` has),
//!   over two Unix socket pairs, so messages go through the real stdin
//!   filter and outbox without starting a process. Such servers share the
//!   test process: their cache folder is one per built-in bank (see
//!   [`in_process_cache_folder`]), their log is the test's captured
//!   output, and a panic on one of their threads is recorded for
//!   [`Client::assert_no_panic`];
//! - **a spawned binary** ([`Client::spawn`]), for what only a process
//!   shows: exit codes, a closed stdin, raw bytes, the log on stderr, memory.
//!
//! A reader thread stamps every incoming message with the moment its last
//! byte arrived. While waiting, the client answers the server's own requests
//! as an editor would (`workspace/applyEdit` as [`ApplyEdit`] says, with its
//! params recorded; none of the methods [`Client::leave_unanswered`] names),
//! follows `$/progress`, keeps the latest diagnostics of
//! each document, and keeps other messages for later waits. Every wait is
//! bounded by a timeout and fails naming what it waited for; a watchdog
//! thread ends a server whose input blocks a write for as long, or that
//! outlives an optional lifetime limit. The `try_` methods return a
//! [`Failure`] instead of panicking, for the benchmark.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::scratch::file_uri;

/// How long any single wait on the server may take by default.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How often the watchdog looks at the client.
const WATCH_INTERVAL: Duration = Duration::from_millis(50);
/// Messages kept for later waits; the oldest go first past it, so a long
/// benchmark does not hoard every notification.
const KEPT_MESSAGES: usize = 10_000;
/// The name of an in-process server's threads starts with this.
const IN_PROCESS_THREADS: &str = "qbank-lsp-";
/// How long an in-process server's blocking tasks may outlive it.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(100);

// ---------------------------------------------------------------------------
// What the client hands back

/// A message from the server, stamped when its last byte was read.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub at: Instant,
    /// The body's length in bytes.
    pub bytes: usize,
    pub value: Value,
}

/// A reply to one of the client's requests, with its timing.
#[derive(Debug, Clone)]
pub struct Reply {
    /// When the request began to be written.
    pub sent: Instant,
    /// When the reply's last byte was read.
    pub at: Instant,
    /// The reply body's length in bytes.
    pub bytes: usize,
    /// The whole reply: `result` or `error`.
    pub value: Value,
}

impl Reply {
    /// The round trip, from writing the request to reading the reply.
    pub fn rtt(&self) -> Duration {
        self.at.saturating_duration_since(self.sent)
    }

    pub fn result(&self) -> &Value {
        &self.value["result"]
    }
}

/// A spawned server's resident memory, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// The peak (VmHWM).
    pub peak: u64,
    /// Now (VmRSS).
    pub now: u64,
}

/// What the server's `$/progress` notifications said so far.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Whether the server asked to create a progress token.
    pub created: bool,
    /// The first `begin`.
    pub begun: Option<Instant>,
    /// The first `end`.
    pub ended: Option<Instant>,
    pub reports: usize,
    /// The latest message: "1500/10000 notes", "10000 notes indexed".
    pub message: String,
    /// Every progress value in order.
    pub values: Vec<Value>,
}

impl Progress {
    /// Whether the server reported progress in any way.
    pub fn seen(&self) -> bool {
        self.created || !self.values.is_empty()
    }

    fn note(&mut self, at: Instant, value: &Value) {
        match value["kind"].as_str() {
            Some("begin") => {
                self.begun.get_or_insert(at);
            }
            Some("report") => self.reports += 1,
            Some("end") => {
                self.ended.get_or_insert(at);
            }
            _ => {}
        }
        if let Some(text) = value["message"].as_str() {
            self.message = text.to_string();
        }
        self.values.push(value.clone());
    }

    /// "not begun …", "running (1500/10000 notes)", "ended (10000 notes
    /// indexed)".
    pub fn state(&self) -> String {
        let message = if self.message.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.message)
        };
        match (self.begun, self.ended) {
            (None, _) => "not begun (no `$/progress` yet)".to_string(),
            (Some(_), None) => format!("running{message}"),
            (Some(_), Some(_)) => format!("ended{message}"),
        }
    }
}

/// How the client answers `workspace/applyEdit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyEdit {
    Apply,
    /// Refuses with this reason, as an editor whose document moved on.
    Refuse(String),
}

impl ApplyEdit {
    fn answer(&self) -> Value {
        match self {
            ApplyEdit::Apply => json!({ "applied": true }),
            ApplyEdit::Refuse(reason) => json!({ "applied": false, "failureReason": reason }),
        }
    }
}

/// Why a wait or a write failed: what was waited for, and the end of the
/// server's log when it has one.
#[derive(Debug, Clone)]
pub struct Failure(String);

impl fmt::Display for Failure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// What the client tells the server it supports, beyond UTF-16 positions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Capabilities {
    /// Offers UTF-8 positions before UTF-16.
    pub utf8: bool,
    /// Completion snippets.
    pub snippets: bool,
    /// Versioned workspace edits and `workspace/applyEdit`.
    pub document_changes: bool,
    /// `window/workDoneProgress/create` and `$/progress`.
    pub work_done_progress: bool,
    /// Watched files registered dynamically.
    pub watched_files: bool,
    /// Code lens and inlay hint refreshes.
    pub refresh: bool,
    /// A version on published diagnostics.
    pub diagnostic_versions: bool,
}

impl Capabilities {
    /// The editor the feature tests play: snippets and versioned edits.
    pub fn editor() -> Capabilities {
        Capabilities {
            snippets: true,
            document_changes: true,
            ..Capabilities::default()
        }
    }

    /// The `capabilities` object of `initialize`.
    pub fn to_json(&self) -> Value {
        let encodings = if self.utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let mut capabilities = json!({ "general": { "positionEncodings": encodings } });
        if self.snippets {
            capabilities["textDocument"]["completion"] =
                json!({ "completionItem": { "snippetSupport": true } });
        }
        if self.diagnostic_versions {
            capabilities["textDocument"]["publishDiagnostics"] = json!({ "versionSupport": true });
        }
        if self.work_done_progress {
            capabilities["window"] = json!({ "workDoneProgress": true });
        }
        if self.document_changes {
            capabilities["workspace"]["workspaceEdit"] = json!({ "documentChanges": true });
            capabilities["workspace"]["applyEdit"] = json!(true);
        }
        if self.watched_files {
            capabilities["workspace"]["didChangeWatchedFiles"] =
                json!({ "dynamicRegistration": true });
        }
        if self.refresh {
            capabilities["workspace"]["codeLens"] = json!({ "refreshSupport": true });
            capabilities["workspace"]["inlayHint"] = json!({ "refreshSupport": true });
        }
        capabilities
    }
}

/// The params of `initialize` for one workspace folder.
pub fn initialize_params(root: &Path, capabilities: &Capabilities) -> Value {
    let root = file_uri(root);
    json!({
        "processId": null,
        "rootUri": root,
        "workspaceFolders": [{ "uri": root, "name": "notes" }],
        "capabilities": capabilities.to_json()
    })
}

/// The command that runs `binary lsp` in `workspace` with HOME at `home` and
/// the cache folder at `home/cache`, so the server writes nothing outside
/// the two.
pub fn lsp_command(binary: impl AsRef<Path>, workspace: &Path, home: &Path) -> Command {
    let mut command = Command::new(binary.as_ref());
    command
        .arg("lsp")
        .current_dir(workspace)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"));
    command
}

// ---------------------------------------------------------------------------
// The client

/// Where the server runs.
enum Server {
    InProcess {
        thread: Option<JoinHandle<bool>>,
        /// The exit code once the thread ended and was joined.
        exited: Option<Option<i32>>,
        /// Its threads' name, which panics are recorded under.
        name: String,
        /// The client's end of the server's input, to cut it.
        input: UnixStream,
    },
    Process {
        child: Arc<Mutex<Child>>,
        pid: u32,
        /// Its stderr.
        log: PathBuf,
    },
}

/// The client's end of the server's input.
enum Input {
    Pipe(ChildStdin),
    Socket(UnixStream),
}

impl Input {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Input::Pipe(pipe) => pipe.write_all(bytes).and_then(|()| pipe.flush()),
            Input::Socket(socket) => socket.write_all(bytes),
        }
    }

    /// Ends the input: the server reads end of file.
    fn close(self) {
        if let Input::Socket(socket) = &self {
            let _ = socket.shutdown(Shutdown::Write);
        }
    }
}

/// What the watchdog thread watches, shared with the client.
#[derive(Default)]
struct Watch {
    /// When the write in progress began, in ms after the start plus one;
    /// 0 when no write is in progress.
    writing_since: AtomicU64,
    /// The longest a write may block, in ms.
    write_limit: AtomicU64,
    /// The longest the server may live, in ms; 0 for no limit.
    lifetime_limit: AtomicU64,
    /// Set when the client is dropped.
    done: AtomicBool,
    /// Why the watchdog ended the server, once it did.
    fired: Mutex<Option<String>>,
}

/// One message that arrived, or why none did.
enum Polled {
    Message(Incoming),
    TimedOut,
    Closed,
}

/// A synchronous client of one server.
pub struct Client {
    server: Server,
    input: Option<Input>,
    incoming: Receiver<Incoming>,
    /// Messages taken in while waiting for others, oldest first.
    seen: VecDeque<Incoming>,
    kept_messages: usize,
    next_id: i64,
    started: Instant,
    timeout: Duration,
    watch: Arc<Watch>,
    progress: Progress,
    /// The methods of the server's requests answered so far, once each.
    answered: Vec<String>,
    /// The params of every `workspace/applyEdit` the server sent.
    edit_requests: Vec<Value>,
    apply_edit: ApplyEdit,
    /// The methods of server requests left unanswered, as a client that
    /// ignores them.
    unanswered: Vec<String>,
    /// The latest `publishDiagnostics` params of each URI.
    diagnostics: HashMap<String, Value>,
}

impl Client {
    /// Starts `qbank::lsp::serve` in this process (not yet initialized).
    pub fn in_process() -> Client {
        prepare_in_process();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{IN_PROCESS_THREADS}{}",
            STARTED.fetch_add(1, Ordering::SeqCst)
        );
        // Two pairs: the server's input turns non-blocking for tokio, and
        // a socket's clones share that mode, while its output stays
        // blocking for the outbox's writer thread.
        let (client_input, server_input) = UnixStream::pair().expect("a socket pair");
        let (server_output, client_output) = UnixStream::pair().expect("a socket pair");
        let started = Instant::now();
        let thread = std::thread::Builder::new()
            .name(name.clone())
            .spawn({
                let name = name.clone();
                move || serve_in_process(&name, server_input, server_output)
            })
            .expect("a thread for the server");
        let input = client_input.try_clone().expect("a socket clone");
        let to_cut = input.try_clone().expect("a socket clone");
        let server = Server::InProcess {
            thread: Some(thread),
            exited: None,
            name,
            input,
        };
        let cut = move || {
            let _ = to_cut.shutdown(Shutdown::Both);
        };
        Client::connect(
            server,
            Input::Socket(client_input),
            client_output,
            started,
            cut,
        )
    }

    /// Starts a prepared command (the binary with `lsp`, or a wrapper
    /// running it) with piped stdin and stdout; its stderr goes to a log
    /// file removed with the client.
    pub fn spawn(command: Command) -> Client {
        Client::try_spawn(command).unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_spawn(mut command: Command) -> Result<Client, Failure> {
        static SPAWNED: AtomicUsize = AtomicUsize::new(0);
        let log = std::env::temp_dir().join(format!(
            "qbank-lsp-log-{}-{}.txt",
            std::process::id(),
            SPAWNED.fetch_add(1, Ordering::SeqCst)
        ));
        let stderr = File::create(&log)
            .map_err(|error| Failure(format!("cannot create {}: {error}", log.display())))?;
        let started = Instant::now();
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|error| Failure(format!("cannot start {command:?}: {error}")))?;
        let pid = child.id();
        let stdin = child.stdin.take().expect("a piped stdin");
        let stdout = child.stdout.take().expect("a piped stdout");
        let child = Arc::new(Mutex::new(child));
        let to_kill = child.clone();
        let server = Server::Process { child, pid, log };
        let kill = move || {
            let _ = lock(&to_kill).kill();
        };
        Ok(Client::connect(
            server,
            Input::Pipe(stdin),
            stdout,
            started,
            kill,
        ))
    }

    /// Spawns `binary lsp` as [`lsp_command`] prepares it.
    pub fn spawn_lsp(binary: impl AsRef<Path>, workspace: &Path, home: &Path) -> Client {
        Client::spawn(lsp_command(binary, workspace, home))
    }

    fn connect(
        server: Server,
        input: Input,
        output: impl Read + Send + 'static,
        started: Instant,
        end_server: impl Fn() + Send + 'static,
    ) -> Client {
        let (sender, incoming) = channel();
        read_messages(output, sender);
        let watch = Arc::new(Watch::default());
        watch
            .write_limit
            .store(TIMEOUT.as_millis() as u64, Ordering::Relaxed);
        start_watchdog(watch.clone(), started, end_server);
        Client {
            server,
            input: Some(input),
            incoming,
            seen: VecDeque::new(),
            kept_messages: KEPT_MESSAGES,
            next_id: 1,
            started,
            timeout: TIMEOUT,
            watch,
            progress: Progress::default(),
            answered: Vec::new(),
            edit_requests: Vec::new(),
            apply_edit: ApplyEdit::Apply,
            unanswered: Vec::new(),
            diagnostics: HashMap::new(),
        }
    }

    // -- settings -----------------------------------------------------------

    /// How long one wait or one write may take (30 s unless set).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        self.watch
            .write_limit
            .store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    /// Ends the server once it has lived this long after its start.
    pub fn set_lifetime_limit(&mut self, limit: Duration) {
        let millis = (limit.as_millis() as u64).max(1);
        self.watch.lifetime_limit.store(millis, Ordering::Relaxed);
    }

    /// How many messages to keep for later waits (10,000 unless set).
    pub fn set_kept_messages(&mut self, count: usize) {
        self.kept_messages = count;
    }

    /// How to answer the server's next `workspace/applyEdit` requests.
    pub fn set_apply_edit(&mut self, answer: ApplyEdit) {
        self.apply_edit = answer;
    }

    /// Never answers the server's requests for this method (they are still
    /// followed and kept), as a client that ignores them.
    pub fn leave_unanswered(&mut self, method: &str) {
        self.unanswered.push(method.to_string());
    }

    // -- what the client saw --------------------------------------------------

    /// When the server was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The methods of the server requests answered so far, once each.
    pub fn answered_methods(&self) -> &[String] {
        &self.answered
    }

    /// The params of every `workspace/applyEdit` the server sent so far.
    pub fn edit_requests(&self) -> &[Value] {
        &self.edit_requests
    }

    /// The latest `publishDiagnostics` params for a URI taken in so far.
    pub fn latest_diagnostics(&self, uri: &str) -> Option<&Value> {
        self.diagnostics.get(uri)
    }

    /// The messages kept for later waits, oldest first.
    pub fn kept(&self) -> impl Iterator<Item = &Value> {
        self.seen.iter().map(|message| &message.value)
    }

    // -- writing ------------------------------------------------------------

    /// A fresh request id.
    pub fn next_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Writes raw bytes to the server's input; false once it is closed.
    pub fn write_raw(&mut self, bytes: &[u8]) -> bool {
        self.write_watched(bytes).is_ok()
    }

    /// Writes one framed body, whatever it holds; false once the input is
    /// closed.
    pub fn send_body(&mut self, body: &[u8]) -> bool {
        self.write_raw(&frame(body))
    }

    /// Writes one message; returns when its writing began.
    pub fn send(&mut self, message: &Value) -> Instant {
        self.try_send(message)
            .unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_send(&mut self, message: &Value) -> Result<Instant, Failure> {
        let body = serde_json::to_vec(message).expect("JSON values serialize");
        let sent = Instant::now();
        self.write_watched(&frame(&body)).map_err(|error| {
            let what = message["method"].as_str().unwrap_or("a reply");
            self.failure(&format!("cannot write {what} to the server: {error}"))
        })?;
        Ok(sent)
    }

    fn write_watched(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(input) = self.input.as_mut() else {
            return Err(std::io::Error::other("the server's input is closed"));
        };
        let began = self.started.elapsed().as_millis() as u64 + 1;
        self.watch.writing_since.store(began, Ordering::Relaxed);
        let written = input.write_all(bytes);
        self.watch.writing_since.store(0, Ordering::Relaxed);
        written
    }

    /// Closes the server's input, as an editor that goes away.
    pub fn close_input(&mut self) {
        if let Some(input) = self.input.take() {
            input.close();
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) -> Instant {
        self.try_notify(method, params)
            .unwrap_or_else(|failure| panic!("{failure}"))
    }

    pub fn try_notify(&mut self, method: &str, params: Value) -> Result<Instant, Failure> {
        self.try_send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    // -- requests -----------------------------------------------------------

    /// Sends a request and returns its result; an error reply fails.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let mut reply = self.request_raw(method, params);
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].take()
    }

    /// Sends a request and returns the whole reply (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|failure| panic!("{failure}"))
            .value
    }

    /// Sends a request and returns its timed reply; an error reply is a
    /// failure.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Reply, Failure> {
        let reply = self.try_call(method, params)?;
        if let Some(error) = reply.value.get("error") {
            return Err(self.failure(&format!("{method} failed: {error}")));
        }
        Ok(reply)
    }

    /// Sends a request and returns its timed reply, whatever it holds.
    pub fn try_call(&mut self, method: &str, params: Value) -> Result<Reply, Failure> {
        let id = self.next_id();
        let sent = self
            .try_send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        let reply = self.try_response_to(&json!(id), &format!("the reply to {method}"))?;
        Ok(Reply {
            sent,
            at: reply.at,
            bytes: reply.bytes,
            value: reply.value,
        })
    }

    /// Waits for the reply with this id.
    pub fn response_to(&mut self, id: &Value) -> Value {
        self.try_response_to(id, &format!("the reply to request {id}"))
            .unwrap_or_else(|failure| panic!("{failure}"))
            .value
    }

    pub fn try_response_to(&mut self, id: &Value, what: &str) -> Result<Incoming, Failure> {
        self.try_wait_for(|message| is_reply_to(message, id), what)
    }

    // -- waiting --------------------------------------------------------------

    /// Waits for a message matching `wanted` (kept or new), keeping the
    /// others for later waits.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(wanted, "the message the test waits for")
            .unwrap_or_else(|failure| panic!("{failure}"))
            .value
    }

    /// Waits for a message matching `wanted`; `what` names it in a failure.
    pub fn try_wait_for(
        &mut self,
        wanted: impl Fn(&Value) -> bool,
        what: &str,
    ) -> Result<Incoming, Failure> {
        if let Some(position) = self.seen.iter().position(|kept| wanted(&kept.value)) {
            if let Some(message) = self.seen.remove(position) {
                return Ok(message);
            }
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.poll(deadline) {
                Polled::Message(message) if wanted(&message.value) => return Ok(message),
                Polled::Message(message) => self.keep(message),
                Polled::TimedOut => {
                    return Err(self.failure(&format!(
                        "no {what} within {:?}: the server seems hung",
                        self.timeout
                    )));
                }
                Polled::Closed => {
                    return Err(self.failure(&format!(
                        "the server closed its output while we waited for {what}"
                    )));
                }
            }
        }
    }

    /// The next new message (taken in, not kept); `None` once the server
    /// closed its output.
    pub fn receive(&mut self) -> Option<Value> {
        let deadline = Instant::now() + self.timeout;
        match self.poll(deadline) {
            Polled::Message(message) => Some(message.value),
            Polled::Closed => None,
            Polled::TimedOut => panic!(
                "{}",
                self.failure(&format!("no message within {:?}", self.timeout))
            ),
        }
    }

    /// Takes in (answers, follows and keeps) what the server sends until
    /// `deadline` or until `enough` holds; the output closing is a failure.
    pub fn pump_until(
        &mut self,
        deadline: Instant,
        enough: impl Fn(&Client) -> bool,
    ) -> Result<(), Failure> {
        while !enough(self) {
            match self.poll(deadline) {
                Polled::Message(message) => self.keep(message),
                Polled::TimedOut => return Ok(()),
                Polled::Closed => {
                    return Err(self.failure("the server closed its output"));
                }
            }
        }
        Ok(())
    }

    /// One new message before `deadline`, taken in.
    fn poll(&mut self, deadline: Instant) -> Polled {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => {
                self.take_in(&message);
                Polled::Message(message)
            }
            Err(RecvTimeoutError::Timeout) => Polled::TimedOut,
            Err(RecvTimeoutError::Disconnected) => Polled::Closed,
        }
    }

    /// Follows progress and diagnostics, and answers a server request.
    fn take_in(&mut self, message: &Incoming) {
        let method = message.value["method"].as_str().unwrap_or_default();
        match method {
            "$/progress" => self
                .progress
                .note(message.at, &message.value["params"]["value"]),
            "window/workDoneProgress/create" => self.progress.created = true,
            "textDocument/publishDiagnostics" => {
                if let Some(uri) = message.value["params"]["uri"].as_str() {
                    let params = message.value["params"].clone();
                    self.diagnostics.insert(uri.to_string(), params);
                }
            }
            _ => {}
        }
        let ignored = self
            .unanswered
            .iter()
            .any(|unanswered| unanswered == method);
        if let Some(id) = message
            .value
            .get("id")
            .filter(|_| !method.is_empty() && !ignored)
        {
            let method = method.to_string();
            self.answer(id.clone(), &method, &message.value["params"]);
        }
    }

    /// Answers a server request as an editor would. A failed write shows
    /// at the next wait, when the server goes quiet.
    fn answer(&mut self, id: Value, method: &str, params: &Value) {
        if !self.answered.iter().any(|known| known == method) {
            self.answered.push(method.to_string());
        }
        let result = match method {
            "workspace/applyEdit" => {
                self.edit_requests.push(params.clone());
                self.apply_edit.answer()
            }
            // One value per item asked: none set, the server's defaults.
            "workspace/configuration" => {
                let items = params["items"].as_array().map_or(0, Vec::len);
                Value::Array(vec![Value::Null; items])
            }
            _ => Value::Null,
        };
        let _ = self.try_send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    fn keep(&mut self, message: Incoming) {
        if self.seen.len() >= self.kept_messages {
            self.seen.pop_front();
        }
        self.seen.push_back(message);
    }

    // -- the protocol's common steps ----------------------------------------

    /// `initialize` for one workspace folder, then `initialized`; returns
    /// the `initialize` result.
    pub fn initialize(&mut self, root: &Path, capabilities: &Capabilities) -> Value {
        let reply = self.request("initialize", initialize_params(root, capabilities));
        self.notify("initialized", json!({}));
        reply
    }

    /// Opens a markdown document.
    pub fn open(&mut self, uri: &str, text: &str, version: i64) -> Instant {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": version, "text": text } }),
        )
    }

    /// The server's copy of a document (`qbank/documentText`).
    pub fn document_text(&mut self, uri: &str) -> Value {
        self.request("qbank/documentText", json!({ "uri": uri }))
    }

    /// The next diagnostics published for a URI.
    pub fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait_for(|message| is_diagnostics(message, uri, None));
        diagnostics_of(&message)
    }

    /// The diagnostics published for one version of a document: earlier
    /// publications (a rescan rechecks open documents) are passed over.
    pub fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(|message| is_diagnostics(message, uri, Some(version)));
        diagnostics_of(&message)
    }

    /// Waits until the first indexing reports its end; returns every
    /// progress value up to it.
    pub fn wait_for_indexing(&mut self) -> Vec<Value> {
        let deadline = Instant::now() + self.timeout;
        let pumped = self.pump_until(deadline, |client| client.progress.ended.is_some());
        if let Err(failure) = pumped {
            panic!("{failure}");
        }
        assert!(
            self.progress.ended.is_some(),
            "{}",
            self.failure(&format!(
                "indexing did not end within {:?}: {}",
                self.timeout,
                self.progress.state()
            ))
        );
        let end = self
            .progress
            .values
            .iter()
            .position(|value| value["kind"] == "end")
            .map_or(0, |end| end + 1);
        self.progress.values[..end].to_vec()
    }

    /// The next error reply with a null id (the answer to a body that could
    /// not be read as a request).
    pub fn next_null_id_error(&mut self) -> Value {
        self.wait_for(|message| {
            message.get("id") == Some(&Value::Null) && message.get("error").is_some()
        })
    }

    /// Proves the server still answers: a request that needs no document.
    pub fn assert_alive(&mut self) {
        let reply = self.request_raw("workspace/symbol", json!({ "query": "cache" }));
        assert!(reply.get("result").is_some(), "{reply}");
    }

    /// `shutdown`, `exit`, a clean exit and no panic.
    pub fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.wait_exit();
        assert_eq!(status, Some(0), "a clean exit after shutdown");
        self.assert_no_panic();
    }

    /// `shutdown`, `exit` and closed input; the exit code once the server
    /// ended, `None` when it still runs after the timeout (it is then
    /// killed when the client is dropped).
    pub fn try_stop(&mut self) -> Result<Option<i32>, Failure> {
        self.try_request("shutdown", Value::Null)?;
        self.try_notify("exit", Value::Null)?;
        self.close_input();
        Ok(self.wait_exit())
    }

    // -- the server's end -------------------------------------------------------

    /// The exit code, waiting at most the timeout. An in-process server
    /// exits as `qbank lsp` would: 0 after `shutdown`, 1 otherwise.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(code) = self.exit_code_now() {
                return code;
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `Some(code)` once the server ended (`Some(None)` for a process killed
    /// by a signal or a server thread that panicked).
    fn exit_code_now(&mut self) -> Option<Option<i32>> {
        match &mut self.server {
            Server::Process { child, .. } => {
                let status = lock(child).try_wait().ok().flatten()?;
                Some(status.code())
            }
            Server::InProcess { thread, exited, .. } => {
                if exited.is_none() && thread.as_ref().is_some_and(JoinHandle::is_finished) {
                    let shut_down = thread.take()?.join().ok();
                    *exited = Some(shut_down.map(|shut_down| if shut_down { 0 } else { 1 }));
                }
                *exited
            }
        }
    }

    /// A spawned server's process id.
    pub fn pid(&self) -> Option<u32> {
        match &self.server {
            Server::Process { pid, .. } => Some(*pid),
            Server::InProcess { .. } => None,
        }
    }

    /// A spawned server's peak and current resident memory, from /proc.
    pub fn memory(&self) -> Option<Memory> {
        process_memory(self.pid()?)
    }

    /// A spawned server's stderr so far; empty for an in-process server,
    /// whose log is the test's captured output.
    pub fn log(&self) -> String {
        match &self.server {
            Server::Process { log, .. } => std::fs::read_to_string(log).unwrap_or_default(),
            Server::InProcess { .. } => String::new(),
        }
    }

    /// The log lines that contain `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        self.log()
            .lines()
            .filter(|line| line.contains(needle))
            .map(str::to_string)
            .collect()
    }

    /// The last lines of the log, for failure messages; empty without one.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        if lines.is_empty() {
            return String::new();
        }
        let tail = &lines[lines.len().saturating_sub(15)..];
        format!("\nserver stderr (last lines):\n  {}", tail.join("\n  "))
    }

    /// The panics the server met: lines of a spawned server's log, or the
    /// panics recorded on an in-process server's threads.
    pub fn panics(&self) -> Vec<String> {
        match &self.server {
            Server::Process { .. } => self.log_lines("panicked"),
            Server::InProcess { name, .. } => lock(&PANICS)
                .iter()
                .filter(|(thread, _)| thread == name)
                .map(|(_, message)| message.clone())
                .collect(),
        }
    }

    /// Fails when the server panicked, even inside a handler's guard.
    pub fn assert_no_panic(&self) {
        let panics = self.panics();
        assert!(
            panics.is_empty(),
            "the server panicked:\n{}\n{}",
            panics.join("\n"),
            self.log()
        );
    }

    /// A failure naming `what`, why the watchdog ended the server if it
    /// did, the exit status and the end of the log.
    fn failure(&mut self, what: &str) -> Failure {
        let mut message = what.to_string();
        if let Some(reason) = lock(&self.watch.fired).as_ref() {
            message.push_str(&format!(" (the watchdog ended the server: {reason})"));
        }
        if let Some(code) = self.exit_code_now() {
            message.push_str(&format!(" (the server exited with {code:?})"));
        }
        message.push_str(&self.log_tail());
        Failure(message)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.watch.done.store(true, Ordering::Relaxed);
        self.close_input();
        match &self.server {
            Server::Process { child, log, .. } => {
                let mut child = lock(child);
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(log);
            }
            // Its input ends, so `serve` returns and its thread ends.
            Server::InProcess { input, .. } => {
                let _ = input.shutdown(Shutdown::Both);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Threads and framing

/// Runs the server on its own runtime until `exit` or the end of input;
/// returns whether `shutdown` came first.
fn serve_in_process(name: &str, input: UnixStream, output: UnixStream) -> bool {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let shut_down = runtime.block_on(async move {
        input.set_nonblocking(true).expect("a non-blocking socket");
        let input = tokio::net::UnixStream::from_std(input).expect("a tokio socket");
        qbank::lsp::serve(input, output).await
    });
    // As `qbank lsp` does: blocking tasks may still run.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    shut_down
}

/// Reads framed messages on a thread until the output ends.
fn read_messages(output: impl Read + Send + 'static, sender: Sender<Incoming>) {
    std::thread::Builder::new()
        .name("lsp-client-reader".to_string())
        .spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 16, output);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        })
        .expect("a reader thread");
}

/// Ends the server (`end_server`) when a write blocks past the limit or
/// the server outlives its lifetime limit.
fn start_watchdog(watch: Arc<Watch>, started: Instant, end_server: impl Fn() + Send + 'static) {
    std::thread::Builder::new()
        .name("lsp-client-watchdog".to_string())
        .spawn(move || {
            while !watch.done.load(Ordering::Relaxed) {
                if let Some(reason) = watchdog_reason(&watch, started.elapsed()) {
                    *lock(&watch.fired) = Some(reason);
                    end_server();
                    return;
                }
                std::thread::sleep(WATCH_INTERVAL);
            }
        })
        .expect("a watchdog thread");
}

fn watchdog_reason(watch: &Watch, lived: Duration) -> Option<String> {
    let writing_since = watch.writing_since.load(Ordering::Relaxed);
    let write_limit = Duration::from_millis(watch.write_limit.load(Ordering::Relaxed));
    let blocked = lived.saturating_sub(Duration::from_millis(writing_since.saturating_sub(1)));
    if writing_since != 0 && blocked > write_limit {
        return Some(format!("a write blocked for {write_limit:?}"));
    }
    let lifetime_limit = watch.lifetime_limit.load(Ordering::Relaxed);
    if lifetime_limit != 0 && lived > Duration::from_millis(lifetime_limit) {
        return Some(format!("it outlived {lifetime_limit} ms"));
    }
    None
}

/// A process's peak and current resident memory, from /proc; for a
/// server a test spawned itself.
pub fn process_memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kilobytes: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kilobytes * 1024)
    };
    Some(Memory {
        peak: field("VmHWM:")?,
        now: field("VmRSS:")?,
    })
}

/// A body with its `Content-Length` header, as written to the server.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// One framed message; `None` at the end of the output or on a frame that
/// is not JSON. For a test that reads a server's output itself.
pub fn read_message(reader: &mut impl BufRead) -> Option<Incoming> {
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
    let at = Instant::now();
    let value = serde_json::from_slice(&body).ok()?;
    Some(Incoming {
        at,
        bytes: body.len(),
        value,
    })
}

fn is_reply_to(message: &Value, id: &Value) -> bool {
    message.get("id") == Some(id) && message.get("method").is_none()
}

/// Whether a message publishes diagnostics for `uri` (and `version`).
pub fn is_diagnostics(message: &Value, uri: &str, version: Option<i64>) -> bool {
    message["method"] == "textDocument/publishDiagnostics"
        && message["params"]["uri"] == uri
        && version.is_none_or(|version| message["params"]["version"] == version)
}

fn diagnostics_of(message: &Value) -> Vec<Value> {
    message["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------
// What in-process servers share

/// Panics on in-process servers' threads: (thread name, message).
static PANICS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// The cache folder of every in-process server of this test process, one
/// per built-in bank text: `XDG_CACHE_HOME` points there, so definitions
/// into the built-in bank name `qbank/backend.md` inside it and nothing is
/// written to the developer's home.
pub fn in_process_cache_folder() -> PathBuf {
    let mut hasher = DefaultHasher::new();
    qbank::core::builtin::BUILTIN_TEXT.hash(&mut hasher);
    std::env::temp_dir().join(format!("qbank-testkit-cache-{:016x}", hasher.finish()))
}

/// Once per process: the shared cache folder with the built-in bank's copy
/// already in it (servers that find it current write nothing, so they
/// never race to write it), and the panic recorder.
fn prepare_in_process() {
    static PREPARED: Once = Once::new();
    PREPARED.call_once(|| {
        let folder = in_process_cache_folder();
        write_builtin_copy(&folder.join("qbank"));
        // SAFETY: std's own environment functions take a lock, and the
        // test process runs no C code that reads the environment on another
        // thread; no other variable is ever set.
        unsafe { std::env::set_var("XDG_CACHE_HOME", &folder) };
        record_server_panics();
    });
}

/// Writes the built-in bank's copy atomically (other test processes may
/// write the same text at the same moment).
fn write_builtin_copy(folder: &Path) {
    let text = qbank::core::builtin::BUILTIN_TEXT;
    let path = folder.join("backend.md");
    if std::fs::read_to_string(&path).is_ok_and(|existing| existing == text) {
        return;
    }
    let partial = folder.join(format!("backend.md.{}.partial", std::process::id()));
    let written = std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(&partial, text))
        .and_then(|()| std::fs::rename(&partial, &path));
    if let Err(error) = written {
        panic!("cannot write {}: {error}", path.display());
    }
}

/// Records panics on in-process servers' threads, then reports them as
/// before. A handler's panic is caught by the server's guard, so only this
/// hook sees it.
fn record_server_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        if let Some(name) = thread
            .name()
            .filter(|name| name.starts_with(IN_PROCESS_THREADS))
        {
            lock(&PANICS).push((name.to_string(), info.to_string()));
        }
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_process_server_exits_as_qbank_lsp_would() {
        let mut client = Client::in_process();
        client.notify("exit", Value::Null);
        assert_eq!(client.wait_exit(), Some(1), "exit without shutdown");
        assert_eq!(client.wait_exit(), Some(1), "asked again");
        let mut client = Client::in_process();
        client.initialize(&std::env::temp_dir(), &Capabilities::default());
        client.stop();
    }

    #[test]
    fn a_wait_fails_naming_what_it_waited_for() {
        let mut client = Client::in_process();
        client.set_timeout(Duration::from_millis(200));
        let failure = client
            .try_wait_for(|_| false, "a message nobody sends")
            .unwrap_err();
        let message = failure.to_string();
        assert!(
            message.starts_with("no a message nobody sends within 200ms"),
            "{message}"
        );
    }
}

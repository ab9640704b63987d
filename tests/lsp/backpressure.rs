//! A client that sends requests and reads no replies, against the real
//! binary (spawned here without the kit's client, whose reader thread
//! would read every reply at once): the server must stop reading once
//! its unwritten output is large, so its memory stays bounded however many
//! requests wait in the pipe, and it must answer all of them, and go on,
//! once the client reads again.

use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use qbank_testkit::client::{Memory, TIMEOUT, frame, process_memory, read_message};
use qbank_testkit::{Capabilities, Scratch, lsp_command};
use serde_json::{Value, json};

use crate::QBANK;

/// The requests sent without reading a reply.
const UNREAD_REQUESTS: usize = 30_000;
/// The open document's size: each reply carries a copy of it.
const DOCUMENT_BYTES: usize = 20_000;
/// The most the server may hold: the unanswered requests' replies come
/// to about 600 MB, which the old server held at once.
const MEMORY_LIMIT: u64 = 300 * 1024 * 1024;
/// How long the server's memory and the writes must hold still before
/// the server is taken to have done all it does without a reader.
const SETTLED: Duration = Duration::from_secs(3);
/// The longest the memory is watched.
const WATCHED_AT_MOST: Duration = Duration::from_secs(120);

/// A spawned `qbank lsp`, killed when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write_message(input: &mut ChildStdin, message: &Value) {
    input
        .write_all(&frame(message.to_string().as_bytes()))
        .and_then(|()| input.flush())
        .expect("the server reads its input");
}

/// Writes the `qbank/documentText` requests (ids 1 up to the count) on a
/// thread that blocks when the server stops reading; counts those
/// written; hands the input back when all are.
fn write_requests_unread(
    mut input: ChildStdin,
    uri: String,
    written: Arc<AtomicUsize>,
) -> JoinHandle<ChildStdin> {
    std::thread::spawn(move || {
        for id in 1..=UNREAD_REQUESTS {
            let request = json!({ "jsonrpc": "2.0", "id": id, "method": "qbank/documentText", "params": { "uri": uri } });
            write_message(&mut input, &request);
            written.fetch_add(1, Ordering::Relaxed);
        }
        input
    })
}

/// The server's peak memory once it stops growing and the writes stop
/// (all written, or blocked because the server stopped reading), or as
/// soon as it passes the limit.
fn settled_peak(pid: u32, written: &AtomicUsize) -> u64 {
    let started = Instant::now();
    let mut seen = (0, 0);
    let mut still_since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Memory { peak, .. } = process_memory(pid).expect("the server's /proc status");
        let now = (written.load(Ordering::Relaxed), peak);
        if now != seen {
            seen = now;
            still_since = Instant::now();
        }
        if peak > MEMORY_LIMIT
            || still_since.elapsed() >= SETTLED
            || started.elapsed() >= WATCHED_AT_MOST
        {
            eprintln!(
                "{} of {UNREAD_REQUESTS} requests written, server peak RSS {} MB",
                now.0,
                peak >> 20
            );
            return peak;
        }
    }
}

/// Reads the server's messages on a thread: up to the reply to
/// `initialize`, then nothing until the returned function says so, then
/// the rest.
fn read_output_when_told(
    output: impl std::io::Read + Send + 'static,
) -> (Receiver<Value>, impl FnOnce()) {
    let (start, started) = channel::<()>();
    let (sender, messages) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::with_capacity(1 << 16, output);
        let mut waiting = Some(started);
        while let Some(message) = read_message(&mut reader) {
            let initialized = message.value["id"] == 0;
            if sender.send(message.value).is_err() {
                return;
            }
            if let Some(started) = waiting.take_if(|_| initialized) {
                if started.recv().is_err() {
                    return;
                }
            }
        }
    });
    (messages, move || {
        let _ = start.send(());
    })
}

/// The next message, waiting at most the kit's timeout.
fn next(messages: &Receiver<Value>, what: &str) -> Value {
    messages
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|error| panic!("no {what} from the server: {error}"))
}

#[test]
fn unread_replies_stop_the_server_reading_and_its_memory_stays_bounded() {
    let workspace = Scratch::new("unread");
    let home = Scratch::new("unread-home");
    let mut child = lsp_command(QBANK, workspace.root(), home.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(home.path("stderr.txt")).expect("a log file"))
        .spawn()
        .expect("qbank lsp starts");
    let pid = child.id();
    let mut input = child.stdin.take().expect("a piped stdin");
    let (messages, start_reading) =
        read_output_when_told(child.stdout.take().expect("a piped stdout"));
    let _server = Spawned(child);

    let params =
        qbank_testkit::client::initialize_params(workspace.root(), &Capabilities::default());
    write_message(
        &mut input,
        &json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params }),
    );
    let reply = next(&messages, "reply to initialize");
    assert!(reply.get("result").is_some(), "{reply}");
    write_message(
        &mut input,
        &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
    );
    let uri = workspace.uri("large.md");
    let line = "Ask BE-23 about ACID, then caching and queues.\n";
    let text = line.repeat(DOCUMENT_BYTES / line.len() + 1);
    write_message(
        &mut input,
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": text } } }),
    );

    let written = Arc::new(AtomicUsize::new(0));
    let writer = write_requests_unread(input, uri.clone(), written.clone());
    let peak = settled_peak(pid, &written);
    assert!(
        peak < MEMORY_LIMIT,
        "with {} requests' replies unread the server held {} MB",
        written.load(Ordering::Relaxed),
        peak >> 20
    );

    // Reading again: every request is answered, in full.
    start_reading();
    let mut answered = 0;
    while answered < UNREAD_REQUESTS {
        let message = next(&messages, "reply to a qbank/documentText request");
        let is_reply = message.get("method").is_none();
        if is_reply && message["id"].as_u64().is_some_and(|id| id >= 1) {
            assert_eq!(
                message["result"]["text"].as_str().map(str::len),
                Some(text.len()),
                "{}",
                message["error"]
            );
            answered += 1;
        }
    }
    let mut input = writer.join().expect("the writer thread");
    let hover_id = UNREAD_REQUESTS + 1;
    write_message(
        &mut input,
        &json!({ "jsonrpc": "2.0", "id": hover_id, "method": "textDocument/hover", "params": {
            "textDocument": { "uri": uri }, "position": { "line": 0, "character": 6 } } }),
    );
    let hover = loop {
        let message = next(&messages, "hover reply");
        if message["id"] == hover_id {
            break message;
        }
    };
    let markdown = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(markdown.contains("ACID"), "{hover}");
    let log = std::fs::read_to_string(home.path("stderr.txt")).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

//! The language server front end: `qbank lsp` serves the Language Server
//! Protocol over stdio. This layer is the only code that names
//! tower-lsp-server, protocol types or tokio; its handlers convert
//! positions, call the pure features of `core::ide` and convert back.
//! Logs go to stderr: stdout carries only protocol messages.
//!
//! - `transport`: the stdin filter and the outbox, between the client's
//!   bytes and tower-lsp-server, and the backlog of unwritten output that
//!   stops the filter reading;
//! - `server`: the `Backend` and the `LanguageServer` impl, a table of
//!   contents of the protocol;
//! - `dispatch`: snapshot, parse, run off the async threads in the panic
//!   guard; `handlers`: the requests, one function each;
//! - `lifecycle`, `sync`, `commands`: `initialize`, document sync and
//!   configuration, commands and custom requests;
//! - `diagnostics`: debounced checks, published through the outbox;
//! - `loading`: roots loaded and open banks' live indexes rebuilt off the
//!   lock; `indexing`: the background scan of notes and watched files;
//! - `state`: roots and open documents behind one mutex, and snapshots;
//! - `document`: open documents in ropes and the only position conversions;
//! - `capabilities`, `convert`, `places`: what the server offers, core
//!   answers into protocol objects, where results stand;
//! - `background`, `memory`: low-priority threads for work no request
//!   waits for; one malloc heap, free pages given back;
//! - `cache`: the built-in bank's copy in the user's cache folder.

mod background;
mod cache;
mod capabilities;
mod commands;
mod convert;
mod diagnostics;
mod dispatch;
pub mod document;
mod handlers;
mod indexing;
mod lifecycle;
mod loading;
mod memory;
mod places;
mod problems;
mod review;
mod scores;
mod server;
mod state;
mod sync;
mod transport;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

use server::Backend;
use transport::backlog::Backlog;
use transport::frames;
use transport::outbox::{self, Outbox};

/// How long the last messages may take to reach stdout after `exit`.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(1);

/// Writes one log line to stderr.
pub(crate) fn log(message: &str) {
    // A closed stderr loses the line, not the server (`eprintln!` panics).
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "qbank lsp: {message}");
}

/// Serves the protocol on stdin and stdout until the client says `exit`
/// (or closes stdin). Exits 0 after a `shutdown`, 1 otherwise, as the
/// protocol asks.
pub fn run() -> Result<ExitCode> {
    memory::use_one_heap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    outbox::widen_stdout_pipe();
    let shut_down = runtime.block_on(serve(tokio::io::stdin(), std::io::stdout()));
    // Stdin is read on a blocking thread that may still wait for input.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(if shut_down {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Passes `input` through the stdin filter of `qbank lsp` into `output`
/// until `input` ends: what tower-lsp-server would read, only well-formed
/// `Content-Length` frames of bodies it can decode (others replaced by a
/// request it answers with the protocol's error). For the fuzz target;
/// nothing here waits for output.
pub async fn filter_frames(input: impl AsyncRead + Unpin, output: impl AsyncWrite + Unpin) {
    frames::filter(input, output, Backlog::default()).await;
}

/// Serves the protocol on any byte streams, through the same stdin filter
/// and outbox as `qbank lsp`, until the client says `exit` or `input` ends.
/// Returns whether the client asked for `shutdown` first. `output` is
/// written from a blocking thread. Tests run the server in-process with it.
pub async fn serve(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl Write + Send + 'static,
) -> bool {
    let (outbox, outbox_frames) = Outbox::new();
    // Replies and our own notifications alike: past its bound, input
    // waits for the client to read.
    let backlog = outbox.backlog().clone();
    let (service, socket) = LspService::build(move |client| Backend::new(client, outbox))
        .custom_method("qbank/documentText", Backend::document_text)
        .custom_method("qbank/documentStatus", Backend::document_status)
        .custom_method("qbank/noteStatus", Backend::note_status)
        .custom_method(frames::INVALID_MESSAGE, Backend::invalid_message)
        .finish();
    let backend_state = service.inner().shut_down_flag();
    // tower-lsp-server ends its input at the first frame it cannot
    // decode: only well-formed frames reach it.
    let (filtered, filtered_input) = tokio::io::duplex(1 << 16);
    tokio::spawn(frames::filter(input, filtered, backlog.clone()));
    let (server_output, server_frames) = tokio::io::duplex(1 << 16);
    let forwarder = tokio::spawn(outbox::forward(
        server_frames,
        outbox_frames,
        backlog,
        output,
    ));
    Server::new(filtered_input, server_output, socket)
        .serve(service)
        .await;
    // The pipe closed with the server: the forwarder writes what is left.
    let _ = tokio::time::timeout(FLUSH_TIMEOUT, forwarder).await;
    backend_state()
}

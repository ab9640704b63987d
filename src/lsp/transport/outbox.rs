//! The server's stdout. tower-lsp-server writes its messages into a pipe
//! that `forward` copies to stdout frame by frame; the server's own
//! notifications that can be large (`textDocument/publishDiagnostics`) are
//! serialized straight from borrowed data into a frame and go out through
//! the `Outbox`, between two of tower-lsp's frames, never inside one.
//!
//! Why: tower-lsp-server turns every notification's parameters into a
//! `serde_json::Value` tree before writing it. For the 16,000 diagnostics of
//! a 10 MB note that tree took about 150 ms to build, write and free; the
//! direct serialization takes about 10 ms.
//!
//! Bytes reach stdout from one blocking thread, through a pipe widened to
//! 1 MiB when stdout is a pipe: 6 MB of diagnostics took 12 ms to write
//! through tokio's stdout and Linux's default 64 KiB pipe, one context
//! switch with the client per 64 KiB.
//!
//! What waits for that thread is counted in the `Backlog`: past its bound
//! the forwarder stops taking tower-lsp's frames (tower-lsp then stops
//! answering, its queues being bounded) and the stdin filter stops reading.

use std::io::Write;
use std::sync::mpsc;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::backlog::Backlog;
use super::frames::{content_length, find};

/// Sends pre-encoded notifications (JSON bodies) to the client, in the
/// order they are sent.
#[derive(Debug, Clone)]
pub struct Outbox {
    bodies: UnboundedSender<Vec<u8>>,
    backlog: Backlog,
}

#[derive(Serialize)]
struct Notification<'a, P> {
    jsonrpc: &'static str,
    method: &'a str,
    params: &'a P,
}

impl Outbox {
    /// An outbox and the receiving end `forward` drains.
    pub fn new() -> (Outbox, UnboundedReceiver<Vec<u8>>) {
        let (bodies, receiver) = unbounded_channel();
        let backlog = Backlog::default();
        (Outbox { bodies, backlog }, receiver)
    }

    /// The backlog of everything queued for the output, this outbox's
    /// bodies included.
    pub fn backlog(&self) -> &Backlog {
        &self.backlog
    }

    /// Encodes a notification's body: the costly part, so call it off the
    /// async threads.
    pub fn encode<P: Serialize>(method: &str, params: &P) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&Notification {
            jsonrpc: "2.0",
            method,
            params,
        })
    }

    /// Queues an encoded body, counted in the backlog until written;
    /// dropped once the server has stopped.
    pub fn send(&self, body: Vec<u8>) {
        self.backlog.queued(body.len());
        let _ = self.bodies.send(body);
    }
}

/// The pipe size asked for stdout: Linux's default maximum for one pipe.
const PIPE_BYTES: i32 = 1 << 20;

/// Widens stdout's pipe, if it is one, so that a large message goes out in
/// a few writes. Nothing happens elsewhere or when the system refuses.
pub fn widen_stdout_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on fd 1 with F_SETPIPE_SZ only resizes a pipe's buffer;
    // on anything else it fails with an error code, which is ignored.
    unsafe {
        libc::fcntl(libc::STDOUT_FILENO, libc::F_SETPIPE_SZ, PIPE_BYTES);
    }
}

/// Copies tower-lsp's frames from `server` to `output`, and the outbox's
/// frames between them, until `server` ends (the server stopped); reads no
/// more of `server` while the backlog is over its bound. Frames still queued in the
/// outbox then are dropped: the client has said `exit`. `output` is written
/// on a blocking thread.
pub async fn forward(
    mut server: impl AsyncRead + Unpin,
    mut outbox: UnboundedReceiver<Vec<u8>>,
    backlog: Backlog,
    output: impl Write + Send + 'static,
) {
    let (chunks, to_write) = mpsc::channel::<Vec<u8>>();
    let writer = tokio::task::spawn_blocking({
        let backlog = backlog.clone();
        move || {
            write_chunks(to_write, &backlog, output);
            backlog.close();
        }
    });
    let chunks = Chunks {
        sender: chunks,
        backlog: backlog.clone(),
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    let mut outbox_open = true;
    loop {
        // A frame in progress is still read whole: only then can the
        // writer, and so the backlog, move on.
        let over = backlog.is_over();
        let sent = tokio::select! {
            // Our own bodies first: they are rare, and the order is then
            // the order in which both sides became ready.
            biased;
            () = backlog.within_bound(), if over => true,
            // Bodies in the outbox are counted already: they go on to the
            // writer even over the bound, or two large ones queued at once
            // would hold the backlog over it with nothing left to write.
            body = outbox.recv(), if outbox_open => match body {
                Some(body) => chunks.send_body(body),
                None => {
                    outbox_open = false;
                    true
                }
            },
            read = server.read(&mut chunk), if !over => {
                let read = match read {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                pending.extend_from_slice(&chunk[..read]);
                let complete = complete_frames(&pending);
                complete == 0 || chunks.send(pending.drain(..complete).collect())
            }
        };
        if !sent {
            return;
        }
    }
    // What was queued before the server stopped, then whatever tower-lsp
    // wrote last, even a frame cut short.
    while let Ok(body) = outbox.try_recv() {
        chunks.send_body(body);
    }
    chunks.send(pending);
    drop(chunks);
    let _ = writer.await;
}

/// The writer thread's queue, each chunk counted in the backlog.
struct Chunks {
    sender: mpsc::Sender<Vec<u8>>,
    backlog: Backlog,
}

impl Chunks {
    /// Queues a chunk of tower-lsp's output; false once the writer stopped.
    fn send(&self, chunk: Vec<u8>) -> bool {
        self.backlog.queued(chunk.len());
        self.sender.send(chunk).is_ok()
    }

    /// Queues one of our bodies (counted when the outbox took it) with its
    /// header; false once the writer stopped.
    fn send_body(&self, body: Vec<u8>) -> bool {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.send(header.into_bytes()) && self.sender.send(body).is_ok()
    }
}

/// Writes chunks in order until the channel closes or `output` fails,
/// flushing whenever no chunk is waiting; lets go of each chunk's bytes in
/// the backlog once written.
fn write_chunks(chunks: mpsc::Receiver<Vec<u8>>, backlog: &Backlog, mut output: impl Write) {
    while let Ok(first) = chunks.recv() {
        for chunk in std::iter::once(first).chain(chunks.try_iter()) {
            let written = output.write_all(&chunk).is_ok();
            backlog.written(chunk.len());
            if !written {
                return;
            }
        }
        if output.flush().is_err() {
            return;
        }
    }
}

/// The length of the complete frames at the start of `bytes`.
fn complete_frames(bytes: &[u8]) -> usize {
    let mut complete = 0;
    loop {
        let rest = &bytes[complete..];
        let Some(end) = find(rest, b"\r\n\r\n") else {
            return complete;
        };
        // tower-lsp always writes a valid header; after a broken one,
        // everything is passed on rather than held forever.
        let Some(length) = content_length(&rest[..end]) else {
            return bytes.len();
        };
        let frame = end + 4 + length;
        if rest.len() < frame {
            return complete;
        }
        complete += frame;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output the test reads back.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn outbox_frames_go_between_server_frames() {
        use tokio::io::AsyncWriteExt;
        let (mut server_side, server_output) = tokio::io::duplex(1 << 10);
        let (outbox, receiver) = Outbox::new();
        let output = Shared::default();
        let forwarder = tokio::spawn(forward(
            server_output,
            receiver,
            outbox.backlog().clone(),
            output.clone(),
        ));
        // Half a frame from the server, then an outbox frame, then the rest.
        let first = b"Content-Length: 7\r\n\r\n{\"a\":1}";
        server_side.write_all(&first[..12]).await.unwrap();
        tokio::task::yield_now().await;
        outbox.send(Outbox::encode("x/y", &[1, 2]).unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        server_side.write_all(&first[12..]).await.unwrap();
        drop(server_side);
        forwarder.await.unwrap();
        let received = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
        let outbox_frame =
            "Content-Length: 47\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x/y\",\"params\":[1,2]}";
        assert_eq!(
            received,
            format!("{outbox_frame}Content-Length: 7\r\n\r\n{{\"a\":1}}")
        );
    }

    /// Outbox bodies over the bound between them still go out: they were
    /// held back, with nothing left for the writer to drain, and the
    /// server stopped reading its input for good (two 50 MB notes'
    /// diagnostics queued at once).
    #[tokio::test]
    async fn outbox_bodies_over_the_bound_still_go_out() {
        let (server_side, server_output) = tokio::io::duplex(1 << 10);
        let (outbox, receiver) = Outbox::new();
        let output = Shared::default();
        let backlog = outbox.backlog().clone();
        let forwarder = tokio::spawn(forward(
            server_output,
            receiver,
            backlog.clone(),
            output.clone(),
        ));
        let large = vec![b' '; super::super::backlog::OUTPUT_BOUND / 2 + 1];
        outbox.send(large.clone());
        outbox.send(large);
        tokio::time::timeout(std::time::Duration::from_secs(10), backlog.within_bound())
            .await
            .expect("the backlog drains");
        drop(server_side);
        forwarder.await.unwrap();
        assert!(output.0.lock().unwrap().len() > super::super::backlog::OUTPUT_BOUND);
    }

    #[tokio::test]
    async fn bodies_queued_before_the_server_stops_still_go_out() {
        let (server_side, server_output) = tokio::io::duplex(1 << 10);
        let (outbox, receiver) = Outbox::new();
        let output = Shared::default();
        outbox.send(Outbox::encode("x/closed", &[0]).unwrap());
        drop(server_side);
        forward(
            server_output,
            receiver,
            outbox.backlog().clone(),
            output.clone(),
        )
        .await;
        let received = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
        assert!(
            received.ends_with(r#""method":"x/closed","params":[0]}"#),
            "{received}"
        );
    }

    #[test]
    fn a_broken_header_passes_everything_on() {
        assert_eq!(complete_frames(b"Content-Length: 2\r\n\r\n{}Cont"), 23);
        assert_eq!(complete_frames(b"Content-Length: x\r\n\r\n{}"), 23);
    }
}

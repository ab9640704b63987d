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

use std::io::Write;
use std::sync::mpsc;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::frames::{content_length, find};

/// Sends pre-encoded notifications (JSON bodies) to the client, in the
/// order they are sent.
#[derive(Debug, Clone)]
pub struct Outbox {
    bodies: UnboundedSender<Vec<u8>>,
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
        (Outbox { bodies }, receiver)
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

    /// Queues an encoded body; dropped once the server has stopped.
    pub fn send(&self, body: Vec<u8>) {
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
/// frames between them, until `server` ends (the server stopped). Frames
/// still queued in the outbox then are dropped: the client has said `exit`.
/// `output` is written on a blocking thread.
pub async fn forward(
    mut server: impl AsyncRead + Unpin,
    mut outbox: UnboundedReceiver<Vec<u8>>,
    output: impl Write + Send + 'static,
) {
    let (chunks, to_write) = mpsc::channel::<Vec<u8>>();
    let writer = tokio::task::spawn_blocking(move || write_chunks(to_write, output));
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    let mut outbox_open = true;
    loop {
        let sent = tokio::select! {
            // Our own bodies first: they are rare, and the order is then
            // the order in which both sides became ready.
            biased;
            body = outbox.recv(), if outbox_open => match body {
                Some(body) => send_body(&chunks, body),
                None => {
                    outbox_open = false;
                    true
                }
            },
            read = server.read(&mut chunk) => {
                let read = match read {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                pending.extend_from_slice(&chunk[..read]);
                let complete = complete_frames(&pending);
                complete == 0 || chunks.send(pending.drain(..complete).collect()).is_ok()
            }
        };
        if !sent {
            return;
        }
    }
    // What was queued before the server stopped, then whatever tower-lsp
    // wrote last, even a frame cut short.
    while let Ok(body) = outbox.try_recv() {
        send_body(&chunks, body);
    }
    let _ = chunks.send(pending);
    drop(chunks);
    let _ = writer.await;
}

/// Queues one of our bodies with its header; false once the writer stopped.
fn send_body(chunks: &mpsc::Sender<Vec<u8>>, body: Vec<u8>) -> bool {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    chunks.send(header.into_bytes()).is_ok() && chunks.send(body).is_ok()
}

/// Writes chunks in order until the channel closes or `output` fails,
/// flushing whenever no chunk is waiting.
fn write_chunks(chunks: mpsc::Receiver<Vec<u8>>, mut output: impl Write) {
    while let Ok(chunk) = chunks.recv() {
        if output.write_all(&chunk).is_err() {
            return;
        }
        while let Ok(chunk) = chunks.try_recv() {
            if output.write_all(&chunk).is_err() {
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
        let forwarder = tokio::spawn(forward(server_output, receiver, output.clone()));
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

    #[tokio::test]
    async fn bodies_queued_before_the_server_stops_still_go_out() {
        let (server_side, server_output) = tokio::io::duplex(1 << 10);
        let (outbox, receiver) = Outbox::new();
        let output = Shared::default();
        outbox.send(Outbox::encode("x/closed", &[0]).unwrap());
        drop(server_side);
        forward(server_output, receiver, output.clone()).await;
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

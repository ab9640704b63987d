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

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::lsp::frames::{content_length, find};

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

/// Copies tower-lsp's frames from `server` to `output`, and the outbox's
/// frames between them, until `server` ends (the server stopped). Frames
/// still queued in the outbox then are dropped: the client has said `exit`.
pub async fn forward(
    mut server: impl AsyncRead + Unpin,
    mut outbox: UnboundedReceiver<Vec<u8>>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    let mut outbox_open = true;
    loop {
        tokio::select! {
            read = server.read(&mut chunk) => {
                let read = match read {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                pending.extend_from_slice(&chunk[..read]);
                let complete = complete_frames(&pending);
                if complete > 0 {
                    if output.write_all(&pending[..complete]).await.is_err() {
                        return;
                    }
                    pending.drain(..complete);
                }
            }
            body = outbox.recv(), if outbox_open => match body {
                Some(body) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    if output.write_all(header.as_bytes()).await.is_err()
                        || output.write_all(&body).await.is_err()
                    {
                        return;
                    }
                }
                None => outbox_open = false,
            },
        }
        if output.flush().await.is_err() {
            return;
        }
    }
    // Whatever tower-lsp wrote last, even a frame cut short.
    let _ = output.write_all(&pending).await;
    let _ = output.flush().await;
}

/// The length of the complete frames at the start of `bytes`.
fn complete_frames(bytes: &[u8]) -> usize {
    let mut complete = 0;
    loop {
        let rest = &bytes[complete..];
        let Some(end) = find(rest, b"\r\n\r\n") else {
            return complete;
        };
        // tower-lsp always writes a valid header; a broken one would be
        // passed on whole rather than held forever.
        let length = content_length(&rest[..end]).unwrap_or(0);
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

    #[tokio::test]
    async fn outbox_frames_go_between_server_frames() {
        let (mut server_side, server_output) = tokio::io::duplex(1 << 10);
        let (outbox, receiver) = Outbox::new();
        let (output, mut client) = tokio::io::duplex(1 << 16);
        let forwarder = tokio::spawn(forward(server_output, receiver, output));
        // Half a frame from the server, then an outbox frame, then the rest.
        let first = b"Content-Length: 7\r\n\r\n{\"a\":1}";
        server_side.write_all(&first[..12]).await.unwrap();
        tokio::task::yield_now().await;
        outbox.send(Outbox::encode("x/y", &[1, 2]).unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        server_side.write_all(&first[12..]).await.unwrap();
        drop(server_side);
        forwarder.await.unwrap();
        let mut received = String::new();
        client.read_to_string(&mut received).await.unwrap();
        let outbox_frame =
            "Content-Length: 47\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x/y\",\"params\":[1,2]}";
        assert_eq!(
            received,
            format!("{outbox_frame}Content-Length: 7\r\n\r\n{{\"a\":1}}")
        );
    }
}

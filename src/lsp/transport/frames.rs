//! The stdin filter in front of tower-lsp-server, whose decoder ends the
//! whole input stream at the first frame it cannot decode (tokio-util's
//! `FramedRead` stops after an error) and stalls on a zero-length body. This
//! filter reads `Content-Length` frames itself and passes on only those the
//! server can decode; a frame that is no JSON becomes a request to
//! `qbank/invalidMessage` with a null id, which the server answers with the
//! protocol's error (-32700 parse error, -32600 invalid request) and goes on.
//! A request (with an id) for a `$/` method becomes one to
//! `qbank/invalidMessage` with the same id, answered -32601 method not
//! found: tower-lsp-server drops its answer to any `$/` method, which is
//! right for a notification only. While more output waits for the client
//! than the backlog's bound, no more input is read.

use serde_json::json;
use std::borrow::Cow;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};
use tower_lsp_server::jsonrpc::{Id, Response};

use super::backlog::Backlog;

pub const INVALID_MESSAGE: &str = "qbank/invalidMessage";

const PARSE_ERROR: i64 = -32700;
const METHOD_NOT_FOUND: i64 = -32601;

/// The input buffer's size kept between frames.
const KEPT_BUFFER_BYTES: usize = 1 << 20;
const INVALID_REQUEST: i64 = -32600;

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The body's length, or `None` for a header block the protocol does not
/// accept (no or bad `Content-Length`, a charset other than UTF-8).
pub(super) fn content_length(headers: &[u8]) -> Option<usize> {
    let headers = std::str::from_utf8(headers).ok()?;
    let mut length = None;
    for line in headers.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        match name.trim() {
            "Content-Length" => length = Some(value.trim().parse().ok()?),
            "Content-Type" => {
                let charset = value
                    .split(';')
                    .skip(1)
                    .map(str::trim)
                    .find_map(|param| param.strip_prefix("charset="));
                if !matches!(charset, None | Some("utf-8" | "utf8")) {
                    return None;
                }
            }
            _ => {}
        }
    }
    length
}

/// What tower-lsp-server's `Request` requires of a body, read without
/// building its `params`: checking a 30 MB `didOpen` made a copy of it as
/// a JSON tree only to throw it away.
#[derive(Deserialize)]
struct RequestShape {
    #[serde(rename = "jsonrpc")]
    _version: Version,
    #[serde(default)]
    method: String,
    #[serde(default, rename = "params")]
    _params: Option<IgnoredAny>,
    /// `Some(Id::Null)` for `"id": null`, which makes a request too.
    #[serde(default, deserialize_with = "present")]
    id: Option<Id>,
}

/// Reads an `id` that is there, as tower-lsp-server's `Request` does.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Id>, D::Error> {
    Id::deserialize(deserializer).map(Some)
}

/// `"2.0"`, the only JSON-RPC version tower-lsp-server takes.
struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        let version = Cow::<str>::deserialize(deserializer)?;
        if version == "2.0" {
            Ok(Version)
        } else {
            Err(serde::de::Error::custom(
                "expected JSON-RPC version \"2.0\"",
            ))
        }
    }
}

/// What the filter passes on for a body.
#[derive(Debug, PartialEq)]
enum Passed {
    /// The body itself: the server can decode it.
    Whole,
    /// A request that makes the server answer this id with this code.
    Error(Id, i64),
}

/// What to pass on for a body: itself when the server can decode and
/// answer it, else a request that makes the server answer with an error.
fn checked(body: &[u8]) -> Passed {
    // serde_json skips the strings it ignores without checking their
    // UTF-8, but tower-lsp-server's decoder checks the whole body first.
    let Ok(body) = std::str::from_utf8(body) else {
        return Passed::Error(Id::Null, PARSE_ERROR);
    };
    if let Ok(request) = serde_json::from_str::<RequestShape>(body) {
        return match request.id {
            Some(id) if request.method.starts_with("$/") => Passed::Error(id, METHOD_NOT_FOUND),
            _ => Passed::Whole,
        };
    }
    if serde_json::from_str::<Response>(body).is_ok() {
        Passed::Whole
    } else if serde_json::from_str::<IgnoredAny>(body).is_ok() {
        Passed::Error(Id::Null, INVALID_REQUEST)
    } else {
        Passed::Error(Id::Null, PARSE_ERROR)
    }
}

async fn send(output: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    output
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    output.write_all(body).await?;
    output.flush().await
}

async fn send_error(
    output: &mut (impl AsyncWrite + Unpin),
    id: &Id,
    code: i64,
) -> std::io::Result<()> {
    let request = json!({ "jsonrpc": "2.0", "id": id, "method": INVALID_MESSAGE, "params": { "code": code } });
    send(output, request.to_string().as_bytes()).await
}

/// Copies frames from `input` to `output` until either closes, reading
/// input only while `backlog` is within its bound.
pub async fn filter(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    backlog: Backlog,
) {
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    // Reads more input, once the client has read enough of the output;
    // returns at its end.
    macro_rules! fill {
        () => {
            backlog.within_bound().await;
            match input.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        };
    }
    loop {
        // Blank lines between frames are not a frame.
        let blank = buffer
            .iter()
            .take_while(|byte| matches!(byte, b'\r' | b'\n'))
            .count();
        buffer.drain(..blank);
        let Some(end) = find(&buffer, b"\r\n\r\n") else {
            fill!();
            continue;
        };
        let Some(length) = content_length(&buffer[..end]) else {
            // Skip to the next frame's header, if it has begun.
            let next = find(&buffer[1..], b"Content-Length").map_or(end + 4, |at| at + 1);
            buffer.drain(..next.min(end + 4));
            if send_error(&mut output, &Id::Null, PARSE_ERROR)
                .await
                .is_err()
            {
                return;
            }
            continue;
        };
        let start = end + 4;
        while buffer.len() < start + length {
            fill!();
        }
        let body: Vec<u8> = buffer.drain(..start + length).skip(start).collect();
        // A 30 MB frame grew the buffer: it is not kept that large.
        if buffer.capacity() > KEPT_BUFFER_BYTES {
            buffer.shrink_to(KEPT_BUFFER_BYTES);
        }
        if body.is_empty() {
            continue;
        }
        let sent = match checked(&body) {
            Passed::Whole => send(&mut output, &body).await,
            Passed::Error(id, code) => send_error(&mut output, &id, code).await,
        };
        if sent.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::jsonrpc::Request;

    #[test]
    fn a_dollar_request_gets_method_not_found_and_a_dollar_notification_passes() {
        assert_eq!(
            checked(br#"{"jsonrpc":"2.0","id":7,"method":"$/foo"}"#),
            Passed::Error(Id::Number(7), METHOD_NOT_FOUND)
        );
        assert_eq!(
            checked(br#"{"jsonrpc":"2.0","method":"$/foo","params":{}}"#),
            Passed::Whole
        );
        assert_eq!(
            checked(br#"{"jsonrpc":"2.0","id":7,"method":"a/$/b"}"#),
            Passed::Whole
        );
    }

    /// The shape check takes exactly the bodies tower-lsp-server's own
    /// `Request` takes.
    #[test]
    fn the_request_shape_agrees_with_the_request_type() {
        let bodies = [
            r#"{"jsonrpc":"2.0","method":"a","params":{"x":[1,2,"three"]},"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"a"}"#,
            r#"{"jsonrpc":"2.0","method":"a","params":null,"id":null}"#,
            r#"{"jsonrpc":"2.0","id":"seven"}"#,
            r#"{"jsonrpc":"2.0","method":"a","id":1.5}"#,
            r#"{"jsonrpc":"2.0","method":"a","id":true}"#,
            r#"{"jsonrpc":"1.0","method":"a"}"#,
            r#"{"jsonrpc":2.0,"method":"a"}"#,
            r#"{"method":"a","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":null}"#,
            r#"{"jsonrpc":"2.0","method":7}"#,
            r#"{"jsonrpc":"2.0","method":"a","method":"b"}"#,
            r#"{"jsonrpc":"2.0","method":"a","extra":{"deep":[{}]}}"#,
            r#"{"jsonrpc":"2\u002e0","method":"a"}"#,
            r#"{"jsonrpc":"2.0","method":"a","params":[1,{"unclosed":]}"#,
            r#"[{"jsonrpc":"2.0","method":"a"}]"#,
            r#""a string""#,
            r#"{}"#,
        ];
        for body in bodies {
            assert_eq!(
                serde_json::from_slice::<RequestShape>(body.as_bytes()).is_ok(),
                serde_json::from_slice::<Request>(body.as_bytes()).is_ok(),
                "{body}"
            );
        }
    }
}

//! Fuzz target: the stdin filter of `qbank lsp`. Any bytes, arriving in
//! reads of any size (the first byte picks it), must pass through the
//! filter without a panic, and what it passes on must be a sequence of
//! well-formed `Content-Length` frames whose bodies tower-lsp-server
//! decodes as a request or a response: nothing else may reach it, since
//! its decoder ends the whole input at the first frame it cannot read.
#![no_main]

use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::runtime::Runtime;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Input that arrives at most `read_size` bytes per read.
struct Trickle<'a> {
    data: &'a [u8],
    read_size: usize,
}

impl AsyncRead for Trickle<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let size = self.read_size.min(self.data.len()).min(buffer.remaining());
        let (read, rest) = self.data.split_at(size);
        buffer.put_slice(read);
        self.data = rest;
        Poll::Ready(Ok(()))
    }
}

/// Fails unless `output` is whole frames, each a body tower-lsp-server
/// decodes behind the header the filter writes.
fn assert_well_formed_frames(mut output: &[u8]) {
    while !output.is_empty() {
        let text = String::from_utf8_lossy(&output[..output.len().min(40)]).into_owned();
        let header_end = output
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {text:?}"));
        let header = std::str::from_utf8(&output[..header_end]).expect("an ASCII header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|length| length.parse().ok())
            .unwrap_or_else(|| panic!("a bad header {header:?}"));
        let body_start = header_end + 4;
        assert!(length > 0, "an empty body");
        let body = output
            .get(body_start..body_start + length)
            .unwrap_or_else(|| panic!("a body cut short after {header:?}"));
        // As tower-lsp-server's decoder reads a body: UTF-8 first, then
        // its `Message` (a response or a request).
        let decodes = std::str::from_utf8(body).is_ok_and(|text| {
            serde_json::from_str::<Response>(text).is_ok()
                || serde_json::from_str::<Request>(text).is_ok()
        });
        assert!(
            decodes,
            "a body the server cannot decode: {:?}",
            String::from_utf8_lossy(body)
        );
        output = &output[body_start + length..];
    }
}

/// One current-thread runtime for every input.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let input = Trickle {
        data,
        read_size: usize::from(first).max(1),
    };
    let mut output = Vec::new();
    runtime().block_on(qbank::lsp::filter_frames(input, &mut output));
    assert_well_formed_frames(&output);
});

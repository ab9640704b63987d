//! The transport between the client's bytes and tower-lsp-server: the stdin
//! filter (`frames`), which keeps frames the server cannot decode from
//! reaching it, and the outbox (`outbox`), which writes the server's frames
//! and our own pre-encoded notifications to the output from one blocking
//! thread.

pub mod frames;
pub mod outbox;

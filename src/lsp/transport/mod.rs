//! The transport between the client's bytes and tower-lsp-server: the stdin
//! filter (`frames`), which keeps frames the server cannot decode from
//! reaching it, and the outbox (`outbox`), which writes the server's frames
//! and our own pre-encoded notifications to the output from one blocking
//! thread; the `backlog` of what waits for that thread, past whose bound
//! neither takes more.

pub mod backlog;
pub mod frames;
pub mod outbox;

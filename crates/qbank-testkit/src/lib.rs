//! qbank's test kit, shared by the end-to-end tests, the benchmarks and
//! qbank's own unit tests (as a dev-dependency; nothing shipped uses it):
//!
//! - `client`: one JSON-RPC client of `qbank lsp`, in-process or spawned;
//! - `scratch`: scratch folders removed when dropped;
//! - `positions`: an independent model of LSP positions and edits;
//! - `generate`: deterministic banks and notes for benchmarks;
//! - `pathological`: markdown known to make parsers slow;
//! - `bench`: what the latency benchmark needs beyond the client.

pub mod bench;
pub mod client;
pub mod generate;
pub mod pathological;
pub mod positions;
pub mod scratch;

pub use client::{ApplyEdit, Capabilities, Client, Failure, Incoming, Reply, lsp_command};
pub use positions::Unit;
pub use scratch::Scratch;

//! The core: questions, banks, notes, templates and packets as plain data and
//! pure functions over byte offsets. It knows nothing of LSP, terminals,
//! files or async; the `cli` and `lsp` front ends call it and convert.

pub mod bank;
pub mod builtin;
pub mod changes;
pub mod check;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod front_matter;
pub mod handout;
pub mod ide;
pub mod index;
pub mod key;
pub mod line_index;
pub mod lists;
pub mod note;
pub mod outline;
pub mod packet;
pub mod parallel;
pub mod review;
pub mod scores;
pub mod search;
pub mod shape;
pub mod similar;
pub mod template;
pub mod text;

//! qbank: a language server and command line for markdown notes that knows a
//! bank of interview questions. `core` holds the questions, notes, templates
//! and packets; `workspace` reads them from disk and `notes` scans the
//! workspace's notes; `cli` and `lsp` are the two front ends.
//! ARCHITECTURE.md has the map.

pub mod cli;
pub mod clock;
pub mod core;
pub mod files;
pub mod lsp;
pub mod notes;
pub mod walk;
pub mod workspace;

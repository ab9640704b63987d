//! The language server front end. It arrives in the next step (issue 3);
//! until then `qbank lsp` says so and exits.

use std::process::ExitCode;

use anyhow::Result;

pub fn run() -> Result<ExitCode> {
    eprintln!(
        "qbank lsp: the language server is not built yet; the command line works today (qbank --help)"
    );
    Ok(ExitCode::from(2))
}

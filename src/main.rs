//! The `qbank` binary: the command line and, through `qbank lsp`, the
//! language server.

fn main() -> std::process::ExitCode {
    qbank::cli::main()
}

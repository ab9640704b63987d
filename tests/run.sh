#!/usr/bin/env bash
# Every test qbank has, from a clean clone: formatting, lints, unit and
# fixture tests, and the end-to-end tests that drive the real binary.
# Everything it needs is pinned in Cargo.lock and fetched by cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked

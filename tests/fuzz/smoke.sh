#!/usr/bin/env bash
# A short fuzzing run that CI can afford: installs a pinned cargo-fuzz when
# it is missing, then runs each target for SECONDS_PER_TARGET seconds (20 by
# default) on the stable toolchain. libFuzzer's instrumentation needs
# nightly flags, so RUSTC_BOOTSTRAP=1 lets stable accept them; with
# `--sanitizer none` no sanitizer runtime is needed. The smoke run builds
# unoptimized (`--dev`): about 2.5 min instead of 8 on 2 cores, and debug
# assertions (overflow, slicing) check every input. Longer runs:
#   SECONDS_PER_TARGET=600 bash tests/fuzz/smoke.sh
# or one target without a limit:
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz --sanitizer none note_analysis
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-20}"

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked
fi

export RUSTC_BOOTSTRAP=1
# Builds go under the main target folder, not into tests/ (whose .rs files
# tests/tidy.rs reads).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}"
started=$(date +%s)
for target in bank_parser note_analysis document_edits configuration frame_filter; do
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
    cargo fuzz run --dev --fuzz-dir tests/fuzz --sanitizer none "$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048
done
echo "fuzz: smoke run done in $(( $(date +%s) - started ))s"

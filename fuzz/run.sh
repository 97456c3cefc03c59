#!/usr/bin/env bash
# Builds the fuzz targets and runs each for SECONDS (default 600), starting from the
# seeds in fuzz/seeds/ and keeping what it learns in fuzz/corpus/. A crash stops the run
# and leaves its input in fuzz/artifacts/TARGET/; copy it to fuzz/regressions/TARGET/
# so that tests/fuzz_inputs.rs replays it, and fix the code.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked --quiet
fi

# libFuzzer's instrumentation needs the unstable -Z sanitizer flags that cargo fuzz
# passes. This machine has only a stable toolchain, and RUSTC_BOOTSTRAP lets it accept them.
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O

for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target"
    echo "fuzzing $target for $seconds s"
    cargo fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
        grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==|SUMMARY|Done)" || true
    if ls "artifacts/$target"/crash-* "artifacts/$target"/oom-* "artifacts/$target"/timeout-* >/dev/null 2>&1; then
        echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done

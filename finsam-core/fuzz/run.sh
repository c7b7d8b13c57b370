#!/usr/bin/env bash
# Runs a coverage-guided fuzz campaign over every target (or those named):
#
#     finsam-core/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Each target runs until 10 million executions or SECONDS_PER_TARGET
# (default 900) have passed, at the lowest priority and one job only, so
# that other builds on the machine keep theirs (libFuzzer without -jobs is one
# process with one worker). Inputs are capped at 64 KiB
# and each input may allocate at most 512 MiB (malloc_limit): a huge field
# must be an error, not an allocation of gigabytes. The corpus grows in
# corpus/<target> (only the small seed files are committed); crashes land in
# artifacts/<target>. The time limit per input (60 s) is wall-clock time: at
# the lowest priority beside a build, a 2 ms input was once starved past 10 s
# and reported as a hang, which ended the campaign; 60 s still catches a real
# one (no input of 64 KiB takes a second). Each finding becomes a regression test in the normal
# test suites (finsam-core/tests/fuzz_regressions.rs). Needs a nightly
# toolchain and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-900}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(personnummer contract_csv flat_extract arrow_batches state_json disclosure)
fi
CARGO_BUILD_JOBS=1 nice -n 19 cargo +nightly fuzz build
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target"
    echo "== $target (${seconds}s or 10M executions)"
    nice -n 19 cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -runs=10000000 -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -timeout=60 -print_final_stats=1 2>&1 | tee "fuzz/$target.log" | grep -E "^#[0-9]+.*(DONE|pulse)|Done|stat::|SUMMARY|ERROR" || true
done

#!/usr/bin/env bash
# Runs a libFuzzer binary for a fixed time, seeded from manifests/ and the typo fixtures.
# Usage: scripts/run-fuzzer.sh FUZZER SECONDS
set -euo pipefail
fuzzer=$1
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$root/fuzz/corpus-work
mkdir -p "$corpus" "$root/fuzz/crashes"
cp -n "$root"/manifests/*.yml "$root"/tests/fixtures/tutorial-typos/*.yml "$corpus"/ 2>/dev/null || true
"$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$root/fuzz/crashes/" -print_final_stats=1 2>&1 | tee "$root/fuzz/last-run.log" \
  | grep -E '^(#[0-9]+ +(DONE|pulse|NEW)|stat::|==[0-9]+==|SUMMARY)' | tail -n 25

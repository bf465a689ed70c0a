#!/bin/bash
# Throughput of `generate --format log-analytics` (issue 19's target: >= 500k records/s on
# the loadtest preset). Prints the rows written, the wall time (tenant and logs generation
# included) and the rate. Usage: bash bench/log_analytics.sh [preset]   (default loadtest)
set -euo pipefail
P=${1:-loadtest}
BIN=./target/release/entrasim
[ -x "$BIN" ] || cargo build --release
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
start=$(date +%s.%N)
"$BIN" generate --preset "$P" --format log-analytics --out "$OUT" --clock fixed:2026-06-01T12:00:00Z
end=$(date +%s.%N)
rows=$(cat "$OUT"/*.json | grep -vc '"columns"' || true)
secs=$(echo "$end - $start" | bc)
echo "$P: $rows rows in $secs s: $(echo "$rows / $secs" | bc) records/s ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"

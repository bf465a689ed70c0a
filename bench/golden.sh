#!/usr/bin/env bash
# Rewrites the golden hashes in tests/golden after a deliberate change to generation.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
BIN=./target/debug/entrasim
$BIN tenant --json --seed 7 --clock fixed:2026-06-01T12:00:00Z | sha256sum | cut -d' ' -f1 > tests/golden/tenant-seed-7.sha256
OUT=$(mktemp -d)
$BIN generate --out "$OUT" --seed 7 --preset small --clock fixed:2026-06-01T12:00:00Z --api-version beta
for log in signIns directoryAudits provisioning; do echo "$log $(sha256sum "$OUT/$log.ndjson" | cut -d' ' -f1)"; done > tests/golden/generate-seed-7-small.sha256
rm -rf "$OUT"
cat tests/golden/*.sha256

#!/usr/bin/env bash
# Soak: CLIENTS concurrent clients page the sign-ins for DURATION seconds while the clock
# moves a minute per second; prints per-minute requests, errors, p50/p99 and server memory.
#   bash bench/soak.sh            # CLIENTS=20 DURATION=600 PRESET=default
# (Bash's own $SECONDS is a timer, so the duration is DURATION.)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-20}; DURATION=${DURATION:-600}; PRESET=${PRESET:-default}
cargo build --release --quiet --example soak
cargo build --release --quiet
LOG=$(mktemp); trap 'kill $(jobs -p) 2>/dev/null; rm -f "$LOG"' EXIT
./target/release/entrasim --port 0 --preset "$PRESET" --throttle off --clock fixed:2026-06-01T12:00:00Z > "$LOG" 2>&1 &
PID=$!
until grep -q listening "$LOG"; do sleep 0.1; done
ADDR=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -1)
echo "# $(date -u +%FT%TZ) preset=$PRESET clients=$CLIENTS duration=${DURATION}s"
./target/release/examples/soak "$ADDR" "$PID" "$CLIENTS" "$DURATION"
echo "# verdicts: $(curl -s "$ADDR/_entrasim/clients")"

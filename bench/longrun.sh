#!/usr/bin/env bash
# Long run: the clock at SPEED simulated seconds per second for SECONDS wall seconds,
# polled every second so each new hour is generated; prints resident memory over time.
# Defaults: 150 days of simulated time in 150 s (SPEED=86400).
set -euo pipefail
cd "$(dirname "$0")/.."
SPEED=${SPEED:-86400}; SECONDS_=${SECONDS:-150}; PRESET=${PRESET:-default}
cargo build --release --quiet
LOG=$(mktemp); trap 'kill $(jobs -p) 2>/dev/null; rm -f "$LOG"' EXIT
./target/release/entrasim --port 0 --preset "$PRESET" --throttle off --clock-speed "$SPEED" > "$LOG" 2>&1 &
PID=$!
until grep -q listening "$LOG"; do sleep 0.1; done
ADDR=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -1)
echo "wall_s  simulated_now  records  rss_kb"
for i in $(seq 0 "$SECONDS_"); do
  HEALTH=$(curl -s "$ADDR/_entrasim/health")
  if (( i % 15 == 0 )); then
    echo "$i  $(echo "$HEALTH" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["now"][:19], d["records"])')  $(grep VmRSS /proc/$PID/status | tr -s ' ' | cut -d' ' -f2)"
  fi
  sleep 1
done

#!/usr/bin/env bash
# Long run: the clock runs at SPEED simulated seconds per wall second for DURATION wall
# seconds, polled every second so the server generates each hour as the clock reaches it
# and drops hours that left retention. Then nothing polls for PAUSE wall seconds, and one
# poll makes the server catch up on the whole gap at once. Every STEP seconds it prints
# the simulated time, the records held, resident memory (VmRSS) and its peak so far (VmHWM).
#
#   bash bench/longrun.sh                            # SPEED=86400 DURATION=150: 150 days (~5 months) in 150 s
#   SPEED=3600 DURATION=3600 bash bench/longrun.sh   # literal speed 3600: 150 days in one hour
#   SPEED=3600 DURATION=86400 bash bench/longrun.sh  # literal 24-hour run at 3600: 3600 days (~10 years)
#
# (Bash's own $SECONDS is a timer, so the duration is DURATION.)
set -euo pipefail
cd "$(dirname "$0")/.."
SPEED=${SPEED:-86400}; DURATION=${DURATION:-150}; PAUSE=${PAUSE:-60}; PRESET=${PRESET:-default}
STEP=${STEP:-$(( DURATION / 10 > 0 ? DURATION / 10 : 1 ))}
cargo build --release --quiet
LOG=$(mktemp); trap 'kill $(jobs -p) 2>/dev/null; rm -f "$LOG"' EXIT
./target/release/entrasim --port 0 --preset "$PRESET" --throttle off --clock-speed "$SPEED" > "$LOG" 2>&1 &
PID=$!
until grep -q listening "$LOG"; do sleep 0.1; done
ADDR=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -1)
mem() { awk '/^VmRSS/ {rss=$2} /^VmHWM/ {hwm=$2} END {printf "%s %s", rss, hwm}' "/proc/$PID/status"; }
row() {
  local health; health=$(curl -s "$ADDR/_entrasim/health")
  printf '%-7s %-8s %s  %s\n' "$1" "$2" \
    "$(echo "$health" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["now"][:19], d["records"])')" "$(mem)"
}
echo "# $(date -u +%FT%TZ) preset=$PRESET speed=$SPEED duration=${DURATION}s pause=${PAUSE}s"
echo "phase   wall_s   simulated_now        records  rss_kb hwm_kb"
row start 0
for i in $(seq 1 "$DURATION"); do
  sleep 1
  if (( i % STEP == 0 )); then row run "$i"; else curl -s -o /dev/null "$ADDR/_entrasim/health"; fi
done
sleep "$PAUSE"
START=$(date +%s.%N)
row catchup "$((DURATION + PAUSE))"
echo "# catch-up after ${PAUSE}s without polls took $(echo "$(date +%s.%N) - $START" | bc) s (including the health call)"

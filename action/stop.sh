#!/usr/bin/env bash
# Stops what action/start.sh started (SIGTERM, then SIGKILL after 10 s) and leaves its log at
# $RUNNER_TEMP/entrasim/entrasim.log. Safe to run twice, or when nothing was started.
set -uo pipefail
STATE="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/entrasim"
[ -f "$STATE/stop.env" ] || { echo "entrasim action: nothing to stop"; exit 0; }
PID="" CONTAINER=""
# shellcheck source=/dev/null
. "$STATE/stop.env"
if [ -n "$CONTAINER" ]; then
  docker logs "$CONTAINER" > "$STATE/entrasim.log" 2>&1
  docker rm -f "$CONTAINER" > /dev/null
elif [ -n "$PID" ]; then
  kill "$PID" 2> /dev/null
  for _ in $(seq 1 100); do kill -0 "$PID" 2> /dev/null || break; sleep 0.1; done
  kill -9 "$PID" 2> /dev/null
fi
rm -f "$STATE/stop.env"
echo "entrasim stopped; log: $STATE/entrasim.log"

#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus` package, installed here when missing) scrapes entrasim's
# GET /metrics every second; after a walk of the sign-ins, a query of Prometheus's HTTP API must return
# the request counter equal to the walk's request count (tools/prometheus_walk.py), and
# `promtool check metrics` must pass on the /metrics text. Both processes listen on free loopback ports
# and are stopped at the end; the config and TSDB live in a temporary directory.
# Usage: tests/clients/prometheus.sh BINARY PYTHON   (tests/clients/run.sh calls it; exit 0 = pass)
set -uo pipefail
BIN="$1" PY="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/entrasim-prometheus.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v prometheus > /dev/null || ! command -v promtool > /dev/null; then
  echo "installing Debian's prometheus package"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) \
    > "$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; echo "could not install prometheus"; exit 1; }
fi
prometheus --version 2>&1 | head -1

"$BIN" --host 127.0.0.1 --port 0 --preset small --seed 42 --clock fixed:2026-06-01T12:00:00Z --throttle off \
  --data-dir "$WORK/data" > "$WORK/entrasim.out" 2> "$WORK/entrasim.err" &
PIDS+=($!)
URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's|^entrasim listening on \(http://.*\)$|\1|p' "$WORK/entrasim.out" | head -1)"
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "entrasim did not start:"; cat "$WORK/entrasim.err"; exit 1; }

PROM_PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: entrasim
    static_configs:
      - targets: ["${URL#http://}"]
YAML
promtool check config "$WORK/prometheus.yml" > /dev/null || exit 1
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)

RC=0
"$PY" "$HERE/tools/prometheus_walk.py" "$URL" "http://127.0.0.1:$PROM_PORT" || { RC=1; tail -20 "$WORK/prometheus.log"; }
curl -sf "$URL/metrics" > "$WORK/metrics.txt" || RC=1
if promtool check metrics < "$WORK/metrics.txt"; then
  echo "promtool check metrics: ok ($(grep -c '^# TYPE' "$WORK/metrics.txt") families)"
else
  RC=1
fi
exit $RC

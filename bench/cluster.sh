#!/usr/bin/env bash
# Scaling out: full-page throughput of three replicas sharing their state in Redis behind nginx
# round-robin, against one process on the same machine; and the latency the shared state adds to each
# request (p50/p99 of a one-record page, one connection, one --state replica against a plain process).
#   bash bench/cluster.sh          # PRESET=default DURATION=15 PAGES=20 CONNECTIONS=8
# Needs redis-server, nginx and wrk (Debian packages). Everything runs on loopback on free ports and is
# stopped at the end. On a machine with few cores the replicas compete with wrk and nginx for them: the
# cluster figure then shows the cost of the extra hops, not the gain of more cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-default}; DURATION=${DURATION:-15}; PAGES=${PAGES:-20}; CONNECTIONS=${CONNECTIONS:-8}
export PATH="$PATH:/usr/sbin"
for tool in redis-server nginx wrk; do command -v "$tool" > /dev/null || { echo "$tool is missing (apt-get install redis-server nginx wrk)"; exit 1; }; done
BIN=${ENTRASIM_BIN:-./target/release/entrasim}
[ -n "${ENTRASIM_BIN:-}" ] || cargo build --release --quiet
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
FLAGS=(--preset "$PRESET" --throttle off --latency off --clock fixed:2026-06-01T12:00:00Z --port 0)

REDIS_PORT=$(port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" > "$WORK/redis.log" 2>&1 &
PIDS+=($!)
until redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1; do sleep 0.1; done
start() {  # start NAME FLAGS...: prints the listener's host:port
  local name=$1; shift
  "$BIN" "$@" > "$WORK/$name.log" 2> "$WORK/$name.err" &
  PIDS+=($!)
  until grep -q listening "$WORK/$name.log"; do sleep 0.1; done
  grep -o '127.0.0.1:[0-9]*' "$WORK/$name.log" | head -1
}
SINGLE=$(start single "${FLAGS[@]}")
REPLICAS=()
for n in 1 2 3; do REPLICAS+=("$(start "replica$n" "${FLAGS[@]}" --state "redis://127.0.0.1:$REDIS_PORT/0")"); done
curl -s -o /dev/null "http://${REPLICAS[0]}/_entrasim/health"

NGINX_PORT=$(port)
cat > "$WORK/nginx.conf" <<NGINX
user root; worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 1024; }
http { access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;
  uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream replicas { $(printf 'server %s; ' "${REPLICAS[@]}") keepalive 32; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://replicas; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header Host \$http_host; proxy_buffering on; } } }
NGINX
chmod -R a+rX "$WORK"
nginx -c "$WORK/nginx.conf"

# The pages of one walk (1000 sign-ins each); replicas with the same seed and clock serve the same tokens.
NEXT="http://$SINGLE/beta/auditLogs/signIns?\$top=1000"
: > "$WORK/urls.txt"
for i in $(seq 1 "$PAGES"); do
  echo "$NEXT" >> "$WORK/urls.txt"
  NEXT=$(curl -s "$NEXT" | python3 -c "import json,sys; print(json.load(sys.stdin).get('@odata.nextLink',''))")
  [ -n "$NEXT" ] || break
done
cat > "$WORK/cycle.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("URLS_FILE")) do paths[#paths + 1] = line:gsub("^https?://[^/]+", "") end
local i = 0
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA
echo "/v1.0/auditLogs/signIns?\$top=1" > "$WORK/small.txt"
run() {  # run NAME URL PATHS CONNECTIONS
  URLS_FILE=$3 wrk -t1 -c"$4" -d"${DURATION}s" --latency -s "$WORK/cycle.lua" "$2" > "$WORK/$1.txt"
  echo "$1: $(grep -E 'Requests/sec' "$WORK/$1.txt")"
}
echo "# $(date -u +%FT%TZ) preset=$PRESET duration=${DURATION}s connections=$CONNECTIONS cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
run single "http://$SINGLE" "$WORK/urls.txt" "$CONNECTIONS"
run cluster "http://127.0.0.1:$NGINX_PORT" "$WORK/urls.txt" "$CONNECTIONS"
run small-single "http://$SINGLE" "$WORK/small.txt" 1
run small-shared "http://${REPLICAS[0]}" "$WORK/small.txt" 1
python3 - "$WORK" <<'PY'
import re, sys
work = sys.argv[1]
def figures(name):
    text = open(f"{work}/{name}.txt").read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = {}
    for q, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", text, re.M):
        lat[q] = float(value) * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]
    return rate, lat
single, cluster = figures("single"), figures("cluster")
print(f"full pages (1000 sign-ins): one process {single[0]:.0f}/s, three replicas behind nginx {cluster[0]:.0f}/s "
      f"(x{cluster[0] / single[0]:.2f})")
plain, shared = figures("small-single")[1], figures("small-shared")[1]
for q in ("50", "99"):
    print(f"p{q} of a one-record page: plain {plain[q]:.2f} ms, --state {shared[q]:.2f} ms, added {shared[q] - plain[q]:.2f} ms")
PY

#!/usr/bin/env bash
# Full-page throughput of entrasim against nginx serving the identical bytes from disk.
# Starts entrasim (--throttle off --latency off, loadtest preset unless PRESET is set),
# saves N pages of 1000 sign-ins, serves them with nginx on loopback, and drives both
# with wrk for DURATION seconds. Prints both figures and their ratio.
#   bash bench/serve.sh            # PRESET=loadtest DURATION=20 PAGES=20
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-loadtest}; DURATION=${DURATION:-20}; PAGES=${PAGES:-20}; CONNECTIONS=${CONNECTIONS:-8}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null || apt-get install -y -qq nginx >/dev/null
cargo build --release --quiet
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT
./target/release/entrasim --port 0 --preset "$PRESET" --throttle off --latency off --clock fixed:2026-06-01T12:00:00Z > "$WORK/server.log" 2>&1 &
until grep -q listening "$WORK/server.log"; do sleep 0.1; done
ADDR=$(grep -o '127.0.0.1:[0-9]*' "$WORK/server.log" | head -1)
mkdir -p "$WORK/www"; URLS=()
NEXT="http://$ADDR/beta/auditLogs/signIns?\$top=1000&\$filter=signInEventTypes/any(t:t%20ne%20'interactiveUser')"
for i in $(seq 1 "$PAGES"); do
  curl -s "$NEXT" -o "$WORK/www/page$i.json"
  URLS+=("$NEXT")
  NEXT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('@odata.nextLink',''))" "$WORK/www/page$i.json")
  [ -n "$NEXT" ] || break
done
BYTES=$(cat "$WORK"/www/page*.json | wc -c); COUNT=$(ls "$WORK"/www | wc -l)
echo "pages: $COUNT, average $((BYTES / COUNT)) bytes"
# wrk script: cycle through the saved page URLs (entrasim) or files (nginx).
printf '%s\n' "${URLS[@]}" > "$WORK/urls.txt"
cat > "$WORK/cycle.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("URLS_FILE")) do paths[#paths + 1] = line:gsub("^https?://[^/]+", "") end
local i = 0
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA
seq 1 "$COUNT" | sed 's#^#/page#; s#$#.json#' > "$WORK/files.txt"
cat > "$WORK/nginx.conf" <<NGINX
user root; worker_processes 2; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; default_type application/json;
  server { listen 127.0.0.1:18099; root $WORK/www; } }
NGINX
chmod -R a+rX "$WORK"
nginx -c "$WORK/nginx.conf"
run() { URLS_FILE=$2 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/cycle.lua" "$1" | tee "$WORK/$3.txt" | grep -E "Requests/sec|Transfer/sec|99%" ; }
echo "== entrasim ($PRESET preset, 1000 beta sign-ins per page)"; run "http://$ADDR" "$WORK/urls.txt" entrasim
echo "== nginx (same bytes from disk)"; run "http://127.0.0.1:18099" "$WORK/files.txt" nginx
python3 - "$WORK" "$BYTES" "$COUNT" <<'PY'
import re, sys
work, size = sys.argv[1], int(sys.argv[2]) / int(sys.argv[3])
rate = {n: float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{work}/{n}.txt").read()).group(1)) for n in ("entrasim", "nginx")}
for n, r in rate.items():
    print(f"{n}: {r:.0f} pages/s = {r * size / 1e6:.0f} MB/s of response body")
print(f"ratio entrasim/nginx: {rate['entrasim'] / rate['nginx']:.2f}")
PY

#!/usr/bin/env bash
# Starts entrasim for the GitHub Action (action.yml) and hands later steps what they need.
#
# A plain script: the Action runs it, and tests/clients/python/test_action.py runs it the same way with
# GITHUB_ENV pointing at a temporary file. Inputs (environment; empty means the binary's default):
#   ENTRASIM_BIN       the binary to run (the Action's install step sets it), or
#   ENTRASIM_IMAGE     a container image to `docker run` instead (Linux runners with Docker)
#   INPUT_SEED, INPUT_CLOCK, INPUT_PRESET    --seed, --clock, --preset
#   INPUT_PORT         the HTTP port (default 8400; 0 picks a free one, binary only)
#   INPUT_HTTPS_PORT   the HTTPS port (default 8443; 0 picks a free one, binary only)
#   INPUT_ARGS         more flags, split on whitespace (e.g. "--throttle off --auth strict")
#   INPUT_CLIENT       the tenant's client whose id and secret are exported (default entrasim-audit-reader)
#   INPUT_TIMEOUT      seconds to wait for the readiness lines and health (default 120)
#   GITHUB_ENV         the file later steps read their environment from (required)
#   GITHUB_OUTPUT      the step's outputs file (optional)
#   RUNNER_TEMP        where the log, data directory and CA files go ($RUNNER_TEMP/entrasim)
# Exports ENTRASIM_URL, ENTRASIM_HTTPS_URL, ENTRASIM_TENANT_ID, ENTRASIM_CLIENT_ID,
# ENTRASIM_CLIENT_SECRET, ENTRASIM_CA_FILE, ENTRASIM_LOG, SSL_CERT_FILE and REQUESTS_CA_BUNDLE (the system
# roots plus entrasim's CA) and NODE_EXTRA_CA_CERTS (entrasim's CA alone). action/stop.sh stops it.
set -euo pipefail

: "${GITHUB_ENV:?GITHUB_ENV must name the file later steps read their environment from}"
STATE="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/entrasim"
LOG="$STATE/entrasim.log"
PORT="${INPUT_PORT:-8400}"
HTTPS_PORT="${INPUT_HTTPS_PORT:-8443}"
CLIENT="${INPUT_CLIENT:-entrasim-audit-reader}"
TIMEOUT="${INPUT_TIMEOUT:-120}"
mkdir -p "$STATE/data"
: > "$LOG"

fail() { echo "entrasim action: $*" >&2; echo "--- $LOG"; tail -50 "$LOG" >&2; exit 1; }

FLAGS=()
[ -n "${INPUT_SEED:-}" ] && FLAGS+=(--seed "$INPUT_SEED")
[ -n "${INPUT_CLOCK:-}" ] && FLAGS+=(--clock "$INPUT_CLOCK")
[ -n "${INPUT_PRESET:-}" ] && FLAGS+=(--preset "$INPUT_PRESET")
read -r -a EXTRA <<< "${INPUT_ARGS:-}"
FLAGS+=(${EXTRA[@]+"${EXTRA[@]}"})  # (the +-form: bash 3.2 on macOS, set -u)

# The URL a readiness line names: `entrasim listening on http://127.0.0.1:8400`.
listening() { sed -n "s|^entrasim listening on \\($1://[^ ]*\\)\$|\\1|p" "$LOG" | head -1; }

if [ -n "${ENTRASIM_IMAGE:-}" ]; then
  # The image listens on 0.0.0.0:8400/8443 inside; published on the runner's loopback only.
  NAME="entrasim-$$"
  docker run -d --name "$NAME" -p "127.0.0.1:$PORT:8400" -p "127.0.0.1:$HTTPS_PORT:8443" \
    "$ENTRASIM_IMAGE" ${FLAGS[@]+"${FLAGS[@]}"} > /dev/null || fail "docker run $ENTRASIM_IMAGE failed"
  printf 'CONTAINER=%s\n' "$NAME" > "$STATE/stop.env"
  URL="http://127.0.0.1:$PORT" HTTPS_URL="https://127.0.0.1:$HTTPS_PORT"
  for _ in $(seq 1 $((TIMEOUT * 5))); do
    docker logs "$NAME" > "$LOG" 2>&1 || true
    grep -q '^entrasim listening on https://' "$LOG" && break
    [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container exited"
    sleep 0.2
  done
  docker exec "$NAME" /entrasim health --url http://127.0.0.1:8400 || fail "not healthy"
else
  : "${ENTRASIM_BIN:?set ENTRASIM_BIN (a binary) or ENTRASIM_IMAGE (a container image)}"
  nohup "$ENTRASIM_BIN" --host 127.0.0.1 --port "$PORT" --https-port "$HTTPS_PORT" \
    --data-dir "$STATE/data" ${FLAGS[@]+"${FLAGS[@]}"} >> "$LOG" 2>&1 < /dev/null &
  PID=$!
  printf 'PID=%s\n' "$PID" > "$STATE/stop.env"
  URL="" HTTPS_URL=""
  for _ in $(seq 1 $((TIMEOUT * 5))); do
    URL="$(listening http)" HTTPS_URL="$(listening https)"
    [ -n "$HTTPS_URL" ] && break
    kill -0 "$PID" 2> /dev/null || fail "entrasim exited"
    sleep 0.2
  done
  "$ENTRASIM_BIN" health --url "$URL" || fail "not healthy"
fi
[ -n "$URL" ] && [ -n "$HTTPS_URL" ] || fail "no readiness lines after $TIMEOUT s"

# The CA from the control surface; the bundle is the system roots followed by it.
CA="$STATE/ca.pem" BUNDLE="$STATE/ca-bundle.pem"
curl -fsS "$URL/_entrasim/ca.pem" -o "$CA" || fail "GET /_entrasim/ca.pem failed"
: > "$BUNDLE"
for roots in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
  if [ -n "$roots" ] && [ -f "$roots" ]; then cat "$roots" > "$BUNDLE"; echo >> "$BUNDLE"; break; fi
done
cat "$CA" >> "$BUNDLE"

# The tenant id and the client's credentials, from GET /_entrasim/tenant.
read -r TENANT_ID CLIENT_ID CLIENT_SECRET < <(curl -fsS "$URL/_entrasim/tenant" | python3 -c '
import json, sys
t = json.load(sys.stdin)
c = [c for c in t["clients"] if c["name"] == sys.argv[1]]
if not c:
    sys.exit("no client named %s; the tenant has: %s" % (sys.argv[1], ", ".join(c["name"] for c in t["clients"])))
print(t["tenantId"], c[0]["clientId"], c[0]["clientSecret"])' "$CLIENT") || fail "GET /_entrasim/tenant failed"
echo "::add-mask::$CLIENT_SECRET"

{
  echo "ENTRASIM_URL=$URL"
  echo "ENTRASIM_HTTPS_URL=$HTTPS_URL"
  echo "ENTRASIM_TENANT_ID=$TENANT_ID"
  echo "ENTRASIM_CLIENT_ID=$CLIENT_ID"
  echo "ENTRASIM_CLIENT_SECRET=$CLIENT_SECRET"
  echo "ENTRASIM_CA_FILE=$CA"
  echo "ENTRASIM_LOG=$LOG"
  echo "SSL_CERT_FILE=$BUNDLE"
  echo "REQUESTS_CA_BUNDLE=$BUNDLE"
  echo "NODE_EXTRA_CA_CERTS=$CA"
} >> "$GITHUB_ENV"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "url=$URL"
    echo "https-url=$HTTPS_URL"
    echo "tenant-id=$TENANT_ID"
    echo "client-id=$CLIENT_ID"
    echo "client-secret=$CLIENT_SECRET"
  } >> "$GITHUB_OUTPUT"
fi
echo "entrasim ready: $URL and $HTTPS_URL (tenant $TENANT_ID, client $CLIENT)"

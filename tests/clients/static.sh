#!/usr/bin/env bash
# The container image needs nothing but the binary: a static build (musl in the Dockerfile; here, where
# the musl target cannot be installed, glibc with `-C target-feature=+crt-static`) runs from an empty root
# filesystem (a chroot holding only /entrasim and /data, as the scratch image does), as the image's user
# (65532) with the image's environment (the Dockerfile's ENV lines; host and ports overridden to a free
# loopback port). Inside the chroot: the server, `entrasim health` and `entrasim ca`; outside, one Graph
# request over HTTPS trusting the CA served at /_entrasim/ca.pem.
# Usage: tests/clients/static.sh BINARY   (tests/clients/run.sh calls it; exit 0 = pass, 2 = skipped)
# When BINARY is not static, tests/clients/build-static.sh builds the static one (target/HOST/release/): a
# second release build, ~8 min on 2 cores when nothing is cached. CI's suite binary is already static.
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# chroot needs root: as root (this project's CI), or through passwordless sudo (GitHub's runners).
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2> /dev/null || { echo "skipped: chroot needs root or passwordless sudo"; exit 2; }
  SUDO=sudo
fi

is_static() { ! readelf -lW "$1" 2> /dev/null | grep -q 'INTERP' && ! readelf -dW "$1" | grep -q '(NEEDED)'; }
if ! is_static "$BIN"; then
  echo "the suite's binary is dynamically linked: cargo build of the static one (a no-op when it is fresh)"
  T0=$SECONDS
  BIN="$(bash "$ROOT/tests/clients/build-static.sh")" || exit 1
  echo "static build: $((SECONDS - T0)) s"
fi
is_static "$BIN" || { echo "$BIN is not static:"; readelf -dW "$BIN" | grep NEEDED; exit 1; }
file -b "$BIN" | grep -o "static[-a-z]* linked"

# The scratch image is the binary: stripped (as the Dockerfile builds it), it must stay under 25 MB.
STRIPPED="$(mktemp)"
strip -o "$STRIPPED" "$BIN" && SIZE=$(stat -c %s "$STRIPPED") && rm -f "$STRIPPED"
echo "stripped binary (the image's size): $((SIZE / 1048576)) MB"
[ "$SIZE" -lt $((25 * 1048576)) ] || { echo "over the 25 MB image target"; exit 1; }

JAIL="$(mktemp -d "${TMPDIR:-/tmp}/entrasim-chroot.XXXXXX")"
PID=""
cleanup() {
  [ -n "$PID" ] && $SUDO kill "$PID" 2> /dev/null && wait "$PID" 2> /dev/null
  $SUDO rm -rf "$JAIL"
}
trap cleanup EXIT
cp "$BIN" "$JAIL/entrasim"
mkdir "$JAIL/data" && $SUDO chown 65532:65532 "$JAIL/data" && chmod 755 "$JAIL"
echo "root filesystem: $(cd "$JAIL" && find . -mindepth 1 | sort | tr '\n' ' ')"

# The image's environment, read from the Dockerfile (ENV KEY=VALUE \ ... lines).
mapfile -t IMAGE_ENV < <(sed -n '/^ENV /,/[^\\]$/p' "$ROOT/Dockerfile" | grep -o 'ENTRASIM_[A-Z_]*=[^ \\]*')
echo "image environment: ${IMAGE_ENV[*]}"
CHROOT="$(command -v chroot)"
in_jail() { $SUDO env -i "${IMAGE_ENV[@]}" ENTRASIM_HOST=127.0.0.1 ENTRASIM_PORT=0 ENTRASIM_HTTPS_PORT=0 \
  "$CHROOT" --userspec=65532:65532 "$JAIL" /entrasim "$@"; }

OUT="$(mktemp)" ERR="$(mktemp)"
trap 'cleanup; rm -f "$OUT" "$ERR"' EXIT
in_jail --preset small --seed 42 --clock fixed:2026-06-01T12:00:00Z > "$OUT" 2> "$ERR" &
PID=$!
HTTP="" HTTPS=""
for _ in $(seq 1 600); do
  HTTP="$(sed -n 's|^entrasim listening on \(http://.*\)$|\1|p' "$OUT")"
  HTTPS="$(sed -n 's|^entrasim listening on \(https://.*\)$|\1|p' "$OUT")"
  [ -n "$HTTPS" ] && break
  $SUDO kill -0 "$PID" 2> /dev/null || break
  sleep 0.1
done
[ -n "$HTTPS" ] || { echo "entrasim did not start in the chroot:"; cat "$ERR"; exit 1; }

RC=0
in_jail health --url "$HTTP" || RC=1
CA_PATH="$(in_jail ca | head -1)" || RC=1
[ "$CA_PATH" = /data/ca.pem ] || { echo "entrasim ca printed $CA_PATH, not /data/ca.pem"; RC=1; }
curl -sf "$HTTP/_entrasim/ca.pem" -o "$JAIL/served-ca.pem" || RC=1
$SUDO cmp -s "$JAIL/served-ca.pem" "$JAIL/data/ca.pem" || { echo "GET /_entrasim/ca.pem differs from /data/ca.pem"; RC=1; }
STATUS="$(curl -s --cacert "$JAIL/served-ca.pem" -o "$JAIL/page.json" -w '%{http_code}' "$HTTPS/v1.0/auditLogs/signIns?\$top=3")"
RECORDS="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["value"]))' "$JAIL/page.json" 2> /dev/null)"
echo "GET $HTTPS/v1.0/auditLogs/signIns?\$top=3 (CA from /_entrasim/ca.pem): $STATUS, ${RECORDS:-no} records"
[ "$STATUS" = 200 ] && [ "$RECORDS" = 3 ] || RC=1
[ $RC -eq 0 ] || { echo "--- entrasim stderr"; tail -20 "$ERR"; }
exit $RC

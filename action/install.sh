#!/usr/bin/env bash
# Puts an entrasim binary on the runner for action/start.sh: INPUT_BINARY when given, otherwise the
# release asset for this runner (release.yml publishes entrasim-TARGET.tar.gz) of INPUT_VERSION
# (`latest` or a tag) from ACTION_REPOSITORY. Appends ENTRASIM_BIN to $GITHUB_ENV.
set -euo pipefail
: "${GITHUB_ENV:?GITHUB_ENV must name the file later steps read their environment from}"
if [ -n "${INPUT_BINARY:-}" ]; then
  [ -x "$INPUT_BINARY" ] || { echo "entrasim action: $INPUT_BINARY is not an executable" >&2; exit 1; }
  echo "ENTRASIM_BIN=$(cd "$(dirname "$INPUT_BINARY")" && pwd)/$(basename "$INPUT_BINARY")" >> "$GITHUB_ENV"
  exit 0
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) TARGET=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) TARGET=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) TARGET=x86_64-apple-darwin ;;
  Darwin/arm64) TARGET=aarch64-apple-darwin ;;
  *) echo "entrasim action: no prebuilt binary for $(uname -s)/$(uname -m); pass binary: or image:" >&2; exit 1 ;;
esac
REPO="${ACTION_REPOSITORY:?ACTION_REPOSITORY names the repository whose releases to download}"
if [ "${INPUT_VERSION:-latest}" = latest ]; then
  URL="https://github.com/$REPO/releases/latest/download/entrasim-$TARGET.tar.gz"
else
  URL="https://github.com/$REPO/releases/download/$INPUT_VERSION/entrasim-$TARGET.tar.gz"
fi
DIR="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/entrasim/bin"
mkdir -p "$DIR"
curl -fsSL --retry 3 "$URL" | tar -xz -C "$DIR" entrasim
echo "ENTRASIM_BIN=$DIR/entrasim" >> "$GITHUB_ENV"
"$DIR/entrasim" --version || true

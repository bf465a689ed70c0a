#!/usr/bin/env bash
# Installs the pinned Azure CLI (requirements-az.txt) into tests/clients/.venv-az, its own venv
# (azure-cli pins its own azure-* packages, which must not meet the SDKs' in .venv). Idempotent:
# nothing happens when the venv already holds what requirements-az.txt asks for.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$HERE/.venv-az"
STAMP="$VENV/.requirements.sha"
WANT="$(sha256sum "$HERE/requirements-az.txt" | cut -d' ' -f1)"
if [ -x "$VENV/bin/az" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  echo "azure-cli: $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("azure-cli"))') already installed"
  exit 0
fi
T0=$SECONDS
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements-az.txt"
echo "$WANT" > "$STAMP"
echo "azure-cli installed in $((SECONDS - T0)) s"

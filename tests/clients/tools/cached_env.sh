#!/usr/bin/env bash
# Python venvs and node_modules for the client suites, kept in a cache outside the checkout and
# keyed by the hash of what they install, so a fresh clone on a machine that ran the suites
# before (CI runs in a new clone every time) reuses them instead of reinstalling for minutes.
#
#   cached_env.sh venv REQUIREMENTS LINK   a venv with REQUIREMENTS installed; LINK points at it
#   cached_env.sh npm  DIR                 DIR/node_modules from DIR/package-lock.json (npm ci)
#
# The cache is $ENTRASIM_CACHE_DIR, else $XDG_CACHE_HOME/entrasim, else ~/.cache/entrasim.
# A LINK that is a real directory with a matching stamp (a developer's own venv) is kept.
set -euo pipefail
CACHE="${ENTRASIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/entrasim}"
mkdir -p "$CACHE"

# The hash of FILE and the version of the TOOL that installs it.
key() { cat "$1" <("$2" --version 2>&1) | sha256sum | cut -c1-16; }

# Points LINK at TARGET, replacing a stale link or directory.
link() {
  local target="$1" link="$2"
  [ "$(readlink "$link" 2>/dev/null)" = "$target" ] && return 0
  rm -rf "$link"
  ln -s "$target" "$link"
}

venv() {
  local req="$1" link="$2" want dir
  want="$(key "$req" python3)"
  if [ -d "$link" ] && [ ! -L "$link" ] && [ "$(cat "$link/.requirements.key" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  dir="$CACHE/venv-$want"
  if [ "$(cat "$dir/.requirements.key" 2>/dev/null)" != "$want" ]; then
    local t0=$SECONDS
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$dir/.requirements.key"
    echo "installed $(basename "$req") into $dir in $((SECONDS - t0)) s"
  else
    echo "$(basename "$req"): cached venv $dir"
  fi
  link "$dir" "$link"
}

npm_modules() {
  local here="$1" want dir
  want="$(key "$here/package-lock.json" node)"
  dir="$CACHE/npm-$want"
  if [ "$(cat "$dir/.lock.key" 2>/dev/null)" != "$want" ]; then
    local t0=$SECONDS
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$here/package.json" "$here/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/.lock.key"
    echo "npm ci into $dir in $((SECONDS - t0)) s"
  else
    echo "node_modules: cached $dir"
  fi
  link "$dir/node_modules" "$here/node_modules"
}

case "${1:-}" in
  venv) venv "$2" "$3" ;;
  npm) npm_modules "$2" ;;
  *) echo "usage: cached_env.sh venv REQUIREMENTS LINK | npm DIR" >&2; exit 2 ;;
esac

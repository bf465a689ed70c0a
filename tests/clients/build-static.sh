#!/usr/bin/env bash
# Builds the static release binary into target/HOST/release/entrasim: musl where the host is musl,
# otherwise glibc linked statically (`-C target-feature=+crt-static`; the musl target cannot be installed
# on this project's machines). `--target` keeps the flag off build scripts and proc macros, which must
# stay dynamic. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/../.."
HOST="$(rustc -vV | sed -n 's/^host: //p')"
VAR="CARGO_TARGET_$(echo "$HOST" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
export "$VAR=${!VAR:-} -C target-feature=+crt-static"
cargo build --release --locked --target "$HOST" >&2
echo "$PWD/target/$HOST/release/entrasim"

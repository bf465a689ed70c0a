#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust tests, then the real-client suites
# (schemathesis, Microsoft's Python and JavaScript Graph SDKs). Run from the repo root.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --quiet
echo "== real clients"
bash tests/clients/run.sh

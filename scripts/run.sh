#!/usr/bin/env bash
# Sets up and runs Weir's advisor: builds the hydrating wasm client and the
# server (release), then serves http://127.0.0.1:3000 (--port N / WEIR_PORT).
# On first start the server measures the three reference workloads on this
# machine in the background (the pages show a progress bar meanwhile) and
# keeps the reports in ./weir-data (--data-dir DIR / WEIR_DATA_DIR).
# Extra arguments go to weir-server (see `weir-server --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
  echo "error: cargo/rustup are missing. Install Rust with rustup (https://rustup.rs), then rerun." >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "Installing the wasm32-unknown-unknown target (for the browser client)…"
  rustup target add wasm32-unknown-unknown
fi
# Each measurement also runs through a private redis-server on a free
# 127.0.0.1 port (kappa replay, checkpoints, crash recovery); install it when
# missing, or run without it (the reports then say those runs were skipped).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing redis-server (the replayable log for the broker measurements)…"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null || echo "warning: could not install redis-server; broker measurements will be skipped" >&2
  else
    echo "note: redis-server is missing (Debian: sudo apt-get install -y redis-server); broker measurements will be skipped." >&2
  fi
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
echo "Building (release; the first build compiles DataFusion: about 28 minutes on 2 cores)…"
cargo xtask wasm --release
# Both binaries in one build: one feature resolution, DataFusion compiled once.
cargo build --release --locked -p server -p bench-harness
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
echo "Starting weir-server on http://127.0.0.1:${WEIR_PORT:-3000} (Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/release/weir-server" "$@"

#!/usr/bin/env bash
# The advisor's end-to-end browser test: builds the wasm client (cargo xtask
# wasm → target/site/pkg), the server (debug), and runs the e2e crate's test
# in headless Chromium. Installs chromium + chromedriver with apt when they
# are missing and we are root (CI); without chromedriver the test skips
# unless CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is missing. Install Rust with rustup (https://rustup.rs), then rerun." >&2
  exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "== rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if ! command -v chromedriver >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== apt-get install chromium chromium-driver"
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi

echo "== cargo xtask wasm (target dir: $CARGO_TARGET_DIR)"
cargo xtask wasm
# The server binary comes from the same build as the test suite (same
# feature set): `cargo build -p server` alone would unify features
# differently and compile DataFusion a second time (~10 min on 2 cores).
echo "== server binary (the workspace test build)"
cargo test --workspace --locked --exclude weir-e2e --no-run
echo "== e2e browser test"
WEIR_SERVER_BIN="$CARGO_TARGET_DIR/debug/weir-server" cargo test --locked -p weir-e2e -- --nocapture

#!/usr/bin/env bash
# Builds the harness (release) and runs the three reference workloads with
# their default scenarios: reports and charts land in out/<workload>/.
# The web app arrives with issue 3; until then this is Weir's run command.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is missing. Install Rust with rustup (https://rustup.rs), then rerun." >&2
  exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
echo "Building (release; the first build compiles DataFusion and takes a while on 2 cores)…"
cargo build --release --locked -p bench-harness
for w in fraud-alerts daily-report sessionization; do
  "$CARGO_TARGET_DIR/release/bench-harness" run --workload "$w" --out "out/$w" "$@"
done

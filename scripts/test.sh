#!/usr/bin/env bash
# The whole test suite: formatting, every crate's unit and integration tests
# (golden contract for every workload × mode, late data, bad input, CLI), a
# compile check of the benchmarks, the instruction-count regression gate, and
# the advisor's browser end-to-end test in headless Chromium (scripts/e2e.sh). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is missing. Install Rust with rustup (https://rustup.rs), then rerun." >&2
  exit 1
fi
# Keep build artefacts outside the clone so a reused machine builds faster;
# everything still works from an empty cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
# The repository keeps its own copy of ../shared/golden (never edited), so a
# fresh clone tests itself.
export WEIR_GOLDEN_DIR="${WEIR_GOLDEN_DIR:-$(pwd)/tests/golden}"
if [ ! -f "$WEIR_GOLDEN_DIR/expected_alerts.csv" ]; then
  echo "error: golden files not found in $WEIR_GOLDEN_DIR (set WEIR_GOLDEN_DIR)" >&2
  exit 1
fi

# The replayable-log tests start a private redis-server on a free 127.0.0.1
# port (and stop it); install it when missing.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install redis-server"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else
    echo "error: redis-server is missing (Debian: sudo apt-get install -y redis-server); the broker tests need it." >&2
    exit 1
  fi
fi

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo test (target dir: $CARGO_TARGET_DIR)"
# weir-e2e drives the built server in a browser: scripts/e2e.sh runs it below.
cargo test --workspace --locked --exclude weir-e2e
echo "== benches compile"
cargo test --workspace --locked --exclude weir-e2e --benches --no-run
# Performance regression gate (issue 5): instructions executed by the
# engine's hot paths (stream operators, generator), counted by valgrind's
# callgrind on the debug build that `cargo test` just made, against the
# committed bench-harness/icount-baseline.json. Counts repeat exactly, so
# machine load cannot fail it; a >2 % rise (e.g. a quadratic loop) does.
# ~15 s. After a deliberate change: weir-icount record, and commit the file.
echo "== instruction-count regression gate"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "error: valgrind is missing (Debian: apt-get install valgrind); the regression gate needs it." >&2
  exit 1
fi
"$CARGO_TARGET_DIR/debug/weir-icount" check --baseline bench-harness/icount-baseline.json
bash scripts/e2e.sh

#!/usr/bin/env bash
# Times Weir's three modes beside the tools a team would use instead — DuckDB
# (batch SQL), Bytewax (stream), Spark SQL and Structured Streaming, Flink SQL
# — on the same generated CSV inputs, one core each, whole process (CSV
# parsing included), in one run: rounds of every command in turn, medians of
# wall time and peak RSS, and per-round ratios. Also checks that every tool's
# output files equal Weir's byte for byte.
#
#   bash scripts/bench-peers.sh [--runs N] [--jvm-runs N] [--events N]
#                               [--workloads a,b] [--peers duckdb,bytewax,spark,flink]
#
# The peers are measurement tools, not dependencies: their scripts come from
# WEIR_PEERS_DIR (default ../shared/peers) and run in one venv each under
# ~/.cache/weir-peers/<tool> (install steps: the peers' README). A missing
# peer is skipped with a note. Inputs and outputs go to WEIR_BENCH_DIR
# (default ~/.cache/weir/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
export WEIR_PEERS_DIR="${WEIR_PEERS_DIR:-$(cd .. && pwd)/shared/peers}"
export WEIR_BENCH_DIR="${WEIR_BENCH_DIR:-$HOME/.cache/weir/bench}"
if [ ! -f "$WEIR_PEERS_DIR/duckdb_run.py" ]; then
  echo "error: peer scripts not found in $WEIR_PEERS_DIR (set WEIR_PEERS_DIR)" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  echo "error: /usr/bin/time is missing (Debian: apt-get install time)" >&2
  exit 1
fi
echo "== release build (the same one scripts/run.sh makes)"
cargo build --release --locked -p server -p bench-harness
exec python3 scripts/bench_peers.py --harness "$CARGO_TARGET_DIR/release/bench-harness" "$@"

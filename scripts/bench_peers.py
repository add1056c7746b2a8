#!/usr/bin/env python3
"""Weir's modes beside the peers, one run (see scripts/bench-peers.sh, which builds and calls this).

Every command is a whole process timed by /usr/bin/time (wall seconds, peak RSS of the process;
for PySpark/PyFlink the JVM child is counted through the RSS of the largest process only, so their
memory is a lower bound). Rounds run every command once in turn, so the machine's drift hits all
alike; ratios are taken round by round and their median is quoted.
"""
import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

WORKLOADS = {
    # input name: (workload, generate arguments, output files). The default
    # fraud load has a few very busy cards (Zipf 1.1 over 20,000 cards), which
    # makes a correlated EXISTS quadratic; the uniform one has none.
    "fraud-alerts": ("fraud-alerts", ["--events", "500000"], ["alerts.csv"]),
    "fraud-uniform": ("fraud-alerts", ["--events", "500000", "--keys", "100000", "--key-skew", "0"],
                      ["alerts.csv"]),
    "daily-report": ("daily-report", ["--events", "500000", "--duration", "3d"],
                     ["daily_sales.csv", "daily_top_products.csv"]),
    "sessionization": ("sessionization", ["--events", "500000", "--duration", "27h"], ["sessions.csv"]),
}
PEERS = ["duckdb", "bytewax", "spark", "flink"]
SPARK_CHUNKS = 100
# (numerator, denominator) pairs quoted as ratios.
RATIOS = [
    ("weir batch", "duckdb"),
    ("weir stream", "duckdb"),
    ("weir stream", "bytewax"),
    ("weir batch", "spark batch"),
    (f"weir micro-batch ({SPARK_CHUNKS} triggers)", f"spark streaming ({SPARK_CHUNKS} triggers)"),
    ("weir stream", "flink sql"),
    ("weir micro-batch", "weir batch"),
]


def arrival_span_ms(path):
    """Event-time span of a CSV whose last column is event_time (arrival = running maximum)."""
    lo = hi = None
    with open(path) as f:
        next(f)
        for line in f:
            t = int(line.rsplit(",", 1)[1])
            lo = t if lo is None or t < lo else lo
            hi = t if hi is None or t > hi else hi
    return hi - lo + 1


def timed(cmd, out_dir, log):
    """Runs cmd under /usr/bin/time; returns (wall s, peak RSS MiB, exit code)."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd
        with open(log, "ab") as lf:
            rc = subprocess.call(full, stdout=lf, stderr=lf, env=dict(os.environ, OMP_NUM_THREADS="1"))
        parts = tf.read().split()
    wall, rss_kb = float(parts[-2]), int(parts[-1])
    return wall, rss_kb / 1024.0, rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--harness", required=True)
    ap.add_argument("--runs", type=int, default=3, help="rounds for Weir, DuckDB and Bytewax")
    ap.add_argument("--jvm-runs", type=int, default=1, help="rounds that include Spark and Flink")
    ap.add_argument("--events", type=int, default=None, help="events per input (default 500000)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--peers", default=",".join(PEERS))
    a = ap.parse_args()
    peers_dir = os.environ["WEIR_PEERS_DIR"]
    bench = os.environ["WEIR_BENCH_DIR"]
    venvs = os.path.expanduser("~/.cache/weir-peers")
    os.makedirs(bench, exist_ok=True)
    log = os.path.join(bench, "bench.log")
    open(log, "w").close()
    wanted = [p for p in a.peers.split(",") if p]
    have = {}
    for p in wanted:
        py = os.path.join(venvs, p, "bin", "python")
        if os.access(py, os.X_OK):
            have[p] = py
        else:
            print(f"note: {p} is not installed ({py} missing): skipped; see {peers_dir}/README.md")
    results = []
    for label in [w for w in a.workloads.split(",") if w]:
        w, gen, outputs = WORKLOADS[label]
        gen = list(gen)
        if a.events:
            gen[1] = str(a.events)
        inp = os.path.join(bench, f"{label}.csv")
        subprocess.check_call([a.harness, "generate", "--workload", w, "--out", inp] + gen)
        span = arrival_span_ms(inp)
        every_ms = max(1, -(-span // SPARK_CHUNKS))
        o = lambda name: os.path.join(bench, "out", label,
                                      name.replace(" ", "_").replace("(", "").replace(")", ""))
        h = a.harness
        cmds = {
            "weir batch": [h, "run-file", "--workload", w, "--mode", "batch", "--input", inp],
            "weir micro-batch": [h, "run-file", "--workload", w, "--mode", "micro-batch", "--input", inp],
            f"weir micro-batch ({SPARK_CHUNKS} triggers)": [
                h, "run-file", "--workload", w, "--mode", "micro-batch", "--every", f"{every_ms}ms",
                "--input", inp],
            "weir stream": [h, "run-file", "--workload", w, "--mode", "stream", "--input", inp],
        }
        jvm = set()
        if "duckdb" in have:
            cmds["duckdb"] = [have["duckdb"], f"{peers_dir}/duckdb_run.py", w, inp]
        if "bytewax" in have:
            cmds["bytewax"] = [have["bytewax"], f"{peers_dir}/bytewax_run.py", w, inp]
        if "spark" in have:
            cmds["spark batch"] = [have["spark"], f"{peers_dir}/spark_run.py", w, "batch", inp]
            cmds[f"spark streaming ({SPARK_CHUNKS} triggers)"] = [
                have["spark"], f"{peers_dir}/spark_run.py", w, "micro-batch", inp, "--chunks", str(SPARK_CHUNKS)]
            jvm |= {"spark batch", f"spark streaming ({SPARK_CHUNKS} triggers)"}
        if "flink" in have:
            cmds["flink sql"] = [have["flink"], f"{peers_dir}/flink_run.py", w, inp]
            jvm.add("flink sql")
        # Weir's run-file takes --out; the peers take OUTDIR as the last positional argument
        # (after the input) — build each command's output directory in.
        def with_out(name):
            c = list(cmds[name])
            if name.startswith("weir"):
                return c + ["--out", o(name)]
            i = c.index(inp)
            return c[:i + 1] + [o(name)] + c[i + 1:]
        samples = {n: [] for n in cmds}
        rounds = max(a.runs, a.jvm_runs)
        for r in range(rounds):
            for name in cmds:
                if name in jvm and r >= a.jvm_runs:
                    continue
                if name not in jvm and r >= a.runs:
                    continue
                wall, rss, rc = timed(with_out(name), o(name), log)
                print(f"  {label:15} {name:32} round {r + 1}: {wall:8.2f} s {rss:8.0f} MiB"
                      + ("" if rc == 0 else f"  EXIT {rc} (see {log})"), flush=True)
                samples[name].append((wall, rss, rc))
        # Outputs must agree with Weir's batch output byte for byte.
        ref = o("weir batch")
        for name in cmds:
            same = all(filecmp.cmp(os.path.join(ref, f), os.path.join(o(name), f), shallow=False)
                       if os.path.exists(os.path.join(o(name), f)) else False for f in outputs)
            if not same:
                print(f"  MISMATCH: {label} {name}: outputs differ from weir batch's ({o(name)})")
        results.append((label, span, samples))
    print()
    print("| workload | command | runs | median wall s | median peak RSS MiB |")
    print("|---|---|---|---|---|")
    for w, span, samples in results:
        for name, s in samples.items():
            if s:
                print(f"| {w} | {name} | {len(s)} | {statistics.median(x[0] for x in s):.2f} | "
                      f"{statistics.median(x[1] for x in s):.0f} |")
    print()
    print("| workload | ratio (time A / time B, median of rounds) | time | peak RSS |")
    print("|---|---|---|---|")
    for w, span, samples in results:
        for num, den in RATIOS:
            if samples.get(num) and samples.get(den):
                k = min(len(samples[num]), len(samples[den]))
                t = statistics.median(samples[num][i][0] / samples[den][i][0] for i in range(k))
                m = statistics.median(samples[num][i][1] / samples[den][i][1] for i in range(k))
                print(f"| {w} | {num} / {den} | {t:.3f}x | {m:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())

//! `bench-harness check` end to end: record a baseline, pass against it,
//! fail on a regression past a threshold and on a broken SLO (exit 1), and
//! fail cleanly (exit 2, no panic) on bad input.
//!
//! Wall-clock metrics are noisy on a shared machine, so the passing run
//! uses loose timing thresholds; the failing run is made certain by a
//! baseline whose *state size* — deterministic for a seeded generator — is
//! a tenth of the real one.

use std::path::Path;
use std::process::{Command, Output};

use bench_harness::check::{Comparison, Verdict};
use bench_harness::plan::Plan;
use bench_harness::report::Report;
use bench_harness::scenario::Scenario;
use tempfile::TempDir;
use workloads::WorkloadKind;

fn bench_harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args(args)
        .output()
        .expect("start the bench-harness binary")
}

fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "bench-harness {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A small daily-report scenario with only the stream plans: no DataFusion,
/// so each run takes a second or two even in a debug build.
fn write_scenario(dir: &Path) -> String {
    let mut s = Scenario::default_for(WorkloadKind::DailyReport);
    s.plans.retain(|p| matches!(p, Plan::Stream(_)));
    s.generator.duration_ms = 6 * workloads::time::HOUR;
    s.generator.rate = s.generator.rate.with_mean(2.0);
    s.realtime = None;
    let path = dir.join("scenario.json");
    std::fs::write(&path, serde_json::to_string(&s).expect("serialize")).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn check_records_passes_and_catches_a_regression_and_a_broken_slo() {
    let dir = TempDir::new().expect("temp dir");
    let scenario = write_scenario(dir.path());
    let base = dir.path().join("baseline.json");
    let base_s = base.to_string_lossy().into_owned();

    // 1. Record a baseline: the medians of two runs.
    let args = [
        "check",
        "--scenario",
        &scenario,
        "--repeat",
        "2",
        "--write-baseline",
        &base_s,
    ];
    let out = bench_harness(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    let baseline: Report =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("baseline written"))
            .expect("the baseline is a report");
    assert_eq!(baseline.modes.len(), 2, "two stream plans");
    assert!(
        baseline
            .methodology
            .notes
            .iter()
            .any(|n| n.contains("medians of 2 runs"))
    );

    // 2. Unchanged code against it: passes (timing thresholds loose, state
    //    — deterministic — at the default 5 %), table and JSON written.
    let json = dir.path().join("cmp.json");
    let json_s = json.to_string_lossy().into_owned();
    let md = dir.path().join("summary.md");
    let md_s = md.to_string_lossy().into_owned();
    let args = [
        "check",
        "--scenario",
        &scenario,
        "--baseline",
        &base_s,
        "--repeat",
        "2",
        "--max-throughput-drop",
        "10000",
        "--max-p99-increase",
        "10000",
        "--max-cost-increase",
        "10000",
        "--json",
        &json_s,
        "--markdown",
        &md_s,
    ];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "{what}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("| mode | metric | old | new | change | spread | threshold | verdict |"),
        "{what}"
    );
    assert!(stdout.contains("PASSED"), "{what}");
    let summary = std::fs::read_to_string(&md).expect("markdown written");
    assert!(
        stdout.starts_with(&summary),
        "the Markdown file holds the printed table:\n{summary}"
    );
    let cmp: Comparison =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("comparison");
    assert!(cmp.passed);
    assert_eq!(cmp.runs, 2);
    assert_eq!(cmp.rows.len(), 2 * 4, "two modes × four metrics");
    assert!(
        cmp.rows
            .iter()
            .all(|r| r.runs.len() == 2 && r.spread_pct.is_some())
    );

    // 3. A baseline with a tenth of the state, and an SLO no plan meets:
    //    exit 1, the state row regressed, the SLO broken.
    let mut shrunk = baseline.clone();
    for m in &mut shrunk.modes {
        m.resources.peak_state_bytes /= 10;
    }
    let shrunk_path = dir.path().join("shrunk.json");
    std::fs::write(&shrunk_path, serde_json::to_string(&shrunk).expect("ser")).expect("write");
    let shrunk_s = shrunk_path.to_string_lossy().into_owned();
    let args = [
        "check",
        "--scenario",
        &scenario,
        "--baseline",
        &shrunk_s,
        "--repeat",
        "1",
        "--max-throughput-drop",
        "10000",
        "--max-p99-increase",
        "10000",
        "--max-cost-increase",
        "10000",
        "--slo-budget",
        "0.01",
        "--json",
        &json_s,
    ];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert_eq!(out.status.code(), Some(1), "{what}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("FAILED") && stdout.contains("**REGRESSED**"),
        "{what}"
    );
    assert!(stdout.contains("**BROKEN**"), "{what}");
    let cmp: Comparison =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("comparison");
    assert!(!cmp.passed);
    assert!(
        cmp.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regressed)
            .all(|r| r.metric == bench_harness::check::Metric::StateBytes)
    );
    assert!(cmp.slo_rows.iter().all(|s| !s.met));
}

#[test]
fn bad_check_input_fails_cleanly_naming_the_problem() {
    let dir = TempDir::new().expect("temp dir");
    let missing = dir.path().join("nope.json");
    let missing_s = missing.to_string_lossy().into_owned();
    let bad_thresholds = dir.path().join("t.json");
    std::fs::write(&bad_thresholds, r#"{"throughput_pct": -3}"#).expect("write");
    let bad_thresholds_s = bad_thresholds.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["check", "--workload", "fraud-alerts"], "--baseline"),
        (vec!["check", "--baseline", &missing_s], "nope.json"),
        (
            vec![
                "check",
                "--workload",
                "fraud-alerts",
                "--write-baseline",
                &missing_s,
                "--repeat",
                "0",
            ],
            "--repeat",
        ),
        (
            vec![
                "check",
                "--workload",
                "fraud-alerts",
                "--write-baseline",
                &missing_s,
                "--thresholds",
                &bad_thresholds_s,
            ],
            "throughput_pct",
        ),
        (
            vec![
                "check",
                "--workload",
                "fraud-alerts",
                "--write-baseline",
                &missing_s,
                "--slo-budget",
                "-5",
            ],
            "budget",
        ),
    ];
    for (args, needle) in cases {
        let out = bench_harness(&args);
        let what = describe(&args, &out);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "expected {needle:?} in:\n{what}");
        assert!(!stderr.contains("panicked"), "{what}");
    }
    assert!(
        !missing.exists(),
        "no baseline is written when the input is bad"
    );
}

#[test]
fn check_takes_the_scenario_and_slo_from_a_spec() {
    let dir = TempDir::new().expect("temp dir");
    let spec = dir.path().join("tiny.toml");
    std::fs::write(
        &spec,
        r#"
name = "tiny-daily"
[workload]
reference = "daily-report"
[load]
events_per_second = 2
duration = "6h"
keys = 500
seed = 42
[[candidates.stream]]
emit = "eager+correct"
watermark_delay = "1m"
allowed_lateness = "3h"
[slo]
budget_usd_per_month = 0.01
"#,
    )
    .expect("write spec");
    let spec_s = spec.to_string_lossy().into_owned();
    let base = dir.path().join("b.json");
    let base_s = base.to_string_lossy().into_owned();
    let args = [
        "check",
        "--spec",
        &spec_s,
        "--repeat",
        "1",
        "--write-baseline",
        &base_s,
    ];
    let out = bench_harness(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    let baseline: Report =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("written")).expect("report");
    assert_eq!(baseline.scenario.name, "tiny-daily");
    assert_eq!(baseline.modes.len(), 1);

    // Unchanged, loose timing thresholds: only the spec's budget can fail,
    // and it does (an always-on stream costs more than a cent a month).
    let args = [
        "check",
        "--spec",
        &spec_s,
        "--baseline",
        &base_s,
        "--repeat",
        "1",
        "--max-throughput-drop",
        "10000",
        "--max-p99-increase",
        "10000",
        "--max-cost-increase",
        "10000",
    ];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert_eq!(out.status.code(), Some(1), "{what}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("**BROKEN**"), "{what}");
    assert!(!stdout.contains("**REGRESSED**"), "{what}");
}

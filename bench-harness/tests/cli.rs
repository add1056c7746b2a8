//! The `bench-harness` binary end to end, as CI scripts and people use it:
//! `run-file` against the golden files of `shared/golden` in every mode, bad
//! input and bad arguments (a clear error naming what is wrong, never a
//! panic), and `run` writing a report and its charts.
//!
//! Parquet input is not exercised here: writing a Parquet file needs the
//! `parquet` crate, which this crate does not depend on; the workloads
//! crate's own tests cover reading Parquet.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bench_harness::report::{Report, SCHEMA_VERSION};
use bench_harness::scenario::Scenario;
use tempfile::TempDir;
use workloads::{Workload, WorkloadKind};

/// The golden files: `WEIR_GOLDEN_DIR`, or the repository's copy in
/// `tests/golden` (held equal to `shared/golden` by workloads' golden test).
fn golden_dir() -> PathBuf {
    match std::env::var_os("WEIR_GOLDEN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden"),
    }
}

/// Runs the binary with `args` and waits for it.
fn bench_harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-harness"))
        .args(args)
        .output()
        .expect("start the bench-harness binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A readable account of a finished process, for assertion messages.
fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "bench-harness {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Runs and asserts the process failed cleanly: a non-zero exit code (not
/// a signal, not a panic's 101), nothing on stderr about a panic, and every
/// one of `needles` in stderr. Returns stderr.
fn expect_clean_failure(args: &[&str], needles: &[&str]) -> String {
    let out = bench_harness(args);
    let what = describe(args, &out);
    let code = out.status.code();
    assert!(
        code.is_some_and(|c| c != 0),
        "expected a non-zero exit code:\n{what}"
    );
    assert_ne!(code, Some(101), "exit code 101 is a panic:\n{what}");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "the binary panicked:\n{what}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr does not contain `{needle}`:\n{what}"
        );
    }
    stderr
}

/// Where the first difference between two texts is, for a failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            return format!(
                "line {}: expected {:?}, got {:?} ({} expected lines, {} produced)",
                i + 1,
                x,
                y,
                e.len(),
                a.len()
            );
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        return "the files differ in the final newline".into();
    }
    "the files differ in line endings or whitespace".into()
}

/// The golden input of a workload.
fn golden_input(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::FraudAlerts => "transactions.csv",
        WorkloadKind::DailyReport => "orders.csv",
        WorkloadKind::Sessionization => "clicks.csv",
        WorkloadKind::Custom => unreachable!("custom workloads have no golden input"),
    }
}

/// The output files `run-file` must write, by the contract.
fn contract_outputs(kind: WorkloadKind) -> &'static [&'static str] {
    match kind {
        WorkloadKind::FraudAlerts => &["alerts.csv"],
        WorkloadKind::DailyReport => &["daily_sales.csv", "daily_top_products.csv"],
        WorkloadKind::Sessionization => &["sessions.csv"],
        WorkloadKind::Custom => unreachable!("custom workloads have no contract outputs"),
    }
}

/// `run-file --mode <mode>` over a workload's golden input: exit 0 and every
/// output byte-for-byte equal to `expected_<file>`. Reports every
/// differing file before failing.
fn golden(kind: WorkloadKind, mode: &str) {
    let declared = match kind {
        WorkloadKind::FraudAlerts => workloads::FraudAlerts.output_files(),
        WorkloadKind::DailyReport => workloads::DailyReport.output_files(),
        WorkloadKind::Sessionization => workloads::Sessionization.output_files(),
        WorkloadKind::Custom => unreachable!("custom workloads have no contract outputs"),
    };
    assert_eq!(
        declared,
        contract_outputs(kind),
        "the workload's declared outputs differ from the contract"
    );
    let golden = golden_dir();
    let input = golden.join(golden_input(kind));
    assert!(
        input.is_file(),
        "golden input {} is missing (set WEIR_GOLDEN_DIR)",
        input.display()
    );
    let dir = TempDir::new().expect("temp dir");
    let out_dir = dir.path().join("out");
    let (input_s, out_s) = (input.to_string_lossy(), out_dir.to_string_lossy());
    let args = [
        "run-file",
        "--workload",
        kind.name(),
        "--mode",
        mode,
        "--input",
        &input_s,
        "--out",
        &out_s,
    ];
    let out = bench_harness(&args);
    assert!(
        out.status.success(),
        "{kind} {mode} failed:\n{}",
        describe(&args, &out)
    );
    let mut failures = Vec::new();
    for file in contract_outputs(kind) {
        let expected =
            fs::read(golden.join(format!("expected_{file}"))).expect("read golden output");
        let produced = match fs::read(out_dir.join(file)) {
            Ok(bytes) => bytes,
            Err(e) => {
                failures.push(format!("{file} not written: {e}"));
                continue;
            }
        };
        if produced != expected {
            failures.push(format!(
                "{file} differs from expected_{file}: {}",
                first_difference(&text(&expected), &text(&produced))
            ));
        }
        if !text(&out.stdout).lines().any(|l| l.ends_with(file)) {
            failures.push(format!("stdout does not list {file}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{kind} {mode}:\n{}",
        failures.join("\n")
    );
}

/// One test per (workload, mode), so the test runner spreads them over
/// the cores (the micro-batch runs dominate in a debug build).
macro_rules! golden_tests {
    ($($name:ident: $kind:ident, $mode:literal;)*) => {
        $(
            #[test]
            fn $name() {
                golden(WorkloadKind::$kind, $mode);
            }
        )*
    };
}

golden_tests! {
    golden_fraud_alerts_batch: FraudAlerts, "batch";
    golden_fraud_alerts_micro_batch: FraudAlerts, "micro-batch";
    golden_fraud_alerts_stream: FraudAlerts, "stream";
    golden_daily_report_batch: DailyReport, "batch";
    golden_daily_report_micro_batch: DailyReport, "micro-batch";
    golden_daily_report_stream: DailyReport, "stream";
    golden_sessionization_batch: Sessionization, "batch";
    golden_sessionization_micro_batch: Sessionization, "micro-batch";
    golden_sessionization_stream: Sessionization, "stream";
}

const TXN_HEADER: &str = "txn_id,card_id,merchant_id,amount_cents,country,event_time";
const ORDER_HEADER: &str =
    "order_id,store_id,product_id,category,quantity,unit_price_cents,event_time";

/// Writes `lines` (plus a final newline) as `dir/name`.
fn write_input(dir: &TempDir, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.path().join(name);
    let mut body = lines.join("\n");
    if !body.is_empty() {
        body.push('\n');
    }
    fs::write(&path, body).expect("write the test input");
    path
}

/// `run-file` over `input` must fail cleanly, name the file and each of
/// `needles`, and write no output.
fn run_file_fails(workload: &str, input: &Path, needles: &[&str]) {
    let dir = TempDir::new().expect("temp dir");
    let out_dir = dir.path().join("out");
    let (input_s, out_s) = (input.to_string_lossy(), out_dir.to_string_lossy());
    let args = [
        "run-file",
        "--workload",
        workload,
        "--mode",
        "stream",
        "--input",
        &input_s,
        "--out",
        &out_s,
    ];
    let name = input.file_name().expect("a file name").to_string_lossy();
    let mut all = vec![name.as_ref()];
    all.extend_from_slice(needles);
    expect_clean_failure(&args, &all);
    let written: Vec<_> = fs::read_dir(&out_dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        written.is_empty(),
        "outputs written despite the error: {written:?}"
    );
}

#[test]
fn an_unknown_workload_is_rejected() {
    let input = golden_dir().join("transactions.csv");
    let input = input.to_string_lossy();
    let args = [
        "run-file",
        "--workload",
        "nope",
        "--mode",
        "batch",
        "--input",
        &input,
        "--out",
        "unused",
    ];
    expect_clean_failure(&args, &["nope", "--workload"]);
    expect_clean_failure(
        &["run", "--workload", "nope", "--no-realtime"],
        &["nope", "--workload"],
    );
}

#[test]
fn an_unknown_mode_is_rejected() {
    let input = golden_dir().join("transactions.csv");
    let input = input.to_string_lossy();
    let args = [
        "run-file",
        "--workload",
        "fraud-alerts",
        "--mode",
        "sideways",
        "--input",
        &input,
        "--out",
        "unused",
    ];
    expect_clean_failure(&args, &["sideways", "--mode"]);
}

#[test]
fn a_missing_input_file_is_named() {
    let dir = TempDir::new().expect("temp dir");
    run_file_fails("fraud-alerts", &dir.path().join("does_not_exist.csv"), &[]);
}

#[test]
fn a_row_with_too_few_fields_names_line_and_column() {
    let dir = TempDir::new().expect("temp dir");
    let input = write_input(
        &dir,
        "short_row.csv",
        &[
            TXN_HEADER,
            "1,10,100,2500,US,1767225600000",
            "2,10,101,9900,GB",
            "3,11,102,1000000,FR,1767225599000",
        ],
    );
    run_file_fails("fraud-alerts", &input, &["short_row.csv:3", "event_time"]);
}

#[test]
fn a_wrong_type_names_line_column_and_value() {
    let dir = TempDir::new().expect("temp dir");
    let input = write_input(
        &dir,
        "wrong_type.csv",
        &[
            TXN_HEADER,
            "1,10,100,2500,US,1767225600000",
            "2,10,101,abc,GB,1767225601000",
            "3,11,102,1000000,FR,1767225599000",
        ],
    );
    run_file_fails(
        "fraud-alerts",
        &input,
        &["wrong_type.csv:3", "amount_cents", "abc"],
    );
}

#[test]
fn a_negative_quantity_names_line_and_column() {
    let dir = TempDir::new().expect("temp dir");
    let input = write_input(
        &dir,
        "negative_quantity.csv",
        &[
            ORDER_HEADER,
            "1,3,4,toys,1,100,1767225599999",
            "2,2,3,grocery,-1,500,1767225600020",
        ],
    );
    run_file_fails(
        "daily-report",
        &input,
        &["negative_quantity.csv:3", "quantity"],
    );
}

#[test]
fn an_empty_file_is_rejected() {
    let dir = TempDir::new().expect("temp dir");
    for workload in ["fraud-alerts", "daily-report", "sessionization"] {
        let input = write_input(&dir, &format!("empty_{workload}.csv"), &[]);
        run_file_fails(workload, &input, &["empty"]);
    }
}

/// `run` with a small generated scenario: a report and the charts, and a
/// report that reads back as the versioned schema with one entry per plan.
#[test]
fn run_writes_a_report_and_charts() {
    let dir = TempDir::new().expect("temp dir");
    let out_dir = dir.path().join("report");
    let out_s = out_dir.to_string_lossy();
    let args = [
        "run",
        "--workload",
        "fraud-alerts",
        "--duration",
        "2m",
        "--rate",
        "200",
        "--no-realtime",
        "--out",
        &out_s,
    ];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "run failed:\n{what}");
    assert!(!text(&out.stderr).contains("panicked"), "{what}");

    let charts = ["latency_cdf", "cost_vs_rate", "latency_vs_cost"];
    for stem in charts {
        let svg = fs::read(out_dir.join(format!("{stem}.svg")))
            .unwrap_or_else(|e| panic!("{stem}.svg: {e}\n{what}"));
        assert!(!svg.is_empty(), "{stem}.svg is empty");
        assert!(text(&svg).contains("<svg"), "{stem}.svg is not an SVG");
        let png = fs::read(out_dir.join(format!("{stem}.png")))
            .unwrap_or_else(|e| panic!("{stem}.png: {e}\n{what}"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{stem}.png does not start with the PNG signature ({} bytes)",
            png.len()
        );
        assert!(
            png.len() > 8,
            "{stem}.png has no content after the signature"
        );
    }

    let json = fs::read_to_string(out_dir.join("report.json")).expect("read report.json");
    let report: Report = serde_json::from_str(&json).expect("report.json parses as a Report");
    assert_eq!(report.schema_version, SCHEMA_VERSION);
    assert_eq!(report.workload, WorkloadKind::FraudAlerts);
    let plans = Scenario::default_for(WorkloadKind::FraudAlerts).plans;
    let reported: Vec<_> = report.modes.iter().map(|m| m.plan).collect();
    assert_eq!(reported, plans, "one ModeReport per default plan, in order");
    for m in &report.modes {
        assert_eq!(m.label, m.plan.label());
        assert_eq!(m.mode, m.plan.mode());
    }
    assert!(report.scenario.events > 0, "no events generated");
    assert_eq!(
        report.scenario.keys,
        Some(
            Scenario::default_for(WorkloadKind::FraudAlerts)
                .generator
                .keys
        )
    );
    assert!(
        report.realtime_validation.is_none(),
        "--no-realtime still validated"
    );
    let mut listed = report.charts.clone();
    listed.sort();
    let mut expected: Vec<String> = charts
        .iter()
        .flat_map(|s| [format!("{s}.svg"), format!("{s}.png")])
        .collect();
    expected.sort();
    assert_eq!(listed, expected, "report.charts lists the chart files");
}

/// `run` with out-of-range values fails before doing any work, names the
/// field, and writes no report.
#[test]
fn run_rejects_absurd_values_naming_the_field() {
    let cases: [(&[&str], &str); 9] = [
        (&["--rate", "-5"], "rate"),
        (&["--rate=-5"], "rate"),
        (&["--duration", "0"], "duration"),
        (&["--rate", "1e12", "--duration", "1d"], "rate"),
        (&["--keys", "0"], "keys"),
        (&["--rate", "NaN"], "rate"),
        (&["--duration", "-5m"], "duration"),
        (&["--keys", "-3"], "keys"),
        (&["--late-fraction", "2"], "late_fraction"),
    ];
    for (extra, field) in cases {
        let dir = TempDir::new().expect("temp dir");
        let out_dir = dir.path().join("report");
        let out_s = out_dir.to_string_lossy();
        let mut args = vec![
            "run",
            "--workload",
            "fraud-alerts",
            "--no-realtime",
            "--out",
            &out_s,
        ];
        args.extend_from_slice(extra);
        expect_clean_failure(&args, &[field]);
        assert!(
            !out_dir.join("report.json").exists(),
            "{extra:?}: a report was written despite the error"
        );
    }
}

/// `run --source redis`: the events go through a private redis-server on
/// 127.0.0.1 (started and stopped by the harness), the report carries the
/// kappa replay through the log, exact; an unreachable broker skips the
/// broker run with the reason and the run still succeeds.
#[test]
fn run_through_redis_measures_the_replay_and_an_unreachable_broker_is_skipped() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("r");
    let out_s = out.to_str().unwrap();
    let base = [
        "run",
        "--workload",
        "fraud-alerts",
        "--duration",
        "10m",
        "--keys",
        "200",
        "--no-realtime",
        "--source",
        "redis",
        "--out",
        out_s,
    ];
    let run = bench_harness(&base);
    assert!(run.status.success(), "{}", describe(&base, &run));
    let report: Report =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let b = report.broker.expect("the report has the broker run");
    assert!(b.replay_exact, "{b:?}");
    assert_eq!(b.events, report.scenario.events);
    assert!(b.log.starts_with("redis://127.0.0.1:"), "{b:?}");
    assert!(text(&run.stdout).contains("kappa replay"));

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let url = format!("redis://127.0.0.1:{port}/");
    let mut args = base.to_vec();
    args.extend(["--broker", &url]);
    let run = bench_harness(&args);
    let what = describe(&args, &run);
    assert!(run.status.success(), "{what}");
    assert!(text(&run.stderr).contains("broker run skipped"), "{what}");
    assert!(text(&run.stderr).contains(&port.to_string()), "{what}");
}

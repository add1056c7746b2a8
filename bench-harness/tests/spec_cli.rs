//! `bench-harness validate --spec` and `run --spec` end to end: every
//! shipped example validates; bad specs of every kind (syntax, types,
//! ranges, unknown names, empty, huge, binary) fail with a non-zero exit,
//! a message naming the field, and never a panic; `run --spec` writes a
//! report of exactly the spec's candidates.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bench_harness::report::Report;
use tempfile::TempDir;
use workloads::WorkloadKind;

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../workloads/specs")
}

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

/// Asserts a clean failure (non-zero, not 101, no panic) whose stderr
/// contains every needle.
fn fails_cleanly(args: &[&str], needles: &[&str]) {
    let out = bench_harness(args);
    let what = describe(args, &out);
    let code = out.status.code();
    assert!(
        code.is_some_and(|c| c != 0),
        "expected a non-zero exit:\n{what}"
    );
    assert_ne!(code, Some(101), "exit code 101 is a panic:\n{what}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panicked:\n{what}");
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{what}");
    }
}

/// Writes `content` to `dir/name` and validates it, expecting a clean failure.
fn invalid(dir: &TempDir, name: &str, content: &[u8], needles: &[&str]) {
    let path = dir.path().join(name);
    fs::write(&path, content).expect("write spec");
    let p = path.to_string_lossy();
    fails_cleanly(&["validate", "--spec", &p], needles);
}

const SMALL: &str = r#"
name = "small-fraud"
[workload]
reference = "fraud-alerts"
[load]
events_per_second = 200
duration = "2m"
keys = 500
[[candidates.batch]]
every = "15m"
[[candidates.stream]]
emit = "final"
watermark_delay = "5s"
allowed_lateness = "1m"
"#;

#[test]
fn every_shipped_example_validates() {
    let mut seen = 0;
    for entry in fs::read_dir(specs_dir()).expect("workloads/specs") {
        let path = entry.expect("entry").path();
        let p = path.to_string_lossy();
        let args = ["validate", "--spec", &p];
        let out = bench_harness(&args);
        let what = describe(&args, &out);
        assert!(out.status.success(), "{what}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("OK: spec `"), "{what}");
        assert!(stdout.contains("candidates: "), "{what}");
        seen += 1;
    }
    assert!(
        seen >= 5,
        "expected the 3 reference specs and 2+ custom examples, found {seen}"
    );
}

#[test]
fn bad_specs_fail_naming_the_field() {
    let dir = TempDir::new().expect("temp dir");
    let small = |from: &str, to: &str| {
        assert!(SMALL.contains(from), "{from}");
        SMALL.replace(from, to).into_bytes()
    };
    invalid(
        &dir,
        "syntax.toml",
        b"name = \"x\"\n[load\n",
        &["TOML", "line 2"],
    );
    invalid(
        &dir,
        "syntax.json",
        b"{\"name\": \"x\",",
        &["JSON", "line 1"],
    );
    invalid(
        &dir,
        "type.toml",
        &small("events_per_second = 200", "events_per_second = \"fast\""),
        &["load.events_per_second", "invalid type"],
    );
    invalid(
        &dir,
        "range.toml",
        &small("events_per_second = 200", "events_per_second = -3"),
        &["load.events_per_second: must be between 1 and 5000000, got -3"],
    );
    invalid(
        &dir,
        "many.toml",
        &small("keys = 500", "keys = 0\nlate_fraction = 3"),
        &["2 errors", "load.keys", "load.late_fraction"],
    );
    invalid(
        &dir,
        "kind.toml",
        &small("\"fraud-alerts\"", "\"fraud\""),
        &["workload.reference", "unknown variant `fraud`"],
    );
    invalid(
        &dir,
        "field.toml",
        &small("keys = 500", "keyz = 500"),
        &["load.keyz", "unknown field `keyz`"],
    );
    invalid(
        &dir,
        "name.toml",
        &small("small-fraud", "../../etc"),
        &["name: must be"],
    );
    invalid(
        &dir,
        "events.toml",
        &small("duration = \"2m\"", "duration = \"31d\""),
        &["load: events_per_second × duration"],
    );
    let json = r#"{"name":"j","workload":{"reference":"sessionization"},"load":{"events_per_second":1,"duration":"1m","seed":-1},"candidates":{"batch":[{"every":"1m"}]}}"#;
    invalid(
        &dir,
        "seed.json",
        json.as_bytes(),
        &["load.seed", "invalid value"],
    );
    invalid(&dir, "empty.toml", b"", &["empty"]);
    invalid(&dir, "blank.json", b"  \n ", &["empty"]);
    invalid(
        &dir,
        "huge.toml",
        &vec![b'#'; 10 << 20],
        &["larger than the 65536 bytes"],
    );
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    invalid(&dir, "garbage.bin", &garbage, &["garbage.bin"]);
    invalid(&dir, "nul.toml", b"name = \"a\0b\"", &["TOML"]);
    fails_cleanly(
        &["validate", "--spec", "/nonexistent/spec.toml"],
        &["/nonexistent/spec.toml"],
    );
}

#[test]
fn run_spec_writes_a_report_of_the_specs_candidates() {
    let dir = TempDir::new().expect("temp dir");
    let spec = dir.path().join("small.toml");
    fs::write(
        &spec,
        SMALL.replace("[workload]", "realtime = false\n[workload]"),
    )
    .expect("write");
    let out_dir = dir.path().join("out");
    let (s, o) = (spec.to_string_lossy(), out_dir.to_string_lossy());
    let args = ["run", "--spec", &s, "--out", &o];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "{what}");
    let json = fs::read_to_string(out_dir.join("report.json")).expect("report.json");
    let report: Report = serde_json::from_str(&json).expect("a Report");
    assert_eq!(report.workload, WorkloadKind::FraudAlerts);
    assert_eq!(report.scenario.name, "small-fraud");
    assert_eq!(report.scenario.keys, Some(500));
    let labels: Vec<&str> = report.modes.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        labels,
        ["batch every 15m", "stream final, wm 5s, late > 1m dropped"],
        "{what}"
    );
    assert!(report.realtime_validation.is_none());
    assert!(out_dir.join("latency_cdf.svg").exists());
}

/// `[engine] kind = "ballista"`: `run --spec` starts a local cluster, runs
/// the batch plan on it (exact), measures scale-out on `--scale` sizes and
/// writes its chart; the cluster is gone afterwards.
#[test]
fn run_spec_on_ballista_starts_a_cluster_and_measures_scale_out() {
    let dir = TempDir::new().expect("temp dir");
    let spec = dir.path().join("small.toml");
    fs::write(
        &spec,
        SMALL.replace("[workload]", "realtime = false\n[workload]")
            + "\n[engine]\nkind = \"ballista\"\nexecutors = 1\n",
    )
    .expect("write");
    let out_dir = dir.path().join("out");
    let (s, o) = (spec.to_string_lossy(), out_dir.to_string_lossy());
    let args = ["run", "--spec", &s, "--out", &o, "--scale", "1"];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "{what}");
    let json = fs::read_to_string(out_dir.join("report.json")).expect("report.json");
    let report: Report = serde_json::from_str(&json).expect("a Report");
    assert!(
        report
            .methodology
            .notes
            .iter()
            .any(|n| n.contains("Ballista at df://127.0.0.1:")),
        "{what}"
    );
    let batch = report.modes.iter().find(|m| m.label == "batch every 15m");
    assert!(batch.is_some_and(|m| m.correctness.exact), "{what}");
    let scaling = report.scaling.expect("a scaling measurement");
    assert_eq!(scaling.points.len(), 1);
    assert!(
        scaling.points[0].exact && scaling.fit.is_some(),
        "{scaling:?}"
    );
    assert!(out_dir.join("scale_out.svg").exists());
}

#[test]
fn run_spec_runs_a_custom_workload() {
    let dir = TempDir::new().expect("temp dir");
    let text = fs::read_to_string(specs_dir().join("custom-large-amounts.toml")).expect("read");
    let small = text
        .replace("duration = \"1h\"", "duration = \"2m\"")
        .replace("events_per_second = 300", "events_per_second = 100")
        .replace("[load]", "[load]\n# shrunk for the test")
        .replace(
            "name = \"custom-large-amounts\"",
            "name = \"small-custom\"\nrealtime = false",
        );
    let spec = dir.path().join("small-custom.toml");
    fs::write(&spec, small).expect("write");
    let out_dir = dir.path().join("out");
    let (s, o) = (spec.to_string_lossy(), out_dir.to_string_lossy());
    let args = ["run", "--spec", &s, "--out", &o];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "{what}");
    let json = fs::read_to_string(out_dir.join("report.json")).expect("report.json");
    let report: Report = serde_json::from_str(&json).expect("a Report");
    assert_eq!(report.workload, WorkloadKind::Custom);
    assert_eq!(report.scenario.name, "small-custom");
    assert_eq!(report.modes.len(), 4, "{what}");
}

/// A small sample of "your own" clicks: 40 users over 20 minutes, a few
/// rows out of order, as CSV text.
fn clicks_csv() -> String {
    let mut text = String::from("ts,user,page,amount\n");
    let start = 1_767_225_600_000i64;
    for i in 0..2_000i64 {
        let late = if i % 97 == 0 { 45_000 } else { 0 };
        let t = start + i * 600 - late;
        let page = ["/", "/cart", "/pay"][(i % 3) as usize];
        text.push_str(&format!(
            "{t},u{},{page},{}.{:02}\n",
            i % 40,
            i % 50,
            i % 100
        ));
    }
    text
}

/// `run --sql … --input FILE`: a custom workload written in SQL over the
/// user's own CSV (and the same rows as Parquet) — every exact plan equals
/// the reference, the report shows the SQL, and CSV and Parquet agree.
#[test]
fn run_sql_on_your_own_csv_and_parquet_file() {
    let dir = TempDir::new().expect("temp dir");
    let csv = dir.path().join("clicks.csv");
    fs::write(&csv, clicks_csv()).expect("write");
    let parquet = dir.path().join("clicks.parquet");
    {
        use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
        use datafusion::arrow::record_batch::RecordBatch;
        use datafusion::parquet::arrow::ArrowWriter;
        let text = clicks_csv();
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        let column = |i: usize| rows.iter().map(move |r| r[i]);
        let cols: Vec<(&str, ArrayRef)> = vec![
            (
                "ts",
                std::sync::Arc::new(Int64Array::from_iter_values(
                    column(0).map(|v| v.parse::<i64>().unwrap()),
                )),
            ),
            (
                "user",
                std::sync::Arc::new(StringArray::from_iter_values(column(1))),
            ),
            (
                "page",
                std::sync::Arc::new(StringArray::from_iter_values(column(2))),
            ),
            (
                "amount",
                std::sync::Arc::new(Float64Array::from_iter_values(
                    column(3).map(|v| v.parse::<f64>().unwrap()),
                )),
            ),
        ];
        let batch = RecordBatch::try_from_iter(cols).unwrap();
        let mut w = ArrowWriter::try_new(fs::File::create(&parquet).unwrap(), batch.schema(), None)
            .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    let sql = "SELECT user, COUNT(*) AS clicks, COUNT(DISTINCT page) AS pages, SUM(amount) AS spend \
               FROM events WHERE page <> '/' \
               GROUP BY user, SESSION(event_time, INTERVAL '1' MINUTE)";
    let mut outputs = Vec::new();
    for input in [&csv, &parquet] {
        let out_dir = dir.path().join(input.extension().unwrap());
        let (i, o) = (input.to_string_lossy(), out_dir.to_string_lossy());
        let args = [
            "run",
            "--sql",
            sql,
            "--input",
            &i,
            "--event-time",
            "ts",
            "--out",
            &o,
        ];
        let out = bench_harness(&args);
        let what = describe(&args, &out);
        assert!(out.status.success(), "{what}");
        let json = fs::read_to_string(out_dir.join("report.json")).expect("report.json");
        let report: Report = serde_json::from_str(&json).expect("a Report");
        assert_eq!(report.workload, WorkloadKind::Custom);
        assert_eq!(report.scenario.events, 2_000, "{what}");
        let q = report.query.as_ref().expect("the report shows the query");
        assert!(q.written_as_sql && q.sql == sql, "{q:?}");
        assert!(
            q.datafusion_sql.contains("LAG(event_time)"),
            "{}",
            q.datafusion_sql
        );
        for m in report.modes.iter().filter(|m| m.promises_exact) {
            assert!(m.correctness.exact, "{}: not exact\n{what}", m.label);
        }
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("query (your SQL)"),
            "{what}"
        );
        outputs.push(
            report
                .modes
                .iter()
                .map(|m| (m.label.clone(), m.correctness.clone()))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        outputs[0], outputs[1],
        "CSV and Parquet of the same rows differ"
    );
    // The same file replayed at 100 events/s (60× its own rate): the report
    // says so, measures at that rate, and every exact plan is still exact.
    let fast = dir.path().join("fast");
    let (i, o) = (csv.to_string_lossy(), fast.to_string_lossy());
    let args = [
        "run",
        "--sql",
        sql,
        "--input",
        &i,
        "--event-time",
        "ts",
        "--rate",
        "100",
        "--out",
        &o,
    ];
    let out = bench_harness(&args);
    let what = describe(&args, &out);
    assert!(out.status.success(), "{what}");
    let report: Report =
        serde_json::from_str(&fs::read_to_string(fast.join("report.json")).unwrap()).unwrap();
    assert!(
        report.scenario.source.contains("replayed at 100 events/s"),
        "{}",
        report.scenario.source
    );
    let rate = report.scenario.mean_events_per_second;
    assert!((90.0..110.0).contains(&rate), "{rate}\n{what}");
    for m in report.modes.iter().filter(|m| m.promises_exact) {
        assert!(
            m.correctness.exact,
            "{}: not exact at 100 events/s\n{what}",
            m.label
        );
    }
    // SQL naming a column the file lacks: a clean error with the place.
    let (i, o) = (
        csv.to_string_lossy(),
        dir.path().join("bad").to_string_lossy().into_owned(),
    );
    fails_cleanly(
        &[
            "run",
            "--sql",
            "SELECT user, SUM(price) AS s FROM events GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)",
            "--input",
            &i,
            "--event-time",
            "ts",
            "--out",
            &o,
        ],
        &["--sql: line 1, column", "price"],
    );
}

#[test]
fn run_spec_refuses_bad_or_unrunnable_specs_and_conflicting_flags() {
    let dir = TempDir::new().expect("temp dir");
    let bad = dir.path().join("bad.json");
    fs::write(&bad, b"{\"name\": 5}").expect("write");
    let b = bad.to_string_lossy();
    fails_cleanly(&["run", "--spec", &b], &["name", "invalid type"]);
    let custom = specs_dir().join("custom-large-amounts.toml");
    let c = custom.to_string_lossy();
    fails_cleanly(
        &["run", "--spec", &c, "--workload", "fraud-alerts"],
        &["cannot be used with"],
    );
    fails_cleanly(&["run"], &["--workload"]);
}

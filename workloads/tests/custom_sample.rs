//! A custom workload on a user's own sample file: inspection infers what
//! each column can be, loading maps rows to events with their original
//! strings, every exact mode equals the reference on the loaded data, CSV
//! and Parquet of the same data give the same output, and bad files are
//! clear errors (never a panic).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::parquet::arrow::ArrowWriter;
use proptest::prelude::*;
use workloads::custom::sample::{
    ColumnUse, MAX_SAMPLE_COLUMNS, SampleFormat, SampleMapping, inspect, load,
};
use workloads::custom::{ColumnDef, CustomRow, QueryDef, SampledValues};
use workloads::dataset::Dataset;
use workloads::drive::{ModeConfig, run_mode};
use workloads::output::materialize;
use workloads::time::{Millis, SECOND};
use workloads::{CustomWorkload, JobConfig, Workload};

/// One sample row.
#[derive(Debug, Clone)]
struct Row {
    ts: Millis,
    user: String,
    country: &'static str,
    amount: f64,
    qty: i64,
    arrived: Millis,
}

const T0: Millis = 1_700_000_000_000;

/// 600 rows over ~40 minutes, in arrival order but with event times up to
/// 5 minutes late; users with spaces, commas and quotes; a non-ASCII
/// country; amounts with up to two decimals, negative ones included.
fn rows() -> Vec<Row> {
    let users = [
        "alice",
        "bob",
        "carol",
        "dave",
        "o'neil, jr",
        "zoë",
        "say \"hi\"",
    ];
    let countries = ["US", "DE", "FR", "Åland", "BR"];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % n
    };
    (0..600)
        .map(|i| {
            let arrived = T0 + i * 4 * SECOND;
            let late = if next(10) == 0 {
                next(5 * 60) as i64 * SECOND
            } else {
                next(3) as i64 * SECOND
            };
            Row {
                ts: arrived - late,
                user: users[next(users.len() as u64) as usize].to_string(),
                country: countries[next(countries.len() as u64) as usize],
                amount: (next(20_000) as f64 - 5_000.0) / 100.0,
                qty: next(5) as i64 + 1,
                arrived,
            }
        })
        .collect()
}

fn rfc3339(ms: Millis) -> String {
    // Days since the epoch → civil date (Howard Hinnant's algorithm).
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

fn quote(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(dir: &Path, name: &str, rows: &[Row]) -> PathBuf {
    let mut text = String::from("ts,when,user,country,amount,qty,arrived\n");
    for r in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.ts,
            rfc3339(r.ts),
            quote(&r.user),
            r.country,
            r.amount,
            r.qty,
            r.arrived
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn write_parquet(dir: &Path, name: &str, rows: &[Row]) -> PathBuf {
    let schema = Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Int64, false),
        Field::new(
            "when",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("user", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("qty", DataType::Int64, false),
        Field::new("arrived", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.ts))),
        Arc::new(
            TimestampMillisecondArray::from_iter_values(rows.iter().map(|r| r.ts))
                .with_timezone("UTC"),
        ),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.user))),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.country),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.amount),
        )),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.qty))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.arrived))),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let p = dir.join(name);
    let mut w = ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), schema, None).unwrap();
    // Two row groups' worth of batches.
    w.write(&batch.slice(0, 250)).unwrap();
    w.flush().unwrap();
    w.write(&batch.slice(250, batch.num_rows() - 250)).unwrap();
    w.close().unwrap();
    p
}

fn mapping(time: &str, key: &str) -> SampleMapping {
    SampleMapping {
        event_time: time.into(),
        key: key.into(),
        arrival_time: None,
    }
}

fn query(json: &str) -> QueryDef {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// The table of queries over the sample: (name, key column, query).
fn queries() -> Vec<(&'static str, &'static str, QueryDef)> {
    vec![
        (
            "tumbling per user, text and number filters, every aggregate",
            "user",
            query(
                r#"{"key": "user",
                    "filter": [{"column": "country", "op": "!=", "value": "US"},
                               {"column": "amount", "op": ">", "value": -10.5}],
                    "window": {"kind": "tumbling", "size": "1m"},
                    "aggregates": [{"name": "n", "function": "count"},
                                   {"name": "total", "function": "sum", "column": "amount"},
                                   {"name": "lo", "function": "min", "column": "amount"},
                                   {"name": "hi", "function": "max", "column": "qty"},
                                   {"name": "mean", "function": "avg", "column": "amount"},
                                   {"name": "countries", "function": "count-distinct", "column": "country"}]}"#,
            ),
        ),
        (
            "sliding per country, text order filter below a value",
            "user",
            query(
                r#"{"key": "country",
                    "filter": [{"column": "country", "op": "<", "value": "FR"}],
                    "window": {"kind": "sliding", "size": "3m", "slide": "1m"},
                    "aggregates": [{"name": "n", "function": "count"},
                                   {"name": "users", "function": "count-distinct", "column": "user"},
                                   {"name": "total", "function": "sum", "column": "amount"}]}"#,
            ),
        ),
        (
            "session per user, text order filter at a literal not in the data, alert",
            "user",
            query(
                r#"{"key": "user",
                    "filter": [{"column": "user", "op": ">=", "value": "c"},
                               {"column": "country", "op": "<=", "value": "E"}],
                    "window": {"kind": "session", "gap": "90s"},
                    "aggregates": [{"name": "n", "function": "count"},
                                   {"name": "total", "function": "sum", "column": "amount"}],
                    "alert": {"aggregate": "n", "op": ">=", "value": 2}}"#,
            ),
        ),
        (
            "tumbling per integer key (qty)",
            "qty",
            query(
                r#"{"key": "qty",
                    "filter": [{"column": "qty", "op": ">", "value": 1}],
                    "window": {"kind": "tumbling", "size": "5m"},
                    "aggregates": [{"name": "n", "function": "count"},
                                   {"name": "mean", "function": "avg", "column": "amount"}]}"#,
            ),
        ),
    ]
}

/// Every exact mode over `data` equals the reference; returns it.
fn every_mode_equals_reference(
    name: &str,
    w: &CustomWorkload,
    data: &Dataset<workloads::custom::CustomEvent>,
) -> Vec<CustomRow> {
    let truth = w.reference(&data.events);
    for cfg in ModeConfig::all_exact() {
        let (changelog, stats) = run_mode(w, &cfg, &JobConfig::default(), data)
            .unwrap_or_else(|e| panic!("{name} {cfg:?}: {e}"));
        assert_eq!(stats.dropped, 0, "{name} {cfg:?}");
        assert_eq!(materialize(&changelog), truth, "{name} {cfg:?}");
    }
    truth
}

/// The first field of every output row (CSV-unquoted).
fn keys_of(text: &str) -> std::collections::BTreeSet<String> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

fn output_text(w: &CustomWorkload, rows: &[CustomRow]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let paths = w
        .write_outputs(rows, &Default::default(), dir.path())
        .unwrap();
    std::fs::read_to_string(&paths[0]).unwrap()
}

#[test]
fn inspection_infers_what_each_column_can_be() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    for path in [
        write_csv(dir.path(), "s.csv", &rows),
        write_parquet(dir.path(), "s.parquet", &rows),
    ] {
        let s = inspect(&path).unwrap();
        let col = |n: &str| s.columns.iter().find(|c| c.name == n).unwrap();
        assert_eq!(s.columns.len(), 7);
        assert_eq!(s.rows, Some(600), "{path:?}");
        assert!(col("ts").uses.contains(&ColumnUse::EventTime));
        assert!(col("ts").uses.contains(&ColumnUse::Key));
        assert_eq!(col("when").uses, vec![ColumnUse::EventTime], "{path:?}");
        assert!(col("user").uses.contains(&ColumnUse::Key));
        assert!(col("user").uses.contains(&ColumnUse::Category));
        assert_eq!(col("user").distinct, Some(7));
        assert_eq!(col("country").distinct, Some(5));
        assert!(col("country").uses.contains(&ColumnUse::Category));
        assert!(!col("country").uses.contains(&ColumnUse::Number));
        assert_eq!(col("amount").uses, vec![ColumnUse::Number]);
        assert_eq!(col("amount").decimals, Some(2), "{path:?}");
        assert!(col("qty").uses.contains(&ColumnUse::Number));
        assert!(
            col("when").data_type.starts_with("Timestamp"),
            "{path:?}: {}",
            col("when").data_type
        );
        let suggested = s.suggested.clone().expect("a suggestion");
        assert_eq!(suggested.event_time, "when");
        assert_eq!(suggested.key, "user");
        // The page shows it as JSON.
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""uses":["event-time"]"#), "{json}");
        assert_eq!(
            s.format,
            if path.extension().unwrap() == "csv" {
                SampleFormat::Csv
            } else {
                SampleFormat::Parquet
            }
        );
    }
}

#[test]
fn every_mode_equals_the_reference_on_a_loaded_sample() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    let csv = write_csv(dir.path(), "s.csv", &rows);
    let late = rows
        .iter()
        .filter(|r| r.arrived - r.ts > 10 * SECOND)
        .count();
    assert!(late > 20, "only {late} late rows");
    for (name, key, q) in queries() {
        let (w, data) = CustomWorkload::from_sample(name, &csv, &mapping("ts", key), &q)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(data.len(), 600);
        let truth = every_mode_equals_reference(name, &w, &data);
        assert!(truth.len() > 5, "{name}: only {} rows", truth.len());
        let text = output_text(&w, &truth);
        if name.starts_with("tumbling per user") {
            assert!(text.contains("\nalice,"), "{name}: {text}");
            assert!(text.contains("\nzoë,"), "{name}: {text}");
            // Original strings, quoted where CSV needs it.
            assert!(text.contains("\n\"o'neil, jr\","), "{text}");
            assert!(text.contains("\n\"say \"\"hi\"\"\","), "{text}");
        }
        if name.starts_with("sliding per country") {
            // Text order: only BR and DE sort before FR (Å sorts after Z).
            let keys = keys_of(&text);
            assert_eq!(keys, ["BR".to_string(), "DE".to_string()].into(), "{text}");
        }
        if name.starts_with("session per user") {
            let keys = keys_of(&text);
            assert!(keys.iter().all(|k| k.as_str() >= "c"), "{keys:?}");
            assert!(keys.contains("carol") && !keys.contains("bob"), "{keys:?}");
            // Check against the rows directly: country <= 'E' is BR, DE.
            let expected_users: std::collections::BTreeSet<String> = rows
                .iter()
                .filter(|r| r.user.as_str() >= "c" && r.country <= "E")
                .map(|r| r.user.clone())
                .collect();
            assert!(
                keys.is_subset(&expected_users),
                "{keys:?} vs {expected_users:?}"
            );
        }
        if q.key == "qty" {
            let keys = keys_of(&text);
            assert_eq!(
                keys,
                ["2", "3", "4", "5"].map(String::from).into(),
                "{text}"
            );
        }
        // The workload reads its sample again the same way.
        let again = w.read_events(&csv).unwrap();
        assert_eq!(again.events, data.events, "{name}");
        assert_eq!(again.arrival, data.arrival, "{name}");
    }
}

#[test]
fn the_same_data_as_csv_and_as_parquet_gives_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    let csv = write_csv(dir.path(), "s.csv", &rows);
    let pq = write_parquet(dir.path(), "s.parquet", &rows);
    for (name, key, q) in queries() {
        let mut outs = Vec::new();
        for (path, time) in [(&csv, "ts"), (&pq, "ts"), (&csv, "when"), (&pq, "when")] {
            let (w, data) = CustomWorkload::from_sample(name, path, &mapping(time, key), &q)
                .unwrap_or_else(|e| panic!("{name} {path:?}: {e}"));
            let truth = w.reference(&data.events);
            let (changelog, _) = run_mode(
                &w,
                &ModeConfig::Stream(workloads::StreamConfig::EXACT),
                &JobConfig::default(),
                &data,
            )
            .unwrap();
            assert_eq!(materialize(&changelog), truth);
            outs.push((data.events.clone(), output_text(&w, &truth)));
        }
        for o in &outs[1..] {
            assert_eq!(o.0, outs[0].0, "{name}: events differ");
            assert_eq!(o.1, outs[0].1, "{name}: outputs differ");
        }
    }
}

#[test]
fn an_arrival_time_column_reorders_rows_stably() {
    let dir = tempfile::tempdir().unwrap();
    // File order is not arrival order: row 3 arrives first, rows 1 and 4
    // arrive together (file order kept).
    let text = "ts,user,arrived\n\
                1000,a,5000\n\
                2000,b,7000\n\
                3000,c,1000\n\
                4000,d,5000\n";
    let p = dir.path().join("a.csv");
    std::fs::write(&p, text).unwrap();
    let mut m = mapping("ts", "user");
    let plain = load(&p, &m, None).unwrap();
    assert_eq!(
        plain
            .data
            .events
            .iter()
            .map(|e| e.event_time)
            .collect::<Vec<_>>(),
        [1000, 2000, 3000, 4000]
    );
    // Without an arrival column: the running maximum of event time.
    assert_eq!(plain.data.arrival, [1000, 2000, 3000, 4000]);
    m.arrival_time = Some("arrived".into());
    let sorted = load(&p, &m, None).unwrap();
    assert_eq!(
        sorted
            .data
            .events
            .iter()
            .map(|e| e.event_time)
            .collect::<Vec<_>>(),
        [3000, 1000, 4000, 2000]
    );
    assert_eq!(sorted.data.arrival, [1000, 5000, 5000, 7000]);
    // The arrival column is not a definition column; the key is text.
    assert_eq!(
        sorted.columns,
        vec![ColumnDef::Sampled {
            name: "user".into(),
            values: SampledValues::Text
        }]
    );
}

fn err_of(r: workloads::Result<impl std::fmt::Debug>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

fn sum_query() -> QueryDef {
    query(
        r#"{"key": "user", "window": {"kind": "tumbling", "size": "1m"},
            "aggregates": [{"name": "total", "function": "sum", "column": "amount"}]}"#,
    )
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let m = mapping("ts", "user");

    // A wrong type at data row 1,234 (line 1,235): inferred text, but the
    // query sums it.
    let mut text = String::from("ts,user,amount\n");
    for i in 1..=2000 {
        let amount = if i == 1234 {
            "abc".to_string()
        } else {
            format!("{}.25", i % 7)
        };
        text.push_str(&format!("{},u{},{amount}\n", i * 1000, i % 9));
    }
    let p = write("wrong.csv", text.as_bytes());
    let e = err_of(load(&p, &m, Some(&sum_query())));
    assert!(
        e.contains("wrong.csv:1235, column `amount`") && e.contains("`abc` is not a number"),
        "{e}"
    );

    // The same beyond the inspected rows, inferred as a float column.
    let mut text = String::from("ts,user,amount\n");
    for i in 1..=12_000 {
        let amount = if i == 11_111 {
            "n/a".to_string()
        } else {
            format!("{}.5", i % 7)
        };
        text.push_str(&format!("{},u{},{amount}\n", i * 1000, i % 9));
    }
    let p = write("late_wrong.csv", text.as_bytes());
    let e = err_of(load(&p, &m, None));
    assert!(
        e.contains("late_wrong.csv:11112, column `amount`") && e.contains("`n/a` is not a number"),
        "{e}"
    );

    // A wrong time at a row.
    let p = write("time.csv", b"ts,user\n1000,a\nsoon,b\n");
    let e = err_of(load(&p, &m, None));
    assert!(
        e.contains("time.csv:3, column `ts`") && e.contains("is not a time"),
        "{e}"
    );

    // Missing event-time column: the error lists the file's columns.
    let p = write("missing.csv", b"time,user\n1,a\n");
    let e = err_of(load(&p, &m, None));
    assert!(
        e.contains("no event time column `ts`") && e.contains("time, user"),
        "{e}"
    );
    let e = err_of(load(&p, &mapping("time", "who"), None));
    assert!(e.contains("no key column `who`"), "{e}");

    // Non-UTF-8 bytes in a value.
    let p = write("latin1.csv", b"ts,user\n1000,a\n2000,Z\xfcrich\n");
    let e = err_of(inspect(&p));
    assert!(
        e.contains("latin1.csv:3, column `user`") && e.contains("not valid UTF-8"),
        "{e}"
    );
    let e = err_of(load(&p, &m, None));
    assert!(e.contains("latin1.csv:3, column `user`"), "{e}");

    // Truncated Parquet.
    let good = write_parquet(d, "good.parquet", &rows());
    let bytes = std::fs::read(&good).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 3, 10] {
        let p = write("cut.parquet", &bytes[..cut]);
        let e = err_of(inspect(&p));
        assert!(e.contains("cut.parquet") && e.contains("Parquet"), "{e}");
        let e = err_of(load(&p, &m, None));
        assert!(e.contains("Parquet"), "{e}");
    }
    // Corrupt Parquet: bytes flipped in the middle (data pages).
    let mut bad = bytes.clone();
    for b in &mut bad[bytes.len() / 4..bytes.len() / 2] {
        *b = !*b;
    }
    let p = write("corrupt.parquet", &bad);
    let _ = inspect(&p)
        .map(|_| ())
        .and_then(|_| load(&p, &m, None).map(|_| ()));

    // Empty files.
    let p = write("empty.csv", b"");
    assert!(err_of(inspect(&p)).contains("empty"));
    let p = write("empty.parquet", b"");
    assert!(err_of(load(&p, &m, None)).contains("empty"));
    let p = write("header.csv", b"ts,user\n");
    assert!(err_of(inspect(&p)).contains("no data rows"));
    assert!(err_of(load(&p, &m, None)).contains("no data rows"));

    // Too many columns.
    let n = MAX_SAMPLE_COLUMNS + 1;
    let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let p = write(
        "wide.csv",
        format!("{}\n{}\n", header.join(","), values.join(",")).as_bytes(),
    );
    let e = err_of(inspect(&p));
    assert!(e.contains(&format!("has {n} columns")), "{e}");

    // A short row names the column it lacks.
    let p = write("short.csv", b"ts,user,amount\n1,a,2\n3,b\n");
    let e = err_of(load(&p, &m, None));
    assert!(e.contains("short.csv:3, column `amount`"), "{e}");

    // A float cannot be the key; a value of another file not in the sample.
    let p = write("floatkey.csv", b"ts,user,amount\n1,a,2.5\n");
    let e = err_of(load(&p, &mapping("ts", "amount"), None));
    assert!(e.contains("cannot be the key"), "{e}");
    let csv = write_csv(d, "s.csv", &rows());
    let (w, _) = CustomWorkload::from_sample("s", &csv, &m, &sum_query()).unwrap();
    let p = write("other.csv", b"ts,user,amount\n1,alice,2\n2,mallory,3\n");
    let e = err_of(w.read_events(&p));
    assert!(
        e.contains("other.csv:3, column `user`") && e.contains("`mallory` is not a value"),
        "{e}"
    );
    // A query on a column the file does not have.
    let q = query(
        r#"{"key": "user", "window": {"kind": "tumbling", "size": "1m"},
            "aggregates": [{"name": "n", "function": "sum", "column": "price"}]}"#,
    );
    let e = err_of(CustomWorkload::from_sample("s", &csv, &m, &q).map(|_| ()));
    assert!(e.contains("`price`") && e.contains("amount"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes as a CSV file never panic: inspect and load either
    /// succeed or return an error.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), header in prop::bool::ANY) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        let mut content = if header { b"a,b,c\n".to_vec() } else { Vec::new() };
        content.extend(&bytes);
        std::fs::write(&p, &content).unwrap();
        let _ = inspect(&p);
        for (t, k) in [("a", "b"), ("b", "c"), ("a", "a")] {
            let mut m = mapping(t, k);
            let _ = load(&p, &m, None);
            m.arrival_time = Some("c".into());
            let _ = load(&p, &m, None);
        }
    }

    /// Rows of arbitrary text fields (the structure valid, values not).
    #[test]
    fn arbitrary_fields_never_panic(cells in prop::collection::vec("[-+0-9.eE:TZ a-z\u{e9}\"]{0,12}", 3..60)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.csv");
        let mut text = String::from("a,b,c\n");
        for ch in cells.chunks(3) {
            let f: Vec<String> = ch.iter().map(|c| quote(c)).collect();
            text.push_str(&f.join(","));
            text.push('\n');
        }
        std::fs::write(&p, text).unwrap();
        let _ = inspect(&p);
        let _ = load(&p, &mapping("a", "b"), None);
        let _ = load(&p, &mapping("c", "b"), None);
    }
}

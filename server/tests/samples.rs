//! Sample uploads (`POST /api/samples`, `POST /api/samples/{id}/run`):
//! run the `weir-server` binary on 127.0.0.1 (without the reference runs),
//! upload a small CSV and a small Parquet file, read the inferred schema,
//! run SQL on each and fetch the report; and refuse bad files, bad SQL and
//! too-large uploads with the place named, keeping nothing of them.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::{Value, json};

/// Starts the server without the reference runs.
async fn start(data: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--no-reference-runs"];
    args.extend_from_slice(extra);
    common::spawn(data, &args, &[]).await
}

/// A small sample of clicks: `rows` rows, 30 users, one click every 600 ms
/// of event time, a few rows late.
fn clicks_csv(rows: i64) -> String {
    let mut text = String::from("ts,user,page,amount\n");
    let start = 1_767_225_600_000i64;
    for i in 0..rows {
        let late = if i % 97 == 0 { 45_000 } else { 0 };
        let t = start + i * 600 - late;
        let page = ["/", "/cart", "/pay"][(i % 3) as usize];
        text.push_str(&format!(
            "{t},u{},{page},{}.{:02}\n",
            i % 30,
            i % 50,
            i % 100
        ));
    }
    text
}

/// The same rows as Parquet (written with Arrow).
fn clicks_parquet(rows: i64) -> Vec<u8> {
    use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use std::sync::Arc;
    let text = clicks_csv(rows);
    let lines: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let column = |i: usize| lines.iter().map(move |r| r[i]);
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "ts",
            Arc::new(Int64Array::from_iter_values(
                column(0).map(|v| v.parse::<i64>().unwrap()),
            )),
        ),
        ("user", Arc::new(StringArray::from_iter_values(column(1)))),
        ("page", Arc::new(StringArray::from_iter_values(column(2)))),
        (
            "amount",
            Arc::new(Float64Array::from_iter_values(
                column(3).map(|v| v.parse::<f64>().unwrap()),
            )),
        ),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// Uploads a file as the raw body: status and JSON answer.
async fn upload(base: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{base}/api/samples?name={}",
            name.replace(' ', "%20")
        ))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("the upload is answered");
    let code = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }));
    (code, body)
}

/// Posts a run request.
async fn run(base: &str, id: &str, request: &Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/samples/{id}/run"))
        .json(request)
        .send()
        .await
        .expect("the run is answered");
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let resp = reqwest::get(format!("{base}{path}"))
        .await
        .expect("answered");
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

/// Waits until a job has ended; returns its record.
async fn wait_job(base: &str, job: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let (code, j) = get(base, &format!("/api/jobs/{job}")).await;
        assert_eq!(code, 200, "{j}");
        let state = j["state"].as_str().unwrap_or("");
        if !matches!(state, "queued" | "running") {
            return j;
        }
        assert!(Instant::now() < deadline, "the job never ended: {j}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asserts a refusal: the status, the API's error shape, and that every
/// needle appears in the summary.
fn refused((code, body): &(u16, Value), status: u16, needles: &[&str]) {
    assert_eq!(*code, status, "{body}");
    assert!(
        body["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    let summary = body["error"].as_str().unwrap_or_default();
    for n in needles {
        assert!(summary.contains(n), "no `{n}` in: {summary}");
    }
}

/// What is in `<data>/specs` (directories and temporary files).
fn stored(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("specs"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

const SQL: &str = "SELECT user, COUNT(*) AS clicks, SUM(amount) AS spend FROM events \
                   GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)";

#[tokio::test(flavor = "multi_thread")]
async fn csv_and_parquet_samples_are_inspected_run_and_reported() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = &server.base;
    let mut ids = Vec::new();
    for (name, bytes) in [
        ("my clicks.csv", clicks_csv(600).into_bytes()),
        ("clicks.parquet", clicks_parquet(600)),
    ] {
        let (code, up) = upload(base, name, bytes).await;
        assert_eq!(code, 201, "{name}: {up}");
        let id = up["id"].as_str().expect("an id").to_string();
        assert_eq!(up["name"], name, "{up}");
        let columns = up["schema"]["columns"].as_array().expect("columns");
        let names: Vec<&str> = columns.iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["ts", "user", "page", "amount"], "{up}");
        let ts = &columns[0];
        assert!(
            ts["uses"]
                .as_array()
                .unwrap()
                .contains(&json!("event-time")),
            "{ts}"
        );
        assert!(up["schema"]["suggested"].is_object(), "{up}");

        // SQL naming a column the file lacks: refused with its place.
        let bad = json!({
            "sql": "SELECT user, SUM(price) AS s FROM events GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)",
            "event_time": "ts",
        });
        let answer = run(base, &id, &bad).await;
        refused(&answer, 422, &["sql: line 1, column", "price"]);
        assert_eq!(answer.1["errors"][0]["path"], "sql", "{}", answer.1);
        // SQL that does not parse.
        let answer = run(
            base,
            &id,
            &json!({ "sql": "SELECT FROM WHERE", "event_time": "ts" }),
        )
        .await;
        refused(&answer, 422, &["line 1, column"]);
        // An event-time column the file lacks.
        let answer = run(base, &id, &json!({ "sql": SQL, "event_time": "when" })).await;
        refused(&answer, 422, &["when"]);
        // Unknown fields are refused, not ignored.
        let answer = run(base, &id, &json!({ "sql": SQL, "evnt_time": "ts" })).await;
        refused(&answer, 422, &["evnt_time"]);

        let (code, queued) = run(
            base,
            &id,
            &json!({ "sql": SQL, "event_time": "ts", "key": "user" }),
        )
        .await;
        assert_eq!(code, 202, "{queued}");
        let job = queued["job"].as_str().expect("a job id").to_string();
        let record = wait_job(base, &job).await;
        assert_eq!(record["state"], "done", "{record}");
        assert_eq!(record["target"]["spec_id"], id.as_str(), "{record}");

        let (code, sample) = get(base, &format!("/api/samples/{id}")).await;
        assert_eq!(code, 200, "{sample}");
        assert_eq!(sample["request"]["sql"], SQL, "{sample}");
        let report = &sample["report"];
        assert_eq!(report["workload"], "custom", "{report}");
        assert_eq!(report["scenario"]["events"], 600, "{}", report["scenario"]);
        assert!(
            report["scenario"]["source"]
                .as_str()
                .unwrap_or("")
                .contains(name),
            "{}",
            report["scenario"]["source"]
        );
        assert_eq!(report["query"]["sql"], SQL, "{}", report["query"]);
        let modes = report["modes"].as_array().expect("modes");
        assert!(modes.len() >= 3, "{report}");
        let exact: Vec<&Value> = modes
            .iter()
            .filter(|m| m["promises_exact"] == true)
            .collect();
        assert!(!exact.is_empty(), "no exact plan: {report}");
        for m in exact {
            assert_eq!(m["correctness"]["exact"], true, "{}: not exact", m["label"]);
        }
        // The spec page shows the report with its query.
        let page = reqwest::get(format!("{base}/specs/{id}"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"query-sql\""), "no query section");
        // The advisor takes it as evidence.
        let (code, rec) = {
            let resp = reqwest::Client::new()
                .post(format!("{base}/api/recommend"))
                .json(&json!({
                    "freshness": "1h", "transformation": "windowed-aggregation",
                    "team_experience": "some", "budget_usd_per_month": null,
                    "events_per_second": 50, "late_data": "some",
                    "reprocessing": "rare", "workload": format!("spec:{id}"),
                }))
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        };
        assert_eq!(code, 200, "{rec}");
        ids.push(id);
    }
    // Both are listed with the specs, measured.
    let (_, list) = get(base, "/api/specs").await;
    for id in &ids {
        let item = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} not listed: {list}"));
        assert_eq!(item["has_report"], true, "{item}");
    }
    // Deleting a sample removes its directory.
    let resp = reqwest::Client::new()
        .delete(format!("{base}/api/specs/{}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    assert!(!data.path().join("specs").join(&ids[0]).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_are_refused_with_the_place_and_nothing_is_kept() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &["--max-sample-bytes", "1048576"]).await;
    let base = &server.base;

    // A wrong type past the rows inference looks at: row 10,234 (line
    // 10,235 with the header) has text in the number column.
    let mut text = clicks_csv(10_500);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[10_234].split(',').collect();
    fields[3] = "twelve";
    lines[10_234] = fields.join(",");
    text = lines.join("\n") + "\n";
    let answer = upload(base, "clicks-bad.csv", text.into_bytes()).await;
    refused(&answer, 422, &["clicks-bad.csv", "10235", "amount"]);

    // Not UTF-8.
    let mut bytes = clicks_csv(20).into_bytes();
    let at = bytes
        .windows(3)
        .position(|w| w == b"u1,")
        .expect("a row of user u1");
    bytes[at + 1] = 0xff;
    let answer = upload(base, "latin.csv", bytes).await;
    refused(&answer, 422, &["latin.csv", "UTF-8"]);

    // A truncated Parquet file.
    let mut parquet = clicks_parquet(200);
    parquet.truncate(parquet.len() - 40);
    let answer = upload(base, "cut.parquet", parquet).await;
    refused(&answer, 422, &["cut.parquet"]);

    // Not CSV or Parquet by its name; no name at all.
    refused(
        &upload(base, "notes.txt", b"hello".to_vec()).await,
        415,
        &["notes.txt"],
    );
    refused(
        &upload(base, "", b"a,b\n1,2\n".to_vec()).await,
        400,
        &["name"],
    );
    // An empty file.
    refused(
        &upload(base, "empty.csv", Vec::new()).await,
        400,
        &["empty"],
    );

    // Over the bound: a readable 413 naming it.
    let answer = upload(base, "big.csv", vec![b'1'; 2 * 1024 * 1024]).await;
    refused(&answer, 413, &["1 MiB"]);

    // None of it was kept, and the server still answers.
    assert!(stored(data.path()).is_empty(), "{:?}", stored(data.path()));
    let (code, list) = get(base, "/api/specs").await;
    assert_eq!((code, list), (200, json!([])));

    // A file without a time column is stored (its schema is useful), but a
    // run without an event-time column is refused naming the column.
    let (code, up) = upload(base, "plain.csv", b"user,page\na,/x\nb,/y\n".to_vec()).await;
    assert_eq!(code, 201, "{up}");
    let id = up["id"].as_str().unwrap();
    let answer = run(
        base,
        id,
        &json!({ "sql": "SELECT user, COUNT(*) AS c FROM events GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)" }),
    )
    .await;
    refused(&answer, 422, &["event-time"]);
    let answer = run(base, id, &json!({ "sql": "SELECT user, COUNT(*) AS c FROM events GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)", "event_time": "ts" })).await;
    refused(&answer, 422, &["ts"]);
    // An unknown sample.
    refused(
        &run(base, "s-0000000000000000", &json!({ "sql": SQL })).await,
        404,
        &["s-0000000000000000"],
    );

    // At most MAX_SAMPLES (20) are kept: one is stored, 19 more fit.
    for i in 1..20 {
        let (code, up) = upload(base, &format!("s{i}.csv"), b"user,page\na,/x\n".to_vec()).await;
        assert_eq!(code, 201, "{up}");
    }
    let answer = upload(base, "one-too-many.csv", b"user,page\na,/x\n".to_vec()).await;
    refused(&answer, 507, &["20 samples"]);
    assert_eq!(stored(data.path()).len(), 20, "{:?}", stored(data.path()));
}

/// A file with a reference workload's contract columns (the golden
/// transactions) uploaded as a sample and measured as fraud-alerts: the
/// report is fraud-alerts' own, on the file's events, and its exact plans
/// are exact. Asking for a reference workload the file does not fit names
/// the missing column.
#[tokio::test(flavor = "multi_thread")]
async fn a_reference_workload_runs_on_an_uploaded_file_with_its_columns() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/transactions.csv");
    let bytes = std::fs::read(&golden).expect("the golden transactions");
    let rows = bytes.iter().filter(|&&b| b == b'\n').count() as u64 - 1;
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = &server.base;
    let (code, up) = upload(base, "my-transactions.csv", bytes).await;
    assert_eq!(code, 201, "{up}");
    let id = up["id"].as_str().expect("an id").to_string();
    let answer = run(base, &id, &json!({ "workload": "sessionization" })).await;
    refused(&answer, 422, &["user_id"]);
    let (code, queued) = run(base, &id, &json!({ "workload": "fraud-alerts" })).await;
    assert_eq!(code, 202, "{queued}");
    let job = queued["job"].as_str().expect("a job id").to_string();
    let record = wait_job(base, &job).await;
    assert_eq!(record["state"], "done", "{record}");
    let (code, sample) = get(base, &format!("/api/samples/{id}")).await;
    assert_eq!(code, 200, "{sample}");
    let report = &sample["report"];
    assert_eq!(report["workload"], "fraud-alerts", "{report}");
    assert_eq!(report["scenario"]["events"], rows, "{}", report["scenario"]);
    let source = report["scenario"]["source"].as_str().unwrap_or("");
    assert!(
        source.contains("my-transactions.csv") && source.contains("fraud-alerts"),
        "{source}"
    );
    let modes = report["modes"].as_array().expect("modes");
    assert!(!modes.is_empty());
    for m in modes.iter().filter(|m| m["promises_exact"] == true) {
        assert_eq!(m["correctness"]["exact"], true, "{}", m["label"]);
    }

    // The same rows with the file's own column names, and a mapping.
    let text = std::fs::read_to_string(&golden).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let renamed = format!(
        "{}\n{rest}",
        header
            .replace("card_id", "card")
            .replace("event_time", "ts")
    );
    let (code, up) = upload(base, "renamed.csv", renamed.into_bytes()).await;
    assert_eq!(code, 201, "{up}");
    let id = up["id"].as_str().expect("an id").to_string();
    let unmapped = run(base, &id, &json!({ "workload": "fraud-alerts" })).await;
    refused(&unmapped, 422, &["card_id"]);
    let wrong = run(
        base,
        &id,
        &json!({ "workload": "fraud-alerts", "columns": { "card_id": "kard", "event_time": "ts" } }),
    )
    .await;
    refused(&wrong, 422, &["kard"]);
    let mapped =
        json!({ "workload": "fraud-alerts", "columns": { "card_id": "card", "event_time": "ts" } });
    let (code, queued) = run(base, &id, &mapped).await;
    assert_eq!(code, 202, "{queued}");
    let record = wait_job(base, queued["job"].as_str().unwrap()).await;
    assert_eq!(record["state"], "done", "{record}");
    let (_, sample) = get(base, &format!("/api/samples/{id}")).await;
    let report = &sample["report"];
    assert_eq!(report["workload"], "fraud-alerts", "{report}");
    for m in report["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["promises_exact"] == true)
    {
        assert_eq!(m["correctness"]["exact"], true, "{}", m["label"]);
    }
}

//! Spec upload and job queue tests: run the `weir-server` binary on
//! 127.0.0.1 (without the reference runs) and check every `/api/specs` and
//! `/api/jobs` endpoint, bad uploads, the queue bound, cancel, the time
//! limit, and that a restart keeps finished results and marks cut-short
//! jobs `interrupted`.

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

/// A spec that runs in about a second in a debug build.
const SMALL: &str = r#"
name = "tiny-fraud"
realtime = false

[workload]
reference = "fraud-alerts"

[load]
events_per_second = 20
duration = "10m"
keys = 100

[[candidates.batch]]
every = "5m"

[[candidates.stream]]
emit = "final"
watermark_delay = "5s"
allowed_lateness = "1m"
"#;

/// A spec that runs for minutes (1.4 M events, four candidates): long
/// enough to be queued behind, cancelled, timed out or interrupted.
const LONG: &str = r#"
name = "long-sessions"
realtime = false

[workload]
reference = "sessionization"

[load]
events_per_second = 200
duration = "2h"
keys = 5000

[[candidates.batch]]
every = "15m"

[[candidates.micro_batch]]
every = "10s"
watermark_delay = "5s"

[[candidates.stream]]
emit = "final"
watermark_delay = "5s"

[[candidates.stream]]
emit = "eager+correct"
watermark_delay = "5s"
"#;

/// POSTs a body with a content type (none when `ct` is empty).
async fn post(base: &str, ct: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/specs"))
        .body(body);
    if !ct.is_empty() {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.expect("the server answers");
    let code = r.status().as_u16();
    (code, r.json().await.unwrap_or(Value::Null))
}

/// Announces a 10 MiB upload and sends its first 64 KiB, then reads the
/// answer. (A client that insists on writing all 10 MiB gets a broken pipe
/// once the server has answered 413 and closed, so reqwest cannot test this
/// reliably.)
async fn post_10_mib(base: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/specs HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/toml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        10 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // The server may answer before reading any of it: ignore write errors.
    let _ = s.write_all(&vec![b'#'; 64 * 1024]).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw);
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (code, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    let code = r.status().as_u16();
    (code, r.json().await.unwrap_or(Value::Null))
}

async fn send(method: reqwest::Method, base: &str, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    let code = r.status().as_u16();
    (code, r.json().await.unwrap_or(Value::Null))
}

/// Waits until the job's state satisfies `done`.
async fn wait_job(base: &str, job: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let (code, j) = get(base, &format!("/api/jobs/{job}")).await;
        assert_eq!(code, 200, "{j}");
        if done(&j) {
            return j;
        }
        assert!(Instant::now() < deadline, "job never got {what}: {j}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asserts a refusal: the status, the JSON shape, and that `needle`
/// appears in a message; then that the server still answers.
async fn refused(base: &str, (code, body): (u16, Value), status: u16, needle: &str) {
    assert_eq!(code, status, "{body}");
    let errors = body["errors"].as_array().expect("an errors array");
    assert!(!errors.is_empty(), "{body}");
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains(needle) && e["path"].is_string()),
        "no message with `{needle}`: {body}"
    );
    let (ok, _) = get(base, "/api/status").await;
    assert_eq!(ok, 200, "the server stopped serving after a bad upload");
}

#[tokio::test]
async fn uploads_are_validated_measured_listed_and_deleted() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = server.base.as_str();

    // Bad uploads: a clear 4xx each, and the server keeps serving.
    refused(base, post(base, "application/toml", "").await, 400, "empty").await;
    refused(
        base,
        post(base, "application/toml", " \n\t").await,
        400,
        "empty",
    )
    .await;
    refused(base, post_10_mib(base).await, 413, "64 KiB").await;
    let over = format!("{SMALL}\n# {}\n", "x".repeat(64 * 1024));
    refused(
        base,
        post(base, "application/toml", over).await,
        413,
        "64 KiB",
    )
    .await;
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i * 7919 % 251) as u8 | 0x80)
        .collect();
    refused(
        base,
        post(base, "application/toml", garbage).await,
        400,
        "UTF-8",
    )
    .await;
    refused(
        base,
        post(base, "application/toml", "name = \"x").await,
        422,
        "line 1",
    )
    .await;
    refused(
        base,
        post(base, "application/json", "{\"name\": ").await,
        422,
        "JSON",
    )
    .await;
    let unknown = SMALL.replace("keys = 100", "keys = 100\ncolour = \"blue\"");
    let (code, body) = post(base, "application/toml", unknown).await;
    assert_eq!(body["errors"][0]["path"], "load.colour", "{body}");
    refused(base, (code, body), 422, "colour").await;
    let invalid = SMALL.replace("events_per_second = 20", "events_per_second = -5");
    let (code, body) = post(base, "application/toml", invalid).await;
    assert_eq!(
        body["errors"][0]["path"], "load.events_per_second",
        "{body}"
    );
    refused(base, (code, body), 422, "").await;
    refused(
        base,
        post(base, "text/plain", SMALL).await,
        415,
        "Content-Type",
    )
    .await;
    refused(base, post(base, "", SMALL).await, 415, "Content-Type").await;
    let (_, list) = get(base, "/api/specs").await;
    assert_eq!(list, json!([]), "a refused upload was stored");

    // A good TOML spec: 201, queued, measured, stored with its spec.
    let (code, created) = post(base, "application/toml; charset=utf-8", SMALL).await;
    assert_eq!(code, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let job = created["job"].as_str().unwrap().to_string();
    assert!(id.starts_with("s-") && job.starts_with("j-"), "{created}");
    let done = wait_job(base, &job, "finished", |j| {
        j["state"] != "queued" && j["state"] != "running"
    })
    .await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["percent"], 100.0);
    assert_eq!(done["target"], json!({"kind": "spec", "spec_id": id}));
    let dir = data.path().join("specs").join(&id);
    assert!(dir.join("spec.toml").is_file() && dir.join("report.json").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join("spec.toml")).unwrap(),
        SMALL
    );

    // The same spec as JSON (and a user's name never becomes the id).
    let as_json = json!({
        "name": "tiny-fraud",
        "realtime": false,
        "workload": {"reference": "fraud-alerts"},
        "load": {"events_per_second": 20, "duration": "10m", "keys": 100},
        "candidates": {"batch": [{"every": "5m"}]},
    });
    let (code, second) = post(base, "application/json", as_json.to_string()).await;
    assert_eq!(code, 201, "{second}");
    assert_ne!(second["id"], created["id"]);
    let job2 = second["job"].as_str().unwrap().to_string();
    wait_job(base, &job2, "done", |j| j["state"] == "done").await;

    let (code, list) = get(base, "/api/specs").await;
    assert_eq!(code, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[1]["id"], id.as_str(), "newest first");
    assert_eq!(list[1]["has_report"], true);
    let (code, one) = get(base, &format!("/api/specs/{id}")).await;
    assert_eq!(code, 200);
    assert_eq!(one["spec"], SMALL);
    assert_eq!(one["format"], "toml");
    assert_eq!(one["job"]["state"], "done");
    assert_eq!(one["report"]["workload"], "fraud-alerts");
    assert_eq!(one["report"]["modes"].as_array().unwrap().len(), 2);

    // Pages: the report with the workload page's tables, the job, the list.
    let html = |path: String| async move {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.text().await.unwrap()
    };
    let page = html(format!("/specs/{id}")).await;
    assert!(
        page.contains("Latency and cost") && page.contains("<svg"),
        "spec page lacks the report"
    );
    let page = html(format!("/jobs/{job}")).await;
    assert!(page.contains("data-state=\"done\"") && page.contains("id=\"view-report\""));
    let page = html("/specs".into()).await;
    assert!(page.contains(&format!("data-spec=\"{id}\"")));
    let page = html("/specs/new".into()).await;
    assert!(page.contains("id=\"spec-text\"") && page.contains("[[candidates.batch]]"));
    // The questionnaire offers it as evidence, and the advisor uses it.
    let page = html("/".into()).await;
    assert!(
        page.contains(&format!("value=\"spec:{id}\"")),
        "no spec option"
    );
    let answers = json!({
        "freshness": "15m", "transformation": "filter-alert", "team_experience": "some",
        "budget_usd_per_month": null, "events_per_second": 200, "late_data": "some",
        "reprocessing": "rare", "workload": format!("spec:{id}")
    });
    let r = reqwest::Client::new()
        .post(format!("{base}/api/recommend"))
        .header("content-type", "application/json")
        .body(answers.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let rec: Value = r.json().await.unwrap();
    assert_eq!(
        rec["evidence"]["rows"].as_array().unwrap().len(),
        2,
        "{rec}"
    );

    // Without JavaScript the upload form posts and is redirected.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = |text: &str| {
        format!(
            "text={}&format=toml",
            text.bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        )
    };
    let plain = |body: String| {
        client
            .post(format!("{base}/fn/upload-spec"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("referer", format!("{base}/specs/new"))
            .body(body)
            .send()
    };
    let r = plain(form("name = 1")).await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let to = r.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/specs/new?error=name"), "{to}");
    let r = plain(form(SMALL)).await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/jobs/j-"), "{to}");
    let job3 = to.trim_start_matches("/jobs/");
    wait_job(base, job3, "done", |j| j["state"] == "done").await;
    // A finished job cannot be cancelled.
    let (code, body) = send(
        reqwest::Method::POST,
        base,
        &format!("/api/jobs/{job3}/cancel"),
    )
    .await;
    assert_eq!(code, 409, "{body}");

    // Delete: 204, then gone (list, API, disk); again → 404.
    let (code, _) = send(reqwest::Method::DELETE, base, &format!("/api/specs/{id}")).await;
    assert_eq!(code, 204);
    let (code, body) = get(base, &format!("/api/specs/{id}")).await;
    assert_eq!(code, 404, "{body}");
    assert!(!dir.exists(), "the spec directory is left behind");
    let (code, _) = send(reqwest::Method::DELETE, base, &format!("/api/specs/{id}")).await;
    assert_eq!(code, 404);
    let (_, list) = get(base, "/api/specs").await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Ids are checked before any path is built.
    for bad in ["..", "..%2Freports", "S-UPPER", "%2e%2e"] {
        let (code, body) = get(base, &format!("/api/specs/{bad}")).await;
        assert_eq!(code, 404, "{bad}: {body}");
        let (code, _) = send(reqwest::Method::DELETE, base, &format!("/api/specs/{bad}")).await;
        assert!(code == 404 || code == 405, "{bad}: {code}");
        let (code, _) = get(base, &format!("/api/jobs/{bad}")).await;
        assert_eq!(code, 404, "{bad}");
    }
    assert!(data.path().join("jobs").is_dir() && data.path().join("reports").is_dir());
}

#[tokio::test]
async fn the_queue_is_bounded_and_jobs_cancel() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &["--max-queue", "1"]).await;
    let base = server.base.as_str();

    let (code, a) = post(base, "application/toml", LONG).await;
    assert_eq!(code, 201, "{a}");
    let a = a["job"].as_str().unwrap().to_string();
    wait_job(base, &a, "running", |j| j["state"] == "running").await;
    let (code, b) = post(base, "application/toml", SMALL).await;
    assert_eq!(code, 201, "{b}");
    let b_spec = b["id"].as_str().unwrap().to_string();
    let b = b["job"].as_str().unwrap().to_string();
    let (_, jb) = get(base, &format!("/api/jobs/{b}")).await;
    assert_eq!(jb["state"], "queued");
    assert_eq!(jb["position"], 1);

    // Beyond the bound: 429 with a message, and nothing is stored.
    let r = reqwest::Client::new()
        .post(format!("{base}/api/specs"))
        .header("content-type", "application/toml")
        .body(SMALL)
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("retry-after"));
    let full = (r.status().as_u16(), r.json::<Value>().await.unwrap());
    refused(base, full, 429, "queue is full").await;
    let (_, list) = get(base, "/api/specs").await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Cancel the waiting job (DELETE) at once, the running one (POST
    // …/cancel) at its next progress point.
    let (code, jb) = send(reqwest::Method::DELETE, base, &format!("/api/jobs/{b}")).await;
    assert_eq!(code, 200, "{jb}");
    assert_eq!(jb["state"], "cancelled");
    let (code, ja) = send(
        reqwest::Method::POST,
        base,
        &format!("/api/jobs/{a}/cancel"),
    )
    .await;
    assert_eq!(code, 200, "{ja}");
    assert_eq!(ja["cancel_requested"], true);
    let ja = wait_job(base, &a, "cancelled", |j| j["state"] != "running").await;
    assert_eq!(ja["state"], "cancelled", "{ja}");
    let (code, _) = send(
        reqwest::Method::POST,
        base,
        &format!("/api/jobs/{a}/cancel"),
    )
    .await;
    assert_eq!(code, 409);
    let (code, _) = send(
        reqwest::Method::POST,
        base,
        "/api/jobs/j-0000000000000000/cancel",
    )
    .await;
    assert_eq!(code, 404);

    // The queue is free again: the next upload runs to the end.
    let (code, c) = post(base, "application/toml", SMALL).await;
    assert_eq!(code, 201, "{c}");
    let c = c["job"].as_str().unwrap();
    let jc = wait_job(base, c, "finished", |j| {
        j["state"] != "queued" && j["state"] != "running"
    })
    .await;
    assert_eq!(jc["state"], "done", "{jc}");
    // A cancelled spec has no report.
    let (_, sb) = get(base, &format!("/api/specs/{b_spec}")).await;
    assert!(sb["report"].is_null(), "{sb}");
}

#[tokio::test]
async fn the_time_limit_stops_a_job() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &["--job-time-limit", "1s"]).await;
    let base = server.base.as_str();
    let (code, a) = post(base, "application/toml", LONG).await;
    assert_eq!(code, 201, "{a}");
    let a = a["job"].as_str().unwrap();
    let ja = wait_job(base, a, "stopped", |j| {
        j["state"] != "queued" && j["state"] != "running"
    })
    .await;
    assert_eq!(ja["state"], "timed-out", "{ja}");
    assert!(ja["error"].as_str().unwrap().contains("time limit"), "{ja}");
    assert_eq!(ja["time_limit_seconds"], 1);
}

#[tokio::test]
async fn a_restart_keeps_results_and_marks_cut_short_jobs_interrupted() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = server.base.clone();
    let (_, done) = post(&base, "application/toml", SMALL).await;
    let done_spec = done["id"].as_str().unwrap().to_string();
    let done_job = done["job"].as_str().unwrap().to_string();
    wait_job(&base, &done_job, "done", |j| j["state"] == "done").await;
    let (_, long) = post(&base, "application/toml", LONG).await;
    let long_job = long["job"].as_str().unwrap().to_string();
    let (_, queued) = post(&base, "application/toml", SMALL).await;
    let queued_job = queued["job"].as_str().unwrap().to_string();
    wait_job(&base, &long_job, "running", |j| j["state"] == "running").await;
    // Killed mid-run: no chance to clean up.
    drop(server);

    let server = start(data.path(), &[]).await;
    let base = server.base.clone();
    for job in [&long_job, &queued_job] {
        let (code, j) = get(&base, &format!("/api/jobs/{job}")).await;
        assert_eq!(code, 200, "{j}");
        assert_eq!(j["state"], "interrupted", "{j}");
        assert!(
            j["error"].as_str().unwrap().contains("server stopped"),
            "{j}"
        );
    }
    let (_, j) = get(&base, &format!("/api/jobs/{done_job}")).await;
    assert_eq!(j["state"], "done");
    let (code, s) = get(&base, &format!("/api/specs/{done_spec}")).await;
    assert_eq!(code, 200);
    assert_eq!(
        s["report"]["workload"], "fraud-alerts",
        "the finished result was lost"
    );
    let (_, st) = get(&base, "/api/status").await;
    assert_eq!(st["running"], false, "{st}");
    let (_, list) = get(&base, "/api/specs").await;
    assert_eq!(list.as_array().unwrap().len(), 3);
}

/// A user's own workload (columns + query, no reference workload): uploaded
/// as JSON, measured in every candidate mode, its exact plans checked
/// against ground truth, and usable as the questionnaire's evidence.
#[tokio::test]
async fn a_custom_workload_spec_is_measured_and_advised_on() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = server.base.as_str();
    let spec = json!({
        "name": "my-checkout-alerts",
        "realtime": false,
        "workload": {"custom": {
            "columns": [
                {"type": "key", "name": "shop", "cardinality": 50},
                {"type": "number", "name": "price", "decimals": 2,
                 "distribution": {"kind": "log-normal", "median": 20.0, "sigma": 1.0}},
                {"type": "category", "name": "device", "values": ["web", "ios", "android"]}
            ],
            "query": {
                "key": "shop",
                "filter": [{"column": "device", "op": "!=", "value": "web"}],
                "window": {"kind": "tumbling", "size": "5m"},
                "aggregates": [
                    {"name": "orders", "function": "count"},
                    {"name": "revenue", "function": "sum", "column": "price"}
                ],
                "alert": {"aggregate": "orders", "op": ">=", "value": 3}
            }
        }},
        "load": {"events_per_second": 5, "duration": "30m", "late_fraction": 0.02,
                 "max_lateness": "2m"},
        "candidates": {
            "batch": [{"every": "5m"}],
            "stream": [{"emit": "eager+correct", "watermark_delay": "5s"}]
        }
    });
    let (code, created) = post(base, "application/json", spec.to_string()).await;
    assert_eq!(code, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let job = created["job"].as_str().unwrap().to_string();
    let done = wait_job(base, &job, "finished", |j| {
        j["state"] != "queued" && j["state"] != "running"
    })
    .await;
    assert_eq!(done["state"], "done", "{done}");
    let (_, one) = get(base, &format!("/api/specs/{id}")).await;
    let report = &one["report"];
    assert_eq!(report["workload"], "custom", "{report}");
    let modes = report["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 2, "{report}");
    for m in modes {
        // No watermark drops configured: both plans must be exact.
        assert_eq!(m["correctness"]["exact"], true, "{m}");
    }
    // A bad custom query names the field path.
    let mut bad = spec.clone();
    bad["workload"]["custom"]["query"]["aggregates"][1]["column"] = json!("colour");
    let (code, body) = post(base, "application/json", bad.to_string()).await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["errors"][0]["path"], "workload.custom.query.aggregates[1].column",
        "{body}"
    );
    // The advisor takes the uploaded workload as its evidence.
    let answers = json!({
        "freshness": "15m", "transformation": "filter-alert", "team_experience": "none",
        "budget_usd_per_month": null, "events_per_second": 50, "late_data": "some",
        "reprocessing": "rare", "workload": format!("spec:{id}")
    });
    let r = reqwest::Client::new()
        .post(format!("{base}/api/recommend"))
        .header("content-type", "application/json")
        .body(answers.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let rec: Value = r.json().await.unwrap();
    assert_eq!(
        rec["evidence"]["rows"].as_array().unwrap().len(),
        2,
        "{rec}"
    );
}

/// A spec whose `[engine]` is Ballista runs its batch plan on a local
/// cluster the server starts for the job (processes of the bench-harness
/// binary beside weir-server) and stops after it: the report says so, and
/// the output is exact.
#[tokio::test]
async fn a_ballista_spec_runs_on_a_cluster_the_server_starts() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &[]).await;
    let base = &server.base;
    let spec = format!("{SMALL}\n[engine]\nkind = \"ballista\"\nexecutors = 1\n")
        .replace("tiny-fraud", "tiny-fraud-ballista");
    let (code, created) = post(base, "application/toml", spec).await;
    assert_eq!(code, 201, "{created}");
    let job = created["job"].as_str().unwrap().to_string();
    let done = wait_job(base, &job, "finished", |j| {
        j["state"] != "queued" && j["state"] != "running"
    })
    .await;
    assert_eq!(done["state"], "done", "{done}");
    let id = created["id"].as_str().unwrap();
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.path().join("specs").join(id).join("report.json")).unwrap(),
    )
    .unwrap();
    let notes = report["methodology"]["notes"].to_string();
    assert!(notes.contains("Ballista at df://127.0.0.1:"), "{notes}");
    let batch = report["modes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == "batch")
        .expect("a batch plan");
    assert_eq!(batch["correctness"]["exact"], true, "{batch}");
}

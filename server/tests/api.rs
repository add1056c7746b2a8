//! API tests: runs the `weir-server` binary on 127.0.0.1 with a temporary
//! data directory and quick scenarios, and checks the JSON API, the no-JS
//! form post, persistence across a restart and a corrupt file being skipped.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::{Value, json};

async fn start(data: &Path) -> Server {
    start_with(data, &[]).await
}

/// Starts the server (quick scenarios) with extra command-line arguments.
async fn start_with(data: &Path, extra: &[&str]) -> Server {
    common::spawn(data, extra, &[("WEIR_QUICK", "1")]).await
}

/// Sends SIGTERM to the server process.
fn sigterm(server: &Server) {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid} failed");
}

async fn status(base: &str) -> Value {
    reqwest::get(format!("{base}/api/status"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits until the three reference reports are stored.
async fn wait_for_reports(base: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let s = status(base).await;
        if s["reports"].as_u64() == Some(3) && s["running"] == json!(false) {
            return s;
        }
        assert!(s["last_error"].is_null(), "a reference run failed: {s}");
        assert!(
            Instant::now() < deadline,
            "reference runs did not finish: {s}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn recommend(base: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/recommend"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let code = r.status().as_u16();
    (code, r.json().await.unwrap_or(Value::Null))
}

fn answers(freshness: &str, transformation: &str) -> Value {
    json!({
        "freshness": freshness, "transformation": transformation, "team_experience": "some",
        "budget_usd_per_month": null, "events_per_second": 200, "late_data": "some",
        "reprocessing": "rare", "workload": null
    })
}

#[tokio::test]
async fn api_serves_measures_persists_and_validates() {
    let data = tempfile::tempdir().unwrap();
    // Scale-out on clusters of 1 and 2 executors: processes of the
    // bench-harness binary that `cargo test --workspace` builds beside
    // weir-server.
    let server = start_with(data.path(), &["--scale-out", "1,2"]).await;
    let base = server.base.clone();

    // Validation works before any report exists: errors name the field.
    let mut bad = answers("15m", "enrichment");
    bad["colour"] = json!("blue");
    let (code, body) = recommend(&base, &bad.to_string()).await;
    assert_eq!(code, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("colour"), "{body}");
    assert_eq!(body["fields"][0]["field"], "colour");
    let (code, body) = recommend(&base, &answers("2 weeks", "enrichment").to_string()).await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "freshness", "{body}");
    let (code, _) = recommend(&base, "{not json").await;
    assert_eq!(code, 400);

    // First start: the three reference workloads are measured in the background.
    let s = wait_for_reports(&base).await;
    assert_eq!(
        s["workloads_measured"],
        json!(["daily-report", "fraud-alerts", "sessionization"])
    );

    let list: Value = reqwest::get(format!("{base}/api/reports"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    let one = reqwest::get(format!("{base}/api/reports/fraud-alerts"))
        .await
        .unwrap();
    assert_eq!(one.status().as_u16(), 200);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["workload"], "fraud-alerts");
    assert!(!one["modes"].as_array().unwrap().is_empty());
    // Measured through a private broker too (the test command installs
    // redis-server): the kappa replay and recovery, exact.
    let broker = &one["broker"];
    assert_eq!(broker["replay_exact"], true, "{broker}");
    let recovery = &broker["recovery"];
    assert_eq!(recovery["batch_rerun_exact"], true, "{recovery}");
    for m in recovery["modes"].as_array().unwrap() {
        assert_eq!(m["exact"], true, "{m}");
        assert!(m["checkpoint_bytes"].as_u64().unwrap() > 0, "{m}");
    }
    let page = reqwest::get(format!("{base}/workloads/fraud-alerts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Through a replayable log") && page.contains("caught up in"),
        "the report page shows the recovery figures"
    );
    // And on Ballista clusters: every point exact, a fitted curve, clusters
    // sized, shown on the page with its chart.
    let scaling = &one["scaling"];
    let points = scaling["points"].as_array().expect("scaling points");
    assert_eq!(points.len(), 2, "{scaling}");
    assert!(points.iter().all(|p| p["exact"] == true), "{scaling}");
    assert!(scaling["fit"].is_object(), "{scaling}");
    assert!(
        !scaling["sizing"].as_array().unwrap().is_empty(),
        "{scaling}"
    );
    assert!(
        page.contains("Scale-out on a Ballista cluster")
            && page.contains("Cluster sizing")
            && page.contains("batch throughput vs Ballista executors"),
        "the report page shows the scale-out, the sizing and its chart"
    );
    // The reference runs went through the job queue.
    let jobs: Value = reqwest::get(format!("{base}/api/jobs"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    assert!(jobs.iter().all(|j| j["state"] == "done"), "{jobs:?}");
    let missing = reqwest::get(format!("{base}/api/reports/nope"))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // Recommendations are grounded in the stored reports.
    let (code, rec) = recommend(&base, &answers("1d", "windowed-aggregation").to_string()).await;
    assert_eq!(code, 200, "{rec}");
    assert_eq!(rec["recommendation"], "batch", "{rec}");
    assert_eq!(rec["evidence"]["workload"], "daily-report");
    assert!(!rec["evidence"]["rows"].as_array().unwrap().is_empty());
    assert!(!rec["reasons"].as_array().unwrap().is_empty());
    let (code, rec) = recommend(&base, &answers("1s", "filter-alert").to_string()).await;
    assert_eq!(code, 200, "{rec}");
    let verdict = rec["recommendation"].as_str().unwrap();
    assert!(["stream", "lambda", "kappa"].contains(&verdict), "{rec}");

    // Pages render on the server.
    let home = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(home.status().as_u16(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("id=\"questionnaire\"") && html.contains("How fresh must results be?"));
    let page = reqwest::get(format!("{base}/workloads/fraud-alerts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Latency and cost") && page.contains("<svg"),
        "workload page lacks tables or charts"
    );
    let nf = reqwest::get(format!("{base}/no-such-page")).await.unwrap();
    assert_eq!(nf.status().as_u16(), 404);

    // Without JavaScript the questionnaire is a plain form post, redirected
    // to the results page, which renders the answer on the server.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = "answers%5Bfreshness%5D=1d&answers%5Btransformation%5D=windowed-aggregation\
                &answers%5Bteam_experience%5D=none&answers%5Bbudget_usd_per_month%5D=\
                &answers%5Bevents_per_second%5D=50&answers%5Blate_data%5D=some\
                &answers%5Breprocessing%5D=rare&answers%5Bworkload%5D=";
    let r = client
        .post(format!("{base}/fn/submit-answers"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", format!("{base}/"))
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/recommendation?freshness=1d"),
        "{location}"
    );
    let page = reqwest::get(format!("{base}{location}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"evidence\""),
        "results page lacks the evidence table"
    );
    assert!(page.contains("data-recommendation=\"batch\""));

    // Graceful shutdown on SIGTERM.
    sigterm(&server);
    drop(server);

    // A corrupt file is reported and skipped; stored reports survive a restart.
    std::fs::write(data.path().join("reports/broken.json"), "{ truncated").unwrap();
    let server = start(data.path()).await;
    let s = status(&server.base).await;
    assert_eq!(s["reports"], 3, "{s}");
    assert_eq!(
        s["running"], false,
        "nothing is re-measured when reports exist: {s}"
    );
    assert!(
        s["skipped_files"][0]
            .as_str()
            .unwrap()
            .starts_with("broken.json"),
        "{s}"
    );
}

/// SIGTERM while the first start measures the reference workloads at full
/// size (minutes of work in a debug build): the process exits within
/// seconds, and the job it cut short is recorded as interrupted.
#[tokio::test]
async fn sigterm_stops_a_running_measurement_promptly() {
    let data = tempfile::tempdir().unwrap();
    let mut server = common::spawn(data.path(), &["--scenario-size", "full"], &[]).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = status(&server.base).await;
        if s["running"] == json!(true) {
            break;
        }
        assert!(Instant::now() < deadline, "no measurement started: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let it get into its work.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sigterm(&server);
    let sent = Instant::now();
    let code = loop {
        if let Some(code) = server.child.try_wait().unwrap() {
            break code;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "weir-server still runs {:?} after SIGTERM",
            sent.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(code.success(), "weir-server exited with {code}");
    let records: Vec<Value> = std::fs::read_dir(data.path().join("jobs"))
        .unwrap()
        .map(|e| serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .collect();
    assert!(
        records.iter().any(|r| r["state"] == json!("interrupted")),
        "no job recorded as interrupted: {records:?}"
    );
}

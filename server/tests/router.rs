//! The router in-process (`tower::ServiceExt::oneshot`, as axum's own
//! testing example does): no port, no process — the API's answers to good
//! and bad requests, and the refusals made by layers.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use server::scenarios::Size;
use server::{AppState, QueueConfig, router};
use tower::ServiceExt;

/// A router over an empty data directory that measures nothing by itself.
fn app(data: &Path) -> Router {
    let config = QueueConfig {
        max_queued: 2,
        time_limit: Duration::from_secs(60),
        reference_runs: false,
        broker: None,
        scale_out: None,
        harness: None,
    };
    let state: Arc<AppState> = AppState::start(data, Size::Tiny, config).expect("the state starts");
    router(state, data, SocketAddr::from(([127, 0, 0, 1], 0)))
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(req).await.expect("the router answers");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .expect("a readable body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn status_and_empty_lists() {
    let data = tempfile::tempdir().unwrap();
    let app = app(data.path());
    let (code, s) = send(&app, get("/api/status")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(s["reports"], 0, "{s}");
    assert_eq!(s["running"], false, "{s}");
    let (code, list) = send(&app, get("/api/reports")).await;
    assert_eq!((code, list), (StatusCode::OK, json!([])));
    let (code, list) = send(&app, get("/api/specs")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
}

#[tokio::test]
async fn unknown_ids_are_404_with_a_json_error() {
    let data = tempfile::tempdir().unwrap();
    let app = app(data.path());
    for path in [
        "/api/reports/nope",
        "/api/specs/nope",
        "/api/jobs/nope",
        "/api/specs/..%2Fetc",
    ] {
        let (code, body) = send(&app, get(path)).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
async fn bad_answers_name_their_field() {
    let data = tempfile::tempdir().unwrap();
    let app = app(data.path());
    let (code, body) = send(&app, post("/api/recommend", "application/json", "[1, 2")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    let answers = |freshness: &str, rate: f64| {
        json!({
            "freshness": freshness, "transformation": "filter-alert", "team_experience": "some",
            "budget_usd_per_month": null, "events_per_second": rate, "late_data": "some",
            "reprocessing": "rare", "workload": null
        })
        .to_string()
    };
    for (body, field) in [
        (answers("yesterday", 100.0), "freshness"),
        (answers("15m", -5.0), "events_per_second"),
    ] {
        let (code, reply) = send(&app, post("/api/recommend", "application/json", body)).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        let fields: Vec<&str> = reply["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["field"].as_str())
            .collect();
        assert_eq!(fields, [field], "{reply}");
    }
}

#[tokio::test]
async fn a_bad_spec_is_refused_with_its_fields_and_nothing_is_stored() {
    let data = tempfile::tempdir().unwrap();
    let app = app(data.path());
    let spec = r#"
name = "x"
[workload]
reference = "fraud-alerts"
[load]
events_per_second = -1
duration = "10m"
keys = 100
[[candidates.batch]]
every = "5m"
"#;
    let (code, body) = send(&app, post("/api/specs", "application/toml", spec)).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let paths: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(paths.contains(&"load.events_per_second"), "{body}");
    let (_, list) = send(&app, get("/api/specs")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
}

#[tokio::test]
async fn an_oversized_body_is_a_json_413() {
    let data = tempfile::tempdir().unwrap();
    let app = app(data.path());
    let big = vec![b'#'; server::BODY_LIMIT_BYTES + 1];
    let (code, body) = send(&app, post("/api/specs", "application/toml", big)).await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"].as_str().unwrap_or_default().contains("KiB"),
        "{body}"
    );
}

//! The JSON API for uploaded specs and jobs:
//! `POST /api/specs`, `GET /api/specs`, `GET|DELETE /api/specs/{id}`,
//! `GET /api/jobs`, `GET|DELETE /api/jobs/{id}`, `POST /api/jobs/{id}/cancel`.
//! Every refusal is `{"error": summary, "errors": [{"path", "message"}]}`
//! with a 4xx (or 5xx) status; [`json_errors`] turns the bare refusals of
//! layers and extractors into the same shape (the body limit,
//! `crate::oversize`, answers in it itself).

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bench_harness::spec::SpecFormat;
use serde_json::json;

use crate::jobs::CancelError;
use crate::state::AppState;
use crate::storage::valid_id;
use crate::uploads::Rejection;
use workloads::validation::FieldError;

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let summary = self.message();
        let mut resp = (
            status,
            Json(json!({ "error": summary, "errors": self.errors })),
        )
            .into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        resp
    }
}

/// The spec's format from the request's `Content-Type`.
fn format_of(headers: &HeaderMap) -> Result<SpecFormat, Rejection> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    match ct {
        None => Err(Rejection::new(
            415,
            "no Content-Type: send the spec as `application/toml` or `application/json`",
        )),
        Some(ct) => SpecFormat::from_content_type(ct).ok_or_else(|| {
            Rejection::new(
                415,
                format!(
                    "unsupported Content-Type `{ct}`: send the spec as `application/toml` or `application/json`"
                ),
            )
        }),
    }
}

/// Validates a spec and queues its run: 201 `{"id", "job", …}`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Rejection> {
    let format = format_of(&headers)?;
    let (meta, job) = state.uploads.upload(&state.jobs, &body, format)?;
    let location = format!("/api/specs/{}", meta.id);
    let body = json!({
        "id": meta.id,
        "name": meta.name,
        "job": job.id,
        "state": job.state,
        "links": {
            "spec": location,
            "job": format!("/api/jobs/{}", job.id),
            "page": format!("/jobs/{}", job.id),
        },
    });
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Uploaded specs, newest first.
pub async fn list(State(state): State<Arc<AppState>>) -> Response {
    Json(state.spec_summaries()).into_response()
}

fn not_found(what: &str, id: &str) -> Rejection {
    Rejection::new(404, format!("no {what} with id `{id}`"))
}

/// One spec: metadata, text as uploaded, its job and its report (or null).
pub async fn get(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    if !valid_id(&id) {
        return Err(not_found("uploaded spec", &id));
    }
    let e = state
        .uploads
        .entry(&id)
        .ok_or_else(|| not_found("uploaded spec", &id))?;
    let job = state.jobs.get(&e.meta.job_id);
    Ok(Json(json!({
        "id": e.meta.id,
        "name": e.meta.name,
        "format": e.meta.format,
        "created_at_unix": e.meta.created_at_unix,
        "spec": e.text,
        "job": job,
        "report": e.report.as_ref().map(|r| &r.0),
    }))
    .into_response())
}

/// Deletes a spec (and its report; its job is cancelled): 204.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    state.uploads.remove(&state.jobs, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Every job, newest first.
pub async fn jobs(State(state): State<Arc<AppState>>) -> Response {
    Json(state.jobs.list()).into_response()
}

/// One job's state and progress (plus its place in the queue).
pub async fn job(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    if !valid_id(&id) {
        return Err(not_found("job", &id));
    }
    let job = state.jobs.get(&id).ok_or_else(|| not_found("job", &id))?;
    let mut v = serde_json::to_value(&job).map_err(|e| Rejection::new(500, e.to_string()))?;
    v["position"] = json!(state.jobs.position(&id));
    Ok(Json(v).into_response())
}

/// Cancels a queued or running job: 200 with the record (a running job
/// shows `cancel_requested` until it stops), 409 if it already ended.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    match state.cancel(&id) {
        Ok(job) => Ok(Json(job).into_response()),
        Err(CancelError::NotFound) => Err(not_found("job", &id)),
        Err(e @ CancelError::Finished(_)) => Err(Rejection::new(409, e.message())),
    }
}

/// Gives `/api/` refusals made by layers and axum's own rejections the
/// API's JSON error shape.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "the body is larger than the {} KiB a request may have",
            crate::BODY_LIMIT_BYTES / 1024
        )
    } else {
        // axum's rejections explain themselves in plain text.
        let bytes = axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).trim().to_string();
        if text.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("request refused")
                .to_string()
        } else {
            text
        }
    };
    json_error(status, message)
}

/// The API's error shape for one whole-body message:
/// `{"error": message, "errors": [{"path": "", "message": message}]}`.
pub fn json_error(status: StatusCode, message: String) -> Response {
    let body = json!({
        "error": message,
        "errors": [FieldError { path: String::new(), message: message.clone() }],
    });
    let mut out = Response::new(Body::from(body.to_string()));
    *out.status_mut() = status;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    out
}

//! The JSON API for scripts and tests:
//! `POST /api/recommend`, `GET /api/reports`, `GET /api/reports/{id}`,
//! `GET /api/status`.

use std::sync::Arc;

use app::backend::Backend;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bench_harness::advisor::{self, FieldError};
use serde_json::json;

use crate::state::AppState;

/// A JSON error: `{"error": message, "fields": [{field, message}]}`.
fn error(status: StatusCode, message: &str, fields: &[FieldError]) -> Response {
    (status, Json(json!({ "error": message, "fields": fields }))).into_response()
}

/// The advisor. Unknown fields or values → 422 naming the field; a body
/// that is not a JSON object → 400.
pub async fn recommend(State(state): State<Arc<AppState>>, body: String) -> Response {
    let answers = match advisor::parse_answers(&body) {
        Ok(a) => a,
        Err(fields) => {
            let status = if fields.iter().any(|f| f.field == "body") {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            let message = format!(
                "invalid answers: {}",
                fields
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            tracing::debug!(fields = ?names, "rejected /api/recommend");
            return error(status, &message, &fields);
        }
    };
    match state.advise(&answers) {
        Ok((rec, _)) => Json(rec).into_response(),
        Err(fields) => {
            let message = fields
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            error(StatusCode::UNPROCESSABLE_ENTITY, &message, &fields)
        }
    }
}

/// Every stored report: `[{"id": …, "report": {…}}]`, oldest first.
pub async fn reports(State(state): State<Arc<AppState>>) -> Response {
    let list: Vec<_> = state
        .entries()
        .into_iter()
        .map(|(id, report)| json!({ "id": id, "report": report }))
        .collect();
    Json(list).into_response()
}

/// One stored report, as the harness wrote it.
pub async fn report(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match state.report(&id) {
        Some(r) => Json(r).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("no report with id `{id}`"),
            &[],
        ),
    }
}

/// The background runner's progress and what is stored.
pub async fn status(State(state): State<Arc<AppState>>) -> Response {
    Json(state.status()).into_response()
}

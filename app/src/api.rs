//! Server functions: the pages' calls to the server. Each runs on the
//! server (with the [`crate::backend::SharedBackend`] from context) and is
//! called over HTTP from the hydrated client, or posted to by a plain
//! `<form>` when JavaScript is off.

use leptos::prelude::*;

use crate::model::{
    Outcome, RecommendationView, RerunParams, StatusView, WorkloadPage, WorkloadSummary,
};
use crate::questions::Answers;

#[cfg(feature = "ssr")]
fn backend() -> Result<crate::backend::SharedBackend, ServerFnError> {
    use_context::<crate::backend::SharedBackend>()
        .ok_or_else(|| ServerFnError::new("server misconfigured: no backend in context"))
}

/// True when a plain HTML form (no JavaScript) made the request.
#[cfg(feature = "ssr")]
async fn from_plain_form() -> bool {
    let headers: Result<http::HeaderMap, _> = leptos_axum::extract().await;
    headers.is_ok_and(|h| {
        h.get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// Progress of the background measurements.
#[server(prefix = "/fn", endpoint = "status")]
pub async fn get_status() -> Result<StatusView, ServerFnError> {
    Ok(backend()?.status())
}

/// The reference workloads.
#[server(prefix = "/fn", endpoint = "workloads")]
pub async fn list_workloads() -> Result<Vec<WorkloadSummary>, ServerFnError> {
    Ok(backend()?.workloads())
}

/// One workload's page data.
#[server(prefix = "/fn", endpoint = "workload")]
pub async fn get_workload(name: String) -> Result<Option<WorkloadPage>, ServerFnError> {
    Ok(backend()?.workload(&name))
}

/// The recommendation for a set of answers (used by the results page).
#[server(prefix = "/fn", endpoint = "recommendation")]
pub async fn get_recommendation(
    answers: Answers,
) -> Result<Outcome<RecommendationView>, ServerFnError> {
    Ok(backend()?.recommend(&answers))
}

/// The questionnaire's submit. With JavaScript the page shows the answer in
/// place; a plain form post is redirected to the results page, which
/// renders the same answer on the server.
#[server(prefix = "/fn", endpoint = "submit-answers")]
pub async fn submit_answers(
    answers: Answers,
) -> Result<Outcome<RecommendationView>, ServerFnError> {
    let outcome = backend()?.recommend(&answers);
    if from_plain_form().await {
        leptos_axum::redirect(&format!("/recommendation?{}", answers.to_query()));
    }
    Ok(outcome)
}

/// Queues a rerun of a workload with other parameters.
#[server(prefix = "/fn", endpoint = "rerun")]
pub async fn rerun_workload(params: RerunParams) -> Result<Outcome<String>, ServerFnError> {
    let outcome = match backend()?.rerun(&params) {
        Ok(job) => Outcome::Done(job),
        Err(errors) => Outcome::Invalid(errors),
    };
    if from_plain_form().await {
        leptos_axum::redirect(&format!(
            "/workloads/{}",
            crate::questions::percent_encode(&params.workload)
        ));
    }
    Ok(outcome)
}

/// The methodology text.
#[server(prefix = "/fn", endpoint = "methodology")]
pub async fn get_methodology() -> Result<Vec<(String, Vec<String>)>, ServerFnError> {
    Ok(backend()?.methodology())
}

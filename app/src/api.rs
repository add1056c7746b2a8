//! Server functions: the pages' calls to the server. Each runs on the
//! server (with the [`crate::backend::SharedBackend`] from context) and is
//! called over HTTP from the hydrated client, or posted to by a plain
//! `<form>` when JavaScript is off.

use leptos::prelude::*;

use crate::model::{
    JobView, Outcome, RecommendationView, RerunParams, SampleView, SpecPage, SpecSummary,
    StatusView, Uploaded, WorkloadPage, WorkloadSummary,
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

/// Uploaded specs, newest first.
#[server(prefix = "/fn", endpoint = "specs")]
pub async fn list_specs() -> Result<Vec<SpecSummary>, ServerFnError> {
    Ok(backend()?.specs())
}

/// One uploaded spec's page data.
#[server(prefix = "/fn", endpoint = "spec")]
pub async fn get_spec(id: String) -> Result<Option<SpecPage>, ServerFnError> {
    Ok(backend()?.spec(&id))
}

/// Largest sample file an upload may send, in bytes (the upload page
/// checks a picked file against it before sending any of it).
#[server(prefix = "/fn", endpoint = "sample-limit")]
pub async fn get_sample_limit() -> Result<u64, ServerFnError> {
    Ok(backend()?.max_sample_bytes())
}

/// One uploaded sample and its inferred schema. (The file itself is
/// uploaded to `POST /api/samples` and run with `POST
/// /api/samples/{id}/run`: the JSON API, which streams the body to disk.)
#[server(prefix = "/fn", endpoint = "sample")]
pub async fn get_sample(id: String) -> Result<Option<SampleView>, ServerFnError> {
    Ok(backend()?.sample(&id))
}

/// One job's state and progress.
#[server(prefix = "/fn", endpoint = "job")]
pub async fn get_job(id: String) -> Result<Option<JobView>, ServerFnError> {
    Ok(backend()?.job(&id))
}

/// The upload form's submit: validates the spec and queues its run. A plain
/// form post is redirected to the job's page, or back to the upload page
/// with the errors in the query when the spec is refused.
#[server(prefix = "/fn", endpoint = "upload-spec")]
pub async fn upload_spec(text: String, format: String) -> Result<Outcome<Uploaded>, ServerFnError> {
    let outcome = match backend()?.upload_spec(&text, &format) {
        Ok(up) => Outcome::Done(up),
        Err(errors) => Outcome::Invalid(errors),
    };
    if from_plain_form().await {
        match &outcome {
            Outcome::Done(up) => leptos_axum::redirect(&format!("/jobs/{}", up.job_id)),
            Outcome::Invalid(errors) => {
                let joined = errors
                    .iter()
                    .map(|e| {
                        if e.field.is_empty() {
                            e.message.clone()
                        } else {
                            format!("{}: {}", e.field, e.message)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                // Keep the URL short: the first 1500 bytes of the messages.
                let cut = joined.floor_char_boundary(1500);
                leptos_axum::redirect(&format!(
                    "/specs/new?error={}",
                    crate::questions::percent_encode(&joined[..cut])
                ));
            }
        }
    }
    Ok(outcome)
}

/// Deletes an uploaded spec; a plain form post returns to the list.
#[server(prefix = "/fn", endpoint = "delete-spec")]
pub async fn delete_spec(id: String) -> Result<bool, ServerFnError> {
    let deleted = backend()?.delete_spec(&id);
    if from_plain_form().await {
        leptos_axum::redirect("/specs");
    }
    Ok(deleted)
}

/// Cancels a job; a plain form post returns to the job's page.
#[server(prefix = "/fn", endpoint = "cancel-job")]
pub async fn cancel_job(id: String) -> Result<Result<JobView, String>, ServerFnError> {
    let result = backend()?.cancel_job(&id);
    if from_plain_form().await {
        leptos_axum::redirect(&format!("/jobs/{}", crate::questions::percent_encode(&id)));
    }
    Ok(result)
}

//! What the pages need from the server (server side only). The server crate
//! implements [`Backend`] over its report store, job runner and the advisor,
//! and provides it to every request as `SharedBackend` context.

use std::sync::Arc;

use crate::model::{
    FieldErrorView, JobView, Outcome, RecommendationView, RerunParams, SampleView, SpecPage,
    SpecSummary, StatusView, Uploaded, WorkloadPage, WorkloadSummary,
};
use crate::questions::Answers;

/// The server's services, as the pages see them.
pub trait Backend: Send + Sync + 'static {
    /// Progress of the background runner and what is stored.
    fn status(&self) -> StatusView;
    /// The reference workloads and their newest reports.
    fn workloads(&self) -> Vec<WorkloadSummary>;
    /// One workload's page, `None` for an unknown name.
    fn workload(&self, name: &str) -> Option<WorkloadPage>;
    /// The advisor's answer, or the fields that were rejected.
    fn recommend(&self, answers: &Answers) -> Outcome<RecommendationView>;
    /// Queues a rerun; returns the job's description.
    fn rerun(&self, params: &RerunParams) -> Result<String, Vec<FieldErrorView>>;
    /// README-derived methodology text: `(heading, paragraphs)`.
    fn methodology(&self) -> Vec<(String, Vec<String>)>;
    /// Uploaded specs, newest first.
    fn specs(&self) -> Vec<SpecSummary>;
    /// One uploaded spec, `None` for an unknown id.
    fn spec(&self, id: &str) -> Option<SpecPage>;
    /// Validates a spec (`format` is `toml` or `json`) and queues its run;
    /// every rejected field is named.
    fn upload_spec(&self, text: &str, format: &str) -> Result<Uploaded, Vec<FieldErrorView>>;
    /// Deletes an uploaded spec (cancelling its job); false if unknown.
    fn delete_spec(&self, id: &str) -> bool;
    /// One job, `None` for an unknown id.
    fn job(&self, id: &str) -> Option<JobView>;
    /// Cancels a queued or running job; the error says why not.
    fn cancel_job(&self, id: &str) -> Result<JobView, String>;
    /// Largest sample file an upload may send, in bytes.
    fn max_sample_bytes(&self) -> u64;
    /// One uploaded sample and its schema, `None` for an unknown id.
    fn sample(&self, id: &str) -> Option<SampleView>;
}

/// The backend as provided through Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

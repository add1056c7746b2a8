//! Uploaded specs: validation, storage and queueing of an upload, deleting
//! one, cancelling jobs, and the views the pages and the API show. Shared
//! by the JSON API (`crate::spec_api`) and the pages' server functions.

use app::model::{JobView, SpecPage, SpecSummary};
use bench_harness::spec::{self, SpecFormat};
use serde::Serialize;

use crate::jobs::{CancelError, JobRecord, JobState, SubmitError, Target};
use crate::spec_store::{self, MAX_SPECS, SpecMeta};
use crate::state::{AppState, SpecEntry, read, write};
use crate::storage::valid_id;
use crate::views;

/// `workload` value of the questionnaire that picks an uploaded spec's
/// report as evidence: `spec:<id>`.
pub const SPEC_PREFIX: &str = "spec:";

/// One problem with a request, at a field path (empty: the whole body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

/// A refused request: the HTTP status and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub status: u16,
    pub errors: Vec<PathError>,
}

impl Rejection {
    /// A rejection with one whole-body message.
    pub fn new(status: u16, message: impl Into<String>) -> Rejection {
        Rejection {
            status,
            errors: vec![PathError {
                path: String::new(),
                message: message.into(),
            }],
        }
    }

    /// All messages on one line.
    pub fn message(&self) -> String {
        self.errors
            .iter()
            .map(|e| {
                if e.path.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.path, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `toml` / `json` (the upload form's choice) as a format.
pub fn format_named(name: &str) -> Result<SpecFormat, Rejection> {
    match name.trim().to_ascii_lowercase().as_str() {
        "toml" => Ok(SpecFormat::Toml),
        "json" => Ok(SpecFormat::Json),
        other => Err(Rejection {
            status: 400,
            errors: vec![PathError {
                path: "format".into(),
                message: format!("must be `toml` or `json`, got `{other}`"),
            }],
        }),
    }
}

impl CancelError {
    /// Why a cancel failed, for people.
    pub fn message(&self) -> String {
        match self {
            CancelError::NotFound => "no such job".into(),
            CancelError::Finished(s) => {
                format!(
                    "the job has already ended ({}): nothing to cancel",
                    s.name()
                )
            }
        }
    }
}

impl AppState {
    /// Validates a spec, stores it under a new id and queues its run.
    pub fn upload(
        &self,
        bytes: &[u8],
        format: SpecFormat,
    ) -> Result<(SpecMeta, JobRecord), Rejection> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Rejection::new(
                400,
                "the body is empty: send a spec (TOML or JSON, see docs/specs.md)",
            ));
        }
        if bytes.len() > spec::MAX_SPEC_BYTES {
            return Err(Rejection::new(
                413,
                format!(
                    "the spec is {} bytes, more than the {} a spec may have",
                    bytes.len(),
                    spec::MAX_SPEC_BYTES
                ),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Rejection::new(
                400,
                format!(
                    "the body is not UTF-8 text (invalid byte at offset {}): send the spec as text",
                    e.valid_up_to()
                ),
            )
        })?;
        let parsed = spec::parse(text, format).map_err(|errors| Rejection {
            status: 422,
            errors: errors
                .into_iter()
                .map(|e| PathError {
                    path: e.path,
                    message: e.message,
                })
                .collect(),
        })?;
        parsed.runnable().map_err(|message| Rejection {
            status: 422,
            errors: vec![PathError {
                path: "workload".into(),
                message,
            }],
        })?;
        if read(&self.specs).entries.len() >= MAX_SPECS {
            return Err(Rejection::new(
                507,
                format!("{MAX_SPECS} specs are stored, the most kept: delete some first"),
            ));
        }
        let internal = |e: anyhow::Error| {
            tracing::error!(error = %format!("{e:#}"), "storing an upload failed");
            Rejection::new(500, format!("the spec could not be stored: {e:#}"))
        };
        let id = self.spec_store.reserve().map_err(internal)?;
        let job_id = spec_store::new_id("j");
        let meta = spec_store::meta(
            id.clone(),
            parsed.name.clone(),
            format.name(),
            job_id.clone(),
        );
        let stored = self.spec_store.write(&meta, text).map_err(internal);
        if let Err(e) = stored {
            let _ = self.spec_store.delete(&id);
            return Err(e);
        }
        // Listed before the job can finish, so its report has a home.
        write(&self.specs).entries.push(SpecEntry {
            meta: meta.clone(),
            text: text.to_string(),
            report: None,
        });
        let target = Target::Spec {
            spec_id: id.clone(),
        };
        match self.jobs.submit(job_id, target, parsed.to_scenario(), true) {
            Ok(job) => {
                tracing::info!(spec = %id, job = %job.id, name = %meta.name, "spec uploaded and queued");
                Ok((meta, job))
            }
            Err(e) => {
                write(&self.specs).entries.retain(|s| s.meta.id != id);
                let _ = self.spec_store.delete(&id);
                let status = match e {
                    SubmitError::QueueFull { .. } => 429,
                    SubmitError::Storage(_) => 500,
                };
                Err(Rejection::new(status, e.to_string()))
            }
        }
    }

    /// Deletes an uploaded spec and its report, cancelling its job first.
    pub fn remove_spec(&self, id: &str) -> Result<(), Rejection> {
        let not_found = || Rejection::new(404, format!("no uploaded spec with id `{id}`"));
        if !valid_id(id) {
            return Err(not_found());
        }
        let job_id = {
            let mut specs = write(&self.specs);
            let pos = specs
                .entries
                .iter()
                .position(|e| e.meta.id == id)
                .ok_or_else(not_found)?;
            let entry = specs.entries.remove(pos);
            self.spec_store.delete(id).map_err(|e| {
                specs.entries.insert(pos, entry.clone());
                Rejection::new(500, format!("the spec could not be deleted: {e:#}"))
            })?;
            entry.meta.job_id
        };
        // A running job stops at its next progress point; its record stays
        // until then. A finished one is forgotten now.
        let _ = self.jobs.cancel(&job_id);
        self.jobs.forget(std::slice::from_ref(&job_id));
        tracing::info!(spec = %id, "spec deleted");
        Ok(())
    }

    /// Cancels a job by id.
    pub fn cancel(&self, id: &str) -> Result<JobRecord, CancelError> {
        if !valid_id(id) {
            return Err(CancelError::NotFound);
        }
        self.jobs.cancel(id)
    }

    /// A job as the pages show it.
    pub fn job_view(&self, j: JobRecord) -> JobView {
        let (spec_id, result_href) = match &j.target {
            Target::Spec { spec_id } => (Some(spec_id.clone()), format!("/specs/{spec_id}")),
            Target::Report { report_id } => {
                let workload = read(&self.reports)
                    .entries
                    .iter()
                    .find(|e| &e.0 == report_id)
                    .map(|e| e.1.workload.to_string());
                (
                    None,
                    workload.map_or_else(|| "/workloads".into(), |w| format!("/workloads/{w}")),
                )
            }
        };
        JobView {
            position: self.jobs.position(&j.id),
            state: j.state.name().to_string(),
            description: j.description,
            stage: j.stage,
            percent: j.percent,
            error: j.error,
            cancel_requested: j.cancel_requested,
            result_href: (j.state == JobState::Done).then_some(result_href),
            spec_id,
            id: j.id,
        }
    }

    fn summary(&self, e: &SpecEntry) -> SpecSummary {
        SpecSummary {
            id: e.meta.id.clone(),
            name: e.meta.name.clone(),
            format: e.meta.format.clone(),
            uploaded_at: views::utc(e.meta.created_at_unix),
            job_id: e.meta.job_id.clone(),
            state: self
                .jobs
                .get(&e.meta.job_id)
                .map_or("unknown", |j| j.state.name())
                .to_string(),
            has_report: e.report.is_some(),
        }
    }

    /// Uploaded specs, newest first.
    pub fn spec_summaries(&self) -> Vec<SpecSummary> {
        let specs = read(&self.specs);
        specs
            .entries
            .iter()
            .rev()
            .map(|e| self.summary(e))
            .collect()
    }

    /// One uploaded spec's page.
    pub fn spec_page(&self, id: &str) -> Option<SpecPage> {
        let specs = read(&self.specs);
        let e = specs.entries.iter().find(|e| e.meta.id == id)?;
        Some(SpecPage {
            summary: self.summary(e),
            text: e.text.clone(),
            job: self.jobs.get(&e.meta.job_id).map(|j| self.job_view(j)),
            report: e.report.as_ref().map(|r| r.1.clone()),
        })
    }
}

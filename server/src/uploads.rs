//! Uploaded specs as a service: validation, storage and queueing of an
//! upload, deleting one, the loaded specs and their reports. Owned by
//! `AppState`, used by the JSON API (`crate::spec_api`) and the pages'
//! server functions.

use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, AtomicUsize};

use app::model::ReportView;
use bench_harness::report::Report;
use bench_harness::spec::{self, SpecFormat};
use workloads::custom::sample::{MAX_SAMPLE_BYTES, SampleSchema};
use workloads::validation::FieldError;

use crate::jobs::{CancelError, JobQueue, JobRecord, SubmitError, Target};
use crate::locks::{read, write};
use crate::spec_store::{self, MAX_SPECS, SpecMeta, SpecStore};
use crate::storage::{Skipped, valid_id};
use crate::views;

/// An uploaded spec in memory: its metadata, text and report (if measured).
#[derive(Clone)]
pub struct SpecEntry {
    pub meta: SpecMeta,
    /// The spec as uploaded; for a sample, its run request (JSON).
    pub text: String,
    /// A sample's inferred schema (`None` for a spec).
    pub schema: Option<SampleSchema>,
    pub report: Option<(Report, ReportView)>,
}

/// Uploaded specs in memory, oldest first.
#[derive(Default)]
pub(crate) struct Specs {
    pub(crate) entries: Vec<SpecEntry>,
    skipped: Vec<Skipped>,
}

/// The uploaded specs (and samples, `crate::samples`): their store on disk
/// and the loaded copies.
pub struct Uploads {
    pub(crate) store: SpecStore,
    pub(crate) specs: RwLock<Specs>,
    /// Largest sample upload accepted, in bytes (`--max-sample-bytes`).
    pub(crate) max_sample_bytes: AtomicU64,
    /// Sample uploads streaming now (at most
    /// `crate::samples::MAX_CONCURRENT_SAMPLE_UPLOADS`).
    pub(crate) sample_uploads: AtomicUsize,
}

/// `workload` value of the questionnaire that picks an uploaded spec's
/// report as evidence: `spec:<id>`.
pub const SPEC_PREFIX: &str = "spec:";

/// A refused request: the HTTP status and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub status: u16,
    pub errors: Vec<FieldError>,
}

impl Rejection {
    /// A rejection with one whole-body message.
    pub fn new(status: u16, message: impl Into<String>) -> Rejection {
        Rejection {
            status,
            errors: vec![FieldError {
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
            errors: vec![FieldError {
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

impl Uploads {
    /// Opens `<data_dir>/specs` and loads every stored spec (unreadable
    /// ones are listed as skipped).
    pub fn open(data_dir: &Path) -> anyhow::Result<Uploads> {
        let store = SpecStore::open(data_dir)?;
        let (stored, skipped) = store.load_all()?;
        for s in &skipped {
            tracing::warn!(file = %s.file, error = %s.error, "skipping an unreadable spec");
        }
        let entries = stored
            .into_iter()
            .map(|s| SpecEntry {
                report: s.report.map(|r| {
                    let v = views::report_view(&s.meta.id, &r);
                    (r, v)
                }),
                meta: s.meta,
                text: s.text,
                schema: s.schema,
            })
            .collect();
        Ok(Uploads {
            store,
            specs: RwLock::new(Specs { entries, skipped }),
            max_sample_bytes: AtomicU64::new(MAX_SAMPLE_BYTES),
            sample_uploads: AtomicUsize::new(0),
        })
    }

    /// Stores a finished job's report with its spec. Under the lock, so a
    /// concurrent delete either sees the report or removes the directory
    /// after it is written.
    pub fn save_report(&self, spec_id: &str, report: Report) -> anyhow::Result<()> {
        let mut all = write(&self.specs);
        let entry = all
            .entries
            .iter_mut()
            .find(|e| e.meta.id == spec_id)
            .ok_or_else(|| anyhow::anyhow!("spec `{spec_id}` was deleted during its run"))?;
        self.store.save_report(spec_id, &report)?;
        let view = views::report_view(spec_id, &report);
        entry.report = Some((report, view));
        Ok(())
    }

    /// Stored specs (samples are counted apart: `crate::samples`).
    pub fn spec_count(&self) -> usize {
        read(&self.specs)
            .entries
            .iter()
            .filter(|e| e.meta.sample.is_none())
            .count()
    }

    /// Runs `f` over the loaded specs, oldest first (under the read lock:
    /// no copy of their reports).
    pub fn with_entries<R>(&self, f: impl FnOnce(&[SpecEntry]) -> R) -> R {
        f(&read(&self.specs).entries)
    }

    /// One loaded spec.
    pub fn entry(&self, id: &str) -> Option<SpecEntry> {
        read(&self.specs)
            .entries
            .iter()
            .find(|e| e.meta.id == id)
            .cloned()
    }

    /// Spec files that could not be read at start.
    pub fn skipped(&self) -> Vec<Skipped> {
        read(&self.specs).skipped.clone()
    }

    /// Validates a spec, stores it under a new id and queues its run.
    pub fn upload(
        &self,
        jobs: &JobQueue,
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
            errors,
        })?;
        parsed.runnable().map_err(|message| Rejection {
            status: 422,
            errors: vec![FieldError {
                path: "workload".into(),
                message,
            }],
        })?;
        if self.spec_count() >= MAX_SPECS {
            return Err(Rejection::new(
                507,
                format!("{MAX_SPECS} specs are stored, the most kept: delete some first"),
            ));
        }
        let internal = |e: anyhow::Error| {
            tracing::error!(error = %format!("{e:#}"), "storing an upload failed");
            Rejection::new(500, format!("the spec could not be stored: {e:#}"))
        };
        let id = self.store.reserve().map_err(internal)?;
        let job_id = spec_store::new_id("j");
        let meta = spec_store::meta(
            id.clone(),
            parsed.name.clone(),
            format.name(),
            job_id.clone(),
        );
        let stored = self.store.write(&meta, text).map_err(internal);
        if let Err(e) = stored {
            let _ = self.store.delete(&id);
            return Err(e);
        }
        // Listed before the job can finish, so its report has a home.
        write(&self.specs).entries.push(SpecEntry {
            meta: meta.clone(),
            text: text.to_string(),
            schema: None,
            report: None,
        });
        let target = Target::Spec {
            spec_id: id.clone(),
        };
        match jobs.submit(job_id, target, parsed.to_scenario(), true) {
            Ok(job) => {
                tracing::info!(spec = %id, job = %job.id, name = %meta.name, "spec uploaded and queued");
                Ok((meta, job))
            }
            Err(e) => {
                write(&self.specs).entries.retain(|s| s.meta.id != id);
                let _ = self.store.delete(&id);
                let status = match e {
                    SubmitError::QueueFull { .. } => 429,
                    SubmitError::Storage(_) => 500,
                };
                Err(Rejection::new(status, e.to_string()))
            }
        }
    }

    /// Deletes an uploaded spec and its report, cancelling its job first.
    pub fn remove(&self, jobs: &JobQueue, id: &str) -> Result<(), Rejection> {
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
            self.store.delete(id).map_err(|e| {
                specs.entries.insert(pos, entry.clone());
                Rejection::new(500, format!("the spec could not be deleted: {e:#}"))
            })?;
            entry.meta.job_id
        };
        // A running job stops at its next progress point; its record stays
        // until then. A finished one is forgotten now.
        let _ = jobs.cancel(&job_id);
        jobs.forget(std::slice::from_ref(&job_id));
        tracing::info!(spec = %id, "spec deleted");
        Ok(())
    }
}

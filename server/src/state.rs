//! The server's state: loaded reports (with their rendered views), the
//! store, the job queue; and the [`Backend`] the pages call.

use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::backend::Backend;
use app::model::{
    FieldErrorView, JobView, Outcome, RecommendationView, ReportView, RerunParams, SpecPage,
    SpecSummary, StatusView, Uploaded, WorkloadPage, WorkloadSummary,
};
use app::questions::{self, Answers};
use bench_harness::advisor::{self, FieldError};
use bench_harness::report::Report;
use workloads::WorkloadKind;

use crate::job_store::JobStore;
use crate::jobs::{JobQueue, OnDone, Target};
use crate::scenarios::{self, Size};
use crate::spec_store::{SpecMeta, SpecStore};
use crate::storage::{ReportStore, Skipped};
use crate::views;

/// A stored report with its id and rendered view.
pub type Entry = (String, Report, ReportView);

/// Reports in memory, oldest first.
#[derive(Default)]
pub struct Reports {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// An uploaded spec in memory: its metadata, text and report (if measured).
#[derive(Clone)]
pub struct SpecEntry {
    pub meta: SpecMeta,
    pub text: String,
    pub report: Option<(Report, ReportView)>,
}

/// Uploaded specs in memory, oldest first.
#[derive(Default)]
pub struct Specs {
    pub entries: Vec<SpecEntry>,
    pub skipped: Vec<Skipped>,
}

/// How the job queue is configured.
#[derive(Debug, Clone, Copy)]
pub struct QueueConfig {
    /// Jobs allowed to wait behind the running one.
    pub max_queued: usize,
    /// Longest one job may run.
    pub time_limit: Duration,
    /// Measure the reference workloads on a first start (no reports yet).
    pub reference_runs: bool,
}

/// Everything the handlers share.
pub struct AppState {
    pub store: ReportStore,
    pub spec_store: SpecStore,
    pub reports: Arc<RwLock<Reports>>,
    pub specs: Arc<RwLock<Specs>>,
    pub jobs: JobQueue,
    pub size: Size,
}

/// A read lock that survives a panic elsewhere (the data stays usable).
pub fn read<T>(r: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    r.read().unwrap_or_else(|e| e.into_inner())
}

/// A write lock that survives a panic elsewhere.
pub fn write<T>(r: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    r.write().unwrap_or_else(|e| e.into_inner())
}

fn field_errors(errors: Vec<FieldError>) -> Vec<FieldErrorView> {
    errors
        .into_iter()
        .map(|e| FieldErrorView {
            field: e.field,
            message: e.message,
        })
        .collect()
}

impl AppState {
    /// Loads the stored reports, specs and jobs from `data_dir` and starts
    /// the job runner; with no report stored (and `reference_runs`), queues
    /// the three reference scenarios.
    pub fn start(
        data_dir: &Path,
        size: Size,
        config: QueueConfig,
    ) -> anyhow::Result<Arc<AppState>> {
        let store = ReportStore::open(data_dir)?;
        let spec_store = SpecStore::open(data_dir)?;
        let (loaded, skipped) = store.load_all()?;
        for s in &skipped {
            tracing::warn!(file = %s.file, error = %s.error, "skipping unreadable report file");
        }
        tracing::info!(reports = loaded.len(), dir = %store.dir().display(), "reports loaded");
        let entries = loaded
            .into_iter()
            .map(|(id, r)| {
                let v = views::report_view(&id, &r);
                (id, r, v)
            })
            .collect();
        let reports = Arc::new(RwLock::new(Reports { entries, skipped }));
        let (stored, skipped) = spec_store.load_all()?;
        for s in &skipped {
            tracing::warn!(file = %s.file, error = %s.error, "skipping an unreadable spec");
        }
        let specs = Arc::new(RwLock::new(Specs {
            entries: stored
                .into_iter()
                .map(|s| SpecEntry {
                    report: s.report.map(|r| {
                        let v = views::report_view(&s.meta.id, &r);
                        (r, v)
                    }),
                    meta: s.meta,
                    text: s.text,
                })
                .collect(),
            skipped,
        }));
        let on_done: Arc<OnDone> = {
            let reports = reports.clone();
            let specs = specs.clone();
            let store = store.clone();
            let spec_store = spec_store.clone();
            Arc::new(move |target: &Target, report: Report| match target {
                Target::Report { report_id } => {
                    store.save(report_id, &report)?;
                    let view = views::report_view(report_id, &report);
                    let mut all = write(&reports);
                    all.entries.retain(|e| &e.0 != report_id);
                    all.entries.push((report_id.clone(), report, view));
                    Ok(())
                }
                Target::Spec { spec_id } => {
                    // Under the lock, so a concurrent delete either sees the
                    // report or removes the directory after it is written.
                    let mut all = write(&specs);
                    let entry = all
                        .entries
                        .iter_mut()
                        .find(|e| &e.meta.id == spec_id)
                        .ok_or_else(|| {
                            anyhow::anyhow!("spec `{spec_id}` was deleted during its run")
                        })?;
                    spec_store.save_report(spec_id, &report)?;
                    let view = views::report_view(spec_id, &report);
                    entry.report = Some((report, view));
                    Ok(())
                }
            })
        };
        let jobs = JobQueue::start(
            JobStore::open(data_dir)?,
            config.max_queued,
            config.time_limit,
            on_done,
        )?;
        let state = Arc::new(AppState {
            store,
            spec_store,
            reports,
            specs,
            jobs,
            size,
        });
        let empty = read(&state.reports).entries.is_empty();
        if empty && config.reference_runs {
            for kind in WorkloadKind::ALL {
                let id = crate::spec_store::new_id("j");
                let target = Target::Report {
                    report_id: kind.name().to_string(),
                };
                state
                    .jobs
                    .submit(id, target, scenarios::reference(kind, size), false)
                    .map_err(|e| anyhow::anyhow!("queueing the reference runs: {e}"))?;
            }
            tracing::info!(
                ?size,
                "no reports stored: measuring the three reference workloads in the background"
            );
        }
        Ok(state)
    }

    /// Stored reports, oldest first.
    pub fn entries(&self) -> Vec<(String, Report)> {
        read(&self.reports)
            .entries
            .iter()
            .map(|(id, r, _)| (id.clone(), r.clone()))
            .collect()
    }

    /// One stored report.
    pub fn report(&self, id: &str) -> Option<Report> {
        read(&self.reports)
            .entries
            .iter()
            .find(|e| e.0 == id)
            .map(|e| e.1.clone())
    }

    /// The advisor on parsed answers, with every stored report as evidence;
    /// `workload = "spec:<id>"` uses that uploaded spec's report alone.
    pub fn advise(
        &self,
        answers: &advisor::Answers,
    ) -> Result<(advisor::Recommendation, RecommendationView), Vec<FieldError>> {
        if let Some(spec_id) = answers
            .workload
            .as_deref()
            .and_then(|w| w.trim().strip_prefix(crate::uploads::SPEC_PREFIX))
        {
            let specs = read(&self.specs);
            let Some((report, view)) = specs
                .entries
                .iter()
                .find(|e| e.meta.id == spec_id)
                .and_then(|e| e.report.as_ref())
            else {
                return Err(vec![FieldError {
                    field: "workload".into(),
                    message: format!(
                        "no measured uploaded spec `{spec_id}` (it is unknown, deleted or not finished)"
                    ),
                }]);
            };
            let mut a = answers.clone();
            a.workload = Some(report.scenario.name.clone());
            let rec = advisor::recommend(&a, std::slice::from_ref(report))?;
            let entry = (spec_id.to_string(), report.clone(), view.clone());
            let view = views::recommendation_view(&rec, Some(&entry));
            return Ok((rec, view));
        }
        let all = read(&self.reports);
        let reports: Vec<Report> = all.entries.iter().map(|e| e.1.clone()).collect();
        let rec = advisor::recommend(answers, &reports)?;
        let evidence = rec.evidence.workload.and_then(|w| {
            all.entries
                .iter()
                .filter(|e| e.1.workload == w)
                .max_by_key(|e| e.1.generated_at_unix)
        });
        let view = views::recommendation_view(&rec, evidence);
        Ok((rec, view))
    }
}

/// The form's strings as the API's JSON (numbers parsed; empty = null).
fn answers_json(a: &Answers) -> Result<serde_json::Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut number = |field: &str, text: &str, optional: bool| -> serde_json::Value {
        let t = text.trim();
        if t.is_empty() && optional {
            return serde_json::Value::Null;
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => serde_json::json!(v),
            _ => {
                errors.push(FieldError {
                    field: field.to_string(),
                    message: if t.is_empty() {
                        "is required".into()
                    } else {
                        format!("`{t}` is not a number")
                    },
                });
                serde_json::Value::Null
            }
        }
    };
    let budget = number("budget_usd_per_month", &a.budget_usd_per_month, true);
    let rate = number("events_per_second", &a.events_per_second, false);
    if !errors.is_empty() {
        return Err(errors);
    }
    let workload = a.workload.trim();
    Ok(serde_json::json!({
        "freshness": a.freshness,
        "transformation": a.transformation,
        "team_experience": a.team_experience,
        "budget_usd_per_month": budget,
        "events_per_second": rate,
        "late_data": a.late_data,
        "reprocessing": a.reprocessing,
        "workload": if workload.is_empty() { serde_json::Value::Null } else { serde_json::json!(workload) },
    }))
}

impl Backend for AppState {
    fn status(&self) -> StatusView {
        let run = self.jobs.status();
        let all = read(&self.reports);
        let mut measured: Vec<String> = all
            .entries
            .iter()
            .map(|e| e.1.workload.to_string())
            .collect();
        measured.sort();
        measured.dedup();
        StatusView {
            running: run.running.is_some(),
            stage: run.stage,
            percent: run.percent,
            queued: run.queued,
            reports: all.entries.len(),
            workloads_measured: measured,
            last_error: run.last_error,
            skipped_files: all
                .skipped
                .iter()
                .chain(read(&self.specs).skipped.iter())
                .map(|s| format!("{} ({})", s.file, s.error))
                .collect(),
        }
    }

    fn workloads(&self) -> Vec<WorkloadSummary> {
        let all = read(&self.reports);
        WorkloadKind::ALL
            .iter()
            .map(|kind| {
                let latest = all
                    .entries
                    .iter()
                    .filter(|e| e.1.workload == *kind)
                    .max_by_key(|e| e.1.generated_at_unix);
                WorkloadSummary {
                    name: kind.name().to_string(),
                    title: questions::workload_title(kind.name()),
                    description: questions::workload_description(kind.name()).to_string(),
                    latest_report: latest.map(|e| e.0.clone()),
                    measured_at: latest.map(|e| views::utc(e.1.generated_at_unix)),
                    events: latest.map(|e| e.1.scenario.events),
                    configurations: latest.map_or(0, |e| e.1.modes.len()),
                }
            })
            .collect()
    }

    fn workload(&self, name: &str) -> Option<WorkloadPage> {
        let kind: WorkloadKind = name.parse().ok()?;
        let summary = self
            .workloads()
            .into_iter()
            .find(|w| w.name == kind.name())?;
        let all = read(&self.reports);
        let mut mine: Vec<&Entry> = all
            .entries
            .iter()
            .filter(|e| e.1.workload == kind)
            .collect();
        mine.sort_by_key(|e| std::cmp::Reverse(e.1.generated_at_unix));
        Some(WorkloadPage {
            summary,
            report: mine.first().map(|e| e.2.clone()),
            history: mine
                .iter()
                .map(|e| {
                    (
                        e.0.clone(),
                        views::utc(e.1.generated_at_unix),
                        e.1.scenario.name.clone(),
                    )
                })
                .collect(),
        })
    }

    fn recommend(&self, answers: &Answers) -> Outcome<RecommendationView> {
        let parsed =
            answers_json(answers).and_then(|json| advisor::parse_answers(&json.to_string()));
        match parsed.and_then(|a| self.advise(&a)) {
            Ok((_, view)) => Outcome::Done(view),
            Err(errors) => Outcome::Invalid(field_errors(errors)),
        }
    }

    fn rerun(&self, params: &RerunParams) -> Result<String, Vec<FieldErrorView>> {
        let scenario = scenarios::rerun(params, self.size)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let report_id = format!("{}-{now}", scenario.workload.name());
        let description = scenario.name.clone();
        let target = Target::Report { report_id };
        self.jobs
            .submit(crate::spec_store::new_id("j"), target, scenario, true)
            .map_err(|e| {
                vec![FieldErrorView {
                    field: "workload".into(),
                    message: e.to_string(),
                }]
            })?;
        Ok(description)
    }

    fn methodology(&self) -> Vec<(String, Vec<String>)> {
        let all = read(&self.reports);
        let latest = all
            .entries
            .iter()
            .max_by_key(|e| e.1.generated_at_unix)
            .map(|e| &e.1);
        crate::methodology::sections(latest)
    }

    fn specs(&self) -> Vec<SpecSummary> {
        self.spec_summaries()
    }

    fn spec(&self, id: &str) -> Option<SpecPage> {
        self.spec_page(id)
    }

    fn upload_spec(&self, text: &str, format: &str) -> Result<Uploaded, Vec<FieldErrorView>> {
        let to_view = |errors: Vec<crate::uploads::PathError>| {
            errors
                .into_iter()
                .map(|e| FieldErrorView {
                    field: e.path,
                    message: e.message,
                })
                .collect::<Vec<_>>()
        };
        let format = crate::uploads::format_named(format).map_err(|e| to_view(e.errors))?;
        self.upload(text.as_bytes(), format)
            .map(|(meta, job)| Uploaded {
                spec_id: meta.id,
                job_id: job.id,
            })
            .map_err(|e| to_view(e.errors))
    }

    fn delete_spec(&self, id: &str) -> bool {
        self.remove_spec(id).is_ok()
    }

    fn job(&self, id: &str) -> Option<JobView> {
        self.jobs.get(id).map(|j| self.job_view(j))
    }

    fn cancel_job(&self, id: &str) -> Result<JobView, String> {
        self.cancel(id)
            .map(|j| self.job_view(j))
            .map_err(|e| e.message())
    }
}

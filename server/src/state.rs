//! The server's state: loaded reports (with their rendered views), the
//! store, the job queue; and the [`Backend`] the pages call.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::backend::Backend;
use app::model::{
    FieldErrorView, JobView, Outcome, RecommendationView, ReportView, RerunParams,
    SampleColumnView, SampleRunView, SampleView, SpecPage, SpecSummary, StatusView, Uploaded,
    WorkloadPage, WorkloadSummary,
};
use app::questions::{self, Answers};
use bench_harness::advisor::{self, FieldError};
use bench_harness::report::Report;
use workloads::WorkloadKind;

use crate::job_store::JobStore;
use crate::jobs::{CancelError, JobQueue, JobRecord, JobState, OnDone, Target};
use crate::locks::{read, write};
use crate::scenarios::{self, Size};
use crate::storage::valid_id;
use crate::storage::{ReportStore, Skipped};
use crate::uploads::{SPEC_PREFIX, SpecEntry, Uploads, format_named};
use crate::views;

/// A stored report with its id and rendered view.
pub type Entry = (String, Report, ReportView);

/// Reports in memory, oldest first.
#[derive(Default)]
pub struct Reports {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// How the job queue is configured.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// Jobs allowed to wait behind the running one.
    pub max_queued: usize,
    /// Longest one job may run.
    pub time_limit: Duration,
    /// Measure the reference workloads on a first start (no reports yet).
    pub reference_runs: bool,
    /// Also measure every job through this broker (replay, recovery, live);
    /// `None`: in memory only.
    pub broker: Option<bench_harness::through_broker::Broker>,
    /// Also measure every job's scale-out on local Ballista clusters;
    /// `None`: not measured.
    pub scale_out: Option<crate::jobs::ScaleOut>,
    /// The `bench-harness` binary whose processes form a spec's local
    /// Ballista cluster (`[engine] kind = "ballista"`); `None`: such specs
    /// fail with why.
    pub harness: Option<std::path::PathBuf>,
}

/// Everything the handlers share.
pub struct AppState {
    pub store: ReportStore,
    pub reports: Arc<RwLock<Reports>>,
    pub uploads: Arc<Uploads>,
    pub jobs: JobQueue,
    pub size: Size,
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
        let uploads = Arc::new(Uploads::open(data_dir)?);
        let on_done: Arc<OnDone> = {
            let reports = reports.clone();
            let uploads = uploads.clone();
            let store = store.clone();
            Arc::new(move |target: &Target, report: Report| match target {
                Target::Report { report_id } => {
                    store.save(report_id, &report)?;
                    let view = views::report_view(report_id, &report);
                    let mut all = write(&reports);
                    all.entries.retain(|e| &e.0 != report_id);
                    all.entries.push((report_id.clone(), report, view));
                    Ok(())
                }
                Target::Spec { spec_id } => uploads.save_report(spec_id, report),
            })
        };
        let jobs = JobQueue::start(
            JobStore::open(data_dir)?,
            config.max_queued,
            config.time_limit,
            config.broker.clone(),
            config.scale_out.clone(),
            config.harness.clone(),
            on_done,
        )?;
        let state = Arc::new(AppState {
            store,
            reports,
            uploads,
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
            .and_then(|w| w.trim().strip_prefix(SPEC_PREFIX))
        {
            let Some((report, view)) = self.uploads.entry(spec_id).and_then(|e| e.report) else {
                return Err(vec![FieldError {
                    field: "workload".into(),
                    message: format!(
                        "no measured uploaded spec `{spec_id}` (it is unknown, deleted or not finished)"
                    ),
                }]);
            };
            let mut a = answers.clone();
            a.workload = Some(report.scenario.name.clone());
            let rec = advisor::recommend(&a, std::slice::from_ref(&report))?;
            let entry = (spec_id.to_string(), report, view);
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
                .chain(self.uploads.skipped().iter())
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
        let to_view = |errors: Vec<workloads::validation::FieldError>| {
            errors
                .into_iter()
                .map(|e| FieldErrorView {
                    field: e.path,
                    message: e.message,
                })
                .collect::<Vec<_>>()
        };
        let format = format_named(format).map_err(|e| to_view(e.errors))?;
        self.uploads
            .upload(&self.jobs, text.as_bytes(), format)
            .map(|(meta, job)| Uploaded {
                spec_id: meta.id,
                job_id: job.id,
            })
            .map_err(|e| to_view(e.errors))
    }

    fn delete_spec(&self, id: &str) -> bool {
        self.uploads.remove(&self.jobs, id).is_ok()
    }

    fn job(&self, id: &str) -> Option<JobView> {
        self.jobs.get(id).map(|j| self.job_view(j))
    }

    fn cancel_job(&self, id: &str) -> Result<JobView, String> {
        self.cancel(id)
            .map(|j| self.job_view(j))
            .map_err(|e| e.message())
    }

    fn max_sample_bytes(&self) -> u64 {
        self.uploads.max_sample_bytes()
    }

    fn sample(&self, id: &str) -> Option<SampleView> {
        if !valid_id(id) {
            return None;
        }
        let e = self.uploads.entry(id)?;
        let sample = e.meta.sample.as_ref()?;
        let schema = e.schema.as_ref()?;
        // The suggestion names the file's columns; the page uses fields.
        let field_of = |name: &str| {
            schema
                .columns
                .iter()
                .find(|c| c.name == name || c.field == name)
                .map(|c| c.field.clone())
        };
        let suggested = schema.suggested.as_ref();
        Some(SampleView {
            id: e.meta.id.clone(),
            file_name: sample.file_name.clone(),
            format: e.meta.format.clone(),
            bytes: sample.bytes,
            rows: schema.rows,
            inspected_rows: schema.inspected_rows,
            columns: schema
                .columns
                .iter()
                .map(|c| SampleColumnView {
                    name: c.name.clone(),
                    field: c.field.clone(),
                    data_type: c.data_type.clone(),
                    uses: c
                        .uses
                        .iter()
                        .filter_map(|u| {
                            serde_json::to_value(u)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                        })
                        .collect(),
                    nulls: c.nulls,
                    distinct: c.distinct,
                    note: c.note.clone(),
                })
                .collect(),
            event_time: suggested.and_then(|m| field_of(&m.event_time)),
            key: suggested.and_then(|m| field_of(&m.key)),
            last_run: serde_json::from_str::<bench_harness::sample_run::SampleRun>(&e.text)
                .ok()
                .map(|r| SampleRunView {
                    event_time: r.event_time.as_deref().and_then(field_of),
                    key: r.key.as_deref().and_then(field_of),
                    sql: r.sql,
                    rate: r.rate,
                    workload: r.workload.map(|k| k.to_string()),
                }),
        })
    }
}

/// Jobs and uploaded specs as the pages and the API show them.
impl AppState {
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

    fn spec_summary(&self, e: &SpecEntry) -> SpecSummary {
        SpecSummary {
            id: e.meta.id.clone(),
            name: e.meta.name.clone(),
            format: e.meta.format.clone(),
            uploaded_at: views::utc(e.meta.created_at_unix),
            job_id: e.meta.job_id.clone(),
            state: if e.meta.job_id.is_empty() {
                // A sample uploaded but not run yet.
                "not-run"
            } else {
                self.jobs
                    .get(&e.meta.job_id)
                    .map_or("unknown", |j| j.state.name())
            }
            .to_string(),
            has_report: e.report.is_some(),
        }
    }

    /// Uploaded specs, newest first.
    pub fn spec_summaries(&self) -> Vec<SpecSummary> {
        self.uploads
            .with_entries(|all| all.iter().rev().map(|e| self.spec_summary(e)).collect())
    }

    /// One uploaded spec's page.
    pub fn spec_page(&self, id: &str) -> Option<SpecPage> {
        let e = self.uploads.entry(id)?;
        Some(SpecPage {
            summary: self.spec_summary(&e),
            text: e.text.clone(),
            job: self.jobs.get(&e.meta.job_id).map(|j| self.job_view(j)),
            report: e.report.as_ref().map(|r| r.1.clone()),
        })
    }
}

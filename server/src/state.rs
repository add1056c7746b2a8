//! The server's state: loaded reports (with their rendered views), the
//! store, the job queue; and the [`Backend`] the pages call.

use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use app::backend::Backend;
use app::model::{
    FieldErrorView, Outcome, RecommendationView, ReportView, RerunParams, StatusView, WorkloadPage,
    WorkloadSummary,
};
use app::questions::{self, Answers};
use bench_harness::advisor::{self, FieldError};
use bench_harness::report::Report;
use workloads::WorkloadKind;

use crate::jobs::{Job, JobQueue};
use crate::scenarios::{self, Size};
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

/// Everything the handlers share.
pub struct AppState {
    pub store: ReportStore,
    pub reports: Arc<RwLock<Reports>>,
    pub jobs: JobQueue,
    pub size: Size,
}

fn read(r: &RwLock<Reports>) -> RwLockReadGuard<'_, Reports> {
    r.read().unwrap_or_else(|e| e.into_inner())
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
    /// Loads the store and starts the job runner; with nothing stored,
    /// queues the three reference scenarios.
    pub fn start(store: ReportStore, size: Size) -> anyhow::Result<Arc<AppState>> {
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
        let jobs = {
            let reports = reports.clone();
            let store = store.clone();
            JobQueue::start(move |id, report| {
                store.save(&id, &report)?;
                let view = views::report_view(&id, &report);
                let mut all = reports.write().unwrap_or_else(|e| e.into_inner());
                all.entries.retain(|e| e.0 != id);
                all.entries.push((id, report, view));
                Ok(())
            })
        };
        let state = Arc::new(AppState {
            store,
            reports,
            jobs,
            size,
        });
        let empty = read(&state.reports).entries.is_empty();
        if empty {
            for kind in WorkloadKind::ALL {
                state.jobs.submit(Job {
                    id: kind.name().to_string(),
                    scenario: scenarios::reference(kind, size),
                })?;
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

    /// The advisor on parsed answers, with every stored report as evidence.
    pub fn advise(
        &self,
        answers: &advisor::Answers,
    ) -> Result<(advisor::Recommendation, RecommendationView), Vec<FieldError>> {
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
        let id = format!("{}-{now}", scenario.workload.name());
        let description = scenario.name.clone();
        self.jobs.submit(Job { id, scenario }).map_err(|e| {
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
}

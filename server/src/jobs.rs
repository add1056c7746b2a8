//! The background runner: one measurement at a time (the runner times real
//! work, so two runs would disturb each other's numbers), on tokio's
//! blocking pool, with progress published for the progress bar.

use std::sync::{Arc, Mutex, MutexGuard};

use bench_harness::progress::Progress;
use bench_harness::report::Report;
use bench_harness::scenario::Scenario;
use tokio::sync::mpsc;

/// A measurement to run.
pub struct Job {
    /// Report id to store the result under.
    pub id: String,
    pub scenario: Scenario,
}

/// What the runner is doing.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    /// The running job's report id.
    pub running: Option<String>,
    pub stage: String,
    pub percent: f64,
    pub queued: usize,
    pub last_error: Option<String>,
}

/// Shared runner state.
#[derive(Clone, Default)]
pub struct RunStatus(Arc<Mutex<RunState>>);

impl RunStatus {
    fn lock(&self) -> MutexGuard<'_, RunState> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current state.
    pub fn snapshot(&self) -> RunState {
        self.lock().clone()
    }
}

/// Receives the harness's progress for one job and turns it into an overall
/// percentage: plans take 90 %, the wall-clock validation the rest.
struct JobProgress {
    status: RunStatus,
    workload: String,
    has_realtime: bool,
}

/// `[3/7] label — sub-stage` → `(3, 7)`.
fn plan_index(stage: &str) -> Option<(u64, u64)> {
    let rest = stage.strip_prefix('[')?;
    let (inner, _) = rest.split_once(']')?;
    let (i, n) = inner.split_once('/')?;
    Some((i.trim().parse().ok()?, n.trim().parse().ok()?))
}

impl Progress for JobProgress {
    fn update(&self, stage: &str, done: u64, total: u64) {
        let frac = if total == 0 {
            0.0
        } else {
            (done.min(total) as f64) / total as f64
        };
        let plans_share = if self.has_realtime { 90.0 } else { 100.0 };
        let mut st = self.status.lock();
        let pct = match plan_index(stage) {
            Some((i, n)) if n > 0 => plans_share * ((i.saturating_sub(1)) as f64 + frac) / n as f64,
            _ if st.percent >= plans_share - 0.5 && self.has_realtime => {
                plans_share + (100.0 - plans_share) * frac
            }
            _ => st.percent,
        };
        st.percent = st.percent.max(pct.min(100.0));
        st.stage = format!("{}: {stage}", self.workload);
    }
}

/// Handle to queue jobs.
#[derive(Clone)]
pub struct JobQueue {
    tx: mpsc::UnboundedSender<Job>,
    status: RunStatus,
}

impl JobQueue {
    /// Starts the worker. `on_done` stores a finished report.
    pub fn start(
        on_done: impl Fn(String, Report) -> anyhow::Result<()> + Send + Sync + 'static,
    ) -> JobQueue {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let status = RunStatus::default();
        let worker_status = status.clone();
        let on_done = Arc::new(on_done);
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                let id = job.id.clone();
                {
                    let mut st = worker_status.lock();
                    st.queued = st.queued.saturating_sub(1);
                    st.running = Some(id.clone());
                    st.percent = 0.0;
                    st.stage = format!("{}: starting", job.scenario.workload);
                }
                tracing::info!(job = %id, scenario = %job.scenario.name, "measurement started");
                let progress = JobProgress {
                    status: worker_status.clone(),
                    workload: job.scenario.workload.to_string(),
                    has_realtime: job.scenario.realtime.is_some(),
                };
                let on_done = on_done.clone();
                let result = tokio::task::spawn_blocking(move || {
                    let report = bench_harness::runner::run_scenario(&job.scenario, &progress)?;
                    on_done(job.id, report)
                })
                .await;
                let error = match result {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(format!("{id}: {e:#}")),
                    Err(e) => Some(format!("{id}: the measurement crashed: {e}")),
                };
                match &error {
                    None => tracing::info!(job = %id, "measurement finished and stored"),
                    Some(e) => tracing::error!(job = %id, error = %e, "measurement failed"),
                }
                let mut st = worker_status.lock();
                st.running = None;
                st.percent = 0.0;
                st.stage.clear();
                if error.is_some() {
                    st.last_error = error;
                }
            }
        });
        JobQueue { tx, status }
    }

    /// Queues a job.
    pub fn submit(&self, job: Job) -> anyhow::Result<()> {
        self.status.lock().queued += 1;
        self.tx.send(job).map_err(|_| {
            self.status.lock().queued -= 1;
            anyhow::anyhow!("the job runner has stopped")
        })
    }

    /// The runner's state.
    pub fn status(&self) -> RunState {
        self.status.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_moves_forward_across_plans() {
        let p = JobProgress {
            status: RunStatus::default(),
            workload: "fraud-alerts".into(),
            has_realtime: false,
        };
        p.update("generating events", 0, 1);
        assert_eq!(p.status.snapshot().percent, 0.0);
        p.update("[1/4] batch every 1h — simulating", 1, 2);
        assert!((p.status.snapshot().percent - 12.5).abs() < 1e-9);
        p.update("[3/4] stream — simulating", 2, 2);
        assert!((p.status.snapshot().percent - 75.0).abs() < 1e-9);
        // Never goes backwards.
        p.update("[2/4] micro-batch — measuring reprocessing", 0, 1);
        assert!((p.status.snapshot().percent - 75.0).abs() < 1e-9);
        assert!(p.status.snapshot().stage.starts_with("fraud-alerts: [2/4]"));
    }
}

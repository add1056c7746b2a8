//! The job queue: one measurement at a time (the runner times real work, so
//! two runs would disturb each other's numbers) on tokio's blocking pool,
//! a bounded waiting line, cancellation, a per-job time limit, and every
//! job's state persisted so a restart can tell finished jobs from
//! interrupted ones.
//!
//! Cancellation, the time limit and shutdown request the running job's
//! [`Stop`] token; the harness looks at it at its safe points (between
//! stream chunks, triggers, runs and steps) and returns
//! `bench_harness::Error::Stopped` within about a second.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bench_harness::progress::Progress;
use bench_harness::report::Report;
use bench_harness::scenario::Scenario;
use bench_harness::through_broker::Broker;
use tokio::sync::Notify;
use workloads::{Stop, StopReason};

use crate::job_store::JobStore;
pub use crate::job_store::{JobRecord, JobState, Target};
use crate::storage::unix_now;

/// Jobs allowed to wait behind the running one (user submissions beyond it
/// are refused with 429).
pub const DEFAULT_MAX_QUEUED: usize = 8;

/// Why [`JobQueue::submit`] refused a job.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitError {
    /// The waiting line is full.
    QueueFull { max: usize },
    /// The record could not be written.
    Storage(String),
}

impl std::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitError::QueueFull { max } => write!(
                f,
                "the job queue is full ({max} jobs waiting behind the running one): try again when one has finished"
            ),
            SubmitError::Storage(e) => write!(f, "cannot record the job: {e}"),
        }
    }
}

/// Why [`JobQueue::cancel`] could not cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelError {
    NotFound,
    /// The job had already ended in this state.
    Finished(JobState),
}

struct Running {
    id: String,
    stop: Stop,
}

struct Waiting {
    id: String,
    scenario: Scenario,
    sample: Option<SampleWork>,
}

/// A job on an uploaded sample: loaded (again: a waiting job holds no
/// events, so the waiting line costs no memory) and measured by
/// `bench_harness::sample_run` when its turn comes.
#[derive(Debug, Clone)]
pub struct SampleWork {
    /// The workload's name.
    pub name: String,
    /// The stored sample file.
    pub path: std::path::PathBuf,
    /// The file's name as uploaded, which errors name instead of `path`.
    pub file_name: String,
    pub request: bench_harness::sample_run::SampleRun,
}

/// Why a sample measurement is not also run through a broker or on
/// clusters (those paths read generated events or the contract's files).
const SAMPLE_SKIPPED: &str = "not measured for an uploaded sample yet";

#[derive(Default)]
struct Inner {
    jobs: HashMap<String, JobRecord>,
    waiting: VecDeque<Waiting>,
    running: Option<Running>,
    last_error: Option<String>,
    /// Set by [`JobQueue::shutdown`]: no job starts any more.
    shutting_down: bool,
}

/// What the status bar shows.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    /// The running job's id.
    pub running: Option<String>,
    pub stage: String,
    pub percent: f64,
    pub queued: usize,
    pub last_error: Option<String>,
}

/// Stores a finished job's report at its target.
pub type OnDone = dyn Fn(&Target, Report) -> anyhow::Result<()> + Send + Sync;

/// Handle to the queue (cheap to clone).
#[derive(Clone)]
pub struct JobQueue {
    inner: Arc<Mutex<Inner>>,
    wake: Arc<Notify>,
    store: JobStore,
    max_queued: usize,
    time_limit: Duration,
    broker: Option<Broker>,
    scale_out: Option<ScaleOut>,
    harness: Option<std::path::PathBuf>,
}

/// The scale-out measurement every job adds (`--scale-out`): local
/// Ballista clusters of these sizes, whose processes are the
/// `bench-harness` binary beside the server.
#[derive(Debug, Clone)]
pub struct ScaleOut {
    pub counts: Vec<usize>,
    pub harness: std::path::PathBuf,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock leaves plain data: keep using it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl JobQueue {
    /// Loads the stored job records (marking any left queued or running by
    /// a previous process as interrupted) and starts the worker.
    pub fn start(
        store: JobStore,
        max_queued: usize,
        time_limit: Duration,
        broker: Option<Broker>,
        scale_out: Option<ScaleOut>,
        harness: Option<std::path::PathBuf>,
        on_done: Arc<OnDone>,
    ) -> anyhow::Result<JobQueue> {
        let mut inner = Inner::default();
        for mut job in store.load_all()? {
            if !job.state.is_final() {
                job.error = Some(format!(
                    "the server stopped while this job was {}; submit it again",
                    job.state.name()
                ));
                job.state = JobState::Interrupted;
                job.finished_at_unix = Some(unix_now());
                store.save(&job)?;
                tracing::warn!(job = %job.id, "marked interrupted (the server stopped during it)");
            }
            inner.jobs.insert(job.id.clone(), job);
        }
        let queue = JobQueue {
            inner: Arc::new(Mutex::new(inner)),
            wake: Arc::new(Notify::new()),
            store,
            max_queued,
            time_limit,
            broker,
            scale_out,
            harness,
        };
        let worker = queue.clone();
        tokio::spawn(async move { worker.work(on_done).await });
        Ok(queue)
    }

    /// Queues a job. `bounded` submissions (users') are refused when the
    /// waiting line is full; the server's own reference runs are not.
    pub fn submit(
        &self,
        id: String,
        target: Target,
        scenario: Scenario,
        bounded: bool,
    ) -> Result<JobRecord, SubmitError> {
        self.enqueue(id, target, scenario, None, bounded)
    }

    /// Queues a measurement of an uploaded sample (a user's: bounded).
    pub fn submit_sample(
        &self,
        id: String,
        target: Target,
        scenario: Scenario,
        work: SampleWork,
    ) -> Result<JobRecord, SubmitError> {
        self.enqueue(id, target, scenario, Some(work), true)
    }

    fn enqueue(
        &self,
        id: String,
        target: Target,
        scenario: Scenario,
        sample: Option<SampleWork>,
        bounded: bool,
    ) -> Result<JobRecord, SubmitError> {
        let record = JobRecord {
            id: id.clone(),
            target,
            description: scenario.name.clone(),
            state: JobState::Queued,
            stage: String::new(),
            percent: 0.0,
            error: None,
            cancel_requested: false,
            queued_at_unix: unix_now(),
            started_at_unix: None,
            finished_at_unix: None,
            time_limit_seconds: self.time_limit.as_secs(),
        };
        {
            let mut inner = lock(&self.inner);
            if bounded && inner.waiting.len() >= self.max_queued {
                return Err(SubmitError::QueueFull {
                    max: self.max_queued,
                });
            }
            self.store
                .save(&record)
                .map_err(|e| SubmitError::Storage(format!("{e:#}")))?;
            inner.jobs.insert(id.clone(), record.clone());
            inner.waiting.push_back(Waiting {
                id,
                scenario,
                sample,
            });
        }
        self.wake.notify_one();
        Ok(record)
    }

    /// One job's record.
    pub fn get(&self, id: &str) -> Option<JobRecord> {
        lock(&self.inner).jobs.get(id).cloned()
    }

    /// Every job, newest first.
    pub fn list(&self) -> Vec<JobRecord> {
        let mut all: Vec<JobRecord> = lock(&self.inner).jobs.values().cloned().collect();
        all.sort_by(|a, b| {
            b.queued_at_unix
                .cmp(&a.queued_at_unix)
                .then_with(|| b.id.cmp(&a.id))
        });
        all
    }

    /// 1-based place in the waiting line, `None` when not waiting.
    pub fn position(&self, id: &str) -> Option<usize> {
        lock(&self.inner)
            .waiting
            .iter()
            .position(|w| w.id == id)
            .map(|i| i + 1)
    }

    /// Cancels a job: a waiting one at once, a running one at its next
    /// progress point (the record says `cancel_requested` until then).
    pub fn cancel(&self, id: &str) -> Result<JobRecord, CancelError> {
        let mut inner = lock(&self.inner);
        let state = inner.jobs.get(id).ok_or(CancelError::NotFound)?.state;
        if state.is_final() {
            return Err(CancelError::Finished(state));
        }
        if let Some(pos) = inner.waiting.iter().position(|w| w.id == id) {
            inner.waiting.remove(pos);
            let job = inner.jobs.get_mut(id).ok_or(CancelError::NotFound)?;
            job.state = JobState::Cancelled;
            job.error = Some("cancelled before it started".into());
            job.finished_at_unix = Some(unix_now());
            let job = job.clone();
            self.persist(&job);
            return Ok(job);
        }
        if let Some(r) = inner.running.as_ref().filter(|r| r.id == id) {
            r.stop.request(StopReason::Cancelled);
        }
        let job = inner.jobs.get_mut(id).ok_or(CancelError::NotFound)?;
        job.cancel_requested = true;
        let job = job.clone();
        self.persist(&job);
        Ok(job)
    }

    /// Forgets finished jobs' records (a deleted spec's), on disk too.
    pub fn forget(&self, ids: &[String]) {
        let mut inner = lock(&self.inner);
        for id in ids {
            if inner.jobs.get(id).is_some_and(|j| j.state.is_final()) {
                inner.jobs.remove(id);
                if let Err(e) = self.store.remove(id) {
                    tracing::warn!(job = %id, error = %format!("{e:#}"), "cannot remove job record");
                }
            }
        }
    }

    /// What the status bar shows.
    pub fn status(&self) -> RunState {
        let inner = lock(&self.inner);
        let running = inner.running.as_ref().and_then(|r| inner.jobs.get(&r.id));
        RunState {
            running: running.map(|j| j.id.clone()),
            stage: running.map(|j| j.stage.clone()).unwrap_or_default(),
            percent: running.map_or(0.0, |j| j.percent),
            queued: inner.waiting.len(),
            last_error: inner.last_error.clone(),
        }
    }

    fn persist(&self, job: &JobRecord) {
        if let Err(e) = self.store.save(job) {
            tracing::error!(job = %job.id, error = %format!("{e:#}"), "cannot persist the job record");
        }
    }

    /// Stops the running job (it ends as interrupted) and starts no other:
    /// waiting jobs stay queued on disk and are marked interrupted at the
    /// next start.
    pub fn shutdown(&self) {
        let mut inner = lock(&self.inner);
        inner.shutting_down = true;
        if let Some(r) = &inner.running {
            r.stop.request(StopReason::Shutdown);
        }
        drop(inner);
        self.wake.notify_one();
    }

    /// Waits until no job runs (after [`JobQueue::shutdown`]), at most
    /// `limit`; false if one still runs.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while lock(&self.inner).running.is_some() {
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Takes the next waiting job and marks it running.
    fn next(&self) -> Option<(String, Target, Scenario, Option<SampleWork>, Stop)> {
        let mut inner = lock(&self.inner);
        if inner.shutting_down {
            return None;
        }
        let (w, job) = loop {
            let w = inner.waiting.pop_front()?;
            // Every waiting job has a record; skip one that somehow lost it.
            if let Some(job) = inner.jobs.get_mut(&w.id) {
                job.state = JobState::Running;
                job.stage = "starting".into();
                job.started_at_unix = Some(unix_now());
                break (w, job.clone());
            }
        };
        let stop = Stop::new();
        inner.running = Some(Running {
            id: w.id.clone(),
            stop: stop.clone(),
        });
        drop(inner);
        self.persist(&job);
        Some((w.id, job.target, w.scenario, w.sample, stop))
    }

    async fn work(self, on_done: Arc<OnDone>) {
        loop {
            let Some((id, target, scenario, sample, stop)) = self.next() else {
                if lock(&self.inner).shutting_down {
                    return;
                }
                self.wake.notified().await;
                continue;
            };
            tracing::info!(job = %id, scenario = %scenario.name, "measurement started");
            let progress = JobProgress {
                queue: self.clone(),
                id: id.clone(),
                has_realtime: scenario.realtime.is_some(),
                stop,
                deadline: Instant::now() + self.time_limit,
            };
            let on_done = on_done.clone();
            let broker = self.broker.clone();
            let scale_out = self.scale_out.clone();
            let harness = self.harness.clone();
            // A panic (a bug) ends the blocking task; tokio reports it as
            // a `JoinError` and the job as crashed, and the queue goes on.
            let result = tokio::task::spawn_blocking(move || {
                let mut scenario = scenario;
                if let Some(work) = sample {
                    let mut report =
                        measure_sample(&mut scenario, &work, &progress).map_err(Ended::Run)?;
                    if broker.is_some() {
                        report.broker_skipped = Some(SAMPLE_SKIPPED.into());
                    }
                    if scale_out.is_some() {
                        report.scaling_skipped = Some(SAMPLE_SKIPPED.into());
                    }
                    return on_done(&target, report).map_err(Ended::Store);
                }
                // A spec's `[engine] kind = "ballista"`: a local cluster for
                // this job, stopped when the job ends (also when it fails).
                let _cluster =
                    local_cluster(&mut scenario, harness.as_deref()).map_err(Ended::Run)?;
                let mut report = bench_harness::runner::run_scenario(&scenario, &progress)
                    .map_err(Ended::Run)?;
                if let Some(broker) = &broker {
                    through_broker(&scenario, broker, &progress, &mut report)
                        .map_err(Ended::Run)?;
                }
                if let Some(scale_out) = &scale_out {
                    scale(&scenario, scale_out, &progress, &mut report).map_err(Ended::Run)?;
                }
                on_done(&target, report).map_err(Ended::Store)
            })
            .await;
            let (state, error) = match result {
                Ok(Ok(())) => (JobState::Done, None),
                Ok(Err(Ended::Run(e))) => match e.stop_reason() {
                    Some(StopReason::Cancelled) => (JobState::Cancelled, Some("cancelled".into())),
                    Some(StopReason::TimedOut) => (
                        JobState::TimedOut,
                        Some(format!(
                            "stopped after the time limit of {} s",
                            self.time_limit.as_secs()
                        )),
                    ),
                    Some(StopReason::Shutdown) => (
                        JobState::Interrupted,
                        Some("the server shut down during this job; submit it again".into()),
                    ),
                    None => (JobState::Failed, Some(e.to_string())),
                },
                Ok(Err(Ended::Store(e))) => (
                    JobState::Failed,
                    Some(format!("the report could not be stored: {e:#}")),
                ),
                Err(e) => (
                    JobState::Failed,
                    Some(format!("the measurement crashed: {e}")),
                ),
            };
            self.finish(&id, state, error);
        }
    }

    fn finish(&self, id: &str, state: JobState, error: Option<String>) {
        let mut inner = lock(&self.inner);
        inner.running = None;
        if state == JobState::Failed {
            inner.last_error = error.as_ref().map(|e| format!("{id}: {e}"));
        }
        let Some(job) = inner.jobs.get_mut(id) else {
            return;
        };
        job.state = state;
        job.error = error;
        job.finished_at_unix = Some(unix_now());
        if state == JobState::Done {
            job.percent = 100.0;
            job.stage = "done".into();
        }
        let job = job.clone();
        drop(inner);
        match state {
            JobState::Done => tracing::info!(job = %id, "measurement finished and stored"),
            _ => {
                tracing::warn!(job = %id, state = state.name(), error = ?job.error, "measurement ended early")
            }
        }
        self.persist(&job);
    }
}

/// How a job's blocking task ended other than with a stored report.
enum Ended {
    /// The harness failed or was stopped.
    Run(bench_harness::Error),
    /// The report was measured but could not be stored.
    Store(anyhow::Error),
}

/// Loads an uploaded sample and measures every plan of `scenario` on it.
/// Errors name the file as uploaded, not where it is stored.
fn measure_sample(
    scenario: &mut Scenario,
    work: &SampleWork,
    progress: &dyn Progress,
) -> bench_harness::Result<Report> {
    progress.update("loading the sample", 0, 1);
    let prepared = bench_harness::sample_run::prepare(&work.name, &work.path, &work.request)
        .map_err(|e| match e {
            e @ bench_harness::Error::Stopped(_) => e,
            e => bench_harness::Error::Unsupported(
                e.to_string()
                    .replace(&work.path.display().to_string(), &work.file_name),
            ),
        })?;
    progress.check()?;
    let mut report = bench_harness::sample_run::run(scenario, &prepared, progress)?;
    report.scenario.source = report
        .scenario
        .source
        .replace("sample.csv", &work.file_name)
        .replace("sample.parquet", &work.file_name);
    Ok(report)
}

/// `[3/7] label — sub-stage` → `(3, 7)`.
fn plan_index(stage: &str) -> Option<(u64, u64)> {
    let rest = stage.strip_prefix('[')?;
    let (inner, _) = rest.split_once(']')?;
    let (i, n) = inner.split_once('/')?;
    Some((i.trim().parse().ok()?, n.trim().parse().ok()?))
}

/// New overall percentage: plans take 90 % when there is a wall-clock
/// validation after them, else all of it; never goes backwards.
fn next_percent(current: f64, stage: &str, done: u64, total: u64, has_realtime: bool) -> f64 {
    let frac = if total == 0 {
        0.0
    } else {
        (done.min(total) as f64) / total as f64
    };
    let plans_share = if has_realtime { 90.0 } else { 100.0 };
    let pct = match plan_index(stage) {
        Some((i, n)) if n > 0 => plans_share * ((i.saturating_sub(1)) as f64 + frac) / n as f64,
        _ if current >= plans_share - 0.5 && has_realtime => {
            plans_share + (100.0 - plans_share) * frac
        }
        _ => current,
    };
    current.max(pct.min(100.0))
}

/// Receives the harness's progress for one job: records it, and hands the
/// harness the job's stop token, requested by a cancel, by shutdown, or
/// here once the job is over its time.
struct JobProgress {
    queue: JobQueue,
    id: String,
    has_realtime: bool,
    stop: Stop,
    deadline: Instant,
}

impl Progress for JobProgress {
    fn stop(&self) -> &Stop {
        if Instant::now() >= self.deadline {
            self.stop.request(StopReason::TimedOut);
        }
        &self.stop
    }

    fn update(&self, stage: &str, done: u64, total: u64) {
        let mut inner = lock(&self.queue.inner);
        if let Some(job) = inner.jobs.get_mut(&self.id) {
            job.percent = next_percent(job.percent, stage, done, total, self.has_realtime);
            job.stage = stage.to_string();
        }
    }
}

/// Starts the local cluster a scenario's engine asks for and points the
/// engine at it; the returned handle stops it when dropped.
fn local_cluster(
    scenario: &mut Scenario,
    harness: Option<&std::path::Path>,
) -> bench_harness::Result<Option<bench_harness::engine::Prepared>> {
    let Some(executors) = scenario.job.engine.wants_local_cluster() else {
        return Ok(None);
    };
    let harness = harness.filter(|h| h.is_file()).ok_or_else(|| {
        bench_harness::Error::Cluster(
            "this spec runs on Ballista, but no bench-harness binary was found beside the server \
             (build it with the server, or set WEIR_BENCH_HARNESS)"
                .into(),
        )
    })?;
    let prepared = bench_harness::engine::prepare("ballista", Some(executors), None, harness)?;
    scenario.job.engine = prepared.engine.clone();
    Ok(Some(prepared))
}

/// Adds the scale-out measurement to a finished report. A cluster that
/// fails (an executor lost, a port taken) fails the job with the error and
/// where the cluster's logs are; a build without Ballista, or no
/// `bench-harness` binary, is recorded in the report as skipped.
fn scale(
    scenario: &Scenario,
    scale_out: &ScaleOut,
    progress: &dyn bench_harness::progress::Progress,
    report: &mut bench_harness::report::Report,
) -> bench_harness::Result<()> {
    if !bench_harness::engine::HAS_BALLISTA {
        report.scaling_skipped = Some("this server was built without Ballista".into());
        return Ok(());
    }
    if !scale_out.harness.is_file() {
        report.scaling_skipped = Some(format!(
            "no bench-harness binary at {} (build it with the server: cargo build --release -p server -p bench-harness)",
            scale_out.harness.display()
        ));
        return Ok(());
    }
    report.scaling = Some(bench_harness::engine::measure_scaling(
        scenario,
        None,
        report,
        &scale_out.harness,
        &scale_out.counts,
        progress,
    )?);
    Ok(())
}

/// Adds the broker measurements to a finished in-memory report. A broker
/// that cannot be used is recorded in the report (the page says the broker
/// runs were skipped and why); only a stop ends the job.
fn through_broker(
    scenario: &Scenario,
    broker: &Broker,
    progress: &dyn Progress,
    report: &mut Report,
) -> bench_harness::Result<()> {
    let every = bench_harness::recovery::measure::DEFAULT_CHECKPOINT_EVERY;
    match bench_harness::through_broker::measure(scenario, None, broker, every, progress) {
        Ok(b) => report.broker = Some(b),
        Err(e) if e.stop_reason().is_some() => return Err(e),
        Err(e) => {
            tracing::warn!(scenario = %scenario.name, "broker measurements skipped: {e}");
            report.broker_skipped = Some(e.to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_moves_forward_across_plans() {
        let mut p = next_percent(0.0, "generating events", 0, 1, false);
        assert_eq!(p, 0.0);
        p = next_percent(p, "[1/4] batch every 1h — simulating", 1, 2, false);
        assert!((p - 12.5).abs() < 1e-9);
        p = next_percent(p, "[3/4] stream — simulating", 2, 2, false);
        assert!((p - 75.0).abs() < 1e-9);
        // Never goes backwards.
        p = next_percent(p, "[2/4] micro-batch — measuring reprocessing", 0, 1, false);
        assert!((p - 75.0).abs() < 1e-9);
        // With a wall-clock validation, plans fill 90 % and it the rest.
        let p = next_percent(0.0, "[2/2] stream", 1, 1, true);
        assert!((p - 90.0).abs() < 1e-9);
        let p = next_percent(p, "real-time validation: stream", 1, 2, true);
        assert!((p - 95.0).abs() < 1e-9);
    }

    #[test]
    fn states_are_final_or_not() {
        assert!(!JobState::Queued.is_final());
        assert!(!JobState::Running.is_final());
        for s in [
            JobState::Done,
            JobState::Failed,
            JobState::Cancelled,
            JobState::TimedOut,
            JobState::Interrupted,
        ] {
            assert!(s.is_final());
        }
        assert_eq!(
            serde_json::to_value(JobState::TimedOut).unwrap(),
            serde_json::json!(JobState::TimedOut.name())
        );
    }
}

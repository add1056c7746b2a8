//! The scaling measurement ([`crate::scaling`]) on local Ballista clusters:
//! for each cluster size, a fresh cluster, the batch job's one run over
//! every event (checked against the reference), and the same run over a
//! handful of events for its fixed part; the in-process engines beside it.

use std::path::Path;
use std::time::Instant;

use workloads::Workload;
use workloads::dataset::Dataset;
use workloads::df::staging_seconds_total;
use workloads::drive::{ModeConfig, run_mode};
use workloads::mode::{Engine, JobConfig};
use workloads::output::materialize;
use workloads::time::DAY;

use super::LocalCluster;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::scaling::{ScalePoint, ScalingFit, ScalingReport};

/// Events in the run that measures the fixed part.
const TINY: usize = 100;
/// One batch run over everything (an interval longer than any input).
const ONE_RUN: ModeConfig = ModeConfig::Batch {
    interval_ms: 100 * 365 * DAY,
};

/// Measures `counts` executors (each `repeats` times, medians).
pub fn measure<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
    exe: &Path,
    counts: &[usize],
    repeats: usize,
    progress: &dyn Progress,
) -> Result<ScalingReport> {
    let repeats = repeats.max(1);
    let reference = workload.reference(&data.events);
    let tiny = Dataset {
        events: data.events.iter().take(TINY).copied().collect(),
        arrival: data.arrival.iter().take(TINY).copied().collect(),
        dict: data.dict.clone(),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let steps = (counts.len() + 2) as u64;
    progress.update("scaling: in-process engines", 0, steps);
    let (in_memory, _, _) = timed(workload, data, &JobConfig::default(), repeats)?;
    let parquet_job = JobConfig {
        engine: Engine::Parquet,
        ..JobConfig::default()
    };
    let (parquet, _, _) = timed(workload, data, &parquet_job, repeats)?;
    let mut points = Vec::new();
    for (i, &n) in counts.iter().enumerate() {
        progress.check()?;
        progress.update(
            &format!("scaling: Ballista, {n} executor(s)"),
            i as u64 + 2,
            steps,
        );
        let mut cluster = LocalCluster::start(exe, n)?;
        let job = JobConfig {
            engine: Engine::ballista(cluster.url(), n),
            ..JobConfig::default()
        };
        let on_cluster = |what: &str, e: Error, cluster: &mut LocalCluster| {
            let logs = cluster.keep_logs();
            Error::Cluster(format!(
                "{what} on {n} executor(s) failed: {} (logs: {})",
                super::cluster_message(e),
                logs.display()
            ))
        };
        let (seconds, rows, lake_write) = timed(workload, data, &job, repeats)
            .map_err(|e| on_cluster("the run", e, &mut cluster))?;
        let (fixed, _, _) = timed(workload, &tiny, &job, repeats)
            .map_err(|e| on_cluster("the fixed-cost run", e, &mut cluster))?;
        points.push(ScalePoint {
            executors: n,
            seconds,
            lake_write_seconds: lake_write,
            fixed_seconds: fixed,
            events_per_second: 0.0,
            per_executor_events_per_second: 0.0,
            efficiency: 0.0,
            beyond_cores: n > cores,
            exact: rows == reference,
        });
    }
    derive(&mut points, data.events.len() as u64);
    let fit = ScalingFit::fit(data.events.len() as u64, &points);
    let mut notes = vec![
        format!(
            "Each point is a fresh local cluster: 1 scheduler and N executors of 1 task slot, \
             processes on 127.0.0.1 of this {cores}-core machine; medians of {repeats} runs."
        ),
        format!(
            "The fixed part is the same run over {TINY} events: session, planning, task launch, shuffle."
        ),
        "Every run first writes the landed data it reads as Parquet files (one per lake bucket); that \
         write is timed apart and not counted, because a real lake is written once by ingest."
            .into(),
    ];
    if points.iter().any(|p| p.beyond_cores) {
        notes.push(format!(
            "Points with more executors than the machine's {cores} cores shared cores: \
             measured and shown, but left out of the fit."
        ));
    }
    notes.push(match fit {
        Some(f) if points.iter().any(|p| p.executors > 1 && !p.beyond_cores) => format!(
            "Beyond the measured sizes the curve is modeled (Amdahl): a serial share of {:.0}% \
             of the per-event work, fitted from the points within the cores.",
            f.serial_fraction * 100.0
        ),
        Some(_) => {
            "Only one executor fits this machine: the curve beyond it assumes linear scaling \
                    (not measured)."
                .into()
        }
        None => "No one-executor point: no curve was fitted and no cluster is sized.".into(),
    });
    Ok(ScalingReport {
        plan: format!(
            "batch, one run over all {} events (the job's every query)",
            data.events.len()
        ),
        events: data.events.len() as u64,
        machine_cores: cores,
        in_memory_seconds: in_memory,
        parquet_seconds: parquet,
        points,
        fit,
        sizing: Vec::new(),
        notes,
    })
}

/// Fills in rates and efficiency from the measured times.
fn derive(points: &mut [ScalePoint], events: u64) {
    let work = |p: &ScalePoint| (p.seconds - p.fixed_seconds).max(1e-9);
    let one = points.iter().find(|p| p.executors == 1).map(work);
    for p in points.iter_mut() {
        let w = work(p);
        p.events_per_second = events as f64 / w;
        p.per_executor_events_per_second = p.events_per_second / p.executors as f64;
        p.efficiency = one.map_or(0.0, |w1| w1 / (w * p.executors as f64));
    }
}

/// Medians of `repeats` one-run batches — seconds without writing the
/// lake files, and seconds writing them — and the first run's rows.
fn timed<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
    job: &JobConfig,
    repeats: usize,
) -> Result<(f64, Vec<W::Row>, f64)> {
    let mut times = Vec::with_capacity(repeats);
    let mut writes = Vec::with_capacity(repeats);
    let mut first = None;
    for _ in 0..repeats {
        let staged = staging_seconds_total();
        let start = Instant::now();
        let (changelog, _) = run_mode(workload, &ONE_RUN, job, data).map_err(Error::Workload)?;
        let write = staging_seconds_total() - staged;
        times.push(start.elapsed().as_secs_f64() - write);
        writes.push(write);
        if first.is_none() {
            first = Some(materialize(&changelog));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok((
        median(&mut times),
        first.unwrap_or_default(),
        median(&mut writes),
    ))
}

/// The scaling measurement of a scenario (its generated events, or
/// `input`), sized for the scenario's mean rate and the rates a growing team
/// asks about (20,000 and 200,000 events/s), at each of its batch plans'
/// intervals; the stream plan's cores come from `report`'s measured
/// per-core rate.
pub fn for_scenario(
    s: &crate::scenario::Scenario,
    input: Option<&Path>,
    report: &crate::report::Report,
    exe: &Path,
    counts: &[usize],
    progress: &dyn Progress,
) -> Result<ScalingReport> {
    use workloads::{DailyReport, FraudAlerts, Sessionization, WorkloadKind};
    fn go<W: Workload>(
        w: &W,
        s: &crate::scenario::Scenario,
        input: Option<&Path>,
        exe: &Path,
        counts: &[usize],
        progress: &dyn Progress,
    ) -> Result<ScalingReport> {
        progress.update("scaling: preparing events", 0, 1);
        let data = match input {
            Some(path) => w.read_events(path)?,
            None => w.generate(&s.generator)?,
        };
        measure(w, &data, exe, counts, 3, progress)
    }
    let mut scaling = match s.workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, s, input, exe, counts, progress),
        WorkloadKind::DailyReport => go(&DailyReport, s, input, exe, counts, progress),
        WorkloadKind::Sessionization => go(&Sessionization, s, input, exe, counts, progress),
        WorkloadKind::Custom => go(
            &crate::runner::custom_workload(s)?,
            s,
            input,
            exe,
            counts,
            progress,
        ),
    }?;
    let mut rates = vec![report.scenario.mean_events_per_second, 20_000.0, 200_000.0];
    rates.retain(|r| r.is_finite() && *r > 0.0);
    rates.sort_by(f64::total_cmp);
    rates.dedup();
    let mut intervals: Vec<f64> = s
        .plans
        .iter()
        .filter_map(|p| match p {
            crate::plan::Plan::Batch { interval_ms, .. } => Some(*interval_ms as f64 / 1000.0),
            _ => None,
        })
        .collect();
    intervals.sort_by(f64::total_cmp);
    intervals.dedup();
    let stream = report
        .modes
        .iter()
        .filter(|m| m.mode == workloads::mode::Mode::Stream)
        .map(|m| m.throughput.service_fit)
        .filter(|f| f.per_event_seconds.is_finite() && f.per_event_seconds > 0.0)
        // The slowest stream plan: the sizing must hold for every one.
        .max_by(|a, b| a.per_event_seconds.total_cmp(&b.per_event_seconds));
    let peak_bytes = report
        .modes
        .iter()
        .filter(|m| m.mode == workloads::mode::Mode::Batch)
        .map(|m| m.resources.peak_memory_bytes as f64)
        .fold(0.0, f64::max);
    scaling.size(&s.cost, &rates, &intervals, stream, peak_bytes);
    Ok(scaling)
}

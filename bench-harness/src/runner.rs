//! Runs a scenario end to end: data → every plan on the virtual clock →
//! measurements, cost, reprocessing, complexity → one [`Report`].

use std::time::{SystemTime, UNIX_EPOCH};

use cpu_time::ProcessTime;
use workloads::dataset::Dataset;
use workloads::event::Timed;
use workloads::mode::{JobConfig, Mode};
use workloads::time::{DAY, HOUR};
use workloads::{
    CustomWorkload, DailyReport, FraudAlerts, Sessionization, Stop, Workload, WorkloadKind,
};

use crate::clock;
use crate::cost::{CostModel, MonthlyCost};
use crate::error::{Error, Result};
use crate::measure;
use crate::plan::Plan;
use crate::progress::{NoProgress, Progress};
use crate::report::{
    BreakEven, Complexity, CostCurves, CostSeries, Machine, Methodology, ModeReport, Report,
    Reprocessing, Resources, SCHEMA_VERSION, ScenarioSummary,
};
use crate::scenario::Scenario;

/// Generates the scenario's data and runs every plan.
///
/// Returns [`Error::Stopped`] within about a second of a stop requested
/// through `progress`.
pub fn run_scenario(s: &Scenario, progress: &dyn Progress) -> Result<Report> {
    fn go<W: Workload>(workload: &W, s: &Scenario, progress: &dyn Progress) -> Result<Report> {
        progress.update("generating events", 0, 1);
        progress.check()?;
        let data = workload.generate(&s.generator)?;
        let source = format!("generated (seed {})", s.generator.seed);
        let mut report = run_on_dataset(workload, s, &data, source, progress)?;
        report.scenario.keys = Some(s.generator.keys);
        report.scenario.mean_events_per_second = s.generator.rate.mean();
        report.scenario.peak_events_per_second = s.generator.rate.peak();
        if let Some(rt) = &s.realtime {
            // The saturation run's rate comes from the first micro-batch
            // plan's measured service time.
            let micro_fit = report
                .modes
                .iter()
                .find(|m| matches!(m.plan, Plan::MicroBatch { .. }))
                .map(|m| m.throughput.service_fit);
            report.realtime_validation = Some(crate::realtime::validate(
                workload, s, rt, micro_fit, progress,
            )?);
        }
        Ok(report)
    }
    match s.workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, s, progress),
        WorkloadKind::DailyReport => go(&DailyReport, s, progress),
        WorkloadKind::Sessionization => go(&Sessionization, s, progress),
        WorkloadKind::Custom => {
            let w = custom_workload(s)?;
            let mut report = go(&w, s, progress)?;
            report.query = Some(query_report(&w));
            Ok(report)
        }
    }
}

/// A custom workload's query as the report shows it.
pub fn query_report(w: &CustomWorkload) -> crate::report::QueryReport {
    crate::report::QueryReport {
        sql: w.def().sql_text(),
        written_as_sql: w.def().sql.is_some(),
        datafusion_sql: w.batch_sql(),
    }
}

/// The custom workload a scenario defines, named after the scenario.
pub fn custom_workload(s: &Scenario) -> Result<CustomWorkload> {
    let def = s.custom.as_ref().ok_or_else(|| Error::Fields {
        what: format!("scenario `{}`", s.name),
        errors: vec![workloads::validation::FieldError {
            path: "custom".into(),
            message: "workload `custom` needs a definition".into(),
        }],
    })?;
    Ok(CustomWorkload::new(s.name.clone(), def)?)
}

/// Describes the data the modes ran on.
pub fn summarize<E: Timed>(name: &str, source: String, data: &Dataset<E>) -> ScenarioSummary {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let (mut ooo, mut max_late) = (0u64, 0i64);
    for e in &data.events {
        let t = e.event_time();
        if hi != i64::MIN && t < hi {
            ooo += 1;
            max_late = max_late.max(hi - t);
        }
        lo = lo.min(t);
        hi = hi.max(t);
    }
    let span = if data.events.is_empty() {
        0
    } else {
        hi - lo + 1
    };
    let rate = if span > 0 {
        data.events.len() as f64 * 1000.0 / span as f64
    } else {
        0.0
    };
    ScenarioSummary {
        name: name.to_string(),
        source,
        events: data.events.len() as u64,
        event_time_span_ms: span,
        mean_events_per_second: rate,
        peak_events_per_second: rate,
        keys: None,
        out_of_order_events: ooo,
        max_lateness_ms: max_late,
    }
}

/// Runs every plan of `s` over `data` and builds the report (no
/// real-time validation: that needs generated data).
pub fn run_on_dataset<W: Workload>(
    workload: &W,
    s: &Scenario,
    data: &Dataset<W::Event>,
    source: String,
    progress: &dyn Progress,
) -> Result<Report> {
    let summary = summarize(&s.name, source, data);
    progress.update("computing ground truth", 0, 1);
    progress.check()?;
    let truth = workload.reference(&data.events);
    progress.check()?;
    let partitioning = crate::partitioning::measure(workload, data, &truth, progress)?;
    let span_ms = summary.event_time_span_ms as f64;
    let peak_ratio = s.generator.rate.peak() / s.generator.rate.mean();
    let startup_s = s.cost.batch_startup_seconds;
    let mut modes = Vec::new();
    let mut reprocessing: Vec<(Mode, Reprocessing)> = Vec::new();
    for (i, plan) in s.plans.iter().enumerate() {
        let label = plan.label();
        let stage = format!("[{}/{}] {label}", i + 1, s.plans.len());
        let sub = Stage {
            inner: progress,
            stage: &stage,
        };
        let baseline = crate::alloc::reset_peak();
        let cpu0 = ProcessTime::now();
        let timeline = clock::simulate(workload, plan, &s.job, data, startup_s * 1000.0, &sub)?;
        let cpu_seconds = cpu0.elapsed().as_secs_f64();
        let peak_memory = crate::alloc::peak().saturating_sub(baseline) as u64;
        let latency = measure::latency(&timeline);
        let mut throughput = measure::throughput(&timeline, plan, span_ms, startup_s);
        if plan.mode() == Mode::Stream {
            throughput.service_fit.parallel_efficiency = partitioning.efficiency;
        }
        let (correctness, rows) = measure::correctness(&timeline, &truth);
        if !measure::well_formed(&rows) {
            return Err(Error::Invariant {
                plan: label,
                message: "the materialized output has duplicate keys (a bug in the mode)".into(),
            });
        }
        let mean_rate = summary.mean_events_per_second;
        let mut cost = cost_at(
            &s.cost,
            plan,
            &throughput.service_fit,
            &s.job,
            mean_rate,
            mean_rate * peak_ratio,
            peak_memory as f64,
        );
        // JSON has no infinity: a mode that cannot keep up at any size costs `f64::MAX`.
        if !cost.usd.is_finite() {
            cost.usd = f64::MAX;
            cost.vcpus = f64::MAX;
        }
        let mode = plan.mode();
        let repro = match reprocessing.iter().find(|(m, _)| *m == mode) {
            Some((_, r)) => r.clone(),
            None => {
                let r = measure_reprocessing(workload, plan, &s.job, data, startup_s, &sub)?;
                reprocessing.push((mode, r.clone()));
                r
            }
        };
        let facts = workload.complexity(mode);
        let loc = workloads::loc::lines_of_code(&facts.source_files);
        modes.push(ModeReport {
            label,
            mode,
            plan: *plan,
            promises_exact: plan.promises_exact(),
            latency,
            throughput,
            resources: Resources {
                busy_seconds: timeline.busy_seconds,
                cpu_seconds,
                peak_memory_bytes: peak_memory,
                peak_state_bytes: timeline.peak_state_bytes as u64,
            },
            cost,
            reprocessing: repro,
            complexity: Complexity::from((facts, loc, timeline.peak_state_bytes as u64)),
            correctness,
        });
    }
    let cost_curves = cost_curves(&s.cost, &s.job, &modes, peak_ratio);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        weir_version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        machine: machine(),
        workload: W::KIND,
        scenario: summary,
        methodology: methodology(&s.cost, &s.job),
        cost_model: s.cost,
        modes,
        cost_curves,
        realtime_validation: None,
        broker: None,
        broker_skipped: None,
        scaling: None,
        scaling_skipped: None,
        stream_partitioning: Some(partitioning),
        query: None,
        charts: Vec::new(),
    })
}

/// Prefixes a sub-step's progress with the plan being run.
struct Stage<'a> {
    inner: &'a dyn Progress,
    stage: &'a str,
}

impl Progress for Stage<'_> {
    fn update(&self, stage: &str, done: u64, total: u64) {
        self.inner
            .update(&format!("{} — {stage}", self.stage), done, total);
    }

    fn stop(&self) -> &Stop {
        self.inner.stop()
    }
}

/// Monthly cost of a plan at a mean and peak rate.
pub fn cost_at(
    model: &CostModel,
    plan: &Plan,
    fit: &crate::cost::ServiceFit,
    job: &JobConfig,
    mean_rate: f64,
    peak_rate: f64,
    peak_memory: f64,
) -> MonthlyCost {
    match *plan {
        Plan::Batch { interval_ms, .. } => {
            let interval_s = interval_ms as f64 / 1000.0;
            // Scale out when one run would not finish within its interval.
            let per_core = fit.sustainable_rate(interval_s, model.batch_startup_seconds);
            let cores = if per_core <= 0.0 {
                f64::INFINITY
            } else {
                (mean_rate / per_core)
                    .ceil()
                    .max(job.target_partitions as f64)
                    .max(job.engine.executors() as f64)
            };
            model.batch(fit, interval_s, mean_rate, cores, peak_memory)
        }
        Plan::MicroBatch { trigger_ms, .. } => {
            let per_core = fit.sustainable_rate(trigger_ms as f64 / 1000.0, 0.0);
            model.always_on(per_core, fit.parallel_efficiency, peak_rate, peak_memory)
        }
        Plan::Stream(_) => {
            let per_core = if fit.per_event_seconds > 0.0 {
                1.0 / fit.per_event_seconds
            } else {
                f64::INFINITY
            };
            model.always_on(per_core, fit.parallel_efficiency, peak_rate, peak_memory)
        }
    }
}

/// Cost of every mode across rates from 1 to 1,000,000 events/s, and where
/// curves of different modes cross.
fn cost_curves(
    model: &CostModel,
    job: &JobConfig,
    modes: &[ModeReport],
    peak_ratio: f64,
) -> CostCurves {
    let rates: Vec<f64> = (0..=48).map(|i| 10f64.powf(i as f64 / 8.0)).collect();
    let series: Vec<CostSeries> = modes
        .iter()
        .map(|m| CostSeries {
            label: m.label.clone(),
            mode: m.mode,
            usd: rates
                .iter()
                .map(|&r| {
                    let c = cost_at(
                        model,
                        &m.plan,
                        &m.throughput.service_fit,
                        job,
                        r,
                        r * peak_ratio,
                        m.resources.peak_memory_bytes as f64,
                    );
                    c.usd.is_finite().then_some(c.usd)
                })
                .collect(),
        })
        .collect();
    let break_even = mode_break_evens(&rates, &series);
    CostCurves {
        rates,
        series,
        break_even,
    }
}

/// Per rate, the cheapest plan of one mode: `(label, usd)`.
type Envelope<'a> = Vec<Option<(&'a str, f64)>>;

/// Where the cheapest configuration of one mode stops being cheaper than
/// the cheapest of another: the crossings of the per-mode lower envelopes.
fn mode_break_evens(rates: &[f64], series: &[CostSeries]) -> Vec<BreakEven> {
    // For each mode and rate: the cheapest plan (label, usd).
    let envelope = |mode: Mode| -> Envelope<'_> {
        (0..rates.len())
            .map(|k| {
                series
                    .iter()
                    .filter(|s| s.mode == mode)
                    .filter_map(|s| s.usd[k].map(|u| (s.label.as_str(), u)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
            })
            .collect()
    };
    let envelopes: Vec<Envelope<'_>> = Mode::ALL.iter().map(|&m| envelope(m)).collect();
    let mut out = Vec::new();
    for (i, a) in envelopes.iter().enumerate() {
        for b in &envelopes[i + 1..] {
            for k in 1..rates.len() {
                let (Some(a0), Some(b0), Some(a1), Some(b1)) = (a[k - 1], b[k - 1], a[k], b[k])
                else {
                    continue;
                };
                let (d0, d1) = (a0.1 - b0.1, a1.1 - b1.1);
                if d0 != 0.0 && d0.signum() != d1.signum() {
                    let (below, above) = if d0 < 0.0 { (a0.0, b1.0) } else { (b0.0, a1.0) };
                    out.push(BreakEven {
                        cheaper_below: below.to_string(),
                        cheaper_above: above.to_string(),
                        events_per_second: rates[k],
                        usd_per_month: a1.1.max(b1.1),
                    });
                }
            }
        }
    }
    out.sort_by(|x, y| x.events_per_second.total_cmp(&y.events_per_second));
    out
}

/// Time to recompute one day: the batch job rerun over a day of data, the
/// micro-batch replayed in hour-sized catch-up triggers, the stream replayed
/// from a checkpoint. Measured on up to one day of the data, scaled to a day
/// when the data spans less.
fn measure_reprocessing<W: Workload>(
    workload: &W,
    plan: &Plan,
    job_cfg: &JobConfig,
    data: &Dataset<W::Event>,
    startup_s: f64,
    progress: &dyn Progress,
) -> Result<Reprocessing> {
    progress.update("measuring reprocessing", 0, 1);
    progress.check()?;
    let first = data
        .events
        .iter()
        .map(|e| e.event_time())
        .min()
        .unwrap_or(0);
    let day: Vec<W::Event> = data
        .events
        .iter()
        .filter(|e| e.event_time() < first + DAY)
        .copied()
        .collect();
    let span = day.iter().map(|e| e.event_time()).max().unwrap_or(first) - first + 1;
    let scale = (DAY as f64 / span as f64).max(1.0);
    let t0 = std::time::Instant::now();
    let (method, extra) = match plan {
        Plan::Batch { .. } => {
            let mut job = workload.batch(job_cfg)?;
            job.run(&day, None, &mut Vec::new())?;
            (
                "rerun the batch job over one day of data (plus modeled start-up)",
                startup_s,
            )
        }
        Plan::MicroBatch { .. } => {
            let mut job = workload.micro_batch(job_cfg)?;
            let mut out = Vec::new();
            let mut sorted = day.clone();
            sorted.sort_by_key(|e| e.event_time());
            for chunk in sorted
                .chunk_by(|a, b| a.event_time().div_euclid(HOUR) == b.event_time().div_euclid(HOUR))
            {
                progress.check()?;
                job.run(chunk, None, &mut out)?;
            }
            (
                "replay one day from the source in hour-sized catch-up triggers",
                0.0,
            )
        }
        Plan::Stream(sc) => {
            let mut op = workload.stream(sc);
            workloads::drive::drive_stream_until::<W>(op.as_mut(), &day, progress.stop())?;
            (
                "replay one day from a checkpoint through the stream operators",
                0.0,
            )
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    Ok(Reprocessing {
        one_day_seconds: secs * scale + extra,
        method: if scale > 1.0 {
            format!(
                "{method}; measured on {:.1} h of data and scaled to 24 h",
                span as f64 / HOUR as f64
            )
        } else {
            method.to_string()
        },
        measured_full_day: scale <= 1.0,
    })
}

fn machine() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| m.trim().to_string())
    });
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        cpu_model,
    }
}

/// The methodology statement every report carries.
pub fn methodology(cost: &CostModel, job: &JobConfig) -> Methodology {
    Methodology {
        measured: vec![
            "service time of every stream chunk (1024 events), micro-batch trigger and batch run, on this machine".into(),
            "event-time latency of every emitted result on the virtual clock (emission − newest input event time)".into(),
            "process CPU seconds and peak heap bytes while each mode ran".into(),
            "operator state bytes, sampled while running".into(),
            "final output of every mode against a reference implementation of the contract (precision, recall)".into(),
            "late events, drops, corrections and retractions".into(),
            "reprocessing time of one day (scaled when the data spans less)".into(),
            "lines of code of each mode's implementation, counted from the source at build time".into(),
        ],
        modeled: vec![
            format!(
                "prices: ${}/vCPU-hour, ${}/GB-hour; a month is 730 hours",
                cost.vcpu_hour_usd, cost.gb_hour_usd
            ),
            format!(
                "batch start-up overhead: {} s per run (billed, and added to batch latency)",
                cost.batch_startup_seconds
            ),
            format!(
                "always-on modes are sized for the peak rate × {} headroom, in {} vCPU steps",
                cost.headroom, cost.vcpu_step
            ),
            "cost at other rates: service time = fixed + per-event cost, fitted from the measured runs".into(),
            "time: a virtual clock driven by arrival times; runs queue behind each other".into(),
        ],
        notes: vec![
            "Results flushed when the input ends are excluded from latency and counted separately.".into(),
            format!(
                "Batch and micro-batch ran on: {} (target_partitions = {}): throughput is per core unless the engine has more.",
                job.engine.label(),
                job.target_partitions
            ),
            "The real-time validation feeds stream and micro-batch on the wall clock through a bounded queue to check the simulation.".into(),
        ],
    }
}

/// A no-op progress for callers that do not need one.
pub fn quiet() -> &'static dyn Progress {
    &NoProgress
}

//! Real-time validation: the simulation is checked, not trusted. A generator
//! thread releases events on the wall clock at their arrival times through a
//! bounded queue; the stream operator and a micro-batch job consume them
//! live. Their wall-clock latencies are put next to the virtual clock's
//! latencies for the same events.
//!
//! A second micro-batch run feeds events at 90 % of the rate the job
//! sustains at the validation's trigger (from the service fit the main run
//! measured): there triggers nearly fill their interval, queueing decides
//! latency, and the simulation matters most.

use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError, sync_channel};
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use workloads::dataset::Dataset;
use workloads::generate::RateProfile;
use workloads::mode::{Lateness, StreamConfig};
use workloads::output::{Emission, materialize};
use workloads::time::Millis;
use workloads::validation::FieldError;
use workloads::{Stop, Workload};

use crate::clock;
use crate::cost::ServiceFit;
use crate::error::{Error, Result};
use crate::measure;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report::{RealtimeValidation, ValidationRow};
use crate::scenario::{RealtimeConfig, Scenario};

/// Most wall-clock seconds a validation may take (a bound on user input).
pub const MAX_SECONDS: f64 = 60.0;
/// Share of the sustainable rate the saturation run feeds.
pub const SATURATION_SHARE: f64 = 0.9;
/// Highest rate the saturation run feeds (the generator thread's pace and
/// the events held in memory bound it).
pub const MAX_SATURATION_RATE: f64 = 1_000_000.0;
/// Most events the saturation run generates.
pub const MAX_SATURATION_EVENTS: f64 = 4_000_000.0;

/// Runs the validation for a scenario's workload. `micro_fit` is the
/// micro-batch service time measured by the main run; without it the
/// saturation row is left out.
pub fn validate<W: Workload>(
    workload: &W,
    s: &Scenario,
    rt: &RealtimeConfig,
    micro_fit: Option<ServiceFit>,
    progress: &dyn Progress,
) -> Result<RealtimeValidation> {
    let mut errors = Vec::new();
    if !(rt.seconds > 0.0 && rt.seconds <= MAX_SECONDS) {
        errors.push(FieldError {
            path: "realtime.seconds".into(),
            message: format!("must be in (0, {MAX_SECONDS}], got {}", rt.seconds),
        });
    }
    if !(1..=10_000_000).contains(&rt.queue_capacity) {
        errors.push(FieldError {
            path: "realtime.queue_capacity".into(),
            message: format!("must be between 1 and 10000000, got {}", rt.queue_capacity),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Fields {
            what: format!("scenario `{}`", s.name),
            errors,
        });
    }
    let stop = progress.stop();
    let data = generate_at(workload, s, rt.seconds, rt.events_per_second)?;
    let stream_plan = Plan::Stream(StreamConfig::EXACT);
    let micro_plan = Plan::MicroBatch {
        trigger_ms: rt.trigger_ms,
        lateness: Lateness::EXACT,
    };
    let saturation = micro_fit.and_then(|fit| saturation_run(&fit, rt));
    let total = 2 + u64::from(saturation.is_some());
    let mut rows = Vec::new();
    let wall0 = Instant::now();
    for (k, plan) in [stream_plan, micro_plan].into_iter().enumerate() {
        progress.update(
            &format!("real-time validation: {}", plan.label()),
            k as u64,
            total,
        );
        rows.push(compare(workload, &plan, s, rt, &data, None, stop)?);
    }
    if let Some((rate, seconds, label)) = saturation {
        progress.update(&format!("real-time validation: {label}"), 2, total);
        progress.check()?;
        let data = generate_at(workload, s, seconds, rate)?;
        let mut row = compare(workload, &micro_plan, s, rt, &data, Some(rate), stop)?;
        row.label = label;
        rows.push(row);
    }
    Ok(RealtimeValidation {
        events: data.events.len() as u64,
        events_per_second: rt.events_per_second,
        wall_seconds: wall0.elapsed().as_secs_f64(),
        rows,
    })
}

/// The rate, seconds and label of the run near saturation: 90 % of what the
/// micro-batch job sustains at the validation's trigger, capped at
/// [`MAX_SATURATION_RATE`] and [`MAX_SATURATION_EVENTS`]. `None` when the
/// fit says the job cannot keep up at all, or no faster than the base run.
fn saturation_run(fit: &ServiceFit, rt: &RealtimeConfig) -> Option<(f64, f64, String)> {
    let sustainable = fit.sustainable_rate(rt.trigger_ms as f64 / 1000.0, 0.0);
    if sustainable.is_nan() || sustainable <= 0.0 {
        return None;
    }
    let wanted = SATURATION_SHARE * sustainable;
    let rate = wanted.min(MAX_SATURATION_RATE);
    if rate <= rt.events_per_second {
        return None;
    }
    let seconds = rt.seconds.min(MAX_SATURATION_EVENTS / rate);
    let share = 100.0 * rate / sustainable;
    let capped = if rate < wanted { ", capped" } else { "" };
    let label = format!(
        "micro-batch every {} ms near saturation: {:.0} events/s, {share:.0} % of the {:.0}/s it sustains{capped}",
        rt.trigger_ms, rate, sustainable
    );
    Some((rate, seconds, label))
}

/// `seconds` of the scenario's events at a constant `rate`, with at most
/// 200 ms of arrival jitter and no late data.
pub fn generate_at<W: Workload>(
    workload: &W,
    s: &Scenario,
    seconds: f64,
    rate: f64,
) -> Result<Dataset<W::Event>> {
    let gen_cfg = workloads::generate::GenConfig {
        duration_ms: (seconds * 1000.0) as Millis,
        rate: RateProfile::Constant {
            events_per_second: rate,
        },
        jitter_ms: s.generator.jitter_ms.min(200),
        late_fraction: 0.0,
        max_lateness_ms: s.generator.jitter_ms.min(200),
        ..s.generator
    };
    Ok(workload.generate(&gen_cfg)?)
}

/// Simulates `plan` over `data` and runs it live: one validation row.
fn compare<W: Workload>(
    workload: &W,
    plan: &Plan,
    s: &Scenario,
    rt: &RealtimeConfig,
    data: &Dataset<W::Event>,
    rate: Option<f64>,
    stop: &Stop,
) -> Result<ValidationRow> {
    let sim = clock::simulate(workload, plan, &s.job, data, 0.0, &Stopping(stop))?;
    let sim_lat = measure::latency(&sim);
    let (real_hist, real_out) = run_live(workload, plan, s, rt, data, s.generator.start, stop)?;
    let q = |p: f64| {
        if real_hist.is_empty() {
            0.0
        } else {
            real_hist.value_at_quantile(p) as f64 / 1000.0
        }
    };
    Ok(ValidationRow {
        label: plan.label(),
        events_per_second: rate,
        simulated_p50_ms: sim_lat.p50_ms,
        simulated_p99_ms: sim_lat.p99_ms,
        real_p50_ms: q(0.5),
        real_p99_ms: q(0.99),
        same_output: materialize(&sim.changelog) == materialize(&real_out),
    })
}

/// No progress to show, but the caller's stop token.
struct Stopping<'a>(&'a Stop);

impl Progress for Stopping<'_> {
    fn update(&self, _stage: &str, _done: u64, _total: u64) {}

    fn stop(&self) -> &Stop {
        self.0
    }
}

/// Releases event indices on the wall clock at their arrival times; ends
/// the input early when `stop` is requested.
fn spawn_source(
    arrival: Vec<Millis>,
    start: Millis,
    capacity: usize,
    t0: Instant,
    stop: Stop,
) -> (Receiver<u32>, thread::JoinHandle<()>) {
    let (tx, rx) = sync_channel::<u32>(capacity);
    let handle = thread::spawn(move || {
        for (i, a) in arrival.into_iter().enumerate() {
            if i % 1024 == 0 && stop.requested().is_some() {
                return;
            }
            let due = Duration::from_millis((a - start).max(0) as u64);
            let now = t0.elapsed();
            if due > now + Duration::from_micros(500) {
                thread::sleep(due - now);
            }
            if tx.send(i as u32).is_err() {
                return;
            }
        }
    });
    (rx, handle)
}

type Live<W> = (
    Histogram<u64>,
    Vec<Emission<<W as workloads::Workload>::Row>>,
);

/// Runs one plan live; latencies recorded in microseconds.
fn run_live<W: Workload>(
    workload: &W,
    plan: &Plan,
    s: &Scenario,
    rt: &RealtimeConfig,
    data: &Dataset<W::Event>,
    start: Millis,
    stop: &Stop,
) -> Result<Live<W>> {
    let mut hist =
        Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).map_err(|e| Error::Invariant {
            plan: plan.label(),
            message: format!("latency histogram: {e}"),
        })?;
    let mut out: Vec<Emission<W::Row>> = Vec::new();
    let t0 = Instant::now();
    let (rx, source) = spawn_source(
        data.arrival.clone(),
        start,
        rt.queue_capacity,
        t0,
        stop.clone(),
    );
    let record = |out: &[Emission<W::Row>], hist: &mut Histogram<u64>| {
        let now_us = t0.elapsed().as_secs_f64() * 1e6;
        for e in out {
            let event_us = (e.depends_on - start) as f64 * 1000.0;
            hist.saturating_record((now_us - event_us).max(1.0) as u64);
        }
    };
    match plan {
        Plan::Stream(sc) => {
            let mut op = workload.stream(sc);
            while let Ok(i) = rx.recv() {
                let before = out.len();
                op.on_event(&data.events[i as usize], &mut out);
                record(&out[before..], &mut hist);
            }
            op.finish(&mut out);
        }
        Plan::MicroBatch { trigger_ms, .. } => {
            let mut job = workload.micro_batch(&s.job)?;
            let trigger = Duration::from_millis(*trigger_ms as u64);
            let mut deadline = trigger;
            let mut pending = Vec::new();
            // The first event of a later trigger, read while filling this one.
            let mut next: Option<usize> = None;
            let mut open = true;
            // The same rule as `clock::schedule`: the trigger at each
            // boundary takes exactly the events that arrived by then; after
            // an overrun it runs as soon as the previous one ends; periods
            // without events run nothing.
            while open || next.is_some() {
                let fire = start + deadline.as_millis() as Millis;
                loop {
                    if let Some(i) = next {
                        if data.arrival[i] > fire {
                            break;
                        }
                        pending.push(data.events[i]);
                        next = None;
                    }
                    if !open {
                        break;
                    }
                    let now = t0.elapsed();
                    let got = if now >= deadline {
                        rx.try_recv().map_err(|e| match e {
                            TryRecvError::Empty => RecvTimeoutError::Timeout,
                            TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                        })
                    } else {
                        rx.recv_timeout(deadline - now)
                    };
                    match got {
                        Ok(i) => next = Some(i as usize),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => open = false,
                    }
                }
                // A live engine cannot know that its source has ended: its
                // last trigger, too, fires at the boundary.
                if let Some(rest) = deadline.checked_sub(t0.elapsed()) {
                    thread::sleep(rest);
                }
                if !pending.is_empty() {
                    let before = out.len();
                    job.run(&pending, None, &mut out)?;
                    pending.clear();
                    record(&out[before..], &mut hist);
                }
                deadline += trigger;
            }
        }
        Plan::Batch { .. } => {
            return Err(Error::Unsupported(
                "real-time validation runs stream and micro-batch only".into(),
            ));
        }
    }
    source.join().map_err(|_| Error::Invariant {
        plan: plan.label(),
        message: "the real-time source thread panicked".into(),
    })?;
    // A stopped source ended the input early: the run is not a measurement.
    stop.check()?;
    Ok((hist, out))
}

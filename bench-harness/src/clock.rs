//! The virtual-clock runner. Schedules of hours cannot be waited out, so
//! time is simulated, driven by the events' arrival times, while every unit
//! of work is really executed and its **service time measured** on this
//! machine: each stream chunk, each micro-batch trigger, each batch run.
//! Work queues: a trigger that overruns its interval delays the next; a
//! stream that cannot keep up builds a backlog, and latency shows it.
//!
//! Harness overhead (copying a run's events, recording emission times) is
//! done outside the timed regions.

use std::time::Instant;

use workloads::Workload;
use workloads::dataset::Dataset;
use workloads::event::Timed;
use workloads::mode::{Admission, JobConfig, LateGate, LateStats, StreamConfig};
use workloads::output::Emission;
use workloads::time::Millis;

use crate::error::Result;

use crate::plan::Plan;
use crate::progress::Progress;

/// Events a stream chunk times together (one clock read per chunk keeps
/// measurement overhead out of a ~100 ns/event operator).
pub const STREAM_CHUNK: usize = 1024;

/// What one simulated run of a mode produced.
#[derive(Debug)]
pub struct Timeline<W: Workload> {
    pub changelog: Vec<Emission<W::Row>>,
    /// Virtual emission time (ms) of each changelog entry.
    pub emit_ms: Vec<f64>,
    /// Entries from here on were flushed when the input ended (their
    /// latency is an artefact of the run's end and is not counted).
    pub flushed_from: usize,
    /// Measured units of work: `(events, service seconds)` per run, trigger
    /// or stream chunk.
    pub work: Vec<(f64, f64)>,
    /// Sum of measured service seconds.
    pub busy_seconds: f64,
    /// Events that reached the mode.
    pub events_processed: u64,
    /// Longest time an event or run waited behind earlier work, ms.
    pub max_queue_delay_ms: f64,
    pub peak_state_bytes: usize,
    pub late: LateStats,
}

/// Runs `plan` over `data` on the virtual clock.
pub fn simulate<W: Workload>(
    workload: &W,
    plan: &Plan,
    job_cfg: &JobConfig,
    data: &Dataset<W::Event>,
    batch_startup_ms: f64,
    progress: &dyn Progress,
) -> Result<Timeline<W>> {
    match plan {
        Plan::Stream(sc) => simulate_stream(workload, sc, data, progress),
        Plan::MicroBatch { .. } => {
            let job = workload.micro_batch(job_cfg)?;
            simulate_jobs::<W>(job, data, &schedule(plan, data), 0.0, progress)
        }
        Plan::Batch { .. } => {
            let job = workload.batch(job_cfg)?;
            simulate_jobs::<W>(job, data, &schedule(plan, data), batch_startup_ms, progress)
        }
    }
}

/// Feeds every event to the stream operator in timed chunks.
pub fn simulate_stream<W: Workload>(
    workload: &W,
    cfg: &StreamConfig,
    data: &Dataset<W::Event>,
    progress: &dyn Progress,
) -> Result<Timeline<W>> {
    let mut op = workload.stream(cfg);
    let n = data.events.len();
    let mut out: Vec<Emission<W::Row>> = Vec::new();
    let mut emit_ms: Vec<f64> = Vec::new();
    let mut ends: Vec<u32> = Vec::with_capacity(STREAM_CHUNK);
    let mut work = Vec::with_capacity(n / STREAM_CHUNK + 1);
    let (mut free_at, mut busy, mut max_wait) = (f64::MIN, 0.0, 0.0f64);
    let mut peak_state = 0;
    for (c, chunk_start) in (0..n).step_by(STREAM_CHUNK).enumerate() {
        let chunk = &data.events[chunk_start..(chunk_start + STREAM_CHUNK).min(n)];
        ends.clear();
        let base = out.len();
        let t0 = Instant::now();
        for e in chunk {
            op.on_event(e, &mut out);
            ends.push((out.len() - base) as u32);
        }
        let secs = t0.elapsed().as_secs_f64();
        busy += secs;
        work.push((chunk.len() as f64, secs));
        let per_event_ms = secs * 1000.0 / chunk.len() as f64;
        let mut prev = 0;
        for (j, &end) in ends.iter().enumerate() {
            let arrival = data.arrival[chunk_start + j] as f64;
            let start = arrival.max(free_at);
            max_wait = max_wait.max(start - arrival);
            free_at = start + per_event_ms;
            emit_ms.extend(std::iter::repeat_n(free_at, (end - prev) as usize));
            prev = end;
        }
        if c % 64 == 0 {
            peak_state = peak_state.max(op.state_bytes());
            progress.update("stream", chunk_start as u64, n as u64);
            progress.check()?;
        }
    }
    peak_state = peak_state.max(op.state_bytes());
    let flushed_from = out.len();
    let t0 = Instant::now();
    op.finish(&mut out);
    let secs = t0.elapsed().as_secs_f64();
    busy += secs;
    let end = free_at.max(data.arrival.last().copied().unwrap_or(0) as f64) + secs * 1000.0;
    emit_ms.resize(out.len(), end);
    Ok(Timeline {
        changelog: out,
        emit_ms,
        flushed_from,
        work,
        busy_seconds: busy,
        events_processed: n as u64,
        max_queue_delay_ms: max_wait,
        peak_state_bytes: peak_state,
        late: op.late_stats(),
    })
}

/// One scheduled run or trigger: when it fires, which events it gets, and
/// the horizon the late-data gate allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub fire_ms: Millis,
    pub events: Vec<usize>,
    pub horizon: Option<Millis>,
}

/// The runs of a batch or micro-batch plan and the late events they drop.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedule {
    pub runs: Vec<Run>,
    pub late: LateStats,
}

fn ceil_to(t: Millis, step: Millis) -> Millis {
    t.div_euclid(step) * step + if t.rem_euclid(step) == 0 { 0 } else { step }
}

/// Splits the arrivals into the runs a plan makes (not for stream plans).
pub fn schedule<E: Timed>(plan: &Plan, data: &Dataset<E>) -> Schedule {
    match *plan {
        Plan::MicroBatch {
            trigger_ms,
            lateness,
        } => {
            let mut gate = LateGate::new(lateness);
            let mut runs: Vec<Run> = Vec::new();
            for (i, (e, &a)) in data.events.iter().zip(&data.arrival).enumerate() {
                let fire = ceil_to(a, trigger_ms);
                if runs.last().is_none_or(|r| r.fire_ms != fire) {
                    if let Some(last) = runs.last_mut() {
                        last.horizon = gate.horizon();
                    }
                    runs.push(Run {
                        fire_ms: fire,
                        events: Vec::new(),
                        horizon: None,
                    });
                }
                if gate.admit(e.event_time()) != Admission::Dropped {
                    runs.last_mut().expect("pushed above").events.push(i);
                }
            }
            if let Some(last) = runs.last_mut() {
                last.horizon = gate.horizon();
            }
            Schedule {
                runs,
                late: LateStats {
                    late: gate.late,
                    dropped: gate.dropped,
                },
            }
        }
        Plan::Batch {
            interval_ms,
            offset_ms,
            drop_late: false,
        } => {
            let mut runs: Vec<Run> = Vec::new();
            let mut late = LateStats::default();
            let mut max_seen = Millis::MIN;
            for (i, (e, &a)) in data.events.iter().zip(&data.arrival).enumerate() {
                let fire = ceil_to(a - offset_ms, interval_ms) + offset_ms;
                if runs.last().is_none_or(|r| r.fire_ms != fire) {
                    runs.push(Run {
                        fire_ms: fire,
                        events: Vec::new(),
                        horizon: None,
                    });
                }
                // Late for batch: its period had already been processed.
                let t = e.event_time();
                if max_seen != Millis::MIN
                    && t < ceil_to(max_seen - offset_ms, interval_ms) - interval_ms
                {
                    late.late += 1;
                }
                max_seen = max_seen.max(t);
                runs.last_mut().expect("pushed above").events.push(i);
            }
            Schedule { runs, late }
        }
        Plan::Batch {
            interval_ms,
            offset_ms,
            drop_late: true,
        } => schedule_period_batch(data, interval_ms, offset_ms),
        Plan::Stream(_) => Schedule::default(),
    }
}

/// A period batch: the run at `k·interval + offset` processes the events of
/// period `[(k−1)·interval, k·interval)` that have arrived; events of closed
/// periods are dropped, events of future periods wait.
fn schedule_period_batch<E: Timed>(
    data: &Dataset<E>,
    interval: Millis,
    offset: Millis,
) -> Schedule {
    let mut runs = Vec::new();
    let mut late = LateStats::default();
    let (Some(&first), Some(&last)) = (data.arrival.first(), data.arrival.last()) else {
        return Schedule::default();
    };
    let max_event = data
        .events
        .iter()
        .map(Timed::event_time)
        .max()
        .unwrap_or(first);
    let mut pending: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut fire = ceil_to(first - offset, interval) + offset;
    let stop = ceil_to(last.max(max_event) - offset, interval) + offset + interval;
    while fire <= stop {
        while next < data.arrival.len() && data.arrival[next] <= fire {
            pending.push(next);
            next += 1;
        }
        let period_end = fire - offset;
        let period_start = period_end - interval;
        let mut events = Vec::new();
        pending.retain(|&i| {
            let t = data.events[i].event_time();
            if t < period_start {
                late.late += 1;
                late.dropped += 1;
                false
            } else if t < period_end {
                events.push(i);
                false
            } else {
                true
            }
        });
        if !events.is_empty() {
            runs.push(Run {
                fire_ms: fire,
                events,
                horizon: None,
            });
        }
        fire += interval;
    }
    Schedule { runs, late }
}

/// Executes the runs of a schedule on a DataFusion job: each run starts at
/// its fire time or when the previous run finishes, whichever is later, and
/// its emissions happen when it finishes (start-up overhead included).
pub fn simulate_jobs<W: Workload>(
    mut job: Box<dyn workloads::IncrementalJob<W>>,
    data: &Dataset<W::Event>,
    schedule: &Schedule,
    startup_ms: f64,
    progress: &dyn Progress,
) -> Result<Timeline<W>> {
    let mut out: Vec<Emission<W::Row>> = Vec::new();
    let mut emit_ms = Vec::new();
    let mut work = Vec::with_capacity(schedule.runs.len());
    let (mut free_at, mut busy, mut max_wait) = (f64::MIN, 0.0, 0.0f64);
    let (mut peak_state, mut processed) = (0, 0u64);
    let total = schedule.runs.len() as u64;
    let mut events: Vec<W::Event> = Vec::new();
    for (k, run) in schedule.runs.iter().enumerate() {
        events.clear();
        events.extend(run.events.iter().map(|&i| data.events[i]));
        let before = out.len();
        let t0 = Instant::now();
        job.run(&events, run.horizon, &mut out)?;
        let secs = t0.elapsed().as_secs_f64();
        busy += secs;
        processed += events.len() as u64;
        work.push((events.len() as f64, secs));
        let fire = run.fire_ms as f64;
        let start = fire.max(free_at);
        max_wait = max_wait.max(start - fire);
        free_at = start + startup_ms + secs * 1000.0;
        emit_ms.resize(emit_ms.len() + (out.len() - before), free_at);
        peak_state = peak_state.max(job.state_bytes());
        progress.update("runs", k as u64 + 1, total);
        progress.check()?;
    }
    Ok(Timeline {
        flushed_from: out.len(),
        changelog: out,
        emit_ms,
        work,
        busy_seconds: busy,
        events_processed: processed,
        max_queue_delay_ms: max_wait,
        peak_state_bytes: peak_state,
        late: schedule.late,
    })
}

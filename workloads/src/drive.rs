//! Untimed drivers: feed a dataset through a mode exactly as the harness's
//! scheduler would (same split into runs and triggers, same late-data gate),
//! without measuring. `run-file`, the golden tests and the harness's
//! correctness checks all go through here, so there is one way to run a mode.

use crate::dataset::Dataset;
use crate::error::Result;
use crate::event::Timed;
use crate::mode::{Admission, IncrementalJob, LateGate, Lateness, StreamOperator};
use crate::output::Emission;
use crate::stop::Stop;
use crate::time::Millis;
use crate::workload::Workload;

/// Feeds every event to a stream operator, then ends the input.
pub fn drive_stream<W: Workload>(
    op: &mut dyn StreamOperator<W>,
    events: &[W::Event],
) -> Vec<Emission<W::Row>> {
    let mut out = Vec::new();
    for e in events {
        op.on_event(e, &mut out);
    }
    op.finish(&mut out);
    out
}

/// Events between two looks at the stop token: a few milliseconds of work.
const STOP_CHECK_EVERY: usize = 1 << 16;

/// [`drive_stream`] that returns `Err(Stopped)` soon after `stop` is
/// requested (it looks every [`STOP_CHECK_EVERY`] events).
pub fn drive_stream_until<W: Workload>(
    op: &mut dyn StreamOperator<W>,
    events: &[W::Event],
    stop: &Stop,
) -> Result<Vec<Emission<W::Row>>> {
    let mut out = Vec::new();
    for chunk in events.chunks(STOP_CHECK_EVERY) {
        stop.check()?;
        for e in chunk {
            op.on_event(e, &mut out);
        }
    }
    op.finish(&mut out);
    Ok(out)
}

/// The index ranges of `arrival` that each run sees when runs happen every
/// `interval` of arrival time (aligned to the epoch): run k covers arrivals
/// in `((k-1)·interval, k·interval]`. Empty periods produce no run.
pub fn split_by_interval(arrival: &[Millis], interval: Millis) -> Vec<std::ops::Range<usize>> {
    assert!(interval > 0, "interval must be positive");
    let mut runs = Vec::new();
    let mut start = 0;
    while start < arrival.len() {
        // The run that includes arrival[start] fires at the next boundary at or after it.
        // Saturating: an interval longer than the input means one run.
        let fire = arrival[start]
            .div_euclid(interval)
            .saturating_mul(interval)
            .saturating_add(if arrival[start].rem_euclid(interval) == 0 {
                0
            } else {
                interval
            });
        let end = start + arrival[start..].partition_point(|&a| a <= fire);
        runs.push(start..end);
        start = end;
    }
    runs
}

/// Feeds a dataset to a DataFusion job in runs of `interval` arrival time,
/// passing events through a late-data gate (dropped events never reach the
/// job) and the gate's horizon so the job may evict state. Returns the
/// changelog and the gate (for its counters).
pub fn drive_job<W: Workload>(
    job: &mut dyn IncrementalJob<W>,
    data: &Dataset<W::Event>,
    interval: Millis,
    lateness: Lateness,
) -> Result<(Vec<Emission<W::Row>>, LateGate)> {
    let mut gate = LateGate::new(lateness);
    let mut out = Vec::new();
    let mut admitted = Vec::new();
    for range in split_by_interval(&data.arrival, interval) {
        admitted.clear();
        for e in &data.events[range] {
            if gate.admit(e.event_time()) != Admission::Dropped {
                admitted.push(*e);
            }
        }
        job.run(&admitted, gate.horizon(), &mut out)?;
    }
    Ok((out, gate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_every_event_once_in_order() {
        let arrival = [0, 1, 5, 10, 10, 11, 35, 36];
        let runs = split_by_interval(&arrival, 10);
        assert_eq!(runs, vec![0..1, 1..5, 5..6, 6..8]);
        let covered: usize = runs.iter().map(|r| r.len()).sum();
        assert_eq!(covered, arrival.len());
    }
}

/// One mode with the settings that shape its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum ModeConfig {
    /// Runs every `interval_ms` of arrival time over the landed data.
    Batch { interval_ms: Millis },
    /// Triggers every `trigger_ms`, events gated by `lateness`.
    MicroBatch {
        trigger_ms: Millis,
        lateness: Lateness,
    },
    /// Per-event operators.
    Stream(crate::mode::StreamConfig),
    /// The stream operator on `workers` threads, events routed by key
    /// ([`crate::partition`]): how the stream plan scales out.
    PartitionedStream {
        config: crate::mode::StreamConfig,
        workers: usize,
    },
}

impl ModeConfig {
    /// The mode this configures.
    pub fn mode(&self) -> crate::mode::Mode {
        match self {
            ModeConfig::Batch { .. } => crate::mode::Mode::Batch,
            ModeConfig::MicroBatch { .. } => crate::mode::Mode::MicroBatch,
            ModeConfig::Stream(_) | ModeConfig::PartitionedStream { .. } => {
                crate::mode::Mode::Stream
            }
        }
    }

    /// The exact configuration `run-file` uses for a mode: every late event
    /// is folded in, so the final output equals ground truth.
    pub fn exact(mode: crate::mode::Mode) -> ModeConfig {
        match mode {
            crate::mode::Mode::Batch => ModeConfig::Batch {
                interval_ms: crate::time::HOUR,
            },
            crate::mode::Mode::MicroBatch => ModeConfig::MicroBatch {
                trigger_ms: crate::time::MINUTE,
                lateness: Lateness::EXACT,
            },
            crate::mode::Mode::Stream => ModeConfig::Stream(crate::mode::StreamConfig::EXACT),
        }
    }

    /// Every configuration that promises the exact final output: batch at
    /// three schedules, micro-batch at two triggers, stream with three
    /// policies/watermarks and split by key over two workers, all folding
    /// every late event in. The contract
    /// tests (golden and custom) hold every mode to ground truth in each.
    pub fn all_exact() -> Vec<ModeConfig> {
        let unbounded = |delay| Lateness {
            watermark_delay: delay,
            allowed_lateness: None,
        };
        vec![
            ModeConfig::Batch {
                interval_ms: crate::time::DAY,
            },
            ModeConfig::Batch {
                interval_ms: crate::time::HOUR,
            },
            ModeConfig::Batch {
                interval_ms: 15 * crate::time::MINUTE,
            },
            ModeConfig::MicroBatch {
                trigger_ms: 5 * crate::time::SECOND,
                lateness: Lateness::EXACT,
            },
            ModeConfig::MicroBatch {
                trigger_ms: 5 * crate::time::MINUTE,
                lateness: unbounded(crate::time::MINUTE),
            },
            ModeConfig::Stream(crate::mode::StreamConfig::EXACT),
            ModeConfig::Stream(crate::mode::StreamConfig {
                lateness: Lateness::EXACT,
                policy: crate::mode::EmitPolicy::Final,
            }),
            ModeConfig::Stream(crate::mode::StreamConfig {
                lateness: unbounded(10 * crate::time::MINUTE),
                policy: crate::mode::EmitPolicy::Final,
            }),
            ModeConfig::Stream(crate::mode::StreamConfig {
                lateness: unbounded(30 * crate::time::SECOND),
                policy: crate::mode::EmitPolicy::EagerCorrect,
            }),
            ModeConfig::PartitionedStream {
                config: crate::mode::StreamConfig::EXACT,
                workers: 2,
            },
        ]
    }
}

/// Runs one mode over a dataset, untimed. Returns the changelog and the
/// late-data counters.
pub fn run_mode<W: Workload>(
    workload: &W,
    cfg: &ModeConfig,
    job_cfg: &crate::mode::JobConfig,
    data: &Dataset<W::Event>,
) -> Result<(Vec<Emission<W::Row>>, crate::mode::LateStats)> {
    match *cfg {
        ModeConfig::Batch { interval_ms } => {
            let mut job = workload.batch(job_cfg)?;
            let (out, gate) = drive_job::<W>(job.as_mut(), data, interval_ms, Lateness::EXACT)?;
            Ok((
                out,
                crate::mode::LateStats {
                    late: gate.late,
                    dropped: gate.dropped,
                },
            ))
        }
        ModeConfig::MicroBatch {
            trigger_ms,
            lateness,
        } => {
            let mut job = workload.micro_batch(job_cfg)?;
            let (out, gate) = drive_job::<W>(job.as_mut(), data, trigger_ms, lateness)?;
            Ok((
                out,
                crate::mode::LateStats {
                    late: gate.late,
                    dropped: gate.dropped,
                },
            ))
        }
        ModeConfig::Stream(sc) => {
            let mut op = workload.stream(&sc);
            let out = drive_stream::<W>(op.as_mut(), &data.events);
            Ok((out, op.late_stats()))
        }
        ModeConfig::PartitionedStream { config, workers } => {
            let run = crate::partition::run_partitioned(workload, &config, &data.events, workers);
            Ok((run.changelog, run.late))
        }
    }
}

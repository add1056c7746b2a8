//! Recovery, measured through the log: per checkpointed mode, the cost of
//! checkpointing (the same replay with and without checkpoints, and the
//! checkpoint's size) and the time to recover from a crash (restore the
//! newest checkpoint, replay the tail up to where the crash happened), and
//! whether the recovered run's output is still exact; for batch, the
//! rerun a crash costs.

use std::path::Path;

use serde::{Deserialize, Serialize};
use workloads::Workload;
use workloads::mode::Mode;

use super::consumer::{ConsumeConfig, ConsumeOutcome, committed_rows, consume};
use crate::error::{Error, Result};
use crate::log::EventLog;
use crate::progress::Progress;

/// Default checkpoint interval of the measurement, in records.
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 50_000;

/// Where in the log the measured crash happens (a fraction of it).
pub const CRASH_AT: f64 = 0.75;

/// Recovery figures of every mode, measured through one log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryReport {
    /// Records between checkpoints.
    pub checkpoint_every: u64,
    /// Offset after which the measured crash happens.
    pub crash_at: u64,
    /// Stream and micro-batch.
    pub modes: Vec<ModeRecovery>,
    /// Batch's answer to a crash: rerunning the job over the whole log.
    pub batch_rerun_seconds: f64,
    /// The rerun's output equals ground truth.
    pub batch_rerun_exact: bool,
}

/// One checkpointed mode's recovery figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeRecovery {
    pub mode: Mode,
    /// The whole log with no checkpoint but the final one.
    pub seconds_without_checkpoints: f64,
    /// The whole log, checkpointing every `checkpoint_every` records.
    pub seconds_with_checkpoints: f64,
    /// Checkpoints that run wrote.
    pub checkpoints: u64,
    /// Its largest checkpoint, bytes.
    pub checkpoint_bytes: u64,
    /// Offset of the checkpoint the recovery resumed from.
    pub resumed_from: u64,
    /// Seconds to read and restore that checkpoint.
    pub restore_seconds: f64,
    /// Records replayed from the checkpoint to the crash point.
    pub tail_records: u64,
    /// Restart to caught up with the crash point: restore + tail replay.
    pub recovery_seconds: f64,
    /// The crashed-and-recovered run, finished, equals ground truth.
    pub exact: bool,
}

impl ModeRecovery {
    /// Throughput lost to checkpointing (0.05 = 5 % slower).
    pub fn checkpoint_overhead(&self) -> f64 {
        (self.seconds_with_checkpoints / self.seconds_without_checkpoints.max(1e-9) - 1.0).max(0.0)
    }
}

impl RecoveryReport {
    /// The figures as sentences, one per mode and one for batch: what the
    /// CLI table and the report page both print.
    pub fn lines(&self) -> Vec<String> {
        let verdict = |exact: bool| {
            if exact {
                "exact"
            } else {
                "DIFFERENT from ground truth"
            }
        };
        let mut lines: Vec<String> = self
            .modes
            .iter()
            .map(|m| {
                format!(
                    "{}: checkpointing every {} records ({} checkpoints of up to {}) read the whole log in {} \
                     against {} without ({} slower). After a crash at record {}, it restored the checkpoint \
                     at record {} in {}, replayed {} records and caught up in {}; output {}.",
                    m.mode,
                    units::count(self.checkpoint_every),
                    units::count(m.checkpoints),
                    units::bytes(m.checkpoint_bytes),
                    units::seconds(m.seconds_with_checkpoints),
                    units::seconds(m.seconds_without_checkpoints),
                    units::percent(m.checkpoint_overhead()),
                    units::count(self.crash_at),
                    units::count(m.resumed_from),
                    units::seconds(m.restore_seconds),
                    units::count(m.tail_records),
                    units::seconds(m.recovery_seconds),
                    verdict(m.exact)
                )
            })
            .collect();
        lines.push(format!(
            "batch: no state to checkpoint; a crash costs a rerun over the whole log: {}, output {}.",
            units::seconds(self.batch_rerun_seconds),
            verdict(self.batch_rerun_exact)
        ));
        lines
    }

    /// The stream mode's figures, when measured.
    pub fn stream(&self) -> Option<&ModeRecovery> {
        self.modes.iter().find(|m| m.mode == Mode::Stream)
    }
}

/// Measures recovery over the first `n` records of `log` (already
/// published), against `truth`.
pub fn measure<W: Workload>(
    w: &W,
    log: &mut dyn EventLog,
    n: u64,
    truth: &[W::Row],
    checkpoint_every: u64,
    progress: &dyn Progress,
) -> Result<RecoveryReport> {
    let crash_at = ((n as f64 * CRASH_AT) as u64).max(1);
    let mut modes = Vec::new();
    for (i, mode) in [Mode::Stream, Mode::MicroBatch].into_iter().enumerate() {
        progress.update("broker: measuring recovery", i as u64, 3);
        modes.push(mode_recovery(
            w,
            log,
            n,
            truth,
            checkpoint_every,
            crash_at,
            mode,
            progress,
        )?);
    }
    progress.update("broker: measuring recovery", 2, 3);
    let dir = scratch()?;
    let rerun = run(
        w,
        log,
        dir.path(),
        ConsumeConfig::new(Mode::Batch, n, 0),
        progress,
    )?;
    Ok(RecoveryReport {
        checkpoint_every,
        crash_at,
        modes,
        batch_rerun_seconds: rerun.seconds,
        batch_rerun_exact: exact(w, dir.path(), Mode::Batch, truth)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn mode_recovery<W: Workload>(
    w: &W,
    log: &mut dyn EventLog,
    n: u64,
    truth: &[W::Row],
    every: u64,
    crash_at: u64,
    mode: Mode,
    progress: &dyn Progress,
) -> Result<ModeRecovery> {
    let without = run(
        w,
        log,
        scratch()?.path(),
        ConsumeConfig::new(mode, n, 0),
        progress,
    )?;
    let with = run(
        w,
        log,
        scratch()?.path(),
        ConsumeConfig::new(mode, n, every),
        progress,
    )?;
    // Crash at `crash_at` (no final checkpoint), restart and time catching
    // up to the crash point, then finish and check the output.
    let dir = scratch()?;
    let crashing = ConsumeConfig {
        crash_after: Some(crash_at),
        ..ConsumeConfig::new(mode, n, every)
    };
    run(w, log, dir.path(), crashing.clone(), progress)?;
    let recovered = run(w, log, dir.path(), crashing, progress)?;
    run(
        w,
        log,
        dir.path(),
        ConsumeConfig::new(mode, n, every),
        progress,
    )?;
    let resumed_from = recovered.resumed_from.unwrap_or(0);
    Ok(ModeRecovery {
        mode,
        seconds_without_checkpoints: without.seconds,
        seconds_with_checkpoints: with.seconds,
        checkpoints: with.checkpoints,
        checkpoint_bytes: with.largest_checkpoint_bytes,
        resumed_from,
        restore_seconds: recovered.restore_seconds,
        tail_records: recovered.records,
        recovery_seconds: recovered.seconds,
        exact: exact(w, dir.path(), mode, truth)?,
    })
}

fn run<W: Workload>(
    w: &W,
    log: &mut dyn EventLog,
    dir: &Path,
    cfg: ConsumeConfig,
    progress: &dyn Progress,
) -> Result<ConsumeOutcome> {
    consume(w, log, dir, &cfg, progress.stop())
}

fn exact<W: Workload>(w: &W, dir: &Path, mode: Mode, truth: &[W::Row]) -> Result<bool> {
    Ok(committed_rows(w, dir, mode)? == truth)
}

/// A directory for one measured consumer's checkpoints and journal.
fn scratch() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("weir-recovery-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::MemoryLog;
    use crate::progress::NoProgress;
    use workloads::Sessionization;
    use workloads::generate::{GenConfig, RateProfile};
    use workloads::time::MINUTE;
    use workloads::wire::Wire;

    #[test]
    fn recovery_is_measured_and_exact() {
        let w = Sessionization;
        let data = w
            .generate(&GenConfig {
                duration_ms: 60 * MINUTE,
                rate: RateProfile::Constant {
                    events_per_second: 3.0,
                },
                keys: 80,
                late_fraction: 0.05,
                max_lateness_ms: 10 * MINUTE,
                ..GenConfig::default()
            })
            .unwrap();
        let mut log = MemoryLog::default();
        let msgs: Vec<Vec<u8>> = data
            .events
            .iter()
            .map(|e| {
                let mut m = Vec::new();
                e.encode(&mut m);
                m
            })
            .collect();
        let n = log.append(&msgs).unwrap();
        let truth = w.reference(&data.events);
        let mut sorted = truth.clone();
        sorted.sort();
        let r = measure(&w, &mut log, n, &sorted, 1000, &NoProgress).unwrap();
        assert_eq!(r.modes.len(), 2);
        assert!(r.batch_rerun_exact && r.batch_rerun_seconds > 0.0);
        for m in &r.modes {
            assert!(m.exact, "{m:?}");
            assert!(m.checkpoints > 1 && m.checkpoint_bytes > 0, "{m:?}");
            // It resumed from a checkpoint at or before the crash and
            // replayed only the tail.
            assert!(m.resumed_from > 0 && m.resumed_from <= r.crash_at, "{m:?}");
            assert!(
                m.tail_records <= r.crash_at - m.resumed_from + 4096,
                "{m:?}"
            );
            assert!(m.recovery_seconds >= m.restore_seconds);
        }
    }
}

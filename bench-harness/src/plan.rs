//! What to run: a mode with the schedule and late-data settings that shape
//! its latency and correctness. Unlike `run-file`'s exact configurations,
//! plans may trade correctness for latency (a watermark that drops late
//! events, a daily batch that never looks back) — the report shows the cost.

use serde::{Deserialize, Serialize};
use workloads::mode::{Lateness, Mode, StreamConfig};
use workloads::time::{HOUR, MINUTE, Millis, SECOND};

/// One candidate configuration of one mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum Plan {
    /// A scheduled job every `interval_ms`, `offset_ms` after each period
    /// boundary (a daily job at 00:30 has offset 30 min). With
    /// `drop_late`, a run only takes events of the period it closes and
    /// events of closed periods are dropped; without, every run folds in
    /// everything that landed since the previous run (re-reading history).
    Batch {
        interval_ms: Millis,
        offset_ms: Millis,
        drop_late: bool,
    },
    /// A trigger every `trigger_ms` over the newly arrived events.
    MicroBatch {
        trigger_ms: Millis,
        lateness: Lateness,
    },
    /// Per-event operators.
    Stream(StreamConfig),
}

/// Formats a duration the way people say it: 500ms, 5s, 15m, 1h, 1d.
pub fn human_duration(ms: Millis) -> String {
    const UNITS: [(Millis, &str); 4] =
        [(24 * HOUR, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")];
    for (unit, name) in UNITS {
        if ms >= unit && ms % unit == 0 {
            return format!("{}{name}", ms / unit);
        }
    }
    format!("{ms}ms")
}

impl Plan {
    /// The mode this plan runs.
    pub fn mode(&self) -> Mode {
        match self {
            Plan::Batch { .. } => Mode::Batch,
            Plan::MicroBatch { .. } => Mode::MicroBatch,
            Plan::Stream(_) => Mode::Stream,
        }
    }

    /// True when the plan folds every late event in, so its final output
    /// must equal ground truth.
    pub fn promises_exact(&self) -> bool {
        match self {
            Plan::Batch { drop_late, .. } => !drop_late,
            Plan::MicroBatch { lateness, .. } => lateness.allowed_lateness.is_none(),
            Plan::Stream(sc) => {
                sc.lateness.allowed_lateness.is_none() && sc.policy != workloads::EmitPolicy::Eager
            }
        }
    }

    /// A short human label, unique within a scenario's defaults.
    pub fn label(&self) -> String {
        let late = |l: &Lateness| match l.allowed_lateness {
            None => "late folded in".to_string(),
            Some(a) => format!("late > {} dropped", human_duration(a)),
        };
        match self {
            Plan::Batch {
                interval_ms,
                offset_ms,
                drop_late,
            } => {
                let at = if *offset_ms > 0 {
                    format!(" +{}", human_duration(*offset_ms))
                } else {
                    String::new()
                };
                let late = if *drop_late { ", late dropped" } else { "" };
                format!("batch every {}{at}{late}", human_duration(*interval_ms))
            }
            Plan::MicroBatch {
                trigger_ms,
                lateness,
            } => {
                format!(
                    "micro-batch every {}, {}",
                    human_duration(*trigger_ms),
                    late(lateness)
                )
            }
            Plan::Stream(sc) => format!(
                "stream {}, wm {}, {}",
                sc.policy,
                human_duration(sc.lateness.watermark_delay),
                late(&sc.lateness)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(human_duration(15 * MINUTE), "15m");
        assert_eq!(human_duration(24 * HOUR), "1d");
        assert_eq!(human_duration(1500), "1500ms");
        assert_eq!(human_duration(0), "0ms");
    }
}

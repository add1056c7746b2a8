//! Scenarios: the data to generate, the candidate plans to compare, prices,
//! and whether to validate against the wall clock. Each reference workload
//! has a default scenario sized to finish well under a minute on 2 cores.

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::custom::CustomDef;
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::{EmitPolicy, JobConfig, Lateness, StreamConfig};
use workloads::time::{DAY, HOUR, MINUTE, SECOND};

use crate::cost::CostModel;
use crate::plan::Plan;

/// A short wall-clock run that checks the simulated latencies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RealtimeConfig {
    /// Wall-clock seconds of events to feed.
    pub seconds: f64,
    pub events_per_second: f64,
    /// Micro-batch trigger used in the validation run.
    pub trigger_ms: i64,
    /// Bounded queue between the generator thread and the mode.
    pub queue_capacity: usize,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig {
            seconds: 4.0,
            events_per_second: 20_000.0,
            trigger_ms: 500,
            queue_capacity: 65_536,
        }
    }
}

/// Everything one harness run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub workload: WorkloadKind,
    pub generator: GenConfig,
    pub plans: Vec<Plan>,
    pub cost: CostModel,
    pub job: JobConfig,
    pub realtime: Option<RealtimeConfig>,
    /// The user's definition when `workload` is [`WorkloadKind::Custom`]
    /// (required then, ignored otherwise). The generator's `keys` and
    /// `zipf_s` do not apply to it: its key columns carry their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomDef>,
}

fn stream(policy: EmitPolicy, delay: i64, allowed: Option<i64>) -> Plan {
    Plan::Stream(StreamConfig {
        lateness: Lateness {
            watermark_delay: delay,
            allowed_lateness: allowed,
        },
        policy,
    })
}

fn micro(trigger: i64, delay: i64, allowed: Option<i64>) -> Plan {
    Plan::MicroBatch {
        trigger_ms: trigger,
        lateness: Lateness {
            watermark_delay: delay,
            allowed_lateness: allowed,
        },
    }
}

fn batch(interval: i64, offset: i64, drop_late: bool) -> Plan {
    Plan::Batch {
        interval_ms: interval,
        offset_ms: offset,
        drop_late,
    }
}

impl Scenario {
    /// The default scenario of a reference workload.
    pub fn default_for(workload: WorkloadKind) -> Scenario {
        let base = GenConfig::default();
        let (generator, plans) = match workload {
            WorkloadKind::FraudAlerts => (
                GenConfig {
                    duration_ms: HOUR,
                    rate: RateProfile::Constant {
                        events_per_second: 300.0,
                    },
                    keys: 20_000,
                    zipf_s: Some(1.1),
                    jitter_ms: 2 * SECOND,
                    late_fraction: 0.01,
                    max_lateness_ms: 10 * MINUTE,
                    ..base
                },
                vec![
                    batch(HOUR, 0, false),
                    batch(15 * MINUTE, 0, false),
                    micro(MINUTE, 5 * SECOND, Some(15 * MINUTE)),
                    micro(10 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                    stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                    stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                    stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
                ],
            ),
            WorkloadKind::DailyReport => (
                GenConfig {
                    duration_ms: 2 * DAY,
                    rate: RateProfile::Daily {
                        mean_events_per_second: 8.0,
                        peak_to_mean: 1.8,
                        peak_hour_utc: 18.0,
                    },
                    keys: 5_000,
                    zipf_s: Some(1.0),
                    jitter_ms: 30 * SECOND,
                    late_fraction: 0.005,
                    max_lateness_ms: 2 * HOUR,
                    ..base
                },
                vec![
                    batch(DAY, 30 * MINUTE, true),
                    batch(HOUR, 0, false),
                    batch(15 * MINUTE, 0, false),
                    micro(MINUTE, MINUTE, Some(3 * HOUR)),
                    stream(EmitPolicy::Final, MINUTE, Some(HOUR)),
                    stream(EmitPolicy::EagerCorrect, MINUTE, Some(3 * HOUR)),
                ],
            ),
            WorkloadKind::Custom => (
                GenConfig {
                    duration_ms: 2 * HOUR,
                    rate: RateProfile::Constant {
                        events_per_second: 100.0,
                    },
                    jitter_ms: 5 * SECOND,
                    late_fraction: 0.01,
                    max_lateness_ms: 10 * MINUTE,
                    ..base
                },
                vec![
                    batch(HOUR, 0, false),
                    batch(15 * MINUTE, 0, false),
                    micro(MINUTE, 5 * SECOND, Some(15 * MINUTE)),
                    stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                    stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                    stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
                ],
            ),
            WorkloadKind::Sessionization => (
                GenConfig {
                    duration_ms: 3 * HOUR,
                    rate: RateProfile::Constant {
                        events_per_second: 100.0,
                    },
                    keys: 50_000,
                    zipf_s: Some(0.8),
                    jitter_ms: 5 * SECOND,
                    late_fraction: 0.01,
                    max_lateness_ms: 20 * MINUTE,
                    ..base
                },
                vec![
                    batch(HOUR, 0, false),
                    batch(15 * MINUTE, 0, false),
                    micro(MINUTE, 10 * SECOND, Some(30 * MINUTE)),
                    stream(EmitPolicy::Eager, 0, Some(5 * MINUTE)),
                    stream(EmitPolicy::Final, 10 * SECOND, Some(5 * MINUTE)),
                    stream(EmitPolicy::EagerCorrect, 10 * SECOND, Some(30 * MINUTE)),
                ],
            ),
        };
        Scenario {
            name: format!("{workload} (default)"),
            workload,
            generator,
            plans,
            cost: CostModel::default(),
            job: JobConfig::default(),
            realtime: Some(RealtimeConfig::default()),
            custom: None,
        }
    }

    /// A scenario of a user's own workload named `name`: the default load
    /// and plans of [`WorkloadKind::Custom`] (replace them as needed). The
    /// definition is validated when the scenario runs.
    pub fn custom(name: impl Into<String>, def: CustomDef) -> Scenario {
        Scenario {
            name: name.into(),
            custom: Some(def),
            ..Scenario::default_for(WorkloadKind::Custom)
        }
    }
}

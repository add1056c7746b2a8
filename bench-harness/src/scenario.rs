//! Scenarios: the data to generate, the candidate plans to compare, prices,
//! and whether to validate against the wall clock. Each reference workload
//! has a default scenario sized to finish well under a minute on 2 cores,
//! read from its spec file (`workloads/specs/`, see [`crate::spec`]).

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::custom::CustomDef;
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::JobConfig;
use workloads::time::{HOUR, MINUTE, SECOND};

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

impl Scenario {
    /// The default scenario of a reference workload: its spec file in
    /// `workloads/specs/` (compiled in), labelled `<workload> (default)`.
    /// Reference runs and user specs thus take the same path.
    pub fn default_for(workload: WorkloadKind) -> Scenario {
        let Some(text) = crate::spec::reference_spec(workload) else {
            return custom_defaults();
        };
        // The shipped specs are tested to parse (spec::tests); an error here
        // is a broken build, not bad input.
        let spec = crate::spec::parse(text, crate::spec::SpecFormat::Toml).unwrap_or_else(|e| {
            panic!(
                "workloads/specs/{workload}.toml is invalid:\n{}",
                crate::spec::format_errors(&e)
            )
        });
        let mut s = spec.to_scenario();
        s.name = format!("{workload} (default)");
        s
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

/// The default load and plans of a custom workload (which has no spec file
/// of its own: its definition comes from the user).
fn custom_defaults() -> Scenario {
    use workloads::mode::{EmitPolicy, Lateness, StreamConfig};
    let lateness = |delay, allowed| Lateness {
        watermark_delay: delay,
        allowed_lateness: Some(allowed),
    };
    let stream = |policy, delay, allowed| {
        Plan::Stream(StreamConfig {
            lateness: lateness(delay, allowed),
            policy,
        })
    };
    let batch = |interval| Plan::Batch {
        interval_ms: interval,
        offset_ms: 0,
        drop_late: false,
    };
    Scenario {
        name: format!("{} (default)", WorkloadKind::Custom),
        workload: WorkloadKind::Custom,
        generator: GenConfig {
            duration_ms: 2 * HOUR,
            rate: RateProfile::Constant {
                events_per_second: 100.0,
            },
            jitter_ms: 5 * SECOND,
            late_fraction: 0.01,
            max_lateness_ms: 10 * MINUTE,
            ..GenConfig::default()
        },
        plans: vec![
            batch(HOUR),
            batch(15 * MINUTE),
            Plan::MicroBatch {
                trigger_ms: MINUTE,
                lateness: lateness(5 * SECOND, 15 * MINUTE),
            },
            stream(EmitPolicy::Eager, 0, MINUTE),
            stream(EmitPolicy::Final, 5 * SECOND, MINUTE),
            stream(EmitPolicy::EagerCorrect, 5 * SECOND, 15 * MINUTE),
        ],
        cost: CostModel::default(),
        job: JobConfig::default(),
        realtime: Some(RealtimeConfig::default()),
        custom: None,
    }
}

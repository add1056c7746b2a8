//! Scenarios: the data to generate, the candidate plans to compare, prices,
//! and whether to validate against the wall clock. Each reference workload
//! has a default scenario sized to finish well under a minute on 2 cores,
//! read from its spec file (`workloads/specs/`, see [`crate::spec`]).

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::generate::GenConfig;
use workloads::mode::JobConfig;

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
}

impl Scenario {
    /// The default scenario of a reference workload: its spec file in
    /// `workloads/specs/` (compiled in), labelled `<workload> (default)`.
    /// Reference runs and user specs thus take the same path.
    pub fn default_for(workload: WorkloadKind) -> Scenario {
        let text = crate::spec::reference_spec(workload);
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
}

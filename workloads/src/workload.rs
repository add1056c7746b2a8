//! The [`Workload`] trait: what one reference workload provides to the
//! harness — its events, its ground truth, its three modes, and its files.

use std::fmt;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::Result;
use crate::event::Timed;
use crate::generate::GenConfig;
use crate::mode::{ComplexityFacts, IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use crate::output::OutputRow;

/// One workload: the same semantics in every mode.
pub trait Workload: Send + Sync + 'static {
    /// Which workload this is.
    const KIND: WorkloadKind;
    /// The name reports, benches and errors use: the reference workload's
    /// name, or the user's name for a custom workload.
    fn name(&self) -> &str {
        Self::KIND.name()
    }

    /// Input event.
    type Event: Timed + Copy + Debug + Send + Sync + crate::wire::Wire + 'static;
    /// Output row (all output tables of the workload).
    type Row: OutputRow;

    /// Seeded events for `cfg`: what every generated scenario runs on.
    fn generate(&self, cfg: &GenConfig) -> Result<Dataset<Self::Event>>;

    /// Ground truth, computed directly from the contract over all events
    /// (arrival order ignored). Slow and obviously correct on purpose.
    fn reference(&self, events: &[Self::Event]) -> Vec<Self::Row>;

    /// The key every output row depends on alone, as a number: what a keyed
    /// shuffle partitions the stream plan by ([`crate::partition`]).
    fn partition_key(&self, event: &Self::Event) -> u64;

    /// [`Workload::partition_key`] in words, for the report.
    fn partition_key_name(&self) -> String;

    /// The stream mode.
    fn stream(&self, cfg: &StreamConfig) -> Box<dyn StreamOperator<Self>>;

    /// The batch mode: each run gets the events landed since the previous
    /// run and re-reads whatever history they affect.
    fn batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>>;

    /// The micro-batch mode: each trigger gets the new events and carries
    /// the state the workload needs between triggers.
    fn micro_batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>>;

    /// Reads an input file (`.csv` or `.parquet`, rows in arrival order).
    fn read_events(&self, path: &Path) -> Result<Dataset<Self::Event>>;

    /// Writes events (in their arrival order) as a CSV file in the contract's
    /// input columns, which [`Workload::read_events`] reads back: what
    /// `bench-harness generate` gives the peers and users to run on.
    fn write_events(&self, events: &[Self::Event], dict: &Dictionary, path: &Path) -> Result<()> {
        let _ = (events, dict);
        Err(crate::error::WorkloadError::Config(format!(
            "{}: writing events as CSV is only supported for the reference workloads (not {})",
            path.display(),
            self.name()
        )))
    }

    /// Writes the final output rows as the contract's CSV files into `dir`
    /// and returns their paths.
    fn write_outputs(
        &self,
        rows: &[Self::Row],
        dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>>;

    /// The files [`Workload::write_outputs`] writes, in order.
    fn output_files(&self) -> &'static [&'static str];

    /// Complexity facts of a mode's implementation.
    fn complexity(&self, mode: Mode) -> ComplexityFacts;
}

/// The workloads by name (CLI, reports, specs): the three reference
/// workloads, and `custom` for a user's own definition (whose name is the
/// scenario's). [`WorkloadKind::ALL`] and parsing cover the reference
/// workloads only: a custom workload cannot run without its definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    FraudAlerts,
    DailyReport,
    Sessionization,
    /// A user-defined workload (`workloads::custom`).
    Custom,
}

impl WorkloadKind {
    /// All reference workloads.
    pub const ALL: [WorkloadKind; 3] = [
        WorkloadKind::FraudAlerts,
        WorkloadKind::DailyReport,
        WorkloadKind::Sessionization,
    ];

    /// The CLI / report name.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::FraudAlerts => "fraud-alerts",
            WorkloadKind::DailyReport => "daily-report",
            WorkloadKind::Sessionization => "sessionization",
            WorkloadKind::Custom => "custom",
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WorkloadKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        WorkloadKind::ALL.into_iter().find(|w| w.name() == s).ok_or_else(|| {
            format!("unknown workload `{s}` (expected one of: fraud-alerts, daily-report, sessionization)")
        })
    }
}

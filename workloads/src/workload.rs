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
    type Event: Timed + Copy + Debug + Send + Sync + 'static;
    /// Output row (all output tables of the workload).
    type Row: OutputRow;

    /// Ground truth, computed directly from the contract over all events
    /// (arrival order ignored). Slow and obviously correct on purpose.
    fn reference(&self, events: &[Self::Event]) -> Vec<Self::Row>;

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

    /// Writes the final output rows as the contract's CSV files into `dir`
    /// and returns their paths.
    fn write_outputs(
        &self,
        rows: &[Self::Row],
        dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>>;

    /// Complexity facts of a mode's implementation.
    fn complexity(&self, mode: Mode) -> ComplexityFacts;
}

/// The reference workloads by name (CLI, reports, specs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    FraudAlerts,
    DailyReport,
    Sessionization,
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
        }
    }

    /// The output files `run-file` writes for this workload.
    pub fn output_files(self) -> &'static [&'static str] {
        match self {
            WorkloadKind::FraudAlerts => &["alerts.csv"],
            WorkloadKind::DailyReport => &["daily_sales.csv", "daily_top_products.csv"],
            WorkloadKind::Sessionization => &["sessions.csv"],
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

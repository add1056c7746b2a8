//! Weir's workloads: the three reference workloads of `shared/workloads.md`
//! (`fraud-alerts`, `daily-report`, `sessionization`), their event schemas,
//! seeded generators, file I/O, and each workload's logic in three modes —
//! batch and micro-batch on DataFusion, stream as per-event operators — all
//! producing the same final output.
//!
//! Data flows: [`generate`] or [`io`] → [`dataset::Dataset`] → a mode
//! ([`mode::StreamOperator`] or [`mode::IncrementalJob`]) → a changelog of
//! [`output::Emission`]s → [`output::materialize`] → the contract's CSV files.

pub mod contract;
pub mod custom;
pub mod daily;
pub mod dataset;
pub mod df;
pub mod dict;
pub mod drive;
pub mod duration;
pub mod error;
pub mod event;
pub mod fraud;
#[path = "gen/mod.rs"]
pub mod generate;
pub mod io;
pub mod lake;
pub mod loc;
pub mod mode;
pub mod output;
pub mod partition;
pub mod sessions;
pub mod snapshot;
pub mod stop;
pub mod time;
pub mod validation;
pub mod wire;
pub mod workload;

pub use custom::CustomWorkload;
pub use daily::DailyReport;
pub use dataset::Dataset;
pub use error::{Result, WorkloadError};
pub use fraud::FraudAlerts;
pub use mode::{
    EmitPolicy, IncrementalJob, JobConfig, Lateness, Mode, StreamConfig, StreamOperator,
};
pub use output::{Emission, OutputRow};
pub use sessions::Sessionization;
pub use stop::{Stop, StopReason};
pub use workload::{Workload, WorkloadKind};

//! Micro-batch mode of a custom workload.
//!
//! Each trigger runs the definition's SQL ([`super::batch`]) over the
//! trigger's new events plus the carried state: the recent events, kept in
//! memory as Arrow batches in one-minute event-time buckets, of which a
//! trigger reads only the buckets its affected windows span. With a horizon
//! (no event older than it will come again) the windows that end at or
//! before it can no longer change: they leave the state, and so do the
//! buckets no remaining window can need. The batch job is the same logic
//! over an hour-partitioned lake that it re-reads at every scheduled run.

use std::sync::Arc;

use crate::error::Result;
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::{MINUTE, Millis};

use super::CustomWorkload;
use super::batch::CustomJob;
use super::compiled::{Compiled, CustomEvent, CustomRow};

/// The per-trigger DataFusion job with carried state.
pub struct CustomMicroBatch(CustomJob);

impl CustomMicroBatch {
    /// A job with empty state.
    pub fn new(q: Arc<Compiled>, cfg: &JobConfig) -> Result<Self> {
        Ok(CustomMicroBatch(CustomJob::new(
            q,
            cfg,
            "custom micro-batch",
            MINUTE,
        )?))
    }
}

impl IncrementalJob<CustomWorkload> for CustomMicroBatch {
    fn run(
        &mut self,
        new: &[CustomEvent],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<CustomRow>>,
    ) -> Result<()> {
        self.0.run(new, horizon, out)
    }

    /// The carried events and windows.
    fn state_bytes(&self) -> usize {
        self.0.stored_bytes()
    }
}

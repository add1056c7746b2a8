//! batch mode of `DailyReport` (stub, to be written).

use crate::error::Result;
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::Millis;

use super::{DailyReport, DailyRow};

/// DataFusion job.
pub struct DailyBatch {}

impl DailyBatch {
    /// A new job.
    pub fn new(_cfg: &JobConfig) -> Result<Self> {
        Ok(DailyBatch {})
    }
}

impl IncrementalJob<DailyReport> for DailyBatch {
    fn run(&mut self, _new: &[crate::event::Order], _horizon: Option<Millis>, _out: &mut Vec<Emission<DailyRow>>) -> Result<()> {
        todo!()
    }
    fn state_bytes(&self) -> usize {
        0
    }
}

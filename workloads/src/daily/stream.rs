//! Stream mode of `DailyReport` (stub, to be written).

use crate::mode::{LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;

use super::{DailyReport, DailyRow};

/// Per-event operator.
pub struct DailyStream {
    _cfg: StreamConfig,
}

impl DailyStream {
    /// A new operator.
    pub fn new(cfg: StreamConfig) -> Self {
        DailyStream { _cfg: cfg }
    }
}

impl StreamOperator<DailyReport> for DailyStream {
    fn on_event(&mut self, _e: &crate::event::Order, _out: &mut Vec<Emission<DailyRow>>) {
        todo!()
    }
    fn finish(&mut self, _out: &mut Vec<Emission<DailyRow>>) {
        todo!()
    }
    fn state_bytes(&self) -> usize {
        0
    }
    fn late_stats(&self) -> LateStats {
        LateStats::default()
    }
}

//! Micro-batch mode of `FraudAlerts`: per trigger, the shared alerts SQL
//! ([`super::batch::ALERTS_SQL`]) over the trigger's new events plus the
//! carried state — the recent transactions, kept in memory as Arrow batches
//! in one-minute event-time buckets.
//!
//! A trigger reads only the buckets within 300 s of its new events. After
//! the trigger, the new events join the state, and when the runner passes a
//! horizon `h` (no event older than `h` will come again) the buckets that lie
//! entirely at or before `h - 300 s` are evicted: no future event's alerts,
//! nor any alert a future event can add, looks that far back. With no
//! horizon (every late event accepted) the state is never evicted.

use crate::df::DfEngine;
use crate::error::Result;
use crate::event::Transaction;
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::{MINUTE, Millis};

use super::batch::{TimeBuckets, new_alerts};
use super::{Alert, FraudAlerts, GEO_WINDOW_MS};

/// The per-trigger DataFusion job with carried state.
pub struct FraudMicroBatch {
    engine: DfEngine,
    state: TimeBuckets,
}

impl FraudMicroBatch {
    /// A new job with empty state.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(FraudMicroBatch {
            engine: DfEngine::new(cfg)?,
            state: TimeBuckets::new(MINUTE),
        })
    }
}

impl IncrementalJob<FraudAlerts> for FraudMicroBatch {
    fn run(&mut self, new: &[Transaction], horizon: Option<Millis>, out: &mut Vec<Emission<Alert>>) -> Result<()> {
        if !new.is_empty() {
            let (history, _) = self.state.read_for(new);
            new_alerts(&self.engine, "fraud-alerts micro-batch", history, new, out)?;
            self.state.land(new)?;
        }
        // Evict only after this trigger: its own events may be older than
        // `horizon` (it advanced while they were admitted).
        if let Some(h) = horizon {
            self.state.evict_through(h.saturating_sub(GEO_WINDOW_MS));
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.state.bytes()
    }
}

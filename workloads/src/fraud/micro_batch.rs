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

use super::batch::{affected, lake, land, new_alerts};
use super::{Alert, FraudAlerts, GEO_WINDOW_MS};
use crate::lake::Lake;

/// The per-trigger DataFusion job with carried state.
pub struct FraudMicroBatch {
    engine: DfEngine,
    state: Lake,
}

impl FraudMicroBatch {
    /// A new job with empty state.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        let engine = DfEngine::new(cfg)?;
        engine.register_window_functions(super::window_fns::all());
        Ok(FraudMicroBatch {
            engine,
            state: lake("fraud-alerts micro-batch", MINUTE),
        })
    }
}

impl IncrementalJob<FraudAlerts> for FraudMicroBatch {
    fn run(
        &mut self,
        new: &[Transaction],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<Alert>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let (history, _) = self.state.read(&affected(new));
            new_alerts(&self.engine, "fraud-alerts micro-batch", history, new, out)?;
            land(&mut self.state, new)?;
        }
        // Evict only after this trigger: its own events may be older than
        // `horizon` (it advanced while they were admitted).
        if let Some(h) = horizon {
            self.state
                .evict_before(h.saturating_sub(GEO_WINDOW_MS).saturating_add(1));
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.state.bytes()
    }

    /// The carried transactions (Arrow IPC per minute bucket).
    fn snapshot(&self) -> Result<Vec<u8>> {
        self.state.snapshot()
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        self.state.restore(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::ModeConfig;
    use crate::fraud::Rule;
    use crate::fraud::reference::alerts;
    use crate::fraud::reference::testkit::{assert_exactly_once, random_transactions, run_config};
    use crate::mode::{Admission, LateGate, Lateness};
    use crate::time::SECOND;

    fn txn(txn_id: u64, country: &[u8; 2], event_time: i64) -> Transaction {
        Transaction {
            txn_id,
            card_id: 3,
            merchant_id: 1,
            amount_cents: 1,
            country: *country,
            event_time,
        }
    }

    #[test]
    fn eviction_keeps_exactly_what_the_window_at_the_horizon_needs() {
        let t0 = 1_767_225_600_000 + 17;
        for (h, geo) in [(t0 + GEO_WINDOW_MS - 1, true), (t0 + GEO_WINDOW_MS, false)] {
            let mut job = FraudMicroBatch::new(&JobConfig::default()).unwrap();
            let mut out = Vec::new();
            job.run(&[txn(1, b"FR", t0)], Some(h), &mut out).unwrap();
            // Time passes: empty triggers with the same horizon evict.
            job.run(&[], Some(h), &mut out).unwrap();
            // The oldest event that can still come, at the horizon.
            job.run(&[txn(2, b"US", h)], Some(h), &mut out).unwrap();
            let want: Vec<_> = [(2, Rule::GeoHop)]
                .iter()
                .filter(|_| geo)
                .map(|&(txn_id, rule)| Alert { txn_id, rule })
                .collect();
            assert_eq!(crate::output::materialize(&out), want, "horizon {h}");
        }
    }

    #[test]
    fn exact_config_equals_the_reference_on_shuffled_input() {
        let ev = random_transactions(31, 50_000, 300, 900_000, true);
        let truth = alerts(&ev);
        let cfg = ModeConfig::MicroBatch {
            trigger_ms: 30 * SECOND,
            lateness: Lateness::EXACT,
        };
        let (rows, changelog, stats) = run_config(&cfg, &ev);
        assert!(stats.late > 0 && stats.dropped == 0);
        assert_exactly_once(&changelog);
        assert_eq!(rows, truth);
    }

    #[test]
    fn finite_horizon_stays_exact_when_lateness_is_within_the_allowance() {
        let ev = random_transactions(32, 50_000, 300, 120_000, false);
        let lateness = Lateness {
            watermark_delay: 5 * SECOND,
            allowed_lateness: Some(120_000),
        };
        let cfg = ModeConfig::MicroBatch {
            trigger_ms: 20 * SECOND,
            lateness,
        };
        let (rows, changelog, stats) = run_config(&cfg, &ev);
        assert_eq!(stats.dropped, 0);
        assert_exactly_once(&changelog);
        assert_eq!(rows, alerts(&ev));
    }

    #[test]
    fn finite_horizon_evicts_state_and_drops_too_late_events() {
        let ev = random_transactions(33, 20_000, 100, 600_000, true);
        let lateness = Lateness {
            watermark_delay: 0,
            allowed_lateness: Some(60_000),
        };
        let data = crate::dataset::Dataset::from_arrival_order(
            ev.clone(),
            crate::dict::Dictionary::default(),
        );
        let mut job = FraudMicroBatch::new(&JobConfig::default()).unwrap();
        let (changelog, gate) =
            crate::drive::drive_job(&mut job, &data, 30 * SECOND, lateness).unwrap();
        assert!(gate.dropped > 0);
        let mut admit = LateGate::new(lateness);
        let kept: Vec<_> = ev
            .iter()
            .copied()
            .filter(|e| admit.admit(e.event_time) != Admission::Dropped)
            .collect();
        assert_eq!(crate::output::materialize(&changelog), alerts(&kept));
        let total = crate::event::transactions_batch(&ev).get_array_memory_size();
        assert!(
            job.state_bytes() < total / 4,
            "{} of {total} bytes kept",
            job.state_bytes()
        );
    }
}

//! `fraud-alerts`: per-transaction rules over each card's recent history
//! (`shared/workloads.md` §1).

pub mod batch;
pub mod micro_batch;
pub mod reference;
pub mod stream;
pub mod window_fns;

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::Result;
use crate::event::{Country, Transaction};
use crate::io::{ColType, FieldError, read_rows, write_csv, write_events_csv};
use crate::mode::{ComplexityFacts, IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use crate::output::OutputRow;
use crate::workload::{Workload, WorkloadKind};

/// `amount_cents` at or above which `large_amount` fires.
pub const LARGE_AMOUNT_CENTS: i64 = 1_000_000;
/// `velocity` window: `(t - 60 s, t]`.
pub const VELOCITY_WINDOW_MS: i64 = 60_000;
/// Transactions in the velocity window (including `t`) that fire `velocity`.
pub const VELOCITY_MIN_COUNT: usize = 5;
/// `geo_hop` window: `(t - 300 s, t]`.
pub const GEO_WINDOW_MS: i64 = 300_000;

/// An alert rule. Variant order is the output order (`rule` sorted as text).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Rule {
    GeoHop,
    LargeAmount,
    Velocity,
}

impl Rule {
    /// The rule's name in `alerts.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::GeoHop => "geo_hop",
            Rule::LargeAmount => "large_amount",
            Rule::Velocity => "velocity",
        }
    }
}

/// One row of `alerts`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Alert {
    pub txn_id: u64,
    pub rule: Rule,
}

impl OutputRow for Alert {
    type Key = Alert;
    fn key(&self) -> Alert {
        *self
    }
}

/// The `fraud-alerts` workload.
pub struct FraudAlerts;

const COLUMNS: &[(&str, ColType)] = &[
    ("txn_id", ColType::U64),
    ("card_id", ColType::U64),
    ("merchant_id", ColType::U32),
    ("amount_cents", ColType::I64),
    ("country", ColType::Str),
    ("event_time", ColType::Time),
];

/// Parses an ISO 3166 alpha-2 code (two ASCII uppercase letters).
pub fn parse_country(s: &str) -> Option<Country> {
    let b = s.as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_uppercase)).then(|| [b[0], b[1]])
}

/// Output file of the contract.
const ALERTS_FILE: &str = "alerts.csv";

impl Workload for FraudAlerts {
    const KIND: WorkloadKind = WorkloadKind::FraudAlerts;
    type Event = Transaction;
    type Row = Alert;

    fn generate(&self, cfg: &crate::generate::GenConfig) -> Result<Dataset<Transaction>> {
        crate::generate::transactions(cfg)
    }

    fn reference(&self, events: &[Transaction]) -> Vec<Alert> {
        reference::alerts(events)
    }

    fn partition_key(&self, e: &Transaction) -> u64 {
        e.card_id
    }

    fn partition_key_name(&self) -> String {
        "card_id".into()
    }

    fn stream(&self, cfg: &StreamConfig) -> Box<dyn StreamOperator<Self>> {
        Box::new(stream::FraudStream::new(*cfg))
    }

    fn batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(batch::FraudBatch::new(cfg)?))
    }

    fn micro_batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(micro_batch::FraudMicroBatch::new(cfg)?))
    }

    fn read_events(&self, path: &Path) -> Result<Dataset<Transaction>> {
        let (events, _) = read_rows(path, COLUMNS, |r| {
            let amount_cents = r.i64(3);
            if amount_cents < 0 {
                return Err(FieldError::new(
                    "amount_cents",
                    format!("must be >= 0, got {amount_cents}"),
                ));
            }
            let country = parse_country(r.str(4)).ok_or_else(|| {
                FieldError::new(
                    "country",
                    format!("`{}` is not an ISO 3166 alpha-2 code", r.str(4)),
                )
            })?;
            Ok(Transaction {
                txn_id: r.u64(0),
                card_id: r.u64(1),
                merchant_id: r.u32(2),
                amount_cents,
                country,
                event_time: r.i64(5),
            })
        })?;
        Ok(Dataset::from_arrival_order(events, Dictionary::default()))
    }

    fn write_events(&self, events: &[Transaction], _dict: &Dictionary, path: &Path) -> Result<()> {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        write_events_csv(path, &names, events, |t, line| {
            use std::io::Write;
            let _ = write!(
                line,
                "{},{},{},{},{}{},{}",
                t.txn_id,
                t.card_id,
                t.merchant_id,
                t.amount_cents,
                char::from(t.country[0]),
                char::from(t.country[1]),
                t.event_time
            );
        })
    }

    fn write_outputs(
        &self,
        rows: &[Alert],
        _dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let mut rows = rows.to_vec();
        rows.sort();
        let path = write_csv(
            dir,
            ALERTS_FILE,
            &["txn_id", "rule"],
            rows.iter()
                .map(|a| [a.txn_id.to_string(), a.rule.name().to_string()]),
        )?;
        Ok(vec![path])
    }

    fn output_files(&self) -> &'static [&'static str] {
        &[ALERTS_FILE]
    }

    fn complexity(&self, mode: Mode) -> ComplexityFacts {
        match mode {
            Mode::Batch => ComplexityFacts {
                stateful_operators: 1,
                failure_modes: vec![
                    "re-reading 5 minutes of history before the earliest new event (late data)"
                        .into(),
                    "deduplicating alerts already emitted by earlier runs".into(),
                ],
                source_files: vec!["fraud/batch.rs", "fraud/window_fns.rs"],
            },
            Mode::MicroBatch => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "carrying each card's last 5 minutes between triggers".into(),
                    "late data (state retention vs. allowed lateness)".into(),
                    "deduplicating alerts across triggers".into(),
                    "always-on driver".into(),
                ],
                source_files: vec![
                    "fraud/micro_batch.rs",
                    "fraud/batch.rs",
                    "fraud/window_fns.rs",
                ],
            },
            Mode::Stream => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "out-of-order events (per-card sorted state)".into(),
                    "late data (watermark, allowed lateness, corrections)".into(),
                    "state eviction".into(),
                    "exactly-once emission".into(),
                    "always-on operation".into(),
                ],
                source_files: vec!["fraud/stream.rs"],
            },
        }
    }
}

//! `daily-report`: per-day sales by store and category, and the day's top 3
//! products by revenue (`shared/workloads.md` §2).

pub mod batch;
pub mod micro_batch;
pub mod reference;
pub mod stream;

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::Result;
use crate::event::Order;
use crate::io::{ColType, FieldError, read_rows, write_csv, write_events_csv};
use crate::mode::{ComplexityFacts, IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use crate::output::OutputRow;
use crate::time::format_day;
use crate::workload::{Workload, WorkloadKind};

/// How many products `daily_top_products` ranks per day.
pub const TOP_N: u8 = 3;

/// One row of `daily_sales`. Field order is the output order
/// (`category` is a sorted-dictionary id, so id order is text order).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct DailySales {
    /// Day number (`floor(event_time / 86_400_000)`).
    pub day: i32,
    pub store_id: u32,
    pub category: u32,
    pub orders: u64,
    pub units: u64,
    pub revenue_cents: i64,
}

/// One row of `daily_top_products`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TopProduct {
    pub day: i32,
    /// 1..=3.
    pub rank: u8,
    pub product_id: u32,
    pub revenue_cents: i64,
}

/// A row of either output table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DailyRow {
    Sales(DailySales),
    Top(TopProduct),
}

/// Key of a [`DailyRow`]: `(day, store, category)` or `(day, rank)`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DailyKey {
    Sales {
        day: i32,
        store_id: u32,
        category: u32,
    },
    Top {
        day: i32,
        rank: u8,
    },
}

impl OutputRow for DailyRow {
    type Key = DailyKey;
    fn key(&self) -> DailyKey {
        match *self {
            DailyRow::Sales(s) => DailyKey::Sales {
                day: s.day,
                store_id: s.store_id,
                category: s.category,
            },
            DailyRow::Top(t) => DailyKey::Top {
                day: t.day,
                rank: t.rank,
            },
        }
    }
}

/// The `daily-report` workload.
pub struct DailyReport;

const COLUMNS: &[(&str, ColType)] = &[
    ("order_id", ColType::U64),
    ("store_id", ColType::U32),
    ("product_id", ColType::U32),
    ("category", ColType::Str),
    ("quantity", ColType::U32),
    ("unit_price_cents", ColType::I64),
    ("event_time", ColType::Time),
];

/// Output file of the contract.
const DAILY_SALES_FILE: &str = "daily_sales.csv";
/// Output file of the contract.
const DAILY_TOP_PRODUCTS_FILE: &str = "daily_top_products.csv";

impl Workload for DailyReport {
    const KIND: WorkloadKind = WorkloadKind::DailyReport;
    type Event = Order;
    type Row = DailyRow;

    fn generate(&self, cfg: &crate::generate::GenConfig) -> Result<Dataset<Order>> {
        crate::generate::orders(cfg)
    }

    fn reference(&self, events: &[Order]) -> Vec<DailyRow> {
        reference::report(events)
    }

    /// The day: the top-3 table ranks all of a day's products over every
    /// store, so no finer key keeps both tables exact in one keyed stage.
    fn partition_key(&self, e: &Order) -> u64 {
        e.event_time.div_euclid(crate::time::DAY) as u64
    }

    fn partition_key_name(&self) -> String {
        "day (the top-3 table ranks a whole day's products)".into()
    }

    fn stream(&self, cfg: &StreamConfig) -> Box<dyn StreamOperator<Self>> {
        Box::new(stream::DailyStream::new(*cfg))
    }

    fn batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(batch::DailyBatch::new(cfg)?))
    }

    fn micro_batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(micro_batch::DailyMicroBatch::new(cfg)?))
    }

    fn read_events(&self, path: &Path) -> Result<Dataset<Order>> {
        let (events, dict) = read_rows(path, COLUMNS, |r| {
            let quantity = r.u32(4);
            if quantity < 1 {
                return Err(FieldError::new(
                    "quantity",
                    format!("must be >= 1, got {quantity}"),
                ));
            }
            let unit_price_cents = r.i64(5);
            if unit_price_cents < 0 {
                return Err(FieldError::new(
                    "unit_price_cents",
                    format!("must be >= 0, got {unit_price_cents}"),
                ));
            }
            Ok(Order {
                order_id: r.u64(0),
                store_id: r.u32(1),
                product_id: r.u32(2),
                category: r.id(3),
                quantity,
                unit_price_cents,
                event_time: r.i64(6),
            })
        })?;
        Ok(Dataset::from_arrival_order(events, dict))
    }

    fn write_events(&self, events: &[Order], dict: &Dictionary, path: &Path) -> Result<()> {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        write_events_csv(path, &names, events, |o, line| {
            use std::io::Write;
            let _ = write!(
                line,
                "{},{},{},{},{},{},{}",
                o.order_id,
                o.store_id,
                o.product_id,
                dict.get(o.category),
                o.quantity,
                o.unit_price_cents,
                o.event_time
            );
        })
    }

    fn write_outputs(
        &self,
        rows: &[DailyRow],
        dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let mut rows = rows.to_vec();
        rows.sort();
        let sales = write_csv(
            dir,
            DAILY_SALES_FILE,
            &[
                "day",
                "store_id",
                "category",
                "orders",
                "units",
                "revenue_cents",
            ],
            rows.iter().filter_map(|r| match r {
                DailyRow::Sales(s) => Some([
                    format_day(s.day),
                    s.store_id.to_string(),
                    dict.get(s.category).to_string(),
                    s.orders.to_string(),
                    s.units.to_string(),
                    s.revenue_cents.to_string(),
                ]),
                DailyRow::Top(_) => None,
            }),
        )?;
        let top = write_csv(
            dir,
            DAILY_TOP_PRODUCTS_FILE,
            &["day", "rank", "product_id", "revenue_cents"],
            rows.iter().filter_map(|r| match r {
                DailyRow::Top(t) => Some([
                    format_day(t.day),
                    t.rank.to_string(),
                    t.product_id.to_string(),
                    t.revenue_cents.to_string(),
                ]),
                DailyRow::Sales(_) => None,
            }),
        )?;
        Ok(vec![sales, top])
    }

    fn output_files(&self) -> &'static [&'static str] {
        &[DAILY_SALES_FILE, DAILY_TOP_PRODUCTS_FILE]
    }

    fn complexity(&self, mode: Mode) -> ComplexityFacts {
        match mode {
            Mode::Batch => ComplexityFacts {
                stateful_operators: 0,
                failure_modes: vec!["recomputing every day that late orders touch".into()],
                source_files: vec!["daily/batch.rs"],
            },
            Mode::MicroBatch => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "carrying running day totals between triggers".into(),
                    "late data (when a day may be closed)".into(),
                    "always-on driver".into(),
                ],
                source_files: vec!["daily/micro_batch.rs", "daily/batch.rs"],
            },
            Mode::Stream => ComplexityFacts {
                stateful_operators: 3,
                failure_modes: vec![
                    "late data (watermark, allowed lateness, corrections)".into(),
                    "day-window timers".into(),
                    "incremental top-3 maintenance".into(),
                    "exactly-once emission".into(),
                    "always-on operation".into(),
                ],
                source_files: vec!["daily/stream.rs"],
            },
        }
    }
}

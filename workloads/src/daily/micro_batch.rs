//! Micro-batch mode of `daily-report`, in the manner of Spark Structured
//! Streaming's stateful aggregation: each trigger aggregates its new orders
//! with one DataFusion SQL query (partial sums per (day, store, category)
//! and per (day, product) — one plan, both groupings) and merges them into a
//! keyed state store, as Spark merges a trigger's partial aggregates into
//! its state store:
//!
//! * running sales per (day, store, category): orders, units, revenue and the
//!   newest order time — a touched group is emitted (it always changes: its
//!   order count grew);
//! * revenue per (day, product), and each day's newest order time.
//!
//! A trigger's cost is proportional to its own orders, not to the state:
//! revenue never decreases (quantities are at least 1 and prices at least
//! 0), so a day's new top 3 is among its previous top 3 and the products the
//! trigger touched; only those are re-ranked, and changed ranks are upserted,
//! vanished ranks retracted. With a horizon, a day whose end is at or behind
//! it can no longer receive orders: its state is evicted, and the output
//! stays exact.

use std::collections::BTreeMap;

use datafusion::arrow::datatypes::{Int64Type, UInt32Type};
use datafusion::arrow::record_batch::RecordBatch;
use rustc_hash::FxHashMap;

use crate::df::{DfEngine, Table};
use crate::error::Result;
use crate::event::{Order, orders_batch, orders_schema};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::Millis;

use super::batch::{SALES_SQL_BODY, column, day_end, emit_day_diff, narrow, orders_cte};
use super::{DailyKey, DailyReport, DailyRow, DailySales, TOP_N, TopProduct};

const JOB: &str = "daily-report micro-batch";

/// Partial aggregates of the trigger's orders: `kind = 0` rows are sales per
/// (day, store, category) (`product_id` 0), `kind = 1` rows revenue per
/// (day, product) (`store_id`, `category`, `orders`, `units` 0).
fn partials_sql() -> String {
    format!(
        "WITH {}, \
         s AS ({SALES_SQL_BODY}) \
         SELECT CAST(0 AS BIGINT) AS kind, day, store_id, category, \
                CAST(0 AS INT UNSIGNED) AS product_id, orders, units, revenue_cents, max_time \
         FROM s \
         UNION ALL \
         SELECT CAST(1 AS BIGINT) AS kind, day, CAST(0 AS INT UNSIGNED) AS store_id, \
                CAST(0 AS INT UNSIGNED) AS category, product_id, CAST(0 AS BIGINT) AS orders, \
                CAST(0 AS BIGINT) AS units, CAST(SUM(revenue) AS BIGINT) AS revenue_cents, \
                MAX(event_time) AS max_time \
         FROM o GROUP BY day, product_id",
        orders_cte()
    )
}

/// Running sales of one (store, category) group.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct SalesAgg {
    orders: u64,
    units: u64,
    revenue_cents: i64,
    max_time: Millis,
}

/// Carried state of one day.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct DayState {
    sales: FxHashMap<(u32, u32), SalesAgg>,
    /// Revenue per product.
    products: FxHashMap<u32, i64>,
    /// The day's newest order time (what its top rows depend on).
    newest: Millis,
    /// The top rows last emitted for the day.
    top: BTreeMap<DailyKey, DailyRow>,
}

impl Default for DayState {
    fn default() -> Self {
        DayState {
            sales: FxHashMap::default(),
            products: FxHashMap::default(),
            newest: Millis::MIN,
            top: BTreeMap::new(),
        }
    }
}

impl DayState {
    fn bytes(&self) -> usize {
        // A hash map entry costs its size plus a control byte.
        self.sales.capacity() * (size_of::<((u32, u32), SalesAgg)>() + 1)
            + self.products.capacity() * (size_of::<(u32, i64)>() + 1)
            + self.top.len() * (size_of::<(DailyKey, DailyRow)>() + 16)
    }

    /// The day's top rows after `touched` products changed: re-ranks the
    /// previous top products and the touched ones.
    fn ranked(&self, day: i32, touched: &[u32]) -> Vec<(DailyRow, Millis)> {
        let mut candidates: Vec<(i64, u32)> = self
            .top
            .values()
            .filter_map(|r| match r {
                DailyRow::Top(t) => Some(t.product_id),
                DailyRow::Sales(_) => None,
            })
            .chain(touched.iter().copied())
            .filter_map(|p| self.products.get(&p).map(|&rev| (rev, p)))
            .collect();
        // Highest revenue first, ties to the smaller product id.
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.dedup_by_key(|c| c.1);
        candidates
            .into_iter()
            .take(usize::from(TOP_N))
            .zip(1..)
            .map(|((revenue_cents, product_id), rank)| {
                let row = TopProduct {
                    day,
                    rank,
                    product_id,
                    revenue_cents,
                };
                (DailyRow::Top(row), self.newest)
            })
            .collect()
    }
}

/// Micro-batch job of `daily-report` (see the module docs).
pub struct DailyMicroBatch {
    engine: DfEngine,
    state: BTreeMap<i32, DayState>,
}

impl DailyMicroBatch {
    /// A job with empty state.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(DailyMicroBatch {
            engine: DfEngine::new(cfg)?,
            state: BTreeMap::new(),
        })
    }

    /// Folds one trigger's orders into the state of the days they touch.
    fn trigger(&mut self, new: &[Order], out: &mut Vec<Emission<DailyRow>>) -> Result<()> {
        let orders = Table {
            name: "orders",
            schema: orders_schema(),
            batches: vec![orders_batch(new)],
        };
        let partials = self.engine.query(JOB, vec![orders], &partials_sql())?;
        // The products each day's trigger touched.
        let mut touched: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
        for b in &partials {
            self.merge(b, &mut touched, out)?;
        }
        for (day, products) in touched {
            let state = self.state.entry(day).or_default();
            let now = state.ranked(day, &products);
            emit_day_diff(&mut state.top, now, out);
        }
        Ok(())
    }

    /// Merges one batch of partial aggregates into the state, emitting the
    /// touched sales rows and noting the touched products.
    fn merge(
        &mut self,
        b: &RecordBatch,
        touched: &mut BTreeMap<i32, Vec<u32>>,
        out: &mut Vec<Emission<DailyRow>>,
    ) -> Result<()> {
        let kind = column::<Int64Type>(b, "kind", JOB)?;
        let day = column::<Int64Type>(b, "day", JOB)?;
        let store = column::<UInt32Type>(b, "store_id", JOB)?;
        let category = column::<UInt32Type>(b, "category", JOB)?;
        let product = column::<UInt32Type>(b, "product_id", JOB)?;
        let orders = column::<Int64Type>(b, "orders", JOB)?;
        let units = column::<Int64Type>(b, "units", JOB)?;
        let revenue = column::<Int64Type>(b, "revenue_cents", JOB)?;
        let max_time = column::<Int64Type>(b, "max_time", JOB)?;
        for i in 0..b.num_rows() {
            let d: i32 = narrow(day.value(i), "day", JOB)?;
            let state = self.state.entry(d).or_default();
            state.newest = state.newest.max(max_time.value(i));
            if kind.value(i) == 1 {
                *state.products.entry(product.value(i)).or_default() += revenue.value(i);
                touched.entry(d).or_default().push(product.value(i));
                continue;
            }
            let key = (store.value(i), category.value(i));
            let agg = state.sales.entry(key).or_insert(SalesAgg {
                orders: 0,
                units: 0,
                revenue_cents: 0,
                max_time: Millis::MIN,
            });
            agg.orders += narrow::<u64>(orders.value(i), "orders", JOB)?;
            agg.units += narrow::<u64>(units.value(i), "units", JOB)?;
            agg.revenue_cents += revenue.value(i);
            agg.max_time = agg.max_time.max(max_time.value(i));
            let row = DailySales {
                day: d,
                store_id: key.0,
                category: key.1,
                orders: agg.orders,
                units: agg.units,
                revenue_cents: agg.revenue_cents,
            };
            out.push(Emission::upsert(DailyRow::Sales(row), agg.max_time));
        }
        Ok(())
    }
}

impl IncrementalJob<DailyReport> for DailyMicroBatch {
    fn run(
        &mut self,
        new: &[Order],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<DailyRow>>,
    ) -> Result<()> {
        if !new.is_empty() {
            self.trigger(new, out)?;
        }
        if let Some(h) = horizon {
            self.state.retain(|&d, _| day_end(d) > h);
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.state.values().map(DayState::bytes).sum()
    }

    /// The per-day aggregates and emitted top rows.
    fn snapshot(&self) -> Result<Vec<u8>> {
        crate::snapshot::save(JOB, &self.state)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        self.state = crate::snapshot::load(JOB, bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::drive::{ModeConfig, run_mode};
    use crate::mode::Lateness;
    use crate::output::{Change, materialize};
    use crate::time::{DAY, HOUR, MINUTE};

    use super::super::reference::report;
    use super::super::reference::tests::{T0, order, random_orders};

    fn job() -> DailyMicroBatch {
        DailyMicroBatch::new(&JobConfig::default()).expect("engine starts")
    }

    #[test]
    fn triggers_merge_state_and_emit_only_changes() {
        let mut j = job();
        let mut out = Vec::new();
        let first = [
            order(1, 1, 1, 0, 100, T0),
            order(2, 2, 2, 1, 90, T0 + 1),
            order(3, 1, 1, 0, 5, -1),
        ];
        j.run(&first, None, &mut out).expect("trigger");
        assert_eq!(materialize(&out), report(&first));
        out.clear();
        // Product 2 reaches 100 and ties product 1: the tie keeps product 1
        // first, so rank 1 is unchanged and not re-emitted; store 2's sales
        // row and rank 2's revenue change. The day of order 3 is untouched.
        j.run(&[order(4, 2, 2, 1, 10, T0 + 2)], None, &mut out)
            .expect("trigger");
        assert_eq!(out.len(), 2);
        assert!(
            matches!(out[0].change, Change::Upsert(DailyRow::Sales(s)) if s.orders == 2 && s.revenue_cents == 100)
        );
        assert_eq!(out[0].depends_on, T0 + 2);
        assert!(
            matches!(out[1].change, Change::Upsert(DailyRow::Top(t)) if (t.rank, t.product_id, t.revenue_cents) == (2, 2, 100))
        );
        out.clear();
        j.run(&[order(5, 2, 2, 1, 1, T0 + 3)], None, &mut out)
            .expect("trigger");
        let ranks: Vec<(u8, u32)> = out
            .iter()
            .filter_map(|e| match e.change {
                Change::Upsert(DailyRow::Top(t)) => Some((t.rank, t.product_id)),
                _ => None,
            })
            .collect();
        assert_eq!(ranks, vec![(1, 2), (2, 1)]);
    }

    #[test]
    fn finite_horizon_evicts_and_stays_exact_within_the_allowed_lateness() {
        let data = random_orders(4_000, 17);
        // random_orders delays some orders up to 36 h of event time; with
        // 40 h of allowed lateness none is dropped, yet days are evicted.
        let lateness = Lateness {
            watermark_delay: MINUTE,
            allowed_lateness: Some(40 * HOUR),
        };
        let cfg = ModeConfig::MicroBatch {
            trigger_ms: 10 * MINUTE,
            lateness,
        };
        let (log, stats) =
            run_mode(&DailyReport, &cfg, &JobConfig::default(), &data).expect("runs");
        assert_eq!(stats.dropped, 0);
        assert!(stats.late > 0);
        assert_eq!(materialize(&log), report(&data.events));

        let mut j = job();
        let mut out = Vec::new();
        j.run(&data.events, None, &mut out).expect("trigger");
        let full = j.state_bytes();
        j.run(&[], Some(T0 + DAY), &mut out).expect("eviction");
        assert!(
            j.state.len() == 2 && j.state_bytes() < full,
            "the first day is evicted"
        );
    }

    #[test]
    fn finite_lateness_drops_what_is_too_late() {
        let ev = vec![
            order(1, 1, 1, 0, 10, T0 + 3 * HOUR),
            order(2, 1, 1, 0, 10, T0),
        ];
        let data = Dataset::from_arrival_order(ev.clone(), crate::dict::Dictionary::default());
        let cfg = ModeConfig::MicroBatch {
            trigger_ms: MINUTE,
            lateness: Lateness {
                watermark_delay: 0,
                allowed_lateness: Some(HOUR),
            },
        };
        let (log, stats) =
            run_mode(&DailyReport, &cfg, &JobConfig::default(), &data).expect("runs");
        assert_eq!((stats.late, stats.dropped), (1, 1));
        assert_eq!(materialize(&log), report(&ev[..1]));
    }
}

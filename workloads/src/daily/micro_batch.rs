//! Micro-batch mode of `daily-report`, in the manner of Spark Structured
//! Streaming: each trigger aggregates its new orders with DataFusion SQL and
//! merges them into carried state, kept as Arrow tables partitioned by day:
//!
//! * running sales per (day, store, category): orders, units, revenue and the
//!   newest order time;
//! * revenue (and newest order time) per (day, product).
//!
//! Only the days the trigger's orders touch take part: their state is
//! merged with the new aggregates (`UNION ALL` + `GROUP BY`), the day's top 3
//! is re-ranked by SQL (`ROW_NUMBER`), the touched sales rows are emitted
//! (they always change: their order count grew) and the top rows are
//! compared with the ones emitted before (changed ranks upserted, vanished
//! ranks retracted). With a horizon, a day whose end is at or behind it can
//! no longer receive orders: its state is evicted, and the output stays
//! exact.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;

use crate::df::{DfEngine, Table};
use crate::error::{Result, WorkloadError};
use crate::event::{Order, orders_batch, orders_schema};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::{Millis, day_of};

use super::batch::{
    SALES_SQL_BODY, by_day, column, day_end, decode_sales, decode_top, emit_day_diff, narrow,
    orders_cte, ranked_products_sql,
};
use super::{DailyKey, DailyReport, DailyRow};

const SALES_JOB: &str = "daily-report micro-batch: daily_sales state";
const PRODUCTS_JOB: &str = "daily-report micro-batch: product state and top 3";

/// Schema of the carried sales state (nullable: SQL aggregates are).
fn sales_state_schema() -> SchemaRef {
    let f = |name, t| Field::new(name, t, true);
    Arc::new(Schema::new(vec![
        f("day", DataType::Int64),
        f("store_id", DataType::UInt32),
        f("category", DataType::UInt32),
        f("orders", DataType::Int64),
        f("units", DataType::Int64),
        f("revenue_cents", DataType::Int64),
        f("max_time", DataType::Int64),
    ]))
}

/// Schema of the carried per-product state.
fn product_state_schema() -> SchemaRef {
    let f = |name, t| Field::new(name, t, true);
    Arc::new(Schema::new(vec![
        f("day", DataType::Int64),
        f("product_id", DataType::UInt32),
        f("revenue_cents", DataType::Int64),
        f("max_time", DataType::Int64),
    ]))
}

/// New sales state of the touched days: the carried rows plus the trigger's
/// aggregates, with `touched = 1` on the groups the trigger changed.
fn sales_merge_sql() -> String {
    format!(
        "WITH {}, d AS ({SALES_SQL_BODY}) \
         SELECT day, store_id, category, \
           CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(units) AS BIGINT) AS units, \
           CAST(SUM(revenue_cents) AS BIGINT) AS revenue_cents, MAX(max_time) AS max_time, \
           MAX(touched) AS touched \
         FROM (SELECT day, store_id, category, orders, units, revenue_cents, max_time, CAST(0 AS BIGINT) AS touched \
                 FROM sales_state \
               UNION ALL \
               SELECT day, store_id, category, orders, units, revenue_cents, max_time, CAST(1 AS BIGINT) AS touched \
                 FROM d) u \
         GROUP BY day, store_id, category ORDER BY day",
        orders_cte()
    )
}

/// New product state of the touched days, ranked within each day.
fn products_merge_sql() -> String {
    format!(
        "WITH {}, \
         d AS (SELECT day, product_id, SUM(revenue) AS revenue_cents, MAX(event_time) AS max_time \
               FROM o GROUP BY day, product_id), \
         p AS (SELECT day, product_id, CAST(SUM(revenue_cents) AS BIGINT) AS revenue_cents, MAX(max_time) AS max_time \
               FROM (SELECT day, product_id, revenue_cents, max_time FROM product_state \
                     UNION ALL SELECT day, product_id, revenue_cents, max_time FROM d) u \
               GROUP BY day, product_id) \
         SELECT * FROM ({}) r ORDER BY day",
        orders_cte(),
        ranked_products_sql("p")
    )
}

/// Splits query results into one state batch per day, keeping the columns
/// of `schema` (taken by name) and copying each day's rows together.
fn split_by_day(
    results: &[RecordBatch],
    schema: &SchemaRef,
    job: &str,
) -> Result<BTreeMap<i32, RecordBatch>> {
    let arrow = |e: ArrowError| WorkloadError::datafusion(job, e.into());
    let mut pieces: BTreeMap<i32, Vec<RecordBatch>> = BTreeMap::new();
    for batch in results {
        let indices = schema
            .fields()
            .iter()
            .map(|f| batch.schema().index_of(f.name()))
            .collect::<Result<Vec<usize>, ArrowError>>()
            .map_err(arrow)?;
        let state = RecordBatch::try_new(
            schema.clone(),
            batch.project(&indices).map_err(arrow)?.columns().to_vec(),
        )
        .map_err(arrow)?;
        let day = column::<Int64Type>(&state, "day", job)?;
        let mut start = 0;
        while start < state.num_rows() {
            let d = day.value(start);
            let mut end = start + 1;
            while end < state.num_rows() && day.value(end) == d {
                end += 1;
            }
            pieces
                .entry(narrow(d, "day", job)?)
                .or_default()
                .push(state.slice(start, end - start));
            start = end;
        }
    }
    pieces
        .into_iter()
        .map(|(d, parts)| Ok((d, concat_batches(schema, &parts).map_err(arrow)?)))
        .collect()
}

/// Carried state of one day.
#[derive(Debug, Default)]
struct DayState {
    sales: Option<RecordBatch>,
    products: Option<RecordBatch>,
    /// The top rows last emitted for the day.
    top: BTreeMap<DailyKey, DailyRow>,
}

impl DayState {
    fn bytes(&self) -> usize {
        let batches: usize = [&self.sales, &self.products]
            .into_iter()
            .flatten()
            .map(RecordBatch::get_array_memory_size)
            .sum();
        batches + self.top.len() * (std::mem::size_of::<(DailyKey, DailyRow)>() + 16)
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

    /// The carried state of the given days as a query table.
    fn state_table<'a>(
        &self,
        name: &'a str,
        days: &BTreeSet<i32>,
        schema: SchemaRef,
        pick: fn(&DayState) -> &Option<RecordBatch>,
    ) -> Table<'a> {
        let batches = days
            .iter()
            .filter_map(|d| self.state.get(d))
            .filter_map(|s| pick(s).clone())
            .collect();
        Table {
            name,
            schema,
            batches,
        }
    }

    /// Runs one merge query over the new orders and one state table.
    fn merge(
        &self,
        new: &RecordBatch,
        state: Table<'_>,
        sql: &str,
        job: &str,
    ) -> Result<Vec<RecordBatch>> {
        let orders = Table {
            name: "orders",
            schema: orders_schema(),
            batches: vec![new.clone()],
        };
        self.engine.query(job, vec![orders, state], sql)
    }

    /// Folds one trigger's orders into the state of the days they touch.
    fn trigger(&mut self, new: &[Order], out: &mut Vec<Emission<DailyRow>>) -> Result<()> {
        let days: BTreeSet<i32> = new.iter().map(|o| day_of(o.event_time)).collect();
        let batch = orders_batch(new);
        let sales_state =
            self.state_table("sales_state", &days, sales_state_schema(), |s| &s.sales);
        let sales = self.merge(&batch, sales_state, &sales_merge_sql(), SALES_JOB)?;
        let product_state = self.state_table("product_state", &days, product_state_schema(), |s| {
            &s.products
        });
        let products = self.merge(&batch, product_state, &products_merge_sql(), PRODUCTS_JOB)?;

        for b in &sales {
            for (row, depends_on) in decode_sales(b, SALES_JOB, Some("touched"))? {
                out.push(Emission::upsert(row, depends_on));
            }
        }
        let mut top = Vec::new();
        for b in &products {
            top.extend(decode_top(b, PRODUCTS_JOB)?);
        }
        let mut top = by_day(top);
        let mut sales = split_by_day(&sales, &sales_state_schema(), SALES_JOB)?;
        let mut products = split_by_day(&products, &product_state_schema(), PRODUCTS_JOB)?;
        for day in days {
            let state = self.state.entry(day).or_default();
            emit_day_diff(&mut state.top, top.remove(&day).unwrap_or_default(), out);
            state.sales = sales.remove(&day);
            state.products = products.remove(&day);
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

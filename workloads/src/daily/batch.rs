//! Batch mode of `daily-report`: a scheduled DataFusion job over a lake of
//! landed orders partitioned by event-time day.
//!
//! Each run lands the new orders in their day partitions, then recomputes
//! every day the new orders touch in full from the lake with SQL — re-reading
//! only those days' partitions (a late order re-opens exactly its own day) —
//! and compares the result with the rows it emitted for those days before:
//! new or changed rows are upserted, rows that no longer exist are
//! retracted, unchanged rows are not re-emitted. Days are the natural
//! partition here because a day's rows depend on all of that day's orders
//! and on nothing else.
//!
//! The SQL helpers and result decoders are shared with the micro-batch mode.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, ArrowPrimitiveType, PrimitiveArray};
use datafusion::arrow::datatypes::{Int64Type, UInt32Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;

use crate::df::{DfEngine, Table};
use crate::error::{Result, WorkloadError};
use crate::event::{Order, orders_batch, orders_schema};
use crate::lake::Lake;
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::{Emission, OutputRow};
use crate::time::{DAY, Millis, day_of};

use super::{DailyKey, DailyReport, DailyRow, DailySales, TOP_N, TopProduct};

/// SQL for the contract's day number of `event_time`: `floor(t / 86_400_000)`.
/// DataFusion's integer `/` and `%` truncate toward zero, so the time is first
/// moved down to its day's start with a non-negative remainder; the division
/// is then exact, also for times before 1970.
pub(super) const DAY_SQL: &str =
    "CAST((event_time - ((event_time % 86400000) + 86400000) % 86400000) / 86400000 AS BIGINT)";

/// Ranks the rows of `products` (columns `day, product_id, revenue_cents,
/// max_time`) within their day by revenue, ties to the smaller product id,
/// and adds the day's newest order time (`day_max`, what a top row depends
/// on).
pub(super) fn ranked_products_sql(products: &str) -> String {
    format!(
        "SELECT day, product_id, revenue_cents, max_time, \
           CAST(ROW_NUMBER() OVER (PARTITION BY day ORDER BY revenue_cents DESC, product_id ASC) AS BIGINT) AS rank_no, \
           MAX(max_time) OVER (PARTITION BY day) AS day_max \
         FROM {products}"
    )
}

/// Sales per (day, store, category) of the orders in CTE `o`.
pub(super) const SALES_SQL_BODY: &str = "SELECT day, store_id, category, \
       CAST(COUNT(*) AS BIGINT) AS orders, \
       CAST(SUM(quantity) AS BIGINT) AS units, \
       CAST(SUM(revenue) AS BIGINT) AS revenue_cents, \
       MAX(event_time) AS max_time \
     FROM o GROUP BY day, store_id, category";

/// The orders of table `orders` with their day and revenue (a CTE named `o`).
pub(super) fn orders_cte() -> String {
    format!(
        "o AS (SELECT {DAY_SQL} AS day, store_id, category, product_id, quantity, \
           CAST(quantity AS BIGINT) * unit_price_cents AS revenue, event_time FROM orders)"
    )
}

/// Full `daily_sales` of the orders in table `orders`.
fn sales_sql() -> String {
    format!("WITH {} {SALES_SQL_BODY}", orders_cte())
}

/// Full `daily_top_products` of the orders in table `orders`.
fn top_sql() -> String {
    format!(
        "WITH {}, \
         p AS (SELECT day, product_id, SUM(revenue) AS revenue_cents, MAX(event_time) AS max_time \
               FROM o GROUP BY day, product_id) \
         SELECT day, rank_no, product_id, revenue_cents, day_max FROM ({}) r WHERE rank_no <= {TOP_N}",
        orders_cte(),
        ranked_products_sql("p")
    )
}

/// A result column as a primitive array, checked for type and nulls.
pub(super) fn column<'a, T: ArrowPrimitiveType>(
    batch: &'a RecordBatch,
    name: &str,
    job: &str,
) -> Result<&'a PrimitiveArray<T>> {
    let bad = |what: String| WorkloadError::datafusion(job, DataFusionError::Internal(what));
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| bad(format!("result has no column `{name}`")))?
        .as_any()
        .downcast_ref::<PrimitiveArray<T>>()
        .ok_or_else(|| bad(format!("column `{name}` is not {}", T::DATA_TYPE)))?;
    if array.null_count() > 0 {
        return Err(bad(format!("column `{name}` has nulls")));
    }
    Ok(array)
}

/// Converts a result value into the row's integer type, or names the problem.
pub(super) fn narrow<T: TryFrom<i64>>(v: i64, name: &str, job: &str) -> Result<T> {
    T::try_from(v).map_err(|_| {
        WorkloadError::datafusion(
            job,
            DataFusionError::Internal(format!("`{name}` value {v} out of range")),
        )
    })
}

/// Decodes sales rows (`day, store_id, category, orders, units,
/// revenue_cents, max_time`) with what each depends on. When `touched` is
/// given, only rows whose `touched` column is non-zero are returned.
pub(super) fn decode_sales(
    batch: &RecordBatch,
    job: &str,
    touched: Option<&str>,
) -> Result<Vec<(DailyRow, Millis)>> {
    let day = column::<Int64Type>(batch, "day", job)?;
    let store = column::<UInt32Type>(batch, "store_id", job)?;
    let category = column::<UInt32Type>(batch, "category", job)?;
    let orders = column::<Int64Type>(batch, "orders", job)?;
    let units = column::<Int64Type>(batch, "units", job)?;
    let revenue = column::<Int64Type>(batch, "revenue_cents", job)?;
    let max_time = column::<Int64Type>(batch, "max_time", job)?;
    let flag = touched
        .map(|name| column::<Int64Type>(batch, name, job))
        .transpose()?;
    let mut rows = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if flag.is_some_and(|f| f.value(i) == 0) {
            continue;
        }
        let row = DailySales {
            day: narrow(day.value(i), "day", job)?,
            store_id: store.value(i),
            category: category.value(i),
            orders: narrow(orders.value(i), "orders", job)?,
            units: narrow(units.value(i), "units", job)?,
            revenue_cents: revenue.value(i),
        };
        rows.push((DailyRow::Sales(row), max_time.value(i)));
    }
    Ok(rows)
}

/// Decodes ranked product rows (`day, rank_no, product_id, revenue_cents,
/// day_max`) into top rows, keeping ranks 1..=[`TOP_N`].
pub(super) fn decode_top(batch: &RecordBatch, job: &str) -> Result<Vec<(DailyRow, Millis)>> {
    let day = column::<Int64Type>(batch, "day", job)?;
    let rank = column::<Int64Type>(batch, "rank_no", job)?;
    let product = column::<UInt32Type>(batch, "product_id", job)?;
    let revenue = column::<Int64Type>(batch, "revenue_cents", job)?;
    let day_max = column::<Int64Type>(batch, "day_max", job)?;
    let mut rows = Vec::new();
    for i in 0..batch.num_rows() {
        let r = rank.value(i);
        if !(1..=i64::from(TOP_N)).contains(&r) {
            continue;
        }
        let row = TopProduct {
            day: narrow(day.value(i), "day", job)?,
            rank: narrow(r, "rank_no", job)?,
            product_id: product.value(i),
            revenue_cents: revenue.value(i),
        };
        rows.push((DailyRow::Top(row), day_max.value(i)));
    }
    Ok(rows)
}

/// The day a row belongs to.
pub(super) fn row_day(row: &DailyRow) -> i32 {
    match row {
        DailyRow::Sales(s) => s.day,
        DailyRow::Top(t) => t.day,
    }
}

/// The first millisecond after `day`: once a horizon reaches it, no order
/// of the day can arrive any more.
pub(super) fn day_end(day: i32) -> Millis {
    (i64::from(day) + 1) * DAY
}

/// Replaces the rows previously emitted for one day (`emitted`) by its
/// recomputed rows (`now`), emitting upserts for new or changed rows and
/// retractions for rows that disappeared. Unchanged rows emit nothing.
pub(super) fn emit_day_diff(
    emitted: &mut BTreeMap<DailyKey, DailyRow>,
    mut now: Vec<(DailyRow, Millis)>,
    out: &mut Vec<Emission<DailyRow>>,
) {
    now.sort_unstable_by_key(|a| a.0);
    let newest = now.iter().map(|&(_, d)| d).max().unwrap_or(Millis::MIN);
    let mut next = BTreeMap::new();
    for (row, depends_on) in now {
        let key = row.key();
        if emitted.get(&key) != Some(&row) {
            out.push(Emission::upsert(row, depends_on));
        }
        next.insert(key, row);
    }
    for key in emitted.keys() {
        if !next.contains_key(key) {
            out.push(Emission::retract(*key, newest));
        }
    }
    *emitted = next;
}

/// Groups decoded rows by their day.
pub(super) fn by_day(rows: Vec<(DailyRow, Millis)>) -> BTreeMap<i32, Vec<(DailyRow, Millis)>> {
    let mut days: BTreeMap<i32, Vec<(DailyRow, Millis)>> = BTreeMap::new();
    for r in rows {
        days.entry(row_day(&r.0)).or_default().push(r);
    }
    days
}

/// Batch job of `daily-report` (see the module docs).
pub struct DailyBatch {
    engine: DfEngine,
    /// The lake: every landed order, partitioned by event-time day.
    lake: Lake,
    /// The rows last emitted for each day (what the next recomputation of
    /// the day is compared with).
    emitted: BTreeMap<i32, BTreeMap<DailyKey, DailyRow>>,
}

impl DailyBatch {
    /// A job with an empty lake.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(DailyBatch {
            engine: DfEngine::new(cfg)?,
            lake: Lake::new("daily-report batch", orders_schema(), DAY),
            emitted: BTreeMap::new(),
        })
    }

    /// Lands the new orders in their day partitions; returns the touched days.
    fn land(&mut self, new: &[Order]) -> Result<Vec<i32>> {
        let mut days: Vec<i32> = new.iter().map(|o| day_of(o.event_time)).collect();
        days.sort_unstable();
        days.dedup();
        self.lake
            .land(new, |o| o.event_time, |g| Ok(orders_batch(g)))?;
        Ok(days)
    }

    /// Recomputes the given days from their partitions: all their rows.
    fn recompute(&self, days: &[i32]) -> Result<Vec<(DailyRow, Millis)>> {
        let spans: Vec<(Millis, Millis)> = days
            .iter()
            .map(|&d| (day_end(d) - DAY, day_end(d) - 1))
            .collect();
        let (batches, _) = self.lake.read(&spans);
        let table = |batches: Vec<RecordBatch>| Table {
            name: "orders",
            schema: orders_schema(),
            batches,
        };
        let sales = self.engine.query(
            "daily-report batch: daily_sales",
            vec![table(batches.clone())],
            &sales_sql(),
        )?;
        let top = self.engine.query(
            "daily-report batch: daily_top_products",
            vec![table(batches)],
            &top_sql(),
        )?;
        let mut rows = Vec::new();
        for b in &sales {
            rows.extend(decode_sales(b, "daily-report batch: daily_sales", None)?);
        }
        for b in &top {
            rows.extend(decode_top(b, "daily-report batch: daily_top_products")?);
        }
        Ok(rows)
    }

    /// Drops lake partitions and emitted rows of days no order can reach.
    fn evict(&mut self, horizon: Millis) {
        // Day d can still change while day_end(d) > horizon.
        self.lake.evict_before(horizon);
        self.emitted.retain(|&d, _| day_end(d) > horizon);
    }
}

impl IncrementalJob<DailyReport> for DailyBatch {
    fn run(
        &mut self,
        new: &[Order],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<DailyRow>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let days = self.land(new)?;
            let mut fresh = by_day(self.recompute(&days)?);
            for day in days {
                let now = fresh.remove(&day).unwrap_or_default();
                emit_day_diff(self.emitted.entry(day).or_default(), now, out);
            }
        }
        if let Some(h) = horizon {
            self.evict(h);
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        let row = std::mem::size_of::<(DailyKey, DailyRow)>() + 16;
        let rows: usize = self.emitted.values().map(|m| m.len() * row).sum();
        self.lake.bytes() + rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Change, materialize};
    use crate::time::HOUR;

    use super::super::reference::report;
    use super::super::reference::tests::{T0, order, random_orders};

    fn job() -> DailyBatch {
        DailyBatch::new(&JobConfig::default()).expect("engine starts")
    }

    fn run(job: &mut DailyBatch, ev: &[Order]) -> Vec<Emission<DailyRow>> {
        let mut out = Vec::new();
        job.run(ev, None, &mut out).expect("run succeeds");
        out
    }

    #[test]
    fn day_sql_floors_negative_times_and_edges() {
        let times = [-DAY - 1, -DAY, -1, 0, 1, T0 - 1, T0, T0 + DAY - 1];
        let ev: Vec<Order> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| order(i as u64, 1, 1, 0, 1, t))
            .collect();
        let out = run(&mut job(), &ev);
        assert_eq!(materialize(&out), report(&ev));
    }

    #[test]
    fn late_orders_recompute_their_day_and_only_changed_rows_are_emitted() {
        let mut j = job();
        let first = [
            order(1, 1, 1, 0, 100, T0),
            order(2, 2, 2, 0, 90, T0 + HOUR),
            order(3, 1, 3, 1, 10, T0 + DAY),
        ];
        let out = run(&mut j, &first);
        assert_eq!(materialize(&out), report(&first));
        // A late order for the first day: store 2's row changes and product
        // 2 (90 + 20 = 110) overtakes product 1 — ranks 1 and 2 change;
        // store 1's row and the second day are not re-emitted.
        let late = [order(4, 2, 2, 0, 20, T0 + 5)];
        let out = run(&mut j, &late);
        let d = day_of(T0);
        let expected = vec![
            DailyRow::Sales(DailySales {
                day: d,
                store_id: 2,
                category: 0,
                orders: 2,
                units: 2,
                revenue_cents: 110,
            }),
            DailyRow::Top(TopProduct {
                day: d,
                rank: 1,
                product_id: 2,
                revenue_cents: 110,
            }),
            DailyRow::Top(TopProduct {
                day: d,
                rank: 2,
                product_id: 1,
                revenue_cents: 100,
            }),
        ];
        let got: Vec<DailyRow> = out
            .iter()
            .filter_map(|e| match &e.change {
                Change::Upsert(r) => Some(*r),
                Change::Retract(_) => None,
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(
            out[0].depends_on,
            T0 + HOUR,
            "the newest order of store 2's row"
        );
        assert!(run(&mut j, &[]).is_empty());
    }

    #[test]
    fn vanished_rows_are_retracted() {
        let mut emitted = BTreeMap::new();
        let row = |rank, product_id| {
            DailyRow::Top(TopProduct {
                day: 0,
                rank,
                product_id,
                revenue_cents: 5,
            })
        };
        let mut out = Vec::new();
        emit_day_diff(&mut emitted, vec![(row(1, 1), 3), (row(2, 2), 4)], &mut out);
        assert_eq!(out.len(), 2);
        out.clear();
        emit_day_diff(&mut emitted, vec![(row(1, 1), 3)], &mut out);
        assert_eq!(
            out,
            vec![Emission::retract(DailyKey::Top { day: 0, rank: 2 }, 3)]
        );
    }

    #[test]
    fn runs_in_any_split_equal_the_reference() {
        let data = random_orders(4_000, 21);
        let truth = report(&data.events);
        let mut j = job();
        let mut out = Vec::new();
        for chunk in data.events.chunks(700) {
            j.run(chunk, None, &mut out).expect("run succeeds");
        }
        assert_eq!(materialize(&out), truth);
        assert!(j.state_bytes() > 0);
        j.run(&[], Some(T0 + 10 * DAY), &mut out)
            .expect("eviction run");
        assert_eq!(j.state_bytes(), 0, "every day is behind the horizon");
    }
}

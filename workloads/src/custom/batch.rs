//! Batch mode of a custom workload: SQL generated from the definition, run
//! by DataFusion over an hour-partitioned lake of landed events.
//!
//! Each run works out which windows its new (possibly late) events can
//! change — for tumbling / sliding windows the windows holding a new event
//! time, for sessions the key's existing sessions that a new event is less
//! than the gap from — re-reads only the lake partitions those windows span,
//! recomputes them in SQL together with the new events, and emits the
//! difference: upserts of new or changed rows, retractions of rows that
//! vanished (sessions merged, or a window no longer passing the alert).
//!
//! No user text reaches the SQL: identifiers are validated names and are
//! quoted anyway; every literal is an integer the compiler produced
//! (numbers scaled to fixed point, text turned into ordinals).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Field, Int64Type, Schema, SchemaRef};
use datafusion::error::DataFusionError;
use rustc_hash::FxHashMap;

use crate::df::{DfEngine, Table};
use crate::error::{Result, WorkloadError};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::{Emission, OutputRow};
use crate::time::{HOUR, Millis};

use super::CustomWorkload;
use super::compiled::{Compiled, CustomEvent, CustomRow, Window};
use super::def::{AggFunction, MAX_AGGREGATES};
use super::events::{events_batch, schema};
use crate::lake::Lake;

/// A SQL identifier, double-quoted (inner quotes doubled).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The filter as a SQL condition (`TRUE` without predicates).
pub fn filter_sql(q: &Compiled) -> String {
    if q.filter.is_empty() {
        return "TRUE".into();
    }
    q.filter
        .iter()
        .map(|c| {
            format!(
                "{} {} ({})",
                ident(q.def.columns[c.column].name()),
                c.op.sql(),
                c.value
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The aggregate expressions over the alias `w`, in definition order.
fn aggregates_sql(q: &Compiled) -> String {
    q.aggs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let col = a
                .column
                .map(|c| format!("w.{}", ident(q.def.columns[c].name())))
                .unwrap_or_default();
            let expr = match a.function {
                AggFunction::Count => "COUNT(*)".to_string(),
                AggFunction::Sum | AggFunction::Avg => {
                    format!("SUM(CAST({col} AS DECIMAL(38, 0)))")
                }
                AggFunction::Min => format!("MIN({col})"),
                AggFunction::Max => format!("MAX({col})"),
                AggFunction::CountDistinct => format!("COUNT(DISTINCT {col})"),
            };
            format!(", {expr} AS _a{i}")
        })
        .collect()
}

/// The SQL of tumbling / sliding windows: every filtered event of `lake`
/// and `new_events` is put in each window `[k·slide, k·slide + size)`
/// holding it (one row per `offsets.n`), and the windows listed in
/// `targets` are aggregated.
pub fn sliding_sql(q: &Compiled, size: Millis, slide: Millis) -> String {
    let key = ident(q.def.columns[q.key].name());
    format!(
        "WITH src AS (SELECT * FROM lake UNION ALL SELECT * FROM new_events),
kept AS (SELECT * FROM src WHERE {filter}),
win AS (
  SELECT k.*, k.event_time - ((k.event_time % {slide}) + {slide}) % {slide} - o.n * {slide} AS _ws
  FROM kept k CROSS JOIN offsets o
)
SELECT w.{key} AS _k, w._ws, w._ws + {size} AS _we, MAX(w.event_time) AS _newest, COUNT(*) AS _n{aggs}
FROM win w JOIN targets g ON w.{key} = g._k AND w._ws = g._ws
GROUP BY w.{key}, w._ws",
        filter = filter_sql(q),
        aggs = aggregates_sql(q),
    )
}

/// The SQL of session windows: the re-read events of the affected sessions
/// (`lake` joined with their `ranges`) and `new_events`, filtered; `LAG`
/// finds each event's predecessor of the same key, an event `gap` or more
/// after it opens a session, and a running count of openings numbers them
/// (a `RANGE` frame, so equal-time peers get the same number).
pub fn session_sql(q: &Compiled, gap: Millis) -> String {
    let key = ident(q.def.columns[q.key].name());
    format!(
        "WITH src AS (
  SELECT l.* FROM lake l JOIN ranges r ON l.{key} = r._k
  WHERE l.event_time BETWEEN r._lo AND r._hi
  UNION ALL SELECT * FROM new_events),
kept AS (SELECT * FROM src WHERE {filter}),
lagged AS (
  SELECT kept.*, LAG(event_time) OVER (PARTITION BY {key} ORDER BY event_time) AS _prev
  FROM kept),
numbered AS (
  SELECT lagged.*, SUM(CASE WHEN _prev IS NULL OR event_time - _prev >= {gap} THEN 1 ELSE 0 END)
    OVER (PARTITION BY {key} ORDER BY event_time
          RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS _sid
  FROM lagged)
SELECT w.{key} AS _k, MIN(w.event_time) AS _ws, MAX(w.event_time) + {gap} AS _we,
  MAX(w.event_time) AS _newest, COUNT(*) AS _n{aggs}
FROM numbered w
GROUP BY w.{key}, w._sid",
        filter = filter_sql(q),
        aggs = aggregates_sql(q),
    )
}

/// An error for a query result that does not have the expected shape.
fn internal(job: &str, msg: String) -> WorkloadError {
    WorkloadError::datafusion(job, DataFusionError::Internal(msg))
}

/// Value `r` of an integer (`Int64`) or decimal (`Decimal128`) column.
fn int_at(job: &str, b: &RecordBatch, col: usize, r: usize) -> Result<i128> {
    let a = b.column(col);
    if a.is_null(r) {
        return Err(internal(job, format!("column {col} has a null")));
    }
    if let Some(x) = a.as_primitive_opt::<Int64Type>() {
        Ok(i128::from(x.value(r)))
    } else if let Some(x) = a.as_primitive_opt::<Decimal128Type>() {
        Ok(x.value(r))
    } else {
        Err(internal(
            job,
            format!("column {col} has type {}", a.data_type()),
        ))
    }
}

fn int64_at(job: &str, b: &RecordBatch, col: usize, r: usize) -> Result<i64> {
    i64::try_from(int_at(job, b, col, r)?)
        .map_err(|_| internal(job, format!("column {col} overflows i64")))
}

/// Rows of a [`sliding_sql`] / [`session_sql`] result.
fn read_rows(q: &Compiled, job: &str, batches: &[RecordBatch]) -> Result<Vec<CustomRow>> {
    let mut rows = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let n = int_at(job, b, 4, r)?;
            let mut values = [0i128; MAX_AGGREGATES];
            for (i, a) in q.aggs.iter().enumerate() {
                let v = int_at(job, b, 5 + i, r)?;
                values[i] = if a.function == AggFunction::Avg {
                    super::compiled::avg_scaled(v, n)
                } else {
                    v
                };
            }
            rows.push(CustomRow {
                key: int64_at(job, b, 0, r)?,
                window_start: int64_at(job, b, 1, r)?,
                window_end: int64_at(job, b, 2, r)?,
                newest: int64_at(job, b, 3, r)?,
                values,
            });
        }
    }
    rows.sort_unstable();
    Ok(rows)
}

/// Emits the change from the affected windows `old` to their recomputed
/// rows `fresh`, as the output sees them (only rows passing the alert).
fn emit_diff(
    q: &Compiled,
    old: &[CustomRow],
    fresh: &[CustomRow],
    depends: Millis,
    out: &mut Vec<Emission<CustomRow>>,
) {
    let shown = |rows: &[CustomRow]| -> FxHashMap<(i64, Millis), CustomRow> {
        rows.iter()
            .filter(|r| q.alerts(r))
            .map(|r| (r.key(), *r))
            .collect()
    };
    let (was, now) = (shown(old), shown(fresh));
    let mut gone: Vec<_> = was.keys().filter(|k| !now.contains_key(k)).collect();
    gone.sort_unstable();
    for k in gone {
        out.push(Emission::retract(*k, depends));
    }
    for r in fresh {
        if now.contains_key(&r.key()) && was.get(&r.key()) != Some(r) {
            out.push(Emission::upsert(*r, r.newest));
        }
    }
}

/// A window to recompute: `(key, window start, re-read from, re-read to)`.
type Target = (i64, Millis, Millis, Millis);

/// The DataFusion job both batch (hour partitions) and micro-batch (minute
/// buckets of carried state) run.
pub struct CustomJob {
    q: Arc<Compiled>,
    engine: DfEngine,
    job: &'static str,
    schema: SchemaRef,
    sql: String,
    store: Lake,
    /// Every current window (passing the alert or not), by key and start.
    index: BTreeMap<(i64, Millis), CustomRow>,
    /// `(end, key, start)` of every window in `index`.
    by_end: BTreeSet<(Millis, i64, Millis)>,
    last_read_bytes: usize,
}

impl CustomJob {
    /// A job storing events in buckets `bucket_ms` wide.
    pub fn new(
        q: Arc<Compiled>,
        cfg: &JobConfig,
        job: &'static str,
        bucket_ms: Millis,
    ) -> Result<Self> {
        let sql = match q.window {
            Window::Sliding { size, slide } => sliding_sql(&q, size, slide),
            Window::Session { gap } => session_sql(&q, gap),
        };
        let schema = schema(&q);
        Ok(CustomJob {
            store: Lake::new(job, schema.clone(), bucket_ms),
            schema,
            engine: DfEngine::new(cfg)?,
            job,
            sql,
            index: BTreeMap::new(),
            by_end: BTreeSet::new(),
            last_read_bytes: 0,
            q,
        })
    }

    /// Bytes of the stored events and windows.
    pub fn stored_bytes(&self) -> usize {
        self.store.bytes() + self.index.len() * (size_of::<((i64, Millis), CustomRow)>() * 2)
    }

    /// The windows the new events can change: for sliding windows every
    /// `(key, start)` holding a new event time (with the event-time range
    /// to re-read); for sessions the key's sessions a new event is less
    /// than the gap from. Returns the targets and the old rows among them.
    fn affected(&self, new: &[CustomEvent]) -> (Vec<Target>, Vec<CustomRow>) {
        let q = &self.q;
        let mut targets = BTreeSet::new();
        match q.window {
            Window::Sliding { size, .. } => {
                for e in new {
                    let k = e.values[q.key];
                    for s in q.window_starts(e.event_time) {
                        targets.insert((k, s, s, s + size - 1));
                    }
                }
            }
            Window::Session { gap } => {
                for e in new {
                    let (k, t) = (e.values[q.key], e.event_time);
                    let reach = self
                        .index
                        .range((k, Millis::MIN)..(k, t.saturating_add(gap)))
                        .rev()
                        .take(2)
                        .filter(|(_, r)| t < r.window_end);
                    for (_, r) in reach {
                        targets.insert((k, r.window_start, r.window_start, r.newest));
                    }
                }
            }
        }
        let old = targets
            .iter()
            .filter_map(|&(k, s, _, _)| self.index.get(&(k, s)).copied())
            .collect();
        (targets.into_iter().collect(), old)
    }

    /// Recomputes the targets over their re-read events plus `new`.
    fn recompute(&mut self, targets: &[Target], new: &[CustomEvent]) -> Result<Vec<CustomRow>> {
        let q = Arc::clone(&self.q);
        let ranges: Vec<(Millis, Millis)> = targets.iter().map(|t| (t.2, t.3)).collect();
        let (history, bytes) = self.store.read(&ranges);
        self.last_read_bytes = bytes;
        let int_table =
            |fields: &[&str], cols: Vec<Vec<i64>>| -> Result<(SchemaRef, RecordBatch)> {
                let schema = Arc::new(Schema::new(
                    fields
                        .iter()
                        .map(|f| Field::new(*f, DataType::Int64, false))
                        .collect::<Vec<_>>(),
                ));
                let arrays = cols
                    .into_iter()
                    .map(|c| Arc::new(Int64Array::from(c)) as _)
                    .collect();
                let b = RecordBatch::try_new(schema.clone(), arrays)
                    .map_err(|e| WorkloadError::datafusion(self.job, e.into()))?;
                Ok((schema, b))
            };
        let mut tables = vec![
            Table {
                name: "lake",
                schema: self.schema.clone(),
                batches: history,
            },
            Table {
                name: "new_events",
                schema: self.schema.clone(),
                batches: vec![events_batch(&q, &self.schema, new)?],
            },
        ];
        let (s1, b1, s2, b2);
        match q.window {
            Window::Sliding { size, slide } => {
                (s1, b1) = int_table(&["n"], vec![(0..size / slide).collect()])?;
                (s2, b2) = int_table(
                    &["_k", "_ws"],
                    vec![
                        targets.iter().map(|t| t.0).collect(),
                        targets.iter().map(|t| t.1).collect(),
                    ],
                )?;
                tables.push(Table {
                    name: "offsets",
                    schema: s1,
                    batches: vec![b1],
                });
                tables.push(Table {
                    name: "targets",
                    schema: s2,
                    batches: vec![b2],
                });
            }
            Window::Session { .. } => {
                (s1, b1) = int_table(
                    &["_k", "_lo", "_hi"],
                    vec![
                        targets.iter().map(|t| t.0).collect(),
                        targets.iter().map(|t| t.2).collect(),
                        targets.iter().map(|t| t.3).collect(),
                    ],
                )?;
                tables.push(Table {
                    name: "ranges",
                    schema: s1,
                    batches: vec![b1],
                });
            }
        }
        let batches = self.engine.query(self.job, tables, &self.sql)?;
        read_rows(&q, self.job, &batches)
    }

    /// Replaces the affected windows by the recomputed ones.
    fn replace(&mut self, old: &[CustomRow], fresh: &[CustomRow]) {
        for r in old {
            self.index.remove(&r.key());
            self.by_end.remove(&(r.window_end, r.key, r.window_start));
        }
        for r in fresh {
            self.index.insert(r.key(), *r);
            self.by_end.insert((r.window_end, r.key, r.window_start));
        }
    }

    /// Drops the windows that end at or before the horizon and the events
    /// no remaining or future window can need.
    fn evict(&mut self, horizon: Millis) {
        while let Some(&(end, k, s)) = self.by_end.first() {
            if end > horizon {
                break;
            }
            self.by_end.pop_first();
            self.index.remove(&(k, s));
        }
        let keep_from = match self.q.window {
            // A window ending after the horizon starts after `horizon - size`.
            Window::Sliding { size, .. } => horizon.saturating_sub(size).saturating_add(1),
            Window::Session { .. } => self
                .index
                .values()
                .map(|r| r.window_start)
                .min()
                .map_or(horizon, |s| s.min(horizon)),
        };
        self.store.evict_before(keep_from);
    }

    /// One run: recompute what the new events change, emit the difference,
    /// store them; then evict behind the horizon.
    pub fn run(
        &mut self,
        new: &[CustomEvent],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<CustomRow>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let (targets, old) = self.affected(new);
            let fresh = self.recompute(&targets, new)?;
            let depends = new
                .iter()
                .map(|e| e.event_time)
                .max()
                .unwrap_or(Millis::MIN);
            emit_diff(&self.q, &old, &fresh, depends, out);
            self.replace(&old, &fresh);
            let (q, schema) = (&self.q, &self.schema);
            self.store
                .land(new, |e| e.event_time, |g| events_batch(q, schema, g))?;
        }
        if let Some(h) = horizon {
            self.evict(h);
        }
        Ok(())
    }
}

/// The scheduled batch job over the hour-partitioned lake.
pub struct CustomBatch {
    job: CustomJob,
}

impl CustomBatch {
    /// A job with an empty lake.
    pub fn new(q: Arc<Compiled>, cfg: &JobConfig) -> Result<Self> {
        Ok(CustomBatch {
            job: CustomJob::new(q, cfg, "custom batch", HOUR)?,
        })
    }
}

impl IncrementalJob<CustomWorkload> for CustomBatch {
    fn run(
        &mut self,
        new: &[CustomEvent],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<CustomRow>>,
    ) -> Result<()> {
        self.job.run(new, horizon, out)
    }

    /// The history the latest run re-read (the lake itself is storage).
    fn state_bytes(&self) -> usize {
        self.job.last_read_bytes
    }
}

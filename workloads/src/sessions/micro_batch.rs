//! Micro-batch mode of `Sessionization`: DataFusion SQL per trigger over the
//! trigger's clicks plus the carried state, like Spark Structured Streaming's
//! stateful sessionization.
//!
//! The carried state is a summary of every session that may still change:
//! its span, its click count and its set of distinct pages — not its clicks,
//! so a busy user's day-long session costs at most one row per page, however
//! many clicks it has. A trigger's clicks can only change the sessions of
//! their users that they reach (within the gap of a session's span), so each
//! trigger feeds exactly those sessions, one row per (session, page), and
//! the new clicks to one SQL query. It merges spans with
//! `session_id(user, start, end, gap)` ([`super::window_fns`]: every instant
//! of a session's span is within the gap of one of its clicks, so merging
//! spans equals sessionizing the clicks), then sums the counts and unites
//! the page sets. The job emits the difference and puts the result back into
//! the state. With a horizon (no click older than it will come), a session
//! whose `end + gap` is behind it can never change again and is dropped.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, UInt32Array, UInt64Array};
use datafusion::arrow::datatypes::{
    DataType, Field, Int64Type, Schema, SchemaRef, UInt32Type, UInt64Type,
};
use rustc_hash::FxHashMap;

use crate::df::{DfEngine, Table};
use crate::error::Result;
use crate::event::{Click, clicks_batch, clicks_schema};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::{Emission, OutputRow};
use crate::time::Millis;

use super::batch::{SessionIndex, column, count, emit_diff, internal};
use super::{SESSION_GAP_MS, Session, Sessionization};

/// Name of the micro-batch job in errors.
const JOB: &str = "sessionization micro-batch";

/// Schema of the carried table: one row per (session, distinct page); the
/// session's click count rides on its first row, the others carry 0.
fn carried_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::UInt64, false),
        Field::new("page", DataType::UInt32, false),
        Field::new("span_start", DataType::Int64, false),
        Field::new("span_end", DataType::Int64, false),
        Field::new("clicks", DataType::Int64, false),
    ]))
}

/// The trigger's query: carried sessions as spans and new clicks as points,
/// merged into sessions: user, start, end, clicks and the session's distinct
/// pages as a list (their count is the list's length, so no second distinct
/// aggregate runs).
fn merge_sql() -> String {
    format!(
        "WITH items AS (
           SELECT user_id, page, span_start, span_end, clicks FROM carried
           UNION ALL
           SELECT user_id, page, event_time AS span_start, event_time AS span_end,
                  CAST(1 AS BIGINT) AS clicks
           FROM new_clicks),
         numbered AS (
           SELECT user_id, page, span_start, span_end, clicks,
                  session_id(user_id, span_start, span_end, CAST({SESSION_GAP_MS} AS BIGINT))
                    OVER (ORDER BY user_id, span_start) AS sid
           FROM items)
         SELECT user_id,
                MIN(span_start) AS session_start,
                MAX(span_end) AS session_end,
                CAST(SUM(clicks) AS BIGINT) AS clicks,
                array_agg(DISTINCT page) AS pages
         FROM numbered
         GROUP BY user_id, sid"
    )
}

/// The sessions of one [`merge_sql`] result batch, each with its distinct
/// pages (sorted).
fn read_merged(b: &RecordBatch) -> Result<Vec<(Session, Vec<u32>)>> {
    let user = column::<UInt64Type>(JOB, b, 0)?;
    let [start, end, clicks] = [1, 2, 3].map(|i| column::<Int64Type>(JOB, b, i));
    let (start, end, clicks) = (start?, end?, clicks?);
    let lists = b.column(4).as_list_opt::<i32>().ok_or_else(|| {
        internal(
            JOB,
            format!("pages column has type {}", b.column(4).data_type()),
        )
    })?;
    (0..b.num_rows())
        .map(|r| {
            let pages = lists.value(r);
            let pages = pages
                .as_primitive_opt::<UInt32Type>()
                .filter(|p| p.null_count() == 0)
                .ok_or_else(|| internal(JOB, "pages are not non-null UInt32".to_string()))?;
            let mut pages = pages.values().to_vec();
            pages.sort_unstable();
            let session = Session {
                user_id: user.value(r),
                session_start: start.value(r),
                session_end: end.value(r),
                clicks: count(JOB, clicks.value(r))?,
                distinct_pages: pages.len() as u64,
            };
            Ok((session, pages))
        })
        .collect()
}

/// DataFusion job with carried session state.
pub struct SessionMicroBatch {
    engine: DfEngine,
    /// Current sessions that may still change.
    sessions: SessionIndex,
    /// The distinct pages of each session in `sessions`, by session key.
    pages: FxHashMap<(u64, Millis), Vec<u32>>,
    /// Pages held in `pages`.
    page_count: usize,
}

impl SessionMicroBatch {
    /// A job with empty state.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(SessionMicroBatch {
            engine: super::batch::engine(cfg)?,
            sessions: SessionIndex::default(),
            pages: FxHashMap::default(),
            page_count: 0,
        })
    }

    /// The affected sessions as the carried table's rows.
    fn carried(&self, affected: &[Session]) -> Result<RecordBatch> {
        let (mut user, mut page, mut start, mut end, mut clicks) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for s in affected {
            let pages = self.pages.get(&s.key()).ok_or_else(|| {
                internal(JOB, format!("no carried pages for session {:?}", s.key()))
            })?;
            let n = i64::try_from(s.clicks)
                .map_err(|_| internal(JOB, format!("click count {} overflows", s.clicks)))?;
            for (i, &p) in pages.iter().enumerate() {
                user.push(s.user_id);
                page.push(p);
                start.push(s.session_start);
                end.push(s.session_end);
                clicks.push(if i == 0 { n } else { 0 });
            }
        }
        RecordBatch::try_new(
            carried_schema(),
            vec![
                Arc::new(UInt64Array::from(user)),
                Arc::new(UInt32Array::from(page)),
                Arc::new(Int64Array::from(start)),
                Arc::new(Int64Array::from(end)),
                Arc::new(Int64Array::from(clicks)),
            ],
        )
        .map_err(|e| internal(JOB, format!("carried table: {e}")))
    }

    /// Sessionizes the carried sessions and the new clicks in SQL: the new
    /// sessions (sorted) and each one's distinct pages.
    fn recompute(&self, affected: &[Session], new: &[Click]) -> Result<Vec<(Session, Vec<u32>)>> {
        let tables = vec![
            Table {
                name: "carried",
                schema: carried_schema(),
                batches: vec![self.carried(affected)?],
            },
            Table {
                name: "new_clicks",
                schema: clicks_schema(),
                batches: vec![clicks_batch(new)],
            },
        ];
        let batches = self.engine.query(JOB, tables, &merge_sql())?;
        let mut fresh = Vec::new();
        for b in &batches {
            fresh.extend(read_merged(b)?);
        }
        fresh.sort_unstable_by_key(|(s, _)| *s);
        Ok(fresh)
    }

    /// Replaces the affected sessions by the recomputed ones.
    fn replace(&mut self, affected: &[Session], fresh: Vec<(Session, Vec<u32>)>) {
        for s in affected {
            if let Some(p) = self.pages.remove(&s.key()) {
                self.page_count -= p.len();
            }
        }
        let sessions: Vec<Session> = fresh.iter().map(|(s, _)| *s).collect();
        self.sessions.replace(affected, &sessions);
        for (s, pages) in fresh {
            self.page_count += pages.len();
            self.pages.insert(s.key(), pages);
        }
    }

    /// Drops the sessions no click at or after `horizon` can reach.
    fn evict(&mut self, horizon: Millis) {
        for s in self.sessions.evict_before(horizon) {
            if let Some(p) = self.pages.remove(&s.key()) {
                self.page_count -= p.len();
            }
        }
    }
}

impl IncrementalJob<Sessionization> for SessionMicroBatch {
    fn run(
        &mut self,
        new: &[Click],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<Session>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let affected = self.sessions.affected(new);
            let fresh = self.recompute(&affected, new)?;
            let sessions: Vec<Session> = fresh.iter().map(|(s, _)| *s).collect();
            emit_diff(&affected, &sessions, out);
            self.replace(&affected, fresh);
        }
        if let Some(h) = horizon {
            self.evict(h);
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.sessions.bytes()
            + self.page_count * size_of::<u32>()
            + self.pages.capacity() * (size_of::<((u64, Millis), Vec<u32>)>() + 1)
    }

    /// The live sessions and their distinct pages.
    fn snapshot(&self) -> Result<Vec<u8>> {
        crate::snapshot::save(JOB, &(&self.sessions, &self.pages))
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let (sessions, pages): (SessionIndex, FxHashMap<(u64, Millis), Vec<u32>>) =
            crate::snapshot::load(JOB, bytes)?;
        self.page_count = pages.values().map(Vec::len).sum();
        self.sessions = sessions;
        self.pages = pages;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::drive_job;
    use crate::mode::Lateness;
    use crate::output::{Change, materialize};
    use crate::sessions::SESSION_GAP_MS as GAP;
    use crate::sessions::reference::{click, random_dataset, row, sessions};
    use crate::time::MINUTE;

    fn run(
        job: &mut SessionMicroBatch,
        new: &[Click],
        horizon: Option<Millis>,
    ) -> Vec<Change<Session>> {
        let mut out = Vec::new();
        job.run(new, horizon, &mut out).expect("trigger");
        out.into_iter().map(|e| e.change).collect()
    }

    #[test]
    fn carried_clicks_bridge_sessions_across_triggers() {
        let mut job = SessionMicroBatch::new(&JobConfig::default()).expect("job");
        run(
            &mut job,
            &[click(1, 0, 0), click(1, 1, 0), click(2, 0, 0)],
            None,
        );
        assert_eq!(
            run(&mut job, &[click(1, 2, 2 * GAP)], None),
            vec![Change::Upsert(row(1, 2 * GAP, 2 * GAP, 1, 1))]
        );
        assert_eq!(
            run(&mut job, &[click(1, 0, GAP)], None),
            vec![
                Change::Retract((1, 2 * GAP)),
                Change::Upsert(row(1, 0, 2 * GAP, 4, 3)),
            ]
        );
        // User 1's session holds pages {0, 1, 2}, user 2's {0}.
        assert_eq!(job.page_count, 4);
        // Horizon past user 2's session (0 + gap): it goes; user 1's stays.
        run(&mut job, &[], Some(GAP + 1));
        assert_eq!((job.sessions.len(), job.page_count), (1, 3));
        assert_eq!(
            run(&mut job, &[click(1, 3, 3 * GAP)], None),
            vec![Change::Upsert(row(1, 0, 3 * GAP, 5, 4))]
        );
    }

    #[test]
    fn a_finite_horizon_stays_exact_when_lateness_is_within_bounds() {
        let data = random_dataset(31, 30_000, 200, 5 * MINUTE, false);
        let bounded = Lateness {
            watermark_delay: 0,
            allowed_lateness: Some(10 * MINUTE),
        };
        let mut job = SessionMicroBatch::new(&JobConfig::default()).expect("job");
        let (out, gate) =
            drive_job::<Sessionization>(&mut job, &data, 2 * MINUTE, bounded).expect("runs");
        assert_eq!(gate.dropped, 0);
        assert!(gate.late > 0);
        assert!(materialize(&out) == sessions(&data.events));
        let mut all = SessionMicroBatch::new(&JobConfig::default()).expect("job");
        drive_job::<Sessionization>(&mut all, &data, 2 * MINUTE, Lateness::EXACT).expect("runs");
        assert!(
            job.sessions.len() * 10 < all.sessions.len() && job.page_count < all.page_count,
            "evicted state: {} vs {}",
            job.sessions.len(),
            all.sessions.len()
        );
    }
}

//! Batch mode of `Sessionization`: a scheduled DataFusion job over landed
//! clicks.
//!
//! The job keeps the lake (every landed click as Arrow batches partitioned by
//! event-time hour) and the current `sessions` table. A run's new clicks —
//! possibly late — can only change the existing sessions of the same user
//! whose `[start - gap, end + gap]` contains a new click time: such a click
//! extends one session or bridges two. Every other session stays as it is,
//! since it is more than the gap away from its neighbours and from every new
//! click. So each run re-reads, from the lake partitions of the hours those
//! sessions span, exactly their clicks (a join of their ranges against the
//! lake), sessionizes them together with the new clicks in SQL, retracts the
//! affected sessions' keys that vanished and upserts the new or changed rows.
//!
//! The pieces shared with the micro-batch job (the sessionizing SQL, the
//! sessions index, the diff) live here too.

use std::collections::{BTreeMap, BTreeSet};
use std::mem::size_of;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, AsArray, Int64Array, PrimitiveArray, RecordBatch, UInt64Array,
};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, Int64Type, Schema, SchemaRef, UInt64Type,
};
use datafusion::error::DataFusionError;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::df::{DfEngine, Table};
use crate::error::{Result, WorkloadError};
use crate::event::{Click, clicks_batch, clicks_schema};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::{Emission, OutputRow};
use crate::time::{HOUR, Millis};

use super::{SESSION_GAP_MS, Session, Sessionization};

/// Name of the batch job in errors.
const JOB: &str = "sessionization batch";

/// The SQL that turns the table `clicks` (`user_id, page, event_time`) into
/// one row per session: [`super::window_fns`]' `session_id` numbers each
/// user's sessions in time order (a click more than the gap after the
/// previous one opens a session; equal times share one), then one
/// aggregate per (user, session).
pub(super) fn sessionize_sql(clicks_source: &str) -> String {
    format!(
        "WITH clicks AS ({clicks_source}),
         numbered AS (
           SELECT user_id, page, event_time,
                  session_id(user_id, event_time, CAST({SESSION_GAP_MS} AS BIGINT))
                    OVER (ORDER BY user_id, event_time) AS sid
           FROM clicks)
         SELECT user_id,
                MIN(event_time) AS session_start,
                MAX(event_time) AS session_end,
                CAST(COUNT(*) AS BIGINT) AS clicks,
                CAST(COUNT(DISTINCT page) AS BIGINT) AS distinct_pages
         FROM numbered
         GROUP BY user_id, sid"
    )
}

/// A DataFusion engine that knows [`super::window_fns`].
pub(super) fn engine(cfg: &JobConfig) -> Result<DfEngine> {
    let engine = DfEngine::new(cfg)?;
    engine.register_window_functions(super::window_fns::all());
    Ok(engine)
}

/// Reads the rows of a [`sessionize_sql`] result, sorted.
pub(super) fn read_sessions(job: &str, batches: &[RecordBatch]) -> Result<Vec<Session>> {
    let mut rows = Vec::new();
    for b in batches {
        rows.extend(read_session_rows(job, b)?);
    }
    rows.sort_unstable();
    Ok(rows)
}

/// The sessions of one result batch whose first five columns are those of
/// [`sessionize_sql`], in the batch's row order.
pub(super) fn read_session_rows(job: &str, b: &RecordBatch) -> Result<Vec<Session>> {
    let user = column::<UInt64Type>(job, b, 0)?;
    let [start, end, clicks, pages] = [1, 2, 3, 4].map(|i| column::<Int64Type>(job, b, i));
    let (start, end, clicks, pages) = (start?, end?, clicks?, pages?);
    (0..b.num_rows())
        .map(|r| {
            Ok(Session {
                user_id: user.value(r),
                session_start: start.value(r),
                session_end: end.value(r),
                clicks: count(job, clicks.value(r))?,
                distinct_pages: count(job, pages.value(r))?,
            })
        })
        .collect()
}

/// Column `i` of a result batch as a non-null primitive array of type `T`.
pub(super) fn column<'b, T: ArrowPrimitiveType>(
    job: &str,
    b: &'b RecordBatch,
    i: usize,
) -> Result<&'b PrimitiveArray<T>> {
    let col = b.column(i);
    let name = b.schema().field(i).name().clone();
    let arr = col.as_primitive_opt::<T>().ok_or_else(|| {
        internal(
            job,
            format!(
                "column `{name}` has type {}, expected {}",
                col.data_type(),
                T::DATA_TYPE
            ),
        )
    })?;
    if arr.null_count() > 0 {
        return Err(internal(job, format!("column `{name}` has nulls")));
    }
    Ok(arr)
}

/// A count from SQL as `u64`.
pub(super) fn count(job: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| internal(job, format!("negative count {v}")))
}

/// An error for a query result that does not have the expected shape.
pub(super) fn internal(job: &str, msg: String) -> WorkloadError {
    WorkloadError::datafusion(job, DataFusionError::Internal(msg))
}

/// The current sessions, indexed by user then start (to find the sessions a
/// click can reach) and by end (to drop those behind a horizon).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct SessionIndex {
    by_user: FxHashMap<u64, BTreeMap<Millis, Session>>,
    by_end: BTreeSet<(Millis, u64, Millis)>,
}

impl SessionIndex {
    /// Number of sessions.
    pub(super) fn len(&self) -> usize {
        self.by_end.len()
    }

    /// Approximate bytes held.
    pub(super) fn bytes(&self) -> usize {
        // A B-tree entry costs roughly its size plus a third for the nodes.
        let per_session =
            (size_of::<(Millis, Session)>() + size_of::<(Millis, u64, Millis)>()) * 4 / 3;
        self.len() * per_session
            + self.by_user.capacity() * (size_of::<(u64, BTreeMap<Millis, Session>)>() + 1)
    }

    /// The sessions that the clicks `new` reach (a click at `t` reaches a
    /// session of its user when `start - gap <= t <= end + gap`), each once,
    /// sorted.
    pub(super) fn affected(&self, new: &[Click]) -> Vec<Session> {
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        for c in new {
            let Some(sessions) = self.by_user.get(&c.user_id) else {
                continue;
            };
            let reach = c.event_time.saturating_add(SESSION_GAP_MS);
            // At most the two sessions starting last before `t + gap` can reach `t`.
            for s in sessions.range(..=reach).rev().take(2).map(|(_, s)| s) {
                if s.session_end.saturating_add(SESSION_GAP_MS) < c.event_time {
                    break;
                }
                if seen.insert(s.key()) {
                    out.push(*s);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Replaces the sessions `old` by `new`.
    pub(super) fn replace(&mut self, old: &[Session], new: &[Session]) {
        for s in old {
            self.remove(s);
        }
        for s in new {
            self.insert(*s);
        }
    }

    fn insert(&mut self, s: Session) {
        self.by_end
            .insert((s.session_end, s.user_id, s.session_start));
        self.by_user
            .entry(s.user_id)
            .or_default()
            .insert(s.session_start, s);
    }

    fn remove(&mut self, s: &Session) {
        self.by_end
            .remove(&(s.session_end, s.user_id, s.session_start));
        if let Some(m) = self.by_user.get_mut(&s.user_id) {
            m.remove(&s.session_start);
            if m.is_empty() {
                self.by_user.remove(&s.user_id);
            }
        }
    }

    /// Removes and returns the sessions no click at or after `horizon` can
    /// reach (`end + gap < horizon`).
    pub(super) fn evict_before(&mut self, horizon: Millis) -> Vec<Session> {
        let mut gone = Vec::new();
        while let Some(&(end, user, start)) = self.by_end.first() {
            if end.saturating_add(SESSION_GAP_MS) >= horizon {
                break;
            }
            if let Some(s) = self.by_user.get(&user).and_then(|m| m.get(&start)).copied() {
                self.remove(&s);
                gone.push(s);
            } else {
                self.by_end.pop_first();
            }
        }
        gone
    }

    /// The earliest start of any session held.
    fn min_start(&self) -> Option<Millis> {
        self.by_user
            .values()
            .filter_map(|m| m.keys().next().copied())
            .min()
    }
}

/// Emits the change from the affected sessions `old` to the recomputed
/// sessions `new` (both sorted): retracts the keys that vanished, upserts
/// rows that are new or differ. Every row depends on its own last click; a
/// retraction on the last click of the session that absorbed it.
pub(super) fn emit_diff(old: &[Session], new: &[Session], out: &mut Vec<Emission<Session>>) {
    let new_by_key: FxHashMap<(u64, Millis), &Session> = new.iter().map(|s| (s.key(), s)).collect();
    for o in old {
        if !new_by_key.contains_key(&o.key()) {
            out.push(Emission::retract(o.key(), absorbed_by(o, new)));
        }
    }
    let old_by_key: FxHashMap<(u64, Millis), &Session> = old.iter().map(|s| (s.key(), s)).collect();
    for n in new {
        if old_by_key.get(&n.key()) != Some(&n) {
            out.push(Emission::upsert(*n, n.session_end));
        }
    }
}

/// The end of the new session that contains the old session `o`'s start
/// (its own end if none does, which a correct recompute never produces).
fn absorbed_by(o: &Session, new: &[Session]) -> Millis {
    let i = new.partition_point(|n| (n.user_id, n.session_start) <= (o.user_id, o.session_start));
    match i.checked_sub(1).map(|i| &new[i]) {
        Some(n) if n.user_id == o.user_id && n.session_end >= o.session_start => n.session_end,
        _ => o.session_end,
    }
}

/// Schema of the `ranges` table: per affected session, the user and the
/// time range of its clicks to re-read.
fn ranges_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::UInt64, false),
        Field::new("range_start", DataType::Int64, false),
        Field::new("range_end", DataType::Int64, false),
    ]))
}

/// The affected sessions' ranges as an Arrow batch.
fn ranges_batch(affected: &[Session]) -> Result<RecordBatch> {
    RecordBatch::try_new(
        ranges_schema(),
        vec![
            Arc::new(UInt64Array::from_iter_values(
                affected.iter().map(|s| s.user_id),
            )),
            Arc::new(Int64Array::from_iter_values(
                affected.iter().map(|s| s.session_start),
            )),
            Arc::new(Int64Array::from_iter_values(
                affected.iter().map(|s| s.session_end),
            )),
        ],
    )
    .map_err(|e| WorkloadError::datafusion(JOB, e.into()))
}

/// The event-time hour partition of a click time.
fn hour_of(t: Millis) -> Millis {
    t.div_euclid(HOUR)
}

/// DataFusion job over the lake of landed clicks.
pub struct SessionBatch {
    engine: DfEngine,
    /// Landed clicks by event-time hour.
    lake: BTreeMap<Millis, Vec<RecordBatch>>,
    /// Bytes of the lake's batches.
    lake_bytes: usize,
    /// The `sessions` table as emitted so far.
    sessions: SessionIndex,
}

impl SessionBatch {
    /// A job with an empty lake.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(SessionBatch {
            engine: engine(cfg)?,
            lake: BTreeMap::new(),
            lake_bytes: 0,
            sessions: SessionIndex::default(),
        })
    }

    /// Recomputes the affected sessions over their re-read clicks plus the
    /// new clicks: the lake partitions of the hours the affected sessions
    /// span, joined with their ranges.
    fn recompute(&self, affected: &[Session], new: &[Click]) -> Result<Vec<Session>> {
        let hours: BTreeSet<Millis> = affected
            .iter()
            .flat_map(|s| hour_of(s.session_start)..=hour_of(s.session_end))
            .collect();
        let lake: Vec<RecordBatch> = hours
            .iter()
            .filter_map(|h| self.lake.get(h))
            .flatten()
            .cloned()
            .collect();
        let tables = vec![
            Table {
                name: "lake",
                schema: clicks_schema(),
                batches: lake,
            },
            Table {
                name: "ranges",
                schema: ranges_schema(),
                batches: vec![ranges_batch(affected)?],
            },
            Table {
                name: "new_clicks",
                schema: clicks_schema(),
                batches: vec![clicks_batch(new)],
            },
        ];
        let sql = sessionize_sql(
            "SELECT l.user_id, l.page, l.event_time
             FROM lake l JOIN ranges r ON l.user_id = r.user_id
             WHERE l.event_time BETWEEN r.range_start AND r.range_end
             UNION ALL
             SELECT user_id, page, event_time FROM new_clicks",
        );
        let batches = self.engine.query(JOB, tables, &sql)?;
        read_sessions(JOB, &batches)
    }

    /// Appends clicks to the lake, one batch per event-time hour.
    fn land(&mut self, new: &[Click]) {
        let mut by_hour: BTreeMap<Millis, Vec<Click>> = BTreeMap::new();
        for c in new {
            by_hour.entry(hour_of(c.event_time)).or_default().push(*c);
        }
        for (h, clicks) in by_hour {
            let b = clicks_batch(&clicks);
            self.lake_bytes += b.get_array_memory_size();
            self.lake.entry(h).or_default().push(b);
        }
    }

    /// Drops sessions no click at or after `horizon` can reach, and the lake
    /// hours before both the horizon and every remaining session.
    fn evict(&mut self, horizon: Millis) {
        self.sessions.evict_before(horizon);
        let keep_from = self
            .sessions
            .min_start()
            .map_or(horizon, |s| s.min(horizon));
        while let Some(entry) = self.lake.first_entry() {
            if (*entry.key() + 1).saturating_mul(HOUR) > keep_from {
                break;
            }
            let dropped: usize = entry
                .remove()
                .iter()
                .map(RecordBatch::get_array_memory_size)
                .sum();
            self.lake_bytes -= dropped;
        }
    }
}

impl IncrementalJob<Sessionization> for SessionBatch {
    fn run(
        &mut self,
        new: &[Click],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<Session>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let affected = self.sessions.affected(new);
            let fresh = self.recompute(&affected, new)?;
            emit_diff(&affected, &fresh, out);
            self.sessions.replace(&affected, &fresh);
            self.land(new);
        }
        if let Some(h) = horizon {
            self.evict(h);
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.lake_bytes + self.sessions.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::drive_job;
    use crate::mode::Lateness;
    use crate::output::{Change, materialize};
    use crate::sessions::reference::{click, random_dataset, row, sessions};
    use crate::time::MINUTE;

    const GAP: Millis = SESSION_GAP_MS;

    fn run(job: &mut SessionBatch, new: &[Click]) -> Vec<Change<Session>> {
        let mut out = Vec::new();
        job.run(new, None, &mut out).expect("batch run");
        out.into_iter().map(|e| e.change).collect()
    }

    #[test]
    fn sql_numbers_peers_and_gap_edges_like_the_contract() {
        let ev = [
            click(1, 0, GAP),
            click(1, 1, 0),
            click(1, 1, 3 * GAP + 1),
            click(2, 0, 0),
            // Three peers far after the first click: whichever LAG sees first,
            // all three must land in the same, second session.
            click(2, 1, 5 * GAP),
            click(2, 2, 5 * GAP),
            click(2, 1, 5 * GAP),
            click(2, 3, 6 * GAP),
        ];
        let mut job = SessionBatch::new(&JobConfig::default()).expect("job");
        let got = run(&mut job, &ev);
        let want = vec![
            row(1, 0, GAP, 2, 2),
            row(1, 3 * GAP + 1, 3 * GAP + 1, 1, 1),
            row(2, 0, 0, 1, 1),
            row(2, 5 * GAP, 6 * GAP, 4, 3),
        ];
        assert_eq!(want, sessions(&ev));
        assert_eq!(
            got,
            want.into_iter().map(Change::Upsert).collect::<Vec<_>>()
        );
    }

    #[test]
    fn late_clicks_reread_the_lake_to_bridge_and_move_starts() {
        let mut job = SessionBatch::new(&JobConfig::default()).expect("job");
        run(
            &mut job,
            &[
                click(1, 0, 0),
                click(1, 1, 0),
                click(1, 2, 2 * GAP),
                click(7, 0, 0),
            ],
        );
        // A late click between the two sessions bridges them: the later key
        // goes, the earlier one is replaced with the counts re-read from the lake.
        assert_eq!(
            run(&mut job, &[click(1, 0, GAP)]),
            vec![
                Change::Retract((1, 2 * GAP)),
                Change::Upsert(row(1, 0, 2 * GAP, 4, 3)),
            ]
        );
        // A late click before the start moves the key; user 7 is untouched.
        assert_eq!(
            run(&mut job, &[click(1, 5, -GAP)]),
            vec![
                Change::Retract((1, 0)),
                Change::Upsert(row(1, -GAP, 2 * GAP, 5, 4)),
            ]
        );
        // Exactly one gap after the end extends; one more millisecond does not.
        assert_eq!(
            run(&mut job, &[click(7, 1, GAP), click(7, 1, 2 * GAP + 1)]),
            vec![
                Change::Upsert(row(7, 0, GAP, 2, 2)),
                Change::Upsert(row(7, 2 * GAP + 1, 2 * GAP + 1, 1, 1)),
            ]
        );
        assert_eq!(run(&mut job, &[]), vec![]);
    }

    #[test]
    fn a_horizon_evicts_sessions_and_lake_hours_and_stays_exact() {
        let data = random_dataset(21, 20_000, 150, 5 * MINUTE, false);
        let bounded = Lateness {
            watermark_delay: 0,
            allowed_lateness: Some(10 * MINUTE),
        };
        let mut job = SessionBatch::new(&JobConfig::default()).expect("job");
        let (out, gate) =
            drive_job::<Sessionization>(&mut job, &data, HOUR, bounded).expect("runs");
        assert_eq!(gate.dropped, 0);
        assert!(materialize(&out) == sessions(&data.events));
        let mut all = SessionBatch::new(&JobConfig::default()).expect("job");
        drive_job::<Sessionization>(&mut all, &data, HOUR, Lateness::EXACT).expect("runs");
        assert!(job.state_bytes() * 4 < all.state_bytes());
        assert!(job.lake.len() < all.lake.len());
    }
}

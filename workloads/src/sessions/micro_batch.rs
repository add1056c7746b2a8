//! Micro-batch mode of `Sessionization`: DataFusion SQL per trigger over the
//! trigger's clicks plus the carried state, like Spark Structured Streaming's
//! stateful sessionization.
//!
//! The carried state is the current sessions and the clicks of every session
//! that may still change. A trigger's clicks can only change the sessions of
//! their users that they reach (within the gap of a session's span), so each
//! trigger sessionizes, in SQL, the carried clicks of exactly those sessions
//! together with the new clicks, emits the difference, and puts the result
//! back into the state. With a horizon (no click older than it will come), a
//! session whose `end + gap` is behind it can never change again and its
//! clicks are dropped.

use rustc_hash::FxHashMap;

use crate::df::{DfEngine, Table};
use crate::error::Result;
use crate::event::{Click, clicks_batch, clicks_schema};
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::{Emission, OutputRow};
use crate::time::Millis;

use super::batch::{SessionIndex, emit_diff, internal, read_sessions, sessionize_sql};
use super::{Session, Sessionization};

/// Name of the micro-batch job in errors.
const JOB: &str = "sessionization micro-batch";

/// DataFusion job with carried session state.
pub struct SessionMicroBatch {
    engine: DfEngine,
    /// Current sessions that may still change.
    sessions: SessionIndex,
    /// The clicks of each session in `sessions`, by session key.
    clicks: FxHashMap<(u64, Millis), Vec<Click>>,
    /// Clicks held in `clicks`.
    click_count: usize,
}

impl SessionMicroBatch {
    /// A job with empty state.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        Ok(SessionMicroBatch {
            engine: super::batch::engine(cfg)?,
            sessions: SessionIndex::default(),
            clicks: FxHashMap::default(),
            click_count: 0,
        })
    }

    /// The carried clicks of the affected sessions (copied: the state only
    /// changes once the trigger's query succeeded).
    fn carried_clicks(&self, affected: &[Session]) -> Result<Vec<Click>> {
        let mut carried = Vec::new();
        for s in affected {
            let clicks = self.clicks.get(&s.key()).ok_or_else(|| {
                internal(JOB, format!("no carried clicks for session {:?}", s.key()))
            })?;
            carried.extend_from_slice(clicks);
        }
        Ok(carried)
    }

    /// Replaces the affected sessions and their clicks by the recomputed
    /// ones.
    fn replace(
        &mut self,
        affected: &[Session],
        fresh: &[Session],
        clicks: Vec<Click>,
    ) -> Result<()> {
        for s in affected {
            if let Some(c) = self.clicks.remove(&s.key()) {
                self.click_count -= c.len();
            }
        }
        self.sessions.replace(affected, fresh);
        self.store_clicks(fresh, clicks)
    }

    /// Sessionizes the carried and the new clicks in SQL.
    fn recompute(&self, carried: &[Click], new: &[Click]) -> Result<Vec<Session>> {
        let tables = vec![
            Table {
                name: "carried",
                schema: clicks_schema(),
                batches: vec![clicks_batch(carried)],
            },
            Table {
                name: "new_clicks",
                schema: clicks_schema(),
                batches: vec![clicks_batch(new)],
            },
        ];
        let sql = sessionize_sql(
            "SELECT user_id, page, event_time FROM carried
             UNION ALL
             SELECT user_id, page, event_time FROM new_clicks",
        );
        let batches = self.engine.query(JOB, tables, &sql)?;
        read_sessions(JOB, &batches)
    }

    /// Files every click under the recomputed session (sorted) that holds it.
    fn store_clicks(&mut self, fresh: &[Session], clicks: Vec<Click>) -> Result<()> {
        for c in clicks {
            let i = fresh
                .partition_point(|s| (s.user_id, s.session_start) <= (c.user_id, c.event_time));
            let s = i
                .checked_sub(1)
                .map(|i| &fresh[i])
                .filter(|s| s.user_id == c.user_id && c.event_time <= s.session_end)
                .ok_or_else(|| internal(JOB, format!("no recomputed session holds click {c:?}")))?;
            self.clicks.entry(s.key()).or_default().push(c);
            self.click_count += 1;
        }
        Ok(())
    }

    /// Drops the sessions (and their clicks) no click at or after `horizon`
    /// can reach.
    fn evict(&mut self, horizon: Millis) {
        for s in self.sessions.evict_before(horizon) {
            if let Some(c) = self.clicks.remove(&s.key()) {
                self.click_count -= c.len();
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
            let mut clicks = self.carried_clicks(&affected)?;
            let fresh = self.recompute(&clicks, new)?;
            emit_diff(&affected, &fresh, out);
            clicks.extend_from_slice(new);
            self.replace(&affected, &fresh, clicks)?;
        }
        if let Some(h) = horizon {
            self.evict(h);
        }
        Ok(())
    }

    fn state_bytes(&self) -> usize {
        self.sessions.bytes()
            + self.click_count * size_of::<Click>()
            + self.clicks.capacity() * (size_of::<((u64, Millis), Vec<Click>)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::drive_job;
    use crate::mode::Lateness;
    use crate::output::{Change, materialize};
    use crate::sessions::SESSION_GAP_MS as GAP;
    use crate::sessions::reference::{random_dataset, sessions};
    use crate::time::MINUTE;

    fn click(user_id: u64, page: u32, event_time: Millis) -> Click {
        Click {
            user_id,
            page,
            event_time,
        }
    }

    fn row(user_id: u64, start: Millis, end: Millis, clicks: u64, pages: u64) -> Session {
        Session {
            user_id,
            session_start: start,
            session_end: end,
            clicks,
            distinct_pages: pages,
        }
    }

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
        assert_eq!(job.click_count, 5);
        // Horizon past user 2's session (0 + gap): it goes; user 1's stays.
        run(&mut job, &[], Some(GAP + 1));
        assert_eq!((job.sessions.len(), job.click_count), (1, 4));
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
            job.click_count * 10 < all.click_count,
            "evicted state: {} vs {}",
            job.click_count,
            all.click_count
        );
    }
}

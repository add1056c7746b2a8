//! Stream mode of `Sessionization`: a per-click operator in plain Rust.
//!
//! Each user keeps the sessions that may still change (usually one), sorted
//! by start and always more than [`SESSION_GAP_MS`] apart. A click extends
//! the session it falls within a gap of, starts a new one, or — arriving out
//! of order between two sessions — bridges them into one. Deadlines
//! (finality under [`EmitPolicy::Final`], eviction behind the horizon) sit
//! in one min-heap with at most one live entry per user, re-checked lazily
//! when they fire.
//!
//! Speed comes from memory layout: a click costs one hash-map probe, and the
//! user's newest session (where in-order clicks land) lives inline in the
//! map slot with its distinct pages as a bitmap, so the common click touches
//! no other memory and allocates nothing.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::hash_map::Entry;
use std::mem::size_of;

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::event::Click;
use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;
use crate::snapshot;
use crate::time::Millis;
use serde::{Deserialize, Serialize};

use super::{SESSION_GAP_MS, Session, Sessionization};

/// No deadline queued.
const NEVER: Millis = Millis::MAX;

/// Page ids below this are kept in a session's bitmap; larger ones in its
/// sorted spill list.
const BITMAP_PAGES: u32 = 128;

/// The distinct pages of a session: a bitmap for small ids (dictionaries of
/// a few dozen pages fit entirely) and a sorted list for the others.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PageSet {
    bits: [u64; 2],
    spill: Vec<u32>,
}

impl PageSet {
    /// Number of distinct pages.
    fn len(&self) -> u64 {
        u64::from(self.bits[0].count_ones() + self.bits[1].count_ones()) + self.spill.len() as u64
    }
}

/// Owner of the spill lists' memory: a pool of cleared lists reused for new
/// sessions, scratch space for merges, and the bookkeeping for
/// `state_bytes`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SpillLists {
    #[serde(skip)]
    pool: Vec<Vec<u32>>,
    #[serde(skip)]
    scratch: Vec<u32>,
    /// Capacity of every spill list owned (live, pooled, scratch).
    capacity: usize,
}

impl SpillLists {
    /// Adds `page` to `set`.
    fn insert(&mut self, set: &mut PageSet, page: u32) {
        if page < BITMAP_PAGES {
            set.bits[(page / 64) as usize] |= 1 << (page % 64);
            return;
        }
        if let Err(pos) = set.spill.binary_search(&page) {
            if set.spill.capacity() == 0
                && let Some(v) = self.pool.pop()
            {
                set.spill = v;
            }
            let before = set.spill.capacity();
            set.spill.insert(pos, page);
            self.capacity += set.spill.capacity() - before;
        }
    }

    /// `a := a ∪ b`.
    fn union_into(&mut self, a: &mut PageSet, b: PageSet) {
        a.bits[0] |= b.bits[0];
        a.bits[1] |= b.bits[1];
        if b.spill.is_empty() {
            self.recycle(b.spill);
            return;
        }
        if a.spill.is_empty() {
            let empty = std::mem::replace(&mut a.spill, b.spill);
            self.recycle(empty);
            return;
        }
        let before = self.scratch.capacity();
        merge_sorted(&a.spill, &b.spill, &mut self.scratch);
        self.capacity += self.scratch.capacity() - before;
        std::mem::swap(&mut a.spill, &mut self.scratch);
        self.recycle(b.spill);
    }

    /// Takes back the spill list of a dropped session.
    fn recycle(&mut self, mut v: Vec<u32>) {
        if v.capacity() > 0 {
            v.clear();
            self.pool.push(v);
        }
    }

    /// Approximate bytes held.
    fn bytes(&self) -> usize {
        self.capacity * size_of::<u32>() + self.pool.capacity() * size_of::<Vec<u32>>()
    }
}

/// `out := a ∪ b` for sorted, duplicate-free lists.
fn merge_sorted(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// One session of a user that the operator still holds.
#[derive(Debug, Serialize, Deserialize)]
struct OpenSession {
    start: Millis,
    end: Millis,
    clicks: u64,
    pages: PageSet,
    /// The row stands in the output under key `(user, start)`. Every change
    /// to an emitted session is emitted at once, so the emitted key is
    /// always the current start between clicks.
    emitted: bool,
}

impl OpenSession {
    /// A one-click session.
    fn new(c: &Click, spill: &mut SpillLists) -> Self {
        let mut s = OpenSession {
            start: c.event_time,
            end: c.event_time,
            clicks: 1,
            pages: PageSet::default(),
            emitted: false,
        };
        spill.insert(&mut s.pages, c.page);
        s
    }

    /// Folds in a click that reaches this session.
    fn absorb(&mut self, c: &Click, spill: &mut SpillLists) {
        self.start = self.start.min(c.event_time);
        self.end = self.end.max(c.event_time);
        self.clicks += 1;
        spill.insert(&mut self.pages, c.page);
    }

    /// The key this session's row stands under in the output, if emitted.
    fn emitted_key(&self) -> Option<Millis> {
        self.emitted.then_some(self.start)
    }

    /// The output row of this session.
    fn row(&self, user_id: u64) -> Session {
        Session {
            user_id,
            session_start: self.start,
            session_end: self.end,
            clicks: self.clicks,
            distinct_pages: self.pages.len(),
        }
    }

    /// When the watermark passes this, no on-time click can reach the session.
    fn final_after(&self) -> Millis {
        self.end.saturating_add(SESSION_GAP_MS)
    }

    /// Whether a click at `t` falls within the gap of this session's span
    /// (given `start - gap <= t`).
    fn reaches_back_to(&self, t: Millis) -> bool {
        self.end.saturating_add(SESSION_GAP_MS) >= t
    }
}

/// What a click did to its user's sessions.
enum Touch {
    /// Starts a new session at this index.
    Created(usize),
    /// Extends the session at this index.
    Extended(usize),
    /// Bridges the sessions at this index and the next.
    Merged(usize),
}

/// A user's sessions — `older` then `last`, sorted by start, consecutive
/// ones more than the gap apart — and its queued deadline. A user is only
/// held while it has a session.
#[derive(Debug, Serialize, Deserialize)]
struct UserState {
    older: Vec<OpenSession>,
    /// The newest session, inline in the map slot: where in-order clicks land.
    last: OpenSession,
    /// Earliest deadline queued in the heap for this user ([`NEVER`] = none).
    /// Heap entries with another deadline are stale and skipped.
    armed: Millis,
    /// Sessions not emitted yet (policy `Final`; between clicks, always 0
    /// under the eager policies): lets the timers skip scanning `older` in
    /// the common case where only `last` is pending.
    pending: u32,
}

impl UserState {
    /// Number of sessions (at least one).
    fn len(&self) -> usize {
        self.older.len() + 1
    }

    /// Session `i` in start order (`i < len()`).
    fn get(&self, i: usize) -> &OpenSession {
        self.older.get(i).unwrap_or(&self.last)
    }

    /// Session `i` in start order (`i < len()`).
    fn get_mut(&mut self, i: usize) -> &mut OpenSession {
        self.older.get_mut(i).unwrap_or(&mut self.last)
    }

    /// The sessions in start order.
    fn iter(&self) -> impl Iterator<Item = &OpenSession> {
        self.older.iter().chain(std::iter::once(&self.last))
    }

    /// The sessions in start order.
    fn iter_mut(&mut self) -> impl Iterator<Item = &mut OpenSession> {
        self.older.iter_mut().chain(std::iter::once(&mut self.last))
    }

    /// Whether `last` is the only session not emitted yet.
    fn only_last_pending(&self) -> bool {
        self.pending == 1 && !self.last.emitted
    }

    /// Inserts a session at sorted position `i` (`len()` = the new newest).
    fn insert(&mut self, i: usize, s: OpenSession) {
        if i == self.len() {
            let prev = std::mem::replace(&mut self.last, s);
            self.older.push(prev);
        } else {
            self.older.insert(i, s);
        }
    }

    /// Where a click at `t` lands. It joins a session when it lies within
    /// `[start - gap, end + gap]`, and can reach at most two adjacent
    /// sessions: those starting last before `t + gap`.
    fn locate(&self, t: Millis) -> Touch {
        let reach = t.saturating_add(SESSION_GAP_MS);
        let idx = if self.last.start <= reach {
            self.len()
        } else {
            self.older.partition_point(|s| s.start <= reach)
        };
        if idx == 0 || !self.get(idx - 1).reaches_back_to(t) {
            Touch::Created(idx)
        } else if idx >= 2 && self.get(idx - 2).reaches_back_to(t) {
            Touch::Merged(idx - 2)
        } else {
            Touch::Extended(idx - 1)
        }
    }

    /// How many leading sessions are behind the horizon (`end + gap < wm -
    /// allowed`): no admissible click can reach them any more. Sessions are
    /// sorted by start and disjoint, hence by end too: they form a prefix.
    fn evictable(&self, allowed: Option<Millis>, wm: Millis) -> usize {
        let Some(a) = allowed else {
            return 0;
        };
        let behind = |s: &OpenSession| s.final_after().saturating_add(a) < wm;
        let n = self.older.partition_point(behind);
        n + usize::from(n == self.older.len() && behind(&self.last))
    }

    /// The earliest deadline among the sessions: finality of a pending
    /// session (policy `Final`) or eviction of the oldest one.
    fn next_deadline(&self, cfg: StreamConfig) -> Option<Millis> {
        let evict = evict_after(self.get(0), cfg);
        let pending = if self.pending == 0 {
            None
        } else if self.only_last_pending() {
            Some(self.last.final_after())
        } else {
            self.iter()
                .filter(|s| !s.emitted)
                .map(OpenSession::final_after)
                .min()
        };
        match (evict, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Per-event sessionization operator. All of it but the reusable spare
/// vectors is the checkpointed state.
#[derive(Serialize, Deserialize)]
pub struct SessionStream {
    cfg: StreamConfig,
    gate: LateGate,
    users: FxHashMap<u64, UserState>,
    /// `(deadline, user)`: something may happen for the user once the
    /// watermark passes the deadline.
    timers: BinaryHeap<Reverse<(Millis, u64)>>,
    /// Memory of the pages of sessions with large page ids.
    spill: SpillLists,
    /// Empty `older` vectors of users that were dropped, reused for users
    /// that come back (no allocation per returning user).
    #[serde(skip)]
    spare: Vec<Vec<OpenSession>>,
    /// Sessions currently held.
    live_sessions: usize,
}

impl SessionStream {
    /// A new operator: `cfg.lateness` drives the late-data gate and eviction,
    /// `cfg.policy` when rows are emitted.
    pub fn new(cfg: StreamConfig) -> Self {
        SessionStream {
            cfg,
            gate: LateGate::new(cfg.lateness),
            users: FxHashMap::default(),
            timers: BinaryHeap::new(),
            spill: SpillLists::default(),
            spare: Vec::new(),
            live_sessions: 0,
        }
    }

    /// Folds one admitted click into its user's sessions and emits what the
    /// policy asks for.
    fn apply(&mut self, c: &Click, out: &mut Vec<Emission<Session>>) {
        let (user, folded) = match self.users.entry(c.user_id) {
            Entry::Vacant(v) => {
                self.live_sessions += 1;
                let user = v.insert(UserState {
                    older: self.spare.pop().unwrap_or_default(),
                    last: OpenSession::new(c, &mut self.spill),
                    armed: NEVER,
                    pending: 1,
                });
                let created = Folded {
                    idx: 0,
                    old_keys: [None, None],
                };
                (user, created)
            }
            Entry::Occupied(o) => {
                let user = o.into_mut();
                let folded = fold(user, c, &mut self.spill, &mut self.live_sessions);
                (user, folded)
            }
        };
        let s = user.get_mut(folded.idx);
        let deadline = settle(self.cfg, c.user_id, s, &folded.old_keys, out);
        user.pending -= u32::from(s.emitted);
        if let Some(d) = deadline
            && d < user.armed
        {
            user.armed = d;
            self.timers.push(Reverse((d, c.user_id)));
        }
    }

    /// Fires every deadline the watermark `wm` has passed: emits sessions
    /// that became final (policy `Final`) and evicts sessions behind the
    /// horizon, then re-queues the user's next deadline.
    fn fire_timers(&mut self, wm: Millis, out: &mut Vec<Emission<Session>>) {
        while let Some(&Reverse((deadline, user_id))) = self.timers.peek() {
            if deadline >= wm {
                break;
            }
            self.timers.pop();
            let Some(user) = self.users.get_mut(&user_id) else {
                continue;
            };
            if user.armed != deadline {
                continue;
            }
            user.armed = NEVER;
            if self.cfg.policy == EmitPolicy::Final {
                emit_final(user_id, user, wm, out);
            }
            let evicted = user.evictable(self.cfg.lateness.allowed_lateness, wm);
            if evicted == user.len() {
                if let Some(gone) = self.users.remove(&user_id) {
                    self.drop_user(gone);
                }
                continue;
            }
            for s in user.older.drain(..evicted) {
                user.pending -= u32::from(!s.emitted);
                self.spill.recycle(s.pages.spill);
                self.live_sessions -= 1;
            }
            if let Some(d) = user.next_deadline(self.cfg) {
                user.armed = d;
                self.timers.push(Reverse((d, user_id)));
            }
        }
    }

    /// Releases the memory of a user whose sessions were all evicted.
    fn drop_user(&mut self, mut gone: UserState) {
        self.live_sessions -= gone.len();
        for s in gone.older.drain(..) {
            self.spill.recycle(s.pages.spill);
        }
        self.spill.recycle(gone.last.pages.spill);
        self.spare.push(gone.older);
    }
}

/// Where a click ended up.
struct Folded {
    /// Index of the session that holds it now, marked not emitted (and
    /// counted in the user's `pending`) until `settle` decides.
    idx: usize,
    /// The emitted keys of the sessions that session was made of.
    old_keys: [Option<Millis>; 2],
}

/// Folds a click into an existing user's sessions.
fn fold(user: &mut UserState, c: &Click, spill: &mut SpillLists, live: &mut usize) -> Folded {
    let (idx, old_keys) = match user.locate(c.event_time) {
        Touch::Created(i) => {
            *live += 1;
            user.insert(i, OpenSession::new(c, spill));
            user.pending += 1;
            (i, [None, None])
        }
        Touch::Extended(i) => {
            let s = user.get_mut(i);
            let old = s.emitted_key();
            s.absorb(c, spill);
            let was_emitted = s.emitted;
            s.emitted = false;
            user.pending += u32::from(was_emitted);
            (i, [old, None])
        }
        Touch::Merged(i) => {
            // The earlier session folds into the later, which moves to `i`.
            let a = user.older.remove(i);
            *live -= 1;
            let b = user.get_mut(i);
            let old = [a.emitted_key(), b.emitted_key()];
            let was_pending = u32::from(!a.emitted) + u32::from(!b.emitted);
            b.start = b.start.min(a.start);
            b.end = b.end.max(a.end);
            b.clicks += a.clicks;
            b.emitted = false;
            spill.union_into(&mut b.pages, a.pages);
            b.absorb(c, spill);
            // Two sessions become one pending one.
            user.pending = user.pending + 1 - was_pending;
            (i, old)
        }
    };
    Folded { idx, old_keys }
}

/// Emits what the policy asks for after session `s` changed; `old_keys` are
/// the emitted keys of the sessions it was made of. Returns the deadline the
/// session now needs, if any.
fn settle(
    cfg: StreamConfig,
    user_id: u64,
    s: &mut OpenSession,
    old_keys: &[Option<Millis>; 2],
    out: &mut Vec<Emission<Session>>,
) -> Option<Millis> {
    let emit_now = match cfg.policy {
        EmitPolicy::Eager | EmitPolicy::EagerCorrect => true,
        // A change to a row already out is a correction: emit it now.
        EmitPolicy::Final => old_keys.iter().any(Option::is_some),
    };
    if !emit_now {
        return Some(s.final_after());
    }
    if cfg.policy != EmitPolicy::Eager {
        for &k in old_keys.iter().flatten() {
            if k != s.start {
                out.push(Emission::retract((user_id, k), s.end));
            }
        }
    }
    out.push(Emission::upsert(s.row(user_id), s.end));
    s.emitted = true;
    evict_after(s, cfg)
}

/// When the watermark passes this, the session is behind the horizon and can
/// be dropped (`None` when nothing is ever evicted).
fn evict_after(s: &OpenSession, cfg: StreamConfig) -> Option<Millis> {
    cfg.lateness
        .allowed_lateness
        .map(|a| s.final_after().saturating_add(a))
}

/// Emits every not-yet-emitted session the watermark has made final.
fn emit_final(user_id: u64, user: &mut UserState, wm: Millis, out: &mut Vec<Emission<Session>>) {
    let mut emit = |s: &mut OpenSession| {
        let due = !s.emitted && s.final_after() < wm;
        if due {
            out.push(Emission::upsert(s.row(user_id), s.end));
            s.emitted = true;
        }
        u32::from(due)
    };
    let emitted = if user.pending == 0 {
        0
    } else if user.only_last_pending() {
        emit(&mut user.last)
    } else {
        user.iter_mut().map(&mut emit).sum()
    };
    user.pending -= emitted;
}

impl SessionStream {
    /// Panics unless the state is consistent: sessions sorted and more than
    /// the gap apart, counters right.
    #[cfg(test)]
    fn check_invariants(&self) {
        let mut live = 0;
        for u in self.users.values() {
            let v: Vec<&OpenSession> = u.iter().collect();
            for w in v.windows(2) {
                assert!(
                    w[1].start - w[0].end > SESSION_GAP_MS,
                    "sessions too close: {w:?}"
                );
            }
            assert!(v.iter().all(|s| s.start <= s.end));
            assert_eq!(u.pending as usize, v.iter().filter(|s| !s.emitted).count());
            live += v.len();
        }
        assert_eq!(live, self.live_sessions);
    }
}

impl StreamOperator<Sessionization> for SessionStream {
    fn on_event(&mut self, e: &Click, out: &mut Vec<Emission<Session>>) {
        if self.gate.admit(e.event_time) == Admission::Dropped {
            return;
        }
        self.apply(e, out);
        let wm = self.gate.watermark();
        self.fire_timers(wm, out);
    }

    fn finish(&mut self, out: &mut Vec<Emission<Session>>) {
        self.fire_timers(NEVER, out);
    }

    fn state_bytes(&self) -> usize {
        let older = self.live_sessions.saturating_sub(self.users.len());
        self.users.capacity() * (size_of::<(u64, UserState)>() + 1)
            + older * size_of::<OpenSession>()
            + self.spill.bytes()
            + self.spare.capacity() * size_of::<Vec<OpenSession>>()
            + self.timers.capacity() * size_of::<Reverse<(Millis, u64)>>()
    }

    fn late_stats(&self) -> LateStats {
        LateStats {
            late: self.gate.late,
            dropped: self.gate.dropped,
        }
    }

    fn snapshot(&self) -> Result<Vec<u8>> {
        snapshot::save(WHAT, self)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let saved: SessionStream = snapshot::load(WHAT, bytes)?;
        snapshot::same(WHAT, "configuration", saved.cfg, self.cfg)?;
        *self = saved;
        Ok(())
    }
}

/// What checkpoint errors call this operator.
const WHAT: &str = "the sessionization stream operator";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mode::Lateness;
    use crate::output::{Change, materialize};
    use crate::sessions::reference::{click, random_clicks, row, sessions};
    use crate::time::MINUTE;

    const GAP: Millis = SESSION_GAP_MS;

    fn run(
        policy: EmitPolicy,
        lateness: Lateness,
        events: &[Click],
    ) -> (Vec<Emission<Session>>, SessionStream) {
        let mut op = SessionStream::new(StreamConfig { lateness, policy });
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            op.on_event(e, &mut out);
            if i % 97 == 0 {
                op.check_invariants();
            }
        }
        op.check_invariants();
        op.finish(&mut out);
        op.check_invariants();
        (out, op)
    }

    fn changes(out: &[Emission<Session>]) -> Vec<Change<Session>> {
        out.iter().map(|e| e.change.clone()).collect()
    }

    #[test]
    fn gap_edges_and_equal_times_in_every_policy() {
        // Exactly the gap joins, one more millisecond splits, peers share.
        let ev = [
            click(1, 0, GAP),
            click(1, 1, 0),
            click(1, 1, 2 * GAP + 1),
            click(1, 2, 2 * GAP + 1),
            click(1, 2, 2 * GAP + 1),
        ];
        let want = vec![row(1, 0, GAP, 2, 2), row(1, 2 * GAP + 1, 2 * GAP + 1, 3, 2)];
        assert_eq!(sessions(&ev), want);
        for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
            let (out, _) = run(policy, Lateness::EXACT, &ev);
            assert_eq!(materialize(&out), want, "{policy}");
        }
        // Eager is exact only when nothing arrives out of order.
        let mut in_order = ev;
        in_order.sort_by_key(|c| c.event_time);
        let (out, _) = run(EmitPolicy::Eager, Lateness::EXACT, &in_order);
        assert_eq!(materialize(&out), want);
    }

    #[test]
    fn final_emits_once_when_the_watermark_passes_end_plus_gap() {
        let ev = [
            click(1, 0, 0),
            click(1, 1, 1_000),
            click(2, 0, GAP + 1_000),
            click(2, 0, GAP + 1_001),
        ];
        let (out, _) = run(EmitPolicy::Final, Lateness::EXACT, &ev);
        // Watermark GAP + 1_000 is not past 1_000 + GAP; GAP + 1_001 is.
        assert_eq!(
            out,
            vec![
                Emission::upsert(row(1, 0, 1_000, 2, 2), 1_000),
                Emission::upsert(row(2, GAP + 1_000, GAP + 1_001, 2, 1), GAP + 1_001),
            ]
        );
    }

    #[test]
    fn a_late_click_bridging_two_sessions_retracts_in_eager_correct_only() {
        let ev = [click(1, 0, 0), click(1, 1, 2 * GAP), click(1, 2, GAP)];
        let merged = row(1, 0, 2 * GAP, 3, 3);
        let (out, _) = run(EmitPolicy::EagerCorrect, Lateness::EXACT, &ev);
        assert_eq!(
            changes(&out),
            vec![
                Change::Upsert(row(1, 0, 0, 1, 1)),
                Change::Upsert(row(1, 2 * GAP, 2 * GAP, 1, 1)),
                Change::Retract((1, 2 * GAP)),
                Change::Upsert(merged),
            ]
        );
        let (out, _) = run(EmitPolicy::Eager, Lateness::EXACT, &ev);
        assert_eq!(changes(&out)[2..], [Change::Upsert(merged)]);
        assert_eq!(
            materialize(&out),
            vec![merged, row(1, 2 * GAP, 2 * GAP, 1, 1)],
            "eager keeps a stale row"
        );
        // Final: the first session was final (watermark 2·GAP > 0 + GAP) and
        // is corrected at once; the second was pending, so nothing to retract.
        let (out, _) = run(EmitPolicy::Final, Lateness::EXACT, &ev);
        assert_eq!(
            changes(&out),
            vec![Change::Upsert(row(1, 0, 0, 1, 1)), Change::Upsert(merged)]
        );
    }

    #[test]
    fn a_late_click_bridging_two_final_sessions_retracts_the_later() {
        let ev = [
            click(1, 0, 0),
            click(1, 1, 2 * GAP),
            click(2, 0, 5 * GAP),
            click(1, 2, GAP),
        ];
        let (out, _) = run(EmitPolicy::Final, Lateness::EXACT, &ev);
        assert_eq!(
            changes(&out),
            vec![
                Change::Upsert(row(1, 0, 0, 1, 1)),
                Change::Upsert(row(1, 2 * GAP, 2 * GAP, 1, 1)),
                Change::Retract((1, 2 * GAP)),
                Change::Upsert(row(1, 0, 2 * GAP, 3, 3)),
                Change::Upsert(row(2, 5 * GAP, 5 * GAP, 1, 1)),
            ]
        );
    }

    #[test]
    fn a_late_click_moving_the_start_retracts_the_old_key() {
        let ev = [click(1, 0, GAP), click(1, 0, GAP + 5), click(1, 1, 10)];
        let (out, _) = run(EmitPolicy::EagerCorrect, Lateness::EXACT, &ev);
        assert_eq!(
            changes(&out)[2..],
            [
                Change::Retract((1, GAP)),
                Change::Upsert(row(1, 10, GAP + 5, 3, 2)),
            ]
        );
        assert_eq!(out[3].depends_on, GAP + 5);
        let (out, _) = run(EmitPolicy::Eager, Lateness::EXACT, &ev);
        assert_eq!(
            materialize(&out).len(),
            2,
            "eager leaves the old key behind"
        );
    }

    #[test]
    fn exact_policies_equal_reference_on_shuffled_input_and_eager_does_not() {
        let ev = random_clicks(11, 50_000, 300, 20 * MINUTE, true);
        let truth = sessions(&ev);
        for delay in [0, MINUTE, 30 * MINUTE] {
            let lateness = Lateness {
                watermark_delay: delay,
                allowed_lateness: None,
            };
            for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
                let (out, op) = run(policy, lateness, &ev);
                assert!(materialize(&out) == truth, "{policy} delay {delay}");
                assert_eq!(op.late_stats().dropped, 0);
            }
        }
        let (out, op) = run(EmitPolicy::Eager, Lateness::EXACT, &ev);
        assert!(op.late_stats().late > 0);
        let eager = materialize(&out);
        assert!(
            eager != truth,
            "eager on out-of-order input should leave stale rows"
        );
        assert!(eager.len() > truth.len());
    }

    #[test]
    fn finite_lateness_drops_and_counts_and_evicts() {
        let ev = random_clicks(12, 30_000, 200, 5 * MINUTE, true);
        let lateness = Lateness {
            watermark_delay: MINUTE,
            allowed_lateness: Some(10 * MINUTE),
        };
        // What the gate admits is exactly what the output must summarize.
        let mut gate = LateGate::new(lateness);
        let admitted: Vec<Click> = ev
            .iter()
            .copied()
            .filter(|c| gate.admit(c.event_time) != Admission::Dropped)
            .collect();
        assert!(gate.dropped > 0, "the stragglers should be dropped");
        let truth = sessions(&admitted);
        for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
            let mut op = SessionStream::new(StreamConfig { lateness, policy });
            let mut exact = SessionStream::new(StreamConfig {
                lateness: Lateness::EXACT,
                policy,
            });
            let mut out = Vec::new();
            for (i, c) in ev.iter().enumerate() {
                op.on_event(c, &mut out);
                exact.on_event(c, &mut Vec::new());
                if i % 101 == 0 {
                    op.check_invariants();
                }
            }
            assert!(
                op.state_bytes() * 4 < exact.state_bytes(),
                "{policy}: state is evicted"
            );
            assert!(op.users.len() < 200);
            op.finish(&mut out);
            assert_eq!(
                op.late_stats(),
                LateStats {
                    late: gate.late,
                    dropped: gate.dropped
                }
            );
            assert!(materialize(&out) == truth, "{policy}");
        }
    }

    #[test]
    fn page_sets_count_small_and_large_ids_once_through_merges() {
        let mut spill = SpillLists::default();
        let (mut a, mut b) = (PageSet::default(), PageSet::default());
        for p in [1, 4, 127, 128, 1_000, 4, 1_000] {
            spill.insert(&mut a, p);
        }
        assert_eq!(a.len(), 5);
        for p in [0, 4, 129, 1_000, 70_000] {
            spill.insert(&mut b, p);
        }
        spill.union_into(&mut a, b);
        assert_eq!(a.spill, [128, 129, 1_000, 70_000]);
        assert_eq!(a.len(), 8);
        let mut c = PageSet::default();
        spill.union_into(&mut c, a);
        assert_eq!(c.len(), 8);
    }

    #[test]
    fn large_page_ids_and_many_sessions_per_user_match_the_reference() {
        let ev: Vec<Click> = random_clicks(13, 20_000, 30, 3 * 60 * MINUTE, true)
            .into_iter()
            .map(|c| Click {
                page: c.page * 40,
                ..c
            })
            .collect();
        let truth = sessions(&ev);
        for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
            let (out, _) = run(policy, Lateness::EXACT, &ev);
            assert!(materialize(&out) == truth, "{policy}");
        }
    }
}

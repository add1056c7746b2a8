//! Stream mode of `Sessionization`: a per-click operator in plain Rust.
//!
//! Each user keeps the sessions that may still change (usually one), sorted
//! by start and always more than [`SESSION_GAP_MS`] apart. A click extends
//! the session it falls within a gap of, starts a new one, or — arriving out
//! of order between two sessions — bridges them into one. Deadlines
//! (finality under [`EmitPolicy::Final`], eviction behind the horizon) sit
//! in one min-heap with at most one live entry per user, re-checked lazily
//! when they fire, so a click costs a hash lookup and a few comparisons.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::mem::size_of;

use rustc_hash::FxHashMap;

use crate::event::Click;
use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;
use crate::time::Millis;

use super::{SESSION_GAP_MS, Session, Sessionization};

/// No deadline queued.
const NEVER: Millis = Millis::MAX;

/// One session of a user that the operator still holds.
#[derive(Debug)]
struct OpenSession {
    start: Millis,
    end: Millis,
    clicks: u64,
    /// Distinct page ids, sorted (a handful per session: cheaper than a set).
    pages: Vec<u32>,
    /// The start under which this session's row currently stands in the
    /// output, if it was emitted: what a later change must retract.
    emitted: Option<Millis>,
}

impl OpenSession {
    /// The output row of this session.
    fn row(&self, user_id: u64) -> Session {
        Session {
            user_id,
            session_start: self.start,
            session_end: self.end,
            clicks: self.clicks,
            distinct_pages: self.pages.len() as u64,
        }
    }

    /// When the watermark passes this, no on-time click can reach the session.
    fn final_after(&self) -> Millis {
        self.end.saturating_add(SESSION_GAP_MS)
    }
}

/// A user's sessions and its queued deadline.
#[derive(Debug)]
struct UserState {
    /// Sorted by start; consecutive sessions are more than the gap apart.
    sessions: Vec<OpenSession>,
    /// Earliest deadline queued in the heap for this user ([`NEVER`] = none).
    /// Heap entries with another deadline are stale and skipped.
    armed: Millis,
}

/// What a click did to its user's sessions.
enum Touch {
    /// Started a new session at this index.
    Created(usize),
    /// Extended the session at this index.
    Extended(usize),
    /// Bridged the sessions at this index and the next into one at this index.
    Merged(usize),
}

/// Per-event sessionization operator.
pub struct SessionStream {
    cfg: StreamConfig,
    gate: LateGate,
    users: FxHashMap<u64, UserState>,
    /// `(deadline, user)`: something may happen for the user once the
    /// watermark passes the deadline.
    timers: BinaryHeap<Reverse<(Millis, u64)>>,
    /// Every session's distinct-page list.
    pages: PageLists,
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
            pages: PageLists::default(),
        }
    }

    /// Folds one admitted click into its user's sessions and emits what the
    /// policy asks for.
    fn apply(&mut self, c: &Click, out: &mut Vec<Emission<Session>>) {
        let user = self.users.entry(c.user_id).or_insert_with(|| UserState {
            sessions: Vec::new(),
            armed: NEVER,
        });
        let pages = &mut self.pages;
        let mut old_keys = [None, None];
        let touch = locate(&user.sessions, c.event_time);
        let idx = match touch {
            Touch::Created(i) => {
                user.sessions.insert(i, pages.open(c));
                i
            }
            Touch::Extended(i) => {
                old_keys[0] = user.sessions[i].emitted;
                i
            }
            Touch::Merged(i) => {
                let b = user.sessions.remove(i + 1);
                old_keys = [user.sessions[i].emitted, b.emitted];
                let a = &mut user.sessions[i];
                a.start = a.start.min(b.start);
                a.end = a.end.max(b.end);
                a.clicks += b.clicks;
                pages.union_into(&mut a.pages, &b.pages);
                pages.recycle(b.pages);
                i
            }
        };
        let s = &mut user.sessions[idx];
        if !matches!(touch, Touch::Created(_)) {
            s.start = s.start.min(c.event_time);
            s.end = s.end.max(c.event_time);
            s.clicks += 1;
            pages.insert(&mut s.pages, c.page);
        }
        let deadline = settle(self.cfg, c.user_id, s, &old_keys, out);
        arm(&mut self.timers, user, c.user_id, deadline);
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
                emit_final(user_id, &mut user.sessions, wm, out);
            }
            let evicted = evictable(&user.sessions, self.cfg.lateness.allowed_lateness, wm);
            for s in user.sessions.drain(..evicted) {
                self.pages.recycle(s.pages);
            }
            if user.sessions.is_empty() {
                self.users.remove(&user_id);
            } else if let Some(d) = next_deadline(self.cfg, &user.sessions) {
                user.armed = d;
                self.timers.push(Reverse((d, user_id)));
            }
        }
    }
}

/// The page lists of all sessions: a pool of cleared vectors reused for new
/// sessions (so the steady state allocates nothing) and the bookkeeping for
/// `state_bytes`.
#[derive(Debug, Default)]
struct PageLists {
    /// Cleared vectors of dropped sessions.
    pool: Vec<Vec<u32>>,
    /// Scratch space for merging two lists.
    scratch: Vec<u32>,
    /// Sessions currently held.
    live_sessions: usize,
    /// Capacity of every page vector owned (live, pooled, scratch).
    capacity: usize,
}

impl PageLists {
    /// A new one-click session.
    fn open(&mut self, c: &Click) -> OpenSession {
        let mut pages = self.pool.pop().unwrap_or_default();
        let before = pages.capacity();
        pages.push(c.page);
        self.capacity += pages.capacity() - before;
        self.live_sessions += 1;
        OpenSession {
            start: c.event_time,
            end: c.event_time,
            clicks: 1,
            pages,
            emitted: None,
        }
    }

    /// Takes back the page list of a dropped session.
    fn recycle(&mut self, mut pages: Vec<u32>) {
        pages.clear();
        self.live_sessions -= 1;
        self.pool.push(pages);
    }

    /// Inserts `page` into a sorted page list.
    fn insert(&mut self, pages: &mut Vec<u32>, page: u32) {
        if let Err(pos) = pages.binary_search(&page) {
            let before = pages.capacity();
            pages.insert(pos, page);
            self.capacity += pages.capacity() - before;
        }
    }

    /// `a := a ∪ b` for sorted lists, through the scratch vector.
    fn union_into(&mut self, a: &mut Vec<u32>, b: &[u32]) {
        let scratch = &mut self.scratch;
        let before = a.capacity() + scratch.capacity();
        scratch.clear();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            scratch.push(x.min(y));
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        scratch.extend_from_slice(&a[i..]);
        scratch.extend_from_slice(&b[j..]);
        std::mem::swap(a, scratch);
        self.capacity += (a.capacity() + scratch.capacity()).saturating_sub(before);
    }

    /// Approximate bytes held.
    fn bytes(&self) -> usize {
        self.live_sessions * size_of::<OpenSession>()
            + self.capacity * size_of::<u32>()
            + self.pool.capacity() * size_of::<Vec<u32>>()
    }
}

/// Where click time `t` lands among a user's sessions (sorted by start, more
/// than the gap apart). A click joins a session when it lies within
/// `[start - gap, end + gap]`; it can reach at most two adjacent sessions.
fn locate(sessions: &[OpenSession], t: Millis) -> Touch {
    let idx = sessions.partition_point(|s| s.start <= t.saturating_add(SESSION_GAP_MS));
    let reaches = |i: usize| sessions[i].end.saturating_add(SESSION_GAP_MS) >= t;
    if idx == 0 || !reaches(idx - 1) {
        return Touch::Created(idx);
    }
    if idx >= 2 && reaches(idx - 2) {
        Touch::Merged(idx - 2)
    } else {
        Touch::Extended(idx - 1)
    }
}

/// Emits what the policy asks for after session `s` changed; `old_keys` are
/// the emitted keys of the sessions it was before the change. Returns the
/// deadline the session now needs, if any.
fn settle(
    cfg: StreamConfig,
    user_id: u64,
    s: &mut OpenSession,
    old_keys: &[Option<Millis>; 2],
    out: &mut Vec<Emission<Session>>,
) -> Option<Millis> {
    let was_emitted = old_keys.iter().any(Option::is_some);
    let emit_now = match cfg.policy {
        EmitPolicy::Eager | EmitPolicy::EagerCorrect => true,
        // A change to a row already out is a correction: emit it now.
        EmitPolicy::Final => was_emitted,
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
    s.emitted = Some(s.start);
    evict_after(s, cfg)
}

/// When the watermark passes this, the session is behind the horizon and can
/// be dropped (`None` when nothing is ever evicted).
fn evict_after(s: &OpenSession, cfg: StreamConfig) -> Option<Millis> {
    cfg.lateness
        .allowed_lateness
        .map(|a| s.final_after().saturating_add(a))
}

/// Queues `deadline` for the user unless an earlier one is already queued.
fn arm(timers: &mut BinaryHeap<Reverse<(Millis, u64)>>, user: &mut UserState, user_id: u64, deadline: Option<Millis>) {
    if let Some(d) = deadline
        && d < user.armed
    {
        user.armed = d;
        timers.push(Reverse((d, user_id)));
    }
}

/// Emits every not-yet-emitted session the watermark has made final.
fn emit_final(user_id: u64, sessions: &mut [OpenSession], wm: Millis, out: &mut Vec<Emission<Session>>) {
    for s in sessions.iter_mut().filter(|s| s.emitted.is_none()) {
        if s.final_after() < wm {
            out.push(Emission::upsert(s.row(user_id), s.end));
            s.emitted = Some(s.start);
        }
    }
}

/// How many leading sessions are behind the horizon (`end + gap < wm -
/// allowed`): no admissible click can reach them any more. Sessions are
/// sorted by start and disjoint, hence by end too, so they form a prefix.
fn evictable(sessions: &[OpenSession], allowed: Option<Millis>, wm: Millis) -> usize {
    let Some(a) = allowed else {
        return 0;
    };
    sessions.partition_point(|s| s.final_after().saturating_add(a) < wm)
}

/// The earliest deadline among the sessions left: finality of a pending
/// session (policy `Final`) or eviction of the oldest one.
fn next_deadline(cfg: StreamConfig, sessions: &[OpenSession]) -> Option<Millis> {
    let evict = sessions.first().and_then(|s| evict_after(s, cfg));
    let pending = if cfg.policy == EmitPolicy::Final {
        sessions
            .iter()
            .filter(|s| s.emitted.is_none())
            .map(OpenSession::final_after)
            .min()
    } else {
        None
    };
    match (evict, pending) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
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
        self.users.capacity() * (size_of::<(u64, UserState)>() + 1)
            + self.pages.bytes()
            + self.timers.capacity() * size_of::<Reverse<(Millis, u64)>>()
    }

    fn late_stats(&self) -> LateStats {
        LateStats {
            late: self.gate.late,
            dropped: self.gate.dropped,
        }
    }
}

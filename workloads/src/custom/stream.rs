//! Stream mode of a custom workload: a per-event operator holding, per key,
//! the running aggregates ([`Acc`]) of every window that may still change.
//!
//! An admitted event that passes the filter is folded into its windows:
//! tumbling / sliding windows by start; for sessions it joins (and may
//! bridge) the key's sessions it is less than the gap from. Emission follows
//! the policy: `Eager` emits the windows the event updates; `EagerCorrect`
//! also retracts the keys of sessions merged away; `Final` emits a window
//! once the watermark reaches its end (no on-time event can change it), and
//! emits every later change of it at once as a correction. Windows whose end
//! is behind the horizon (watermark − allowed lateness) are evicted: no
//! admissible event can reach them. Deadlines sit in two min-heaps checked
//! lazily against the window's current end.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;
use crate::time::Millis;

use super::CustomWorkload;
use super::compiled::{Acc, Compiled, CustomEvent, CustomRow, Window};

/// A window that may still change.
#[derive(Debug)]
struct Win {
    acc: Acc,
    end: Millis,
    /// The start under which a row of this window stands in the output.
    out: Option<Millis>,
    /// `Final`: the window has had its final decision (changes are now
    /// corrections). Always true under the eager policies once emitted.
    decided: bool,
}

/// `(deadline, key, start)`.
type Timer = Reverse<(Millis, i64, Millis)>;

/// The per-event operator.
pub struct CustomStream {
    q: Arc<Compiled>,
    cfg: StreamConfig,
    gate: LateGate,
    /// Per key, windows by start.
    keys: FxHashMap<i64, BTreeMap<Millis, Win>>,
    /// `Final`: a window may become final when the watermark reaches this.
    finals: BinaryHeap<Timer>,
    /// Finite lateness: a window may be evicted when the watermark reaches this.
    evictions: BinaryHeap<Timer>,
    windows: usize,
    acc_bytes: usize,
}

impl CustomStream {
    /// A new operator with empty state.
    pub fn new(q: Arc<Compiled>, cfg: StreamConfig) -> Self {
        CustomStream {
            q,
            cfg,
            gate: LateGate::new(cfg.lateness),
            keys: FxHashMap::default(),
            finals: BinaryHeap::new(),
            evictions: BinaryHeap::new(),
            windows: 0,
            acc_bytes: 0,
        }
    }

    /// Folds an admitted, filtered event into its windows.
    fn apply(&mut self, e: &CustomEvent, out: &mut Vec<Emission<CustomRow>>) {
        let key = e.values[self.q.key];
        match self.q.window {
            Window::Sliding { size, .. } => {
                let starts: Vec<Millis> = self.q.window_starts(e.event_time).collect();
                for start in starts {
                    let wins = self.keys.entry(key).or_default();
                    let w = match wins.get_mut(&start) {
                        Some(w) => {
                            self.acc_bytes -= w.acc.bytes();
                            w.acc.merge(Acc::of(&self.q, e));
                            w
                        }
                        None => {
                            self.windows += 1;
                            wins.entry(start).or_insert(Win {
                                acc: Acc::of(&self.q, e),
                                end: start + size,
                                out: None,
                                decided: false,
                            })
                        }
                    };
                    self.acc_bytes += w.acc.bytes();
                    let (end, decided) = (w.end, w.decided);
                    settle(&self.q, self.cfg.policy, key, start, w, &[], out);
                    self.arm(key, start, end, decided);
                }
            }
            Window::Session { gap } => self.apply_session(e, key, gap, out),
        }
    }

    /// Folds an event into a key's sessions: joins every session it is less
    /// than the gap from (at most the one before and the one after).
    fn apply_session(
        &mut self,
        e: &CustomEvent,
        key: i64,
        gap: Millis,
        out: &mut Vec<Emission<CustomRow>>,
    ) {
        let t = e.event_time;
        let wins = self.keys.entry(key).or_default();
        let reached: Vec<Millis> = wins
            .range(..t.saturating_add(gap))
            .rev()
            .take(2)
            .filter(|(_, w)| t < w.end)
            .map(|(s, _)| *s)
            .collect();
        let mut acc = Acc::of(&self.q, e);
        let (mut stale, mut decided) = (Vec::new(), false);
        for s in reached {
            if let Some(w) = wins.remove(&s) {
                self.windows -= 1;
                self.acc_bytes -= w.acc.bytes();
                acc.merge(w.acc);
                stale.extend(w.out);
                decided |= w.decided;
            }
        }
        let start = acc.first;
        let mut w = Win {
            end: acc.newest + gap,
            acc,
            out: None,
            decided,
        };
        self.windows += 1;
        self.acc_bytes += w.acc.bytes();
        settle(&self.q, self.cfg.policy, key, start, &mut w, &stale, out);
        let (end, decided) = (w.end, w.decided);
        wins.insert(start, w);
        self.arm(key, start, end, decided);
    }

    /// Queues the window's finality and eviction deadlines.
    fn arm(&mut self, key: i64, start: Millis, end: Millis, decided: bool) {
        if self.cfg.policy == EmitPolicy::Final && !decided {
            self.finals.push(Reverse((end, key, start)));
        }
        if let Some(a) = self.cfg.lateness.allowed_lateness {
            self.evictions
                .push(Reverse((end.saturating_add(a), key, start)));
        }
    }

    /// Fires every deadline the watermark `wm` has reached.
    fn fire(&mut self, wm: Millis, out: &mut Vec<Emission<CustomRow>>) {
        while let Some(&Reverse((d, key, start))) = self.finals.peek() {
            if d > wm {
                break;
            }
            self.finals.pop();
            if let Some(w) = self.keys.get_mut(&key).and_then(|m| m.get_mut(&start))
                && w.end == d
                && !w.decided
            {
                w.decided = true;
                let row = w.acc.row(&self.q, key, start, w.end);
                if self.q.alerts(&row) {
                    out.push(Emission::upsert(row, w.acc.newest));
                    w.out = Some(start);
                }
            }
        }
        while let Some(&Reverse((d, key, start))) = self.evictions.peek() {
            if d > wm {
                break;
            }
            self.evictions.pop();
            let a = self.cfg.lateness.allowed_lateness.unwrap_or(0);
            let Some(m) = self.keys.get_mut(&key) else {
                continue;
            };
            if m.get(&start).is_some_and(|w| w.end.saturating_add(a) == d)
                && let Some(w) = m.remove(&start)
            {
                self.windows -= 1;
                self.acc_bytes -= w.acc.bytes();
                if m.is_empty() {
                    self.keys.remove(&key);
                }
            }
        }
    }
}

/// Emits what the policy asks for after window `w` of `key` (now starting
/// at `start`) changed; `stale` are the output keys of sessions merged into
/// it.
fn settle(
    q: &Compiled,
    policy: EmitPolicy,
    key: i64,
    start: Millis,
    w: &mut Win,
    stale: &[Millis],
    out: &mut Vec<Emission<CustomRow>>,
) {
    if policy == EmitPolicy::Final && !w.decided {
        return;
    }
    let row = w.acc.row(q, key, start, w.end);
    let passes = q.alerts(&row);
    let depends = w.acc.newest;
    let previous = stale.iter().copied().chain(w.out);
    for k in previous {
        let gone = k != start || !passes;
        let own = k == start;
        if gone && (policy != EmitPolicy::Eager || own) {
            out.push(Emission::retract((key, k), depends));
        }
    }
    if passes {
        out.push(Emission::upsert(row, depends));
    }
    w.out = passes.then_some(start);
    w.decided = true;
}

impl StreamOperator<CustomWorkload> for CustomStream {
    fn on_event(&mut self, e: &CustomEvent, out: &mut Vec<Emission<CustomRow>>) {
        if self.gate.admit(e.event_time) == Admission::Dropped {
            return;
        }
        if self.q.passes(e) {
            self.apply(e, out);
        }
        let wm = self.gate.watermark();
        self.fire(wm, out);
    }

    fn finish(&mut self, out: &mut Vec<Emission<CustomRow>>) {
        // Watermark at +∞: everything pending becomes final; nothing more
        // needs evicting.
        self.evictions.clear();
        self.fire(Millis::MAX, out);
    }

    fn state_bytes(&self) -> usize {
        self.acc_bytes
            + self.windows * (size_of::<(Millis, Win)>() * 4 / 3)
            + self.keys.capacity() * (size_of::<(i64, BTreeMap<Millis, Win>)>() + 1)
            + (self.finals.capacity() + self.evictions.capacity()) * size_of::<Timer>()
    }

    fn late_stats(&self) -> LateStats {
        LateStats {
            late: self.gate.late,
            dropped: self.gate.dropped,
        }
    }
}

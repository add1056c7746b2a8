//! Stream mode of `FraudAlerts`: a per-event operator in plain Rust.
//!
//! State per card is a small vector of its recent transactions sorted by
//! event time (arrivals are nearly in order, so inserting is usually a push).
//! Every entry carries, besides its time and country, the event time of the
//! nearest earlier entry with a *different* country, so both window rules are
//! O(1) per evaluation: `velocity` compares the time of the entry five places
//! back, `geo_hop` compares that "previous other country" time with the
//! window's start. Each entry also remembers which alerts it has emitted,
//! which makes emission exactly-once and corrections cheap (rules are
//! monotone: a late event can only add alerts).
//!
//! Policies: `Eager` evaluates a transaction once, on arrival. `EagerCorrect`
//! also re-checks the card's later transactions that a (late) arrival falls
//! into the window of. `Final` holds a transaction until the watermark has
//! passed its event time (a min-heap of pending times), then evaluates it;
//! late-but-admitted events re-check finalized transactions as corrections.
//! With a finite allowed lateness, entries older than `horizon - 300 s` are
//! evicted lazily per card and by an amortized sweep of idle cards.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rustc_hash::FxHashMap;

use crate::event::{Country, Transaction};
use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;
use crate::time::Millis;

use super::{
    Alert, FraudAlerts, GEO_WINDOW_MS, LARGE_AMOUNT_CENTS, Rule, VELOCITY_MIN_COUNT, VELOCITY_WINDOW_MS,
};

/// `velocity` has been emitted for the entry.
const VELOCITY: u8 = 1;
/// `geo_hop` has been emitted for the entry.
const GEO_HOP: u8 = 2;
/// How many idle-card sweep items one event may process (amortized eviction:
/// each event enqueues at most one item, so this keeps up).
const SWEEP_PER_EVENT: usize = 4;

/// One transaction in a card's history.
#[derive(Debug, Clone, Copy)]
struct Entry {
    event_time: Millis,
    txn_id: u64,
    /// Event time of the nearest earlier entry (in sorted order) whose
    /// country differs from this one's; `Millis::MIN` if none.
    prev_other: Millis,
    country: Country,
    /// `VELOCITY` / `GEO_HOP` bits already emitted.
    emitted: u8,
}

/// A card's recent transactions, sorted by event time.
#[derive(Debug, Default)]
struct Card {
    entries: Vec<Entry>,
    /// `Final`: entries `[0, finalized)` have had their final decision.
    finalized: usize,
    /// The card has an item in the eviction sweep queue.
    queued: bool,
}

impl Card {
    /// Inserts in event-time order after equal-time peers; returns the index.
    fn insert(&mut self, t: &Transaction) -> usize {
        let p = match self.entries.last() {
            Some(last) if last.event_time > t.event_time => {
                self.entries.partition_point(|e| e.event_time <= t.event_time)
            }
            _ => self.entries.len(),
        };
        let prev_other = match p.checked_sub(1).map(|i| self.entries[i]) {
            Some(before) if before.country != t.country => before.event_time,
            Some(before) => before.prev_other,
            None => Millis::MIN,
        };
        let entry = Entry {
            event_time: t.event_time,
            txn_id: t.txn_id,
            prev_other,
            country: t.country,
            emitted: 0,
        };
        self.entries.insert(p, entry);
        self.repair_prev_other(p + 1);
        p
    }

    /// Recomputes `prev_other` from `from` on after an insertion before it;
    /// stops at the first unchanged value, since each value depends only on
    /// its predecessor.
    fn repair_prev_other(&mut self, from: usize) {
        for j in from..self.entries.len() {
            let before = self.entries[j - 1];
            let cur = &mut self.entries[j];
            let value = if before.country != cur.country {
                before.event_time
            } else {
                before.prev_other
            };
            if value == cur.prev_other {
                return;
            }
            cur.prev_other = value;
        }
    }

    /// One past the last entry with the same event time as entry `i`.
    fn peers_end(&self, i: usize) -> usize {
        let t = self.entries[i].event_time;
        i + 1 + self.entries[i + 1..].iter().take_while(|e| e.event_time == t).count()
    }

    /// The first entry with the same event time as entry `i`.
    fn peers_start(&self, i: usize) -> usize {
        let t = self.entries[i].event_time;
        i - self.entries[..i].iter().rev().take_while(|e| e.event_time == t).count()
    }

    /// `velocity` for entry `i`, given `hi = peers_end(i)`: the fifth entry
    /// back from the window's end is inside `(t - 60 s, t]`.
    fn velocity(&self, i: usize, hi: usize) -> bool {
        hi >= VELOCITY_MIN_COUNT
            && self.entries[hi - VELOCITY_MIN_COUNT].event_time > self.entries[i].event_time - VELOCITY_WINDOW_MS
    }

    /// `geo_hop` for entry `i`, given `hi = peers_end(i)`: the window's last
    /// entry has another country, or the nearest earlier entry with another
    /// country is inside `(t - 300 s, t]`.
    fn geo_hop(&self, i: usize, hi: usize) -> bool {
        let t = self.entries[i];
        let last = self.entries[hi - 1];
        last.country != t.country || last.prev_other > t.event_time - GEO_WINDOW_MS
    }

    /// Evaluates entry `i` and emits the alerts it has not emitted yet.
    fn decide(&mut self, i: usize, out: &mut Vec<Emission<Alert>>) {
        let hi = self.peers_end(i);
        let mut fires = 0;
        if self.velocity(i, hi) {
            fires |= VELOCITY;
        }
        if self.geo_hop(i, hi) {
            fires |= GEO_HOP;
        }
        self.emit_new(i, fires, out);
    }

    /// Emits the alerts in `fires` that entry `i` has not emitted yet.
    fn emit_new(&mut self, i: usize, fires: u8, out: &mut Vec<Emission<Alert>>) {
        let e = &mut self.entries[i];
        let new = fires & !e.emitted;
        if new == 0 {
            return;
        }
        e.emitted |= new;
        for (bit, rule) in [(GEO_HOP, Rule::GeoHop), (VELOCITY, Rule::Velocity)] {
            if new & bit != 0 {
                out.push(Emission::upsert(Alert { txn_id: e.txn_id, rule }, e.event_time));
            }
        }
    }

    /// After entry `p` was inserted, re-checks the entries before `limit`
    /// whose window it falls into (event time in `[u, u + 300 s)`, peers
    /// included) and emits the alerts that now fire. Only missing alerts are
    /// re-checked: the new entry adds a `geo_hop` exactly to those with
    /// another country, and can complete a `velocity` count within 60 s.
    fn recheck_after(&mut self, p: usize, limit: usize, out: &mut Vec<Emission<Alert>>) {
        let u = self.entries[p];
        let mut hi = 0;
        for j in self.peers_start(p)..limit {
            let t = self.entries[j];
            if t.event_time >= u.event_time + GEO_WINDOW_MS {
                break;
            }
            if j == p || t.emitted == VELOCITY | GEO_HOP {
                continue;
            }
            let mut fires = 0;
            if t.emitted & VELOCITY == 0 && t.event_time < u.event_time + VELOCITY_WINDOW_MS {
                if hi <= j {
                    hi = self.peers_end(j);
                }
                if self.velocity(j, hi) {
                    fires |= VELOCITY;
                }
            }
            if t.country != u.country {
                fires |= GEO_HOP;
            }
            self.emit_new(j, fires, out);
        }
    }

    /// `Final`: decides every entry whose event time is behind the watermark.
    fn finalize(&mut self, watermark: Millis, out: &mut Vec<Emission<Alert>>) {
        while self.finalized < self.entries.len() && self.entries[self.finalized].event_time < watermark {
            self.decide(self.finalized, out);
            self.finalized += 1;
        }
    }

    /// `Final` at end of input: decides every entry not decided yet.
    fn finalize_all(&mut self, out: &mut Vec<Emission<Alert>>) {
        while self.finalized < self.entries.len() {
            self.decide(self.finalized, out);
            self.finalized += 1;
        }
    }

    /// Drops the entries at or before `cutoff`; returns how many.
    fn evict(&mut self, cutoff: Millis) -> usize {
        if self.entries.first().is_none_or(|e| e.event_time > cutoff) {
            return 0;
        }
        let k = self.entries.partition_point(|e| e.event_time <= cutoff);
        self.entries.drain(..k);
        self.finalized = self.finalized.saturating_sub(k);
        k
    }
}

/// The stream operator: per-card sorted histories, a late-data gate, the
/// pending heap of `Final` and the idle-card sweep queue.
pub struct FraudStream {
    policy: EmitPolicy,
    gate: LateGate,
    cards: FxHashMap<u64, Card>,
    /// `Final`: `(event_time, card)` of every transaction not yet decided.
    pending: BinaryHeap<Reverse<(Millis, u64)>>,
    /// Finite lateness: `(newest event time when queued, card)`, roughly in
    /// event-time order; popped once behind the eviction cutoff.
    sweep: VecDeque<(Millis, u64)>,
    /// Sum of the cards' entry-vector capacities (for `state_bytes`).
    entry_slots: usize,
}

impl FraudStream {
    /// A new operator with empty state.
    pub fn new(cfg: StreamConfig) -> Self {
        FraudStream {
            policy: cfg.policy,
            gate: LateGate::new(cfg.lateness),
            cards: FxHashMap::default(),
            pending: BinaryHeap::new(),
            sweep: VecDeque::new(),
            entry_slots: 0,
        }
    }

    /// Entries at or before this time can no longer be in the window of any
    /// transaction that will be decided or corrected; `None` = keep all.
    fn eviction_cutoff(&self) -> Option<Millis> {
        self.gate.horizon().map(|h| h.saturating_sub(GEO_WINDOW_MS))
    }

    /// Inserts `t` into its card and applies the policy's emissions.
    fn fold_in(&mut self, t: &Transaction, late: bool, out: &mut Vec<Emission<Alert>>) {
        let cutoff = self.eviction_cutoff();
        let card = self.cards.entry(t.card_id).or_default();
        let slots_before = card.entries.capacity();
        if let Some(c) = cutoff {
            card.evict(c);
            if !card.queued {
                card.queued = true;
                self.sweep.push_back((t.event_time, t.card_id));
            }
        }
        let p = card.insert(t);
        self.entry_slots += card.entries.capacity() - slots_before;
        match self.policy {
            EmitPolicy::Eager => card.decide(p, out),
            EmitPolicy::EagerCorrect => {
                card.decide(p, out);
                let len = card.entries.len();
                card.recheck_after(p, len, out);
            }
            EmitPolicy::Final if late => {
                // Behind the watermark: final now, and it corrects the
                // already-final transactions whose window it joins.
                debug_assert!(p <= card.finalized, "entries behind the watermark are all final");
                card.finalized += 1;
                card.decide(p, out);
                let limit = card.finalized;
                card.recheck_after(p, limit, out);
            }
            EmitPolicy::Final => self.pending.push(Reverse((t.event_time, t.card_id))),
        }
    }

    /// `Final`: decides every pending transaction behind `watermark`.
    fn release(&mut self, watermark: Millis, out: &mut Vec<Emission<Alert>>) {
        while let Some(&Reverse((event_time, card_id))) = self.pending.peek() {
            if event_time >= watermark {
                break;
            }
            self.pending.pop();
            if let Some(card) = self.cards.get_mut(&card_id) {
                card.finalize(watermark, out);
            }
        }
    }

    /// Amortized eviction of cards that received no events lately: a few
    /// queue items per event, each evicting its card's old entries and
    /// dropping the card when nothing is left.
    fn sweep(&mut self) {
        let Some(cutoff) = self.eviction_cutoff() else {
            return;
        };
        for _ in 0..SWEEP_PER_EVENT {
            match self.sweep.front() {
                Some(&(t, card_id)) if t <= cutoff => {
                    self.sweep.pop_front();
                    self.sweep_card(card_id, cutoff);
                }
                _ => return,
            }
        }
    }

    fn sweep_card(&mut self, card_id: u64, cutoff: Millis) {
        let Some(card) = self.cards.get_mut(&card_id) else {
            return;
        };
        card.evict(cutoff);
        match card.entries.last() {
            Some(newest) => self.sweep.push_back((newest.event_time, card_id)),
            None => {
                self.entry_slots -= card.entries.capacity();
                self.cards.remove(&card_id);
            }
        }
    }
}

/// Emits `large_amount`, which depends on the transaction alone and is
/// therefore final (and correct) on arrival under every policy.
fn large_amount(t: &Transaction, out: &mut Vec<Emission<Alert>>) {
    if t.amount_cents >= LARGE_AMOUNT_CENTS {
        out.push(Emission::upsert(
            Alert {
                txn_id: t.txn_id,
                rule: Rule::LargeAmount,
            },
            t.event_time,
        ));
    }
}

impl StreamOperator<FraudAlerts> for FraudStream {
    fn on_event(&mut self, t: &Transaction, out: &mut Vec<Emission<Alert>>) {
        let late = match self.gate.admit(t.event_time) {
            Admission::Dropped => return,
            Admission::Late => true,
            Admission::OnTime => false,
        };
        large_amount(t, out);
        self.fold_in(t, late, out);
        if self.policy == EmitPolicy::Final {
            self.release(self.gate.watermark(), out);
        }
        self.sweep();
    }

    fn finish(&mut self, out: &mut Vec<Emission<Alert>>) {
        // The watermark jumps to +∞: every pending transaction is final.
        while let Some(Reverse((_, card_id))) = self.pending.pop() {
            if let Some(card) = self.cards.get_mut(&card_id) {
                card.finalize_all(out);
            }
        }
    }

    fn state_bytes(&self) -> usize {
        use std::mem::size_of;
        self.entry_slots * size_of::<Entry>()
            + self.cards.capacity() * (size_of::<u64>() + size_of::<Card>() + 1)
            + self.pending.capacity() * size_of::<(Millis, u64)>()
            + self.sweep.capacity() * size_of::<(Millis, u64)>()
    }

    fn late_stats(&self) -> LateStats {
        LateStats {
            late: self.gate.late,
            dropped: self.gate.dropped,
        }
    }
}

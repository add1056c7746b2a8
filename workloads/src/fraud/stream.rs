//! Stream mode of `FraudAlerts`: a per-event operator in plain Rust.
//!
//! State per card is a small vector of its recent transactions sorted by
//! event time (arrivals are nearly in order, so inserting is usually a push).
//! Every entry carries, besides its time and country, how long before it the
//! entry four places back happened and how long before it the nearest
//! earlier entry with a *different* country happened. Both window rules are
//! then O(1) and touch only the entry evaluated (or its last equal-time peer):
//! `velocity` ⇔ the fourth earlier entry is within 60 s, `geo_hop` ⇔ another
//! country within 300 s. Each entry also remembers which alerts it has emitted,
//! which makes emission exactly-once and corrections cheap (rules are
//! monotone: a late event can only add alerts).
//!
//! Speed: with many cards the vector is a cache miss of its own after the
//! hash slot's. So the slot also keeps a copy of the vector's [`Tail`] (what
//! an arrival later than every entry reads): the common in-order arrival is
//! linked and decided from the slot alone and only appends to the vector.
//!
//! Policies: `Eager` evaluates a transaction once, on arrival. `EagerCorrect`
//! also re-checks the card's later transactions that a (late) arrival falls
//! into the window of. `Final` holds a transaction until the watermark has
//! passed its event time (a min-heap of pending times), then evaluates it;
//! late-but-admitted events re-check finalized transactions as corrections.
//! With a finite allowed lateness, entries older than `horizon - 300 s` are
//! evicted by an amortized sweep that visits every card about once per
//! eviction delay (a FIFO of cards keyed by their newest event time), and
//! from a card about to grow its vector.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::event::{Country, Transaction};
use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::Emission;
use crate::snapshot;
use crate::time::Millis;

use super::{
    Alert, FraudAlerts, GEO_WINDOW_MS, LARGE_AMOUNT_CENTS, Rule, VELOCITY_MIN_COUNT,
    VELOCITY_WINDOW_MS,
};

/// `velocity` has been emitted for the entry.
const VELOCITY: u8 = 1;
/// `geo_hop` has been emitted for the entry.
const GEO_HOP: u8 = 2;
/// How many idle-card sweep items one event may process (amortized eviction:
/// each event enqueues at most one item, so this keeps up).
const SWEEP_PER_EVENT: usize = 4;
/// Capacity of a card's first entries vector (256 bytes): most cards get
/// several transactions, and each growth step is a reallocation and copy.
const INITIAL_ENTRIES: usize = 8;

/// A gap too long to matter (or no such entry).
const FAR: u32 = u32::MAX;
/// Entries before the last one that `velocity` needs within its window.
const VELOCITY_BACK: usize = VELOCITY_MIN_COUNT - 1;

/// `newer - older` in ms (`newer >= older`), saturated at [`FAR`].
fn gap(newer: Millis, older: Millis) -> u32 {
    u32::try_from(newer.saturating_sub(older)).unwrap_or(FAR)
}

/// True when `gap` is strictly shorter than `window` ms: the older entry is
/// inside the window `(t - window, t]` of the newer one at `t`.
fn within(gap: u32, window: Millis) -> bool {
    i64::from(gap) < window
}

/// One transaction in a card's history (32 bytes).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Entry {
    event_time: Millis,
    txn_id: u64,
    /// Gap to the entry `VELOCITY_BACK` places earlier in sorted order;
    /// [`FAR`] if none.
    back_gap: u32,
    /// Gap to the nearest earlier entry (in sorted order) whose country
    /// differs from this one's; [`FAR`] if none.
    other_gap: u32,
    country: Country,
    /// `VELOCITY` / `GEO_HOP` bits already emitted.
    emitted: u8,
}

/// What an arrival later than all of its card's entries reads of them, kept
/// in the hash slot next to the entries vector: the newest entry's time,
/// country and `other_gap`, and the gaps from it back to the entries before
/// it that a new `back_gap` needs.
///
/// Why: the vector's tail lives in a separate heap block, and with many
/// cards it is a cache miss on nearly every event. With this copy the common
/// (in-order) arrival computes its links from the slot it has just looked
/// up and only *writes* the vector, a store the CPU does not wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Tail {
    /// Event time of the newest entry (meaningless while the card is empty).
    newest: Millis,
    /// `to_older[k]`: gap from the newest entry to the entry `k + 1` places
    /// before it; [`FAR`] if none.
    to_older: [u32; VELOCITY_BACK - 1],
    /// `other_gap` of the newest entry.
    other_gap: u32,
    /// Country of the newest entry.
    country: Country,
}

impl Tail {
    /// The tail of an empty card.
    const EMPTY: Tail = Tail {
        newest: Millis::MIN,
        to_older: [FAR; VELOCITY_BACK - 1],
        other_gap: FAR,
        country: [0; 2],
    };

    /// Reads the tail of sorted `entries` (after a change anywhere in them).
    fn of(entries: &[Entry]) -> Tail {
        let Some(newest) = entries.last() else {
            return Tail::EMPTY;
        };
        let mut to_older = [FAR; VELOCITY_BACK - 1];
        for (slot, e) in to_older.iter_mut().zip(entries.iter().rev().skip(1)) {
            *slot = gap(newest.event_time, e.event_time);
        }
        Tail {
            newest: newest.event_time,
            to_older,
            other_gap: newest.other_gap,
            country: newest.country,
        }
    }

    /// The entry for `t`, later than every entry of a non-empty card, with
    /// the links [`Card::link_back`] and [`Card::link_other`] would give it;
    /// `self` becomes the tail with it appended. Gaps add up exactly (and
    /// saturate at [`FAR`] exactly when the direct difference would).
    fn append(&mut self, t: &Transaction) -> Entry {
        let g = gap(t.event_time, self.newest);
        let back_gap = match self.to_older.last() {
            Some(&older) => g.saturating_add(older),
            None => g,
        };
        let other_gap = if self.country != t.country {
            g
        } else if self.other_gap == FAR {
            FAR
        } else {
            g.saturating_add(self.other_gap)
        };
        self.to_older.rotate_right(1);
        for (k, slot) in self.to_older.iter_mut().enumerate() {
            *slot = if k == 0 { g } else { g.saturating_add(*slot) };
        }
        self.newest = t.event_time;
        self.other_gap = other_gap;
        self.country = t.country;
        Entry {
            event_time: t.event_time,
            txn_id: t.txn_id,
            back_gap,
            other_gap,
            country: t.country,
            emitted: 0,
        }
    }
}

/// Emits the alerts in `fires` that entry `e` has not emitted yet.
fn emit_new(e: &mut Entry, fires: u8, out: &mut Vec<Emission<Alert>>) {
    let new = fires & !e.emitted;
    if new == 0 {
        return;
    }
    e.emitted |= new;
    for (bit, rule) in [(GEO_HOP, Rule::GeoHop), (VELOCITY, Rule::Velocity)] {
        if new & bit != 0 {
            out.push(Emission::upsert(
                Alert {
                    txn_id: e.txn_id,
                    rule,
                },
                e.event_time,
            ));
        }
    }
}

/// [`Card::decide`] for an entry that is the last of its card and has no
/// equal-time peer: it is the last entry of its own window, so both rules
/// read its links alone (and the vector is not touched).
fn decide_alone(e: &mut Entry, out: &mut Vec<Emission<Alert>>) {
    let mut fires = 0;
    if within(e.back_gap, VELOCITY_WINDOW_MS) {
        fires |= VELOCITY;
    }
    if within(e.other_gap, GEO_WINDOW_MS) {
        fires |= GEO_HOP;
    }
    emit_new(e, fires, out);
}

/// A card's recent transactions, sorted by event time.
#[derive(Debug, Serialize, Deserialize)]
struct Card {
    entries: Vec<Entry>,
    /// Always `Tail::of(&entries)`.
    tail: Tail,
    /// `Final`: entries `[0, finalized)` have had their final decision.
    finalized: usize,
    /// The card has an item in the eviction sweep queue.
    queued: bool,
}

impl Default for Card {
    fn default() -> Self {
        Card {
            entries: Vec::new(),
            tail: Tail::EMPTY,
            finalized: 0,
            queued: false,
        }
    }
}

impl Card {
    /// Whether `t` is later than every entry (the common, in-order case):
    /// it then has no equal-time peer and no entry after it, so its decision
    /// depends on its own links only and it re-checks nothing.
    fn is_after_all(&self, t: &Transaction) -> bool {
        !self.entries.is_empty() && t.event_time > self.tail.newest
    }

    /// Appends the entry of a transaction that [`Card::is_after_all`],
    /// built from the [`Tail`]; the vector is only written.
    fn append(&mut self, entry: Entry) {
        self.entries.push(entry);
        debug_assert_eq!(self.tail, Tail::of(&self.entries));
    }

    /// Inserts in event-time order after equal-time peers; returns the index.
    fn insert(&mut self, t: &Transaction) -> usize {
        if self.entries.capacity() == 0 {
            // Most cards get several transactions: skip the 1 → 4 → 8 steps.
            self.entries.reserve_exact(INITIAL_ENTRIES);
        }
        let p = match self.entries.last() {
            Some(last) if last.event_time > t.event_time => self
                .entries
                .partition_point(|e| e.event_time <= t.event_time),
            _ => self.entries.len(),
        };
        let entry = Entry {
            event_time: t.event_time,
            txn_id: t.txn_id,
            back_gap: FAR,
            other_gap: FAR,
            country: t.country,
            emitted: 0,
        };
        self.entries.insert(p, entry);
        self.link_back(p);
        self.link_other(p);
        self.tail = Tail::of(&self.entries);
        p
    }

    /// Recomputes `back_gap` of the entries whose `VELOCITY_BACK`-th
    /// predecessor changed by inserting at `p`: `p` and the next
    /// `VELOCITY_BACK`. (Right after an eviction the first entries compute
    /// [`FAR`]: their evicted predecessors are outside every window that
    /// will still be evaluated.)
    fn link_back(&mut self, p: usize) {
        let end = self.entries.len().min(p + VELOCITY_BACK + 1);
        for j in p..end {
            self.entries[j].back_gap = match j.checked_sub(VELOCITY_BACK) {
                Some(k) => gap(self.entries[j].event_time, self.entries[k].event_time),
                None => FAR,
            };
        }
    }

    /// Recomputes `other_gap` from `p` on after inserting at `p`; stops at
    /// the first unchanged value after `p`, since each value depends only on
    /// its predecessor.
    fn link_other(&mut self, p: usize) {
        for j in p..self.entries.len() {
            let cur = self.entries[j];
            let value = match j.checked_sub(1).map(|i| self.entries[i]) {
                None => FAR,
                Some(before) if before.country != cur.country => {
                    gap(cur.event_time, before.event_time)
                }
                Some(before) if before.other_gap == FAR => FAR,
                Some(before) => {
                    gap(cur.event_time, before.event_time).saturating_add(before.other_gap)
                }
            };
            if j > p && value == cur.other_gap {
                return;
            }
            self.entries[j].other_gap = value;
        }
    }

    /// One past the last entry with the same event time as entry `i`.
    fn peers_end(&self, i: usize) -> usize {
        let t = self.entries[i].event_time;
        i + 1
            + self.entries[i + 1..]
                .iter()
                .take_while(|e| e.event_time == t)
                .count()
    }

    /// The first entry with the same event time as entry `i`.
    fn peers_start(&self, i: usize) -> usize {
        let t = self.entries[i].event_time;
        i - self.entries[..i]
            .iter()
            .rev()
            .take_while(|e| e.event_time == t)
            .count()
    }

    /// `velocity` for entry `i`, given `hi = peers_end(i)`: the window's
    /// last entry (a peer of `i`, same event time) has its
    /// `VELOCITY_BACK`-th predecessor within 60 s.
    fn velocity(&self, hi: usize) -> bool {
        within(self.entries[hi - 1].back_gap, VELOCITY_WINDOW_MS)
    }

    /// `geo_hop` for entry `i`, given `hi = peers_end(i)`: the window's last
    /// entry has another country, or its nearest earlier entry with another
    /// country is within 300 s.
    fn geo_hop(&self, i: usize, hi: usize) -> bool {
        let last = self.entries[hi - 1];
        last.country != self.entries[i].country || within(last.other_gap, GEO_WINDOW_MS)
    }

    /// Evaluates entry `i` and emits the alerts it has not emitted yet.
    fn decide(&mut self, i: usize, out: &mut Vec<Emission<Alert>>) {
        let hi = self.peers_end(i);
        let mut fires = 0;
        if self.velocity(hi) {
            fires |= VELOCITY;
        }
        if self.geo_hop(i, hi) {
            fires |= GEO_HOP;
        }
        self.emit_new(i, fires, out);
    }

    /// Emits the alerts in `fires` that entry `i` has not emitted yet.
    fn emit_new(&mut self, i: usize, fires: u8, out: &mut Vec<Emission<Alert>>) {
        emit_new(&mut self.entries[i], fires, out);
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
            if t.event_time >= u.event_time.saturating_add(GEO_WINDOW_MS) {
                break;
            }
            if j == p || t.emitted == VELOCITY | GEO_HOP {
                continue;
            }
            let mut fires = 0;
            if t.emitted & VELOCITY == 0
                && t.event_time < u.event_time.saturating_add(VELOCITY_WINDOW_MS)
            {
                if hi <= j {
                    hi = self.peers_end(j);
                }
                if self.velocity(hi) {
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
        while self.finalized < self.entries.len()
            && self.entries[self.finalized].event_time < watermark
        {
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
        // Entries right after the evicted ones lose their predecessors.
        self.tail = Tail::of(&self.entries);
        self.finalized = self.finalized.saturating_sub(k);
        k
    }
}

/// The stream operator: per-card sorted histories, a late-data gate, the
/// pending heap of `Final` and the idle-card sweep queue. All of it is the
/// checkpointed state.
#[derive(Serialize, Deserialize)]
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
    #[serde(skip)]
    entry_slots: usize,
}

/// What checkpoint errors call this operator.
const WHAT: &str = "the fraud-alerts stream operator";

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
            // Evict before the vector would grow (its front is another cache
            // line; otherwise the sweep gets to it).
            if card.entries.len() == card.entries.capacity() {
                card.evict(c);
            }
            if !card.queued {
                card.queued = true;
                self.sweep.push_back((t.event_time, t.card_id));
            }
        }
        if card.is_after_all(t) {
            let mut entry = card.tail.append(t);
            match self.policy {
                EmitPolicy::Final if !late => {
                    self.pending.push(Reverse((t.event_time, t.card_id)));
                }
                EmitPolicy::Final => {
                    // Behind the watermark, like every entry before it: final now.
                    debug_assert_eq!(card.finalized, card.entries.len());
                    card.finalized += 1;
                    decide_alone(&mut entry, out);
                }
                EmitPolicy::Eager | EmitPolicy::EagerCorrect => decide_alone(&mut entry, out),
            }
            card.append(entry);
            self.entry_slots += card.entries.capacity() - slots_before;
            return;
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
                debug_assert!(
                    p <= card.finalized,
                    "entries behind the watermark are all final"
                );
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

    /// Evicts one card's old entries; drops the card or queues it again.
    fn sweep_card(&mut self, card_id: u64, cutoff: Millis) {
        let Some(card) = self.cards.get_mut(&card_id) else {
            return;
        };
        card.evict(cutoff);
        match card.entries.last() {
            Some(newest) => {
                self.sweep.push_back((newest.event_time, card_id));
                // Give back the memory of a past burst.
                let cap = card.entries.capacity();
                if cap > 4 * card.entries.len().max(4) {
                    card.entries.shrink_to(2 * card.entries.len());
                    self.entry_slots -= cap - card.entries.capacity();
                }
            }
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

    fn snapshot(&self) -> Result<Vec<u8>> {
        snapshot::save(WHAT, self)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let mut saved: FraudStream = snapshot::load(WHAT, bytes)?;
        snapshot::same(WHAT, "policy", saved.policy, self.policy)?;
        snapshot::same(
            WHAT,
            "lateness",
            saved.gate.lateness(),
            self.gate.lateness(),
        )?;
        saved.entry_slots = saved.cards.values().map(|c| c.entries.capacity()).sum();
        *self = saved;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::ModeConfig;
    use crate::fraud::reference::alerts;
    use crate::fraud::reference::testkit::{assert_exactly_once, random_transactions, run_config};
    use crate::mode::Lateness;

    fn txn(txn_id: u64, country: &[u8; 2], event_time: i64) -> Transaction {
        Transaction {
            txn_id,
            card_id: 1,
            merchant_id: 1,
            amount_cents: 10,
            country: *country,
            event_time,
        }
    }

    fn stream(policy: EmitPolicy, lateness: Lateness) -> ModeConfig {
        ModeConfig::Stream(StreamConfig { lateness, policy })
    }

    fn unbounded(delay: Millis) -> Lateness {
        Lateness {
            watermark_delay: delay,
            allowed_lateness: None,
        }
    }

    fn feed(policy: EmitPolicy, events: &[Transaction]) -> Vec<Vec<Alert>> {
        let mut op = FraudStream::new(StreamConfig {
            lateness: Lateness::EXACT,
            policy,
        });
        let mut steps = Vec::new();
        for e in events {
            let mut out = Vec::new();
            op.on_event(e, &mut out);
            steps.push(crate::output::materialize(&out));
        }
        let mut out = Vec::new();
        op.finish(&mut out);
        steps.push(crate::output::materialize(&out));
        steps
    }

    fn a(txn_id: u64, rule: Rule) -> Alert {
        Alert { txn_id, rule }
    }

    #[test]
    fn late_peer_corrects_eager_correct_but_not_eager() {
        // t=2 (US) arrives first; a FR payment at the same time arrives late.
        let ev = [
            txn(1, b"US", 1_000),
            txn(2, b"US", 5_000),
            txn(3, b"FR", 5_000),
        ];
        let ec = feed(EmitPolicy::EagerCorrect, &[ev[1], ev[0], ev[2]]);
        assert_eq!(ec[2], vec![a(2, Rule::GeoHop), a(3, Rule::GeoHop)]);
        let eager = feed(EmitPolicy::Eager, &[ev[1], ev[0], ev[2]]);
        assert_eq!(eager[2], vec![a(3, Rule::GeoHop)]);
    }

    #[test]
    fn late_event_corrects_only_transactions_within_300s_after_it() {
        let ev = [
            txn(1, b"US", 0),
            txn(2, b"US", 100_000),
            txn(3, b"US", 399_999),
            txn(4, b"US", 400_000), // exactly 300 s after the late FR one: outside
            txn(5, b"FR", 100_000), // late
        ];
        for policy in [EmitPolicy::EagerCorrect, EmitPolicy::Final] {
            let steps = feed(policy, &ev);
            assert_eq!(
                steps[4],
                vec![a(2, Rule::GeoHop), a(3, Rule::GeoHop), a(5, Rule::GeoHop)],
                "{policy}"
            );
            assert_eq!(steps.iter().flatten().count(), 3, "{policy}");
        }
    }

    #[test]
    fn final_waits_until_the_watermark_passes_the_event_time() {
        let ev: Vec<_> = (0..5).map(|i| txn(i, b"US", 10 * i as i64)).collect();
        let mut with_peer = ev.clone();
        with_peer.push(txn(9, b"US", 40)); // a peer of the fifth: the watermark has not passed 40
        with_peer.push(txn(10, b"US", 70_000));
        let steps = feed(EmitPolicy::Final, &with_peer);
        assert!(steps[..6].iter().all(Vec::is_empty), "{steps:?}");
        assert_eq!(steps[6], vec![a(4, Rule::Velocity), a(9, Rule::Velocity)]);
        assert!(steps[7].is_empty(), "70_000 has fewer than 5 in its window");
        // Eager decides the fifth on arrival.
        assert_eq!(feed(EmitPolicy::Eager, &ev)[4], vec![a(4, Rule::Velocity)]);
    }

    #[test]
    fn late_velocity_completion_is_a_correction() {
        // Four payments, then the fifth arrives late but inside the 60 s windows.
        let on_time = [
            txn(1, b"US", 10_000),
            txn(2, b"US", 20_000),
            txn(3, b"US", 30_000),
            txn(4, b"US", 69_999),
        ];
        let mut ev = on_time.to_vec();
        ev.push(txn(5, b"US", 100_000));
        ev.push(txn(6, b"US", 9_999)); // late: 4's window (9_999, 69_999] excludes it; 3 has four
        ev.push(txn(7, b"US", 10_000)); // late peer of 1: 3's and 4's windows now hold five
        let steps = feed(EmitPolicy::Final, &ev);
        assert_eq!(steps[5], vec![]);
        assert_eq!(steps[6], vec![a(3, Rule::Velocity), a(4, Rule::Velocity)]);
        assert_eq!(steps.concat(), alerts(&ev));
    }

    #[test]
    fn exact_policies_equal_the_reference_on_shuffled_input() {
        let ev = random_transactions(11, 50_000, 300, 900_000, true);
        let truth = alerts(&ev);
        for lateness in [Lateness::EXACT, unbounded(30_000), unbounded(600_000)] {
            for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
                let (rows, changelog, stats) = run_config(&stream(policy, lateness), &ev);
                assert!(stats.late > 0 && stats.dropped == 0);
                assert_exactly_once(&changelog);
                assert_eq!(rows, truth, "{policy} {lateness:?}");
            }
        }
    }

    #[test]
    fn eager_on_out_of_order_input_misses_alerts() {
        let ev = random_transactions(12, 20_000, 100, 900_000, false);
        let truth = alerts(&ev);
        let (rows, changelog, _) = run_config(&stream(EmitPolicy::Eager, Lateness::EXACT), &ev);
        assert_exactly_once(&changelog);
        assert!(
            rows.len() < truth.len(),
            "{} vs {}",
            rows.len(),
            truth.len()
        );
        assert!(
            rows.iter().all(|r| truth.binary_search(r).is_ok()),
            "monotone rules: never a false alert"
        );
    }

    #[test]
    fn finite_lateness_drops_late_events_and_evicts_state() {
        let ev = random_transactions(13, 30_000, 200, 600_000, true);
        let lateness = Lateness {
            watermark_delay: 0,
            allowed_lateness: Some(60_000),
        };
        let (_, _, stats) = run_config(&stream(EmitPolicy::Final, lateness), &ev);
        assert!(stats.dropped > 0 && stats.late > stats.dropped, "{stats:?}");
        let kept: Vec<_> = {
            // What the gate admits: the output must equal the reference over it.
            let mut gate = LateGate::new(lateness);
            ev.iter()
                .copied()
                .filter(|e| gate.admit(e.event_time) != Admission::Dropped)
                .collect()
        };
        for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
            let (rows, _, _) = run_config(&stream(policy, lateness), &ev);
            assert_eq!(rows, alerts(&kept), "{policy}");
        }
    }

    #[test]
    fn lateness_within_the_allowance_stays_exact_with_bounded_state() {
        let ev = random_transactions(14, 50_000, 300, 120_000, false);
        let lateness = Lateness {
            watermark_delay: 10_000,
            allowed_lateness: Some(120_000),
        };
        let truth = alerts(&ev);
        for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
            let mut op = FraudStream::new(StreamConfig { lateness, policy });
            let mut out = Vec::new();
            let mut peak_entries = 0;
            for e in &ev {
                op.on_event(e, &mut out);
                peak_entries =
                    peak_entries.max(op.cards.values().map(|c| c.entries.len()).sum::<usize>());
            }
            op.finish(&mut out);
            assert_eq!(op.late_stats().dropped, 0);
            assert_eq!(crate::output::materialize(&out), truth, "{policy}");
            assert!(
                peak_entries < ev.len() / 4,
                "state not evicted: {peak_entries} entries"
            );
            assert!(op.state_bytes() > 0);
        }
    }
}

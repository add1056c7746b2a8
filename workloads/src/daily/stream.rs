//! Stream mode of `daily-report`: a per-event operator keeping, per day, the
//! running sales per (store, category), the revenue per product and the
//! day's top 3 maintained incrementally.
//!
//! Emission policies, as they apply to this workload:
//!
//! * [`EmitPolicy::Eager`]: each admitted order emits the rows it directly
//!   updates, as they stand now: its (day, store, category) sales row and
//!   every rank of its day's top 3 whose row changed. An order can change
//!   no other row, so nothing is ever owed retroactively: Eager's final
//!   output equals the truth for every admitted order (its intermediate
//!   rows are not final, which is what latency/precision measure).
//! * [`EmitPolicy::EagerCorrect`]: identical to Eager here, for that reason.
//!   (No rank row can vanish either: a day's product count only grows.)
//! * [`EmitPolicy::Final`]: a day's rows are emitted once, when the watermark
//!   reaches the end of the day (`watermark >= (day + 1) * 86_400_000`, i.e.
//!   no event of that day is expected any more). A late but admitted order of
//!   a day already emitted re-emits its corrected sales row and the changed
//!   ranks at once; an order of a never-seen day already behind the
//!   watermark makes that day final immediately.
//!
//! `depends_on`: a sales row depends on the newest order aggregated into it;
//! a top row on the newest order of its day (any order of the day can move a
//! rank). With a finite allowed lateness, a day is evicted once its end is at
//! or behind the gate's horizon: every order that could still change it would
//! be dropped.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::event::Order;
use crate::mode::{Admission, EmitPolicy, LateGate, LateStats, StreamConfig, StreamOperator};
use crate::output::{Change, Emission};
use crate::snapshot;
use crate::time::{DAY, Millis, day_of};
use serde::{Deserialize, Serialize};

use super::reference::order_revenue;
use super::{DailyKey, DailyReport, DailyRow, DailySales, TOP_N, TopProduct};

const N: usize = TOP_N as usize;

/// Running totals of one (day, store, category) group.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct SalesAcc {
    orders: u64,
    units: u64,
    revenue_cents: i64,
    max_time: Millis,
}

/// The best [`TOP_N`] (product, revenue) pairs of a day, best first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct TopN {
    entries: [(u32, i64); N],
    len: usize,
}

/// Ranking order: higher revenue first, then the smaller product id.
#[inline]
fn ranks_before(a: (u32, i64), b: (u32, i64)) -> bool {
    a.1 > b.1 || (a.1 == b.1 && a.0 < b.0)
}

impl TopN {
    /// The entry at 0-based `rank`, if the day has that many products.
    #[inline]
    fn get(&self, rank: usize) -> Option<(u32, i64)> {
        (rank < self.len).then(|| self.entries[rank])
    }

    /// Folds in that `product`'s revenue grew to `revenue`. Exact because a
    /// product's revenue never decreases: products outside the top can only
    /// enter it through their own growth, which is offered here.
    #[inline]
    fn raise(&mut self, product: u32, revenue: i64) {
        let cand = (product, revenue);
        let mut i = match self.entries[..self.len].iter().position(|e| e.0 == product) {
            Some(i) => i,
            None if self.len < N => {
                self.len += 1;
                self.len - 1
            }
            None if ranks_before(cand, self.entries[N - 1]) => N - 1,
            None => return,
        };
        self.entries[i] = cand;
        while i > 0 && ranks_before(self.entries[i], self.entries[i - 1]) {
            self.entries.swap(i, i - 1);
            i -= 1;
        }
    }

    /// Recomputes the top from every product of the day (only needed if a
    /// revenue ever went down, which valid input never does).
    fn rebuild(products: &FxHashMap<u32, i64>) -> TopN {
        let mut all: Vec<(u32, i64)> = products.iter().map(|(&p, &r)| (p, r)).collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut top = TopN::default();
        for (slot, e) in top.entries.iter_mut().zip(all) {
            *slot = e;
            top.len += 1;
        }
        top
    }
}

/// Everything the operator keeps about one day.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DayState {
    sales: FxHashMap<(u32, u32), SalesAcc>,
    products: FxHashMap<u32, i64>,
    top: TopN,
    /// The top rows as last emitted, per rank.
    emitted_top: [Option<(u32, i64)>; N],
    /// Newest order of the day (what top rows depend on).
    max_time: Millis,
    /// Changes are emitted as they happen: always under the eager policies,
    /// and under Final once the day has been emitted.
    emitting: bool,
}

impl DayState {
    /// An empty day; `emitting` as for [`DayState::emitting`].
    fn new(emitting: bool) -> Self {
        DayState {
            max_time: Millis::MIN,
            emitting,
            ..DayState::default()
        }
    }

    /// Adds one order; returns the (store, category) group it updated and
    /// that group's new totals.
    #[inline]
    fn fold(&mut self, o: &Order) -> ((u32, u32), SalesAcc) {
        let revenue = order_revenue(o);
        let key = (o.store_id, o.category);
        let acc = self.sales.entry(key).or_default();
        acc.orders += 1;
        acc.units += u64::from(o.quantity);
        acc.revenue_cents += revenue;
        acc.max_time = if acc.orders == 1 {
            o.event_time
        } else {
            acc.max_time.max(o.event_time)
        };
        let acc = *acc;
        let total = self.products.entry(o.product_id).or_insert(0);
        *total += revenue;
        let total = *total;
        if revenue >= 0 {
            self.top.raise(o.product_id, total);
        } else {
            self.top = TopN::rebuild(&self.products);
        }
        self.max_time = self.max_time.max(o.event_time);
        (key, acc)
    }

    /// The sales row of one group, with what it depends on.
    #[inline]
    fn sales_emission(day: i32, key: (u32, u32), acc: &SalesAcc) -> Emission<DailyRow> {
        let row = DailySales {
            day,
            store_id: key.0,
            category: key.1,
            orders: acc.orders,
            units: acc.units,
            revenue_cents: acc.revenue_cents,
        };
        Emission::upsert(DailyRow::Sales(row), acc.max_time)
    }

    /// Emits every rank whose row differs from what was last emitted.
    fn emit_top_changes(&mut self, day: i32, out: &mut Vec<Emission<DailyRow>>) {
        for rank in 0..N {
            let now = self.top.get(rank);
            if now == self.emitted_top[rank] {
                continue;
            }
            let rank_no = rank as u8 + 1;
            out.push(match now {
                Some((product_id, revenue_cents)) => Emission::upsert(
                    DailyRow::Top(TopProduct {
                        day,
                        rank: rank_no,
                        product_id,
                        revenue_cents,
                    }),
                    self.max_time,
                ),
                None => Emission::retract(DailyKey::Top { day, rank: rank_no }, self.max_time),
            });
            self.emitted_top[rank] = now;
        }
    }

    /// Emits all of the day's rows (sales in output order, then the top).
    fn emit_all(&mut self, day: i32, out: &mut Vec<Emission<DailyRow>>) {
        let start = out.len();
        out.extend(
            self.sales
                .iter()
                .map(|(&k, acc)| Self::sales_emission(day, k, acc)),
        );
        // Output order within the day, so the changelog is readable and stable.
        out[start..].sort_unstable_by_key(|e| match &e.change {
            Change::Upsert(row) => Some(*row),
            Change::Retract(_) => None,
        });
        self.emit_top_changes(day, out);
    }

    /// Approximate heap and inline bytes of this day.
    fn bytes(&self) -> usize {
        let sales_entry = std::mem::size_of::<((u32, u32), SalesAcc)>() + 1;
        let product_entry = std::mem::size_of::<(u32, i64)>() + 1;
        std::mem::size_of::<(i32, DayState)>()
            + 1
            + self.sales.capacity() * sales_entry
            + self.products.capacity() * product_entry
    }
}

/// The first millisecond after `day`: the watermark at which it is final.
#[inline]
fn day_end(day: i32) -> Millis {
    (i64::from(day) + 1) * DAY
}

/// Per-event operator of `daily-report` (see the module docs for policies).
/// All of it is the checkpointed state.
#[derive(Serialize, Deserialize)]
pub struct DailyStream {
    gate: LateGate,
    policy: EmitPolicy,
    days: FxHashMap<i32, DayState>,
    /// Days not yet emitted under Final, smallest (next to close) first.
    open: BTreeSet<i32>,
    /// Watermark at which the first open day becomes final.
    next_close: Millis,
    /// Every day held, smallest (next to evict) first.
    live: BTreeSet<i32>,
    /// Horizon at which the first live day can be evicted.
    next_evict: Millis,
}

impl DailyStream {
    /// A new operator with no state.
    pub fn new(cfg: StreamConfig) -> Self {
        DailyStream {
            gate: LateGate::new(cfg.lateness),
            policy: cfg.policy,
            days: FxHashMap::default(),
            open: BTreeSet::new(),
            next_close: Millis::MAX,
            live: BTreeSet::new(),
            next_evict: Millis::MAX,
        }
    }

    /// The state of `day`, created (and scheduled) on first use.
    #[inline]
    fn day_state(&mut self, day: i32) -> &mut DayState {
        let eager = self.policy != EmitPolicy::Final;
        let (open, live) = (&mut self.open, &mut self.live);
        let (next_close, next_evict) = (&mut self.next_close, &mut self.next_evict);
        self.days.entry(day).or_insert_with(|| {
            live.insert(day);
            *next_evict = (*next_evict).min(day_end(day));
            if !eager {
                open.insert(day);
                *next_close = (*next_close).min(day_end(day));
            }
            DayState::new(eager)
        })
    }

    /// Emits every open day whose end the watermark `wm` has reached.
    fn close_due(&mut self, wm: Millis, out: &mut Vec<Emission<DailyRow>>) {
        while let Some(&day) = self.open.first()
            && day_end(day) <= wm
        {
            self.open.pop_first();
            if let Some(state) = self.days.get_mut(&day) {
                state.emit_all(day, out);
                state.emitting = true;
            }
        }
        self.next_close = self.open.first().map_or(Millis::MAX, |&d| day_end(d));
    }

    /// Drops every day whose end is at or behind the horizon `h`: orders
    /// that could still change it are all dropped by the gate.
    fn evict_due(&mut self, h: Millis, out: &mut Vec<Emission<DailyRow>>) {
        while let Some(&day) = self.live.first()
            && day_end(day) <= h
        {
            self.live.pop_first();
            if self.open.remove(&day) {
                // Unreachable while the horizon trails the watermark; emit
                // rather than lose the day if that ever changes.
                if let Some(state) = self.days.get_mut(&day) {
                    state.emit_all(day, out);
                }
            }
            self.days.remove(&day);
        }
        self.next_evict = self.live.first().map_or(Millis::MAX, |&d| day_end(d));
        self.next_close = self.open.first().map_or(Millis::MAX, |&d| day_end(d));
    }
}

impl StreamOperator<DailyReport> for DailyStream {
    fn on_event(&mut self, e: &Order, out: &mut Vec<Emission<DailyRow>>) {
        if self.gate.admit(e.event_time) == Admission::Dropped {
            return;
        }
        let day = day_of(e.event_time);
        let state = self.day_state(day);
        let (key, acc) = state.fold(e);
        if state.emitting {
            out.push(DayState::sales_emission(day, key, &acc));
            state.emit_top_changes(day, out);
        }
        let wm = self.gate.watermark();
        if wm >= self.next_close {
            self.close_due(wm, out);
        }
        if let Some(h) = self.gate.horizon()
            && h >= self.next_evict
        {
            self.evict_due(h, out);
        }
    }

    fn finish(&mut self, out: &mut Vec<Emission<DailyRow>>) {
        self.close_due(Millis::MAX, out);
    }

    fn state_bytes(&self) -> usize {
        let sets = (self.open.len() + self.live.len()) * 2 * std::mem::size_of::<i32>();
        std::mem::size_of::<Self>() + sets + self.days.values().map(DayState::bytes).sum::<usize>()
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
        let saved: DailyStream = snapshot::load(WHAT, bytes)?;
        snapshot::same(WHAT, "policy", saved.policy, self.policy)?;
        snapshot::same(
            WHAT,
            "lateness",
            saved.gate.lateness(),
            self.gate.lateness(),
        )?;
        *self = saved;
        Ok(())
    }
}

/// What checkpoint errors call this operator.
const WHAT: &str = "the daily-report stream operator";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::drive_stream;
    use crate::mode::Lateness;
    use crate::output::materialize;
    use crate::time::{HOUR, MINUTE};

    use super::super::reference::report;
    use super::super::reference::tests::{T0, order, random_orders};

    fn run(
        policy: EmitPolicy,
        lateness: Lateness,
        ev: &[Order],
    ) -> (Vec<Emission<DailyRow>>, DailyStream) {
        let mut op = DailyStream::new(StreamConfig { lateness, policy });
        let log = drive_stream::<DailyReport>(&mut op, ev);
        (log, op)
    }

    fn exact(policy: EmitPolicy, ev: &[Order]) -> Vec<Emission<DailyRow>> {
        run(policy, Lateness::EXACT, ev).0
    }

    fn top_rows(log: &[Emission<DailyRow>]) -> Vec<(u8, u32, i64)> {
        log.iter()
            .filter_map(|e| match e.change {
                Change::Upsert(DailyRow::Top(t)) => Some((t.rank, t.product_id, t.revenue_cents)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn top_n_keeps_ties_in_product_order_while_growing() {
        let mut top = TopN::default();
        for (p, r) in [
            (5, 10),
            (3, 10),
            (9, 10),
            (1, 10),
            (9, 20),
            (3, 20),
            (7, 15),
        ] {
            top.raise(p, r);
        }
        assert_eq!(top.len, 3);
        assert_eq!(top.entries, [(3, 20), (9, 20), (7, 15)]);
        top.raise(1, 20);
        assert_eq!(top.entries, [(1, 20), (3, 20), (9, 20)]);
    }

    #[test]
    fn rows_depend_on_the_newest_order_also_before_1970() {
        let log = exact(
            EmitPolicy::Eager,
            &[order(1, 1, 1, 0, 9, -5), order(2, 2, 2, 0, 1, -3)],
        );
        let deps: Vec<Millis> = log.iter().map(|e| e.depends_on).collect();
        // Order 1: its sales row and rank 1; order 2: its sales row and rank 2
        // (a top row depends on the newest order of its day).
        assert_eq!(deps, vec![-5, -5, -3, -3]);
    }

    #[test]
    fn final_emits_a_day_when_the_watermark_reaches_its_end() {
        let ev = [
            order(1, 1, 1, 0, 100, T0 - 5),
            order(2, 1, 2, 0, 50, T0 - 1),
        ];
        let mut op = DailyStream::new(StreamConfig {
            lateness: Lateness::EXACT,
            policy: EmitPolicy::Final,
        });
        let mut out = Vec::new();
        for e in &ev {
            op.on_event(e, &mut out);
        }
        assert!(out.is_empty(), "watermark T0 - 1 is still inside the day");
        op.on_event(&order(3, 1, 1, 0, 7, T0), &mut out);
        assert_eq!(top_rows(&out), vec![(1, 1, 100), (2, 2, 50)]);
        assert_eq!(
            out.len(),
            3,
            "one sales row and two ranks, nothing of the new day"
        );
        let day_max = out.iter().map(|e| e.depends_on).max();
        assert_eq!(day_max, Some(T0 - 1));
        op.finish(&mut out);
        assert_eq!(out.len(), 5);
    }

    #[test]
    fn final_corrects_an_emitted_day_on_a_late_order() {
        let ev = [
            order(1, 1, 1, 0, 100, T0 - 5),
            order(2, 1, 2, 0, 50, T0 + HOUR),
            order(3, 1, 2, 0, 110, T0 - 3),
        ];
        let log = exact(EmitPolicy::Final, &ev);
        // The first day is final at order 2; order 3 is late: its sales row
        // is corrected, product 2 (110) takes rank 1 and product 1 moves to
        // rank 2; the second day comes at the end.
        assert_eq!(
            top_rows(&log),
            vec![(1, 1, 100), (1, 2, 110), (2, 1, 100), (1, 2, 50)]
        );
        let sales = log
            .iter()
            .filter(|e| matches!(e.change, Change::Upsert(DailyRow::Sales(_))))
            .count();
        assert_eq!(sales, 3);
        assert_eq!(materialize(&log), report(&ev));
    }

    #[test]
    fn a_late_order_of_an_unseen_day_behind_the_watermark_is_final_at_once() {
        let ev = [
            order(1, 1, 1, 0, 100, T0 + HOUR),
            order(2, 2, 2, 1, 70, T0 - DAY),
        ];
        let mut op = DailyStream::new(StreamConfig {
            lateness: Lateness::EXACT,
            policy: EmitPolicy::Final,
        });
        let mut out = Vec::new();
        op.on_event(&ev[0], &mut out);
        op.on_event(&ev[1], &mut out);
        assert_eq!(out.len(), 2, "its sales row and rank 1");
        assert_eq!(
            op.late_stats(),
            LateStats {
                late: 1,
                dropped: 0
            }
        );
    }

    #[test]
    fn eager_emits_every_order_and_ends_exact_even_out_of_order() {
        let data = random_orders(2_000, 5);
        let truth = report(&data.events);
        let eager = exact(EmitPolicy::Eager, &data.events);
        let final_log = exact(EmitPolicy::Final, &data.events);
        let sales_upserts = eager
            .iter()
            .filter(|e| matches!(e.change, Change::Upsert(DailyRow::Sales(_))))
            .count();
        assert_eq!(sales_upserts, data.events.len(), "one sales row per order");
        let provisional = eager
            .iter()
            .filter(|e| matches!(&e.change, Change::Upsert(r) if truth.binary_search(r).is_err()))
            .count();
        assert!(provisional > 0, "eager shows rows that are not final");
        assert!(eager.len() > final_log.len());
        assert_eq!(materialize(&eager), truth);
        assert_eq!(exact(EmitPolicy::EagerCorrect, &data.events), eager);
    }

    #[test]
    fn final_and_eager_correct_equal_the_reference_on_late_input() {
        let data = random_orders(5_000, 9);
        let truth = report(&data.events);
        for delay in [0, MINUTE, 2 * HOUR] {
            for policy in EmitPolicy::ALL {
                let lateness = Lateness {
                    watermark_delay: delay,
                    allowed_lateness: None,
                };
                let (log, op) = run(policy, lateness, &data.events);
                assert_eq!(materialize(&log), truth, "{policy} delay {delay}");
                assert!(op.late_stats().late > 0 || delay > 0);
                assert_eq!(op.late_stats().dropped, 0);
            }
        }
    }

    #[test]
    fn final_emits_each_row_once_when_nothing_is_late() {
        let mut ev: Vec<Order> = (0..300)
            .map(|i| {
                order(
                    i,
                    (i % 3) as u32,
                    (i % 7) as u32,
                    0,
                    10,
                    T0 + i as i64 * 20 * MINUTE,
                )
            })
            .collect();
        ev.sort_by_key(|o| o.event_time);
        let log = exact(EmitPolicy::Final, &ev);
        assert_eq!(log.len(), report(&ev).len());
    }

    #[test]
    fn finite_lateness_drops_counts_and_evicts() {
        let lateness = Lateness {
            watermark_delay: MINUTE,
            allowed_lateness: Some(HOUR),
        };
        let ev = [
            order(1, 1, 1, 0, 100, T0 - HOUR),
            order(2, 1, 1, 0, 100, T0 + 3 * HOUR),
            order(3, 1, 1, 0, 100, T0 - 1), // > 1 h behind: dropped
            order(4, 1, 1, 0, 100, T0 + 2 * HOUR + 30 * MINUTE), // late, admitted
        ];
        for policy in EmitPolicy::ALL {
            let (log, op) = run(policy, lateness, &ev);
            assert_eq!(
                op.late_stats(),
                LateStats {
                    late: 2,
                    dropped: 1
                },
                "{policy}"
            );
            assert_eq!(op.days.len(), 1, "day -1 evicted behind the horizon");
            let kept = [ev[0], ev[1], ev[3]];
            assert_eq!(materialize(&log), report(&kept), "{policy}");
        }
    }

    #[test]
    fn state_bytes_grows_with_state() {
        let mut op = DailyStream::new(StreamConfig::EXACT);
        let empty = op.state_bytes();
        let mut out = Vec::new();
        for i in 0..100 {
            op.on_event(&order(i, i as u32, i as u32, 0, 1, T0), &mut out);
        }
        assert!(op.state_bytes() > empty + 100 * 16);
    }
}

//! Ground truth for `daily-report` (`shared/workloads.md` §2), computed
//! straight from the contract with ordered maps and a sort: no DataFusion, no
//! incremental state, arrival order ignored. The other modes are tested
//! against it.

use std::collections::BTreeMap;

use crate::event::Order;
use crate::time::day_of;

use super::{DailyRow, DailySales, TOP_N, TopProduct};

/// Revenue of one order: `quantity * unit_price_cents`.
pub fn order_revenue(o: &Order) -> i64 {
    i64::from(o.quantity) * o.unit_price_cents
}

/// Ground-truth output rows (`daily_sales` and `daily_top_products`), sorted.
pub fn report(events: &[Order]) -> Vec<DailyRow> {
    let mut rows: Vec<DailyRow> = daily_sales(events)
        .into_iter()
        .map(DailyRow::Sales)
        .collect();
    rows.extend(top_products(events).into_iter().map(DailyRow::Top));
    rows.sort();
    rows
}

/// One row per (day, store, category) with orders: count, units, revenue.
fn daily_sales(events: &[Order]) -> Vec<DailySales> {
    let mut groups: BTreeMap<(i32, u32, u32), (u64, u64, i64)> = BTreeMap::new();
    for o in events {
        let acc = groups
            .entry((day_of(o.event_time), o.store_id, o.category))
            .or_default();
        acc.0 += 1;
        acc.1 += u64::from(o.quantity);
        acc.2 += order_revenue(o);
    }
    groups
        .into_iter()
        .map(
            |((day, store_id, category), (orders, units, revenue_cents))| DailySales {
                day,
                store_id,
                category,
                orders,
                units,
                revenue_cents,
            },
        )
        .collect()
}

/// Per day, the [`TOP_N`] products by total revenue over all stores, ties
/// broken by the smaller product id.
fn top_products(events: &[Order]) -> Vec<TopProduct> {
    let mut per_day: BTreeMap<i32, BTreeMap<u32, i64>> = BTreeMap::new();
    for o in events {
        *per_day
            .entry(day_of(o.event_time))
            .or_default()
            .entry(o.product_id)
            .or_default() += order_revenue(o);
    }
    let mut out = Vec::new();
    for (day, products) in per_day {
        let mut ranked: Vec<(u32, i64)> = products.into_iter().collect();
        // Highest revenue first; equal revenue: smaller product id first.
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (rank, (product_id, revenue_cents)) in (1..=TOP_N).zip(ranked) {
            out.push(TopProduct {
                day,
                rank,
                product_id,
                revenue_cents,
            });
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    //! Unit tests of the contract's corner cases, plus the shared random
    //! input and the all-modes equivalence test.

    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    use super::*;
    use crate::dataset::Dataset;
    use crate::dict::Dictionary;
    use crate::drive::{ModeConfig, run_mode};
    use crate::mode::{EmitPolicy, JobConfig, Lateness, StreamConfig};
    use crate::output::materialize;
    use crate::time::{DAY, HOUR, MINUTE, SECOND};

    use super::super::DailyReport;

    /// Midnight UTC of 2026-01-01.
    pub(crate) const T0: i64 = 1_767_225_600_000;

    /// A one-unit order (revenue = `price`).
    pub(crate) fn order(
        id: u64,
        store: u32,
        product: u32,
        category: u32,
        price: i64,
        t: i64,
    ) -> Order {
        Order {
            order_id: id,
            store_id: store,
            product_id: product,
            category,
            quantity: 1,
            unit_price_cents: price,
            event_time: t,
        }
    }

    fn sales(rows: &[DailyRow]) -> Vec<DailySales> {
        rows.iter()
            .filter_map(|r| match r {
                DailyRow::Sales(s) => Some(*s),
                DailyRow::Top(_) => None,
            })
            .collect()
    }

    fn tops(rows: &[DailyRow]) -> Vec<(i32, u8, u32, i64)> {
        rows.iter()
            .filter_map(|r| match r {
                DailyRow::Top(t) => Some((t.day, t.rank, t.product_id, t.revenue_cents)),
                DailyRow::Sales(_) => None,
            })
            .collect()
    }

    #[test]
    fn day_boundary_is_exact_to_the_millisecond() {
        let d = day_of(T0);
        let rows = report(&[order(1, 1, 1, 0, 100, T0 - 1), order(2, 1, 1, 0, 200, T0)]);
        let s = sales(&rows);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].day, s[0].revenue_cents), (d - 1, 100));
        assert_eq!((s[1].day, s[1].revenue_cents), (d, 200));
    }

    #[test]
    fn negative_times_round_down_to_the_previous_day() {
        let rows = report(&[
            order(1, 1, 1, 0, 5, -1),
            order(2, 1, 1, 0, 7, 0),
            order(3, 1, 1, 0, 9, -DAY),
        ]);
        assert_eq!(tops(&rows), vec![(-1, 1, 1, 14), (0, 1, 1, 7)]);
    }

    #[test]
    fn sums_count_orders_units_and_revenue() {
        let mut a = order(1, 3, 9, 2, 250, T0);
        a.quantity = 4;
        let b = order(2, 3, 8, 2, 100, T0 + 5);
        let s = sales(&report(&[a, b]));
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].orders, s[0].units, s[0].revenue_cents), (2, 5, 1100));
    }

    #[test]
    fn ties_go_to_the_smaller_product_and_only_three_rank() {
        let ev = [
            order(1, 1, 40, 0, 300, T0),
            order(2, 2, 30, 0, 300, T0 + 1),
            order(3, 1, 20, 0, 100, T0 + 2),
            order(4, 1, 10, 0, 300, T0 + 3),
            order(5, 1, 20, 0, 200, T0 + 4),
        ];
        let d = day_of(T0);
        assert_eq!(
            tops(&report(&ev)),
            vec![(d, 1, 10, 300), (d, 2, 20, 300), (d, 3, 30, 300)]
        );
    }

    #[test]
    fn a_day_with_fewer_products_has_fewer_ranks() {
        let ev = [order(1, 1, 7, 0, 0, T0), order(2, 1, 8, 0, 5, T0)];
        let d = day_of(T0);
        assert_eq!(tops(&report(&ev)), vec![(d, 1, 8, 5), (d, 2, 7, 0)]);
    }

    /// Category names of [`random_orders`], interned in a sorted dictionary.
    pub(crate) const CATEGORIES: [&str; 5] = ["books", "garden", "grocery", "toys", "zebra"];

    /// About `n` random orders over three days starting at [`T0`], in an
    /// out-of-order arrival: most orders arrive roughly in event-time order,
    /// a share is hours late and a few are a day late. Every day also gets
    /// orders at its first and last millisecond and designed ties: on day
    /// 0 products 901..=904 tie for the lead (ranks go to 901, 902, 903), on
    /// day 1 product 905 leads and 906..=908 tie behind it, each built from
    /// many equal orders so the ties also occur while totals grow.
    pub(crate) fn random_orders(n: usize, seed: u64) -> Dataset<Order> {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut ev: Vec<Order> = Vec::with_capacity(n + 200);
        let mut id = 0u64;
        let mut push = |ev: &mut Vec<Order>, store, product, category, quantity, price, t| {
            id += 1;
            ev.push(Order {
                order_id: id,
                store_id: store,
                product_id: product,
                category,
                quantity,
                unit_price_cents: price,
                event_time: t,
            });
        };
        for _ in 0..n {
            let t = T0 + rng.random_range(0..3 * DAY);
            let (store, product, cat) = (
                rng.random_range(1..=8),
                rng.random_range(1..=60),
                rng.random_range(0..5),
            );
            let (q, p) = (rng.random_range(1..=3), 100 * rng.random_range(0..=20));
            push(&mut ev, store, product, cat, q, p, t);
        }
        for day in 0..3 {
            let start = T0 + day * DAY;
            for t in [start, start + DAY - 1, start + DAY - 1, start + 1] {
                push(&mut ev, 1, 1, 0, 1, 100, t);
            }
        }
        let ties: [(i64, u32, u32); 6] = [
            (0, 901, 1),
            (0, 902, 1),
            (0, 903, 1),
            (0, 904, 1),
            (1, 905, 2),
            (1, 906, 1),
        ];
        for (day, product, weight) in ties.into_iter().chain([(1, 907, 1), (1, 908, 1)]) {
            for _ in 0..20 * weight {
                let t = T0 + day * DAY + rng.random_range(0..DAY);
                push(&mut ev, rng.random_range(1..=8), product, 4, 1, 100_000, t);
            }
        }
        Dataset::from_arrival_order(
            late_arrival(ev, &mut rng),
            Dictionary::from_values(CATEGORIES),
        )
    }

    /// Orders the events by a perturbed arrival key: 70% on time, 28% up to
    /// six hours late, 2% up to a day and a half late; ties shuffled.
    fn late_arrival(mut ev: Vec<Order>, rng: &mut Pcg64Mcg) -> Vec<Order> {
        ev.shuffle(rng);
        let mut keyed: Vec<(i64, Order)> = ev
            .into_iter()
            .map(|o| {
                let delay = match rng.random_range(0..100) {
                    0..70 => 0,
                    70..98 => rng.random_range(0..6 * HOUR),
                    _ => rng.random_range(0..36 * HOUR),
                };
                (o.event_time + delay, o)
            })
            .collect();
        keyed.sort_by_key(|&(k, _)| k);
        keyed.into_iter().map(|(_, o)| o).collect()
    }

    /// Every mode configuration that promises the exact final output, with
    /// intervals coarse enough for a debug-build test over ~50k orders.
    fn exact_configs() -> Vec<ModeConfig> {
        let unbounded = |delay| Lateness {
            watermark_delay: delay,
            allowed_lateness: None,
        };
        let stream = |lateness, policy| ModeConfig::Stream(StreamConfig { lateness, policy });
        vec![
            ModeConfig::Batch { interval_ms: DAY },
            ModeConfig::Batch { interval_ms: HOUR },
            ModeConfig::MicroBatch {
                trigger_ms: 10 * MINUTE,
                lateness: Lateness::EXACT,
            },
            ModeConfig::MicroBatch {
                trigger_ms: 30 * MINUTE,
                lateness: unbounded(MINUTE),
            },
            stream(Lateness::EXACT, EmitPolicy::Final),
            stream(Lateness::EXACT, EmitPolicy::EagerCorrect),
            stream(unbounded(10 * MINUTE), EmitPolicy::Final),
            stream(unbounded(30 * SECOND), EmitPolicy::EagerCorrect),
            // Eager is exact too for this workload: an order only changes
            // rows it directly updates (see `stream`).
            stream(Lateness::EXACT, EmitPolicy::Eager),
        ]
    }

    #[test]
    fn every_exact_mode_equals_the_reference_on_late_random_orders() {
        let data = random_orders(50_000, 7);
        let truth = report(&data.events);
        let d0 = day_of(T0);
        let expected_top = [
            (d0, 1, 901),
            (d0, 2, 902),
            (d0, 3, 903),
            (d0 + 1, 1, 905),
            (d0 + 1, 2, 906),
            (d0 + 1, 3, 907),
        ];
        let got_top: Vec<(i32, u8, u32)> = tops(&truth)
            .into_iter()
            .map(|(d, r, p, _)| (d, r, p))
            .take(6)
            .collect();
        assert_eq!(
            got_top, expected_top,
            "the designed ties decide days 0 and 1"
        );
        for cfg in exact_configs() {
            let (log, stats) =
                run_mode(&DailyReport, &cfg, &JobConfig::default(), &data).expect("mode runs");
            assert_eq!(stats.dropped, 0, "{cfg:?}");
            let rows = materialize(&log);
            assert!(
                rows == truth,
                "{cfg:?}: {} rows vs {} expected",
                rows.len(),
                truth.len()
            );
        }
    }

    #[test]
    fn fully_shuffled_input_equals_the_reference_in_every_mode() {
        let mut data = random_orders(3_000, 11);
        data.events.shuffle(&mut Pcg64Mcg::seed_from_u64(3));
        let data = Dataset::from_arrival_order(data.events, data.dict);
        let truth = report(&data.events);
        for cfg in exact_configs() {
            let (log, _) =
                run_mode(&DailyReport, &cfg, &JobConfig::default(), &data).expect("mode runs");
            assert!(materialize(&log) == truth, "{cfg:?}");
        }
    }
}

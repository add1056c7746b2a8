//! Ground truth for `FraudAlerts`, straight from the contract
//! (`shared/workloads.md` §1): group by card, sort by event time, and for each
//! transaction look at the range of the card's transactions inside its window.
//! Arrival order is ignored. Deliberately simple; the other modes are checked
//! against it.

use std::collections::BTreeMap;

use crate::event::Transaction;

use super::{
    Alert, GEO_WINDOW_MS, LARGE_AMOUNT_CENTS, Rule, VELOCITY_MIN_COUNT, VELOCITY_WINDOW_MS,
};

/// Ground-truth output rows, sorted by `txn_id` then `rule`.
///
/// O(n log n): one sort per card, then two binary searches per transaction
/// and a precomputed run of equal countries answer each rule without
/// scanning a window (a card with a burst of thousands of payments would
/// make a scan quadratic).
pub fn alerts(events: &[Transaction]) -> Vec<Alert> {
    let mut by_card: BTreeMap<u64, Vec<&Transaction>> = BTreeMap::new();
    for e in events {
        by_card.entry(e.card_id).or_default().push(e);
    }
    let mut out = Vec::new();
    for txns in by_card.values_mut() {
        txns.sort_by_key(|t| t.event_time);
        let runs = country_runs(txns);
        for t in txns.iter() {
            for rule in rules_for(t, txns, &runs) {
                out.push(Alert {
                    txn_id: t.txn_id,
                    rule,
                });
            }
        }
    }
    out.sort();
    out
}

/// For each position `k` of the sorted card, the first position of the run
/// of equal countries that ends at `k`: `card[runs[k]..=k]` all have
/// `card[k].country`, and `card[runs[k] - 1]` (if any) has another.
fn country_runs(card: &[&Transaction]) -> Vec<usize> {
    let mut runs = Vec::with_capacity(card.len());
    for (k, t) in card.iter().enumerate() {
        let start = match k {
            0 => 0,
            _ if card[k - 1].country == t.country => runs[k - 1],
            _ => k,
        };
        runs.push(start);
    }
    runs
}

/// The rules that hold for `t`, given all transactions of its card sorted by
/// event time and their [`country_runs`].
fn rules_for(t: &Transaction, card: &[&Transaction], runs: &[usize]) -> Vec<Rule> {
    let mut rules = Vec::new();
    if t.amount_cents >= LARGE_AMOUNT_CENTS {
        rules.push(Rule::LargeAmount);
    }
    if window(card, t, VELOCITY_WINDOW_MS).len() >= VELOCITY_MIN_COUNT {
        rules.push(Rule::Velocity);
    }
    // Some country in the window differs from t's unless the whole window
    // is one run of t's country (t is in its own window, so it is not empty).
    let geo = window(card, t, GEO_WINDOW_MS);
    let (lo, hi) = (geo.start, geo.end - 1);
    if card[hi].country != t.country || runs[hi] > lo {
        rules.push(Rule::GeoHop);
    }
    rules
}

/// The index range of the transactions `u` of the (sorted) card with
/// `t.event_time - width < u.event_time <= t.event_time`, `t` itself and its
/// equal-time peers included.
fn window(card: &[&Transaction], t: &Transaction, width: i64) -> std::ops::Range<usize> {
    let lo = card.partition_point(|u| u.event_time <= t.event_time.saturating_sub(width));
    let hi = card.partition_point(|u| u.event_time <= t.event_time);
    lo..hi
}

/// Test support shared by the tests of every mode: a random input
/// generator and helpers to run a mode and check its changelog.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::event::Transaction;

    use crate::fraud::Alert;

    /// Random transactions for the tests of every mode: bursty per-card
    /// timelines (so `velocity` fires), mostly a home country with occasional
    /// hops, some large amounts, many equal event times, in a shuffled arrival
    /// order where each event is delayed by up to `max_delay` (plus a few
    /// events delayed by up to an hour when `stragglers` is set).
    pub(crate) fn random_transactions(
        seed: u64,
        n: usize,
        cards: u64,
        max_delay: i64,
        stragglers: bool,
    ) -> Vec<Transaction> {
        use rand::{Rng, SeedableRng};

        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let start: i64 = 1_767_225_600_000;
        let countries: [[u8; 2]; 4] = [*b"US", *b"FR", *b"DE", *b"JP"];
        let mut clock: Vec<i64> = (0..cards)
            .map(|_| start + rng.random_range(0..600_000))
            .collect();
        let mut keyed = Vec::with_capacity(n);
        for txn_id in 0..n as u64 {
            let card_id = rng.random_range(0..cards);
            let c = &mut clock[card_id as usize];
            // Bursts of quick payments, otherwise minutes apart; coarse times
            // make equal event times common.
            let gap = if rng.random_bool(0.6) {
                rng.random_range(0..20_000)
            } else {
                rng.random_range(0..400_000)
            };
            *c += gap;
            let event_time = if rng.random_bool(0.3) {
                *c - *c % 5_000
            } else {
                *c
            };
            let home = countries[(card_id % 4) as usize];
            let country = if rng.random_bool(0.05) {
                countries[rng.random_range(0..4)]
            } else {
                home
            };
            let amount_cents = if rng.random_bool(0.02) {
                1_000_000 + rng.random_range(-1..5_000_000)
            } else {
                rng.random_range(0..200_000)
            };
            let mut delay = rng.random_range(0..=max_delay);
            if stragglers && rng.random_bool(0.002) {
                delay += rng.random_range(0..3_600_000);
            }
            let t = Transaction {
                txn_id,
                card_id,
                merchant_id: rng.random_range(0..1000),
                amount_cents,
                country,
                event_time,
            };
            keyed.push((event_time + delay, rng.random::<u32>(), t));
        }
        keyed.sort_by_key(|&(arrive, tie, _)| (arrive, tie));
        keyed.into_iter().map(|(_, _, t)| t).collect()
    }

    /// Runs one mode configuration over `events` (in arrival order) and returns
    /// the materialized output and the late-data counters, for the tests of
    /// every mode.
    pub(crate) fn run_config(
        cfg: &crate::drive::ModeConfig,
        events: &[Transaction],
    ) -> (
        Vec<Alert>,
        Vec<crate::output::Emission<Alert>>,
        crate::mode::LateStats,
    ) {
        let data = crate::dataset::Dataset::from_arrival_order(
            events.to_vec(),
            crate::dict::Dictionary::default(),
        );
        let (changelog, stats) = crate::drive::run_mode(
            &crate::fraud::FraudAlerts,
            cfg,
            &crate::mode::JobConfig::default(),
            &data,
        )
        .unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
        (crate::output::materialize(&changelog), changelog, stats)
    }

    /// Asserts that a changelog never upserts the same alert twice (alerts are
    /// monotone: exactly-once emission) and never retracts.
    pub(crate) fn assert_exactly_once(changelog: &[crate::output::Emission<Alert>]) {
        let mut seen = std::collections::HashSet::new();
        for e in changelog {
            match &e.change {
                crate::output::Change::Upsert(a) => assert!(seen.insert(*a), "{a:?} emitted twice"),
                crate::output::Change::Retract(a) => panic!("{a:?} retracted"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::random_transactions;
    use super::*;

    fn txn(
        txn_id: u64,
        card_id: u64,
        country: &[u8; 2],
        amount_cents: i64,
        event_time: i64,
    ) -> Transaction {
        Transaction {
            txn_id,
            card_id,
            merchant_id: 1,
            amount_cents,
            country: *country,
            event_time,
        }
    }

    fn rows(v: &[(u64, Rule)]) -> Vec<Alert> {
        v.iter()
            .map(|&(txn_id, rule)| Alert { txn_id, rule })
            .collect()
    }

    #[test]
    fn large_amount_threshold_is_inclusive() {
        let ev = [txn(1, 1, b"US", 999_999, 0), txn(2, 2, b"US", 1_000_000, 0)];
        assert_eq!(alerts(&ev), rows(&[(2, Rule::LargeAmount)]));
    }

    #[test]
    fn velocity_window_excludes_its_lower_edge_and_counts_peers() {
        // Five payments in (t - 60 s, t]: the one exactly 60 s before t does not count.
        let ev: Vec<_> = [0, 1, 2, 3, 60_000]
            .iter()
            .enumerate()
            .map(|(i, &t)| txn(i as u64, 7, b"US", 1, t))
            .collect();
        assert_eq!(alerts(&ev), vec![]);
        // With a peer at 60_000 the window (0, 60_000] holds 1, 2, 3 and two peers: 5.
        let mut ev = ev;
        ev.push(txn(9, 7, b"US", 1, 60_000));
        assert_eq!(
            alerts(&ev),
            rows(&[(4, Rule::Velocity), (9, Rule::Velocity)])
        );
    }

    #[test]
    fn geo_hop_looks_back_only_and_excludes_the_lower_edge() {
        let ev = [
            txn(1, 1, b"US", 1, 0),
            txn(2, 1, b"FR", 1, 300_000), // US at exactly t - 300 s: outside
            txn(3, 1, b"DE", 1, 300_001), // FR inside
            txn(4, 1, b"DE", 1, 600_000), // FR at 300_000: outside; DE only
            txn(5, 2, b"JP", 1, 5),       // other card: never a hop for card 1
        ];
        assert_eq!(alerts(&ev), rows(&[(3, Rule::GeoHop)]));
    }

    #[test]
    fn peers_at_equal_time_see_each_other() {
        let ev = [txn(1, 1, b"US", 1, 100), txn(2, 1, b"FR", 1, 100)];
        assert_eq!(alerts(&ev), rows(&[(1, Rule::GeoHop), (2, Rule::GeoHop)]));
    }

    #[test]
    fn arrival_order_is_ignored() {
        let ev = random_transactions(3, 2_000, 20, 600_000, true);
        let mut sorted = ev.clone();
        sorted.sort_by_key(|t| (t.event_time, t.txn_id));
        assert_eq!(alerts(&ev), alerts(&sorted));
        let out = alerts(&ev);
        for rule in [Rule::LargeAmount, Rule::Velocity, Rule::GeoHop] {
            assert!(
                out.iter().any(|a| a.rule == rule),
                "the generator never fires {rule:?}"
            );
        }
    }

    /// The contract read literally: every pair of transactions of a card.
    fn quadratic_alerts(events: &[Transaction]) -> Vec<Alert> {
        let mut out = Vec::new();
        for t in events {
            let near = |width: i64| {
                events.iter().filter(move |u| {
                    u.card_id == t.card_id
                        && t.event_time - width < u.event_time
                        && u.event_time <= t.event_time
                })
            };
            let mut push = |rule| {
                out.push(Alert {
                    txn_id: t.txn_id,
                    rule,
                })
            };
            if t.amount_cents >= LARGE_AMOUNT_CENTS {
                push(Rule::LargeAmount);
            }
            if near(VELOCITY_WINDOW_MS).count() >= VELOCITY_MIN_COUNT {
                push(Rule::Velocity);
            }
            if near(GEO_WINDOW_MS).any(|u| u.country != t.country) {
                push(Rule::GeoHop);
            }
        }
        out.sort();
        out
    }

    #[test]
    fn equals_the_contract_read_literally() {
        for seed in 0..6 {
            let ev = random_transactions(seed, 1_500, 1 + seed * 7, 600_000, true);
            assert_eq!(alerts(&ev), quadratic_alerts(&ev), "seed {seed}");
        }
    }
}

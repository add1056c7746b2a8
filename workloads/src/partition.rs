//! The stream plan split across workers by key: how a stream job scales out.
//!
//! Every output row of a workload depends on the events of one value of its
//! partition key ([`Workload::partition_key`]): a card's alerts on that
//! card's transactions, a session on its user's clicks, a day's report on
//! that day's orders. So a keyed shuffle that sends each event to worker
//! `hash(key) mod N`, with one operator per worker, gives the same final
//! output as one operator over everything. [`run_partitioned`] does exactly
//! that on N threads and times the two halves (routing, then the workers).
//!
//! Watermarks here are per worker (the newest event time that worker saw).
//! A real deployment broadcasts the source's watermark to every worker; the
//! two only differ in *when* a late event counts as late, so the exact
//! configuration ([`crate::mode::StreamConfig::EXACT`], which drops
//! nothing) is what a partitioned run is checked with.

use std::time::Instant;

use crate::drive::drive_stream;
use crate::mode::{LateStats, StreamConfig};
use crate::output::Emission;
use crate::time::Millis;
use crate::workload::Workload;

/// Most workers a partitioned run may use: far beyond any machine this runs
/// on, small enough that a typo cannot start thousands of threads.
pub const MAX_WORKERS: usize = 64;

/// The outcome of one partitioned run.
#[derive(Debug)]
pub struct PartitionedRun<R: crate::output::OutputRow> {
    /// Every worker's changelog, one after the other. Workers own disjoint
    /// keys, so [`materialize`] of it is the merged final output.
    pub changelog: Vec<Emission<R>>,
    /// Late-data counters summed over the workers.
    pub late: LateStats,
    /// Events each worker received.
    pub events_per_worker: Vec<usize>,
    /// Seconds spent routing events to their workers (the keyed shuffle).
    pub route_seconds: f64,
    /// Wall seconds from starting the workers to the last one finishing.
    pub run_seconds: f64,
}

/// The worker an event with partition key `key` goes to.
pub fn worker_of(key: u64, workers: usize) -> usize {
    // A multiplicative mix (splitmix64's finaliser) so that dense keys —
    // card 1, 2, 3 … or consecutive days — spread evenly.
    let mut x = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x % workers.max(1) as u64) as usize
}

/// Runs the stream operator of `workload` under `cfg` on `workers` threads,
/// each over its key share of `events` (in arrival order), and joins their
/// changelogs. `workers` is clamped to `1..=MAX_WORKERS`.
pub fn run_partitioned<W: Workload>(
    workload: &W,
    cfg: &StreamConfig,
    events: &[W::Event],
    workers: usize,
) -> PartitionedRun<W::Row> {
    let workers = workers.clamp(1, MAX_WORKERS);
    let start = Instant::now();
    let mut shares: Vec<Vec<W::Event>> = (0..workers)
        .map(|_| Vec::with_capacity(events.len() / workers + 1))
        .collect();
    for e in events {
        shares[worker_of(workload.partition_key(e), workers)].push(*e);
    }
    let route_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let outputs: Vec<(Vec<Emission<W::Row>>, LateStats)> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|share| {
                scope.spawn(move || {
                    let mut op = workload.stream(cfg);
                    let out = drive_stream(op.as_mut(), share);
                    (out, op.late_stats())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let run_seconds = start.elapsed().as_secs_f64();
    let mut late = LateStats::default();
    let mut changelog = Vec::with_capacity(outputs.iter().map(|(c, _)| c.len()).sum());
    for (out, stats) in outputs {
        late.late += stats.late;
        late.dropped += stats.dropped;
        changelog.extend(out);
    }
    PartitionedRun {
        changelog,
        late,
        events_per_worker: shares.iter().map(Vec::len).collect(),
        route_seconds,
        run_seconds,
    }
}

/// The busiest worker's share of the events, taken per `window` of arrival
/// time and weighted by events: what bounds a live keyed stage, where only
/// the keys active *now* spread the load (a replay of a whole file spreads
/// far better than one live minute of a daily report, whose only key is
/// today). 1/workers is perfectly even; 1.0 is one worker doing everything.
pub fn live_busiest_share<W: Workload>(
    workload: &W,
    events: &[W::Event],
    arrival: &[Millis],
    workers: usize,
    window: Millis,
) -> f64 {
    let workers = workers.clamp(1, MAX_WORKERS);
    let window = window.max(1);
    let mut counts = vec![0usize; workers];
    let (mut busiest_total, mut total) = (0usize, 0usize);
    let mut current = None;
    for (e, &a) in events.iter().zip(arrival) {
        let w = a.div_euclid(window);
        if current != Some(w) {
            busiest_total += counts.iter().max().copied().unwrap_or(0);
            counts.iter_mut().for_each(|c| *c = 0);
            current = Some(w);
        }
        counts[worker_of(workload.partition_key(e), workers)] += 1;
        total += 1;
    }
    busiest_total += counts.iter().max().copied().unwrap_or(0);
    if total == 0 {
        1.0 / workers as f64
    } else {
        busiest_total as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenConfig, RateProfile};
    use crate::time::{DAY, MINUTE};
    use crate::{DailyReport, FraudAlerts, Sessionization};

    fn cfg(duration_ms: Millis, events_per_second: f64, keys: u64) -> GenConfig {
        GenConfig {
            seed: 7,
            duration_ms,
            rate: RateProfile::Constant { events_per_second },
            keys,
            ..GenConfig::default()
        }
    }

    fn partitioned_equals_reference<W: Workload>(w: &W, events: &[W::Event]) {
        let truth = w.reference(events);
        for workers in [1, 2, 3, 7] {
            let run = run_partitioned(w, &StreamConfig::EXACT, events, workers);
            assert_eq!(
                crate::output::materialize(&run.changelog),
                truth,
                "{} on {workers} workers",
                w.name()
            );
            assert_eq!(run.events_per_worker.len(), workers);
            assert_eq!(run.events_per_worker.iter().sum::<usize>(), events.len());
        }
    }

    #[test]
    fn every_reference_workload_partitioned_by_key_equals_its_reference() {
        let fraud = FraudAlerts.generate(&cfg(10 * MINUTE, 100.0, 300)).unwrap();
        partitioned_equals_reference(&FraudAlerts, &fraud.events);
        let daily = DailyReport.generate(&cfg(3 * DAY, 0.2, 50)).unwrap();
        partitioned_equals_reference(&DailyReport, &daily.events);
        let sessions = Sessionization
            .generate(&cfg(120 * MINUTE, 20.0, 300))
            .unwrap();
        partitioned_equals_reference(&Sessionization, &sessions.events);
    }

    #[test]
    fn routing_spreads_dense_keys_evenly_and_is_stable() {
        let mut counts = [0usize; 4];
        for k in 0..40_000u64 {
            counts[worker_of(k, 4)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(worker_of(12345, 4), worker_of(12345, 4));
        assert_eq!(worker_of(12345, 1), 0);
        assert_eq!(worker_of(12345, 0), 0);
    }

    #[test]
    fn one_live_key_puts_all_the_load_on_one_worker() {
        let events = DailyReport.generate(&cfg(2 * DAY, 0.2, 50)).unwrap();
        // Per arrival minute, a daily report has one open day: one key.
        let share = live_busiest_share(&DailyReport, &events.events, &events.arrival, 2, 60_000);
        assert!(share > 0.9, "{share}");
        let fraud = FraudAlerts.generate(&cfg(10 * MINUTE, 100.0, 300)).unwrap();
        let share = live_busiest_share(&FraudAlerts, &fraud.events, &fraud.arrival, 2, 60_000);
        assert!(share < 0.7, "{share}");
    }
}

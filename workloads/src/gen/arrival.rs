//! Arrival times: how long each generated event takes to reach the pipeline,
//! and the arrival order that follows.
//!
//! Every event is delayed uniformly by `[0, jitter_ms]`; a `late_fraction`
//! of them instead by `(jitter_ms, max_lateness_ms]`. Events are then
//! ordered by arrival time, ties kept in event-time order (a stable order).

use rand::Rng;

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::event::Timed;
use crate::time::Millis;

use super::{GenConfig, rng_for};

/// Turns `events` (sorted by event time, all at or after `cfg.start`) into
/// a [`Dataset`] in arrival order.
pub(crate) fn into_dataset<E: Timed + Copy>(
    events: Vec<E>,
    dict: Dictionary,
    cfg: &GenConfig,
) -> Result<Dataset<E>> {
    let mut rng = rng_for(cfg.seed, "arrival-delays");
    let mut keys = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let arrival = e.event_time() + delay(cfg, &mut rng);
        keys.push(sort_key(arrival, i, cfg.start)?);
    }
    // Keys are (arrival offset, index): unique, so the unstable sort gives
    // the stable order and is much faster than a stable sort.
    keys.sort_unstable();
    let arrival = keys
        .iter()
        .map(|&k| cfg.start + (k >> 32) as Millis)
        .collect();
    let events = keys
        .iter()
        .map(|&k| events[(k & 0xffff_ffff) as usize])
        .collect();
    Ok(Dataset {
        events,
        arrival,
        dict,
    })
}

/// One event's delay between event time and arrival.
fn delay(cfg: &GenConfig, rng: &mut impl Rng) -> Millis {
    let late = cfg.late_fraction > 0.0 && rng.random::<f64>() < cfg.late_fraction;
    if late && cfg.max_lateness_ms > cfg.jitter_ms {
        rng.random_range(cfg.jitter_ms + 1..=cfg.max_lateness_ms)
    } else {
        rng.random_range(0..=cfg.jitter_ms)
    }
}

/// Packs (arrival − start, index) into one `u64` sort key: 32 bits each.
/// Validated configs stay far inside both (38 days < 2³² ms; 50 million
/// events < 2³²); anything else is reported, not truncated.
fn sort_key(arrival: Millis, index: usize, start: Millis) -> Result<u64> {
    match (u32::try_from(arrival - start), u32::try_from(index)) {
        (Ok(o), Ok(i)) => Ok(u64::from(o) << 32 | u64::from(i)),
        _ => Err(WorkloadError::Config(format!(
            "generated event #{index} arrives at {arrival}, outside the span the generator supports"
        ))),
    }
}

/// Checks the invariants every generated dataset holds (used by the
/// generators' tests).
#[cfg(test)]
pub(super) fn assert_well_formed<E: Timed>(ds: &Dataset<E>, cfg: &GenConfig) {
    assert_eq!(ds.events.len(), ds.arrival.len());
    assert!(
        ds.arrival.windows(2).all(|w| w[0] <= w[1]),
        "arrival must be non-decreasing"
    );
    let end = cfg.start + cfg.duration_ms;
    for (e, &a) in ds.events.iter().zip(&ds.arrival) {
        let t = e.event_time();
        assert!(
            (cfg.start..end).contains(&t),
            "event time {t} outside [{}, {end})",
            cfg.start
        );
        assert!(
            (0..=cfg.max_lateness_ms).contains(&(a - t)),
            "delay {} out of bounds",
            a - t
        );
    }
}

/// Fraction of events that arrive after the jitter.
#[cfg(test)]
pub(super) fn late_share<E: Timed>(ds: &Dataset<E>, cfg: &GenConfig) -> f64 {
    let late = ds
        .events
        .iter()
        .zip(&ds.arrival)
        .filter(|(e, a)| *a - e.event_time() > cfg.jitter_ms)
        .count();
    late as f64 / ds.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Click;

    fn clicks_every_ms(n: i64, start: Millis) -> Vec<Click> {
        (0..n)
            .map(|i| Click {
                user_id: i as u64,
                page: 0,
                event_time: start + i,
            })
            .collect()
    }

    #[test]
    fn late_fraction_and_bounds_hold() {
        let cfg = GenConfig {
            late_fraction: 0.1,
            jitter_ms: 500,
            max_lateness_ms: 60_000,
            ..GenConfig::default()
        };
        let ds = into_dataset(
            clicks_every_ms(100_000, cfg.start),
            Dictionary::default(),
            &cfg,
        )
        .unwrap();
        assert_eq!(ds.len(), 100_000);
        assert!(ds.arrival.windows(2).all(|w| w[0] <= w[1]));
        let share = late_share(&ds, &cfg);
        assert!((share - 0.1).abs() < 0.01, "late share {share}");
        for (e, &a) in ds.events.iter().zip(&ds.arrival) {
            assert!((0..=60_000).contains(&(a - e.event_time)));
        }
        // Every input event is there exactly once.
        let mut ids: Vec<u64> = ds.events.iter().map(|e| e.user_id).collect();
        ids.sort_unstable();
        assert!(ids.iter().enumerate().all(|(i, &id)| id == i as u64));
    }

    #[test]
    fn equal_arrivals_keep_event_time_order() {
        // No delay at all: arrival = event time, and ties keep input order.
        let cfg = GenConfig {
            late_fraction: 0.0,
            jitter_ms: 0,
            max_lateness_ms: 0,
            ..GenConfig::default()
        };
        let mut events = clicks_every_ms(1_000, cfg.start);
        for e in &mut events {
            e.event_time = cfg.start + (e.event_time - cfg.start) / 10;
        }
        let ds = into_dataset(events.clone(), Dictionary::default(), &cfg).unwrap();
        assert_eq!(ds.events, events);
        assert_eq!(late_share(&ds, &cfg), 0.0);
    }

    #[test]
    fn no_late_interval_means_only_jitter() {
        // max_lateness == jitter: "late" events have nowhere later to go.
        let cfg = GenConfig {
            late_fraction: 0.5,
            jitter_ms: 100,
            max_lateness_ms: 100,
            ..GenConfig::default()
        };
        let ds = into_dataset(
            clicks_every_ms(10_000, cfg.start),
            Dictionary::default(),
            &cfg,
        )
        .unwrap();
        assert_eq!(late_share(&ds, &cfg), 0.0);
    }

    #[test]
    fn events_before_start_are_reported_not_truncated() {
        let cfg = GenConfig {
            late_fraction: 0.0,
            jitter_ms: 0,
            max_lateness_ms: 0,
            ..GenConfig::default()
        };
        let r = into_dataset(
            clicks_every_ms(3, cfg.start - 10),
            Dictionary::default(),
            &cfg,
        );
        assert!(r.is_err());
    }
}

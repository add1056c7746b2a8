//! Event times following a [`RateProfile`]: a non-homogeneous Poisson
//! process, sampled one second at a time.
//!
//! Each second gets a Poisson count with the mean rate of that second, and
//! its events fall uniformly on the second's milliseconds. The times come
//! out sorted without a global sort: small seconds are sorted in place,
//! busy ones by counting per millisecond, so ten million events take about
//! a second in release builds.

use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rand_pcg::Pcg64Mcg;

use crate::error::Result;
use crate::time::{DAY, HOUR, Millis, SECOND};

use super::{RateProfile, dist_err};

/// Above this many events in one second, counting per millisecond beats
/// sorting the second's times.
const COUNTING_SORT_MIN: u64 = 128;

/// Events per second of `rate` at event time `t` (the daily curve uses the
/// UTC hour of day of `t`).
pub(super) fn rate_at(rate: &RateProfile, t: Millis) -> f64 {
    match *rate {
        RateProfile::Constant { events_per_second } => events_per_second,
        RateProfile::Daily {
            mean_events_per_second,
            peak_to_mean,
            peak_hour_utc,
        } => {
            let hour = t.rem_euclid(DAY) as f64 / HOUR as f64;
            let phase = 2.0 * std::f64::consts::PI * (hour - peak_hour_utc) / 24.0;
            (mean_events_per_second * (1.0 + (peak_to_mean - 1.0) * phase.cos())).max(0.0)
        }
    }
}

/// Sorted event times in `[start, start + duration_ms)` drawn from `rate`.
///
/// The caller bounds the expected count (`GenConfig::validate`); the rate
/// must be finite and non-negative.
pub(crate) fn event_times(
    rate: &RateProfile,
    start: Millis,
    duration_ms: Millis,
    rng: &mut Pcg64Mcg,
) -> Result<Vec<Millis>> {
    let expected = rate.mean() * duration_ms.max(0) as f64 / SECOND as f64;
    // Room for a few standard deviations above the mean, to avoid regrowth.
    let mut out = Vec::with_capacity((expected + 4.0 * expected.sqrt() + 16.0) as usize);
    let mut counts = [0u32; SECOND as usize];
    let mut poisson = PoissonCache::default();
    let end = start + duration_ms.max(0);
    let mut second = start;
    while second < end {
        let width = (end - second).min(SECOND);
        let mean = rate_at(rate, second + width / 2) * width as f64 / SECOND as f64;
        let n = poisson.draw(mean, rng)?;
        push_uniform_sorted(&mut out, second, width, n, rng, &mut counts);
        second += width;
    }
    Ok(out)
}

/// Remembers the last Poisson distribution built: a constant rate builds
/// it once, not once per second.
#[derive(Default)]
struct PoissonCache {
    last: Option<(f64, Poisson<f64>)>,
}

impl PoissonCache {
    /// A Poisson count with mean `mean` (0 when the mean is 0).
    fn draw(&mut self, mean: f64, rng: &mut Pcg64Mcg) -> Result<u64> {
        if mean <= 0.0 {
            return Ok(0);
        }
        let dist = match self.last.take() {
            Some((m, d)) if m == mean => d,
            _ => Poisson::new(mean).map_err(dist_err("events per second (Poisson)"))?,
        };
        let n = dist.sample(rng) as u64;
        self.last = Some((mean, dist));
        Ok(n)
    }
}

/// Appends `n` times uniform on the `width` milliseconds from `base`,
/// in non-decreasing order.
fn push_uniform_sorted(
    out: &mut Vec<Millis>,
    base: Millis,
    width: Millis,
    n: u64,
    rng: &mut Pcg64Mcg,
    counts: &mut [u32; SECOND as usize],
) {
    let width = width as u32;
    if n < COUNTING_SORT_MIN {
        let from = out.len();
        out.extend((0..n).map(|_| base + Millis::from(rng.random_range(0..width))));
        out[from..].sort_unstable();
        return;
    }
    let counts = &mut counts[..width as usize];
    counts.fill(0);
    for _ in 0..n {
        counts[rng.random_range(0..width) as usize] += 1;
    }
    for (ms, &c) in counts.iter().enumerate() {
        out.extend(std::iter::repeat_n(base + ms as Millis, c as usize));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::rng_for;

    const START: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn constant(r: f64) -> RateProfile {
        RateProfile::Constant {
            events_per_second: r,
        }
    }

    #[test]
    fn count_is_close_to_rate_times_duration_and_times_are_sorted_in_range() {
        for (rate, duration) in [
            (2_000.0, 60 * SECOND),
            (3.0, 10 * 60 * SECOND),
            (500.0, 100_500),
        ] {
            let t = event_times(&constant(rate), START, duration, &mut rng_for(1, "t")).unwrap();
            let expected = rate * duration as f64 / 1000.0;
            let n = t.len() as f64;
            assert!(
                (n - expected).abs() < 0.03 * expected,
                "{n} events, expected {expected}"
            );
            assert!(t.windows(2).all(|w| w[0] <= w[1]), "times must be sorted");
            assert!(t.iter().all(|&x| (START..START + duration).contains(&x)));
        }
    }

    #[test]
    fn busy_seconds_use_every_millisecond_evenly() {
        // 5000 events a second goes through the counting path.
        let t = event_times(&constant(5_000.0), START, 20 * SECOND, &mut rng_for(2, "t")).unwrap();
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
        let mut per_ms = [0u32; 1000];
        for x in &t {
            per_ms[(x - START).rem_euclid(1000) as usize] += 1;
        }
        // 100 expected per millisecond: none empty, none wildly off.
        assert!(
            per_ms.iter().all(|&c| (40..=180).contains(&c)),
            "{per_ms:?}"
        );
    }

    #[test]
    fn same_seed_same_times_other_seed_other_times() {
        let a = event_times(&constant(100.0), START, 60 * SECOND, &mut rng_for(7, "t")).unwrap();
        let b = event_times(&constant(100.0), START, 60 * SECOND, &mut rng_for(7, "t")).unwrap();
        let c = event_times(&constant(100.0), START, 60 * SECOND, &mut rng_for(8, "t")).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn daily_curve_peaks_at_the_peak_hour() {
        let rate = RateProfile::Daily {
            mean_events_per_second: 4.0,
            peak_to_mean: 1.8,
            peak_hour_utc: 14.0,
        };
        assert!((rate_at(&rate, START + 14 * HOUR) - 7.2).abs() < 1e-9);
        assert!((rate_at(&rate, START + 2 * HOUR) - 0.8).abs() < 1e-9);
        let t = event_times(&rate, START, DAY, &mut rng_for(3, "t")).unwrap();
        let mut per_hour = [0usize; 24];
        for x in &t {
            per_hour[((x - START) / HOUR) as usize] += 1;
        }
        let (peak, trough) = (per_hour[14], per_hour[2]);
        assert!(
            peak > 5 * trough,
            "peak hour {peak} events, trough hour {trough}"
        );
        let expected = 4.0 * 86_400.0;
        assert!((t.len() as f64 - expected).abs() < 0.02 * expected);
    }

    #[test]
    fn a_zero_rate_trough_yields_no_events_there() {
        // peak_to_mean = 2: the rate touches 0 at the trough, never below.
        let rate = RateProfile::Daily {
            mean_events_per_second: 1.0,
            peak_to_mean: 2.0,
            peak_hour_utc: 12.0,
        };
        assert!(rate_at(&rate, START) >= 0.0);
        let t = event_times(
            &rate,
            START - 60 * SECOND,
            120 * SECOND,
            &mut rng_for(4, "t"),
        )
        .unwrap();
        assert!(t.len() < 5, "{} events around a zero-rate trough", t.len());
    }
}

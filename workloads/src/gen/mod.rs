//! Seeded, deterministic event generators for the three reference workloads.
//!
//! The same [`GenConfig`] and seed always give the same events, arrival
//! order included, on every machine (PCG generator, no global state).

pub(crate) mod arrival;
mod clicks;
mod orders;
pub(crate) mod rate;
mod transactions;

pub use clicks::clicks;
pub use orders::orders;
pub use transactions::transactions;

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::error::{Result, WorkloadError};
use crate::time::Millis;

/// Most events one generated dataset may hold (memory bound: ~50 B/event).
pub const MAX_GENERATED_EVENTS: u64 = 50_000_000;

/// Farthest `start` from the epoch a generator accepts (about year 9999):
/// keeps every derived time (start + duration + lateness) far from overflow.
pub const MAX_START_MS: Millis = 253_402_300_799_999;

/// How the event rate varies over event time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RateProfile {
    /// The same rate all day.
    Constant { events_per_second: f64 },
    /// A daily cosine curve with its maximum at `peak_hour_utc`:
    /// `rate(h) = mean · (1 + (peak_to_mean − 1) · cos(2π (h − peak) / 24))`.
    /// `peak_to_mean` is in `[1, 2]` so the rate never goes negative.
    Daily {
        mean_events_per_second: f64,
        peak_to_mean: f64,
        peak_hour_utc: f64,
    },
}

impl RateProfile {
    /// Average events per second over a day.
    pub fn mean(&self) -> f64 {
        match *self {
            RateProfile::Constant { events_per_second } => events_per_second,
            RateProfile::Daily {
                mean_events_per_second,
                ..
            } => mean_events_per_second,
        }
    }

    /// Highest events per second over a day (what always-on capacity is sized for).
    pub fn peak(&self) -> f64 {
        match *self {
            RateProfile::Constant { events_per_second } => events_per_second,
            RateProfile::Daily {
                mean_events_per_second,
                peak_to_mean,
                ..
            } => mean_events_per_second * peak_to_mean,
        }
    }

    /// The same shape scaled to a new mean rate.
    pub fn with_mean(&self, mean: f64) -> RateProfile {
        match *self {
            RateProfile::Constant { .. } => RateProfile::Constant {
                events_per_second: mean,
            },
            RateProfile::Daily {
                peak_to_mean,
                peak_hour_utc,
                ..
            } => RateProfile::Daily {
                mean_events_per_second: mean,
                peak_to_mean,
                peak_hour_utc,
            },
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GenConfig {
    pub seed: u64,
    /// Event time of the first instant generated (ms since the epoch).
    pub start: Millis,
    /// Event-time span generated.
    pub duration_ms: Millis,
    pub rate: RateProfile,
    /// Number of keys: cards (fraud), products (daily report), users (sessions).
    pub keys: u64,
    /// Zipf exponent of key popularity; `None` is uniform.
    pub zipf_s: Option<f64>,
    /// Every event arrives up to this much after its event time (uniform).
    pub jitter_ms: Millis,
    /// Fraction of events that arrive late: after the jitter, up to `max_lateness_ms`.
    pub late_fraction: f64,
    /// Greatest delay of a late event.
    pub max_lateness_ms: Millis,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 42,
            start: 1_767_225_600_000, // 2026-01-01T00:00:00Z
            duration_ms: crate::time::HOUR,
            rate: RateProfile::Constant {
                events_per_second: 1_000.0,
            },
            keys: 10_000,
            zipf_s: None,
            jitter_ms: 2_000,
            late_fraction: 0.01,
            max_lateness_ms: 10 * crate::time::MINUTE,
        }
    }
}

impl GenConfig {
    /// Expected number of events (rate × duration).
    pub fn expected_events(&self) -> f64 {
        self.rate.mean() * self.duration_ms as f64 / 1000.0
    }

    /// Checks every bound; the message names the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(WorkloadError::Config(m));
        if !(-MAX_START_MS..=MAX_START_MS).contains(&self.start) {
            return bad(format!(
                "start must be within ±{MAX_START_MS} ms of the epoch (years 1970 ± 8000), got {}",
                self.start
            ));
        }
        if !(self.duration_ms > 0 && self.duration_ms <= 31 * crate::time::DAY) {
            return bad(format!(
                "duration_ms must be between 1 and 31 days, got {}",
                self.duration_ms
            ));
        }
        let (mean, peak_ok) = match self.rate {
            RateProfile::Constant { events_per_second } => (events_per_second, true),
            RateProfile::Daily {
                mean_events_per_second,
                peak_to_mean,
                peak_hour_utc,
            } => (
                mean_events_per_second,
                (1.0..=2.0).contains(&peak_to_mean) && (0.0..24.0).contains(&peak_hour_utc),
            ),
        };
        if !(mean.is_finite() && mean > 0.0 && mean <= 5_000_000.0) {
            return bad(format!(
                "rate must be between 0 and 5000000 events/s, got {mean}"
            ));
        }
        if !peak_ok {
            return bad(
                "daily rate: peak_to_mean must be in [1, 2] and peak_hour_utc in [0, 24)".into(),
            );
        }
        if self.expected_events() > MAX_GENERATED_EVENTS as f64 {
            return bad(format!(
                "rate × duration gives {:.0} events, more than the {MAX_GENERATED_EVENTS} one run may generate",
                self.expected_events()
            ));
        }
        if !(1..=10_000_000).contains(&self.keys) {
            return bad(format!(
                "keys must be between 1 and 10000000, got {}",
                self.keys
            ));
        }
        if let Some(s) = self.zipf_s
            && !(s.is_finite() && s > 0.0 && s <= 5.0)
        {
            return bad(format!("zipf_s must be in (0, 5], got {s}"));
        }
        if !(0..=crate::time::HOUR).contains(&self.jitter_ms) {
            return bad(format!(
                "jitter_ms must be between 0 and 1 hour, got {}",
                self.jitter_ms
            ));
        }
        if !(0.0..=1.0).contains(&self.late_fraction) {
            return bad(format!(
                "late_fraction must be between 0 and 1, got {}",
                self.late_fraction
            ));
        }
        if !(self.jitter_ms..=7 * crate::time::DAY).contains(&self.max_lateness_ms) {
            return bad(format!(
                "max_lateness_ms must be between jitter_ms and 7 days, got {}",
                self.max_lateness_ms
            ));
        }
        Ok(())
    }
}

/// A random stream for one `purpose` of one generator run.
///
/// Each purpose (event times, keys, amounts, arrival delays, …) draws from
/// its own stream, so changing how one quantity is drawn (another
/// distribution, more or fewer draws) leaves every other quantity unchanged.
pub(crate) fn rng_for(seed: u64, purpose: &str) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(mix64(seed, fnv1a(purpose.as_bytes())))
}

/// A well-mixed 64-bit hash of two values (SplitMix64 finalizer over both):
/// per-key attributes (a card's home country, a product's price) derived from
/// it stay fixed for a key no matter the order keys are drawn in.
pub(crate) fn mix64(a: u64, b: u64) -> u64 {
    splitmix64(splitmix64(a) ^ b.rotate_left(29) ^ 0x6a09_e667_f3bc_c909)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a: a hash of a purpose name that, unlike `std`'s hasher, is fixed
/// forever, so seeds give the same data across Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Draws key ids in `1..=keys`: Zipf-skewed (id 1 the most popular) or uniform.
pub(crate) enum KeyPicker {
    Uniform(u64),
    Zipf(Zipf<f64>),
}

impl KeyPicker {
    /// The picker `cfg` asks for (`keys` and `zipf_s` must be validated).
    pub(crate) fn new(cfg: &GenConfig) -> Result<Self> {
        match cfg.zipf_s {
            None => Ok(KeyPicker::Uniform(cfg.keys)),
            Some(s) => Zipf::new(cfg.keys as f64, s)
                .map(KeyPicker::Zipf)
                .map_err(dist_err("key popularity (Zipf)")),
        }
    }

    /// One key id.
    pub(crate) fn pick(&self, rng: &mut impl Rng) -> u64 {
        match self {
            KeyPicker::Uniform(n) => rng.random_range(1..=*n),
            // Zipf yields an integral rank in [1, n] as a float.
            KeyPicker::Zipf(z) => z.sample(rng) as u64,
        }
    }
}

/// Maps a distribution's construction error (only possible with a bug in
/// the generator's constants or an unvalidated config) to a config error.
pub(crate) fn dist_err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> WorkloadError + '_ {
    move |e| WorkloadError::Config(format!("cannot build the {what} distribution: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{DAY, MINUTE, SECOND};

    /// Configs at the edges of the validated bounds: every generator must
    /// return (possibly no events), never panic.
    fn edge_configs() -> Vec<GenConfig> {
        let base = GenConfig::default();
        vec![
            // One key, Zipf over it.
            GenConfig {
                keys: 1,
                zipf_s: Some(5.0),
                duration_ms: 10 * SECOND,
                ..base
            },
            // A single millisecond at the highest rate.
            GenConfig {
                duration_ms: 1,
                rate: RateProfile::Constant {
                    events_per_second: 5_000_000.0,
                },
                ..base
            },
            // Almost no events; every event late; no jitter.
            GenConfig {
                rate: RateProfile::Constant {
                    events_per_second: 0.001,
                },
                late_fraction: 1.0,
                jitter_ms: 0,
                max_lateness_ms: 7 * DAY,
                ..base
            },
            // A daily curve touching zero, before the epoch, most keys.
            GenConfig {
                start: -DAY,
                duration_ms: 5 * MINUTE,
                rate: RateProfile::Daily {
                    mean_events_per_second: 20.0,
                    peak_to_mean: 2.0,
                    peak_hour_utc: 12.0,
                },
                keys: 10_000_000,
                zipf_s: Some(0.01),
                ..base
            },
        ]
    }

    #[test]
    fn edge_configs_generate_without_panicking() {
        for cfg in edge_configs() {
            cfg.validate().unwrap();
            let t = transactions(&cfg).unwrap();
            let o = orders(&cfg).unwrap();
            let c = clicks(&cfg).unwrap();
            let end = cfg.start + cfg.duration_ms;
            assert!(
                t.events
                    .iter()
                    .all(|e| (cfg.start..end).contains(&e.event_time))
            );
            assert!(
                o.events
                    .iter()
                    .all(|e| (cfg.start..end).contains(&e.event_time))
            );
            assert!(
                c.events
                    .iter()
                    .all(|e| (cfg.start..end).contains(&e.event_time))
            );
            assert!(t.events.iter().all(|e| (1..=cfg.keys).contains(&e.card_id)));
        }
    }

    #[test]
    fn validate_rejects_absurd_values_naming_the_field() {
        let base = GenConfig::default();
        let cases = [
            (GenConfig { keys: 0, ..base }, "keys"),
            (
                GenConfig {
                    duration_ms: -1,
                    ..base
                },
                "duration_ms",
            ),
            (
                GenConfig {
                    start: i64::MAX - 1,
                    ..base
                },
                "start",
            ),
            (
                GenConfig {
                    zipf_s: Some(f64::INFINITY),
                    ..base
                },
                "zipf_s",
            ),
            (
                GenConfig {
                    late_fraction: 1.5,
                    ..base
                },
                "late_fraction",
            ),
            (
                GenConfig {
                    jitter_ms: -1,
                    ..base
                },
                "jitter_ms",
            ),
            (
                GenConfig {
                    max_lateness_ms: 1,
                    ..base
                },
                "max_lateness_ms",
            ),
            (
                GenConfig {
                    rate: RateProfile::Constant {
                        events_per_second: f64::NAN,
                    },
                    ..base
                },
                "rate",
            ),
            (
                GenConfig {
                    rate: RateProfile::Constant {
                        events_per_second: 1e6,
                    },
                    duration_ms: 31 * DAY,
                    ..base
                },
                "events",
            ),
            (
                GenConfig {
                    rate: RateProfile::Daily {
                        mean_events_per_second: 1.0,
                        peak_to_mean: 3.0,
                        peak_hour_utc: 0.0,
                    },
                    ..base
                },
                "peak_to_mean",
            ),
        ];
        for (cfg, field) in cases {
            let err = cfg.validate().expect_err(field).to_string();
            assert!(err.contains(field), "`{err}` does not name {field}");
        }
    }
}

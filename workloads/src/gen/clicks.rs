//! Generator of page views for `sessionization`.
//!
//! Clicks come in sessions: session starts follow the rate divided by the
//! mean session length, each session belongs to one user (Zipf or uniform),
//! has a geometric number of clicks (mean [`MEAN_CLICKS`]) separated by
//! exponential gaps (mean 40 s, always under the 30-minute session gap), and
//! visits weighted pages. The span opens in the steady state: sessions
//! already in progress at `start` contribute their remaining clicks (see
//! [`sessions_in_progress`]), so the total is close to `rate × duration`
//! from the first second.

use rand::Rng;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Distribution, Exp, Geometric, Poisson};
use rand_pcg::Pcg64Mcg;

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::event::Click;
use crate::time::{Millis, SECOND};

use super::{GenConfig, KeyPicker, arrival, dist_err, rate, rng_for};

/// Mean clicks per session.
pub const MEAN_CLICKS: f64 = 8.0;
/// Mean gap between two clicks of a session.
const MEAN_GAP_MS: f64 = 40.0 * SECOND as f64;
/// Longest gap inside a generated session: just under the 30-minute
/// session gap of the contract.
const MAX_GAP_MS: Millis = 30 * 60 * SECOND - 1;
/// Most clicks in one session (a bound on the geometric tail).
const MAX_CLICKS: u64 = 10_000;
/// Pages and their weights.
const PAGES: [(&str, u32); 25] = [
    ("/", 20),
    ("/search", 12),
    ("/cart", 8),
    ("/deals", 4),
    ("/checkout", 3),
    ("/login", 3),
    ("/account", 2),
    ("/help", 2),
    ("/orders", 2),
    ("/about", 1),
    ("/item/1", 15),
    ("/item/2", 14),
    ("/item/3", 13),
    ("/item/4", 12),
    ("/item/5", 11),
    ("/item/6", 10),
    ("/item/7", 9),
    ("/item/8", 8),
    ("/item/9", 7),
    ("/item/10", 6),
    ("/item/11", 5),
    ("/item/12", 4),
    ("/item/13", 3),
    ("/item/14", 2),
    ("/item/15", 1),
];

/// Generates clicks: `cfg.keys` users, about `rate × duration` clicks in
/// sessions. The dictionary holds the pages.
pub fn clicks(cfg: &GenConfig) -> Result<Dataset<Click>> {
    cfg.validate()?;
    let dict = Dictionary::from_values(PAGES.map(|(p, _)| p));
    let sessions = SessionShape::new(cfg, &dict)?;
    let session_rate = cfg.rate.with_mean(cfg.rate.mean() / MEAN_CLICKS);
    let mut start_rng = rng_for(cfg.seed, "click-session-starts");
    let mut starts = sessions_in_progress(cfg, &mut start_rng)?;
    starts.extend(rate::event_times(
        &session_rate,
        cfg.start,
        cfg.duration_ms,
        &mut start_rng,
    )?);
    let mut rngs = SessionRngs::new(cfg.seed);
    let mut events = Vec::with_capacity(cfg.expected_events() as usize + 1024);
    for start in starts {
        sessions.generate(start, cfg, &mut rngs, &mut events);
    }
    // Stable: equal times keep generation order, so the output is fixed.
    events.sort_by_key(|c| c.event_time);
    arrival::into_dataset(events, dict, cfg)
}

/// The next-click times, inside the span, of the sessions already in
/// progress at `cfg.start`.
///
/// A session is memoryless: after each click it goes on with probability
/// `1 − 1/MEAN_CLICKS`, the next click an exponential gap later. So in the
/// steady state the sessions in progress at any instant are Poisson with
/// mean `session rate × mean span` (`MEAN_CLICKS − 1` gaps), each one's next
/// click is an exponential gap away, and from that click on it is just
/// like a session starting there. Only the sessions whose next click falls
/// inside the span are drawn (their count thinned by the probability of
/// that), so the work stays proportional to the events generated however
/// short the span.
fn sessions_in_progress(cfg: &GenConfig, rng: &mut Pcg64Mcg) -> Result<Vec<Millis>> {
    let sessions_per_ms = rate::rate_at(&cfg.rate, cfg.start) / MEAN_CLICKS / SECOND as f64;
    let in_progress = sessions_per_ms * (MEAN_CLICKS - 1.0) * MEAN_GAP_MS;
    // P(the next click falls before the end of the span).
    let reach = -(-(cfg.duration_ms as f64) / MEAN_GAP_MS).exp_m1();
    let mean = in_progress * reach;
    if mean <= 0.0 {
        return Ok(Vec::new());
    }
    let count = Poisson::new(mean)
        .map_err(dist_err("sessions in progress"))?
        .sample(rng) as usize;
    let last = cfg.duration_ms - 1;
    Ok((0..count)
        .map(|_| {
            // Inverse CDF of the exponential gap, truncated to the span.
            let u: f64 = rng.random();
            let offset = -MEAN_GAP_MS * (-u * reach).ln_1p();
            cfg.start + (offset as Millis).clamp(0, last)
        })
        .collect())
}

/// One random stream per session attribute.
struct SessionRngs {
    users: Pcg64Mcg,
    lengths: Pcg64Mcg,
    gaps: Pcg64Mcg,
    pages: Pcg64Mcg,
}

impl SessionRngs {
    fn new(seed: u64) -> Self {
        SessionRngs {
            users: rng_for(seed, "click-users"),
            lengths: rng_for(seed, "click-lengths"),
            gaps: rng_for(seed, "click-gaps"),
            pages: rng_for(seed, "click-pages"),
        }
    }
}

/// The distributions a session is drawn from.
struct SessionShape {
    users: KeyPicker,
    extra_clicks: Geometric,
    gap: Exp<f64>,
    page: WeightedIndex<u32>,
    page_ids: [u32; PAGES.len()],
}

impl SessionShape {
    fn new(cfg: &GenConfig, dict: &Dictionary) -> Result<Self> {
        let mut page_ids = [0; PAGES.len()];
        for (id, (path, _)) in page_ids.iter_mut().zip(PAGES) {
            *id = dict
                .id(path)
                .ok_or_else(|| WorkloadError::Config(format!("page `{path}` not interned")))?;
        }
        Ok(SessionShape {
            users: KeyPicker::new(cfg)?,
            // Failures before the first success: mean (1 − p) / p = MEAN_CLICKS − 1.
            extra_clicks: Geometric::new(1.0 / MEAN_CLICKS).map_err(dist_err("session length"))?,
            gap: Exp::new(1.0 / MEAN_GAP_MS).map_err(dist_err("click gap"))?,
            page: WeightedIndex::new(PAGES.map(|(_, w)| w)).map_err(dist_err("page"))?,
            page_ids,
        })
    }

    /// Appends the clicks of one session whose first click is at `start`
    /// (inside the span), up to the end of the span.
    fn generate(
        &self,
        start: Millis,
        cfg: &GenConfig,
        rngs: &mut SessionRngs,
        out: &mut Vec<Click>,
    ) {
        let user_id = self.users.pick(&mut rngs.users);
        let n = 1 + self.extra_clicks.sample(&mut rngs.lengths).min(MAX_CLICKS);
        let end = cfg.start + cfg.duration_ms;
        let mut t = start;
        for i in 0..n {
            if i > 0 {
                t += (self.gap.sample(&mut rngs.gaps).round() as Millis).min(MAX_GAP_MS);
            }
            if t >= end {
                break;
            }
            let page = self.page_ids[self.page.sample(&mut rngs.pages)];
            out.push(Click {
                user_id,
                page,
                event_time: t,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use rustc_hash::FxHashMap;

    use super::*;
    use crate::generate::RateProfile;
    use crate::generate::arrival::{assert_well_formed, late_share};
    use crate::time::{DAY, MINUTE};

    fn cfg(seed: u64) -> GenConfig {
        GenConfig {
            seed,
            duration_ms: 30 * MINUTE,
            rate: RateProfile::Constant {
                events_per_second: 100.0,
            },
            keys: 20_000,
            late_fraction: 0.02,
            ..GenConfig::default()
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = clicks(&cfg(1)).unwrap();
        let b = clicks(&cfg(1)).unwrap();
        let c = clicks(&cfg(2)).unwrap();
        assert_eq!(a.events, b.events);
        assert_eq!(a.arrival, b.arrival);
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn shape_count_and_arrival() {
        let cfg = cfg(3);
        let ds = clicks(&cfg).unwrap();
        assert_well_formed(&ds, &cfg);
        let expected = cfg.expected_events();
        assert!(
            (ds.len() as f64 - expected).abs() < 0.05 * expected,
            "{} events",
            ds.len()
        );
        let late = late_share(&ds, &cfg);
        assert!((late - 0.02).abs() < 0.004, "late share {late}");
        assert_eq!(ds.dict.len(), PAGES.len());
        assert!(
            ds.dict.values().windows(2).all(|w| w[0] < w[1]),
            "page ids sorted by text"
        );
        let home = ds.dict.id("/").unwrap();
        let checkout = ds.dict.id("/checkout").unwrap();
        let count = |p| ds.events.iter().filter(|c| c.page == p).count();
        assert!(count(home) > 3 * count(checkout));
    }

    #[test]
    fn sessions_have_about_the_mean_length() {
        // Few clicks per user: almost every run of a user's clicks with gaps
        // under 30 minutes is one generated session.
        let cfg = GenConfig {
            keys: 1_000_000,
            ..cfg(4)
        };
        let ds = clicks(&cfg).unwrap();
        let mut by_user: FxHashMap<u64, Vec<Millis>> = FxHashMap::default();
        for c in &ds.events {
            by_user.entry(c.user_id).or_default().push(c.event_time);
        }
        let mut sessions = 0usize;
        let mut gaps = Vec::new();
        for times in by_user.values_mut() {
            times.sort_unstable();
            sessions += 1 + times
                .windows(2)
                .filter(|w| w[1] - w[0] > 30 * MINUTE)
                .count();
            gaps.extend(
                times
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .filter(|&g| g <= 30 * MINUTE),
            );
        }
        let mean_len = ds.len() as f64 / sessions as f64;
        // Sessions cut at either end of the span pull the mean a little down.
        assert!(
            (6.0..9.0).contains(&mean_len),
            "mean session length {mean_len}"
        );
        let mean_gap = gaps.iter().sum::<i64>() as f64 / gaps.len() as f64;
        assert!(
            (30_000.0..50_000.0).contains(&mean_gap),
            "mean gap {mean_gap}"
        );
    }

    #[test]
    fn zipf_concentrates_on_the_top_user() {
        let top_share = |zipf_s| {
            let ds = clicks(&GenConfig { zipf_s, ..cfg(5) }).unwrap();
            ds.events.iter().filter(|c| c.user_id == 1).count() as f64 / ds.len() as f64
        };
        let (uniform, zipf) = (top_share(None), top_share(Some(1.2)));
        assert!(
            zipf > 100.0 * uniform.max(1e-5),
            "top user share: zipf {zipf}, uniform {uniform}"
        );
    }

    #[test]
    fn absurd_configs_are_rejected() {
        let negative = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: -3.0,
            },
            ..cfg(1)
        };
        let huge = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: 4_000_000.0,
            },
            duration_ms: 3 * DAY,
            ..cfg(1)
        };
        let no_keys = GenConfig { keys: 0, ..cfg(1) };
        let nan_late = GenConfig {
            late_fraction: f64::NAN,
            ..cfg(1)
        };
        for bad in [negative, huge, no_keys, nan_late] {
            assert!(clicks(&bad).is_err(), "{bad:?} must be rejected");
        }
    }
}

//! Generator of card payments for `fraud-alerts`.
//!
//! Shaped so every rule fires now and then: about 0.1 % of amounts are
//! large, about 2 % of payments happen outside the card's home country
//! (`geo_hop`), and about 0.5 % of payments start a burst of 4–8 more on
//! the same card within a minute (`velocity`).

use rand::Rng;
use rand_distr::{Distribution, LogNormal};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::Result;
use crate::event::{Country, Transaction};
use crate::fraud::LARGE_AMOUNT_CENTS;
use crate::time::Millis;

use super::{GenConfig, KeyPicker, arrival, dist_err, mix64, rate, rng_for};

/// Home countries of cards, with their weights.
const COUNTRIES: [(Country, u32); 15] = [
    (*b"US", 30),
    (*b"GB", 10),
    (*b"DE", 10),
    (*b"FR", 8),
    (*b"CA", 6),
    (*b"ES", 5),
    (*b"IT", 5),
    (*b"JP", 5),
    (*b"NL", 4),
    (*b"AU", 4),
    (*b"BR", 4),
    (*b"IN", 4),
    (*b"MX", 3),
    (*b"SE", 2),
    (*b"CH", 2),
];
/// Share of payments made outside the card's home country.
const FOREIGN_SHARE: f64 = 0.02;
/// Share of payments with a large amount (at least `LARGE_AMOUNT_CENTS`).
const LARGE_SHARE: f64 = 0.001;
/// Largest amount generated (cents).
const MAX_AMOUNT_CENTS: i64 = 5_000_000;
/// Median ordinary amount: $40.
const MEDIAN_AMOUNT_CENTS: f64 = 4_000.0;
/// Spread of ordinary amounts (σ of the log).
const AMOUNT_SIGMA: f64 = 1.0;
/// Share of payments that start a burst.
const BURST_SHARE: f64 = 0.005;
/// Extra payments in a burst.
const BURST_EXTRA: std::ops::RangeInclusive<u32> = 4..=8;
/// A burst's extra payments fall within this long after the first one, so
/// the whole burst fits in one `velocity` window.
const BURST_SPAN_MS: Millis = 59_000;
/// Merchants are drawn uniformly from `1..=MERCHANTS`.
const MERCHANTS: u32 = 50_000;

/// Generates transactions: `cfg.keys` cards, popularity Zipf or uniform,
/// about `rate × duration` payments, txn ids 1, 2, … in event-time order.
pub fn transactions(cfg: &GenConfig) -> Result<Dataset<Transaction>> {
    cfg.validate()?;
    let drafts = payment_times_and_cards(cfg)?;
    let mut countries = rng_for(cfg.seed, "txn-countries");
    let mut amounts = rng_for(cfg.seed, "txn-amounts");
    let mut merchants = rng_for(cfg.seed, "txn-merchants");
    let home = HomeCountries::new(cfg.seed);
    let amount = Amounts::new()?;
    let events = drafts
        .iter()
        .enumerate()
        .map(|(i, &(event_time, card_id))| Transaction {
            txn_id: i as u64 + 1,
            card_id,
            merchant_id: merchants.random_range(1..=MERCHANTS),
            amount_cents: amount.draw(&mut amounts),
            country: home.country(card_id, &mut countries),
            event_time,
        })
        .collect();
    arrival::into_dataset(events, Dictionary::default(), cfg)
}

/// (event time, card) of every payment, bursts included, by event time.
fn payment_times_and_cards(cfg: &GenConfig) -> Result<Vec<(Millis, u64)>> {
    // Bursts add BURST_SHARE × mean(BURST_EXTRA) payments per ordinary one;
    // thin the ordinary rate so the total stays rate × duration.
    let mean_extra = f64::from(BURST_EXTRA.start() + BURST_EXTRA.end()) / 2.0;
    let base = cfg
        .rate
        .with_mean(cfg.rate.mean() / (1.0 + BURST_SHARE * mean_extra));
    let times = rate::event_times(
        &base,
        cfg.start,
        cfg.duration_ms,
        &mut rng_for(cfg.seed, "txn-times"),
    )?;
    let cards = KeyPicker::new(cfg)?;
    let mut card_rng = rng_for(cfg.seed, "txn-cards");
    let mut burst_rng = rng_for(cfg.seed, "txn-bursts");
    let end = cfg.start + cfg.duration_ms;
    let mut drafts = Vec::with_capacity(times.len() + times.len() / 32);
    for t in times {
        let card = cards.pick(&mut card_rng);
        drafts.push((t, card));
        if burst_rng.random::<f64>() < BURST_SHARE {
            for _ in 0..burst_rng.random_range(BURST_EXTRA) {
                let u = t + burst_rng.random_range(0..=BURST_SPAN_MS);
                if u < end {
                    drafts.push((u, card));
                }
            }
        }
    }
    // Stable: equal times keep generation order, so the output is fixed.
    drafts.sort_by_key(|&(t, _)| t);
    Ok(drafts)
}

/// Each card's home country (fixed per card and seed) and the occasional
/// payment abroad.
struct HomeCountries {
    seed: u64,
    cumulative: [u32; COUNTRIES.len()],
}

impl HomeCountries {
    fn new(seed: u64) -> Self {
        let mut cumulative = [0; COUNTRIES.len()];
        let mut sum = 0;
        for (c, (_, w)) in cumulative.iter_mut().zip(COUNTRIES) {
            sum += w;
            *c = sum;
        }
        HomeCountries { seed, cumulative }
    }

    /// The home country of `card`: a weighted pick from a hash of the card,
    /// so it does not depend on which cards were drawn before.
    fn home(&self, card: u64) -> usize {
        let total = u64::from(self.cumulative[COUNTRIES.len() - 1]);
        let x = (mix64(self.seed ^ 0xc0de, card) % total) as u32;
        self.cumulative.partition_point(|&c| c <= x)
    }

    /// The country of one payment by `card`.
    fn country(&self, card: u64, rng: &mut impl Rng) -> Country {
        let home = self.home(card);
        if rng.random::<f64>() < FOREIGN_SHARE {
            // Any other listed country, uniformly.
            let other = (home + rng.random_range(1..COUNTRIES.len())) % COUNTRIES.len();
            COUNTRIES[other].0
        } else {
            COUNTRIES[home].0
        }
    }
}

/// Payment amounts: log-normal around $40, and a few large ones.
struct Amounts {
    ordinary: LogNormal<f64>,
}

impl Amounts {
    fn new() -> Result<Self> {
        let ordinary =
            LogNormal::new(MEDIAN_AMOUNT_CENTS.ln(), AMOUNT_SIGMA).map_err(dist_err("amount"))?;
        Ok(Amounts { ordinary })
    }

    fn draw(&self, rng: &mut impl Rng) -> i64 {
        if rng.random::<f64>() < LARGE_SHARE {
            rng.random_range(LARGE_AMOUNT_CENTS..=MAX_AMOUNT_CENTS)
        } else {
            // Ordinary amounts stay below the large threshold, so the large
            // share is exactly the one configured above.
            (self.ordinary.sample(rng).round() as i64).clamp(1, LARGE_AMOUNT_CENTS - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::RateProfile;
    use crate::generate::arrival::{assert_well_formed, late_share};
    use crate::time::{DAY, HOUR, MINUTE};

    fn cfg(seed: u64) -> GenConfig {
        GenConfig {
            seed,
            duration_ms: 20 * MINUTE,
            rate: RateProfile::Constant {
                events_per_second: 100.0,
            },
            keys: 2_000,
            late_fraction: 0.05,
            ..GenConfig::default()
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = transactions(&cfg(1)).unwrap();
        let b = transactions(&cfg(1)).unwrap();
        let c = transactions(&cfg(2)).unwrap();
        assert_eq!(a.events, b.events);
        assert_eq!(a.arrival, b.arrival);
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn shape_count_ids_and_arrival() {
        let cfg = cfg(3);
        let ds = transactions(&cfg).unwrap();
        assert_well_formed(&ds, &cfg);
        assert!(ds.dict.is_empty());
        let expected = cfg.expected_events();
        assert!(
            (ds.len() as f64 - expected).abs() < 0.03 * expected,
            "{} events",
            ds.len()
        );
        let late = late_share(&ds, &cfg);
        assert!((late - 0.05).abs() < 0.005, "late share {late}");
        // txn ids are 1..=n in event-time order.
        let mut by_id = ds.events.clone();
        by_id.sort_by_key(|t| t.txn_id);
        assert!(
            by_id
                .iter()
                .enumerate()
                .all(|(i, t)| t.txn_id == i as u64 + 1)
        );
        assert!(by_id.windows(2).all(|w| w[0].event_time <= w[1].event_time));
        for t in &ds.events {
            assert!((1..=MERCHANTS).contains(&t.merchant_id));
            assert!((1..=cfg.keys).contains(&t.card_id));
            assert!((1..=MAX_AMOUNT_CENTS).contains(&t.amount_cents));
            assert!(COUNTRIES.iter().any(|(c, _)| *c == t.country));
        }
    }

    #[test]
    fn every_rule_has_material() {
        let cfg = cfg(4);
        let ds = transactions(&cfg).unwrap();
        let n = ds.len() as f64;
        let large = ds
            .events
            .iter()
            .filter(|t| t.amount_cents >= LARGE_AMOUNT_CENTS)
            .count() as f64;
        assert!(
            (large / n - LARGE_SHARE).abs() < 0.0005,
            "large share {}",
            large / n
        );
        let home = HomeCountries::new(cfg.seed);
        let abroad = ds
            .events
            .iter()
            .filter(|t| t.country != COUNTRIES[home.home(t.card_id)].0)
            .count() as f64;
        assert!(
            (abroad / n - FOREIGN_SHARE).abs() < 0.004,
            "abroad share {}",
            abroad / n
        );
        // Velocity: cards with 5 payments inside 60 s exist.
        let mut by_card = ds.events.clone();
        by_card.sort_by_key(|t| (t.card_id, t.event_time));
        let velocity = by_card
            .windows(5)
            .filter(|w| w[0].card_id == w[4].card_id && w[4].event_time - w[0].event_time < 60_000)
            .count();
        assert!(velocity > 100, "{velocity} velocity windows");
    }

    #[test]
    fn zipf_concentrates_on_the_top_card() {
        let top_share = |zipf_s| {
            let ds = transactions(&GenConfig { zipf_s, ..cfg(5) }).unwrap();
            let top = ds.events.iter().filter(|t| t.card_id == 1).count();
            top as f64 / ds.len() as f64
        };
        let (uniform, zipf) = (top_share(None), top_share(Some(1.1)));
        assert!(
            zipf > 50.0 * uniform,
            "top card share: zipf {zipf}, uniform {uniform}"
        );
    }

    #[test]
    fn daily_curve_shows_in_the_payments() {
        let cfg = GenConfig {
            duration_ms: DAY,
            rate: RateProfile::Daily {
                mean_events_per_second: 1.0,
                peak_to_mean: 1.5,
                peak_hour_utc: 18.0,
            },
            ..cfg(6)
        };
        let ds = transactions(&cfg).unwrap();
        let in_hour = |h: i64| {
            let from = cfg.start + h * HOUR;
            ds.events
                .iter()
                .filter(|t| (from..from + HOUR).contains(&t.event_time))
                .count()
        };
        assert!(
            in_hour(18) > 2 * in_hour(6),
            "peak {} trough {}",
            in_hour(18),
            in_hour(6)
        );
    }

    #[test]
    fn absurd_configs_are_rejected() {
        let negative = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: -5.0,
            },
            ..cfg(1)
        };
        let huge = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: 5_000_000.0,
            },
            duration_ms: 31 * DAY,
            ..cfg(1)
        };
        let no_keys = GenConfig { keys: 0, ..cfg(1) };
        for bad in [negative, huge, no_keys] {
            assert!(transactions(&bad).is_err(), "{bad:?} must be rejected");
        }
    }
}

//! Generator of order lines for `daily-report`.
//!
//! Each product has a fixed category and base price (derived from a hash of
//! the product and the seed, so they do not depend on draw order); orders
//! pick a product (Zipf or uniform), one of [`STORES`] stores, and a small
//! quantity, mostly 1.

use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rand_pcg::Pcg64Mcg;

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::event::Order;

use super::{GenConfig, KeyPicker, arrival, dist_err, mix64, rate, rng_for};

/// Stores are drawn uniformly from `1..=STORES`.
pub const STORES: u32 = 20;
/// Product categories (the dictionary sorts them; this list already is).
const CATEGORIES: [&str; 8] = [
    "books",
    "electronics",
    "games",
    "garden",
    "grocery",
    "home",
    "sports",
    "toys",
];
/// Weights of quantities 1, 2, 3, 4, 5.
const QUANTITY_WEIGHTS: [u32; 5] = [70, 15, 8, 4, 3];
/// Median product price: $25.
const MEDIAN_PRICE_CENTS: f64 = 2_500.0;
/// Spread of product prices (σ of the log).
const PRICE_SIGMA: f64 = 0.9;
/// Product prices are clamped to this range (cents).
const PRICE_RANGE: std::ops::RangeInclusive<i64> = 50..=2_000_000;

/// Generates orders: `cfg.keys` products, about `rate × duration` orders,
/// order ids 1, 2, … in event-time order. The dictionary holds the
/// categories.
pub fn orders(cfg: &GenConfig) -> Result<Dataset<Order>> {
    cfg.validate()?;
    let dict = Dictionary::from_values(CATEGORIES);
    let catalog = Catalog::new(cfg.seed, &dict)?;
    let times = rate::event_times(
        &cfg.rate,
        cfg.start,
        cfg.duration_ms,
        &mut rng_for(cfg.seed, "order-times"),
    )?;
    let products = KeyPicker::new(cfg)?;
    let quantities = WeightedIndex::new(QUANTITY_WEIGHTS).map_err(dist_err("quantity"))?;
    let mut product_rng = rng_for(cfg.seed, "order-products");
    let mut store_rng = rng_for(cfg.seed, "order-stores");
    let mut quantity_rng = rng_for(cfg.seed, "order-quantities");
    let events = times
        .into_iter()
        .enumerate()
        .map(|(i, event_time)| {
            // Keys are at most 10 million (validated), so they fit u32.
            let product_id = products.pick(&mut product_rng) as u32;
            let (category, unit_price_cents) = catalog.product(product_id);
            Order {
                order_id: i as u64 + 1,
                store_id: store_rng.random_range(1..=STORES),
                product_id,
                category,
                quantity: quantities.sample(&mut quantity_rng) as u32 + 1,
                unit_price_cents,
                event_time,
            }
        })
        .collect();
    arrival::into_dataset(events, dict, cfg)
}

/// Fixed attributes of every product, computed on demand from the seed.
struct Catalog {
    seed: u64,
    category_ids: [u32; CATEGORIES.len()],
    price: LogNormal<f64>,
}

impl Catalog {
    fn new(seed: u64, dict: &Dictionary) -> Result<Self> {
        let mut category_ids = [0; CATEGORIES.len()];
        for (id, name) in category_ids.iter_mut().zip(CATEGORIES) {
            *id = dict
                .id(name)
                .ok_or_else(|| WorkloadError::Config(format!("category `{name}` not interned")))?;
        }
        let price =
            LogNormal::new(MEDIAN_PRICE_CENTS.ln(), PRICE_SIGMA).map_err(dist_err("price"))?;
        Ok(Catalog {
            seed,
            category_ids,
            price,
        })
    }

    /// (category id, unit price in cents) of `product`.
    fn product(&self, product: u32) -> (u32, i64) {
        let h = mix64(self.seed ^ 0x0cea_1095, u64::from(product));
        let category = self.category_ids[(h % CATEGORIES.len() as u64) as usize];
        let mut rng = Pcg64Mcg::seed_from_u64(h);
        let price = (self.price.sample(&mut rng).round() as i64)
            .clamp(*PRICE_RANGE.start(), *PRICE_RANGE.end());
        (category, price)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::generate::RateProfile;
    use crate::generate::arrival::{assert_well_formed, late_share};
    use crate::time::{DAY, MINUTE};

    fn cfg(seed: u64) -> GenConfig {
        GenConfig {
            seed,
            duration_ms: 20 * MINUTE,
            rate: RateProfile::Constant {
                events_per_second: 100.0,
            },
            keys: 500,
            late_fraction: 0.03,
            ..GenConfig::default()
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = orders(&cfg(1)).unwrap();
        let b = orders(&cfg(1)).unwrap();
        let c = orders(&cfg(2)).unwrap();
        assert_eq!(a.events, b.events);
        assert_eq!(a.arrival, b.arrival);
        assert_eq!(a.dict, b.dict);
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn shape_count_ids_and_arrival() {
        let cfg = cfg(3);
        let ds = orders(&cfg).unwrap();
        assert_well_formed(&ds, &cfg);
        let expected = cfg.expected_events();
        assert!(
            (ds.len() as f64 - expected).abs() < 0.03 * expected,
            "{} events",
            ds.len()
        );
        let late = late_share(&ds, &cfg);
        assert!((late - 0.03).abs() < 0.005, "late share {late}");
        assert_eq!(ds.dict.values(), CATEGORIES);
        let mut ids: Vec<u64> = ds.events.iter().map(|o| o.order_id).collect();
        ids.sort_unstable();
        assert!(ids.iter().enumerate().all(|(i, &id)| id == i as u64 + 1));
        let mut ones = 0;
        for o in &ds.events {
            assert!((1..=STORES).contains(&o.store_id));
            assert!((1..=cfg.keys as u32).contains(&o.product_id));
            assert!((1..=5).contains(&o.quantity));
            assert!(PRICE_RANGE.contains(&o.unit_price_cents));
            ones += usize::from(o.quantity == 1);
        }
        assert!(ones * 10 > ds.len() * 6, "quantity is mostly 1");
    }

    #[test]
    fn a_product_keeps_its_category_and_price() {
        let ds = orders(&cfg(4)).unwrap();
        let mut seen: HashMap<u32, (u32, i64)> = HashMap::new();
        for o in &ds.events {
            let first = *seen
                .entry(o.product_id)
                .or_insert((o.category, o.unit_price_cents));
            assert_eq!(
                first,
                (o.category, o.unit_price_cents),
                "product {}",
                o.product_id
            );
        }
        let categories: std::collections::HashSet<u32> = seen.values().map(|v| v.0).collect();
        assert_eq!(categories.len(), CATEGORIES.len());
    }

    #[test]
    fn zipf_concentrates_on_the_top_product() {
        let top_share = |zipf_s| {
            let ds = orders(&GenConfig { zipf_s, ..cfg(5) }).unwrap();
            ds.events.iter().filter(|o| o.product_id == 1).count() as f64 / ds.len() as f64
        };
        let (uniform, zipf) = (top_share(None), top_share(Some(1.0)));
        assert!(
            zipf > 20.0 * uniform,
            "top product share: zipf {zipf}, uniform {uniform}"
        );
    }

    #[test]
    fn absurd_configs_are_rejected() {
        let negative = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: -1.0,
            },
            ..cfg(1)
        };
        let huge = GenConfig {
            rate: RateProfile::Constant {
                events_per_second: 1e12,
            },
            ..cfg(1)
        };
        let no_keys = GenConfig { keys: 0, ..cfg(1) };
        let long = GenConfig {
            duration_ms: 40 * DAY,
            ..cfg(1)
        };
        for bad in [negative, huge, no_keys, long] {
            assert!(orders(&bad).is_err(), "{bad:?} must be rejected");
        }
    }
}

//! Seeded, deterministic events for a custom workload: event times from the
//! load settings' rate profile, each column drawn from its own distribution
//! (its own random stream, so changing one column leaves the others as they
//! were), arrival delays from the jitter / late settings.
//!
//! The load settings' `keys` and `zipf_s` are not used: each key column
//! carries its own cardinality and distribution.

use rand::Rng;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Distribution, LogNormal, Normal, Zipf};
use rand_pcg::Pcg64Mcg;

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::generate::{GenConfig, KeyPicker, arrival, dist_err, rate, rng_for};

use super::compiled::{CustomEvent, scale};
use super::def::{
    ColumnDef, CustomDef, KeyDistribution, MAX_COLUMNS, MAX_MAGNITUDE, NumberDistribution,
};

/// Most events one generated custom dataset may hold: its events are
/// ~100 bytes (the reference workloads' ~50), so half their bound.
pub const MAX_CUSTOM_EVENTS: u64 = 25_000_000;

/// Draws one column's values.
enum Column {
    Key(KeyPicker),
    Uniform { min: f64, max: f64, decimals: u32 },
    Normal(Normal<f64>, u32),
    LogNormal(LogNormal<f64>, u32),
    Category(WeightedIndex<f64>),
}

impl Column {
    fn new(c: &ColumnDef) -> Result<Self> {
        Ok(match c {
            ColumnDef::Key {
                cardinality,
                distribution,
                ..
            } => Column::Key(match distribution {
                KeyDistribution::Uniform => KeyPicker::Uniform(*cardinality),
                KeyDistribution::Zipf { s } => KeyPicker::Zipf(
                    Zipf::new(*cardinality as f64, *s).map_err(dist_err("key (Zipf)"))?,
                ),
            }),
            ColumnDef::Number {
                distribution,
                decimals,
                ..
            } => match *distribution {
                NumberDistribution::Uniform { min, max } => Column::Uniform {
                    min,
                    max,
                    decimals: *decimals,
                },
                NumberDistribution::Normal { mean, std_dev } => Column::Normal(
                    Normal::new(mean, std_dev).map_err(dist_err("normal"))?,
                    *decimals,
                ),
                NumberDistribution::LogNormal { median, sigma } => Column::LogNormal(
                    LogNormal::new(median.ln(), sigma).map_err(dist_err("log-normal"))?,
                    *decimals,
                ),
            },
            ColumnDef::Category {
                values, weights, ..
            } => {
                let w = weights.clone().unwrap_or_else(|| vec![1.0; values.len()]);
                Column::Category(WeightedIndex::new(w).map_err(dist_err("category"))?)
            }
            ColumnDef::Sampled { name, .. } => {
                return Err(WorkloadError::Config(format!(
                    "column `{name}` is read from a sample file and cannot be generated: a workload built from a sample runs on its sample's events"
                )));
            }
        })
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> i64 {
        let number = |x: f64, d: u32| scale(x.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE), d);
        match self {
            Column::Key(k) => k.pick(rng) as i64,
            Column::Uniform { min, max, decimals } => {
                let x = if max > min {
                    rng.random_range(*min..=*max)
                } else {
                    *min
                };
                number(x, *decimals)
            }
            Column::Normal(n, d) => number(n.sample(rng), *d),
            Column::LogNormal(n, d) => number(n.sample(rng), *d),
            Column::Category(w) => w.sample(rng) as i64,
        }
    }
}

/// Generates events for `def` under the load settings `cfg` (both must be
/// valid; they are checked again here).
pub fn generate(def: &CustomDef, cfg: &GenConfig) -> Result<Dataset<CustomEvent>> {
    cfg.validate()?;
    if cfg.expected_events() > MAX_CUSTOM_EVENTS as f64 {
        return Err(WorkloadError::Config(format!(
            "rate × duration gives {:.0} events, more than the {MAX_CUSTOM_EVENTS} one custom run may generate",
            cfg.expected_events()
        )));
    }
    if def.columns.len() > MAX_COLUMNS {
        return Err(WorkloadError::Config(format!(
            "at most {MAX_COLUMNS} columns, got {}",
            def.columns.len()
        )));
    }
    let columns = def
        .columns
        .iter()
        .map(Column::new)
        .collect::<Result<Vec<_>>>()?;
    let mut time_rng = rng_for(cfg.seed, "custom-event-times");
    let times = rate::event_times(&cfg.rate, cfg.start, cfg.duration_ms, &mut time_rng)?;
    let mut rngs: Vec<Pcg64Mcg> = def
        .columns
        .iter()
        .map(|c| rng_for(cfg.seed, &format!("custom-column-{}", c.name())))
        .collect();
    let events = times
        .into_iter()
        .map(|event_time| {
            let mut values = [0i64; MAX_COLUMNS];
            for (i, (col, rng)) in columns.iter().zip(&mut rngs).enumerate() {
                values[i] = col.draw(rng);
            }
            CustomEvent { event_time, values }
        })
        .collect();
    arrival::into_dataset(events, Dictionary::default(), cfg)
}

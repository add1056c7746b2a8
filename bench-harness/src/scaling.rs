//! Scale-out measured, then modeled: the same batch run (one run over every
//! event of the scenario) on Ballista clusters of 1, 2, 4 … executors, its
//! fixed per-run cost (the same run over a handful of events: session,
//! planning, task launch and shuffle set-up), and from those a fitted
//! scaling curve that sizes a cluster for a user's rate.
//!
//! Honesty rules: points with more executors than this machine has cores
//! share cores, so they are measured and shown but left out of the fit; the
//! fit (Amdahl: a serial share `s` of the per-event work does not shrink
//! with executors) is what extrapolates, and the report says so.

use serde::{Deserialize, Serialize};

use crate::cost::{CostModel, MonthlyCost, ServiceFit};

/// Most executors a sizing may propose before it says "does not fit".
pub const MAX_SIZED_EXECUTORS: usize = 1024;

/// One cluster size, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub executors: usize,
    /// Median seconds of the whole run over every event, without the time
    /// the client spent writing the lake files it reads.
    pub seconds: f64,
    /// Median seconds the client spent writing those files (a real lake is
    /// written once, by ingest: reported, not counted).
    #[serde(default)]
    pub lake_write_seconds: f64,
    /// Median seconds of the same run over a few events: the fixed part.
    pub fixed_seconds: f64,
    /// Events per second of the per-event part (`events / (seconds −
    /// fixed)`).
    pub events_per_second: f64,
    /// `events_per_second / executors`.
    pub per_executor_events_per_second: f64,
    /// Speed-up over one executor divided by the executors (1 = linear).
    pub efficiency: f64,
    /// More executors than the machine's cores: they shared cores.
    pub beyond_cores: bool,
    /// The run's output equalled the reference implementation.
    pub exact: bool,
}

/// The fitted curve: a run of `n` events on `k` executors takes
/// `fixed + n · per_event_one · (serial + (1 − serial) / k)` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScalingFit {
    pub fixed_seconds: f64,
    /// Seconds per event on one executor.
    pub per_event_seconds_one: f64,
    /// Share of the per-event work that does not parallelize (0–1).
    pub serial_fraction: f64,
}

impl ScalingFit {
    /// Fits the curve to the points within the machine's cores (one point
    /// gives a serial share of 0: linear, and the report says it is
    /// assumed).
    pub fn fit(events: u64, points: &[ScalePoint]) -> Option<ScalingFit> {
        let usable: Vec<&ScalePoint> = points.iter().filter(|p| !p.beyond_cores).collect();
        let one = usable.iter().find(|p| p.executors == 1)?;
        let work = |p: &ScalePoint| (p.seconds - p.fixed_seconds).max(1e-9);
        let w1 = work(one);
        let shares: Vec<f64> = usable
            .iter()
            .filter(|p| p.executors > 1)
            .map(|p| {
                let k = p.executors as f64;
                ((work(p) / w1 - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0)
            })
            .collect();
        let serial = if shares.is_empty() {
            0.0
        } else {
            shares.iter().sum::<f64>() / shares.len() as f64
        };
        let fixed = usable.iter().map(|p| p.fixed_seconds).sum::<f64>() / usable.len() as f64;
        Some(ScalingFit {
            fixed_seconds: fixed,
            per_event_seconds_one: w1 / events.max(1) as f64,
            serial_fraction: serial,
        })
    }

    /// Seconds of one run of `events` on `executors`.
    pub fn run_seconds(&self, executors: usize, events: f64) -> f64 {
        let k = executors.max(1) as f64;
        self.fixed_seconds
            + events
                * self.per_event_seconds_one
                * (self.serial_fraction + (1.0 - self.serial_fraction) / k)
    }

    /// Fewest executors whose run of `events`, times `headroom`, fits in
    /// `interval_s`; `None` when even [`MAX_SIZED_EXECUTORS`] do not.
    pub fn executors_for(&self, events: f64, interval_s: f64, headroom: f64) -> Option<usize> {
        (1..=MAX_SIZED_EXECUTORS).find(|&k| self.run_seconds(k, events) * headroom <= interval_s)
    }
}

/// A cluster sized for one rate and batch interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sizing {
    pub events_per_second: f64,
    pub interval_seconds: f64,
    /// `None`: no cluster up to [`MAX_SIZED_EXECUTORS`] keeps up.
    pub executors: Option<usize>,
    /// Modeled seconds of one run on that cluster.
    pub run_seconds: Option<f64>,
    /// Monthly cost of the batch cluster, billed per run.
    pub batch_monthly: Option<MonthlyCost>,
    /// Cores the stream plan needs at that rate (its measured per-core
    /// rate, with headroom), and their monthly cost.
    pub stream_cores: Option<f64>,
    pub stream_monthly: Option<MonthlyCost>,
}

/// Everything the scaling measurement found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingReport {
    /// What one measured run was.
    pub plan: String,
    pub events: u64,
    pub machine_cores: usize,
    /// The same run in this process over in-memory tables, and over the
    /// same Parquet files (without writing them), medians: what Ballista is
    /// weighed against.
    pub in_memory_seconds: f64,
    pub parquet_seconds: f64,
    pub points: Vec<ScalePoint>,
    pub fit: Option<ScalingFit>,
    pub sizing: Vec<Sizing>,
    pub notes: Vec<String>,
}

impl ScalingReport {
    /// Sizes clusters for `rates` × `intervals_s` from the fit, and the
    /// stream plan from its measured `stream` fit (per-event cost and
    /// parallel efficiency).
    pub fn size(
        &mut self,
        cost: &CostModel,
        rates: &[f64],
        intervals_s: &[f64],
        stream: Option<ServiceFit>,
        peak_bytes: f64,
    ) {
        self.sizing.clear();
        let Some(fit) = self.fit else { return };
        for &rate in rates {
            let stream = stream.map(|f| {
                cost.always_on(
                    1.0 / f.per_event_seconds,
                    f.parallel_efficiency,
                    rate,
                    peak_bytes,
                )
            });
            for &interval in intervals_s {
                let events = rate * interval;
                let executors = fit.executors_for(events, interval, cost.headroom);
                let batch = executors.map(|k| {
                    let per_event = fit.run_seconds(k, 1.0) - fit.fixed_seconds;
                    let service = ServiceFit {
                        fixed_seconds: fit.fixed_seconds,
                        per_event_seconds: per_event,
                        parallel_efficiency: 1.0,
                    };
                    cost.batch(&service, interval, rate, k as f64, peak_bytes)
                });
                self.sizing.push(Sizing {
                    events_per_second: rate,
                    interval_seconds: interval,
                    executors,
                    run_seconds: executors.map(|k| fit.run_seconds(k, events)),
                    batch_monthly: batch,
                    stream_cores: stream.map(|m| m.vcpus),
                    stream_monthly: stream,
                });
            }
        }
    }

    /// The measured points as lines (CLI and page): time, fixed part,
    /// events/s per executor, efficiency, and exactness.
    pub fn point_lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{}: in process {} (in-memory tables) / {} (Parquet lake)",
            self.plan,
            units::seconds(self.in_memory_seconds),
            units::seconds(self.parquet_seconds)
        )];
        for p in &self.points {
            lines.push(format!(
                "{} executor{}: {} (fixed {}; writing its lake files {} more), {} events/s per executor, efficiency {}{}{}",
                p.executors,
                if p.executors == 1 { "" } else { "s" },
                units::seconds(p.seconds),
                units::seconds(p.fixed_seconds),
                units::seconds(p.lake_write_seconds),
                units::rate(p.per_executor_events_per_second),
                units::percent(p.efficiency),
                if p.beyond_cores {
                    ", shared cores (not fitted)"
                } else {
                    ""
                },
                if p.exact { "" } else { ", OUTPUT WRONG" }
            ));
        }
        lines
    }

    /// One sentence per sizing, for the CLI, the page and the advisor.
    pub fn sizing_lines(&self) -> Vec<String> {
        self.sizing
            .iter()
            .map(|z| {
                let every = crate::plan::human_duration((z.interval_seconds * 1000.0) as i64);
                let batch = match (z.executors, &z.batch_monthly) {
                    (Some(k), Some(m)) => format!(
                        "batch every {every} needs {k} executor{} of 1 vCPU ({}, runs of {})",
                        if k == 1 { "" } else { "s" },
                        units::usd_per_month(Some(m.usd)),
                        units::seconds(z.run_seconds.unwrap_or(0.0))
                    ),
                    _ => format!(
                        "batch every {every} does not keep up on {MAX_SIZED_EXECUTORS} executors"
                    ),
                };
                let stream = match (z.stream_cores, &z.stream_monthly) {
                    (Some(c), Some(m)) => format!(
                        "; stream needs {c} vCPUs ({})",
                        units::usd_per_month(Some(m.usd))
                    ),
                    _ => String::new(),
                };
                format!(
                    "at {} events/s, {batch}{stream}",
                    units::rate(z.events_per_second)
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(executors: usize, seconds: f64, fixed: f64) -> ScalePoint {
        ScalePoint {
            executors,
            seconds,
            lake_write_seconds: 0.0,
            fixed_seconds: fixed,
            events_per_second: 0.0,
            per_executor_events_per_second: 0.0,
            efficiency: 0.0,
            beyond_cores: executors > 2,
            exact: true,
        }
    }

    /// Work of 10 s on one executor and 6 s on two: a serial share of 0.2;
    /// the 4-executor point shared 2 cores and is not fitted.
    #[test]
    fn the_fit_recovers_the_serial_share_from_points_within_the_cores() {
        let points = [point(1, 10.5, 0.5), point(2, 6.5, 0.5), point(4, 9.0, 0.5)];
        let fit = ScalingFit::fit(1_000_000, &points).unwrap();
        assert!((fit.serial_fraction - 0.2).abs() < 1e-9, "{fit:?}");
        assert!((fit.per_event_seconds_one - 1e-5).abs() < 1e-15);
        assert!((fit.run_seconds(2, 1e6) - 6.5).abs() < 1e-9);
        // 8 executors: 0.5 + 10 · (0.2 + 0.8/8) = 3.5 s.
        assert!((fit.run_seconds(8, 1e6) - 3.5).abs() < 1e-9);
    }

    #[test]
    fn sizing_picks_the_fewest_executors_that_keep_up_or_none() {
        let fit = ScalingFit {
            fixed_seconds: 1.0,
            per_event_seconds_one: 1e-5,
            serial_fraction: 0.0,
        };
        // 900,000 events in 900 s: 9 s of work; with 1.5× headroom one
        // executor takes (1 + 9) · 1.5 = 15 s ≤ 900 s.
        assert_eq!(fit.executors_for(900_000.0, 900.0, 1.5), Some(1));
        // 200,000 events/s for 15 minutes: 1,800 s of work on one
        // executor; (1 + 1800/k) · 1.5 ≤ 900 needs k = 4.
        assert_eq!(fit.executors_for(1.8e8, 900.0, 1.5), Some(4));
        // A fixed cost longer than the interval never fits.
        let slow = ScalingFit {
            fixed_seconds: 1000.0,
            ..fit
        };
        assert_eq!(slow.executors_for(1.0, 900.0, 1.5), None);
    }

    #[test]
    fn no_single_executor_point_means_no_fit() {
        assert!(ScalingFit::fit(10, &[point(2, 1.0, 0.1)]).is_none());
    }
}

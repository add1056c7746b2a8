//! The stream plan split by key, measured: the exact stream operator over
//! every event on 1 and 2 worker threads ([`workloads::partition`]), each
//! run checked against the reference. Its efficiency on two workers is what
//! the cost model charges each stream core beyond the first
//! ([`crate::cost::ServiceFit::parallel_efficiency`]), instead of assuming
//! linear scaling.
//!
//! Two limits are reported apart, because a replay hides one of them: the
//! measured efficiency (a whole file spread over the workers), and the live
//! bound — per minute of arrival, the busiest worker's share, which caps a
//! live keyed stage whose active keys are few (a daily report has one open
//! day at a time).

use serde::{Deserialize, Serialize};
use workloads::Workload;
use workloads::dataset::Dataset;
use workloads::mode::StreamConfig;
use workloads::output::materialize;
use workloads::partition::{live_busiest_share, run_partitioned};
use workloads::time::MINUTE;

use crate::error::Result;
use crate::progress::Progress;

/// Worker counts measured: one, and the two a 2-core machine can run.
pub const WORKERS: [usize; 2] = [1, 2];
/// Runs per worker count; the median is kept.
const REPEATS: usize = 3;

/// One worker count, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionPoint {
    pub workers: usize,
    /// Median wall seconds of the workers (routing not included).
    pub seconds: f64,
    /// Median seconds routing events to their workers (the keyed shuffle,
    /// in memory here; a network hop in a real cluster).
    pub route_seconds: f64,
    pub events_per_second: f64,
    /// `t(1) / (workers · t(workers))`.
    pub efficiency: f64,
    /// The busiest worker's share of all events (1/workers is even).
    pub busiest_share: f64,
    /// The busiest worker's share per minute of arrival (see the module).
    pub live_busiest_share: f64,
    /// More workers than the machine has cores.
    pub beyond_cores: bool,
    /// The merged output equals the reference.
    pub exact: bool,
}

/// What splitting the stream plan by key measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamPartitioning {
    /// The key the events were routed by.
    pub key: String,
    pub events: u64,
    pub machine_cores: usize,
    pub points: Vec<PartitionPoint>,
    /// What the cost model uses for each stream core beyond the first: the
    /// measured two-worker efficiency, capped by the live bound
    /// `1 / (workers · live busiest share)`.
    pub efficiency: f64,
    pub notes: Vec<String>,
}

impl StreamPartitioning {
    /// One line per point (CLI and page).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "stream split by {} over {} events; cost model charges each core beyond the first at {} efficiency",
            self.key,
            self.events,
            units::percent(self.efficiency)
        )];
        for p in &self.points {
            lines.push(format!(
                "{} worker{}: {} ({} events/s; routing {} more), efficiency {}, busiest worker {} of all events and {} per live minute{}{}",
                p.workers,
                if p.workers == 1 { "" } else { "s" },
                units::seconds(p.seconds),
                units::rate(p.events_per_second),
                units::seconds(p.route_seconds),
                units::percent(p.efficiency),
                units::percent(p.busiest_share),
                units::percent(p.live_busiest_share),
                if p.beyond_cores { ", shared cores" } else { "" },
                if p.exact { "" } else { ", OUTPUT WRONG" }
            ));
        }
        lines
    }
}

/// Measures the exact stream operator of `workload` over `data` on each of
/// [`WORKERS`], [`REPEATS`] times each, against `truth`.
pub fn measure<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
    truth: &[W::Row],
    progress: &dyn Progress,
) -> Result<StreamPartitioning> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut points = Vec::new();
    for (i, &workers) in WORKERS.iter().enumerate() {
        progress.check()?;
        progress.update(
            &format!("stream split by key: {workers} worker(s)"),
            i as u64,
            WORKERS.len() as u64,
        );
        let (mut runs, mut routes) = (Vec::new(), Vec::new());
        let (mut exact, mut shares) = (false, Vec::new());
        for round in 0..REPEATS {
            let run = run_partitioned(workload, &StreamConfig::EXACT, &data.events, workers);
            runs.push(run.run_seconds);
            routes.push(run.route_seconds);
            if round == 0 {
                exact = materialize(&run.changelog) == truth;
                shares = run.events_per_worker;
            }
        }
        let busiest = shares.iter().max().copied().unwrap_or(0);
        points.push(PartitionPoint {
            workers,
            seconds: median(&mut runs),
            route_seconds: median(&mut routes),
            events_per_second: 0.0,
            efficiency: 0.0,
            busiest_share: if data.events.is_empty() {
                1.0 / workers as f64
            } else {
                busiest as f64 / data.events.len() as f64
            },
            live_busiest_share: live_busiest_share(
                workload,
                &data.events,
                &data.arrival,
                workers,
                MINUTE,
            ),
            beyond_cores: workers > cores,
            exact,
        });
    }
    let one = points.iter().find(|p| p.workers == 1).map(|p| p.seconds);
    for p in &mut points {
        let s = p.seconds.max(1e-9);
        p.events_per_second = data.events.len() as f64 / s;
        p.efficiency = one.map_or(0.0, |t1| t1 / (p.workers as f64 * s));
    }
    let efficiency = model_efficiency(&points);
    let mut notes = vec![
        format!(
            "The exact stream operator, events routed by {} to worker hash(key) mod N, one thread \
             each on this {cores}-core machine; medians of {REPEATS} runs. Routing is timed apart.",
            workload.partition_key_name()
        ),
        "Each worker keeps its own watermark here; a real deployment broadcasts the source's. \
         The two only differ in when an event counts as late, so the exact configuration \
         (nothing dropped) is what is measured and checked."
            .into(),
        format!(
            "Each stream core beyond the first is charged at {} of one core's rate: the measured \
             efficiency on 2 workers, capped by the live bound 1/(workers × busiest share per \
             minute). More workers than 2 are modeled at that same efficiency.",
            units::percent(efficiency)
        ),
    ];
    if points.iter().any(|p| p.beyond_cores) {
        notes.push(format!(
            "Points with more workers than the machine's {cores} cores shared cores."
        ));
    }
    Ok(StreamPartitioning {
        key: workload.partition_key_name(),
        events: data.events.len() as u64,
        machine_cores: cores,
        points,
        efficiency,
        notes,
    })
}

/// The efficiency the cost model uses: the largest measured worker count
/// within the cores, capped by its live bound; 1.0 when nothing beyond one
/// worker was measured (linear, and the notes say so).
fn model_efficiency(points: &[PartitionPoint]) -> f64 {
    points
        .iter()
        .filter(|p| p.workers > 1 && !p.beyond_cores && p.exact)
        .max_by_key(|p| p.workers)
        .map_or(1.0, |p| {
            let live = 1.0 / (p.workers as f64 * p.live_busiest_share.max(1e-9));
            p.efficiency
                .min(live)
                .clamp(crate::cost::MIN_EFFICIENCY, 1.0)
        })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(workers: usize, efficiency: f64, live: f64) -> PartitionPoint {
        PartitionPoint {
            workers,
            seconds: 1.0,
            route_seconds: 0.0,
            events_per_second: 1.0,
            efficiency,
            busiest_share: live,
            live_busiest_share: live,
            beyond_cores: false,
            exact: true,
        }
    }

    #[test]
    fn the_model_takes_the_measured_efficiency_capped_by_the_live_skew() {
        // Even keys: the measured 85 % stands.
        assert_eq!(
            model_efficiency(&[point(1, 1.0, 1.0), point(2, 0.85, 0.5)]),
            0.85
        );
        // One live key: a second worker idles, whatever the replay measured.
        let one_key = model_efficiency(&[point(1, 1.0, 1.0), point(2, 0.9, 1.0)]);
        assert!((one_key - 0.5).abs() < 1e-9, "{one_key}");
        // Nothing measured beyond one worker: linear, as modeled.
        assert_eq!(model_efficiency(&[point(1, 1.0, 1.0)]), 1.0);
        // A wrong output is not evidence.
        let mut wrong = point(2, 0.9, 0.5);
        wrong.exact = false;
        assert_eq!(model_efficiency(&[point(1, 1.0, 1.0), wrong]), 1.0);
    }
}

//! Turns a simulated [`Timeline`] into the report's measured quantities:
//! the latency distribution (hdrhistogram), throughput, and correctness
//! against ground truth.

use hdrhistogram::Histogram;
use workloads::output::{Comparison, Materialized, compare};
use workloads::{OutputRow, Workload};

use crate::clock::Timeline;
use crate::cost::ServiceFit;
use crate::plan::Plan;
use crate::report::{Correctness, LatencySummary, Throughput};

/// Latency distribution of the timeline's emissions (flushed ones excluded).
pub fn latency<W: Workload>(t: &Timeline<W>) -> LatencySummary {
    // Milliseconds, 3 significant digits, up to ~35 days.
    let mut h = Histogram::<u64>::new_with_bounds(1, 3_000_000_000, 3).expect("static bounds");
    for (e, &at) in t.changelog[..t.flushed_from].iter().zip(&t.emit_ms) {
        let ms = (at - e.depends_on as f64).max(0.0);
        h.saturating_record(ms.round() as u64);
    }
    let flushed = (t.changelog.len() - t.flushed_from) as u64;
    if h.is_empty() {
        return LatencySummary {
            count: 0,
            p50_ms: 0.0,
            p95_ms: 0.0,
            p99_ms: 0.0,
            max_ms: 0.0,
            mean_ms: 0.0,
            flushed_at_end: flushed,
            cdf: Vec::new(),
        };
    }
    let q = |p: f64| h.value_at_quantile(p) as f64;
    let cdf = (0..=100)
        .map(|i| {
            let p = i as f64 / 100.0;
            (q(p), p)
        })
        .collect();
    LatencySummary {
        count: h.len(),
        p50_ms: q(0.50),
        p95_ms: q(0.95),
        p99_ms: q(0.99),
        max_ms: h.max() as f64,
        mean_ms: h.mean(),
        flushed_at_end: flushed,
        cdf,
    }
}

/// Throughput figures: sustainable rate per core and how busy the run was.
pub fn throughput<W: Workload>(
    t: &Timeline<W>,
    plan: &Plan,
    span_ms: f64,
    startup_s: f64,
) -> Throughput {
    let fit = match plan {
        Plan::Stream(_) => ServiceFit {
            fixed_seconds: 0.0,
            per_event_seconds: if t.events_processed > 0 {
                t.busy_seconds / t.events_processed as f64
            } else {
                0.0
            },
            parallel_efficiency: 1.0,
        },
        _ => ServiceFit::fit(&t.work),
    };
    let sustainable = match *plan {
        Plan::Stream(_) => {
            if fit.per_event_seconds > 0.0 {
                1.0 / fit.per_event_seconds
            } else {
                f64::INFINITY
            }
        }
        Plan::MicroBatch { trigger_ms, .. } => {
            fit.sustainable_rate(trigger_ms as f64 / 1000.0, 0.0)
        }
        Plan::Batch { interval_ms, .. } => {
            fit.sustainable_rate(interval_ms as f64 / 1000.0, startup_s)
        }
    };
    Throughput {
        sustainable_events_per_second_per_core: finite(sustainable),
        events_per_busy_second: if t.busy_seconds > 0.0 {
            t.events_processed as f64 / t.busy_seconds
        } else {
            0.0
        },
        service_fit: fit,
        units_of_work: t.work.len() as u64,
        max_queue_delay_ms: t.max_queue_delay_ms,
        utilization: if span_ms > 0.0 {
            t.busy_seconds * 1000.0 / span_ms
        } else {
            0.0
        },
    }
}

/// JSON has no infinity: an unbounded rate is reported as `f64::MAX`.
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::MAX }
}

/// The final output of the changelog against ground truth.
pub fn correctness<W: Workload>(t: &Timeline<W>, truth: &[W::Row]) -> (Correctness, Vec<W::Row>) {
    let mut m = Materialized::<W::Row>::default();
    for e in &t.changelog {
        m.apply(&e.change);
    }
    let rows = m.rows();
    let c: Comparison<W::Row> = compare(truth, &rows);
    let show = |r: &W::Row| format!("{r:?}");
    (
        Correctness {
            expected_rows: c.expected as u64,
            produced_rows: c.produced as u64,
            matched_rows: c.matched as u64,
            precision: c.precision(),
            recall: c.recall(),
            exact: c.is_exact(),
            missing_sample: c.missing_sample.iter().map(show).collect(),
            extra_sample: c.extra_sample.iter().map(show).collect(),
            late_events: t.late.late,
            late_dropped: t.late.dropped,
            updates: m.updates,
            retractions: m.retractions,
            emissions: t.changelog.len() as u64,
        },
        rows,
    )
}

/// Checks the rows are in output order and unique by key (a mode bug, not
/// a data problem, if not).
pub fn well_formed<R: OutputRow>(rows: &[R]) -> bool {
    rows.windows(2)
        .all(|w| w[0] < w[1] && w[0].key() != w[1].key())
}

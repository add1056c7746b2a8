//! The pure comparison: a baseline report and N fresh runs in, one verdict
//! per mode × metric, correctness and SLO out.

use serde::{Deserialize, Serialize};

use super::thresholds::{Metric, Slo, Thresholds};
use crate::report::{ModeReport, Report};

/// What the gate concluded about one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the threshold.
    Ok,
    /// Better than the baseline by more than the threshold and the noise.
    Improved,
    /// Worse than the baseline by more than the threshold and the noise.
    Regressed,
    /// Worse by more than the threshold but within the measured spread of
    /// the runs: flagged, not failed (tighten the noise or loosen the
    /// threshold).
    Noisy,
    /// No threshold for this metric: reported only.
    NotGated,
}

impl Verdict {
    /// Text for the Markdown table.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Improved => "improved",
            Verdict::Regressed => "**REGRESSED**",
            Verdict::Noisy => "within noise ⚠",
            Verdict::NotGated => "not gated",
        }
    }
}

/// One mode × metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub mode: String,
    pub metric: Metric,
    /// The baseline's value.
    pub old: f64,
    /// Median of the runs.
    pub new: f64,
    /// Every run's value, in run order.
    pub runs: Vec<f64>,
    /// (new − old) / old, percent; `None` when the baseline is 0 and the
    /// new value is not.
    pub change_pct: Option<f64>,
    /// (max − min) / median of the runs, percent; `None` with one run.
    pub spread_pct: Option<f64>,
    pub threshold_pct: Option<f64>,
    /// The threshold is tighter than the measured spread: this metric
    /// cannot be gated reliably at that threshold on this machine.
    pub threshold_below_noise: bool,
    pub verdict: Verdict,
}

/// Exactness of one mode's output, baseline vs runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectnessRow {
    pub mode: String,
    pub baseline_exact: bool,
    /// Every run's output was exact.
    pub runs_exact: bool,
    /// The baseline was exact and a run was not.
    pub regressed: bool,
}

/// One objective of the SLO for one mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloRow {
    pub mode: String,
    /// `p99 latency (ms)` or `monthly cost (USD)`.
    pub objective: String,
    pub limit: f64,
    /// Median of the runs.
    pub value: f64,
    pub met: bool,
}

/// The whole comparison: what the Markdown table and the JSON output show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub workload: String,
    pub scenario: String,
    pub runs: usize,
    pub thresholds: Thresholds,
    pub slo: Slo,
    pub rows: Vec<MetricRow>,
    pub correctness: Vec<CorrectnessRow>,
    pub slo_rows: Vec<SloRow>,
    /// Modes in the baseline that no run has: the gate cannot check them.
    pub missing_modes: Vec<String>,
    /// Modes in the runs that the baseline lacks (reported, not gated).
    pub new_modes: Vec<String>,
    pub notes: Vec<String>,
    /// No regression, no missing mode, no correctness loss, SLO met.
    pub passed: bool,
}

/// Median of a non-empty slice (mean of the middle two for even lengths).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Relative spread (max − min) / |median|, percent; `None` under two runs.
fn spread_pct(values: &[f64], med: f64) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    if max == min {
        Some(0.0)
    } else if med == 0.0 {
        Some(f64::INFINITY)
    } else {
        Some((max - min) / med.abs() * 100.0)
    }
}

fn mode<'a>(r: &'a Report, label: &str) -> Option<&'a ModeReport> {
    r.modes.iter().find(|m| m.label == label)
}

fn metric_row(
    label: &str,
    metric: Metric,
    old: f64,
    runs: Vec<f64>,
    threshold: Option<f64>,
) -> MetricRow {
    let new = median(&runs);
    let spread = spread_pct(&runs, new);
    let change_pct = if old == new {
        Some(0.0)
    } else if old == 0.0 {
        None
    } else {
        Some((new - old) / old.abs() * 100.0)
    };
    // Positive = worse, in percent; a change from a zero baseline is
    // infinitely worse (or better).
    let sign = if metric.higher_is_better() { -1.0 } else { 1.0 };
    let worse = match change_pct {
        Some(c) => sign * c,
        None => sign * (new - old).signum() * f64::INFINITY,
    };
    let noise = spread.unwrap_or(0.0);
    let verdict = match threshold {
        None => Verdict::NotGated,
        Some(t) if worse > t => {
            if worse <= noise {
                Verdict::Noisy
            } else {
                Verdict::Regressed
            }
        }
        Some(t) if -worse > t && -worse > noise => Verdict::Improved,
        Some(_) => Verdict::Ok,
    };
    MetricRow {
        mode: label.to_string(),
        metric,
        old,
        new,
        runs,
        change_pct,
        spread_pct: spread,
        threshold_pct: threshold,
        threshold_below_noise: matches!((threshold, spread), (Some(t), Some(s)) if t < s),
        verdict,
    }
}

/// Compares `runs` (fresh reports of the same scenario) with `baseline`.
/// Modes are matched by label. Errors when there is nothing to compare or
/// the reports are of different workloads.
pub fn compare(
    baseline: &Report,
    runs: &[Report],
    thresholds: &Thresholds,
    slo: &Slo,
) -> Result<Comparison, String> {
    let first = runs.first().ok_or("no run to compare with the baseline")?;
    if let Some(r) = runs.iter().find(|r| r.workload != baseline.workload) {
        return Err(format!(
            "the baseline is a {} report but a run is {}: compare like with like",
            baseline.workload, r.workload
        ));
    }
    if let Some(r) = runs
        .iter()
        .find(|r| r.scenario.events != baseline.scenario.events)
    {
        return Err(format!(
            "the baseline measured {} events but a run measured {}: the scenario changed, so record a new baseline (--write-baseline)",
            baseline.scenario.events, r.scenario.events
        ));
    }
    let mut rows = Vec::new();
    let mut correctness = Vec::new();
    let mut missing_modes = Vec::new();
    for b in &baseline.modes {
        let found: Vec<&ModeReport> = runs.iter().filter_map(|r| mode(r, &b.label)).collect();
        if found.len() < runs.len() {
            missing_modes.push(b.label.clone());
            continue;
        }
        for metric in Metric::ALL {
            let values = found.iter().map(|m| metric.value(m)).collect();
            rows.push(metric_row(
                &b.label,
                metric,
                metric.value(b),
                values,
                thresholds.get(metric),
            ));
        }
        let runs_exact = found.iter().all(|m| m.correctness.exact);
        correctness.push(CorrectnessRow {
            mode: b.label.clone(),
            baseline_exact: b.correctness.exact,
            runs_exact,
            regressed: b.correctness.exact && !runs_exact,
        });
    }
    let new_modes: Vec<String> = first
        .modes
        .iter()
        .filter(|m| mode(baseline, &m.label).is_none())
        .map(|m| m.label.clone())
        .collect();
    let slo_rows = slo_rows(first, runs, slo);
    let mut notes = Vec::new();
    if runs.len() < 3 {
        notes.push(format!(
            "only {} run(s): the spread is {}; use --repeat 3 or more so noise can be told from a regression",
            runs.len(),
            if runs.len() < 2 {
                "unknown"
            } else {
                "a rough guess"
            }
        ));
    }
    let noisy: Vec<String> = rows
        .iter()
        .filter(|r| r.threshold_below_noise)
        .map(|r| format!("{} / {}", r.mode, r.metric.name()))
        .collect();
    if !noisy.is_empty() {
        notes.push(format!(
            "threshold tighter than the measured spread (cannot gate reliably here; loosen it, add repeats, or use the instruction-count gate): {}",
            noisy.join(", ")
        ));
    }
    let passed = rows.iter().all(|r| r.verdict != Verdict::Regressed)
        && missing_modes.is_empty()
        && correctness.iter().all(|c| !c.regressed)
        && slo_rows.iter().all(|s| s.met);
    Ok(Comparison {
        workload: baseline.workload.to_string(),
        scenario: first.scenario.name.clone(),
        runs: runs.len(),
        thresholds: *thresholds,
        slo: *slo,
        rows,
        correctness,
        slo_rows,
        missing_modes,
        new_modes,
        notes,
        passed,
    })
}

fn slo_rows(first: &Report, runs: &[Report], slo: &Slo) -> Vec<SloRow> {
    let mut out = Vec::new();
    for m in &first.modes {
        let found: Vec<&ModeReport> = runs.iter().filter_map(|r| mode(r, &m.label)).collect();
        let objectives = [
            (Metric::P99Latency, slo.p99_latency_ms),
            (Metric::MonthlyCost, slo.budget_usd_per_month),
        ];
        for (metric, limit) in objectives {
            if let Some(limit) = limit {
                let value = median(&found.iter().map(|f| metric.value(f)).collect::<Vec<_>>());
                out.push(SloRow {
                    mode: m.label.clone(),
                    objective: metric.name().to_string(),
                    limit,
                    value,
                    met: value <= limit,
                });
            }
        }
    }
    out
}

/// A report whose gated metrics are the medians of `runs` (modes of the
/// first run; other fields from the first run): the recommended baseline,
/// since one run may be a lucky or unlucky draw. Its methodology says so.
pub fn median_report(runs: &[Report]) -> Result<Report, String> {
    let mut out = runs
        .first()
        .ok_or("no run to make a baseline from")?
        .clone();
    for m in &mut out.modes {
        let found: Vec<&ModeReport> = runs.iter().filter_map(|r| mode(r, &m.label)).collect();
        for metric in Metric::ALL {
            let values: Vec<f64> = found.iter().map(|f| metric.value(f)).collect();
            metric.set(m, median(&values));
        }
    }
    out.methodology.notes.push(format!(
        "gated metrics (throughput, p99 latency, monthly cost, state) are medians of {} runs (bench-harness check --write-baseline)",
        runs.len()
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: Metric, old: f64, runs: &[f64], t: f64) -> MetricRow {
        metric_row("m", metric, old, runs.to_vec(), Some(t))
    }

    #[test]
    fn median_and_spread() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(spread_pct(&[1.0], 1.0), None);
        assert_eq!(spread_pct(&[90.0, 100.0, 110.0], 100.0), Some(20.0));
    }

    #[test]
    fn verdicts_follow_direction_threshold_and_noise() {
        // Throughput: higher is better. A 20 % drop with tight runs regresses.
        let r = row(Metric::Throughput, 100.0, &[80.0, 80.5, 79.5], 10.0);
        assert_eq!(r.verdict, Verdict::Regressed);
        assert!(!r.threshold_below_noise);
        // The same drop when the runs themselves spread 50 %: within noise,
        // flagged, not failed.
        let r = row(Metric::Throughput, 100.0, &[60.0, 80.0, 100.0], 10.0);
        assert_eq!(r.verdict, Verdict::Noisy);
        assert!(r.threshold_below_noise);
        // A rise is an improvement for throughput, a regression for latency.
        let r = row(Metric::Throughput, 100.0, &[130.0, 131.0, 129.0], 10.0);
        assert_eq!(r.verdict, Verdict::Improved);
        let r = row(Metric::P99Latency, 100.0, &[130.0, 131.0, 129.0], 10.0);
        assert_eq!(r.verdict, Verdict::Regressed);
        assert!((r.change_pct.unwrap() - 30.0).abs() < 1e-9);
        // Inside the threshold: ok.
        let r = row(Metric::MonthlyCost, 100.0, &[105.0], 10.0);
        assert_eq!(r.verdict, Verdict::Ok);
        // From zero state to some state: infinitely worse.
        let r = row(Metric::StateBytes, 0.0, &[10.0, 10.0, 10.0], 5.0);
        assert_eq!(r.change_pct, None);
        assert_eq!(r.verdict, Verdict::Regressed);
        let r = metric_row("m", Metric::StateBytes, 0.0, vec![0.0], None);
        assert_eq!(r.verdict, Verdict::NotGated);
        assert_eq!(r.change_pct, Some(0.0));
    }
}

//! What the gate compares and how much change it tolerates: the metrics,
//! their per-metric thresholds (configurable by flag or JSON file), and the
//! SLO a run must meet whatever the baseline said.

use serde::{Deserialize, Serialize};

use crate::report::ModeReport;

/// Largest threshold accepted, percent: anything above is a typo, not a
/// tolerance (a 10× slowdown is 900 %).
pub const MAX_THRESHOLD_PCT: f64 = 10_000.0;

/// A gated metric of one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Sustainable events/s per core (higher is better).
    Throughput,
    /// p99 event-time latency, ms (lower is better).
    P99Latency,
    /// Modeled monthly cost, USD (lower is better).
    MonthlyCost,
    /// Peak operator state, bytes (lower is better).
    StateBytes,
}

impl Metric {
    /// Every metric, in table order.
    pub const ALL: [Metric; 4] = [
        Metric::Throughput,
        Metric::P99Latency,
        Metric::MonthlyCost,
        Metric::StateBytes,
    ];

    /// The metric's value in one mode's report.
    pub fn value(self, m: &ModeReport) -> f64 {
        match self {
            Metric::Throughput => m.throughput.sustainable_events_per_second_per_core,
            Metric::P99Latency => m.latency.p99_ms,
            Metric::MonthlyCost => m.cost.usd,
            Metric::StateBytes => m.resources.peak_state_bytes as f64,
        }
    }

    /// Writes `v` into a report (used to build a median baseline).
    pub fn set(self, m: &mut ModeReport, v: f64) {
        match self {
            Metric::Throughput => m.throughput.sustainable_events_per_second_per_core = v,
            Metric::P99Latency => m.latency.p99_ms = v,
            Metric::MonthlyCost => m.cost.usd = v,
            Metric::StateBytes => {
                m.resources.peak_state_bytes = v.round().max(0.0) as u64;
                m.complexity.peak_state_bytes = m.resources.peak_state_bytes;
            }
        }
    }

    /// True when a larger value is better.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Throughput)
    }

    /// Column label.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Throughput => "throughput (ev/s/core)",
            Metric::P99Latency => "p99 latency (ms)",
            Metric::MonthlyCost => "monthly cost (USD)",
            Metric::StateBytes => "state (bytes)",
        }
    }
}

/// Tolerated worsening per metric, percent of the baseline value. `None`
/// reports the metric without gating on it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Largest tolerated drop of throughput, %.
    #[serde(default)]
    pub throughput_pct: Option<f64>,
    /// Largest tolerated rise of p99 latency, %.
    #[serde(default)]
    pub p99_latency_pct: Option<f64>,
    /// Largest tolerated rise of monthly cost, %.
    #[serde(default)]
    pub monthly_cost_pct: Option<f64>,
    /// Largest tolerated rise of peak state, %.
    #[serde(default)]
    pub state_bytes_pct: Option<f64>,
}

impl Default for Thresholds {
    /// Defaults sized for wall-clock numbers on a shared machine: 10 % for
    /// the timed metrics; state is deterministic for a fixed seed, so 5 %.
    fn default() -> Self {
        Thresholds {
            throughput_pct: Some(10.0),
            p99_latency_pct: Some(10.0),
            monthly_cost_pct: Some(10.0),
            state_bytes_pct: Some(5.0),
        }
    }
}

impl Thresholds {
    /// The threshold of one metric.
    pub fn get(&self, m: Metric) -> Option<f64> {
        match m {
            Metric::Throughput => self.throughput_pct,
            Metric::P99Latency => self.p99_latency_pct,
            Metric::MonthlyCost => self.monthly_cost_pct,
            Metric::StateBytes => self.state_bytes_pct,
        }
    }

    /// Every threshold is a finite percentage in `0..=MAX_THRESHOLD_PCT`;
    /// the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        let fields = [
            ("throughput_pct", self.throughput_pct),
            ("p99_latency_pct", self.p99_latency_pct),
            ("monthly_cost_pct", self.monthly_cost_pct),
            ("state_bytes_pct", self.state_bytes_pct),
        ];
        for (name, v) in fields {
            if let Some(v) = v
                && !(v.is_finite() && (0.0..=MAX_THRESHOLD_PCT).contains(&v))
            {
                return Err(format!(
                    "threshold {name} = {v}: must be a percentage between 0 and {MAX_THRESHOLD_PCT}"
                ));
            }
        }
        Ok(())
    }

    /// Parses a thresholds JSON file's text; the error names the problem.
    pub fn from_json(text: &str) -> Result<Thresholds, String> {
        let t: Thresholds = serde_json::from_str(text).map_err(|e| e.to_string())?;
        t.validate()?;
        Ok(t)
    }
}

/// Absolute objectives every gated mode must meet, whatever the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Slo {
    /// Greatest acceptable p99 latency, ms (a spec's `p99_latency` or
    /// `freshness`, whichever is stricter).
    pub p99_latency_ms: Option<f64>,
    /// Greatest acceptable monthly cost, USD.
    pub budget_usd_per_month: Option<f64>,
}

impl Slo {
    /// Both bounds, when set, are finite and positive.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("p99 latency SLO", self.p99_latency_ms),
            ("monthly budget", self.budget_usd_per_month),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return Err(format!("{name} = {v}: must be a positive number"));
            }
        }
        Ok(())
    }

    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.p99_latency_ms.is_none() && self.budget_usd_per_month.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_file_is_validated_and_names_the_field() {
        let t = Thresholds::from_json(r#"{"throughput_pct": 5, "p99_latency_pct": null}"#)
            .expect("valid");
        assert_eq!(t.throughput_pct, Some(5.0));
        assert_eq!(t.p99_latency_pct, None);
        assert_eq!(t.state_bytes_pct, None, "absent fields are not gated");
        let e = Thresholds::from_json(r#"{"state_bytes_pct": -1}"#).unwrap_err();
        assert!(e.contains("state_bytes_pct"), "{e}");
        let e = Thresholds::from_json(r#"{"troughput_pct": 5}"#).unwrap_err();
        assert!(e.contains("troughput_pct"), "{e}");
    }

    #[test]
    fn slo_rejects_non_positive_bounds() {
        assert!(Slo::default().validate().is_ok());
        let e = Slo {
            budget_usd_per_month: Some(0.0),
            ..Slo::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.contains("budget"), "{e}");
    }
}

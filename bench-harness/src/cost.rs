//! The cost model: turns measured service times and memory into monthly
//! dollars. Prices are configurable; the defaults are on-demand container
//! prices ($0.04048 per vCPU-hour, $0.004445 per GB-hour).
//!
//! What is modeled, not measured: the prices, the batch start-up overhead,
//! the capacity headroom of always-on modes, and that cost scales linearly
//! with the measured per-event service time.

use serde::{Deserialize, Serialize};

/// Hours in a billing month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Prices and capacity rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    pub vcpu_hour_usd: f64,
    pub gb_hour_usd: f64,
    /// Billed start-up time of every batch run (scheduler, container, JVM
    /// or cluster spin-up), added to its latency too.
    pub batch_startup_seconds: f64,
    /// Always-on capacity is sized for peak rate × this.
    pub headroom: f64,
    /// Capacity is bought in steps of this many vCPUs (and at least one step).
    pub vcpu_step: f64,
    /// Smallest memory an instance gets, GB.
    pub min_memory_gb: f64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            vcpu_hour_usd: 0.04048,
            gb_hour_usd: 0.004445,
            batch_startup_seconds: 60.0,
            headroom: 1.5,
            vcpu_step: 0.25,
            min_memory_gb: 0.5,
        }
    }
}

/// The lowest parallel efficiency the model believes: below it a measured
/// value is noise from a shared machine rather than a property of the plan.
pub const MIN_EFFICIENCY: f64 = 0.1;

/// How a mode consumes compute, fitted from measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceFit {
    /// Fixed cost of one run or trigger, seconds (0 for stream).
    pub fixed_seconds: f64,
    /// Cost of one event, seconds.
    pub per_event_seconds: f64,
    /// Share of one core's rate each core beyond the first delivers: 1.0 is
    /// linear scaling. Measured for stream plans by splitting the operator
    /// by key over two workers ([`crate::partitioning`]); 1.0 (modeled) for
    /// the others.
    #[serde(default = "linear")]
    pub parallel_efficiency: f64,
}

/// Serde default of [`ServiceFit::parallel_efficiency`] (reports written
/// before it was measured).
fn linear() -> f64 {
    1.0
}

impl ServiceFit {
    /// Least-squares fit of `service = fixed + per_event · n` over runs
    /// `(n, seconds)`. Falls back to a pure per-event cost when the runs do
    /// not vary enough in size to separate the two.
    pub fn fit(runs: &[(f64, f64)]) -> ServiceFit {
        let n = runs.len() as f64;
        let total_events: f64 = runs.iter().map(|r| r.0).sum();
        let total_secs: f64 = runs.iter().map(|r| r.1).sum();
        if runs.is_empty() || total_events == 0.0 {
            return ServiceFit {
                fixed_seconds: if n > 0.0 { total_secs / n } else { 0.0 },
                per_event_seconds: 0.0,
                parallel_efficiency: 1.0,
            };
        }
        let mx = total_events / n;
        let my = total_secs / n;
        let sxx: f64 = runs.iter().map(|r| (r.0 - mx).powi(2)).sum();
        let sxy: f64 = runs.iter().map(|r| (r.0 - mx) * (r.1 - my)).sum();
        if runs.len() >= 3 && sxx > 0.0 {
            let b = sxy / sxx;
            let a = my - b * mx;
            if b > 0.0 && a >= 0.0 {
                return ServiceFit {
                    fixed_seconds: a,
                    per_event_seconds: b,
                    parallel_efficiency: 1.0,
                };
            }
            if b > 0.0 {
                // Negative intercept: noise; keep the slope through the origin.
                return ServiceFit {
                    fixed_seconds: 0.0,
                    per_event_seconds: total_secs / total_events,
                    parallel_efficiency: 1.0,
                };
            }
        }
        // Sizes too uniform to separate: split by the smallest run (as fixed).
        let min = runs.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        let fixed = min.min(my) * 0.5;
        ServiceFit {
            fixed_seconds: fixed,
            per_event_seconds: ((total_secs - fixed * n) / total_events).max(0.0),
            parallel_efficiency: 1.0,
        }
    }

    /// Seconds one run of `events` takes.
    pub fn seconds(&self, events: f64) -> f64 {
        self.fixed_seconds + self.per_event_seconds * events
    }

    /// Highest rate (events/s per core) at which a run every `interval_s`
    /// still finishes within its interval (with `extra_s` added to each run).
    pub fn sustainable_rate(&self, interval_s: f64, extra_s: f64) -> f64 {
        let budget = interval_s - self.fixed_seconds - extra_s;
        if budget <= 0.0 {
            0.0
        } else if self.per_event_seconds <= 0.0 {
            f64::INFINITY
        } else {
            budget / (self.per_event_seconds * interval_s)
        }
    }
}

/// One mode's cost at one load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MonthlyCost {
    pub usd: f64,
    /// vCPUs billed while running (always-on modes: all month).
    pub vcpus: f64,
    pub memory_gb: f64,
    /// Billed compute hours per month.
    pub billed_hours: f64,
}

impl CostModel {
    fn round_vcpus(&self, v: f64) -> f64 {
        let step = self.vcpu_step.max(0.01);
        ((v / step).ceil() * step).max(step)
    }

    fn memory_gb(&self, bytes: f64) -> f64 {
        (bytes * self.headroom / 1e9).max(self.min_memory_gb)
    }

    /// A scheduled job every `interval_s` at `mean_rate` events/s: billed
    /// for start-up plus the fitted run time of each run, on one vCPU per
    /// DataFusion partition.
    pub fn batch(
        &self,
        fit: &ServiceFit,
        interval_s: f64,
        mean_rate: f64,
        vcpus: f64,
        peak_bytes: f64,
    ) -> MonthlyCost {
        let runs = HOURS_PER_MONTH * 3600.0 / interval_s;
        let run_s = self.batch_startup_seconds + fit.seconds(mean_rate * interval_s);
        let billed_hours = runs * run_s / 3600.0;
        let memory_gb = self.memory_gb(peak_bytes);
        MonthlyCost {
            usd: billed_hours * (vcpus * self.vcpu_hour_usd + memory_gb * self.gb_hour_usd),
            vcpus,
            memory_gb,
            billed_hours,
        }
    }

    /// An always-on process sized for `peak_rate` with headroom, given its
    /// sustainable events/s per vCPU.
    /// Beyond one core, each core delivers `efficiency` of `per_core_rate`.
    pub fn always_on(
        &self,
        per_core_rate: f64,
        efficiency: f64,
        peak_rate: f64,
        peak_bytes: f64,
    ) -> MonthlyCost {
        let mut needed = if per_core_rate.is_finite() && per_core_rate > 0.0 {
            peak_rate * self.headroom / per_core_rate
        } else if per_core_rate <= 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        if needed > 1.0 && needed.is_finite() {
            let efficiency = if efficiency.is_finite() {
                efficiency.clamp(MIN_EFFICIENCY, 1.0)
            } else {
                1.0
            };
            needed = (needed / efficiency).max(1.0);
        }
        let vcpus = self.round_vcpus(needed);
        let memory_gb = self.memory_gb(peak_bytes);
        MonthlyCost {
            usd: HOURS_PER_MONTH * (vcpus * self.vcpu_hour_usd + memory_gb * self.gb_hour_usd),
            vcpus,
            memory_gb,
            billed_hours: HOURS_PER_MONTH,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_fixed_and_per_event_costs() {
        let runs: Vec<(f64, f64)> = (1..20)
            .map(|k| (k as f64 * 1000.0, 0.05 + 2e-6 * k as f64 * 1000.0))
            .collect();
        let f = ServiceFit::fit(&runs);
        assert!((f.fixed_seconds - 0.05).abs() < 1e-9, "{f:?}");
        assert!((f.per_event_seconds - 2e-6).abs() < 1e-12, "{f:?}");
        // 10 s trigger: (10 - 0.05) / (2e-6 * 10) events/s.
        assert!((f.sustainable_rate(10.0, 0.0) - 497_500.0).abs() < 1.0);
    }

    #[test]
    fn always_on_pays_the_whole_month_and_batch_only_its_runs() {
        let m = CostModel::default();
        let stream = m.always_on(1_000_000.0, 1.0, 100.0, 1e8);
        assert_eq!(stream.vcpus, 0.25);
        assert!((stream.usd - 730.0 * (0.25 * 0.04048 + 0.5 * 0.004445)).abs() < 1e-9);
        let fit = ServiceFit {
            fixed_seconds: 1.0,
            per_event_seconds: 1e-6,
            parallel_efficiency: 1.0,
        };
        let daily = m.batch(&fit, 86_400.0, 100.0, 1.0, 1e8);
        // 30.4 runs of 60 + 1 + 8.64 seconds.
        assert!((daily.billed_hours - 730.0 / 24.0 * 69.64 / 3600.0).abs() < 1e-9);
        assert!(daily.usd < stream.usd);
    }

    #[test]
    fn cores_beyond_the_first_are_charged_at_the_measured_efficiency() {
        let m = CostModel::default();
        // Within one core the efficiency does not matter …
        assert_eq!(m.always_on(1000.0, 0.5, 400.0, 0.0).vcpus, 0.75);
        // … beyond it, half-efficient cores take twice as many.
        let linear = m.always_on(1000.0, 1.0, 3000.0, 0.0).vcpus;
        let half = m.always_on(1000.0, 0.5, 3000.0, 0.0).vcpus;
        assert_eq!(linear, 4.5);
        assert_eq!(half, 9.0);
        // Noise below the floor, or no measurement, is not believed.
        assert_eq!(m.always_on(1000.0, 0.0, 3000.0, 0.0).vcpus, 45.0);
        assert_eq!(m.always_on(1000.0, f64::NAN, 3000.0, 0.0).vcpus, linear);
    }

    #[test]
    fn a_mode_that_cannot_keep_up_costs_infinity() {
        let m = CostModel::default();
        assert!(m.always_on(0.0, 1.0, 10.0, 0.0).usd.is_infinite());
    }
}

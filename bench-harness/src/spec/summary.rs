//! A short human summary of a valid spec, printed by `bench-harness
//! validate` so a user sees what the spec will run, not just "OK".

use workloads::custom::WindowDef;
use workloads::duration::format_duration;

use super::schema::{Spec, WorkloadChoice};

impl Spec {
    /// A few lines: workload, load, candidates, SLOs.
    pub fn summary(&self) -> String {
        let workload = match self.workload.choice() {
            Some(WorkloadChoice::Reference(k)) => format!("reference workload {k}"),
            Some(WorkloadChoice::Custom(c)) => {
                let window = match c.query.window {
                    WindowDef::Tumbling { size } => {
                        format!("tumbling {} window", format_duration(size.0))
                    }
                    WindowDef::Sliding { size, slide } => format!(
                        "sliding {} window every {}",
                        format_duration(size.0),
                        format_duration(slide.0)
                    ),
                    WindowDef::Session { gap } => {
                        format!("session window, gap {}", format_duration(gap.0))
                    }
                };
                format!(
                    "custom workload: {} columns, per-`{}` {window}, {} aggregates{}",
                    c.columns.len(),
                    c.query.key,
                    c.query.aggregates.len(),
                    if c.query.alert.is_some() {
                        ", alert"
                    } else {
                        ""
                    }
                )
            }
            None => "no workload".to_string(),
        };
        let l = &self.load;
        let events = l.events_per_second * l.duration.0 as f64 / 1000.0;
        let peak = l.peak.map_or(String::new(), |p| {
            format!(
                ", peaking at {}× the mean at hour {} UTC",
                p.peak_to_mean, p.peak_hour_utc
            )
        });
        let c = &self.candidates;
        let mut slo = Vec::new();
        if let Some(f) = self.slo.freshness {
            slo.push(format!("freshness ≤ {}", format_duration(f.0)));
        }
        if let Some(p) = self.slo.p99_latency {
            slo.push(format!("p99 latency ≤ {}", format_duration(p.0)));
        }
        if let Some(b) = self.slo.budget_usd_per_month {
            slo.push(format!("budget ≤ ${b}/month"));
        }
        let slo = if slo.is_empty() {
            "none".to_string()
        } else {
            slo.join(", ")
        };
        format!(
            "spec `{}`: {workload}\nload: {} events/s{peak} for {} ({events:.0} events), {:.1}% late up to {}\ncandidates: {} ({} batch, {} micro-batch, {} stream)\nSLO: {slo}",
            self.name,
            l.events_per_second,
            format_duration(l.duration.0),
            l.late_fraction * 100.0,
            format_duration(l.max_lateness.0),
            c.count(),
            c.batch.len(),
            c.micro_batch.len(),
            c.stream.len(),
        )
    }
}

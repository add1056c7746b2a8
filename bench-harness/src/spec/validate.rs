//! Every bound of a spec, checked at once: each broken rule becomes a
//! [`FieldError`] naming the field's path and the rule, so a user fixes a
//! spec in one pass. The bounds keep one run within memory and time on a
//! small machine (events per run, keys, candidates) and keep names safe to
//! use as directory names.

use workloads::duration::{Duration, format_duration};
use workloads::generate::MAX_GENERATED_EVENTS;
use workloads::time::{DAY, HOUR, Millis, SECOND};
use workloads::validation::{Errors, FieldError};

use super::schema::{CostOverrides, LoadSpec, Slo, Spec, WorkloadChoice};
use super::*;

/// Checks `lo <= d <= hi`, with the bounds written as durations.
fn range_dur(errs: &mut Errors, path: &str, d: Duration, lo: Millis, hi: Millis) {
    if !(lo..=hi).contains(&d.0) {
        errs.push(
            path,
            format!(
                "must be between {} and {}, got {}",
                format_duration(lo),
                format_duration(hi),
                format_duration(d.0)
            ),
        );
    }
}

/// True for `[a-z0-9][a-z0-9_-]{0,63}`.
pub fn valid_spec_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= MAX_NAME_LEN
}

impl Spec {
    /// Checks every rule; `Err` holds all broken rules.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = Errors::default();
        if !valid_spec_name(&self.name) {
            errs.push(
                "name",
                format!(
                    "must be 1 to {MAX_NAME_LEN} characters of a-z, 0-9, _ and -, starting with a letter or digit, got {:?}",
                    truncate(&self.name)
                ),
            );
        }
        if let Some(d) = &self.description
            && (d.len() > MAX_DESCRIPTION_LEN
                || d.chars().any(|c| c.is_control() && c != '\n' && c != '\t'))
        {
            errs.push(
                "description",
                format!(
                    "must be at most {MAX_DESCRIPTION_LEN} bytes of printable text, got {} bytes",
                    d.len()
                ),
            );
        }
        if let Some(n) = self.engine.executors {
            if self.engine.kind != super::schema::EngineKind::Ballista {
                errs.push("engine.executors", "only goes with kind = \"ballista\"");
            } else if !(1..=crate::engine::MAX_EXECUTORS as u64).contains(&n) {
                errs.push(
                    "engine.executors",
                    format!(
                        "must be between 1 and {}, got {n}",
                        crate::engine::MAX_EXECUTORS
                    ),
                );
            }
        }
        let custom = match self.workload.choice() {
            Some(WorkloadChoice::Reference(workloads::WorkloadKind::Custom)) => {
                errs.push(
                    "workload.reference",
                    "`custom` is not a reference workload (fraud-alerts, daily-report or sessionization); define a custom workload under `workload.custom`",
                );
                false
            }
            Some(WorkloadChoice::Reference(_)) => false,
            Some(WorkloadChoice::Custom(c)) => {
                if let Err(es) = c.validate("workload.custom") {
                    errs.0.extend(es);
                }
                true
            }
            None => {
                let got = if self.workload.reference.is_some() {
                    "both"
                } else {
                    "neither"
                };
                errs.push(
                    "workload",
                    format!("set exactly one of `reference` or `custom`, got {got}"),
                );
                false
            }
        };
        validate_load(&mut errs, &self.load, custom);
        self.validate_candidates(&mut errs);
        validate_slo(&mut errs, &self.slo);
        validate_cost(&mut errs, &self.cost);
        // Backstop: the generator's own rules must agree with the ones above.
        if errs.is_empty()
            && let Err(e) = self.generator().validate()
        {
            errs.push("load", e.to_string());
        }
        errs.into_result()
    }

    fn validate_candidates(&self, errs: &mut Errors) {
        let c = &self.candidates;
        let lists = [
            ("candidates.batch", c.batch.len()),
            ("candidates.micro_batch", c.micro_batch.len()),
            ("candidates.stream", c.stream.len()),
        ];
        for (path, n) in lists {
            if n > MAX_CANDIDATES_PER_MODE {
                errs.push(
                    path,
                    format!("at most {MAX_CANDIDATES_PER_MODE} candidates per mode, got {n}"),
                );
            }
        }
        let total = c.count();
        if !(1..=MAX_CANDIDATES).contains(&total) {
            errs.push(
                "candidates",
                format!("must list 1 to {MAX_CANDIDATES} candidates in all, got {total}"),
            );
        }
        // Arrivals span the event-time duration plus the greatest lateness.
        let span = self
            .load
            .duration
            .0
            .saturating_add(self.load.max_lateness.0);
        let runs = |errs: &mut Errors, p: &str, every: Duration, cap: i64, what: &str| {
            if every.0 > 0 && span / every.0 > cap {
                errs.push(
                    format!("{p}.every"),
                    format!(
                        "every {} over {} of arrivals gives {} {what}, more than {cap}; use a longer interval or a shorter load.duration",
                        format_duration(every.0),
                        format_duration(span),
                        span / every.0
                    ),
                );
            }
        };
        for (i, b) in c.batch.iter().enumerate() {
            let p = format!("candidates.batch[{i}]");
            range_dur(errs, &format!("{p}.every"), b.every, SECOND, 7 * DAY);
            runs(errs, &p, b.every, MAX_BATCH_RUNS, "batch runs");
            if b.offset.0 < 0 || b.offset.0 >= b.every.0 {
                errs.push(
                    format!("{p}.offset"),
                    format!(
                        "must be at least 0 and less than `every` ({}), got {}",
                        format_duration(b.every.0),
                        format_duration(b.offset.0)
                    ),
                );
            }
        }
        let lateness = |errs: &mut Errors, p: &str, wm: Duration, allowed: Option<Duration>| {
            range_dur(errs, &format!("{p}.watermark_delay"), wm, 0, DAY);
            if let Some(a) = allowed {
                range_dur(errs, &format!("{p}.allowed_lateness"), a, 0, 7 * DAY);
            }
        };
        for (i, m) in c.micro_batch.iter().enumerate() {
            let p = format!("candidates.micro_batch[{i}]");
            range_dur(errs, &format!("{p}.every"), m.every, 100, DAY);
            runs(errs, &p, m.every, MAX_TRIGGERS, "triggers");
            lateness(errs, &p, m.watermark_delay, m.allowed_lateness);
        }
        for (i, s) in c.stream.iter().enumerate() {
            let p = format!("candidates.stream[{i}]");
            lateness(errs, &p, s.watermark_delay, s.allowed_lateness);
        }
        // Two identical plans would measure the same thing twice under one label.
        let plans = self.plans_with_paths();
        for (j, (pj, plan)) in plans.iter().enumerate() {
            if let Some((pi, _)) = plans[..j].iter().find(|(_, p)| p == plan) {
                errs.push(pj.clone(), format!("duplicates {pi} ({})", plan.label()));
            }
        }
    }
}

fn validate_load(errs: &mut Errors, l: &LoadSpec, custom: bool) {
    errs.range_f64(
        "load.events_per_second",
        l.events_per_second,
        1.0,
        MAX_EVENTS_PER_SECOND,
    );
    if let Some(p) = &l.peak {
        errs.range_f64("load.peak.peak_to_mean", p.peak_to_mean, 1.0, 2.0);
        if !(0.0..24.0).contains(&p.peak_hour_utc) {
            errs.push(
                "load.peak.peak_hour_utc",
                format!(
                    "must be at least 0 and less than 24, got {}",
                    p.peak_hour_utc
                ),
            );
        }
    }
    range_dur(errs, "load.duration", l.duration, SECOND, MAX_DURATION_MS);
    let cap = MAX_EVENTS_PER_RUN.min(MAX_GENERATED_EVENTS);
    let events = l.events_per_second * l.duration.0 as f64 / 1000.0;
    if events.is_finite() && events > cap as f64 {
        errs.push(
            "load",
            format!(
                "events_per_second × duration gives {events:.0} events, more than the {cap} one run may generate; lower the rate or shorten the duration"
            ),
        );
    }
    if custom {
        for (field, set) in [
            ("keys", l.keys.is_some()),
            ("key_skew", l.key_skew.is_some()),
        ] {
            if set {
                errs.push(
                    format!("load.{field}"),
                    "applies only to reference workloads; a custom workload sets `cardinality` and `distribution` on its key columns",
                );
            }
        }
    }
    if let Some(k) = l.keys
        && !(1..=MAX_KEYS).contains(&k)
    {
        errs.push(
            "load.keys",
            format!("must be between 1 and {MAX_KEYS}, got {k}"),
        );
    }
    if let Some(s) = l.key_skew
        && !(s.is_finite() && s > 0.0 && s <= 5.0)
    {
        errs.push(
            "load.key_skew",
            format!("must be greater than 0 and at most 5, got {s}"),
        );
    }
    range_dur(errs, "load.jitter", l.jitter, 0, HOUR);
    errs.range_f64("load.late_fraction", l.late_fraction, 0.0, 1.0);
    if l.max_lateness.0 < l.jitter.0 || l.max_lateness.0 > 7 * DAY {
        errs.push(
            "load.max_lateness",
            format!(
                "must be between `jitter` ({}) and 7d, got {}",
                format_duration(l.jitter.0),
                format_duration(l.max_lateness.0)
            ),
        );
    }
}

fn validate_slo(errs: &mut Errors, s: &Slo) {
    if let Some(f) = s.freshness {
        range_dur(errs, "slo.freshness", f, 1, MAX_DURATION_MS);
    }
    if let Some(p) = s.p99_latency {
        range_dur(errs, "slo.p99_latency", p, 1, MAX_DURATION_MS);
    }
    if let Some(b) = s.budget_usd_per_month
        && !(b > 0.0 && b <= MAX_BUDGET_USD)
    {
        errs.push(
            "slo.budget_usd_per_month",
            format!("must be greater than 0 and at most {MAX_BUDGET_USD}, got {b}"),
        );
    }
}

fn validate_cost(errs: &mut Errors, c: &CostOverrides) {
    let positive = |errs: &mut Errors, field: &str, v: Option<f64>, hi: f64| {
        if let Some(v) = v
            && !(v > 0.0 && v <= hi)
        {
            errs.push(
                format!("cost.{field}"),
                format!("must be greater than 0 and at most {hi}, got {v}"),
            );
        }
    };
    positive(errs, "vcpu_hour_usd", c.vcpu_hour_usd, 100.0);
    positive(errs, "gb_hour_usd", c.gb_hour_usd, 10.0);
    positive(errs, "vcpu_step", c.vcpu_step, 64.0);
    positive(errs, "min_memory_gb", c.min_memory_gb, 1024.0);
    if let Some(v) = c.batch_startup_seconds {
        errs.range_f64("cost.batch_startup_seconds", v, 0.0, 3600.0);
    }
    if let Some(v) = c.headroom {
        errs.range_f64("cost.headroom", v, 1.0, 10.0);
    }
}

/// The first 80 characters of a bad value, for an error message.
fn truncate(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        s.chars().take(80).collect::<String>() + "…"
    }
}

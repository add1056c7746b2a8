//! The scenarios the server runs: the reference scenarios (full size, or
//! scaled down for tests with `WEIR_QUICK=1`) and reruns with the
//! parameters a user entered on a workload page.

use app::model::{FieldErrorView, RerunParams};
use bench_harness::duration::parse_duration;
use bench_harness::plan::{Plan, human_duration};
use bench_harness::scenario::Scenario;
use workloads::WorkloadKind;
use workloads::mode::{EmitPolicy, Lateness, StreamConfig};
use workloads::time::{DAY, HOUR, MINUTE, Millis, SECOND};

/// How big the reference scenarios are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The harness's defaults (what `bash scripts/run.sh` measures).
    Full,
    /// Minutes of data instead of hours, no wall-clock validation: seconds
    /// to run in a debug build (tests, `WEIR_QUICK=1`).
    Quick,
    /// Smallest meaningful run (unit tests).
    Tiny,
}

/// The reference scenario of a workload at a size.
pub fn reference(kind: WorkloadKind, size: Size) -> Scenario {
    let mut s = Scenario::default_for(kind);
    if size == Size::Full {
        return s;
    }
    let (span, rate) = match (kind, size) {
        (WorkloadKind::DailyReport, Size::Quick) => (6 * HOUR, 2.0),
        (WorkloadKind::DailyReport, _) => (2 * HOUR, 1.0),
        (_, Size::Quick) => (20 * MINUTE, 30.0),
        (_, _) => (5 * MINUTE, 10.0),
    };
    s.generator.duration_ms = span;
    s.generator.rate = s.generator.rate.with_mean(rate);
    s.generator.keys = s.generator.keys.min(2_000);
    s.generator.max_lateness_ms = s.generator.max_lateness_ms.min(span / 4);
    s.realtime = None;
    s.name = format!("{kind} (quick)");
    s
}

/// The parameters a report's scenario ran with (prefills the rerun form).
pub fn params_of(
    kind: WorkloadKind,
    mean_rate: f64,
    keys: Option<u64>,
    plans: &[Plan],
) -> RerunParams {
    let d = Scenario::default_for(kind);
    let batch = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Batch {
                interval_ms,
                drop_late: false,
                ..
            } => Some(*interval_ms),
            _ => None,
        })
        .min()
        .unwrap_or(15 * MINUTE);
    let (trigger, watermark) = plans
        .iter()
        .filter_map(|p| match p {
            Plan::MicroBatch {
                trigger_ms,
                lateness,
            } => Some((*trigger_ms, lateness.watermark_delay)),
            _ => None,
        })
        .min()
        .unwrap_or((10 * SECOND, 5 * SECOND));
    RerunParams {
        workload: kind.name().to_string(),
        rate: trim_number(mean_rate),
        keys: keys.unwrap_or(d.generator.keys).to_string(),
        late_fraction: trim_number(d.generator.late_fraction),
        max_lateness: human_duration(d.generator.max_lateness_ms),
        batch_interval: human_duration(batch),
        trigger: human_duration(trigger),
        watermark: human_duration(watermark),
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn err(field: &str, message: impl Into<String>) -> FieldErrorView {
    FieldErrorView {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Builds a rerun scenario from form input; every error names its field.
pub fn rerun(p: &RerunParams, size: Size) -> Result<Scenario, Vec<FieldErrorView>> {
    let mut errors = Vec::new();
    let kind: Option<WorkloadKind> = p
        .workload
        .trim()
        .parse()
        .map_err(|e: String| errors.push(err("workload", e)))
        .ok();
    let mut number = |field: &str, text: &str, lo: f64, hi: f64| -> Option<f64> {
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= lo && v <= hi => Some(v),
            Ok(v) => {
                errors.push(err(
                    field,
                    format!("must be between {lo} and {hi} (got {v})"),
                ));
                None
            }
            Err(_) => {
                errors.push(err(field, format!("`{}` is not a number", text.trim())));
                None
            }
        }
    };
    let rate = number("rate", &p.rate, 0.01, 100_000.0);
    let keys = number("keys", &p.keys, 1.0, 10_000_000.0);
    let late = number("late_fraction", &p.late_fraction, 0.0, 1.0);
    let mut duration = |field: &str, text: &str, lo: Millis, hi: Millis| -> Option<Millis> {
        match parse_duration(text) {
            Ok(v) if (lo..=hi).contains(&v) => Some(v),
            Ok(v) => {
                errors.push(err(
                    field,
                    format!(
                        "must be between {} and {} (got {})",
                        human_duration(lo),
                        human_duration(hi),
                        human_duration(v)
                    ),
                ));
                None
            }
            Err(e) => {
                errors.push(err(field, e));
                None
            }
        }
    };
    let max_late = duration("max_lateness", &p.max_lateness, 0, DAY);
    let interval = duration("batch_interval", &p.batch_interval, MINUTE, DAY);
    let trigger = duration("trigger", &p.trigger, SECOND, HOUR);
    let watermark = duration("watermark", &p.watermark, 0, HOUR);
    let (
        Some(kind),
        Some(rate),
        Some(keys),
        Some(late),
        Some(max_late),
        Some(interval),
        Some(trigger),
        Some(watermark),
    ) = (
        kind, rate, keys, late, max_late, interval, trigger, watermark,
    )
    else {
        return Err(errors);
    };
    let mut s = reference(kind, size);
    s.name = format!(
        "{kind} (rerun: {} ev/s, batch {}, trigger {})",
        trim_number(rate),
        human_duration(interval),
        human_duration(trigger)
    );
    s.generator.rate = s.generator.rate.with_mean(rate);
    s.generator.keys = keys as u64;
    s.generator.late_fraction = late;
    s.generator.max_lateness_ms = max_late;
    // Keep a rerun to at most ~2 M events: the span shrinks as the rate grows.
    let max_span = ((2_000_000.0 / rate) * 1000.0) as Millis;
    s.generator.duration_ms = s.generator.duration_ms.min(max_span.max(MINUTE));
    let allowed = Some(max_late.max(watermark));
    let lateness = Lateness {
        watermark_delay: watermark,
        allowed_lateness: allowed,
    };
    let mut plans: Vec<Plan> = s
        .plans
        .iter()
        .filter(|p| {
            matches!(
                p,
                Plan::Batch {
                    drop_late: true,
                    ..
                }
            )
        })
        .copied()
        .collect();
    plans.push(Plan::Batch {
        interval_ms: interval,
        offset_ms: 0,
        drop_late: false,
    });
    plans.push(Plan::MicroBatch {
        trigger_ms: trigger,
        lateness,
    });
    plans.push(Plan::Stream(StreamConfig {
        lateness,
        policy: EmitPolicy::Final,
    }));
    plans.push(Plan::Stream(StreamConfig {
        lateness,
        policy: EmitPolicy::EagerCorrect,
    }));
    s.plans = plans;
    s.generator
        .validate()
        .map_err(|e| vec![err("rate", e.to_string())])?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rerun_errors_name_every_bad_field() {
        let p = RerunParams {
            workload: "nope".into(),
            rate: "fast".into(),
            keys: "0".into(),
            late_fraction: "2".into(),
            max_lateness: "10x".into(),
            batch_interval: "15m".into(),
            trigger: "10s".into(),
            watermark: "5s".into(),
        };
        let errors = rerun(&p, Size::Quick).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["workload", "rate", "keys", "late_fraction", "max_lateness"]
        );
    }

    #[test]
    fn rerun_uses_the_entered_schedule() {
        let s = reference(WorkloadKind::FraudAlerts, Size::Quick);
        let mut p = params_of(WorkloadKind::FraudAlerts, 30.0, Some(100), &s.plans);
        p.batch_interval = "5m".into();
        let s = rerun(&p, Size::Quick).unwrap();
        assert!(s.plans.contains(&Plan::Batch {
            interval_ms: 5 * MINUTE,
            offset_ms: 0,
            drop_late: false
        }));
        assert_eq!(s.generator.keys, 100);
    }
}

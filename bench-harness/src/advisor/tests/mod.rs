//! The advisor's tests: builders and fixtures here; outcomes, evidence and
//! validation, and the rules table in the submodules.

use super::*;
use crate::cost::ServiceFit;
use crate::report::{
    Complexity, Correctness, CostCurves, LatencySummary, Machine, Resources, ScenarioSummary,
    Throughput,
};
use crate::runner::methodology;
use workloads::mode::{EmitPolicy, Lateness, StreamConfig};

// --- builders -------------------------------------------------------

fn batch(interval_ms: Millis, offset_ms: Millis, drop_late: bool) -> Plan {
    Plan::Batch {
        interval_ms,
        offset_ms,
        drop_late,
    }
}

fn micro(trigger_ms: Millis, delay: Millis, allowed: Option<Millis>) -> Plan {
    Plan::MicroBatch {
        trigger_ms,
        lateness: Lateness {
            watermark_delay: delay,
            allowed_lateness: allowed,
        },
    }
}

fn stream(policy: EmitPolicy, delay: Millis, allowed: Option<Millis>) -> Plan {
    Plan::Stream(StreamConfig {
        lateness: Lateness {
            watermark_delay: delay,
            allowed_lateness: allowed,
        },
        policy,
    })
}

/// One measured plan: p99 in seconds, the fitted service time, and the
/// recall of its final output (1.0 = exact). Complexity follows the
/// mode, like the real workloads (batch is the least complex).
fn plan_report(
    plan: Plan,
    p99_s: f64,
    fit: (f64, f64),
    recall: f64,
    dropped: u64,
    scenario_rate: f64,
) -> ModeReport {
    let mode = plan.mode();
    let (loc, ops, failure_modes): (usize, u32, &[&str]) = match mode {
        Mode::Batch => (
            256,
            1,
            &["late data after the run closed", "scheduler or run failure"],
        ),
        Mode::MicroBatch => (
            180,
            2,
            &[
                "late data",
                "state carried between triggers",
                "trigger overrun",
                "checkpoint recovery",
            ],
        ),
        Mode::Stream => (
            319,
            2,
            &[
                "out-of-order events",
                "late data",
                "exactly-once delivery",
                "state management",
                "always-on operation",
            ],
        ),
    };
    let service_fit = ServiceFit {
        fixed_seconds: fit.0,
        per_event_seconds: fit.1,
        parallel_efficiency: 1.0,
    };
    let model = CostModel::default();
    let cost = cost_at(
        &model,
        &plan,
        &service_fit,
        &JobConfig::default(),
        scenario_rate,
        scenario_rate,
        40e6,
    );
    let p99_ms = p99_s * 1000.0;
    let expected = 10_000u64;
    let matched = (expected as f64 * recall).round() as u64;
    ModeReport {
        label: plan.label(),
        mode,
        plan,
        promises_exact: plan.promises_exact(),
        latency: LatencySummary {
            count: 9_000,
            p50_ms: p99_ms * 0.5,
            p95_ms: p99_ms * 0.9,
            p99_ms,
            max_ms: p99_ms * 1.2,
            mean_ms: p99_ms * 0.5,
            flushed_at_end: 10,
            cdf: vec![(p99_ms * 0.5, 0.5), (p99_ms, 0.99), (p99_ms * 1.2, 1.0)],
        },
        throughput: Throughput {
            sustainable_events_per_second_per_core: 1.0 / fit.1,
            events_per_busy_second: 1.0 / fit.1,
            service_fit,
            units_of_work: 100,
            max_queue_delay_ms: 0.0,
            utilization: 0.05,
        },
        resources: Resources {
            busy_seconds: 12.0,
            cpu_seconds: 12.5,
            peak_memory_bytes: 40_000_000,
            peak_state_bytes: 5_000_000,
        },
        cost,
        reprocessing: crate::report::Reprocessing {
            one_day_seconds: match mode {
                Mode::Batch => 75.0,
                Mode::MicroBatch => 40.0,
                Mode::Stream => 12.0,
            },
            method: "synthetic".to_string(),
            measured_full_day: false,
        },
        complexity: Complexity {
            stateful_operators: ops,
            failure_modes: failure_modes.iter().map(|s| s.to_string()).collect(),
            lines_of_code: loc,
            source_files: vec![format!("workloads/src/x/{mode}.rs")],
            peak_state_bytes: 5_000_000,
        },
        correctness: Correctness {
            expected_rows: expected,
            produced_rows: matched,
            matched_rows: matched,
            precision: 1.0,
            recall,
            exact: recall >= 1.0,
            missing_sample: Vec::new(),
            extra_sample: Vec::new(),
            late_events: 900,
            late_dropped: dropped,
            updates: 40,
            retractions: 5,
            emissions: expected + 45,
        },
    }
}

fn report(workload: WorkloadKind, mean: f64, peak: f64, modes: Vec<ModeReport>) -> Report {
    let model = CostModel::default();
    Report {
        schema_version: crate::report::SCHEMA_VERSION,
        weir_version: "test".to_string(),
        generated_at_unix: 1_700_000_000,
        machine: Machine {
            cores: 2,
            os: "linux".to_string(),
            arch: "x86_64".to_string(),
            cpu_model: None,
        },
        workload,
        scenario: ScenarioSummary {
            name: format!("{workload} (default)"),
            source: "generated (seed 42)".to_string(),
            events: (mean * 3600.0) as u64,
            event_time_span_ms: HOUR,
            mean_events_per_second: mean,
            peak_events_per_second: peak,
            keys: Some(20_000),
            out_of_order_events: 5_000,
            max_lateness_ms: 10 * MINUTE,
        },
        methodology: methodology(&model, &workloads::mode::JobConfig::default()),
        cost_model: model,
        modes,
        cost_curves: CostCurves {
            rates: Vec::new(),
            series: Vec::new(),
            break_even: Vec::new(),
        },
        realtime_validation: None,
        broker: None,
        broker_skipped: None,
        scaling: None,
        scaling_skipped: None,
        stream_partitioning: None,
        query: None,
        charts: Vec::new(),
    }
}

/// Modeled on a measured fraud-alerts run: batch p99 ≈ interval + 60 s,
/// micro-batch p99 ≈ 2 × trigger, stream eager ≈ 2 s (lossy).
fn fraud() -> Report {
    let r = 300.0;
    report(
        WorkloadKind::FraudAlerts,
        r,
        r,
        vec![
            plan_report(batch(HOUR, 0, false), 3_665.0, (1.9, 2.1e-5), 1.0, 0, r),
            plan_report(
                batch(15 * MINUTE, 0, false),
                963.0,
                (2.8, 3.12e-5),
                1.0,
                0,
                r,
            ),
            plan_report(
                micro(30 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                60.0,
                (0.4, 1.7e-5),
                1.0,
                0,
                r,
            ),
            plan_report(
                micro(10 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                20.0,
                (0.25, 1.35e-4),
                1.0,
                0,
                r,
            ),
            plan_report(
                stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                1.9,
                (0.0, 4.4e-7),
                0.9906,
                636,
                r,
            ),
            plan_report(
                stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                5.3,
                (0.0, 7.1e-7),
                0.9925,
                614,
                r,
            ),
            plan_report(
                stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
                31.5,
                (0.0, 6.6e-7),
                1.0,
                0,
                r,
            ),
        ],
    )
}

/// Modeled on daily-report: a daily batch at 00:30 whose per-day
/// results depend on the day's last events (p99 ≈ offset + start-up).
fn daily() -> Report {
    let (mean, peak) = (8.0, 14.4);
    report(
        WorkloadKind::DailyReport,
        mean,
        peak,
        vec![
            plan_report(
                batch(DAY, 30 * MINUTE, true),
                1_862.0,
                (1.5, 2e-5),
                0.995,
                40,
                mean,
            ),
            plan_report(batch(HOUR, 0, false), 3_665.0, (1.2, 2.5e-5), 1.0, 0, mean),
            plan_report(
                batch(15 * MINUTE, 0, false),
                963.0,
                (1.0, 2.5e-5),
                1.0,
                0,
                mean,
            ),
            plan_report(
                micro(MINUTE, MINUTE, Some(3 * HOUR)),
                185.0,
                (0.3, 2e-5),
                1.0,
                0,
                mean,
            ),
            plan_report(
                stream(EmitPolicy::Final, MINUTE, Some(HOUR)),
                65.0,
                (0.0, 9e-7),
                0.999,
                3,
                mean,
            ),
            plan_report(
                stream(EmitPolicy::EagerCorrect, MINUTE, Some(3 * HOUR)),
                2.1,
                (0.0, 1e-6),
                1.0,
                0,
                mean,
            ),
        ],
    )
}

fn sessions() -> Report {
    let r = 100.0;
    report(
        WorkloadKind::Sessionization,
        r,
        r,
        vec![
            plan_report(batch(HOUR, 0, false), 3_670.0, (1.5, 3e-5), 1.0, 0, r),
            plan_report(batch(15 * MINUTE, 0, false), 968.0, (1.2, 3e-5), 1.0, 0, r),
            plan_report(
                micro(MINUTE, 10 * SECOND, Some(30 * MINUTE)),
                130.0,
                (0.3, 2e-5),
                1.0,
                0,
                r,
            ),
            plan_report(
                stream(EmitPolicy::Eager, 0, Some(5 * MINUTE)),
                5.1,
                (0.0, 8e-7),
                0.97,
                120,
                r,
            ),
            plan_report(
                stream(EmitPolicy::Final, 10 * SECOND, Some(5 * MINUTE)),
                15.0,
                (0.0, 9e-7),
                0.98,
                90,
                r,
            ),
            plan_report(
                stream(EmitPolicy::EagerCorrect, 10 * SECOND, Some(30 * MINUTE)),
                40.0,
                (0.0, 1e-6),
                1.0,
                0,
                r,
            ),
        ],
    )
}

fn all_reports() -> Vec<Report> {
    vec![fraud(), daily(), sessions()]
}

fn answers(
    freshness: Freshness,
    transformation: Transformation,
    team: Experience,
    rate: f64,
) -> Answers {
    Answers {
        freshness,
        transformation,
        team_experience: team,
        budget_usd_per_month: None,
        events_per_second: rate,
        late_data: LateData::None,
        reprocessing: Reprocessing::Rare,
        workload: None,
    }
}

fn text(r: &Recommendation) -> String {
    format!(
        "{}\n---\n{}",
        r.reasons.join("\n"),
        r.what_would_change.join("\n")
    )
}

fn row<'r>(r: &'r Recommendation, label_start: &str) -> &'r EvidenceRow {
    r.evidence
        .rows
        .iter()
        .find(|x| x.label.starts_with(label_start))
        .unwrap_or_else(|| panic!("no row {label_start}"))
}

mod evidence;
mod fixtures;
mod outcomes;
mod rules;

use fixtures::*;

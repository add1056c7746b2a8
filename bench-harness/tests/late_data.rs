//! Late data through the whole harness, per workload: plans that fold every
//! late event in must come out exact; plans that drop late events must
//! count the drops and show the damage in precision or recall — the report
//! measures the difference and never hides it.

use bench_harness::plan::Plan;
use bench_harness::report::{ModeReport, Report};
use bench_harness::runner::{quiet, run_scenario};
use bench_harness::scenario::Scenario;
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::Mode;
use workloads::time::{DAY, HOUR, MINUTE, Millis, SECOND};
use workloads::{EmitPolicy, Lateness, StreamConfig, WorkloadKind};

fn stream(policy: EmitPolicy, watermark_delay: Millis, allowed_lateness: Option<Millis>) -> Plan {
    Plan::Stream(StreamConfig {
        lateness: Lateness {
            watermark_delay,
            allowed_lateness,
        },
        policy,
    })
}

/// The plans every workload runs, on its own time scale: `small` is a
/// lateness well below the generator's, `period` a batch interval.
struct Shape {
    delay: Millis,
    small: Millis,
    period: Millis,
    offset: Millis,
    trigger: Millis,
}

/// Role of each plan in [`plans`], in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Drops late events: must count them and show a difference.
    Lossy,
    /// Folds every late event in: must be exact.
    Exact,
}

fn plans(s: &Shape, batch_drop: Plan) -> Vec<(Role, Plan)> {
    vec![
        (Role::Lossy, stream(EmitPolicy::Eager, 0, Some(s.small))),
        (
            Role::Lossy,
            stream(EmitPolicy::Final, s.delay, Some(s.small)),
        ),
        (Role::Exact, stream(EmitPolicy::EagerCorrect, s.delay, None)),
        (
            Role::Exact,
            Plan::Batch {
                interval_ms: s.period,
                offset_ms: 0,
                drop_late: false,
            },
        ),
        (Role::Lossy, batch_drop),
        (
            Role::Exact,
            Plan::MicroBatch {
                trigger_ms: s.trigger,
                lateness: Lateness::EXACT,
            },
        ),
    ]
}

/// A small scenario with 5 % late events, no wall-clock validation.
fn scenario(kind: WorkloadKind) -> (Scenario, Vec<Role>) {
    let mut s = Scenario::default_for(kind);
    let base = s.generator;
    let (generator, shape, batch_drop) = match kind {
        WorkloadKind::FraudAlerts => {
            let shape = Shape {
                delay: 5 * SECOND,
                small: 30 * SECOND,
                period: MINUTE,
                offset: 10 * SECOND,
                trigger: 10 * SECOND,
            };
            let drop = Plan::Batch {
                interval_ms: shape.period,
                offset_ms: shape.offset,
                drop_late: true,
            };
            let g = GenConfig {
                duration_ms: 3 * MINUTE,
                rate: RateProfile::Constant {
                    events_per_second: 200.0,
                },
                max_lateness_ms: 5 * MINUTE,
                ..base
            };
            (g, shape, drop)
        }
        WorkloadKind::Sessionization => {
            let shape = Shape {
                delay: 10 * SECOND,
                small: MINUTE,
                period: 10 * MINUTE,
                offset: MINUTE,
                trigger: MINUTE,
            };
            let drop = Plan::Batch {
                interval_ms: shape.period,
                offset_ms: shape.offset,
                drop_late: true,
            };
            let g = GenConfig {
                duration_ms: 40 * MINUTE,
                rate: RateProfile::Constant {
                    events_per_second: 50.0,
                },
                keys: 2_000,
                max_lateness_ms: 20 * MINUTE,
                ..base
            };
            (g, shape, drop)
        }
        WorkloadKind::Custom => {
            s.custom = Some(custom_def());
            let shape = Shape {
                delay: 5 * SECOND,
                small: 30 * SECOND,
                period: 5 * MINUTE,
                offset: 30 * SECOND,
                trigger: 10 * SECOND,
            };
            let drop = Plan::Batch {
                interval_ms: shape.period,
                offset_ms: shape.offset,
                drop_late: true,
            };
            let g = GenConfig {
                duration_ms: 20 * MINUTE,
                rate: RateProfile::Constant {
                    events_per_second: 50.0,
                },
                max_lateness_ms: 5 * MINUTE,
                ..base
            };
            (g, shape, drop)
        }
        WorkloadKind::DailyReport => {
            let shape = Shape {
                delay: MINUTE,
                small: 10 * MINUTE,
                period: 6 * HOUR,
                offset: 30 * MINUTE,
                trigger: HOUR,
            };
            let drop = Plan::Batch {
                interval_ms: DAY,
                offset_ms: shape.offset,
                drop_late: true,
            };
            let g = GenConfig {
                duration_ms: 2 * DAY,
                rate: base.rate.with_mean(RATE_DAILY),
                max_lateness_ms: 2 * HOUR,
                ..base
            };
            (g, shape, drop)
        }
    };
    s.name = format!("{kind} late data");
    s.generator = GenConfig {
        late_fraction: 0.05,
        ..generator
    };
    s.generator.validate().expect("a valid generator config");
    s.realtime = None;
    let (roles, plans): (Vec<Role>, Vec<Plan>) = plans(&shape, batch_drop).into_iter().unzip();
    s.plans = plans;
    (s, roles)
}

/// A user's workload: per-card one-minute sums of filtered amounts.
fn custom_def() -> workloads::custom::CustomDef {
    serde_json::from_str(
        r#"{
          "columns": [
            {"type": "key", "name": "card", "cardinality": 40},
            {"type": "number", "name": "amount", "decimals": 2,
             "distribution": {"kind": "uniform", "min": 0, "max": 500}},
            {"type": "category", "name": "channel", "values": ["web", "pos", "atm"]}
          ],
          "query": {
            "key": "card",
            "filter": [{"column": "channel", "op": "!=", "value": "atm"}],
            "window": {"kind": "tumbling", "size": "1m"},
            "aggregates": [
              {"name": "payments", "function": "count"},
              {"name": "total", "function": "sum", "column": "amount"},
              {"name": "mean", "function": "avg", "column": "amount"}
            ]
          }
        }"#,
    )
    .expect("a valid custom definition")
}

/// Mean orders per second of the daily-report scenario (two days of it).
const RATE_DAILY: f64 = 0.5;

fn describe(m: &ModeReport) -> String {
    let c = &m.correctness;
    format!(
        "{}: exact {}, precision {}, recall {}, expected {}, produced {}, matched {}, late {}, dropped {}, \
         updates {}, retractions {}, emissions {}, latency count {}, missing {:?}, extra {:?}",
        m.label,
        c.exact,
        c.precision,
        c.recall,
        c.expected_rows,
        c.produced_rows,
        c.matched_rows,
        c.late_events,
        c.late_dropped,
        c.updates,
        c.retractions,
        c.emissions,
        m.latency.count,
        c.missing_sample,
        c.extra_sample
    )
}

/// Runs the late-data scenario of `kind` and checks what the report says.
fn late_data_is_counted_not_hidden(kind: WorkloadKind) {
    let (s, roles) = scenario(kind);
    let report =
        run_scenario(&s, quiet()).unwrap_or_else(|e| panic!("{kind}: the scenario failed: {e:#}"));
    assert_eq!(report.workload, kind);
    assert_eq!(report.modes.len(), s.plans.len(), "one ModeReport per plan");
    assert!(report.scenario.events > 0);
    assert!(
        report.scenario.out_of_order_events > 0,
        "{kind}: the generator produced no late data"
    );
    // The stream plan split by key: measured on 1 and 2 workers, exact,
    // and its efficiency is what the stream costs are charged with.
    let split = report
        .stream_partitioning
        .as_ref()
        .unwrap_or_else(|| panic!("{kind}: no stream partitioning measured"));
    let workers: Vec<usize> = split.points.iter().map(|p| p.workers).collect();
    assert_eq!(workers, [1, 2], "{kind}");
    assert!(
        split.points.iter().all(|p| p.exact),
        "{kind}: {:?}",
        split.points
    );
    assert!(
        (0.1..=1.0).contains(&split.efficiency),
        "{kind}: {}",
        split.efficiency
    );
    for m in report.modes.iter().filter(|m| m.mode == Mode::Stream) {
        assert_eq!(
            m.throughput.service_fit.parallel_efficiency, split.efficiency,
            "{kind} {}",
            m.label
        );
    }
    let all: Vec<String> = report.modes.iter().map(describe).collect();
    let all = all.join("\n");
    println!("{kind}:\n{all}");
    let mut failures = Vec::new();
    for ((m, &role), plan) in report.modes.iter().zip(&roles).zip(&s.plans) {
        let c = &m.correctness;
        let mut fail = |why: &str| failures.push(format!("{}: {why}", m.label));
        if m.plan != *plan {
            fail("the report's plan differs from the scenario's");
        }
        assert_eq!(
            m.promises_exact,
            role == Role::Exact,
            "{}: promises_exact",
            m.label
        );
        if m.promises_exact && !(c.exact && c.precision == 1.0 && c.recall == 1.0) {
            fail("promises an exact result but is not exact");
        }
        if c.late_events == 0 {
            fail("no late events counted");
        }
        if c.late_dropped > c.late_events {
            fail("more drops than late events");
        }
        if m.latency.count == 0 {
            fail("no latency measured");
        }
        if c.expected_rows == 0 {
            fail("the ground truth is empty: the scenario tests nothing");
        }
        if role == Role::Lossy {
            if c.late_dropped == 0 {
                fail("drops late events but counted no drop");
            }
            let counted = !c.exact && (c.precision < 1.0 || c.recall < 1.0);
            // Fraud alerts and sessions: dropped late events must show in
            // the output. Daily report: a dropped order always changes its
            // day's rows, so the same holds.
            if c.late_dropped > 0 && !counted {
                fail("dropped late events, yet the output is reported exact");
            }
        }
        if c.exact != (c.precision == 1.0 && c.recall == 1.0) {
            fail("exact disagrees with precision and recall");
        }
    }
    assert!(
        failures.is_empty(),
        "{kind}:\n{}\n\nevery plan:\n{all}",
        failures.join("\n")
    );

    // It says what was measured and what was modeled.
    let method = &report.methodology;
    assert!(!method.measured.is_empty(), "no measured items");
    assert!(!method.modeled.is_empty(), "no modeled items");
    assert!(method.measured.iter().any(|m| m.contains("late events")));
    assert!(method.modeled.iter().any(|m| m.contains("prices")));

    // The report reads back as written: every field, every value (floats to
    // within the last bit: serde_json's default float parser may round
    // the last digit differently).
    let json = serde_json::to_string(&report).expect("serialize the report");
    let back: Report = serde_json::from_str(&json).expect("parse the report back");
    let (a, b) = (
        serde_json::to_value(&report).expect("report as a value"),
        serde_json::to_value(&back).expect("parsed report as a value"),
    );
    if let Some(path) = first_difference(&a, &b, String::new()) {
        panic!("{kind}: the report does not round-trip through JSON at {path}");
    }
}

/// The path of the first value that differs (numbers compared to a relative
/// 1e-12), or `None` when the documents match.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64()?, y.as_f64()?);
            let close = x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
            (!close).then(|| format!("{path} ({x} vs {y})"))
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path} (length {} vs {})", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, format!("{path}[{i}]")))
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path} (fields differ)"));
            }
            x.iter().find_map(|(k, v)| match y.get(k) {
                Some(w) => first_difference(v, w, format!("{path}.{k}")),
                None => Some(format!("{path}.{k} (missing)")),
            })
        }
        _ => (a != b).then(|| path.clone()),
    }
}

#[test]
fn fraud_alerts_late_data() {
    late_data_is_counted_not_hidden(WorkloadKind::FraudAlerts);
}

#[test]
fn daily_report_late_data() {
    late_data_is_counted_not_hidden(WorkloadKind::DailyReport);
}

#[test]
fn sessionization_late_data() {
    late_data_is_counted_not_hidden(WorkloadKind::Sessionization);
}

#[test]
fn custom_workload_late_data() {
    late_data_is_counted_not_hidden(WorkloadKind::Custom);
}

//! Converts the harness's `Report` and the advisor's `Recommendation` into
//! the app's view models, rendering charts to inline SVG.

use app::model::{ChartView, EvidenceRow, ModeRow, RecommendationView, ReportView, ValidationView};
use bench_harness::advisor::{Architecture, Recommendation};
use bench_harness::chart;
use bench_harness::report::Report;

/// Chart titles by stem.
fn chart_title(stem: &str) -> &'static str {
    match stem {
        "latency_cdf" => "Latency distribution per configuration (event time → result)",
        "cost_vs_rate" => "Monthly cost as the event rate grows, with break-even points",
        "latency_vs_cost" => "p99 latency against monthly cost",
        "scale_out" => {
            "Batch throughput on Ballista clusters of several sizes (measured, then modeled)"
        }
        _ => "Chart",
    }
}

/// Every chart of a report as inline SVG (a chart that fails to render is
/// logged and left out).
pub fn charts(report: &Report) -> Vec<ChartView> {
    chart::stems(report)
        .into_iter()
        .filter_map(|stem| match chart::svg(report, stem) {
            Ok(svg) => Some(ChartView {
                title: chart_title(stem).to_string(),
                svg: responsive(&svg),
            }),
            Err(e) => {
                tracing::warn!(chart = stem, error = %e, "chart not rendered");
                None
            }
        })
        .collect()
}

/// Adds a `viewBox` (when missing) so CSS can scale the chart to its column.
fn responsive(svg: &str) -> String {
    if svg.contains("viewBox") {
        return svg.to_string();
    }
    let attr = |name: &str| -> Option<&str> {
        let start = svg.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = svg[start..].find('"')? + start;
        Some(&svg[start..end])
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) => svg.replacen("<svg ", &format!("<svg viewBox=\"0 0 {w} {h}\" "), 1),
        _ => svg.to_string(),
    }
}

/// `2026-01-01 12:00 UTC` from Unix seconds.
pub fn utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `3.0 h`, `2 d`.
fn span(ms: i64) -> String {
    let h = ms as f64 / 3_600_000.0;
    if h >= 48.0 {
        format!("{:.1} days", h / 24.0)
    } else if h >= 1.0 {
        format!("{h:.1} h")
    } else {
        format!("{:.0} min", h * 60.0)
    }
}

/// The machine in one line.
fn machine(r: &Report) -> String {
    let cpu = r
        .machine
        .cpu_model
        .clone()
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{} cores · {} {} · {cpu}",
        r.machine.cores, r.machine.os, r.machine.arch
    )
}

/// A stored report as the workload page shows it.
pub fn report_view(id: &str, r: &Report) -> ReportView {
    let modes = r
        .modes
        .iter()
        .map(|m| {
            // No timed emission: the percentiles are no sample, not 0 ms.
            let sampled = |v: f64| (m.latency.count > 0).then_some(v);
            ModeRow {
                label: m.label.clone(),
                mode: m.mode.to_string(),
                p50_ms: sampled(m.latency.p50_ms),
                p95_ms: sampled(m.latency.p95_ms),
                p99_ms: sampled(m.latency.p99_ms),
                max_ms: sampled(m.latency.max_ms),
                monthly_usd: m.cost.usd,
                vcpus: m.cost.vcpus,
                events_per_second_per_core: m.throughput.sustainable_events_per_second_per_core,
                cpu_seconds: m.resources.cpu_seconds,
                peak_memory_bytes: m.resources.peak_memory_bytes,
                peak_state_bytes: m.resources.peak_state_bytes,
                reprocessing_seconds: m.reprocessing.one_day_seconds,
                stateful_operators: m.complexity.stateful_operators,
                failure_modes: m.complexity.failure_modes.len(),
                lines_of_code: m.complexity.lines_of_code,
                precision: m.correctness.precision,
                recall: m.correctness.recall,
                exact: m.correctness.exact,
                late_events: m.correctness.late_events,
                late_dropped: m.correctness.late_dropped,
                corrections: m.correctness.updates,
                retractions: m.correctness.retractions,
            }
        })
        .collect();
    let break_even = r
        .cost_curves
        .break_even
        .iter()
        .map(|b| {
            format!(
                "Below {} events/s {} is cheaper; above it, {} (about {}/month at the crossing).",
                units::rate(b.events_per_second),
                b.cheaper_below,
                b.cheaper_above,
                units::usd(b.usd_per_month)
            )
        })
        .collect();
    let validation = r
        .realtime_validation
        .iter()
        .flat_map(|v| v.rows.iter())
        .map(|row| ValidationView {
            label: row.label.clone(),
            simulated_p99_ms: row.simulated_p99_ms,
            real_p99_ms: row.real_p99_ms,
            same_output: row.same_output,
        })
        .collect();
    let plans: Vec<_> = r.modes.iter().map(|m| m.plan).collect();
    ReportView {
        broker: match (&r.broker, &r.broker_skipped) {
            (Some(b), _) => broker_lines(b),
            (None, Some(why)) => vec![format!(
                "The measurements through a replayable log were skipped: {why}"
            )],
            (None, None) => Vec::new(),
        },
        scale_out: match (&r.scaling, &r.scaling_skipped) {
            (Some(sc), _) => sc
                .point_lines()
                .into_iter()
                .chain(sc.notes.clone())
                .collect(),
            (None, Some(why)) => vec![format!("The scale-out measurement was skipped: {why}")],
            (None, None) => Vec::new(),
        },
        query: r.query.as_ref().map(|q| app::model::QueryView {
            sql: q.sql.clone(),
            written_as_sql: q.written_as_sql,
            datafusion_sql: q.datafusion_sql.clone(),
        }),
        stream_partitioning: r
            .stream_partitioning
            .as_ref()
            .map(|p| p.lines().into_iter().chain(p.notes.clone()).collect())
            .unwrap_or_default(),
        sizing: r
            .scaling
            .as_ref()
            .map(|sc| sc.sizing_lines())
            .unwrap_or_default(),
        id: id.to_string(),
        workload: r.workload.to_string(),
        scenario: r.scenario.name.clone(),
        measured_at: utc(r.generated_at_unix),
        machine: machine(r),
        source: r.scenario.source.clone(),
        events: r.scenario.events,
        span: span(r.scenario.event_time_span_ms),
        mean_events_per_second: r.scenario.mean_events_per_second,
        peak_events_per_second: r.scenario.peak_events_per_second,
        keys: r.scenario.keys,
        out_of_order_events: r.scenario.out_of_order_events,
        modes,
        break_even,
        validation,
        charts: charts(r),
        measured: r.methodology.measured.clone(),
        modeled: r.methodology.modeled.clone(),
        notes: r.methodology.notes.clone(),
        params: crate::scenarios::params_of(
            r.workload,
            r.scenario.mean_events_per_second,
            r.scenario.keys,
            &plans,
        ),
    }
}

/// The broker measurements as sentences for the report page.
fn broker_lines(b: &bench_harness::report::BrokerReport) -> Vec<String> {
    let mut lines = vec![
        format!(
            "Published {} events into {} in {}.",
            units::count(b.events),
            b.log,
            units::seconds(b.publish_seconds)
        ),
        format!(
            "Kappa reprocessing, measured: replaying the whole log through {} took {} ({} events/s) against {} \
             for the same plan in memory — the broker's share is {}. Output {}; {} dead letters.",
            b.plan,
            units::seconds(b.replay_seconds),
            units::rate(b.replay_events_per_second()),
            units::seconds(b.in_memory_seconds),
            units::percent(b.broker_share()),
            if b.replay_exact {
                "exact"
            } else {
                "DIFFERENT from ground truth"
            },
            units::count(b.dead_letters)
        ),
    ];
    if let (Some(secs), Some(exact)) = (b.micro_batch_replay_seconds, b.micro_batch_replay_exact) {
        lines.push(format!(
            "Micro-batch reprocessing of the same log, in hour-sized catch-up triggers: {}; output {}.",
            units::seconds(secs),
            if exact {
                "exact"
            } else {
                "DIFFERENT from ground truth"
            }
        ));
    }
    if let Some(l) = &b.live {
        lines.push(format!(
            "Live through the broker at {} events/s: p50 {}, p99 {} (the real-time validation's stream row is the \
             same events through an in-process queue: the difference is the broker hop). Same output: {}.",
            units::rate(l.events_per_second),
            units::duration_ms(l.p50_ms),
            units::duration_ms(l.p99_ms),
            if l.same_output { "yes" } else { "no" }
        ));
    }
    if let Some(r) = &b.recovery {
        lines.extend(r.lines().into_iter().map(|l| format!("Recovery, {l}")));
    }
    lines
}

/// The advisor's answer as the pages show it; `evidence_report` is the
/// report the advisor used (for charts and the measured-on line).
pub fn recommendation_view(
    rec: &Recommendation,
    evidence_report: Option<&(String, Report, ReportView)>,
) -> RecommendationView {
    let arch = rec.recommendation;
    let chosen_mode = match arch {
        Architecture::Batch => Some(workloads::mode::Mode::Batch),
        Architecture::MicroBatch => Some(workloads::mode::Mode::MicroBatch),
        Architecture::Stream => Some(workloads::mode::Mode::Stream),
        Architecture::Lambda | Architecture::Kappa => None,
    };
    // Highlight the cheapest row of the chosen mode that meets freshness.
    let chosen_idx = chosen_mode.and_then(|mode| {
        rec.evidence
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.mode == mode && r.meets_freshness)
            .min_by(|a, b| {
                let c = |r: &bench_harness::advisor::EvidenceRow| {
                    r.monthly_cost_usd.unwrap_or(f64::INFINITY)
                };
                c(a.1).total_cmp(&c(b.1))
            })
            .map(|(i, _)| i)
    });
    let evidence = rec
        .evidence
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| EvidenceRow {
            mode: r.mode.to_string(),
            label: r.label.clone(),
            p99_ms: r.p99_latency_ms.is_finite().then_some(r.p99_latency_ms),
            monthly_usd: r.monthly_cost_usd,
            complexity: format!(
                "{} stateful op{}, {} failure mode{}, {} lines",
                r.stateful_operators,
                if r.stateful_operators == 1 { "" } else { "s" },
                r.failure_modes,
                if r.failure_modes == 1 { "" } else { "s" },
                units::count(r.lines_of_code as u64)
            ),
            correctness: if r.exact {
                "exact (late data folded in)".to_string()
            } else {
                format!(
                    "lossy: precision {}, recall {}, {} late events dropped",
                    units::percent(r.precision),
                    units::percent(r.recall),
                    units::count(r.late_dropped)
                )
            },
            chosen: Some(i) == chosen_idx,
        })
        .collect();
    let mut reasons = rec.reasons.clone();
    reasons.extend(rec.evidence.notes.iter().cloned());
    let measured_on = evidence_report.map_or_else(
        || "No measurements yet: rules of thumb only".to_string(),
        |(_, r, _)| format!("Measured {} on {}", utc(r.generated_at_unix), machine(r)),
    );
    RecommendationView {
        recommendation: arch.name().to_string(),
        schedule: rec.schedule.clone(),
        reasons,
        what_would_change: rec.what_would_change.clone(),
        workload: rec
            .evidence
            .workload
            .map(|w| w.to_string())
            .unwrap_or_default(),
        events_per_second: rec.evidence.events_per_second,
        evidence,
        charts: evidence_report
            .map(|(_, _, v)| v.charts.clone())
            .unwrap_or_default(),
        measured_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_767_225_600 + 3_660), "2026-01-01 01:01 UTC");
    }

    /// Every dollar figure in the advisor's words: `(text, amount)` — costs,
    /// not the unit prices of the price list (`$0.04048/vCPU-hour`).
    fn dollar_figures(texts: &[String]) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for t in texts {
            for (i, _) in t.match_indices('$') {
                let token: String = t[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                    .collect();
                let token = token.trim_end_matches(['.', ',']).to_string();
                let after = &t[i + 1 + token.len()..];
                if after.starts_with("/vCPU") || after.starts_with("/GB") {
                    continue;
                }
                if let Ok(v) = token.replace(',', "").parse::<f64>() {
                    out.push((format!("${token}"), v));
                }
            }
        }
        out
    }

    /// The reasons and the evidence table write money with one formatter:
    /// every dollar figure of the reasons reads exactly as `units::usd`
    /// writes that amount (the table's cells are `units::usd` of the row),
    /// and the chosen row's cost, when the reasons quote it, reads the same
    /// in both.
    #[test]
    fn reasons_and_evidence_write_money_alike() {
        let report = crate::storage::tests::sample_report();
        let mut seen = 0;
        for (freshness, budget) in [("1h", "null"), ("1m", "50"), ("1s", "5000")] {
            let answers = bench_harness::advisor::parse_answers(&format!(
                r#"{{"freshness": "{freshness}", "transformation": "filter-alert",
                    "team_experience": "some", "budget_usd_per_month": {budget},
                    "events_per_second": 2000, "late_data": "some",
                    "reprocessing": "rare", "workload": "fraud-alerts"}}"#
            ))
            .expect("valid answers");
            let rec = bench_harness::advisor::recommend(&answers, std::slice::from_ref(&report))
                .expect("a recommendation");
            let view = recommendation_view(&rec, None);
            let words: Vec<String> = view
                .reasons
                .iter()
                .chain(&view.what_would_change)
                .cloned()
                .collect();
            for (text, amount) in dollar_figures(&words) {
                seen += 1;
                // A figure re-rendered from its own digits is unchanged.
                assert_eq!(units::usd(amount), text, "in {words:#?}");
            }
            if let Some(row) = view.evidence.iter().find(|r| r.chosen)
                && let Some(cost) = row.monthly_usd
            {
                let cell = units::usd(cost);
                let quoted = dollar_figures(&words)
                    .into_iter()
                    .any(|(_, v)| (v - cost).abs() <= 0.5);
                if quoted {
                    assert!(
                        words.iter().any(|w| w.contains(&cell)),
                        "the table's {cell} for `{}` is written differently in {words:#?}",
                        row.label
                    );
                }
            }
        }
        assert!(seen > 0, "the reasons quote no cost at all");
    }

    #[test]
    fn broker_measurements_are_worded_with_their_figures() {
        let mut b = bench_harness::report::BrokerReport {
            log: "redis://127.0.0.1:6390/ weir:fraud".into(),
            plan: "stream eager+correct".into(),
            events: 539_495,
            publish_seconds: 1.1,
            replay_seconds: 1.8,
            in_memory_seconds: 0.54,
            replay_exact: true,
            dead_letters: 0,
            micro_batch_replay_seconds: None,
            micro_batch_replay_exact: None,
            live: None,
            recovery: None,
        };
        let lines = broker_lines(&b);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].contains("539,495 events"), "{lines:?}");
        assert!(
            lines[1].contains("1.8 s") && lines[1].contains("70.0%"),
            "{lines:?}"
        );
        assert!(lines[1].contains("Output exact"), "{lines:?}");
        b.replay_exact = false;
        b.live = Some(bench_harness::report::BrokerLive {
            events: 20_000,
            events_per_second: 20_000.0,
            p50_ms: 101.0,
            p99_ms: 199.0,
            same_output: true,
        });
        let lines = broker_lines(&b);
        assert!(
            lines[1].contains("DIFFERENT"),
            "a wrong replay is shown: {lines:?}"
        );
        assert!(lines[2].contains("p99 199 ms"), "{lines:?}");
    }

    #[test]
    fn responsive_adds_a_view_box() {
        let s = responsive("<svg width=\"960\" height=\"560\" xmlns=\"x\"></svg>");
        assert!(s.starts_with("<svg viewBox=\"0 0 960 560\" width="), "{s}");
    }
}

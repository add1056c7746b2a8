//! The terminal summary: one row per mode configuration.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::report::Report;

/// Renders the report's comparison table.
pub fn summary(report: &Report) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(vec![
        "mode",
        "p50",
        "p99",
        "max",
        "events/s/core",
        "CPU s",
        "peak mem",
        "$/month",
        "reprocess 1 day",
        "LoC",
        "precision",
        "recall",
        "late dropped",
    ]);
    for m in &report.modes {
        let c = &m.correctness;
        let mark = if c.exact { "" } else { " ✗" };
        let row = vec![
            Cell::new(&m.label),
            latency_cell(m, m.latency.p50_ms),
            latency_cell(m, m.latency.p99_ms),
            latency_cell(m, m.latency.max_ms),
            Cell::new(units::rate(
                m.throughput.sustainable_events_per_second_per_core,
            )),
            Cell::new(format!("{:.2}", m.resources.cpu_seconds)),
            Cell::new(units::bytes(m.resources.peak_memory_bytes)),
            Cell::new(units::usd(m.cost.usd)),
            Cell::new(units::seconds(m.reprocessing.one_day_seconds)),
            Cell::new(m.complexity.lines_of_code),
            Cell::new(format!("{:.4}{mark}", c.precision)),
            Cell::new(format!("{:.4}{mark}", c.recall)),
            Cell::new(c.late_dropped),
        ];
        t.add_row(row);
    }
    for i in 1..13 {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut s = format!(
        "{} — {} events over {} ({}), {:.0} events/s mean\n",
        report.workload,
        report.scenario.events,
        units::duration_ms(report.scenario.event_time_span_ms as f64),
        report.scenario.source,
        report.scenario.mean_events_per_second
    );
    s.push_str(&t.to_string());
    s.push('\n');
    for b in &report.cost_curves.break_even {
        s.push_str(&format!(
            "break-even near {} events/s: `{}` is cheaper below, `{}` above\n",
            units::rate(b.events_per_second),
            b.cheaper_below,
            b.cheaper_above
        ));
    }
    if let Some(v) = &report.realtime_validation {
        s.push_str(&format!(
            "real-time validation ({} events at {:.0}/s on the wall clock):\n",
            v.events, v.events_per_second
        ));
        for r in &v.rows {
            s.push_str(&format!(
                "  {}: simulated p50 {:.1} ms / p99 {:.1} ms, real p50 {:.1} ms / p99 {:.1} ms, same output: {}\n",
                r.label, r.simulated_p50_ms, r.simulated_p99_ms, r.real_p50_ms, r.real_p99_ms, r.same_output
            ));
        }
    }
    if let Some(b) = &report.broker {
        s.push_str(&format!(
            "through the log ({}): published {} events in {}; kappa replay of the whole log through `{}`: {} \
             ({} events/s; {} in memory, so the broker's share is {}), output {}, {} dead letters\n",
            b.log,
            units::count(b.events),
            units::seconds(b.publish_seconds),
            b.plan,
            units::seconds(b.replay_seconds),
            units::rate(b.replay_events_per_second()),
            units::seconds(b.in_memory_seconds),
            units::percent(b.broker_share()),
            if b.replay_exact { "exact" } else { "DIFFERS from ground truth" },
            b.dead_letters
        ));
        if let (Some(secs), Some(exact)) =
            (b.micro_batch_replay_seconds, b.micro_batch_replay_exact)
        {
            s.push_str(&format!(
                "  micro-batch replay of the same log in hour-sized catch-up triggers: {}, output {}\n",
                units::seconds(secs),
                if exact { "exact" } else { "DIFFERS from ground truth" }
            ));
        }
        if let Some(l) = &b.live {
            s.push_str(&format!(
                "  live through the log at {} events/s: p50 {} / p99 {} (compare the real-time validation's stream row: the difference is the broker hop), same output: {}\n",
                units::rate(l.events_per_second),
                units::duration_ms(l.p50_ms),
                units::duration_ms(l.p99_ms),
                l.same_output
            ));
        }
        if let Some(r) = &b.recovery {
            for line in r.lines() {
                s.push_str(&format!("  recovery, {line}\n"));
            }
        }
    }
    if let Some(q) = &report.query {
        let whose = if q.written_as_sql {
            "your SQL"
        } else {
            "as SQL"
        };
        s.push_str(&format!("query ({whose}): {}\n", q.sql));
    }
    if let Some(p) = &report.stream_partitioning {
        s.push_str("stream split by key (measured):\n");
        for line in p.lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(sc) = &report.scaling {
        s.push_str("scale-out on Ballista (measured):\n");
        for line in sc.point_lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s.push_str("cluster sizing (modeled from the fit):\n");
        for line in sc.sizing_lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    s.push_str("✗ = final output differs from ground truth (see correctness in the JSON report)\n");
    s
}

/// A latency figure, or "none" when the plan emitted nothing before the end
/// of the input (no sample is not 0 ms).
fn latency_cell(m: &crate::report::ModeReport, ms: f64) -> Cell {
    if m.latency.count == 0 {
        Cell::new("none (all at end)")
    } else {
        Cell::new(units::duration_ms(ms))
    }
}

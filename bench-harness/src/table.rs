//! The terminal summary: one row per mode configuration.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::chart::{human_count, human_seconds};
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
            Cell::new(human_count(
                m.throughput.sustainable_events_per_second_per_core,
            )),
            Cell::new(format!("{:.2}", m.resources.cpu_seconds)),
            Cell::new(bytes(m.resources.peak_memory_bytes)),
            Cell::new(if m.cost.usd.is_finite() {
                format!("{:.2}", m.cost.usd)
            } else {
                "n/a".into()
            }),
            Cell::new(human_seconds(m.reprocessing.one_day_seconds)),
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
        human_seconds(report.scenario.event_time_span_ms as f64 / 1000.0),
        report.scenario.source,
        report.scenario.mean_events_per_second
    );
    s.push_str(&t.to_string());
    s.push('\n');
    for b in &report.cost_curves.break_even {
        s.push_str(&format!(
            "break-even near {} events/s: `{}` is cheaper below, `{}` above\n",
            human_count(b.events_per_second),
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
    s.push_str("✗ = final output differs from ground truth (see correctness in the JSON report)\n");
    s
}

/// `512 B`, `3.1 MB`, `1.2 GB`.
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// A latency figure, or "none" when the plan emitted nothing before the end
/// of the input (no sample is not 0 ms).
fn latency_cell(m: &crate::report::ModeReport, ms: f64) -> Cell {
    if m.latency.count == 0 {
        Cell::new("none (all at end)")
    } else {
        Cell::new(human_seconds(ms / 1000.0))
    }
}

//! Renders a [`Comparison`] as Markdown (for a CI job summary: GitHub shows
//! `$GITHUB_STEP_SUMMARY` as-is) and as JSON (for tools).

use std::fmt::Write;

use super::compare::{Comparison, Verdict};

/// A number readable at a glance: thousands grouped, few decimals.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut grouped = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if v < 0.0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:+.1} %"),
        Some(v) => v.to_string(),
        None => "new ≠ 0 (was 0)".to_string(),
    }
}

/// Pipes would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The Markdown summary: a headline verdict, the per-mode × metric table
/// (old, new median, change, spread, threshold, verdict), correctness
/// losses, SLO rows, and notes.
pub fn markdown(c: &Comparison) -> String {
    let mut s = String::new();
    let status = if c.passed { "PASSED" } else { "FAILED" };
    let _ = writeln!(s, "## Weir regression check: {} — {status}\n", c.workload);
    let _ = writeln!(
        s,
        "Scenario `{}`; {} run(s); **new** is the median of the runs, **spread** is (max − min) / median across them.\n",
        cell(&c.scenario),
        c.runs
    );
    let _ = writeln!(
        s,
        "| mode | metric | old | new | change | spread | threshold | verdict |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---|");
    for r in &c.rows {
        let spread = match r.spread_pct {
            Some(v) if v.is_finite() => format!("{v:.1} %"),
            Some(v) => v.to_string(),
            None => "–".to_string(),
        };
        let threshold = r
            .threshold_pct
            .map_or("–".to_string(), |t| format!("{t} %"));
        let flag = if r.threshold_below_noise && r.verdict != Verdict::Noisy {
            " (threshold < noise ⚠)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {spread} | {threshold} | {}{flag} |",
            cell(&r.mode),
            r.metric.name(),
            number(r.old),
            number(r.new),
            pct(r.change_pct),
            r.verdict.label()
        );
    }
    let lost: Vec<_> = c.correctness.iter().filter(|r| r.regressed).collect();
    if !lost.is_empty() {
        let _ = writeln!(
            s,
            "\n**Correctness lost** (exact in the baseline, not now):"
        );
        for r in lost {
            let _ = writeln!(s, "- {}", cell(&r.mode));
        }
    }
    if !c.slo_rows.is_empty() {
        let _ = writeln!(s, "\n| mode | SLO | limit | value | verdict |");
        let _ = writeln!(s, "|---|---|---:|---:|---|");
        for r in &c.slo_rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                cell(&r.mode),
                r.objective,
                number(r.limit),
                number(r.value),
                if r.met { "met" } else { "**BROKEN**" }
            );
        }
    }
    if !c.missing_modes.is_empty() {
        let _ = writeln!(
            s,
            "\n**Missing** (in the baseline, not in the runs): {}",
            c.missing_modes.join(", ")
        );
    }
    if !c.new_modes.is_empty() {
        let _ = writeln!(
            s,
            "\nNew modes (not in the baseline, not gated): {}",
            c.new_modes.join(", ")
        );
    }
    for n in &c.notes {
        let _ = writeln!(s, "\n> {n}");
    }
    s
}

/// The comparison as pretty JSON.
pub fn json(c: &Comparison) -> String {
    serde_json::to_string_pretty(c).expect("a comparison always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(number(1_234_567.4), "1,234,567");
        assert_eq!(number(-1234.0), "-1,234");
        assert_eq!(number(12.345), "12.35");
        assert_eq!(number(0.5), "0.5000");
        assert_eq!(pct(Some(3.21)), "+3.2 %");
    }
}

//! Costed plans at the user's rate: selecting the report, the candidates, ranking.

use super::*;

/// Batch intervals a derived schedule may use, shortest first.
pub(crate) const LADDER: [Millis; 11] = [
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    4 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// Picks the evidence report (rule 1).
pub(crate) fn select_report<'r>(
    a: &Answers,
    reports: &'r [Report],
) -> Result<(Option<&'r Report>, Vec<String>), Vec<FieldError>> {
    let newest = |f: &dyn Fn(&Report) -> bool| {
        reports
            .iter()
            .filter(|r| !r.modes.is_empty() && f(r))
            .max_by_key(|r| r.generated_at_unix)
    };
    let describe = |r: &Report| {
        format!(
            "scenario `{}`: {} events at {} events/s, measured on {} core{} ({} {})",
            r.scenario.name,
            group(r.scenario.events),
            fmt_rate(r.scenario.mean_events_per_second),
            r.machine.cores,
            if r.machine.cores == 1 { "" } else { "s" },
            r.machine.os,
            r.machine.arch
        )
    };
    let mut notes = Vec::new();
    if let Some(name) = a.workload.as_deref().map(str::trim) {
        if let Some(r) = newest(&|r: &Report| r.scenario.name == name) {
            notes.push(format!(
                "Evidence: {}, the stored {}.",
                r.workload,
                describe(r)
            ));
            return Ok((Some(r), notes));
        }
        match name.parse::<WorkloadKind>() {
            Ok(kind) => {
                if let Some(r) = newest(&|r: &Report| r.workload == kind) {
                    notes.push(format!(
                        "Evidence: {kind}, the workload you chose — {}.",
                        describe(r)
                    ));
                    return Ok((Some(r), notes));
                }
                notes.push(format!("No measured report of {kind} is stored yet."));
            }
            Err(msg) => return Err(vec![FieldError::new("workload", msg)]),
        }
    }
    let kind = a.transformation.reference_workload();
    match newest(&|r: &Report| r.workload == kind) {
        Some(r) => {
            notes.push(format!(
                "Evidence: {kind}, the reference workload closest to {} — {}.",
                a.transformation.phrase(),
                describe(r)
            ));
            Ok((Some(r), notes))
        }
        None => {
            notes.push(format!(
                "No measured report of {kind} (the reference workload closest to {}) is available: \
                 this recommendation follows the seed's rules alone, without measured numbers.",
                a.transformation.phrase()
            ));
            Ok((None, notes))
        }
    }
}

// ---------------------------------------------------------------------------
// The measured decision
// ---------------------------------------------------------------------------

/// One plan of the report (or a derived batch schedule), costed at the
/// user's rate.
pub(crate) struct Cand<'a> {
    pub(crate) src: &'a ModeReport,
    pub(crate) plan: Plan,
    pub(crate) p99_ms: f64,
    pub(crate) cost: Option<MonthlyCost>,
    pub(crate) derived: bool,
    pub(crate) meets: bool,
    pub(crate) acceptable: bool,
}

impl Cand<'_> {
    pub(crate) fn mode(&self) -> Mode {
        self.plan.mode()
    }
    pub(crate) fn exact(&self) -> bool {
        self.src.correctness.exact
    }
    pub(crate) fn usd(&self) -> Option<f64> {
        self.cost.map(|c| c.usd)
    }
    pub(crate) fn usd_or_inf(&self) -> f64 {
        self.usd().unwrap_or(f64::INFINITY)
    }
    pub(crate) fn feasible(&self) -> bool {
        self.cost.is_some()
    }
    pub(crate) fn ok(&self) -> bool {
        self.meets && self.acceptable && self.feasible()
    }
    pub(crate) fn interval_ms(&self) -> Millis {
        match self.plan {
            Plan::Batch { interval_ms, .. } => interval_ms,
            Plan::MicroBatch { trigger_ms, .. } => trigger_ms,
            Plan::Stream(_) => 0,
        }
    }
    pub(crate) fn label(&self) -> String {
        if self.derived {
            format!("{} (derived, not measured)", self.plan.label())
        } else {
            self.src.label.clone()
        }
    }
    pub(crate) fn failure_modes(&self) -> usize {
        self.src.complexity.failure_modes.len()
    }
    /// "batch every 15m: p99 16 min, $2.47/month"
    pub(crate) fn brief(&self) -> String {
        format!(
            "{}: p99 {}, {}",
            self.label(),
            fmt_ms(self.p99_ms),
            per_month(self.usd())
        )
    }
    /// "exact" or "recall 0.9906, 636 late events dropped"
    pub(crate) fn correctness(&self) -> String {
        let c = &self.src.correctness;
        if c.exact {
            "exact".to_string()
        } else {
            let mut parts = Vec::new();
            if c.precision < 1.0 {
                parts.push(format!("precision {:.4}", c.precision));
            }
            if c.recall < 1.0 {
                parts.push(format!("recall {:.4}", c.recall));
            }
            parts.push(format!(
                "{} late event{} dropped",
                group(c.late_dropped),
                if c.late_dropped == 1 { "" } else { "s" }
            ));
            parts.join(", ")
        }
    }
    pub(crate) fn row(&self, budget: Option<f64>) -> EvidenceRow {
        let c = &self.src.correctness;
        EvidenceRow {
            label: self.label(),
            mode: self.mode(),
            p99_latency_ms: self.p99_ms,
            meets_freshness: self.meets,
            monthly_cost_usd: self.usd(),
            within_budget: match (budget, self.usd()) {
                (Some(b), Some(u)) => Some(u <= b),
                _ => None,
            },
            lines_of_code: self.src.complexity.lines_of_code,
            stateful_operators: self.src.complexity.stateful_operators,
            failure_modes: self.failure_modes(),
            exact: c.exact,
            precision: c.precision,
            recall: c.recall,
            late_dropped: c.late_dropped,
        }
    }
}

/// The chosen plan(s), as indices into the candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Choice {
    Single(usize),
    /// Batch for the correct view, a faster plan for the fast view.
    Lambda {
        correct: usize,
        fast: usize,
    },
    Kappa(usize),
}

impl Choice {
    pub(crate) fn parts(self) -> Vec<usize> {
        match self {
            Choice::Single(i) | Choice::Kappa(i) => vec![i],
            Choice::Lambda { correct, fast } => vec![correct, fast],
        }
    }
    /// The plan that answers within the freshness target.
    pub(crate) fn primary(self) -> usize {
        match self {
            Choice::Single(i) | Choice::Kappa(i) => i,
            Choice::Lambda { fast, .. } => fast,
        }
    }
}

/// Complexity rank: batch 0, micro-batch 1, stream and kappa 2, lambda 3.
pub(crate) fn mode_rank(m: Mode) -> u8 {
    match m {
        Mode::Batch => 0,
        Mode::MicroBatch => 1,
        Mode::Stream => 2,
    }
}

/// `Less` when `a` is the better plan of its mode (rule 5).
pub(crate) fn better(a: &Cand, b: &Cand) -> Ordering {
    match a.mode() {
        Mode::Batch => b
            .interval_ms()
            .cmp(&a.interval_ms())
            .then(b.exact().cmp(&a.exact()))
            .then(a.usd_or_inf().total_cmp(&b.usd_or_inf())),
        // Micro-batch: at equal cost the longer trigger (fewer runs); stream: the faster.
        _ => b
            .exact()
            .cmp(&a.exact())
            .then(a.usd_or_inf().total_cmp(&b.usd_or_inf()))
            .then(b.interval_ms().cmp(&a.interval_ms()))
            .then(a.p99_ms.total_cmp(&b.p99_ms)),
    }
}

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
            units::count(r.scenario.events),
            units::rate(r.scenario.mean_events_per_second),
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

/// The candidates of one report at the user's answers, and the notes
/// about how they were costed.
pub(crate) struct Advisor<'a> {
    pub(crate) a: &'a Answers,
    pub(crate) r: &'a Report,
    pub(crate) cands: Vec<Cand<'a>>,
    pub(crate) peak_ratio: f64,
    pub(crate) notes: Vec<String>,
}

impl<'a> Advisor<'a> {
    pub(crate) fn new(a: &'a Answers, r: &'a Report, mut notes: Vec<String>) -> Self {
        let (mean, peak) = (
            r.scenario.mean_events_per_second,
            r.scenario.peak_events_per_second,
        );
        let peak_ratio = if mean > 0.0 && peak.is_finite() && peak >= mean {
            peak / mean
        } else {
            1.0
        };
        let mut adv = Advisor {
            a,
            r,
            cands: Vec::new(),
            peak_ratio,
            notes: Vec::new(),
        };
        for m in &r.modes {
            if m.latency.count == 0 {
                notes.push(format!(
                    "{} emitted no timed results in the measured run; left out.",
                    m.label
                ));
                continue;
            }
            let p99 = m.latency.p99_ms;
            adv.cands.push(Cand {
                src: m,
                plan: m.plan,
                p99_ms: p99,
                cost: adv.cost(m, &m.plan, a.events_per_second),
                derived: false,
                meets: a.freshness.met_by(p99),
                acceptable: m.correctness.exact || a.late_data == LateData::None,
            });
        }
        notes.push(format!(
            "Monthly costs are at your peak of {} events/s (mean {} events/s with the scenario's \
             peak-to-mean ratio of {:.2}), from each plan's measured service time and the report's prices \
             ({}/vCPU-hour, {}/GB-hour, {} s batch start-up); latencies are as measured at {} events/s.",
            units::rate(a.events_per_second),
            units::rate(a.events_per_second / peak_ratio),
            peak_ratio,
            units::unit_price(r.cost_model.vcpu_hour_usd),
            units::unit_price(r.cost_model.gb_hour_usd),
            r.cost_model.batch_startup_seconds,
            units::rate(r.scenario.mean_events_per_second)
        ));
        notes.push(format!(
            "A plan meets the {} target when its p99 is at most {} (the step plus {:.0} %: batch adds \
             start-up and run time to its interval).",
            a.freshness.adjective(),
            units::duration_ms(a.freshness.budget_ms() * (1.0 + FRESHNESS_ALLOWANCE)),
            FRESHNESS_ALLOWANCE * 100.0
        ));
        if a.late_data != LateData::None {
            notes.push(
                "Late data arrives, so a plan that dropped late events (not exact) is not acceptable as the \
                 single answer."
                    .to_string(),
            );
        }
        let ratio = a.events_per_second / r.scenario.peak_events_per_second.max(f64::MIN_POSITIVE);
        if !(0.1..=10.0).contains(&ratio) {
            notes.push(format!(
                "Your rate is {:.0}× the measured one: costs scale from the measured service fit (more vCPUs \
                 where needed), but latencies assume that scaling keeps run times as measured.",
                ratio
            ));
        }
        for c in &adv.cands {
            if c.cost.is_none() {
                notes.push(format!(
                    "{} cannot keep up at {} events/s on any size.",
                    c.label(),
                    units::rate(a.events_per_second)
                ));
            }
        }
        notes.push(
            "Batch costs assume one DataFusion partition (the harness default), since reports do not record it."
                .to_string(),
        );
        adv.notes = notes;
        adv
    }

    /// The monthly cost of `plan` with `src`'s measured fit at a peak rate.
    pub(crate) fn cost(
        &self,
        src: &ModeReport,
        plan: &Plan,
        peak_rate: f64,
    ) -> Option<MonthlyCost> {
        let c = cost_at(
            &self.r.cost_model,
            plan,
            &src.throughput.service_fit,
            &JobConfig::default(),
            peak_rate / self.peak_ratio,
            peak_rate,
            src.resources.peak_memory_bytes as f64,
        );
        (c.usd.is_finite() && c.usd < f64::MAX / 4.0).then_some(c)
    }

    pub(crate) fn best(&self, mode: Mode, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        (0..self.cands.len())
            .filter(|&i| self.cands[i].mode() == mode && pred(&self.cands[i]))
            .min_by(|&i, &j| better(&self.cands[i], &self.cands[j]))
    }

    /// The best plan of the simplest mode that has one.
    pub(crate) fn simplest(
        &self,
        modes: &[Mode],
        pred: impl Fn(&Cand<'a>) -> bool,
    ) -> Option<usize> {
        modes.iter().find_map(|&m| self.best(m, &pred))
    }

    pub(crate) fn fastest(&self, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        (0..self.cands.len())
            .filter(|&i| pred(&self.cands[i]))
            .min_by(|&i, &j| {
                let (a, b) = (&self.cands[i], &self.cands[j]);
                a.p99_ms
                    .total_cmp(&b.p99_ms)
                    .then(a.usd_or_inf().total_cmp(&b.usd_or_inf()))
            })
    }

    pub(crate) fn cheapest(&self, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        (0..self.cands.len())
            .filter(|&i| pred(&self.cands[i]))
            .min_by(|&i, &j| {
                let (a, b) = (&self.cands[i], &self.cands[j]);
                a.usd_or_inf()
                    .total_cmp(&b.usd_or_inf())
                    .then(mode_rank(a.mode()).cmp(&mode_rank(b.mode())))
            })
    }

    /// Lambda's batch: the exact batch plan with the longest interval.
    pub(crate) fn correct_view(&self) -> Option<usize> {
        self.best(Mode::Batch, |c| c.exact() && c.feasible())
    }

    pub(crate) fn usd(&self, choice: Choice) -> f64 {
        choice
            .parts()
            .iter()
            .map(|&i| self.cands[i].usd_or_inf())
            .sum()
    }

    pub(crate) fn architecture(&self, choice: Choice) -> Architecture {
        match choice {
            Choice::Single(i) => match self.cands[i].mode() {
                Mode::Batch => Architecture::Batch,
                Mode::MicroBatch => Architecture::MicroBatch,
                Mode::Stream => Architecture::Stream,
            },
            Choice::Lambda { .. } => Architecture::Lambda,
            Choice::Kappa(_) => Architecture::Kappa,
        }
    }

    /// Rule 6: a batch schedule derived from the measured fit.
    pub(crate) fn derive_batch(&mut self) {
        let f = self.a.freshness;
        if f < Freshness::OneHour || self.cands.iter().any(|c| c.mode() == Mode::Batch && c.ok()) {
            return;
        }
        let Some(src) = (0..self.cands.len())
            .filter(|&i| {
                let c = &self.cands[i];
                c.mode() == Mode::Batch && c.acceptable && !c.derived
            })
            .min_by(|&i, &j| {
                let (a, b) = (&self.cands[i], &self.cands[j]);
                b.exact()
                    .cmp(&a.exact())
                    .then(b.interval_ms().cmp(&a.interval_ms()))
            })
        else {
            return;
        };
        let src_cand = &self.cands[src];
        let (src_report, acceptable) = (src_cand.src, src_cand.acceptable);
        let drop_late = matches!(
            src_cand.plan,
            Plan::Batch {
                drop_late: true,
                ..
            }
        );
        let startup = self.r.cost_model.batch_startup_seconds;
        // What the measured p99 had beyond interval + start-up + run time
        // (queueing, lateness): added to every estimate.
        let src_interval_s = src_cand.interval_ms() as f64 / 1000.0;
        let src_mean = self.r.scenario.mean_events_per_second;
        let excess_s = (src_cand.p99_ms / 1000.0
            - src_interval_s
            - startup
            - src_report
                .throughput
                .service_fit
                .seconds(src_mean * src_interval_s))
        .max(0.0);
        for &interval_ms in LADDER.iter().rev() {
            let plan = Plan::Batch {
                interval_ms,
                offset_ms: 0,
                drop_late,
            };
            let Some(cost) = self.cost(src_report, &plan, self.a.events_per_second) else {
                continue;
            };
            let interval_s = interval_ms as f64 / 1000.0;
            let mean = self.a.events_per_second / self.peak_ratio;
            let run_s =
                src_report.throughput.service_fit.seconds(mean * interval_s) / cost.vcpus.max(1.0);
            let p99_ms = (interval_s + startup + run_s + excess_s) * 1000.0;
            if f.met_by(p99_ms) {
                self.notes.push(format!(
                    "No measured batch plan meets {}: batch every {} is derived from the measured service fit \
                     of {} — estimated p99 = interval + {} s start-up + {} run time + {} measured excess \
                     (queueing, lateness) = {}.",
                    f.phrase(),
                    interval_words(interval_ms),
                    src_report.label,
                    startup,
                    units::duration_ms(run_s * 1000.0),
                    units::duration_ms(excess_s * 1000.0),
                    units::duration_ms(p99_ms)
                ));
                self.cands.push(Cand {
                    src: src_report,
                    plan,
                    p99_ms,
                    cost: Some(cost),
                    derived: true,
                    meets: true,
                    acceptable,
                });
                return;
            }
        }
    }

    /// The representative plan of a mode: the best that meets freshness,
    /// else the fastest acceptable one, else the fastest.
    pub(crate) fn representative(&self, mode: Mode) -> Option<usize> {
        self.best(mode, Cand::ok)
            .or_else(|| self.fastest(|c| c.mode() == mode && c.acceptable && c.feasible()))
            .or_else(|| self.fastest(|c| c.mode() == mode))
    }
}

//! The measured decision.

use super::*;

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
             (${}/vCPU-hour, ${}/GB-hour, {} s batch start-up); latencies are as measured at {} events/s.",
            fmt_rate(a.events_per_second),
            fmt_rate(a.events_per_second / peak_ratio),
            peak_ratio,
            r.cost_model.vcpu_hour_usd,
            r.cost_model.gb_hour_usd,
            r.cost_model.batch_startup_seconds,
            fmt_rate(r.scenario.mean_events_per_second)
        ));
        notes.push(format!(
            "A plan meets the {} target when its p99 is at most {} (the step plus {:.0} %: batch adds \
             start-up and run time to its interval).",
            a.freshness.adjective(),
            fmt_ms(a.freshness.budget_ms() * (1.0 + FRESHNESS_ALLOWANCE)),
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
                    fmt_rate(a.events_per_second)
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
                    fmt_ms(run_s * 1000.0),
                    fmt_ms(excess_s * 1000.0),
                    fmt_ms(p99_ms)
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

    /// Rules 5, 7 and 8: the choice before the budget.
    pub(crate) fn choose(&self, why: &mut Vec<String>) -> Option<Choice> {
        let a = self.a;
        let f = a.freshness;
        if f.seconds_matter() && a.transformation.favours_batch() {
            let fast = self
                .best(Mode::Stream, |c| c.meets && c.feasible())
                .or_else(|| self.fastest(|c| c.mode() == Mode::Stream && c.feasible()))
                .or_else(|| self.best(Mode::MicroBatch, |c| c.meets && c.feasible()));
            if let (Some(fast), Some(correct)) = (fast, self.correct_view()) {
                why.push(format!(
                    "{} needs results within {}: the seed says heavy joins and ML training are easier in batch, \
                     and that stream is the answer when seconds matter. Lambda does both — the batch pipeline \
                     does the heavy work on history and gives the correct view, the stream gives the fast view, \
                     merged at query time.",
                    capitalize(a.transformation.phrase()),
                    f.phrase()
                ));
                return Some(Choice::Lambda { correct, fast });
            }
        }
        if let Some(i) = self.simplest(&Mode::ALL, Cand::ok) {
            return Some(self.stream_rules(i, why));
        }
        if a.late_data != LateData::None {
            let fast = self.simplest(&[Mode::MicroBatch, Mode::Stream], |c| {
                c.meets && c.feasible()
            });
            if let (Some(fast), Some(correct)) = (fast, self.correct_view()) {
                let fc = &self.cands[fast];
                why.push(format!(
                    "Only plans that drop late data meet {}: {} ({}). With late data arriving that cannot be \
                     the single answer, so lambda: {} for the fast approximate view, {} (exact) for the \
                     correct historical view — the seed's split of the two.",
                    f.phrase(),
                    fc.label(),
                    fc.correctness(),
                    fc.label(),
                    self.cands[correct].label()
                ));
                return Some(Choice::Lambda { correct, fast });
            }
        }
        let (i, acceptable) = match self.fastest(|c| c.acceptable && c.feasible()) {
            Some(i) => (i, true),
            None => (self.fastest(Cand::feasible)?, false),
        };
        let out_of_reach = self.out_of_reach();
        // Late data arrives and the fastest plan of all drops it: lambda
        // keeps its speed for the fast view and adds the correct view —
        // unless the fastest exact plan is near it (one exact pipeline is
        // then the answer, not two).
        if a.late_data != LateData::None
            && let Some(fast) = self.fastest(|c| c.mode() != Mode::Batch && c.feasible())
            && !self.cands[fast].acceptable
            && self.cands[fast].p99_ms < self.cands[i].p99_ms
            && let Some(correct) = self.correct_view()
        {
            if acceptable && let Some((e, near)) = self.near_fastest(fast) {
                why.extend(self.nothing_meets(i, acceptable));
                why.extend(out_of_reach);
                why.push(near);
                return Some(self.stream_rules(e, why));
            }
            let fc = &self.cands[fast];
            why.extend(out_of_reach.clone());
            why.push(format!(
                "No measured plan meets {} at p99. The fastest, {} (p99 {}), drops late data ({}), and the \
                 fastest exact one, {}, has p99 {}: lambda keeps the fast plan for the approximate view and {} \
                 for the correct historical view.",
                f.phrase(),
                fc.label(),
                fmt_ms(fc.p99_ms),
                fc.correctness(),
                self.cands[i].label(),
                fmt_ms(self.cands[i].p99_ms),
                self.cands[correct].label()
            ));
            return Some(Choice::Lambda { correct, fast });
        }
        why.extend(self.nothing_meets(i, acceptable));
        why.extend(out_of_reach);
        Some(self.stream_rules(i, why))
    }

    fn nothing_meets(&self, i: usize, acceptable: bool) -> Option<String> {
        let f = self.a.freshness;
        let c = &self.cands[i];
        Some(format!(
            "No measured plan meets {} at p99. The fastest{} is {} with p99 {} — {} over the target; \
             it is the closest this workload gets on this machine.",
            f.phrase(),
            if acceptable { " acceptable one" } else { "" },
            c.label(),
            fmt_ms(c.p99_ms),
            fmt_ms(c.p99_ms - f.budget_ms())
        ))
    }

    /// When no plan of any mode meets freshness (whatever its output): why
    /// not, from the fastest plan. A plan that emits each result on arrival
    /// (an eager stream) has the events' own arrival delay as its latency,
    /// so nothing can be faster; otherwise its watermark or schedule is
    /// what the latency is made of.
    fn out_of_reach(&self) -> Option<String> {
        let f = self.a.freshness;
        if self.cands.iter().any(|c| c.meets && c.feasible()) {
            return None;
        }
        let c = &self.cands[self.fastest(Cand::feasible)?];
        let late = self.r.scenario.max_lateness_ms;
        Some(match c.plan {
            Plan::Stream(sc) if sc.policy != workloads::EmitPolicy::Final => format!(
                "{} is out of reach for every mode here, because of arrival delay: {}, the fastest plan, emits \
                 each result as soon as its event arrives and still has p99 {}, so the events themselves reach \
                 the pipeline that long after they happen{}. No schedule, trigger or watermark gets below that; \
                 only events that arrive sooner would.",
                capitalize(f.phrase()),
                c.label(),
                fmt_ms(c.p99_ms),
                if late > 0 {
                    format!(
                        " (in the measured scenario some arrive up to {} late)",
                        fmt_ms(late as f64)
                    )
                } else {
                    String::new()
                }
            ),
            Plan::Stream(sc) => format!(
                "{} is out of reach for every measured plan: the fastest, {}, waits for its {} watermark before \
                 it emits (p99 {}); a plan that emits on arrival would be needed, and it would still wait for the \
                 events' arrival delay.",
                capitalize(f.phrase()),
                c.label(),
                fmt_ms(sc.lateness.watermark_delay as f64),
                fmt_ms(c.p99_ms)
            ),
            _ => format!(
                "{} is out of reach for every measured plan: the fastest, {}, emits once per {} (p99 {}); only a \
                 stream emits sooner.",
                capitalize(f.phrase()),
                c.label(),
                interval_words(c.interval_ms()),
                fmt_ms(c.p99_ms)
            ),
        })
    }

    /// The latency by which the plan `exact` has delivered as many results
    /// as the plan `fast` delivers within its p99 (from `exact`'s measured
    /// latency CDF). A lossy plan's p99 covers only the results it kept; the
    /// exact plan's p99 also covers the late arrivals the lossy one dropped,
    /// whose latency is their own arrival delay. Compared like for like, the
    /// two are often the same.
    fn matched_p99(&self, exact: usize, fast: usize) -> f64 {
        let (e, f) = (&self.cands[exact], &self.cands[fast]);
        let (ne, nf) = (e.src.latency.count, f.src.latency.count);
        if e.derived || f.derived || ne == 0 || nf >= ne {
            return e.p99_ms;
        }
        let q = 0.99 * nf as f64 / ne as f64;
        e.src
            .latency
            .cdf
            .iter()
            .find(|&&(_, frac)| frac >= q - 1e-9)
            .map_or(e.p99_ms, |&(ms, _)| ms.min(e.p99_ms))
    }

    /// Issue 10: lambda is for when no single plan is both exact and near
    /// the fastest one. An exact plan is near the lossy `fast` when
    /// its like-for-like p99 ([`Self::matched_p99`]) is within
    /// [`LAMBDA_NEAR_FASTEST`] of `fast`'s — or within
    /// [`LAMBDA_NEAR_FASTEST_NEW_TEAM`] for a team with no streaming
    /// experience, since lambda doubles the pipelines to run.
    /// Returns the nearest exact plan and the reason.
    fn near_fastest(&self, fast: usize) -> Option<(usize, String)> {
        let tolerance = if self.a.team_experience == Experience::None {
            LAMBDA_NEAR_FASTEST_NEW_TEAM
        } else {
            LAMBDA_NEAR_FASTEST
        };
        let (exact, matched) = (0..self.cands.len())
            .filter(|&i| {
                let c = &self.cands[i];
                c.acceptable && c.feasible() && c.mode() != Mode::Batch
            })
            .map(|i| (i, self.matched_p99(i, fast)))
            .min_by(|x, y| x.1.total_cmp(&y.1))?;
        let (e, f) = (&self.cands[exact], &self.cands[fast]);
        if matched > f.p99_ms * (1.0 + tolerance) {
            return None;
        }
        let like_for_like = if matched < e.p99_ms {
            format!(
                " (its own p99 of {} is the late arrivals that {} drops; it delivers as many results as {} does \
                 within {})",
                fmt_ms(e.p99_ms),
                f.label(),
                f.label(),
                fmt_ms(matched)
            )
        } else {
            String::new()
        };
        Some((
            exact,
            format!(
                "{} is exact and within {:.0} % of the fastest plan, {} (p99 {}, {}){like_for_like}: one exact \
             pipeline, not lambda's two{}.",
                e.label(),
                tolerance * 100.0,
                f.label(),
                fmt_ms(f.p99_ms),
                f.correctness(),
                if self.a.team_experience == Experience::None {
                    " — and with no streaming experience on the team, a second pipeline is the last thing to add"
                } else {
                    ""
                }
            ),
        ))
    }

    /// Rule 7 once stream is the pick.
    pub(crate) fn stream_rules(&self, i: usize, why: &mut Vec<String>) -> Choice {
        let a = self.a;
        if self.cands[i].mode() != Mode::Stream {
            return Choice::Single(i);
        }
        let lambda = |why: &mut Vec<String>, text: String| match self.correct_view() {
            Some(correct) => {
                why.push(text);
                Choice::Lambda { correct, fast: i }
            }
            None => {
                why.push(format!(
                    "{text} No exact batch plan was measured for lambda's batch side, so the answer stays stream."
                ));
                Choice::Single(i)
            }
        };
        if a.transformation.favours_batch() {
            return lambda(
                why,
                format!(
                    "Only stream meets the freshness target, but {} is easier in batch (seed): lambda keeps \
                     that work in a batch pipeline (the correct view) and uses the stream for the fast view.",
                    a.transformation.phrase()
                ),
            );
        }
        if a.late_data == LateData::Heavy && a.transformation.needs_history() {
            return lambda(
                why,
                format!(
                    "A lot of late data and {} (results depend on history): a stream must hold state open for \
                     every late event and correct old results; lambda lets a batch pipeline recompute the \
                     correct historical view while the stream gives the fast approximate one (seed).",
                    a.transformation.phrase()
                ),
            );
        }
        if a.reprocessing == Reprocessing::Often {
            if a.team_experience == Experience::None {
                return lambda(
                    why,
                    "History must be reprocessed often, and the seed says reprocessing is easy in batch (rerun \
                     it) and harder in stream (replay from an offset or checkpoint). With no streaming \
                     experience on the team, kappa's replay is the wrong place to learn: lambda reprocesses \
                     by rerunning batch and keeps the stream only for the fast view."
                        .to_string(),
                );
            }
            why.push(
                "History must be reprocessed often: kappa (seed) — one stream pipeline, and reprocessing replays \
                 history through the same code from a replayable source (such as Kafka with long retention), \
                 instead of maintaining a second batch pipeline."
                    .to_string(),
            );
            return Choice::Kappa(i);
        }
        Choice::Single(i)
    }

    /// Rule 9.
    pub(crate) fn apply_budget(&self, choice: Choice) -> (Choice, Vec<String>) {
        let Some(budget) = self.a.budget_usd_per_month else {
            return (choice, Vec::new());
        };
        let cost = self.usd(choice);
        if cost <= budget {
            return (
                choice,
                vec![format!(
                    "Within your budget: {} of {} a month.",
                    fmt_usd(cost),
                    fmt_usd(budget)
                )],
            );
        }
        let team_none = self.a.team_experience == Experience::None;
        let penalty = |c: &Cand| u8::from(team_none && c.mode() == Mode::Stream);
        let parts = choice.parts();
        let alt = (0..self.cands.len())
            .filter(|i| !parts.contains(i))
            .filter(|&i| self.cands[i].ok() && self.cands[i].usd_or_inf() <= budget)
            .min_by(|&i, &j| {
                let (a, b) = (&self.cands[i], &self.cands[j]);
                penalty(a)
                    .cmp(&penalty(b))
                    .then(a.usd_or_inf().total_cmp(&b.usd_or_inf()))
                    .then(mode_rank(a.mode()).cmp(&mode_rank(b.mode())))
            });
        let what = self.describe_choice(choice);
        match alt {
            Some(i) => {
                let c = &self.cands[i];
                let new = if c.mode() == Mode::Stream
                    && self.a.reprocessing == Reprocessing::Often
                    && !team_none
                {
                    Choice::Kappa(i)
                } else {
                    Choice::Single(i)
                };
                let text = format!(
                    "Budget: {what} would cost {} a month at {} events/s, over your {} budget. {} also meets {} \
                     (p99 {}) for {} a month, so it is the answer instead.",
                    fmt_usd(cost),
                    fmt_rate(self.a.events_per_second),
                    fmt_usd(budget),
                    c.label(),
                    self.a.freshness.phrase(),
                    fmt_ms(c.p99_ms),
                    fmt_usd(c.usd_or_inf())
                );
                (new, vec![text])
            }
            None => {
                let cheapest_ok = self.cheapest(Cand::ok);
                let tail = match cheapest_ok {
                    Some(i) if !parts.contains(&i) => format!(
                        " The cheapest plan that meets {} is {} at {} a month.",
                        self.a.freshness.phrase(),
                        self.cands[i].label(),
                        fmt_usd(self.cands[i].usd_or_inf())
                    ),
                    Some(_) => " It is already the cheapest plan that meets it.".to_string(),
                    None => String::new(),
                };
                let text = format!(
                    "Over budget: {what} costs {} a month, {} more than your {} budget, and nothing that meets {} \
                     fits the budget.{tail}",
                    fmt_usd(cost),
                    fmt_usd(cost - budget),
                    fmt_usd(budget),
                    self.a.freshness.phrase()
                );
                (choice, vec![text])
            }
        }
    }

    pub(crate) fn describe_choice(&self, choice: Choice) -> String {
        match choice {
            Choice::Single(i) | Choice::Kappa(i) => self.cands[i].label(),
            Choice::Lambda { correct, fast } => {
                format!(
                    "lambda ({} + {})",
                    self.cands[correct].label(),
                    self.cands[fast].label()
                )
            }
        }
    }

    pub(crate) fn schedule(&self, choice: Choice) -> Option<String> {
        match choice {
            Choice::Single(i) => plan_schedule(&self.cands[i]),
            Choice::Lambda { correct, fast } => {
                let b = plan_schedule(&self.cands[correct]).unwrap_or_default();
                let f = &self.cands[fast];
                Some(match f.mode() {
                    Mode::MicroBatch => format!(
                        "batch {b} for the correct view + micro-batch ({}) for the fast view",
                        plan_schedule(f).unwrap_or_default()
                    ),
                    _ => format!(
                        "batch {b} for the correct view + always-on stream for the fast view"
                    ),
                })
            }
            Choice::Kappa(_) => None,
        }
    }

    pub(crate) fn decide(mut self) -> Recommendation {
        self.derive_batch();
        let mut why = Vec::new();
        let Some(first) = self.choose(&mut why) else {
            let mut notes = std::mem::take(&mut self.notes);
            notes.push(
                "No measured plan can keep up at this rate, so the measured numbers cannot decide."
                    .into(),
            );
            let mut rec = rules_only(self.a, notes);
            rec.evidence.workload = Some(self.r.workload);
            rec.evidence.rows = self
                .cands
                .iter()
                .map(|c| c.row(self.a.budget_usd_per_month))
                .collect();
            return rec;
        };
        let (choice, budget_reasons) = self.apply_budget(first);
        if choice != first {
            why.clear();
        }
        let reasons = self
            .reasons(choice, why, budget_reasons)
            .iter()
            .map(|s| capitalize(s))
            .collect();
        let what_would_change = self.what_would_change(choice, first);
        Recommendation {
            recommendation: self.architecture(choice),
            schedule: self.schedule(choice),
            reasons,
            evidence: Evidence {
                workload: Some(self.r.workload),
                events_per_second: self.a.events_per_second,
                rows: self
                    .cands
                    .iter()
                    .map(|c| c.row(self.a.budget_usd_per_month))
                    .collect(),
                notes: self.notes,
            },
            what_would_change,
        }
    }

    /// The representative plan of a mode: the best that meets freshness,
    /// else the fastest acceptable one, else the fastest.
    pub(crate) fn representative(&self, mode: Mode) -> Option<usize> {
        self.best(mode, Cand::ok)
            .or_else(|| self.fastest(|c| c.mode() == mode && c.acceptable && c.feasible()))
            .or_else(|| self.fastest(|c| c.mode() == mode))
    }

    pub(crate) fn reasons(
        &self,
        choice: Choice,
        why: Vec<String>,
        budget: Vec<String>,
    ) -> Vec<String> {
        let a = self.a;
        let f = a.freshness;
        let rate = fmt_rate(a.events_per_second);
        let mut out = Vec::new();
        let p = &self.cands[choice.primary()];

        // Headline.
        out.push(match choice {
            Choice::Single(_) => {
                let what = match p.mode() {
                    Mode::Batch => format!("Batch, {}", plan_schedule(p).unwrap_or_default()),
                    Mode::MicroBatch => format!("Micro-batch, {}", plan_schedule(p).unwrap_or_default()),
                    Mode::Stream => "Stream".to_string(),
                };
                format!(
                    "{what}: {} has a measured p99 of {} against your {} freshness target and costs {} a month \
                     at {rate} events/s.",
                    p.label(),
                    fmt_ms(p.p99_ms),
                    f.adjective(),
                    fmt_usd(p.usd_or_inf())
                )
            }
            Choice::Lambda { correct, fast } => {
                let (b, s) = (&self.cands[correct], &self.cands[fast]);
                format!(
                    "Lambda: {} for the correct historical view ({}, {} a month) plus {} for the fast view \
                     (p99 {}, {}, {} a month) — {} a month in total, and two pipelines to build and run.",
                    b.label(),
                    b.correctness(),
                    fmt_usd(b.usd_or_inf()),
                    s.label(),
                    fmt_ms(s.p99_ms),
                    s.correctness(),
                    fmt_usd(s.usd_or_inf()),
                    fmt_usd(self.usd(choice))
                )
            }
            Choice::Kappa(_) => format!(
                "Kappa: one stream pipeline, {} (p99 {} against your {} target, {} a month at {rate} events/s), \
                 with history reprocessed by replaying a retained log through the same code.",
                p.label(),
                fmt_ms(p.p99_ms),
                f.adjective(),
                fmt_usd(p.usd_or_inf())
            ),
        });

        // The measured comparison.
        let reps: Vec<String> = Mode::ALL
            .iter()
            .filter_map(|&m| self.representative(m))
            .map(|i| {
                let c = &self.cands[i];
                let verdict = if c.meets { "" } else { " (too slow)" };
                format!("{}{verdict}", c.brief())
            })
            .collect();
        out.push(format!(
            "Measured on {} and costed at your {rate} events/s: {}.",
            self.r.workload,
            reps.join("; ")
        ));

        // What the seed says about the chosen mode, against the numbers.
        match (choice, p.mode()) {
            (Choice::Single(_), Mode::Batch) => self.batch_reasons(p, &mut out),
            (Choice::Single(_), Mode::MicroBatch) => self.micro_reasons(p, &mut out),
            _ if p.mode() == Mode::Stream => self.stream_reasons(p, &mut out),
            _ => {}
        }
        out.extend(why);

        // Team.
        let arch = self.architecture(choice);
        let streamy = matches!(
            arch,
            Architecture::Stream | Architecture::Kappa | Architecture::Lambda
        );
        match a.team_experience {
            Experience::None if streamy => {
                let s = p;
                out.push(format!(
                    "Your team has no streaming experience, and {} has {} failure modes to handle ({}). The seed: \
                     batch is simpler to debug, test and operate. Budget time to learn them, or relax freshness \
                     (see below).",
                    s.label(),
                    s.failure_modes(),
                    s.src.complexity.failure_modes.join("; ")
                ));
            }
            Experience::None if arch == Architecture::MicroBatch => {
                let stream_fm = self
                    .best(Mode::Stream, |c| c.feasible())
                    .map(|i| format!(" (stream has {})", self.cands[i].failure_modes()))
                    .unwrap_or_default();
                out.push(format!(
                    "Your team has no streaming experience: micro-batch keeps batch tooling and has {} failure \
                     modes{stream_fm}; the seed names micro-batch the best balance between latency and familiar tooling.",
                    p.failure_modes()
                ));
            }
            Experience::None => out.push(
                "Your team has no streaming experience, and batch is the simplest to debug, test and operate (seed)."
                    .to_string(),
            ),
            _ => {}
        }

        // Transformation.
        let t = a.transformation;
        if t.favours_batch() && matches!(arch, Architecture::Batch | Architecture::MicroBatch) {
            out.push(format!(
                "{} is easier in batch (seed: heavy joins, ML training and complex aggregations are easier in \
                 batch).",
                capitalize(t.phrase())
            ));
        } else if !t.needs_history() && matches!(arch, Architecture::Stream | Architecture::Kappa) {
            out.push(format!(
                "{} works well in a stream (seed: simple filters, enrichments and alerts work well in streams).",
                capitalize(t.phrase())
            ));
        } else if t.needs_history() && matches!(arch, Architecture::Stream | Architecture::Kappa) {
            out.push(format!(
                "{} is stateful in a stream: {} stateful operator{}, peak state {} in the measured run.",
                capitalize(t.phrase()),
                p.src.complexity.stateful_operators,
                if p.src.complexity.stateful_operators == 1 { "" } else { "s" },
                fmt_bytes(p.src.complexity.peak_state_bytes)
            ));
        }

        // Late data.
        if a.late_data != LateData::None {
            let excluded: Vec<String> = self
                .cands
                .iter()
                .filter(|c| c.meets && !c.acceptable && c.feasible())
                .map(|c| format!("{} ({})", c.label(), c.correctness()))
                .collect();
            let lossy_lambda =
                matches!(choice, Choice::Lambda { fast, .. } if !self.cands[fast].acceptable);
            if !excluded.is_empty() && !lossy_lambda {
                out.push(format!(
                    "Late data arrives, so plans that dropped late events were not acceptable as the answer even \
                     though fast enough: {}.",
                    excluded.join("; ")
                ));
            }
            let main = match choice {
                Choice::Lambda { correct, .. } => &self.cands[correct],
                _ => p,
            };
            let late = main.src.correctness.late_events;
            if main.exact() {
                out.push(if late > 0 {
                    format!(
                        "{} is exact on the measured data: it folded in all {} late event{}.",
                        main.label(),
                        group(late),
                        if late == 1 { "" } else { "s" }
                    )
                } else {
                    format!(
                        "{} is exact on the measured data: nothing was dropped.",
                        main.label()
                    )
                });
            }
        } else if !p.exact() {
            out.push(format!(
                "You expect no late data; in the measured run (which had some) {} was not exact: {}.",
                p.label(),
                p.correctness()
            ));
        }

        // Reprocessing.
        if a.reprocessing == Reprocessing::Often || matches!(choice, Choice::Kappa(_)) {
            let per_mode: Vec<String> = Mode::ALL
                .iter()
                .filter_map(|&m| self.cands.iter().find(|c| c.mode() == m && !c.derived))
                .map(|c| {
                    format!(
                        "{} {}",
                        c.mode(),
                        fmt_ms(c.src.reprocessing.one_day_seconds * 1000.0)
                    )
                })
                .collect();
            if !per_mode.is_empty() {
                out.push(format!(
                    "Reprocessing one day of data (measured): {}. The seed: easy in batch (rerun it), harder in \
                     stream (replay from an offset or checkpoint).",
                    per_mode.join(", ")
                ));
            }
        }

        out.extend(budget);

        // The allowance, when it was needed.
        if p.meets && p.p99_ms > f.budget_ms() {
            out.push(format!(
                "The p99 of {} ({}) is {:.0} % over {} — within the {:.0} % allowance for a coarse freshness \
                 step (start-up and run time come on top of the schedule).",
                p.label(),
                fmt_ms(p.p99_ms),
                (p.p99_ms / f.budget_ms() - 1.0) * 100.0,
                f.phrase(),
                FRESHNESS_ALLOWANCE * 100.0
            ));
        }
        out
    }

    pub(crate) fn batch_reasons(&self, b: &Cand, out: &mut Vec<String>) {
        let a = self.a;
        let f = a.freshness;
        if f == Freshness::OneDay {
            out.push("The seed: if \"yesterday's data is fine,\" batch wins.".to_string());
        }
        let every = interval_words(b.interval_ms());
        let alt = self
            .cheapest(|c| c.mode() == Mode::Stream && c.ok())
            .or_else(|| self.cheapest(|c| c.mode() == Mode::Stream && c.acceptable && c.feasible()))
            .or_else(|| {
                self.cheapest(|c| c.mode() == Mode::MicroBatch && c.acceptable && c.feasible())
            });
        let Some(alt) = alt.map(|i| &self.cands[i]) else {
            out.push(format!(
                "A batch job every {every} is the simplest plan that meets {} (seed: batch is simpler to debug, \
                 test and operate).",
                f.phrase()
            ));
            return;
        };
        let (simpler, detail) = simplicity(b, alt);
        let (bu, su) = (b.usd_or_inf(), alt.usd_or_inf());
        let sufficient = format!("p99 {} for a {} target", fmt_ms(b.p99_ms), f.adjective());
        if bu <= su && simpler {
            out.push(format!(
                "The seed's rule holds here: a batch job every {every} is simpler ({detail}), cheaper ({} vs {} a \
                 month for {}, which runs 24/7) and sufficient ({sufficient}).",
                fmt_usd(bu),
                fmt_usd(su),
                alt.label()
            ));
        } else if bu <= su {
            out.push(format!(
                "A batch job every {every} is cheaper ({} vs {} a month for {}) and sufficient ({sufficient}), as \
                 the seed says; on simplicity the measured counts are mixed: {detail}.",
                fmt_usd(bu),
                fmt_usd(su),
                alt.label()
            ));
        } else {
            out.push(format!(
                "The seed says batch is cheaper because it scales to zero between runs while stream runs 24/7; \
                 at {} events/s the measurements disagree: {} costs {} a month, {} costs {}. Batch stays the \
                 answer because it meets {} and is {} ({detail}); the extra {} a month buys that simplicity.",
                fmt_rate(a.events_per_second),
                b.label(),
                fmt_usd(bu),
                alt.label(),
                fmt_usd(su),
                f.phrase(),
                if simpler { "simpler" } else { "simpler to operate by the seed's account" },
                fmt_usd(bu - su)
            ));
        }
    }

    pub(crate) fn micro_reasons(&self, m: &Cand, out: &mut Vec<String>) {
        let f = self.a.freshness;
        let mut text =
            "Micro-batch is the seed's compromise: batch tooling at near-real-time latency."
                .to_string();
        if let Some(b) = self.representative(Mode::Batch).map(|i| &self.cands[i])
            && !b.meets
        {
            text.push_str(&format!(
                " Batch cannot meet {}: its fastest acceptable plan, {}, has p99 {}.",
                f.phrase(),
                b.label(),
                fmt_ms(b.p99_ms)
            ));
        }
        if let Some(s) = self.best(Mode::Stream, Cand::ok).map(|i| &self.cands[i]) {
            text.push_str(&format!(
                " Stream ({}: p99 {}, {} a month) also meets it but has {} failure modes against {}; move to \
                 stream only when {} is not fresh enough.",
                s.label(),
                fmt_ms(s.p99_ms),
                fmt_usd(s.usd_or_inf()),
                s.failure_modes(),
                m.failure_modes(),
                fmt_ms(m.p99_ms)
            ));
        }
        out.push(text);
    }

    pub(crate) fn stream_reasons(&self, s: &Cand, out: &mut Vec<String>) {
        let f = self.a.freshness;
        let reps: Vec<&Cand> = [Mode::Batch, Mode::MicroBatch]
            .iter()
            .filter_map(|&m| self.representative(m))
            .map(|i| &self.cands[i])
            .collect();
        let slow: Vec<String> = reps
            .iter()
            .filter(|c| !c.ok())
            .map(|c| format!("{}'s best p99 is {}", c.mode(), fmt_ms(c.p99_ms)))
            .collect();
        let fast: Vec<String> = reps
            .iter()
            .filter(|c| c.ok())
            .map(|c| format!("{} ({})", c.label(), per_month(c.usd())))
            .collect();
        if fast.is_empty() {
            let lead = if f.seconds_matter() {
                "Seconds matter, so stream (seed: if \"seconds matter,\" stream)".to_string()
            } else {
                format!("Stream is the only mode that meets {}", f.phrase())
            };
            if slow.is_empty() {
                out.push(format!("{lead}."));
            } else {
                out.push(format!(
                    "{lead}: {}, over the {} target.",
                    slow.join(" and "),
                    f.adjective()
                ));
            }
        } else {
            out.push(format!(
                "Simpler modes also meet {} but cost more at {} events/s: {}; stream costs {} a month.",
                f.phrase(),
                fmt_rate(self.a.events_per_second),
                fast.join(", "),
                fmt_usd(s.usd_or_inf())
            ));
        }
        if let Some(b) = self.cheapest(|c| c.mode() == Mode::Batch && c.acceptable && c.feasible())
        {
            let b = &self.cands[b];
            if b.usd_or_inf() < s.usd_or_inf() {
                out.push(format!(
                    "Freshness has a price: stream runs 24/7 for {} a month, while {} would cost {} (seed: batch \
                     scales compute down to zero between runs).",
                    fmt_usd(s.usd_or_inf()),
                    b.label(),
                    fmt_usd(b.usd_or_inf())
                ));
            } else {
                out.push(format!(
                    "At {} events/s stream is also no dearer than batch: {} a month vs {} for {} — the seed's cost \
                     argument for batch does not hold at this rate.",
                    fmt_rate(self.a.events_per_second),
                    fmt_usd(s.usd_or_inf()),
                    fmt_usd(b.usd_or_inf()),
                    b.label()
                ));
            }
        }
    }

    pub(crate) fn what_would_change(&self, choice: Choice, before_budget: Choice) -> Vec<String> {
        let a = self.a;
        let f = a.freshness;
        let mut out = Vec::new();
        let p = &self.cands[choice.primary()];
        let cost = self.usd(choice);
        let arch = self.architecture(choice);
        let changed = |step: Freshness| {
            let answers = Answers {
                freshness: step,
                ..a.clone()
            };
            outcome(&answers, self.r)
        };

        // Looser freshness: a simpler answer (and then the simplest).
        let mut rank = arch_rank(arch);
        for step in Freshness::ALL.into_iter().filter(|s| *s > f) {
            let Some(o) = changed(step) else { continue };
            if arch_rank(o.arch) < rank && o.meets {
                rank = arch_rank(o.arch);
                let price = if (o.usd - cost).abs() < 0.005 {
                    format!("costs the same ({} a month) and is simpler", fmt_usd(o.usd))
                } else if o.usd < cost {
                    format!(
                        "costs {} a month instead of {}",
                        fmt_usd(o.usd),
                        fmt_usd(cost)
                    )
                } else {
                    format!(
                        "costs {} a month (more than {}, but simpler)",
                        fmt_usd(o.usd),
                        fmt_usd(cost)
                    )
                };
                out.push(format!(
                    "If {} freshness is acceptable, {} (p99 {}) {price}.",
                    step.adjective(),
                    o.phrase,
                    fmt_ms(o.p99_ms)
                ));
            }
        }

        // Stricter freshness: what it would take.
        for step in Freshness::ALL.into_iter().rev().filter(|s| *s < f) {
            let Some(o) = changed(step) else { break };
            if o.meets && o.arch == arch {
                continue;
            }
            if !o.meets {
                if let Some(i) = self.fastest(Cand::feasible) {
                    let c = &self.cands[i];
                    out.push(format!(
                        "If results must arrive within {}, no measured plan meets it: the fastest, {}, has p99 {}.",
                        step.phrase(),
                        c.label(),
                        fmt_ms(c.p99_ms)
                    ));
                }
                break;
            }
            let modes: Vec<Mode> = Mode::ALL
                .into_iter()
                .filter(|&m| {
                    self.best(m, |c| c.acceptable && c.feasible() && step.met_by(c.p99_ms))
                        .is_some()
                })
                .collect();
            let only = match modes.as_slice() {
                [m] => format!(", and only {m} meets it"),
                _ => String::new(),
            };
            out.push(format!(
                "If results must arrive within {}, the answer becomes {}{only} ({}: p99 {}, {} a month).",
                step.phrase(),
                o.phrase,
                o.label,
                fmt_ms(o.p99_ms),
                fmt_usd(o.usd)
            ));
            break;
        }

        // Rate: where batch and stream costs cross.
        if let Choice::Single(i) = choice
            && self.cands[i].mode() == Mode::Batch
            && let Some(s) =
                self.cheapest(|c| c.mode() == Mode::Stream && c.acceptable && c.feasible())
        {
            out.extend(self.break_even(i, s));
        }

        // Team.
        if a.team_experience == Experience::None {
            if let Choice::Lambda { .. } = choice
                && a.reprocessing == Reprocessing::Often
                && p.mode() == Mode::Stream
            {
                out.push(format!(
                    "With streaming experience on the team, kappa: {} alone ({} a month), reprocessed by replaying \
                     the log, instead of two pipelines ({} a month).",
                    p.label(),
                    fmt_usd(p.usd_or_inf()),
                    fmt_usd(cost)
                ));
            }
            if p.mode() == Mode::MicroBatch
                && let Some(s) = self.best(Mode::Stream, Cand::ok)
            {
                let s = &self.cands[s];
                out.push(format!(
                    "With streaming experience, stream ({}: p99 {}, {} a month) becomes a reasonable step when \
                     fresher results are worth {} failure modes instead of {}.",
                    s.label(),
                    fmt_ms(s.p99_ms),
                    fmt_usd(s.usd_or_inf()),
                    s.failure_modes(),
                    p.failure_modes()
                ));
            }
        }

        // Reprocessing.
        if matches!(choice, Choice::Single(_))
            && p.mode() == Mode::Stream
            && a.reprocessing == Reprocessing::Rare
        {
            out.push(format!(
                "If history must be reprocessed often, {}: replaying one day through the stream took {} in the \
                 measured run.",
                if a.team_experience == Experience::None {
                    "lambda (reprocess by rerunning batch; your team has no streaming experience)"
                } else {
                    "kappa (replay a retained log through the same pipeline)"
                },
                fmt_ms(p.src.reprocessing.one_day_seconds * 1000.0)
            ));
        }
        if let Choice::Kappa(_) = choice
            && a.team_experience != Experience::None
        {
            out.push(
                "If the team had no streaming experience, lambda instead: reprocess by rerunning batch, keep the \
                 stream only for the fast view."
                    .to_string(),
            );
        }

        // Late data.
        if a.late_data == LateData::None && !p.exact() {
            let exact = self.best(p.mode(), |c| c.exact() && c.feasible() && c.meets);
            out.push(format!(
                "If late data does arrive, {} drops it (measured: {}); {}.",
                p.label(),
                p.correctness(),
                match exact {
                    Some(i) => format!(
                        "{} is exact (p99 {})",
                        self.cands[i].label(),
                        fmt_ms(self.cands[i].p99_ms)
                    ),
                    None => "an exact answer within this freshness would take lambda".to_string(),
                }
            ));
        }
        if let Choice::Lambda { fast, .. } = choice
            && a.late_data != LateData::None
            && !self.cands[fast].acceptable
        {
            let s = &self.cands[fast];
            out.push(format!(
                "If losing late events were acceptable, {} alone would do ({} a month, one pipeline instead of two).",
                s.label(),
                fmt_usd(s.usd_or_inf())
            ));
        }

        // Budget.
        if let Some(budget) = a.budget_usd_per_month {
            if choice != before_budget {
                out.push(format!(
                    "With a budget of {} a month, {} would be the answer.",
                    fmt_usd(self.usd(before_budget)),
                    self.describe_choice(before_budget)
                ));
            } else if cost > budget {
                out.push(format!(
                    "A budget of {} a month covers this answer.",
                    fmt_usd(cost)
                ));
            }
        }
        out
    }

    /// Where the batch plan `b` and the stream plan `s` cost the same.
    pub(crate) fn break_even(&self, b: usize, s: usize) -> Option<String> {
        let (bc, sc) = (&self.cands[b], &self.cands[s]);
        let at = |c: &Cand, r: f64| {
            self.cost(c.src, &c.plan, r)
                .map_or(f64::INFINITY, |m| m.usd)
        };
        let step = 10f64.powf(1.0 / 16.0);
        let now = self.a.events_per_second;
        if at(bc, now) <= at(sc, now) {
            let mut r = now;
            while r < MAX_EVENTS_PER_SECOND {
                r *= step;
                if at(bc, r) > at(sc, r) {
                    return Some(format!(
                        "Above about {} events/s, {} would cost more than {} ({} vs {} a month there): the seed's \
                         \"batch is cheaper\" stops holding.",
                        fmt_rate(round_sig(r)),
                        bc.label(),
                        sc.label(),
                        fmt_usd(at(bc, r)),
                        fmt_usd(at(sc, r))
                    ));
                }
            }
        } else {
            let mut r = now;
            while r > 0.01 {
                r /= step;
                if at(bc, r) <= at(sc, r) {
                    return Some(format!(
                        "Below about {} events/s, {} would also be cheaper than {} ({} vs {} a month there).",
                        fmt_rate(round_sig(r)),
                        bc.label(),
                        sc.label(),
                        fmt_usd(at(bc, r)),
                        fmt_usd(at(sc, r))
                    ));
                }
            }
        }
        None
    }
}

/// The answer to other answers (for "what would change"), without reasons.
pub(crate) struct Outcome {
    pub(crate) arch: Architecture,
    /// "batch every 15 minutes", "micro-batch triggered every 30 seconds", "stream", …
    pub(crate) phrase: String,
    pub(crate) label: String,
    pub(crate) usd: f64,
    pub(crate) p99_ms: f64,
    pub(crate) meets: bool,
}

pub(crate) fn outcome(a: &Answers, r: &Report) -> Option<Outcome> {
    let mut adv = Advisor::new(a, r, Vec::new());
    adv.derive_batch();
    let first = adv.choose(&mut Vec::new())?;
    let (choice, _) = adv.apply_budget(first);
    let p = &adv.cands[choice.primary()];
    let arch = adv.architecture(choice);
    Some(Outcome {
        arch,
        phrase: match choice {
            Choice::Single(_) => mode_with_schedule(p),
            _ => arch.name().to_string(),
        },
        label: adv.describe_choice(choice),
        usd: adv.usd(choice),
        p99_ms: p.p99_ms,
        meets: p.meets,
    })
}

/// Complexity rank of an answer: batch 0, micro-batch 1, stream and kappa 2, lambda 3.
pub(crate) fn arch_rank(a: Architecture) -> u8 {
    match a {
        Architecture::Batch => 0,
        Architecture::MicroBatch => 1,
        Architecture::Stream | Architecture::Kappa => 2,
        Architecture::Lambda => 3,
    }
}

/// "every 15 minutes", "trigger every 30 seconds"; `None` for stream.
pub(crate) fn plan_schedule(c: &Cand) -> Option<String> {
    match c.plan {
        Plan::Batch {
            interval_ms,
            offset_ms,
            ..
        } => {
            let mut s = format!("every {}", interval_words(interval_ms));
            if offset_ms > 0 {
                s.push_str(&format!(
                    ", {} after each period closes",
                    interval_words(offset_ms)
                ));
            }
            if c.derived {
                s.push_str(" (derived from the measured service fit, not measured)");
            }
            Some(s)
        }
        Plan::MicroBatch { trigger_ms, .. } => {
            Some(format!("trigger every {}", interval_words(trigger_ms)))
        }
        Plan::Stream(_) => None,
    }
}

/// "batch every 15 minutes", "micro-batch triggered every 30 seconds", "stream".
pub(crate) fn mode_with_schedule(c: &Cand) -> String {
    match c.mode() {
        Mode::Batch => format!("batch {}", plan_schedule(c).unwrap_or_default()),
        Mode::MicroBatch => format!(
            "micro-batch {}",
            plan_schedule(c)
                .unwrap_or_default()
                .replace("trigger every", "triggered every")
        ),
        Mode::Stream => "stream".to_string(),
    }
}

/// Whether `a` is simpler to operate than `b` (fewer failure modes and
/// stateful operators), and the counts side by side.
pub(crate) fn simplicity(a: &Cand, b: &Cand) -> (bool, String) {
    let (ca, cb) = (&a.src.complexity, &b.src.complexity);
    let (fa, fb) = (ca.failure_modes.len(), cb.failure_modes.len());
    let (sa, sb) = (ca.stateful_operators, cb.stateful_operators);
    let simpler = fa <= fb && sa <= sb && (fa < fb || sa < sb);
    let mut detail = format!(
        "{fa} failure mode{} vs {fb}, {sa} stateful operator{} vs {sb}, {} lines of code vs {}",
        if fa == 1 { "" } else { "s" },
        if sa == 1 { "" } else { "s" },
        ca.lines_of_code,
        cb.lines_of_code
    );
    if simpler && ca.lines_of_code > cb.lines_of_code {
        detail.push_str(" — more code, but fewer things to go wrong");
    }
    (simpler, detail)
}

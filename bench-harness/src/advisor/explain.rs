//! The only place that writes English about a decision.

use super::*;

impl<'a> Advisor<'a> {
    /// The recommendation: the decision, worded. With no plan that keeps up
    /// at the user's rate, the seed's rules decide and the rows are shown.
    pub(crate) fn recommend(mut self) -> Recommendation {
        let Some(d) = self.decision() else {
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
        let (budget, why): (Vec<&Finding>, Vec<&Finding>) =
            d.findings.iter().partition(|f| f.is_budget());
        let why = why.into_iter().map(|f| self.finding(f)).collect();
        let budget = budget.into_iter().map(|f| self.finding(f)).collect();
        let mut reasons: Vec<String> = self
            .reasons(d.choice, why, budget)
            .iter()
            .map(|s| capitalize(s))
            .collect();
        reasons.extend(self.distributed(d.choice));
        let what_would_change = self
            .what_would_change(d.choice, d.before_budget)
            .iter()
            .map(|c| self.change(c))
            .collect();
        Recommendation {
            recommendation: d.architecture,
            schedule: self.schedule(d.choice),
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

    /// " Measured here: …" — the report's replay of the whole retained log
    /// through a broker, when it has one; empty otherwise.
    fn measured_replay(&self) -> String {
        let Some(b) = &self.r.broker else {
            return String::new();
        };
        format!(
            " Measured here: replaying the whole retained log ({} events) from the broker through {} took {} \
             ({} events/s), and its output was {}.",
            units::count(b.events),
            b.plan,
            units::seconds(b.replay_seconds),
            units::rate(b.replay_events_per_second()),
            if b.replay_exact {
                "exact"
            } else {
                "NOT equal to ground truth"
            }
        ) + &self.measured_recovery()
    }

    /// "At N events/s … run it on a cluster of K executors" — when the report
    /// measured scale-out and the chosen batch plan, at the user's rate,
    /// needs more executors than the measured machine has cores.
    fn distributed(&self, choice: Choice) -> Option<String> {
        let sc = self.r.scaling.as_ref()?;
        let fit = sc.fit?;
        let batch = match choice {
            Choice::Single(i) | Choice::Lambda { correct: i, .. } => &self.cands[i],
            Choice::Kappa(_) => return None,
        };
        let Plan::Batch { interval_ms, .. } = batch.plan else {
            return None;
        };
        let rate = self.a.events_per_second;
        let interval = interval_ms as f64 / 1000.0;
        let headroom = self.r.cost_model.headroom;
        let one_machine = sc.machine_cores.max(1);
        let every = crate::plan::human_duration(interval_ms);
        match fit.executors_for(rate * interval, interval, headroom) {
            Some(k) if k <= one_machine => None,
            Some(k) => Some(format!(
                "At {} events/s a batch run every {every} does not fit one {one_machine}-core machine: \
                 measured on Ballista (fixed {} a run, a serial share of {:.0}%), it needs a cluster of \
                 {k} executors of 1 vCPU, each run taking {} — run it distributed on {k} nodes.",
                units::rate(rate),
                units::seconds(fit.fixed_seconds),
                fit.serial_fraction * 100.0,
                units::seconds(fit.run_seconds(k, rate * interval)),
            )),
            None => Some(format!(
                "At {} events/s a batch run every {every} does not keep up even on {} Ballista \
                 executors (measured fixed cost {} a run, serial share {:.0}%): it needs a shorter \
                 interval or a stream plan.",
                units::rate(rate),
                crate::scaling::MAX_SIZED_EXECUTORS,
                units::seconds(fit.fixed_seconds),
                fit.serial_fraction * 100.0,
            )),
        }
    }

    /// " After a crash …" — the stream plan's measured recovery and the
    /// batch rerun it replaces, when the report measured them.
    fn measured_recovery(&self) -> String {
        let Some(r) = self.r.broker.as_ref().and_then(|b| b.recovery.as_ref()) else {
            return String::new();
        };
        let Some(s) = r.stream() else {
            return String::new();
        };
        format!(
            " After a crash {} records in, the stream plan restored its checkpoint and caught up in {} \
             (checkpoints of up to {} every {} records cost {} of throughput); a batch rerun of the whole \
             log took {}. Output after recovery: {}.",
            units::count(r.crash_at),
            units::seconds(s.recovery_seconds),
            units::bytes(s.checkpoint_bytes),
            units::count(r.checkpoint_every),
            units::percent(s.checkpoint_overhead()),
            units::seconds(r.batch_rerun_seconds),
            if s.exact {
                "exact"
            } else {
                "NOT equal to ground truth"
            }
        )
    }

    /// One sentence per finding, in the words the advisor has always used.
    pub(crate) fn finding(&self, finding: &Finding) -> String {
        let a = self.a;
        let f = a.freshness;
        let c = |i: usize| &self.cands[i];
        let no_batch_side = |text: String, lambda: bool| {
            if lambda {
                text
            } else {
                format!(
                    "{text} No exact batch plan was measured for lambda's batch side, so the answer stays stream."
                )
            }
        };
        match *finding {
            Finding::HeavyWorkNeedsSeconds => format!(
                "{} needs results within {}: the seed says heavy joins and ML training are easier in batch, \
                 and that stream is the answer when seconds matter. Lambda does both — the batch pipeline \
                 does the heavy work on history and gives the correct view, the stream gives the fast view, \
                 merged at query time.",
                capitalize(a.transformation.phrase()),
                f.phrase()
            ),
            Finding::OnlyLossyMeetFreshness { fast, correct } => format!(
                "Only plans that drop late data meet {}: {} ({}). With late data arriving that cannot be \
                 the single answer, so lambda: {} for the fast approximate view, {} (exact) for the \
                 correct historical view — the seed's split of the two.",
                f.phrase(),
                c(fast).label(),
                c(fast).correctness(),
                c(fast).label(),
                c(correct).label()
            ),
            Finding::NothingMeetsFreshness {
                closest,
                closest_p99_ms,
                acceptable,
            } => format!(
                "No measured plan meets {} at p99. The fastest{} is {} with p99 {} — {} over the target; \
                 it is the closest this workload gets on this machine.",
                f.phrase(),
                if acceptable { " acceptable one" } else { "" },
                c(closest).label(),
                units::duration_ms(closest_p99_ms),
                units::duration_ms(closest_p99_ms - f.budget_ms())
            ),
            Finding::OutOfReach {
                fastest,
                fastest_p99_ms,
                obstacle,
            } => match obstacle {
                Obstacle::ArrivalDelay { max_lateness_ms } => format!(
                    "{} is out of reach for every mode here, because of arrival delay: {}, the fastest plan, \
                     emits each result as soon as its event arrives and still has p99 {}, so the events \
                     themselves reach the pipeline that long after they happen{}. No schedule, trigger or \
                     watermark gets below that; only events that arrive sooner would.",
                    capitalize(f.phrase()),
                    c(fastest).label(),
                    units::duration_ms(fastest_p99_ms),
                    if max_lateness_ms > 0 {
                        format!(
                            " (in the measured scenario some arrive up to {} late)",
                            units::duration_ms(max_lateness_ms as f64)
                        )
                    } else {
                        String::new()
                    }
                ),
                Obstacle::Watermark { delay_ms } => format!(
                    "{} is out of reach for every measured plan: the fastest, {}, waits for its {} watermark \
                     before it emits (p99 {}); a plan that emits on arrival would be needed, and it would still \
                     wait for the events' arrival delay.",
                    capitalize(f.phrase()),
                    c(fastest).label(),
                    units::duration_ms(delay_ms as f64),
                    units::duration_ms(fastest_p99_ms)
                ),
                Obstacle::Schedule { interval_ms } => format!(
                    "{} is out of reach for every measured plan: the fastest, {}, emits once per {} (p99 {}); \
                     only a stream emits sooner.",
                    capitalize(f.phrase()),
                    c(fastest).label(),
                    interval_words(interval_ms),
                    units::duration_ms(fastest_p99_ms)
                ),
            },
            Finding::FastestDropsLateData {
                fast,
                exact,
                correct,
            } => format!(
                "No measured plan meets {} at p99. The fastest, {} (p99 {}), drops late data ({}), and the \
                 fastest exact one, {}, has p99 {}: lambda keeps the fast plan for the approximate view and {} \
                 for the correct historical view.",
                f.phrase(),
                c(fast).label(),
                units::duration_ms(c(fast).p99_ms),
                c(fast).correctness(),
                c(exact).label(),
                units::duration_ms(c(exact).p99_ms),
                c(correct).label()
            ),
            Finding::ExactNearFastest {
                exact,
                fastest,
                matched_p99_ms,
                tolerance,
            } => {
                let (e, fc) = (c(exact), c(fastest));
                let like_for_like = if matched_p99_ms < e.p99_ms {
                    format!(
                        " (its own p99 of {} is the late arrivals that {} drops; it delivers as many results \
                         within {})",
                        units::duration_ms(e.p99_ms),
                        fc.label(),
                        units::duration_ms(matched_p99_ms)
                    )
                } else {
                    String::new()
                };
                format!(
                    "{} is exact and within {:.0} % of the fastest plan, {} (p99 {}, {}){like_for_like}: one \
                     exact pipeline, not lambda's two{}.",
                    e.label(),
                    tolerance * 100.0,
                    fc.label(),
                    units::duration_ms(fc.p99_ms),
                    fc.correctness(),
                    if a.team_experience == Experience::None {
                        " — and with no streaming experience on the team, a second pipeline is the last \
                         thing to add"
                    } else {
                        ""
                    }
                )
            }
            Finding::StreamWorkEasierInBatch { lambda } => no_batch_side(
                format!(
                    "Only stream meets the freshness target, but {} is easier in batch (seed): lambda keeps \
                     that work in a batch pipeline (the correct view) and uses the stream for the fast view.",
                    a.transformation.phrase()
                ),
                lambda,
            ),
            Finding::HeavyLateDataWithHistory { lambda } => no_batch_side(
                format!(
                    "A lot of late data and {} (results depend on history): a stream must hold state open for \
                     every late event and correct old results; lambda lets a batch pipeline recompute the \
                     correct historical view while the stream gives the fast approximate one (seed).",
                    a.transformation.phrase()
                ),
                lambda,
            ),
            Finding::ReprocessOftenNewTeam { lambda } => no_batch_side(
                "History must be reprocessed often, and the seed says reprocessing is easy in batch (rerun \
                 it) and harder in stream (replay from an offset or checkpoint). With no streaming \
                 experience on the team, kappa's replay is the wrong place to learn: lambda reprocesses \
                 by rerunning batch and keeps the stream only for the fast view."
                    .to_string()
                    + &self.measured_replay(),
                lambda,
            ),
            Finding::ReprocessOftenKappa => {
                "History must be reprocessed often: kappa (seed) — one stream pipeline, and reprocessing replays \
                 history through the same code from a replayable source (such as Kafka with long retention), \
                 instead of maintaining a second batch pipeline."
                    .to_string()
                    + &self.measured_replay()
            }
            Finding::WithinBudget { usd, budget } => format!(
                "Within your budget: {} of {} a month.",
                units::usd(usd),
                units::usd(budget)
            ),
            Finding::BudgetForcedCheaperMode {
                was,
                was_usd,
                budget,
                now,
            } => format!(
                "Budget: {} would cost {} a month at {} events/s, over your {} budget. {} also meets {} \
                 (p99 {}) for {} a month, so it is the answer instead.",
                self.describe_choice(was),
                units::usd(was_usd),
                units::rate(a.events_per_second),
                units::usd(budget),
                c(now).label(),
                f.phrase(),
                units::duration_ms(c(now).p99_ms),
                units::usd(c(now).usd_or_inf())
            ),
            Finding::OverBudget {
                choice,
                usd,
                budget,
                cheapest,
            } => {
                let tail = match cheapest {
                    Some(i) if !choice.parts().contains(&i) => format!(
                        " The cheapest plan that meets {} is {} at {} a month.",
                        f.phrase(),
                        c(i).label(),
                        units::usd(c(i).usd_or_inf())
                    ),
                    Some(_) => " It is already the cheapest plan that meets it.".to_string(),
                    None => String::new(),
                };
                format!(
                    "Over budget: {} costs {} a month, {} more than your {} budget, and nothing that meets {} \
                     fits the budget.{tail}",
                    self.describe_choice(choice),
                    units::usd(usd),
                    units::usd(usd - budget),
                    units::usd(budget),
                    f.phrase()
                )
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

/// A candidate in words (the only English about a candidate).
impl Cand<'_> {
    /// "batch every 15m: p99 16 min, $2.47/month"
    pub(crate) fn brief(&self) -> String {
        format!(
            "{}: p99 {}, {}",
            self.label(),
            units::duration_ms(self.p99_ms),
            units::usd_per_month(self.usd())
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
                units::count(c.late_dropped),
                if c.late_dropped == 1 { "" } else { "s" }
            ));
            parts.join(", ")
        }
    }
}

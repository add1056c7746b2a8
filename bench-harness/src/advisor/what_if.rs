//! What would change the answer.

use super::*;

impl<'a> Advisor<'a> {
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
                    format!(
                        "costs the same ({} a month) and is simpler",
                        units::usd(o.usd)
                    )
                } else if o.usd < cost {
                    format!(
                        "costs {} a month instead of {}",
                        units::usd(o.usd),
                        units::usd(cost)
                    )
                } else {
                    format!(
                        "costs {} a month (more than {}, but simpler)",
                        units::usd(o.usd),
                        units::usd(cost)
                    )
                };
                out.push(format!(
                    "If {} freshness is acceptable, {} (p99 {}) {price}.",
                    step.adjective(),
                    o.phrase,
                    units::duration_ms(o.p99_ms)
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
                        units::duration_ms(c.p99_ms)
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
                units::duration_ms(o.p99_ms),
                units::usd(o.usd)
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
                    units::usd(p.usd_or_inf()),
                    units::usd(cost)
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
                    units::duration_ms(s.p99_ms),
                    units::usd(s.usd_or_inf()),
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
                units::duration_ms(p.src.reprocessing.one_day_seconds * 1000.0)
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
                        units::duration_ms(self.cands[i].p99_ms)
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
                units::usd(s.usd_or_inf())
            ));
        }

        // Budget.
        if let Some(budget) = a.budget_usd_per_month {
            if choice != before_budget {
                out.push(format!(
                    "With a budget of {} a month, {} would be the answer.",
                    units::usd(self.usd(before_budget)),
                    self.describe_choice(before_budget)
                ));
            } else if cost > budget {
                out.push(format!(
                    "A budget of {} a month covers this answer.",
                    units::usd(cost)
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
                        units::rate(round_sig(r)),
                        bc.label(),
                        sc.label(),
                        units::usd(at(bc, r)),
                        units::usd(at(sc, r))
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
                        units::rate(round_sig(r)),
                        bc.label(),
                        sc.label(),
                        units::usd(at(bc, r)),
                        units::usd(at(sc, r))
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

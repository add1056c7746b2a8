//! What would change the answer: other answers tried through the same
//! rules, as typed [`Change`]s (worded in `explain_changes`).

use super::*;

/// One thing that would change the answer, as a typed fact; `explain_changes`
/// words it. Indexes are into the advisor's candidates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// At a looser freshness, a simpler answer meets it.
    LooserFreshness {
        step: Freshness,
        phrase: String,
        p99_ms: f64,
        usd: f64,
        current_usd: f64,
    },
    /// At a stricter freshness no measured plan meets it; `fastest` comes
    /// closest.
    StricterUnreachable { step: Freshness, fastest: usize },
    /// At a stricter freshness the answer becomes another one.
    StricterBecomes {
        step: Freshness,
        phrase: String,
        label: String,
        p99_ms: f64,
        usd: f64,
        /// The only mode that meets it, when only one does.
        only: Option<Mode>,
    },
    /// Batch `batch` and stream `stream` cost the same near `rate`; above
    /// (`above`) or below it the cheaper one changes.
    BreakEven {
        batch: usize,
        stream: usize,
        rate: f64,
        batch_usd: f64,
        stream_usd: f64,
        above: bool,
    },
    /// With streaming experience, kappa with `primary` alone instead of two
    /// pipelines.
    KappaWithExperience { primary: usize, current_usd: f64 },
    /// With streaming experience, stream plan `stream` instead of the
    /// micro-batch `primary`.
    StreamWithExperience { stream: usize, primary: usize },
    /// Frequent reprocessing would call for lambda (new team) or kappa.
    ReprocessOften { primary: usize, new_team: bool },
    /// Without streaming experience, lambda instead of kappa.
    LambdaForNewTeam,
    /// Late data would be dropped by `primary`; `exact` is the exact plan
    /// of its mode, if one meets the freshness.
    LateDataArrives {
        primary: usize,
        exact: Option<usize>,
    },
    /// If late events could be lost, the fast side `fast` alone would do.
    LossAcceptable { fast: usize },
    /// A budget of `usd` would allow the answer chosen before the budget.
    BudgetWouldAllow { usd: f64, choice: Choice },
    /// A budget of `usd` covers this answer.
    BudgetCovers { usd: f64 },
}

impl<'a> Advisor<'a> {
    /// What would change the answer, decided (not worded).
    pub(crate) fn what_would_change(&self, choice: Choice, before_budget: Choice) -> Vec<Change> {
        let a = self.a;
        let f = a.freshness;
        let mut out = Vec::new();
        let p = &self.cands[choice.primary()];
        let primary = choice.primary();
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
                out.push(Change::LooserFreshness {
                    step,
                    phrase: o.phrase,
                    p99_ms: o.p99_ms,
                    usd: o.usd,
                    current_usd: cost,
                });
            }
        }

        // Stricter freshness: what it would take.
        for step in Freshness::ALL.into_iter().rev().filter(|s| *s < f) {
            let Some(o) = changed(step) else { break };
            if o.meets && o.arch == arch {
                continue;
            }
            if !o.meets {
                if let Some(fastest) = self.fastest(Cand::feasible) {
                    out.push(Change::StricterUnreachable { step, fastest });
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
            out.push(Change::StricterBecomes {
                step,
                phrase: o.phrase,
                label: o.label,
                p99_ms: o.p99_ms,
                usd: o.usd,
                only: match modes.as_slice() {
                    [m] => Some(*m),
                    _ => None,
                },
            });
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
                out.push(Change::KappaWithExperience {
                    primary,
                    current_usd: cost,
                });
            }
            if p.mode() == Mode::MicroBatch
                && let Some(stream) = self.best(Mode::Stream, Cand::ok)
            {
                out.push(Change::StreamWithExperience { stream, primary });
            }
        }

        // Reprocessing.
        if matches!(choice, Choice::Single(_))
            && p.mode() == Mode::Stream
            && a.reprocessing == Reprocessing::Rare
        {
            out.push(Change::ReprocessOften {
                primary,
                new_team: a.team_experience == Experience::None,
            });
        }
        if let Choice::Kappa(_) = choice
            && a.team_experience != Experience::None
        {
            out.push(Change::LambdaForNewTeam);
        }

        // Late data.
        if a.late_data == LateData::None && !p.exact() {
            out.push(Change::LateDataArrives {
                primary,
                exact: self.best(p.mode(), |c| c.exact() && c.feasible() && c.meets),
            });
        }
        if let Choice::Lambda { fast, .. } = choice
            && a.late_data != LateData::None
            && !self.cands[fast].acceptable
        {
            out.push(Change::LossAcceptable { fast });
        }

        // Budget.
        if let Some(budget) = a.budget_usd_per_month {
            if choice != before_budget {
                out.push(Change::BudgetWouldAllow {
                    usd: self.usd(before_budget),
                    choice: before_budget,
                });
            } else if cost > budget {
                out.push(Change::BudgetCovers { usd: cost });
            }
        }
        out
    }

    /// Where the batch plan `b` and the stream plan `s` cost the same.
    pub(crate) fn break_even(&self, b: usize, s: usize) -> Option<Change> {
        let (bc, sc) = (&self.cands[b], &self.cands[s]);
        let at = |c: &Cand, r: f64| {
            self.cost(c.src, &c.plan, r)
                .map_or(f64::INFINITY, |m| m.usd)
        };
        let step = 10f64.powf(1.0 / 16.0);
        let now = self.a.events_per_second;
        let found = |r: f64, above: bool| Change::BreakEven {
            batch: b,
            stream: s,
            rate: r,
            batch_usd: at(bc, r),
            stream_usd: at(sc, r),
            above,
        };
        if at(bc, now) <= at(sc, now) {
            let mut r = now;
            while r < MAX_EVENTS_PER_SECOND {
                r *= step;
                if at(bc, r) > at(sc, r) {
                    return Some(found(r, true));
                }
            }
        } else {
            let mut r = now;
            while r > 0.01 {
                r /= step;
                if at(bc, r) <= at(sc, r) {
                    return Some(found(r, false));
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

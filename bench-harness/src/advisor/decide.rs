//! The measured decision: the rules, as typed facts ([`Finding`]s). No
//! English here — [`super::explain`] words each finding.
//!
//! The rules, in the order [`Advisor::choose`] applies them (the module
//! doc of [`super`] numbers them):
//!
//! - **Heavy work, seconds matter** (rule 7): heavy joins / ML training
//!   with 1 s or 10 s freshness → lambda (batch correct view + fast view).
//! - **Simplest mode that meets freshness** (rule 5): batch → micro-batch
//!   → stream; the first with an exact-enough, affordable-at-rate plan.
//! - **Only lossy plans meet freshness** while late data arrives (rule 8)
//!   → lambda: the lossy plan as the fast view, exact batch as the correct.
//! - **Nothing meets freshness** (rule 8) → the fastest acceptable plan,
//!   with the shortfall; when no plan of any mode meets it, why
//!   ([`Finding::OutOfReach`]). If the fastest plan of all is lossy and
//!   faster: the nearest exact plan alone when it is within
//!   [`LAMBDA_NEAR_FASTEST`] of it (like for like, [`Advisor::matched_p99`];
//!   [`LAMBDA_NEAR_FASTEST_NEW_TEAM`] for a team new to streaming, since
//!   lambda doubles the pipelines), else lambda.
//! - **Stream picked** (rule 7): heavy work → lambda; heavy late data with a
//!   stateful history → lambda; reprocessing often → kappa, or lambda for a
//!   team with no streaming experience.
//! - **Budget** (rule 9): over budget → the cheapest plan within it that
//!   meets freshness (stream last for a team new to streaming), else the
//!   overrun is stated.

use super::*;

/// What stands between the fastest plan and an unreachable freshness target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Obstacle {
    /// The fastest plan emits on arrival: its latency is the events' own
    /// arrival delay. `max_lateness_ms` is the scenario's worst delay.
    ArrivalDelay { max_lateness_ms: Millis },
    /// The fastest plan waits for a watermark before emitting.
    Watermark { delay_ms: Millis },
    /// The fastest plan runs on a schedule or trigger.
    Schedule { interval_ms: Millis },
}

/// One rule's fact about the decision (plans are indices into
/// [`Advisor::cands`]). [`super::explain`] turns each into a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Finding {
    /// Heavy joins / ML training and seconds matter: lambda.
    HeavyWorkNeedsSeconds,
    /// Only plans that drop late data meet freshness: lambda with them.
    OnlyLossyMeetFreshness { fast: usize, correct: usize },
    /// No plan meets freshness; `closest` is the fastest (acceptable) one.
    NothingMeetsFreshness {
        closest: usize,
        closest_p99_ms: f64,
        acceptable: bool,
    },
    /// No plan of any mode meets freshness, and why (from `fastest`).
    OutOfReach {
        fastest: usize,
        fastest_p99_ms: f64,
        obstacle: Obstacle,
    },
    /// The fastest plan drops late data and no exact plan is near it: lambda.
    FastestDropsLateData {
        fast: usize,
        exact: usize,
        correct: usize,
    },
    /// An exact plan is near the fastest (lossy) one: it alone, not lambda.
    ExactNearFastest {
        exact: usize,
        fastest: usize,
        matched_p99_ms: f64,
        tolerance: f64,
    },
    /// Stream was the pick, but the work is easier in batch.
    StreamWorkEasierInBatch { lambda: bool },
    /// Stream was the pick, with heavy late data and a stateful history.
    HeavyLateDataWithHistory { lambda: bool },
    /// Reprocessing often, no streaming experience: lambda, not kappa.
    ReprocessOftenNewTeam { lambda: bool },
    /// Reprocessing often: kappa.
    ReprocessOftenKappa,
    /// The answer fits the budget.
    WithinBudget { usd: f64, budget: f64 },
    /// The answer before the budget did not fit; `now` does.
    BudgetForcedCheaperMode {
        was: Choice,
        was_usd: f64,
        budget: f64,
        now: usize,
    },
    /// Nothing that meets freshness fits the budget; the answer stays.
    OverBudget {
        choice: Choice,
        usd: f64,
        budget: f64,
        cheapest: Option<usize>,
    },
}

impl Finding {
    /// Budget findings come after the descriptive reasons.
    pub(crate) fn is_budget(&self) -> bool {
        matches!(
            self,
            Finding::WithinBudget { .. }
                | Finding::BudgetForcedCheaperMode { .. }
                | Finding::OverBudget { .. }
        )
    }
}

/// The measured decision: what to run and the facts of every rule that
/// shaped it (the reasons are worded from them, not while deciding).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) architecture: Architecture,
    /// The plan(s) chosen; the schedule is theirs.
    pub(crate) choice: Choice,
    /// The choice before the budget rule.
    pub(crate) before_budget: Choice,
    pub(crate) findings: Vec<Finding>,
}

impl<'a> Advisor<'a> {
    /// Derives batch schedules, then applies the rules; `None` when no
    /// measured plan can keep up at the user's rate.
    pub(crate) fn decision(&mut self) -> Option<Decision> {
        self.derive_batch();
        let mut findings = Vec::new();
        let first = self.choose(&mut findings)?;
        let (choice, budget) = self.apply_budget(first);
        if choice != first {
            findings.clear();
        }
        findings.extend(budget);
        Some(Decision {
            architecture: self.architecture(choice),
            choice,
            before_budget: first,
            findings,
        })
    }

    /// Rules 5, 7 and 8: the choice before the budget.
    pub(crate) fn choose(&self, why: &mut Vec<Finding>) -> Option<Choice> {
        let a = self.a;
        let f = a.freshness;
        if f.seconds_matter() && a.transformation.favours_batch() {
            let fast = self
                .best(Mode::Stream, |c| c.meets && c.feasible())
                .or_else(|| self.fastest(|c| c.mode() == Mode::Stream && c.feasible()))
                .or_else(|| self.best(Mode::MicroBatch, |c| c.meets && c.feasible()));
            if let (Some(fast), Some(correct)) = (fast, self.correct_view()) {
                why.push(Finding::HeavyWorkNeedsSeconds);
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
                why.push(Finding::OnlyLossyMeetFreshness { fast, correct });
                return Some(Choice::Lambda { correct, fast });
            }
        }
        let (i, acceptable) = match self.fastest(|c| c.acceptable && c.feasible()) {
            Some(i) => (i, true),
            None => (self.fastest(Cand::feasible)?, false),
        };
        let nothing = Finding::NothingMeetsFreshness {
            closest: i,
            closest_p99_ms: self.cands[i].p99_ms,
            acceptable,
        };
        let out_of_reach = self.out_of_reach();
        // Late data arrives and the fastest plan of all drops it: lambda
        // keeps its speed for the fast view and adds the correct view —
        // unless an exact plan is near it (one exact pipeline, not two).
        if a.late_data != LateData::None
            && let Some(fast) = self.fastest(|c| c.mode() != Mode::Batch && c.feasible())
            && !self.cands[fast].acceptable
            && self.cands[fast].p99_ms < self.cands[i].p99_ms
            && let Some(correct) = self.correct_view()
        {
            if acceptable && let Some(near) = self.near_fastest(fast) {
                let Finding::ExactNearFastest { exact, .. } = near else {
                    unreachable!("near_fastest returns ExactNearFastest")
                };
                why.push(nothing);
                why.extend(out_of_reach);
                why.push(near);
                return Some(self.stream_rules(exact, why));
            }
            why.extend(out_of_reach);
            why.push(Finding::FastestDropsLateData {
                fast,
                exact: i,
                correct,
            });
            return Some(Choice::Lambda { correct, fast });
        }
        why.push(nothing);
        why.extend(out_of_reach);
        Some(self.stream_rules(i, why))
    }

    /// When no plan of any mode meets freshness (whatever its output): what
    /// the fastest plan's latency is made of. A plan that emits each result
    /// on arrival (an eager stream) has the events' own arrival delay as its
    /// latency, so nothing can be faster; otherwise its watermark or its
    /// schedule. Reports carry no arrival-delay figure of their own: the
    /// eager plan's p99 is it, and the scenario's max lateness bounds it.
    fn out_of_reach(&self) -> Option<Finding> {
        if self.cands.iter().any(|c| c.meets && c.feasible()) {
            return None;
        }
        let fastest = self.fastest(Cand::feasible)?;
        let c = &self.cands[fastest];
        let obstacle = match c.plan {
            Plan::Stream(sc) if sc.policy != workloads::EmitPolicy::Final => {
                Obstacle::ArrivalDelay {
                    max_lateness_ms: self.r.scenario.max_lateness_ms,
                }
            }
            Plan::Stream(sc) => Obstacle::Watermark {
                delay_ms: sc.lateness.watermark_delay,
            },
            _ => Obstacle::Schedule {
                interval_ms: c.interval_ms(),
            },
        };
        Some(Finding::OutOfReach {
            fastest,
            fastest_p99_ms: c.p99_ms,
            obstacle,
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
    /// the fastest one. The nearest exact (non-batch) plan is near the
    /// lossy `fast` when its like-for-like p99 ([`Self::matched_p99`]) is
    /// within [`LAMBDA_NEAR_FASTEST`] of `fast`'s — or within
    /// [`LAMBDA_NEAR_FASTEST_NEW_TEAM`] for a team with no streaming
    /// experience, since lambda doubles the pipelines to run.
    fn near_fastest(&self, fast: usize) -> Option<Finding> {
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
        (matched <= self.cands[fast].p99_ms * (1.0 + tolerance)).then_some(
            Finding::ExactNearFastest {
                exact,
                fastest: fast,
                matched_p99_ms: matched,
                tolerance,
            },
        )
    }

    /// Rule 7 once stream is the pick.
    pub(crate) fn stream_rules(&self, i: usize, why: &mut Vec<Finding>) -> Choice {
        let a = self.a;
        if self.cands[i].mode() != Mode::Stream {
            return Choice::Single(i);
        }
        let correct = self.correct_view();
        let lambda = correct.is_some();
        let choice = match correct {
            Some(correct) => Choice::Lambda { correct, fast: i },
            None => Choice::Single(i),
        };
        if a.transformation.favours_batch() {
            why.push(Finding::StreamWorkEasierInBatch { lambda });
            return choice;
        }
        if a.late_data == LateData::Heavy && a.transformation.needs_history() {
            why.push(Finding::HeavyLateDataWithHistory { lambda });
            return choice;
        }
        if a.reprocessing == Reprocessing::Often {
            if a.team_experience == Experience::None {
                why.push(Finding::ReprocessOftenNewTeam { lambda });
                return choice;
            }
            why.push(Finding::ReprocessOftenKappa);
            return Choice::Kappa(i);
        }
        Choice::Single(i)
    }

    /// Rule 9.
    pub(crate) fn apply_budget(&self, choice: Choice) -> (Choice, Vec<Finding>) {
        let Some(budget) = self.a.budget_usd_per_month else {
            return (choice, Vec::new());
        };
        let cost = self.usd(choice);
        if cost <= budget {
            return (choice, vec![Finding::WithinBudget { usd: cost, budget }]);
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
        match alt {
            Some(i) => {
                let new = if self.cands[i].mode() == Mode::Stream
                    && self.a.reprocessing == Reprocessing::Often
                    && !team_none
                {
                    Choice::Kappa(i)
                } else {
                    Choice::Single(i)
                };
                let fact = Finding::BudgetForcedCheaperMode {
                    was: choice,
                    was_usd: cost,
                    budget,
                    now: i,
                };
                (new, vec![fact])
            }
            None => {
                let fact = Finding::OverBudget {
                    choice,
                    usd: cost,
                    budget,
                    cheapest: self.cheapest(Cand::ok),
                };
                (choice, vec![fact])
            }
        }
    }
}

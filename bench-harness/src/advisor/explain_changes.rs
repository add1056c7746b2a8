//! The English of "what would change the answer": one match arm per
//! [`Change`], in the words the advisor has always used. Like `explain`,
//! it decides nothing.

use super::what_if::Change;
use super::*;

impl<'a> Advisor<'a> {
    /// One sentence for a change.
    pub(crate) fn change(&self, change: &Change) -> String {
        let c = |i: usize| &self.cands[i];
        match change {
            Change::LooserFreshness {
                step,
                phrase,
                p99_ms,
                usd,
                current_usd,
            } => {
                let price = if (usd - current_usd).abs() < 0.005 {
                    format!(
                        "costs the same ({} a month) and is simpler",
                        units::usd(*usd)
                    )
                } else if usd < current_usd {
                    format!(
                        "costs {} a month instead of {}",
                        units::usd(*usd),
                        units::usd(*current_usd)
                    )
                } else {
                    format!(
                        "costs {} a month (more than {}, but simpler)",
                        units::usd(*usd),
                        units::usd(*current_usd)
                    )
                };
                format!(
                    "If {} freshness is acceptable, {phrase} (p99 {}) {price}.",
                    step.adjective(),
                    units::duration_ms(*p99_ms)
                )
            }
            Change::StricterUnreachable { step, fastest } => format!(
                "If results must arrive within {}, no measured plan meets it: the fastest, {}, has p99 {}.",
                step.phrase(),
                c(*fastest).label(),
                units::duration_ms(c(*fastest).p99_ms)
            ),
            Change::StricterBecomes {
                step,
                phrase,
                label,
                p99_ms,
                usd,
                only,
            } => {
                let only = match only {
                    Some(m) => format!(", and only {m} meets it"),
                    None => String::new(),
                };
                format!(
                    "If results must arrive within {}, the answer becomes {phrase}{only} ({label}: p99 {}, {} a month).",
                    step.phrase(),
                    units::duration_ms(*p99_ms),
                    units::usd(*usd)
                )
            }
            Change::BreakEven {
                batch,
                stream,
                rate,
                batch_usd,
                stream_usd,
                above,
            } => {
                let (b, st) = (c(*batch).label(), c(*stream).label());
                let there = format!(
                    "({} vs {} a month there)",
                    units::usd(*batch_usd),
                    units::usd(*stream_usd)
                );
                let rate = units::rate(round_sig(*rate));
                if *above {
                    format!(
                        "Above about {rate} events/s, {b} would cost more than {st} {there}: the seed's \
                         \"batch is cheaper\" stops holding."
                    )
                } else {
                    format!(
                        "Below about {rate} events/s, {b} would also be cheaper than {st} {there}."
                    )
                }
            }
            Change::KappaWithExperience {
                primary,
                current_usd,
            } => format!(
                "With streaming experience on the team, kappa: {} alone ({} a month), reprocessed by replaying \
                 the log, instead of two pipelines ({} a month).",
                c(*primary).label(),
                units::usd(c(*primary).usd_or_inf()),
                units::usd(*current_usd)
            ),
            Change::StreamWithExperience { stream, primary } => {
                let s = c(*stream);
                format!(
                    "With streaming experience, stream ({}: p99 {}, {} a month) becomes a reasonable step when \
                     fresher results are worth {} failure modes instead of {}.",
                    s.label(),
                    units::duration_ms(s.p99_ms),
                    units::usd(s.usd_or_inf()),
                    s.failure_modes(),
                    c(*primary).failure_modes()
                )
            }
            Change::ReprocessOften { primary, new_team } => format!(
                "If history must be reprocessed often, {}: replaying one day through the stream took {} in the \
                 measured run.",
                if *new_team {
                    "lambda (reprocess by rerunning batch; your team has no streaming experience)"
                } else {
                    "kappa (replay a retained log through the same pipeline)"
                },
                units::duration_ms(c(*primary).src.reprocessing.one_day_seconds * 1000.0)
            ),
            Change::LambdaForNewTeam => {
                "If the team had no streaming experience, lambda instead: reprocess by \
                 rerunning batch, keep the stream only for the fast view."
                    .to_string()
            }
            Change::LateDataArrives { primary, exact } => {
                let p = c(*primary);
                format!(
                    "If late data does arrive, {} drops it (measured: {}); {}.",
                    p.label(),
                    p.correctness(),
                    match exact {
                        Some(i) => format!(
                            "{} is exact (p99 {})",
                            c(*i).label(),
                            units::duration_ms(c(*i).p99_ms)
                        ),
                        None =>
                            "an exact answer within this freshness would take lambda".to_string(),
                    }
                )
            }
            Change::LossAcceptable { fast } => format!(
                "If losing late events were acceptable, {} alone would do ({} a month, one pipeline instead of two).",
                c(*fast).label(),
                units::usd(c(*fast).usd_or_inf())
            ),
            Change::BudgetWouldAllow { usd, choice } => format!(
                "With a budget of {} a month, {} would be the answer.",
                units::usd(*usd),
                self.describe_choice(*choice)
            ),
            Change::BudgetCovers { usd } => {
                format!(
                    "A budget of {} a month covers this answer.",
                    units::usd(*usd)
                )
            }
        }
    }
}

//! The recommendation from the seed's rules alone.

use super::*;

// ---------------------------------------------------------------------------
// Rules only
// ---------------------------------------------------------------------------

/// Rule 12: the seed's rules without measurements.
pub(crate) fn rules_only(a: &Answers, notes: Vec<String>) -> Recommendation {
    let f = a.freshness;
    let t = a.transformation;
    let startup = CostModel::default().batch_startup_seconds;
    let mut reasons = Vec::new();
    let mut wwc = Vec::new();
    let (arch, schedule) = if f.seconds_matter() {
        reasons.push(format!(
            "Results are needed within {}: the seed says stream when seconds matter (latency in milliseconds to \
             seconds; batch is minutes to hours).",
            f.phrase()
        ));
        if t.favours_batch() {
            reasons.push(format!(
                "{} is easier in batch (seed), so lambda: batch for the correct historical view, stream for the \
                 fast view, merged at query time.",
                capitalize(t.phrase())
            ));
            (
                Architecture::Lambda,
                Some(
                    "batch every 1 day for the correct view + always-on stream for the fast view"
                        .to_string(),
                ),
            )
        } else if a.late_data == LateData::Heavy && t.needs_history() {
            reasons.push(format!(
                "A lot of late data and {} (results depend on history): lambda lets batch recompute the correct \
                 view while the stream serves the fast one (seed).",
                t.phrase()
            ));
            (
                Architecture::Lambda,
                Some(
                    "batch every 1 day for the correct view + always-on stream for the fast view"
                        .to_string(),
                ),
            )
        } else if a.reprocessing == Reprocessing::Often && a.team_experience == Experience::None {
            reasons.push(
                "History must be reprocessed often and the team has no streaming experience: lambda, so that \
                 reprocessing is a batch rerun (easy, seed) and the stream only serves the fast view."
                    .to_string(),
            );
            (
                Architecture::Lambda,
                Some(
                    "batch every 1 day for the correct view + always-on stream for the fast view"
                        .to_string(),
                ),
            )
        } else if a.reprocessing == Reprocessing::Often {
            reasons.push(
                "History must be reprocessed often: kappa — one stream pipeline, replaying history through the \
                 same code from a replayable source such as Kafka with long retention (seed)."
                    .to_string(),
            );
            (Architecture::Kappa, None)
        } else {
            (Architecture::Stream, None)
        }
    } else if f == Freshness::OneMinute {
        reasons.push(
            "Results are needed within 1 minute: micro-batch, the seed's compromise — small batches every 30 \
             seconds to 5 minutes with batch tooling and near-real-time latency. A trigger every 30 seconds gives \
             results in about a minute (about two triggers)."
                .to_string(),
        );
        (
            Architecture::MicroBatch,
            Some("trigger every 30 seconds".to_string()),
        )
    } else {
        let interval = LADDER
            .iter()
            .rev()
            .copied()
            .find(|&iv| f.met_by(iv as f64 + startup * 1000.0))
            .unwrap_or(5 * MINUTE);
        let every = interval_words(interval);
        reasons.push(format!(
            "Results are needed within {}: a batch job every {every} delivers them in about {every} plus start-up \
             and run time. The seed: for many use cases a batch job that runs every 15 minutes is simpler, \
             cheaper and sufficient{}.",
            f.phrase(),
            if f == Freshness::OneDay { "; if \"yesterday's data is fine,\" batch wins" } else { "" }
        ));
        (Architecture::Batch, Some(format!("every {every}")))
    };
    if a.team_experience == Experience::None
        && !matches!(arch, Architecture::Batch | Architecture::MicroBatch)
    {
        reasons.push(
            "Your team has no streaming experience: stream processing has more failure modes (ordering, \
             exactly-once delivery, state management); budget time to learn them (seed)."
                .to_string(),
        );
    }
    if a.budget_usd_per_month.is_some() {
        reasons.push(
            "Your budget could not be checked: monthly costs need a measured report.".to_string(),
        );
    }
    reasons.push(
        "No measured numbers back this answer yet; run the reference scenarios to get latency and cost measured \
         on this machine."
            .to_string(),
    );
    match arch {
        Architecture::Batch => wwc.push(
            "If results must arrive within seconds, stream (seed: if \"seconds matter,\" stream); within a minute, \
             micro-batch."
                .to_string(),
        ),
        Architecture::MicroBatch => {
            wwc.push("If 15-minute freshness is acceptable, a batch job every 15 minutes is simpler and cheaper (seed).".to_string());
            wwc.push("If results must arrive within seconds, stream.".to_string());
        }
        _ => wwc.push(
            "If 15-minute freshness is acceptable, a batch job every 15 minutes is simpler and cheaper (seed); \
             within a minute, micro-batch."
                .to_string(),
        ),
    }
    Recommendation {
        recommendation: arch,
        schedule,
        reasons,
        evidence: Evidence {
            workload: None,
            events_per_second: a.events_per_second,
            rows: Vec::new(),
            notes,
        },
        what_would_change: wwc,
    }
}

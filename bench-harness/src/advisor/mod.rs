//! The advisor: questionnaire answers + measured [`Report`]s → a
//! recommendation (batch, micro-batch, stream, lambda or kappa), reasons in
//! plain words that quote the measurements, the evidence table, and what
//! would change the answer. Pure decision logic, no I/O and no UI: the web
//! app (`POST /api/recommend`) and the CLI share it.
//!
//! # Rules
//!
//! The rules follow the seed document (`batch-vs-stream.txt`) where the
//! measurements agree with it, and say so with both numbers where they do not.
//!
//! 1. **Evidence.** The newest report whose workload (or scenario name)
//!    matches `answers.workload`; else the reference workload closest to the
//!    transformation (filter-alert, enrichment → fraud-alerts;
//!    windowed-aggregation, heavy-join, ml-training → daily-report;
//!    sessionization → sessionization); else none, and the answer comes
//!    from the seed's rules alone (rule 12), saying so in the notes.
//! 2. **Cost at the user's rate.** Every measured plan is re-costed with
//!    [`cost_at`] from its measured service fit at the user's peak
//!    `events_per_second` (mean = peak ÷ the scenario's peak-to-mean ratio)
//!    and the report's prices. A plan that cannot keep up at that rate
//!    (infinite cost) is never a candidate. Latencies are used as measured.
//! 3. **Freshness is the primary axis.** 1s, 10s, 1m, 15m, 1h, 1d map to
//!    budgets of 1, 10, 60, 900, 3 600 and 86 400 s. A plan meets it when
//!    its measured p99 is at most the budget plus [`FRESHNESS_ALLOWANCE`]
//!    (10 %): the answer is a coarse step, and a batch every N has a p99 of
//!    about N + start-up + run time, so "batch every 15 minutes" (p99 ≈ 16
//!    min) is the 15-minute answer, as in the seed.
//! 4. **Acceptable output.** Exact output always is; a lossy plan (late
//!    events dropped, precision or recall below 1) is acceptable only when
//!    the user expects no late data.
//! 5. **Simplicity first.** Candidates meet freshness, are acceptable and
//!    can keep up. The first mode with a candidate in the order batch →
//!    micro-batch → stream wins; a more complex mode is chosen only when the
//!    simpler one cannot meet freshness (rule 9: or budget). Within batch:
//!    the longest interval (then exact, then cheapest) — that is the
//!    schedule; within micro-batch and stream: exact, then cheapest.
//! 6. **Derived batch schedules.** When no measured batch plan meets a
//!    freshness of 1 h or more, the longest interval of a ladder (5 min …
//!    1 day) whose estimated p99 (interval + start-up + fitted run time)
//!    meets it is derived from the nearest measured batch fit and labelled
//!    "derived, not measured" (the estimate adds whatever the measured plan's
//!    p99 had beyond its own interval + start-up + run time).
//! 7. **Transformation, late data, reprocessing, team.** Heavy joins and
//!    ML training are easier in batch: with seconds freshness they get
//!    lambda (batch for the correct historical view, stream for the fast
//!    view). When stream is the pick: heavy-join / ml-training → lambda;
//!    heavy late data with a stateful history (windowed aggregation,
//!    sessionization, heavy join, ML training) → lambda; reprocessing
//!    "often" → kappa (one replayable pipeline), unless the team has no
//!    streaming experience → lambda (history reprocessed by rerunning
//!    batch). A team with no streaming experience gets micro-batch before
//!    stream (the order, and budget ties) and every stream answer warns
//!    about stream's measured failure modes.
//! 8. **Only lossy plans are fast enough** (late data some/heavy) → lambda:
//!    the fast lossy plan for the fast view plus the exact batch plan for
//!    the correct view. **Nothing meets freshness** → the fastest acceptable
//!    plan, with the shortfall stated, and rule 7 applies; but with late
//!    data, if the fastest plan of all is lossy and faster, lambda as above
//!    — unless the fastest exact plan is near it (within
//!    [`LAMBDA_NEAR_FASTEST`] of its p99, compared like for like; wider for
//!    a team new to streaming), which is then the answer alone. When no
//!    plan of any mode meets freshness, the reasons say why (arrival delay,
//!    watermark or schedule of the fastest plan).
//! 9. **Budget.** If the answer's monthly cost at the user's rate exceeds
//!    the budget, the cheapest candidate within budget replaces it (stream
//!    last for a team with no streaming experience); if none fits, the
//!    answer stays and the overrun is stated with the cheapest option.
//! 10. **Reasons** quote p99 and monthly cost of each mode, state the seed's
//!     rule when the numbers support it ("a batch job every 15 minutes is
//!     simpler, cheaper and sufficient") and both numbers when they
//!     contradict it (at high rates batch can cost more than stream).
//! 11. **What would change**: a looser freshness step that a simpler mode
//!     meets (with both costs), a stricter step and what meets it, the rate
//!     where batch and stream costs cross, late data, reprocessing, team and
//!     budget.
//! 12. **Rules only** (no report): 1s/10s → stream (rule 7 applies), 1m →
//!     micro-batch triggered every 30 seconds, 15m/1h/1d → batch every
//!     15 minutes / 1 hour / 1 day.

mod answers;
mod candidates;
mod decide;
mod explain;
mod explain_changes;
mod format;
mod reasons;
mod rules_only;
#[cfg(test)]
mod tests;
mod what_if;

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::mode::{JobConfig, Mode};
use workloads::time::{DAY, HOUR, MINUTE, Millis, SECOND};

use crate::cost::{CostModel, MonthlyCost};
use crate::plan::{Plan, human_duration};
use crate::report::{ModeReport, Report};
use crate::runner::cost_at;

pub use self::answers::{
    ANSWER_FIELDS, Answers, Experience, FieldError, Freshness, LateData, Reprocessing,
    Transformation, parse_answers,
};
use self::candidates::*;
use self::decide::*;
use self::explain::*;
use self::format::*;
use self::rules_only::*;

/// A plan meets a freshness step when its p99 is within this fraction above
/// the step (the steps are coarse; batch adds start-up and run time).
pub const FRESHNESS_ALLOWANCE: f64 = 0.10;

/// Lambda is for when no single plan is both exact and near the fastest
/// one: an exact plan within this fraction above the fastest (lossy) plan's
/// p99 is the answer on its own when nothing meets freshness (issue 10).
pub const LAMBDA_NEAR_FASTEST: f64 = 0.25;

/// [`LAMBDA_NEAR_FASTEST`] for a team with no streaming experience: lambda
/// would double the pipelines they have to learn to run.
pub const LAMBDA_NEAR_FASTEST_NEW_TEAM: f64 = 0.50;

/// Highest accepted `events_per_second`.
pub const MAX_EVENTS_PER_SECOND: f64 = 10_000_000.0;

// ---------------------------------------------------------------------------
// Recommendation
// ---------------------------------------------------------------------------

/// The recommended architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    Batch,
    MicroBatch,
    Stream,
    Lambda,
    Kappa,
}

impl Architecture {
    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Batch => "batch",
            Architecture::MicroBatch => "micro-batch",
            Architecture::Stream => "stream",
            Architecture::Lambda => "lambda",
            Architecture::Kappa => "kappa",
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The advisor's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub recommendation: Architecture,
    /// "every 15 minutes" (batch), "trigger every 1 minute" (micro-batch),
    /// the batch schedule of a lambda; `None` for stream and kappa.
    pub schedule: Option<String>,
    pub reasons: Vec<String>,
    pub evidence: Evidence,
    pub what_would_change: Vec<String>,
}

/// The numbers behind the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The measured workload used, `None` when no report was available.
    pub workload: Option<WorkloadKind>,
    /// The user's peak rate, at which costs are computed.
    pub events_per_second: f64,
    pub rows: Vec<EvidenceRow>,
    pub notes: Vec<String>,
}

/// One plan of the evidence report, costed at the user's rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub label: String,
    pub mode: Mode,
    pub p99_latency_ms: f64,
    pub meets_freshness: bool,
    /// At the user's rate; `None` when the plan cannot keep up at it.
    pub monthly_cost_usd: Option<f64>,
    /// `None` without a budget or a cost.
    pub within_budget: Option<bool>,
    pub lines_of_code: usize,
    pub stateful_operators: u32,
    pub failure_modes: usize,
    pub exact: bool,
    pub precision: f64,
    pub recall: f64,
    pub late_dropped: u64,
}

/// Recommends an architecture from the answers and the measured reports.
pub fn recommend(answers: &Answers, reports: &[Report]) -> Result<Recommendation, Vec<FieldError>> {
    answers.validate()?;
    let (report, notes) = select_report(answers, reports)?;
    Ok(match report {
        Some(r) => Advisor::new(answers, r, notes).recommend(),
        None => rules_only(answers, notes),
    })
}

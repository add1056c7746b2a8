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
//!    data, if the fastest plan of all is lossy and faster, lambda as above.
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

use std::cmp::Ordering;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::mode::{JobConfig, Mode};
use workloads::time::{DAY, HOUR, MINUTE, Millis, SECOND};

use crate::cost::{CostModel, MonthlyCost};
use crate::plan::{Plan, human_duration};
use crate::report::{ModeReport, Report};
use crate::runner::cost_at;

/// A plan meets a freshness step when its p99 is within this fraction above
/// the step (the steps are coarse; batch adds start-up and run time).
pub const FRESHNESS_ALLOWANCE: f64 = 0.10;

/// Highest accepted `events_per_second`.
pub const MAX_EVENTS_PER_SECOND: f64 = 10_000_000.0;

/// Batch intervals a derived schedule may use, shortest first.
const LADDER: [Millis; 11] = [
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

// ---------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------

/// How fresh results must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Freshness {
    #[serde(rename = "1s")]
    OneSecond,
    #[serde(rename = "10s")]
    TenSeconds,
    #[serde(rename = "1m")]
    OneMinute,
    #[serde(rename = "15m")]
    FifteenMinutes,
    #[serde(rename = "1h")]
    OneHour,
    #[serde(rename = "1d")]
    OneDay,
}

impl Freshness {
    /// All steps, strictest first.
    pub const ALL: [Freshness; 6] = [
        Freshness::OneSecond,
        Freshness::TenSeconds,
        Freshness::OneMinute,
        Freshness::FifteenMinutes,
        Freshness::OneHour,
        Freshness::OneDay,
    ];

    /// The latency budget, seconds.
    pub fn budget_seconds(self) -> f64 {
        match self {
            Freshness::OneSecond => 1.0,
            Freshness::TenSeconds => 10.0,
            Freshness::OneMinute => 60.0,
            Freshness::FifteenMinutes => 900.0,
            Freshness::OneHour => 3_600.0,
            Freshness::OneDay => 86_400.0,
        }
    }

    /// The latency budget, milliseconds.
    pub fn budget_ms(self) -> f64 {
        self.budget_seconds() * 1000.0
    }

    /// The API name: `1s`, `10s`, `1m`, `15m`, `1h`, `1d`.
    pub fn code(self) -> &'static str {
        match self {
            Freshness::OneSecond => "1s",
            Freshness::TenSeconds => "10s",
            Freshness::OneMinute => "1m",
            Freshness::FifteenMinutes => "15m",
            Freshness::OneHour => "1h",
            Freshness::OneDay => "1d",
        }
    }

    /// "10 seconds", "15 minutes", …
    pub fn phrase(self) -> &'static str {
        match self {
            Freshness::OneSecond => "1 second",
            Freshness::TenSeconds => "10 seconds",
            Freshness::OneMinute => "1 minute",
            Freshness::FifteenMinutes => "15 minutes",
            Freshness::OneHour => "1 hour",
            Freshness::OneDay => "1 day",
        }
    }

    /// "10-second", "15-minute", … (before a noun).
    fn adjective(self) -> &'static str {
        match self {
            Freshness::OneSecond => "1-second",
            Freshness::TenSeconds => "10-second",
            Freshness::OneMinute => "1-minute",
            Freshness::FifteenMinutes => "15-minute",
            Freshness::OneHour => "1-hour",
            Freshness::OneDay => "1-day",
        }
    }

    /// The seed's "seconds matter".
    fn seconds_matter(self) -> bool {
        matches!(self, Freshness::OneSecond | Freshness::TenSeconds)
    }

    /// True when a p99 of `p99_ms` meets this step (with the allowance).
    pub fn met_by(self, p99_ms: f64) -> bool {
        p99_ms.is_finite() && p99_ms <= self.budget_ms() * (1.0 + FRESHNESS_ALLOWANCE)
    }
}

impl fmt::Display for Freshness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the pipeline computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transformation {
    FilterAlert,
    Enrichment,
    WindowedAggregation,
    Sessionization,
    HeavyJoin,
    MlTraining,
}

impl Transformation {
    /// The reference workload closest to this transformation.
    pub fn reference_workload(self) -> WorkloadKind {
        match self {
            Transformation::FilterAlert | Transformation::Enrichment => WorkloadKind::FraudAlerts,
            Transformation::WindowedAggregation
            | Transformation::HeavyJoin
            | Transformation::MlTraining => WorkloadKind::DailyReport,
            Transformation::Sessionization => WorkloadKind::Sessionization,
        }
    }

    /// Plain words.
    pub fn phrase(self) -> &'static str {
        match self {
            Transformation::FilterAlert => "filtering and alerting",
            Transformation::Enrichment => "enrichment",
            Transformation::WindowedAggregation => "windowed aggregation",
            Transformation::Sessionization => "sessionization",
            Transformation::HeavyJoin => "heavy joins",
            Transformation::MlTraining => "ML training on history",
        }
    }

    /// The seed: heavy joins and ML training are easier in batch.
    fn favours_batch(self) -> bool {
        matches!(self, Transformation::HeavyJoin | Transformation::MlTraining)
    }

    /// Results depend on state accumulated over time (windows, sessions,
    /// joins, training sets), so late data changes old results.
    fn needs_history(self) -> bool {
        !matches!(
            self,
            Transformation::FilterAlert | Transformation::Enrichment
        )
    }
}

/// The team's streaming experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Experience {
    None,
    Some,
    Expert,
}

/// How much data arrives late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LateData {
    None,
    Some,
    Heavy,
}

/// How often history must be reprocessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reprocessing {
    Rare,
    Often,
}

/// The questionnaire, exactly as `POST /api/recommend` takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub freshness: Freshness,
    pub transformation: Transformation,
    pub team_experience: Experience,
    #[serde(default)]
    pub budget_usd_per_month: Option<f64>,
    /// Events per second at peak.
    pub events_per_second: f64,
    pub late_data: LateData,
    pub reprocessing: Reprocessing,
    /// A reference workload name (or a stored scenario's name).
    #[serde(default)]
    pub workload: Option<String>,
}

impl Default for Answers {
    /// The questionnaire's defaults.
    fn default() -> Self {
        Answers {
            freshness: Freshness::FifteenMinutes,
            transformation: Transformation::WindowedAggregation,
            team_experience: Experience::Some,
            budget_usd_per_month: None,
            events_per_second: 1_000.0,
            late_data: LateData::Some,
            reprocessing: Reprocessing::Rare,
            workload: None,
        }
    }
}

/// The JSON field names of [`Answers`].
pub const ANSWER_FIELDS: [&str; 8] = [
    "freshness",
    "transformation",
    "team_experience",
    "budget_usd_per_month",
    "events_per_second",
    "late_data",
    "reprocessing",
    "workload",
];

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

impl Answers {
    /// Checks the numbers; every error names its field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let r = self.events_per_second;
        if !r.is_finite() {
            errors.push(FieldError::new(
                "events_per_second",
                "must be a finite number",
            ));
        } else if r <= 0.0 {
            errors.push(FieldError::new(
                "events_per_second",
                format!("must be greater than 0 (got {r})"),
            ));
        } else if r > MAX_EVENTS_PER_SECOND {
            errors.push(FieldError::new(
                "events_per_second",
                format!("must be at most 10,000,000 (got {r})"),
            ));
        }
        if let Some(b) = self.budget_usd_per_month {
            if !b.is_finite() {
                errors.push(FieldError::new(
                    "budget_usd_per_month",
                    "must be a finite number or null",
                ));
            } else if b < 0.0 {
                errors.push(FieldError::new(
                    "budget_usd_per_month",
                    format!("must be 0 or more (got {b})"),
                ));
            }
        }
        if self
            .workload
            .as_deref()
            .is_some_and(|w| w.trim().is_empty())
        {
            errors.push(FieldError::new(
                "workload",
                "must name a workload or be null",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Parses and validates a JSON body, naming the field of every problem
/// (serde's own message does not name the field of an unknown value).
pub fn parse_answers(json: &str) -> Result<Answers, Vec<FieldError>> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| vec![FieldError::new("body", format!("not valid JSON: {e}"))])?;
    let serde_json::Value::Object(map) = &value else {
        return Err(vec![FieldError::new("body", "must be a JSON object")]);
    };
    let mut errors = Vec::new();
    for key in map.keys() {
        if !ANSWER_FIELDS.contains(&key.as_str()) {
            errors.push(FieldError::new(
                key.as_str(),
                format!(
                    "unknown field (expected one of: {})",
                    ANSWER_FIELDS.join(", ")
                ),
            ));
        }
    }
    fn check<T: DeserializeOwned>(
        map: &serde_json::Map<String, serde_json::Value>,
        field: &str,
        required: bool,
        errors: &mut Vec<FieldError>,
    ) {
        match map.get(field) {
            None if required => errors.push(FieldError::new(field, "is required")),
            None => {}
            Some(v) => {
                if let Err(e) = serde_json::from_value::<T>(v.clone()) {
                    errors.push(FieldError::new(field, e.to_string()));
                }
            }
        }
    }
    check::<Freshness>(map, "freshness", true, &mut errors);
    check::<Transformation>(map, "transformation", true, &mut errors);
    check::<Experience>(map, "team_experience", true, &mut errors);
    check::<Option<f64>>(map, "budget_usd_per_month", false, &mut errors);
    check::<f64>(map, "events_per_second", true, &mut errors);
    check::<LateData>(map, "late_data", true, &mut errors);
    check::<Reprocessing>(map, "reprocessing", true, &mut errors);
    check::<Option<String>>(map, "workload", false, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let answers: Answers =
        serde_json::from_value(value).map_err(|e| vec![FieldError::new("body", e.to_string())])?;
    answers.validate()?;
    Ok(answers)
}

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
        Some(r) => Advisor::new(answers, r, notes).decide(),
        None => rules_only(answers, notes),
    })
}

/// Picks the evidence report (rule 1).
fn select_report<'r>(
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
struct Cand<'a> {
    src: &'a ModeReport,
    plan: Plan,
    p99_ms: f64,
    cost: Option<MonthlyCost>,
    derived: bool,
    meets: bool,
    acceptable: bool,
}

impl Cand<'_> {
    fn mode(&self) -> Mode {
        self.plan.mode()
    }
    fn exact(&self) -> bool {
        self.src.correctness.exact
    }
    fn usd(&self) -> Option<f64> {
        self.cost.map(|c| c.usd)
    }
    fn usd_or_inf(&self) -> f64 {
        self.usd().unwrap_or(f64::INFINITY)
    }
    fn feasible(&self) -> bool {
        self.cost.is_some()
    }
    fn ok(&self) -> bool {
        self.meets && self.acceptable && self.feasible()
    }
    fn interval_ms(&self) -> Millis {
        match self.plan {
            Plan::Batch { interval_ms, .. } => interval_ms,
            Plan::MicroBatch { trigger_ms, .. } => trigger_ms,
            Plan::Stream(_) => 0,
        }
    }
    fn label(&self) -> String {
        if self.derived {
            format!("{} (derived, not measured)", self.plan.label())
        } else {
            self.src.label.clone()
        }
    }
    fn failure_modes(&self) -> usize {
        self.src.complexity.failure_modes.len()
    }
    /// "batch every 15m: p99 16 min, $2.47/month"
    fn brief(&self) -> String {
        format!(
            "{}: p99 {}, {}",
            self.label(),
            fmt_ms(self.p99_ms),
            per_month(self.usd())
        )
    }
    /// "exact" or "recall 0.9906, 636 late events dropped"
    fn correctness(&self) -> String {
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
    fn row(&self, budget: Option<f64>) -> EvidenceRow {
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
enum Choice {
    Single(usize),
    /// Batch for the correct view, a faster plan for the fast view.
    Lambda {
        correct: usize,
        fast: usize,
    },
    Kappa(usize),
}

impl Choice {
    fn parts(self) -> Vec<usize> {
        match self {
            Choice::Single(i) | Choice::Kappa(i) => vec![i],
            Choice::Lambda { correct, fast } => vec![correct, fast],
        }
    }
    /// The plan that answers within the freshness target.
    fn primary(self) -> usize {
        match self {
            Choice::Single(i) | Choice::Kappa(i) => i,
            Choice::Lambda { fast, .. } => fast,
        }
    }
}

/// Complexity rank: batch 0, micro-batch 1, stream and kappa 2, lambda 3.
fn mode_rank(m: Mode) -> u8 {
    match m {
        Mode::Batch => 0,
        Mode::MicroBatch => 1,
        Mode::Stream => 2,
    }
}

/// `Less` when `a` is the better plan of its mode (rule 5).
fn better(a: &Cand, b: &Cand) -> Ordering {
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

struct Advisor<'a> {
    a: &'a Answers,
    r: &'a Report,
    cands: Vec<Cand<'a>>,
    peak_ratio: f64,
    notes: Vec<String>,
}

impl<'a> Advisor<'a> {
    fn new(a: &'a Answers, r: &'a Report, mut notes: Vec<String>) -> Self {
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
    fn cost(&self, src: &ModeReport, plan: &Plan, peak_rate: f64) -> Option<MonthlyCost> {
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

    fn best(&self, mode: Mode, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        (0..self.cands.len())
            .filter(|&i| self.cands[i].mode() == mode && pred(&self.cands[i]))
            .min_by(|&i, &j| better(&self.cands[i], &self.cands[j]))
    }

    /// The best plan of the simplest mode that has one.
    fn simplest(&self, modes: &[Mode], pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        modes.iter().find_map(|&m| self.best(m, &pred))
    }

    fn fastest(&self, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
        (0..self.cands.len())
            .filter(|&i| pred(&self.cands[i]))
            .min_by(|&i, &j| {
                let (a, b) = (&self.cands[i], &self.cands[j]);
                a.p99_ms
                    .total_cmp(&b.p99_ms)
                    .then(a.usd_or_inf().total_cmp(&b.usd_or_inf()))
            })
    }

    fn cheapest(&self, pred: impl Fn(&Cand<'a>) -> bool) -> Option<usize> {
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
    fn correct_view(&self) -> Option<usize> {
        self.best(Mode::Batch, |c| c.exact() && c.feasible())
    }

    fn usd(&self, choice: Choice) -> f64 {
        choice
            .parts()
            .iter()
            .map(|&i| self.cands[i].usd_or_inf())
            .sum()
    }

    fn architecture(&self, choice: Choice) -> Architecture {
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
    fn derive_batch(&mut self) {
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
    fn choose(&self, why: &mut Vec<String>) -> Option<Choice> {
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
        // Late data arrives and the fastest plan of all drops it: lambda
        // keeps its speed for the fast view and adds the correct view.
        if a.late_data != LateData::None
            && let Some(fast) = self.fastest(|c| c.mode() != Mode::Batch && c.feasible())
            && !self.cands[fast].acceptable
            && self.cands[fast].p99_ms < self.cands[i].p99_ms
            && let Some(correct) = self.correct_view()
        {
            let fc = &self.cands[fast];
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
        let c = &self.cands[i];
        why.push(format!(
            "No measured plan meets {} at p99. The fastest{} is {} with p99 {} — {} over the target; \
             it is the closest this workload gets on this machine.",
            f.phrase(),
            if acceptable { " acceptable one" } else { "" },
            c.label(),
            fmt_ms(c.p99_ms),
            fmt_ms(c.p99_ms - f.budget_ms())
        ));
        Some(self.stream_rules(i, why))
    }

    /// Rule 7 once stream is the pick.
    fn stream_rules(&self, i: usize, why: &mut Vec<String>) -> Choice {
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
    fn apply_budget(&self, choice: Choice) -> (Choice, Vec<String>) {
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

    fn describe_choice(&self, choice: Choice) -> String {
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

    fn schedule(&self, choice: Choice) -> Option<String> {
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

    fn decide(mut self) -> Recommendation {
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
    fn representative(&self, mode: Mode) -> Option<usize> {
        self.best(mode, Cand::ok)
            .or_else(|| self.fastest(|c| c.mode() == mode && c.acceptable && c.feasible()))
            .or_else(|| self.fastest(|c| c.mode() == mode))
    }

    fn reasons(&self, choice: Choice, why: Vec<String>, budget: Vec<String>) -> Vec<String> {
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

    fn batch_reasons(&self, b: &Cand, out: &mut Vec<String>) {
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

    fn micro_reasons(&self, m: &Cand, out: &mut Vec<String>) {
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

    fn stream_reasons(&self, s: &Cand, out: &mut Vec<String>) {
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

    fn what_would_change(&self, choice: Choice, before_budget: Choice) -> Vec<String> {
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
    fn break_even(&self, b: usize, s: usize) -> Option<String> {
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
struct Outcome {
    arch: Architecture,
    /// "batch every 15 minutes", "micro-batch triggered every 30 seconds", "stream", …
    phrase: String,
    label: String,
    usd: f64,
    p99_ms: f64,
    meets: bool,
}

fn outcome(a: &Answers, r: &Report) -> Option<Outcome> {
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
fn arch_rank(a: Architecture) -> u8 {
    match a {
        Architecture::Batch => 0,
        Architecture::MicroBatch => 1,
        Architecture::Stream | Architecture::Kappa => 2,
        Architecture::Lambda => 3,
    }
}

/// "every 15 minutes", "trigger every 30 seconds"; `None` for stream.
fn plan_schedule(c: &Cand) -> Option<String> {
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
fn mode_with_schedule(c: &Cand) -> String {
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
fn simplicity(a: &Cand, b: &Cand) -> (bool, String) {
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

// ---------------------------------------------------------------------------
// Rules only
// ---------------------------------------------------------------------------

/// Rule 12: the seed's rules without measurements.
fn rules_only(a: &Answers, notes: Vec<String>) -> Recommendation {
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

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/// "15 minutes", "1 hour", "30 seconds".
fn interval_words(ms: Millis) -> String {
    const UNITS: [(Millis, &str); 4] = [
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (SECOND, "second"),
    ];
    for (unit, name) in UNITS {
        if ms >= unit && ms % unit == 0 {
            let n = ms / unit;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    human_duration(ms)
}

/// "850 ms", "1.9 s", "63 s", "16 min", "24.5 h".
fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "unbounded".to_string();
    }
    let s = ms / 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 120.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 48.0 * 3600.0 {
        trim_zero(format!("{:.1} h", s / 3600.0))
    } else {
        trim_zero(format!("{:.1} d", s / 86_400.0))
    }
}

fn trim_zero(s: String) -> String {
    s.replace(".0 ", " ")
}

/// "$2.47", "$1,234.50", "$12,345".
fn fmt_usd(x: f64) -> String {
    if !x.is_finite() {
        return "unbounded".to_string();
    }
    if x >= 10_000.0 {
        format!("${}", group(x.round() as u64))
    } else {
        let cents = (x * 100.0).round() as u64;
        format!("${}.{:02}", group(cents / 100), cents % 100)
    }
}

fn per_month(x: Option<f64>) -> String {
    match x {
        Some(u) => format!("{}/month", fmt_usd(u)),
        None => "cannot keep up".to_string(),
    }
}

/// "300", "8", "2.5", "50,000".
fn fmt_rate(r: f64) -> String {
    if r >= 1000.0 {
        group(r.round() as u64)
    } else if r >= 10.0 || r == r.round() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn fmt_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

/// Thousands separators.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Two significant digits.
fn round_sig(x: f64) -> f64 {
    if x <= 0.0 {
        return x;
    }
    let mag = 10f64.powf(x.log10().floor() - 1.0);
    (x / mag).round() * mag
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::ServiceFit;
    use crate::report::{
        Complexity, Correctness, CostCurves, LatencySummary, Machine, Resources, ScenarioSummary,
        Throughput,
    };
    use crate::runner::methodology;
    use workloads::mode::{EmitPolicy, Lateness, StreamConfig};

    // --- builders -------------------------------------------------------

    fn batch(interval_ms: Millis, offset_ms: Millis, drop_late: bool) -> Plan {
        Plan::Batch {
            interval_ms,
            offset_ms,
            drop_late,
        }
    }

    fn micro(trigger_ms: Millis, delay: Millis, allowed: Option<Millis>) -> Plan {
        Plan::MicroBatch {
            trigger_ms,
            lateness: Lateness {
                watermark_delay: delay,
                allowed_lateness: allowed,
            },
        }
    }

    fn stream(policy: EmitPolicy, delay: Millis, allowed: Option<Millis>) -> Plan {
        Plan::Stream(StreamConfig {
            lateness: Lateness {
                watermark_delay: delay,
                allowed_lateness: allowed,
            },
            policy,
        })
    }

    /// One measured plan: p99 in seconds, the fitted service time, and the
    /// recall of its final output (1.0 = exact). Complexity follows the
    /// mode, like the real workloads (batch is the least complex).
    fn plan_report(
        plan: Plan,
        p99_s: f64,
        fit: (f64, f64),
        recall: f64,
        dropped: u64,
        scenario_rate: f64,
    ) -> ModeReport {
        let mode = plan.mode();
        let (loc, ops, failure_modes): (usize, u32, &[&str]) = match mode {
            Mode::Batch => (
                256,
                1,
                &["late data after the run closed", "scheduler or run failure"],
            ),
            Mode::MicroBatch => (
                180,
                2,
                &[
                    "late data",
                    "state carried between triggers",
                    "trigger overrun",
                    "checkpoint recovery",
                ],
            ),
            Mode::Stream => (
                319,
                2,
                &[
                    "out-of-order events",
                    "late data",
                    "exactly-once delivery",
                    "state management",
                    "always-on operation",
                ],
            ),
        };
        let service_fit = ServiceFit {
            fixed_seconds: fit.0,
            per_event_seconds: fit.1,
        };
        let model = CostModel::default();
        let cost = cost_at(
            &model,
            &plan,
            &service_fit,
            &JobConfig::default(),
            scenario_rate,
            scenario_rate,
            40e6,
        );
        let p99_ms = p99_s * 1000.0;
        let expected = 10_000u64;
        let matched = (expected as f64 * recall).round() as u64;
        ModeReport {
            label: plan.label(),
            mode,
            plan,
            promises_exact: plan.promises_exact(),
            latency: LatencySummary {
                count: 9_000,
                p50_ms: p99_ms * 0.5,
                p95_ms: p99_ms * 0.9,
                p99_ms,
                max_ms: p99_ms * 1.2,
                mean_ms: p99_ms * 0.5,
                flushed_at_end: 10,
                cdf: vec![(p99_ms * 0.5, 0.5), (p99_ms, 0.99), (p99_ms * 1.2, 1.0)],
            },
            throughput: Throughput {
                sustainable_events_per_second_per_core: 1.0 / fit.1,
                events_per_busy_second: 1.0 / fit.1,
                service_fit,
                units_of_work: 100,
                max_queue_delay_ms: 0.0,
                utilization: 0.05,
            },
            resources: Resources {
                busy_seconds: 12.0,
                cpu_seconds: 12.5,
                peak_memory_bytes: 40_000_000,
                peak_state_bytes: 5_000_000,
            },
            cost,
            reprocessing: crate::report::Reprocessing {
                one_day_seconds: match mode {
                    Mode::Batch => 75.0,
                    Mode::MicroBatch => 40.0,
                    Mode::Stream => 12.0,
                },
                method: "synthetic".to_string(),
                measured_full_day: false,
            },
            complexity: Complexity {
                stateful_operators: ops,
                failure_modes: failure_modes.iter().map(|s| s.to_string()).collect(),
                lines_of_code: loc,
                source_files: vec![format!("workloads/src/x/{mode}.rs")],
                peak_state_bytes: 5_000_000,
            },
            correctness: Correctness {
                expected_rows: expected,
                produced_rows: matched,
                matched_rows: matched,
                precision: 1.0,
                recall,
                exact: recall >= 1.0,
                missing_sample: Vec::new(),
                extra_sample: Vec::new(),
                late_events: 900,
                late_dropped: dropped,
                updates: 40,
                retractions: 5,
                emissions: expected + 45,
            },
        }
    }

    fn report(workload: WorkloadKind, mean: f64, peak: f64, modes: Vec<ModeReport>) -> Report {
        let model = CostModel::default();
        Report {
            schema_version: crate::report::SCHEMA_VERSION,
            weir_version: "test".to_string(),
            generated_at_unix: 1_700_000_000,
            machine: Machine {
                cores: 2,
                os: "linux".to_string(),
                arch: "x86_64".to_string(),
                cpu_model: None,
            },
            workload,
            scenario: ScenarioSummary {
                name: format!("{workload} (default)"),
                source: "generated (seed 42)".to_string(),
                events: (mean * 3600.0) as u64,
                event_time_span_ms: HOUR,
                mean_events_per_second: mean,
                peak_events_per_second: peak,
                keys: Some(20_000),
                out_of_order_events: 5_000,
                max_lateness_ms: 10 * MINUTE,
            },
            methodology: methodology(&model),
            cost_model: model,
            modes,
            cost_curves: CostCurves {
                rates: Vec::new(),
                series: Vec::new(),
                break_even: Vec::new(),
            },
            realtime_validation: None,
            charts: Vec::new(),
        }
    }

    /// Modeled on a measured fraud-alerts run: batch p99 ≈ interval + 60 s,
    /// micro-batch p99 ≈ 2 × trigger, stream eager ≈ 2 s (lossy).
    fn fraud() -> Report {
        let r = 300.0;
        report(
            WorkloadKind::FraudAlerts,
            r,
            r,
            vec![
                plan_report(batch(HOUR, 0, false), 3_665.0, (1.9, 2.1e-5), 1.0, 0, r),
                plan_report(
                    batch(15 * MINUTE, 0, false),
                    963.0,
                    (2.8, 3.12e-5),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    micro(30 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                    60.0,
                    (0.4, 1.7e-5),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    micro(10 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                    20.0,
                    (0.25, 1.35e-4),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                    1.9,
                    (0.0, 4.4e-7),
                    0.9906,
                    636,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                    5.3,
                    (0.0, 7.1e-7),
                    0.9925,
                    614,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
                    31.5,
                    (0.0, 6.6e-7),
                    1.0,
                    0,
                    r,
                ),
            ],
        )
    }

    /// Modeled on daily-report: a daily batch at 00:30 whose per-day
    /// results depend on the day's last events (p99 ≈ offset + start-up).
    fn daily() -> Report {
        let (mean, peak) = (8.0, 14.4);
        report(
            WorkloadKind::DailyReport,
            mean,
            peak,
            vec![
                plan_report(
                    batch(DAY, 30 * MINUTE, true),
                    1_862.0,
                    (1.5, 2e-5),
                    0.995,
                    40,
                    mean,
                ),
                plan_report(batch(HOUR, 0, false), 3_665.0, (1.2, 2.5e-5), 1.0, 0, mean),
                plan_report(
                    batch(15 * MINUTE, 0, false),
                    963.0,
                    (1.0, 2.5e-5),
                    1.0,
                    0,
                    mean,
                ),
                plan_report(
                    micro(MINUTE, MINUTE, Some(3 * HOUR)),
                    185.0,
                    (0.3, 2e-5),
                    1.0,
                    0,
                    mean,
                ),
                plan_report(
                    stream(EmitPolicy::Final, MINUTE, Some(HOUR)),
                    65.0,
                    (0.0, 9e-7),
                    0.999,
                    3,
                    mean,
                ),
                plan_report(
                    stream(EmitPolicy::EagerCorrect, MINUTE, Some(3 * HOUR)),
                    2.1,
                    (0.0, 1e-6),
                    1.0,
                    0,
                    mean,
                ),
            ],
        )
    }

    fn sessions() -> Report {
        let r = 100.0;
        report(
            WorkloadKind::Sessionization,
            r,
            r,
            vec![
                plan_report(batch(HOUR, 0, false), 3_670.0, (1.5, 3e-5), 1.0, 0, r),
                plan_report(batch(15 * MINUTE, 0, false), 968.0, (1.2, 3e-5), 1.0, 0, r),
                plan_report(
                    micro(MINUTE, 10 * SECOND, Some(30 * MINUTE)),
                    130.0,
                    (0.3, 2e-5),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Eager, 0, Some(5 * MINUTE)),
                    5.1,
                    (0.0, 8e-7),
                    0.97,
                    120,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Final, 10 * SECOND, Some(5 * MINUTE)),
                    15.0,
                    (0.0, 9e-7),
                    0.98,
                    90,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::EagerCorrect, 10 * SECOND, Some(30 * MINUTE)),
                    40.0,
                    (0.0, 1e-6),
                    1.0,
                    0,
                    r,
                ),
            ],
        )
    }

    fn all_reports() -> Vec<Report> {
        vec![fraud(), daily(), sessions()]
    }

    /// The quick fraud-alerts report a new user gets (`WEIR_QUICK=1`: 20
    /// minutes at 30 events/s, events up to 2 s late, 1 % up to 5 min):
    /// the eager stream (no watermark, emits on arrival) has p99 2.0 s and
    /// drops late events; eager+correct is exact at p99 2.3 s.
    fn fraud_quick() -> Report {
        let r = 30.0;
        let mut rep = report(
            WorkloadKind::FraudAlerts,
            r,
            r,
            vec![
                plan_report(batch(HOUR, 0, false), 3_640.0, (1.9, 2.1e-5), 1.0, 0, r),
                plan_report(
                    batch(15 * MINUTE, 0, false),
                    958.0,
                    (2.8, 3.12e-5),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    micro(MINUTE, 5 * SECOND, Some(15 * MINUTE)),
                    78.0,
                    (0.4, 1.7e-5),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    micro(10 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                    12.0,
                    (0.25, 1.35e-4),
                    1.0,
                    0,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                    2.0,
                    (0.0, 4.4e-7),
                    0.99,
                    31,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                    5.3,
                    (0.0, 7.1e-7),
                    0.992,
                    27,
                    r,
                ),
                plan_report(
                    stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
                    2.3,
                    (0.0, 6.6e-7),
                    1.0,
                    0,
                    r,
                ),
            ],
        );
        rep.scenario.name = "fraud-alerts (quick)".to_string();
        rep.scenario.events = 36_000;
        rep.scenario.event_time_span_ms = 20 * MINUTE;
        rep.scenario.max_lateness_ms = 5 * MINUTE;
        rep
    }

    /// The full-size fraud-alerts report (1 h at 300 events/s, 1 % of the
    /// events up to 10 min late), with the latency distributions measured
    /// by `bench-harness run --workload fraud-alerts`: eager+correct has
    /// the eager stream's latency for 98 % of its results, and its p99 of
    /// 48 s is the late arrivals that the eager stream drops.
    fn fraud_full() -> Report {
        let mut rep = fraud();
        let set = |m: &mut ModeReport, count: u64, cdf: &[(f64, f64)]| {
            m.latency.count = count;
            m.latency.p50_ms = cdf[0].0;
            m.latency.p99_ms = cdf[cdf.len() - 2].0;
            m.latency.max_ms = cdf[cdf.len() - 1].0;
            m.latency.cdf = cdf.to_vec();
        };
        let eager = rep.modes[4].label.clone();
        assert!(eager.starts_with("stream eager,"), "{eager}");
        set(
            &mut rep.modes[4],
            1_543_255,
            &[
                (1_002.0, 0.5),
                (1_903.0, 0.95),
                (1_962.0, 0.98),
                (1_982.0, 0.99),
                (596_991.0, 1.0),
            ],
        );
        set(
            &mut rep.modes[6],
            1_559_277,
            &[
                (1_012.0, 0.5),
                (1_922.0, 0.95),
                (1_982.0, 0.98),
                (47_551.0, 0.99),
                (600_063.0, 1.0),
            ],
        );
        rep
    }

    /// The new user's answers (issue 10): fraud alerts within a second, no
    /// streaming experience, $200 a month at 2,000 events/s, some late data.
    fn new_user() -> Answers {
        Answers {
            budget_usd_per_month: Some(200.0),
            late_data: LateData::Some,
            workload: Some("fraud-alerts".to_string()),
            ..answers(
                Freshness::OneSecond,
                Transformation::FilterAlert,
                Experience::None,
                2_000.0,
            )
        }
    }

    /// The seed's canonical case: real-time fraud detection within a
    /// second, an expert team, $5,000 a month at 20,000 events/s.
    fn canonical() -> Answers {
        Answers {
            budget_usd_per_month: Some(5_000.0),
            late_data: LateData::Some,
            ..answers(
                Freshness::OneSecond,
                Transformation::FilterAlert,
                Experience::Expert,
                20_000.0,
            )
        }
    }

    fn answers(
        freshness: Freshness,
        transformation: Transformation,
        team: Experience,
        rate: f64,
    ) -> Answers {
        Answers {
            freshness,
            transformation,
            team_experience: team,
            budget_usd_per_month: None,
            events_per_second: rate,
            late_data: LateData::None,
            reprocessing: Reprocessing::Rare,
            workload: None,
        }
    }

    fn text(r: &Recommendation) -> String {
        format!(
            "{}\n---\n{}",
            r.reasons.join("\n"),
            r.what_would_change.join("\n")
        )
    }

    fn row<'r>(r: &'r Recommendation, label_start: &str) -> &'r EvidenceRow {
        r.evidence
            .rows
            .iter()
            .find(|x| x.label.starts_with(label_start))
            .unwrap_or_else(|| panic!("no row {label_start}"))
    }

    // --- outcomes --------------------------------------------------------

    #[test]
    fn batch_once_a_day_when_yesterdays_data_is_fine() {
        let a = answers(
            Freshness::OneDay,
            Transformation::WindowedAggregation,
            Experience::Some,
            10.0,
        );
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
        assert_eq!(
            r.schedule.as_deref(),
            Some("every 1 day, 30 minutes after each period closes")
        );
        assert_eq!(r.evidence.workload, Some(WorkloadKind::DailyReport));
        assert!(
            text(&r).contains("yesterday's data is fine"),
            "{}",
            text(&r)
        );
        // The daily batch drops late data: with late data it is the hourly one.
        let late = Answers {
            late_data: LateData::Some,
            ..a
        };
        let r = recommend(&late, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch);
        assert_eq!(r.schedule.as_deref(), Some("every 1 hour"), "{}", text(&r));
    }

    #[test]
    fn batch_every_15_minutes_for_15_minute_freshness() {
        let a = Answers {
            late_data: LateData::Some,
            ..answers(
                Freshness::FifteenMinutes,
                Transformation::Enrichment,
                Experience::Some,
                300.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
        assert_eq!(r.schedule.as_deref(), Some("every 15 minutes"));
        let b = row(&r, "batch every 15m");
        assert!(b.meets_freshness && b.exact);
        assert!(!row(&r, "batch every 1h").meets_freshness);
        // p99 16 min is 7 % over 15 minutes: the allowance is stated.
        assert!(
            text(&r).contains("within the 10 % allowance"),
            "{}",
            text(&r)
        );
        assert!(
            text(&r).contains("The p99 of batch every 15m (16 min) is 7 % over 15 minutes"),
            "{}",
            text(&r)
        );
    }

    #[test]
    fn seed_rule_holds_at_a_low_rate_batch_is_simpler_cheaper_and_sufficient() {
        let a = Answers {
            late_data: LateData::Some,
            ..answers(
                Freshness::FifteenMinutes,
                Transformation::FilterAlert,
                Experience::Some,
                300.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch);
        let batch_usd = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
        let stream_usd = row(&r, "stream eager+correct").monthly_cost_usd.unwrap();
        assert!(batch_usd < stream_usd);
        assert_eq!(fmt_usd(batch_usd), "$2.47");
        assert_eq!(fmt_usd(stream_usd), "$9.01");
        let seed = r
            .reasons
            .iter()
            .find(|s| s.contains("The seed's rule holds here"))
            .unwrap_or_else(|| panic!("{}", text(&r)));
        for needle in [
            "simpler",
            "cheaper",
            "sufficient",
            "$2.47",
            "$9.01",
            "p99 16 min",
            "2 failure modes vs 5",
        ] {
            assert!(seed.contains(needle), "missing {needle:?} in {seed}");
        }
        // The measured comparison names both modes' p99 and cost.
        assert!(
            text(&r).contains("batch every 15m: p99 16 min, $2.47/month"),
            "{}",
            text(&r)
        );
        // And it says what tighter freshness would take.
        assert!(
            text(&r).contains("If results must arrive within 1 minute, the answer becomes micro-batch triggered every 30 seconds"),
            "{}",
            text(&r)
        );
    }

    #[test]
    fn at_a_high_rate_the_numbers_contradict_the_seed_and_say_so() {
        let a = Answers {
            late_data: LateData::Some,
            ..answers(
                Freshness::FifteenMinutes,
                Transformation::FilterAlert,
                Experience::Expert,
                20_000.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        // No budget: batch stays (simplest that meets), but the reasons
        // state both numbers where the seed's cost claim fails.
        assert_eq!(r.recommendation, Architecture::Batch);
        let b = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
        let s = row(&r, "stream eager+correct").monthly_cost_usd.unwrap();
        assert!(b > s, "batch {b} stream {s}");
        let t = text(&r);
        assert!(t.contains("the measurements disagree"), "{t}");
        assert!(t.contains(&fmt_usd(b)) && t.contains(&fmt_usd(s)), "{t}");
        assert!(t.contains("Below about"), "{t}");
    }

    #[test]
    fn micro_batch_for_a_minute_with_a_team_new_to_streaming() {
        let a = answers(
            Freshness::OneMinute,
            Transformation::Enrichment,
            Experience::None,
            300.0,
        );
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::MicroBatch, "{}", text(&r));
        assert_eq!(r.schedule.as_deref(), Some("trigger every 30 seconds"));
        let t = text(&r);
        assert!(t.contains("no streaming experience"), "{t}");
        assert!(t.contains("Batch cannot meet 1 minute"), "{t}");
        assert!(
            t.contains("If 15-minute freshness is acceptable, batch every 15 minutes"),
            "{t}"
        );
    }

    #[test]
    fn stream_when_seconds_matter() {
        let a = answers(
            Freshness::OneSecond,
            Transformation::FilterAlert,
            Experience::Expert,
            300.0,
        );
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
        assert_eq!(r.schedule, None);
        let t = text(&r);
        // The measured stream p99 (1.9 s) misses 1 s: said, with the number.
        assert!(t.contains("No measured plan meets 1 second"), "{t}");
        assert!(t.contains("p99 1.9 s"), "{t}");
        assert!(t.contains("Seconds matter, so stream"), "{t}");

        // A faster stream meets it outright.
        let mut fast = fraud();
        fast.modes[4].latency.p99_ms = 600.0;
        let r = recommend(&a, &[fast]).unwrap();
        assert_eq!(r.recommendation, Architecture::Stream);
        assert!(row(&r, "stream eager").meets_freshness);
        assert!(!text(&r).contains("No measured plan meets"), "{}", text(&r));
        assert!(text(&r).contains("work well in streams"), "{}", text(&r));
    }

    #[test]
    fn lambda_for_ml_training_within_a_second() {
        let a = answers(
            Freshness::OneSecond,
            Transformation::MlTraining,
            Experience::Expert,
            10.0,
        );
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
        assert_eq!(r.evidence.workload, Some(WorkloadKind::DailyReport));
        let s = r.schedule.as_deref().unwrap();
        assert!(
            s.starts_with("batch every 1 hour") && s.contains("stream"),
            "{s}"
        );
        assert!(text(&r).contains("easier in batch"), "{}", text(&r));
    }

    #[test]
    fn kappa_for_stream_with_frequent_reprocessing() {
        let a = Answers {
            reprocessing: Reprocessing::Often,
            ..answers(
                Freshness::TenSeconds,
                Transformation::FilterAlert,
                Experience::Expert,
                300.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Kappa, "{}", text(&r));
        let t = text(&r);
        assert!(t.contains("replay"), "{t}");
        assert!(
            t.contains("Reprocessing one day of data (measured): batch 75 s"),
            "{t}"
        );
        // Without streaming experience: lambda, reprocessing by batch rerun.
        let none = Answers {
            team_experience: Experience::None,
            ..a
        };
        let r = recommend(&none, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
        assert!(
            text(&r).contains("With streaming experience on the team, kappa"),
            "{}",
            text(&r)
        );
    }

    #[test]
    fn budget_forces_a_cheaper_option() {
        let a = Answers {
            budget_usd_per_month: Some(20.0),
            ..answers(
                Freshness::FifteenMinutes,
                Transformation::FilterAlert,
                Experience::Expert,
                50_000.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
        let b = row(&r, "batch every 15m");
        assert_eq!(b.within_budget, Some(false));
        assert!(b.monthly_cost_usd.unwrap() > 20.0);
        let t = text(&r);
        assert!(t.contains("over your $20.00 budget"), "{t}");
        assert!(t.contains("would be the answer"), "{t}");

        // Nothing fits: the answer stays and the overrun is stated.
        let tight = Answers {
            budget_usd_per_month: Some(1.0),
            events_per_second: 300.0,
            ..a
        };
        let r = recommend(&tight, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch);
        let t = text(&r);
        assert!(
            t.contains("Over budget: batch every 15m costs $2.47 a month, $1.47 more"),
            "{t}"
        );
        assert!(
            t.contains("A budget of $2.47 a month covers this answer"),
            "{t}"
        );
    }

    #[test]
    fn without_a_report_the_seed_rules_alone_decide_and_say_so() {
        let a = answers(
            Freshness::FifteenMinutes,
            Transformation::Sessionization,
            Experience::Some,
            100.0,
        );
        let r = recommend(&a, &[]).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch);
        assert_eq!(r.schedule.as_deref(), Some("every 15 minutes"));
        assert_eq!(r.evidence.workload, None);
        assert!(r.evidence.rows.is_empty());
        assert!(
            r.evidence
                .notes
                .iter()
                .any(|n| n.contains("seed's rules alone")),
            "{:?}",
            r.evidence.notes
        );
        let cases = [
            (Freshness::OneSecond, Architecture::Stream, None),
            (
                Freshness::OneMinute,
                Architecture::MicroBatch,
                Some("trigger every 30 seconds"),
            ),
            (
                Freshness::OneHour,
                Architecture::Batch,
                Some("every 1 hour"),
            ),
            (Freshness::OneDay, Architecture::Batch, Some("every 1 day")),
        ];
        for (freshness, arch, schedule) in cases {
            let r = recommend(
                &Answers {
                    freshness,
                    ..a.clone()
                },
                &[],
            )
            .unwrap();
            assert_eq!(
                (r.recommendation, r.schedule.as_deref()),
                (arch, schedule),
                "{freshness}"
            );
        }
        let ml = answers(
            Freshness::TenSeconds,
            Transformation::MlTraining,
            Experience::Some,
            100.0,
        );
        assert_eq!(
            recommend(&ml, &[]).unwrap().recommendation,
            Architecture::Lambda
        );
    }

    #[test]
    fn lossy_plans_are_not_the_answer_under_heavy_late_data() {
        let a = Answers {
            late_data: LateData::Heavy,
            ..answers(
                Freshness::TenSeconds,
                Transformation::FilterAlert,
                Experience::Expert,
                300.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        // Only the lossy streams are fast enough: lambda, with the exact
        // batch as the correct view.
        assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
        let eager = row(&r, "stream eager,");
        assert!(eager.meets_freshness && !eager.exact && eager.late_dropped == 636);
        let t = text(&r);
        assert!(
            t.contains("Only plans that drop late data meet 10 seconds"),
            "{t}"
        );
        assert!(t.contains("recall 0.9906, 636 late events dropped"), "{t}");
        assert!(t.contains("If losing late events were acceptable"), "{t}");
        // Without late data the same lossy stream is the answer.
        let r = recommend(
            &Answers {
                late_data: LateData::None,
                ..a
            },
            &all_reports(),
        )
        .unwrap();
        assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
        assert!(
            text(&r).contains("If late data does arrive"),
            "{}",
            text(&r)
        );
    }

    #[test]
    fn heavy_late_data_with_history_turns_stream_into_lambda() {
        let a = Answers {
            late_data: LateData::Heavy,
            ..answers(
                Freshness::OneMinute,
                Transformation::Sessionization,
                Experience::Expert,
                100.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
        assert!(text(&r).contains("hold state open"), "{}", text(&r));
        // The lossy eager stream met 1 minute but was excluded.
        assert!(
            text(&r).contains("not acceptable as the answer"),
            "{}",
            text(&r)
        );
    }

    #[test]
    fn a_derived_batch_schedule_when_no_measured_batch_is_fresh_enough() {
        let mut s = sessions();
        s.modes.remove(1); // no 15-minute batch
        s.modes[0].latency.p99_ms = 75.0 * 60_000.0; // the hourly batch queues: p99 75 min
        let a = answers(
            Freshness::OneHour,
            Transformation::Sessionization,
            Experience::Some,
            100.0,
        );
        let r = recommend(&a, &[s]).unwrap();
        assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
        let sched = r.schedule.as_deref().unwrap();
        assert!(
            sched.starts_with("every 30 minutes") && sched.contains("derived"),
            "{sched}"
        );
        assert!(
            r.evidence
                .rows
                .iter()
                .any(|x| x.label.contains("derived, not measured"))
        );
        assert!(
            r.evidence
                .notes
                .iter()
                .any(|n| n.contains("is derived from the measured service fit"))
        );
    }

    #[test]
    #[ignore = "issue 10: lambda is chosen although an exact stream is close to the fastest plan"]
    fn an_exact_stream_near_the_fastest_plan_beats_lambda_when_nothing_meets_freshness() {
        // The new user: no plan meets 1 s; stream eager+correct is exact at
        // p99 2.3 s, the lossy eager stream has 2.0 s. One exact stream,
        // not two pipelines.
        let r = recommend(&new_user(), &[fraud_quick()]).unwrap();
        assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
        assert_eq!(r.schedule, None);
        assert!(
            r.reasons[0].starts_with("Stream: stream eager+correct"),
            "{}",
            text(&r)
        );
        // It says that 1 s is out of reach for every mode, and why.
        let t = text(&r);
        assert!(t.contains("out of reach for every mode"), "{t}");
        assert!(t.contains("arrive"), "{t}");

        // The seed's canonical case answers stream with measured reports
        // too, as it does from the rules alone.
        assert_eq!(
            recommend(&canonical(), &[]).unwrap().recommendation,
            Architecture::Stream
        );
        for rep in [fraud_quick(), fraud_full()] {
            let r = recommend(&canonical(), &[rep]).unwrap();
            assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
            assert!(
                r.reasons[0].starts_with("Stream: stream eager+correct"),
                "{}",
                text(&r)
            );
        }
    }

    // --- evidence -------------------------------------------------------

    #[test]
    fn evidence_costs_are_at_the_users_rate_not_the_scenarios() {
        let a = answers(
            Freshness::FifteenMinutes,
            Transformation::FilterAlert,
            Experience::Some,
            20_000.0,
        );
        let reports = all_reports();
        let r = recommend(&a, &reports).unwrap();
        let m = &reports[0].modes[1];
        let want = cost_at(
            &reports[0].cost_model,
            &m.plan,
            &m.throughput.service_fit,
            &JobConfig::default(),
            20_000.0,
            20_000.0,
            m.resources.peak_memory_bytes as f64,
        )
        .usd;
        let got = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        assert!(
            (got - m.cost.usd).abs() > 1.0,
            "must not be the scenario's cost"
        );
        assert_eq!(r.evidence.events_per_second, 20_000.0);
        assert_eq!(r.evidence.rows.len(), reports[0].modes.len());

        // Daily report: the peak rate is divided by its 1.8 peak-to-mean ratio.
        let d = answers(
            Freshness::OneDay,
            Transformation::HeavyJoin,
            Experience::Some,
            18.0,
        );
        let r = recommend(&d, &reports).unwrap();
        let m = &reports[1].modes[1];
        let want = cost_at(
            &reports[1].cost_model,
            &m.plan,
            &m.throughput.service_fit,
            &JobConfig::default(),
            10.0,
            18.0,
            m.resources.peak_memory_bytes as f64,
        )
        .usd;
        assert!((row(&r, "batch every 1h").monthly_cost_usd.unwrap() - want).abs() < 1e-9);
    }

    #[test]
    fn workload_choice_picks_the_report_and_unknown_names_are_rejected() {
        let a = Answers {
            workload: Some("sessionization".to_string()),
            ..answers(
                Freshness::OneHour,
                Transformation::FilterAlert,
                Experience::Some,
                100.0,
            )
        };
        let r = recommend(&a, &all_reports()).unwrap();
        assert_eq!(r.evidence.workload, Some(WorkloadKind::Sessionization));
        // A known workload with no stored report: the closest one instead.
        let r = recommend(&a, &[fraud()]).unwrap();
        assert_eq!(r.evidence.workload, Some(WorkloadKind::FraudAlerts));
        assert!(
            r.evidence
                .notes
                .iter()
                .any(|n| n.contains("No measured report of sessionization"))
        );
        let bad = Answers {
            workload: Some("payroll".to_string()),
            ..a
        };
        let errs = recommend(&bad, &all_reports()).unwrap_err();
        assert_eq!(errs[0].field, "workload");
    }

    #[test]
    fn the_json_contract_matches_the_api() {
        let json = r#"{"freshness":"1m","transformation":"enrichment","team_experience":"none",
            "budget_usd_per_month":null,"events_per_second":300,"late_data":"none","reprocessing":"rare",
            "workload":null}"#;
        let a = parse_answers(json).unwrap();
        assert_eq!(a.freshness, Freshness::OneMinute);
        let r = recommend(&a, &all_reports()).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["recommendation"], "micro-batch");
        assert_eq!(v["schedule"], "trigger every 30 seconds");
        assert_eq!(v["evidence"]["workload"], "fraud-alerts");
        assert_eq!(v["evidence"]["rows"][0]["mode"], "batch");
        assert!(v["evidence"]["rows"][0]["monthly_cost_usd"].is_number());
        assert!(v["what_would_change"].is_array());
        let back: Recommendation = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
        // Optional fields may be left out.
        let short = r#"{"freshness":"1d","transformation":"ml-training","team_experience":"expert",
            "events_per_second":5,"late_data":"heavy","reprocessing":"often"}"#;
        let a: Answers = serde_json::from_str(short).unwrap();
        assert_eq!((a.budget_usd_per_month, a.workload), (None, None));
        assert_eq!(serde_json::to_value(Freshness::TenSeconds).unwrap(), "10s");
    }

    // --- validation -----------------------------------------------------

    #[test]
    fn validation_names_the_field() {
        let good = answers(
            Freshness::OneHour,
            Transformation::Enrichment,
            Experience::Some,
            100.0,
        );
        assert!(good.validate().is_ok());
        for (rate, needle) in [
            (-5.0, "greater than 0"),
            (0.0, "greater than 0"),
            (f64::NAN, "finite"),
            (f64::INFINITY, "finite"),
            (2e7, "at most 10,000,000"),
        ] {
            let errs = recommend(
                &Answers {
                    events_per_second: rate,
                    ..good.clone()
                },
                &all_reports(),
            )
            .unwrap_err();
            assert_eq!(errs.len(), 1);
            assert_eq!(errs[0].field, "events_per_second");
            assert!(errs[0].message.contains(needle), "{rate}: {}", errs[0]);
        }
        let both = Answers {
            events_per_second: -1.0,
            budget_usd_per_month: Some(-3.0),
            ..good.clone()
        };
        let fields: Vec<String> = both
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["events_per_second", "budget_usd_per_month"]);
        let nan_budget = Answers {
            budget_usd_per_month: Some(f64::NAN),
            ..good
        };
        assert_eq!(
            nan_budget.validate().unwrap_err()[0].field,
            "budget_usd_per_month"
        );
    }

    #[test]
    fn unknown_fields_and_values_are_rejected_by_name() {
        let json = r#"{"freshness":"15m","transformation":"enrichment","team_experience":"some",
            "budget_usd_per_month":null,"events_per_second":300,"late_data":"none","reprocessing":"rare",
            "workload":null,"colour":"blue"}"#;
        let err = serde_json::from_str::<Answers>(json).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        let errs = parse_answers(json).unwrap_err();
        assert_eq!(errs[0].field, "colour");

        let bad_value = json
            .replace(r#""15m""#, r#""2s""#)
            .replace(r#","colour":"blue""#, "");
        let errs = parse_answers(&bad_value).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "freshness");
        assert!(errs[0].message.contains("2s"), "{}", errs[0]);

        let missing = r#"{"freshness":"15m"}"#;
        let fields: Vec<String> = parse_answers(missing)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(
            fields.contains(&"events_per_second".to_string()),
            "{fields:?}"
        );

        let negative = json
            .replace("300", "-300")
            .replace(r#","colour":"blue""#, "");
        assert_eq!(
            parse_answers(&negative).unwrap_err()[0].field,
            "events_per_second"
        );
        assert_eq!(parse_answers("[1]").unwrap_err()[0].field, "body");
    }

    #[test]
    fn formatting_reads_like_people_write() {
        assert_eq!(fmt_ms(959_999.0), "16 min");
        assert_eq!(fmt_ms(1_986.0), "2.0 s");
        assert_eq!(fmt_ms(62_783.0), "63 s");
        assert_eq!(fmt_ms(850.0), "850 ms");
        assert_eq!(fmt_ms(3.0 * 3_600_000.0), "3 h");
        assert_eq!(fmt_usd(2.466), "$2.47");
        assert_eq!(fmt_usd(1234.5), "$1,234.50");
        assert_eq!(fmt_usd(123_456.7), "$123,457");
        assert_eq!(fmt_rate(50_000.0), "50,000");
        assert_eq!(fmt_rate(2.5), "2.5");
        assert_eq!(interval_words(15 * MINUTE), "15 minutes");
        assert_eq!(interval_words(HOUR), "1 hour");
        assert_eq!(round_sig(12_345.0), 12_000.0);
    }
}

//! The questionnaire: its types, parsing and validation.

use super::*;

use serde::de::DeserializeOwned;

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
    pub(crate) fn adjective(self) -> &'static str {
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
    pub(crate) fn seconds_matter(self) -> bool {
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
    pub(crate) fn favours_batch(self) -> bool {
        matches!(self, Transformation::HeavyJoin | Transformation::MlTraining)
    }

    /// Results depend on state accumulated over time (windows, sessions,
    /// joins, training sets), so late data changes old results.
    pub(crate) fn needs_history(self) -> bool {
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
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
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
    pub(crate) fn check<T: DeserializeOwned>(
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

//! The questionnaire: every question that decides batch vs stream, its
//! choices, default and help text, and the answers as the form sends them.

use serde::{Deserialize, Serialize};

/// One multiple-choice question.
pub struct Question {
    /// Field name, as in `POST /api/recommend`.
    pub field: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    /// `(value, label)` pairs.
    pub choices: &'static [(&'static str, &'static str)],
    pub default: &'static str,
}

/// How fresh results must be.
pub const FRESHNESS: Question = Question {
    field: "freshness",
    label: "How fresh must results be?",
    help: "The longest acceptable delay between an event happening and the result that includes it.",
    choices: &[
        ("1s", "Within 1 second"),
        ("10s", "Within 10 seconds"),
        ("1m", "Within 1 minute"),
        ("15m", "Within 15 minutes"),
        ("1h", "Within 1 hour"),
        ("1d", "By the next day"),
    ],
    default: "15m",
};

/// What the transformation is.
pub const TRANSFORMATION: Question = Question {
    field: "transformation",
    label: "What does the job compute?",
    help: "Filters and enrichments stream easily; heavy joins and training on history are easier in batch.",
    choices: &[
        ("filter-alert", "Filter / alert on events"),
        ("enrichment", "Enrich events with reference data"),
        (
            "windowed-aggregation",
            "Windowed aggregation (counts, sums per period)",
        ),
        (
            "sessionization",
            "Sessionization (group activity into sessions)",
        ),
        ("heavy-join", "Heavy joins across large tables"),
        ("ml-training", "ML training on history"),
    ],
    default: "windowed-aggregation",
};

/// The team's streaming experience.
pub const TEAM: Question = Question {
    field: "team_experience",
    label: "The team's stream-processing experience",
    help: "Streams add failure modes: ordering, exactly-once delivery, state, 24/7 operation.",
    choices: &[
        ("none", "None: we run batch jobs today"),
        ("some", "Some: we have run a streaming job"),
        ("expert", "Expert: we operate streaming systems"),
    ],
    default: "some",
};

/// How much data arrives late.
pub const LATE_DATA: Question = Question {
    field: "late_data",
    label: "How much data arrives late?",
    help: "Events that arrive after newer ones (mobile clients, retries, partitions catching up).",
    choices: &[
        ("none", "None: events arrive in order"),
        ("some", "Some: a small share, minutes late"),
        ("heavy", "A lot: many events, up to hours late"),
    ],
    default: "some",
};

/// How often history must be reprocessed.
pub const REPROCESSING: Question = Question {
    field: "reprocessing",
    label: "How often must history be reprocessed?",
    help: "Logic changes and backfills: rerunning a batch is easy; a stream must replay from a retained log.",
    choices: &[
        ("rare", "Rarely"),
        ("often", "Often (logic changes, backfills)"),
    ],
    default: "rare",
};

/// The multiple-choice questions, in form order.
pub const CHOICE_QUESTIONS: [&Question; 5] = [
    &FRESHNESS,
    &TRANSFORMATION,
    &TEAM,
    &LATE_DATA,
    &REPROCESSING,
];

/// The reference workloads a user can pick as closest to theirs.
pub const WORKLOADS: [(&str, &str, &str); 3] = [
    (
        "fraud-alerts",
        "Fraud alerts",
        "Card transactions; alert when a card spends too much within 5 minutes.",
    ),
    (
        "daily-report",
        "Daily sales report",
        "Orders; daily revenue per product and the day's top products.",
    ),
    (
        "sessionization",
        "Web sessions",
        "Clicks; group each user's activity into sessions split by 30 minutes of inactivity.",
    ),
];

/// Title of a reference workload by name (the name itself when unknown).
pub fn workload_title(name: &str) -> String {
    WORKLOADS
        .iter()
        .find(|w| w.0 == name)
        .map_or_else(|| name.to_string(), |w| w.1.to_string())
}

/// Description of a reference workload by name.
pub fn workload_description(name: &str) -> &'static str {
    WORKLOADS.iter().find(|w| w.0 == name).map_or("", |w| w.2)
}

/// The label of a choice, or the value itself.
pub fn choice_label(q: &Question, value: &str) -> String {
    q.choices
        .iter()
        .find(|c| c.0 == value)
        .map_or_else(|| value.to_string(), |c| c.1.to_string())
}

/// The answers as the form sends them: strings, so that an empty budget or
/// a mistyped number reaches the server and gets an error naming the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answers {
    pub freshness: String,
    pub transformation: String,
    pub team_experience: String,
    /// Empty: no budget limit.
    #[serde(default)]
    pub budget_usd_per_month: String,
    pub events_per_second: String,
    pub late_data: String,
    pub reprocessing: String,
    /// Empty: pick the closest reference workload automatically.
    #[serde(default)]
    pub workload: String,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            freshness: FRESHNESS.default.into(),
            transformation: TRANSFORMATION.default.into(),
            team_experience: TEAM.default.into(),
            budget_usd_per_month: String::new(),
            events_per_second: "500".into(),
            late_data: LATE_DATA.default.into(),
            reprocessing: REPROCESSING.default.into(),
            workload: String::new(),
        }
    }
}

impl Answers {
    /// `(field, value)` pairs in form order.
    pub fn pairs(&self) -> [(&'static str, &str); 8] {
        [
            ("freshness", &self.freshness),
            ("transformation", &self.transformation),
            ("team_experience", &self.team_experience),
            ("budget_usd_per_month", &self.budget_usd_per_month),
            ("events_per_second", &self.events_per_second),
            ("late_data", &self.late_data),
            ("reprocessing", &self.reprocessing),
            ("workload", &self.workload),
        ]
    }

    /// Answers from query parameters (missing ones keep their defaults).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Answers {
        let d = Answers::default();
        let pick = |k: &str, dflt: String| get(k).unwrap_or(dflt);
        Answers {
            freshness: pick("freshness", d.freshness),
            transformation: pick("transformation", d.transformation),
            team_experience: pick("team_experience", d.team_experience),
            budget_usd_per_month: pick("budget_usd_per_month", d.budget_usd_per_month),
            events_per_second: pick("events_per_second", d.events_per_second),
            late_data: pick("late_data", d.late_data),
            reprocessing: pick("reprocessing", d.reprocessing),
            workload: pick("workload", d.workload),
        }
    }

    /// The answers as a query string (`freshness=15m&…`).
    pub fn to_query(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// A one-line summary of the answers, in words.
    pub fn summary(&self) -> String {
        let rate = if self.events_per_second.trim().is_empty() {
            "an unknown rate".to_string()
        } else {
            format!("{} events/s at peak", self.events_per_second.trim())
        };
        let budget = if self.budget_usd_per_month.trim().is_empty() {
            "no budget limit".to_string()
        } else {
            format!("a budget of ${}/month", self.budget_usd_per_month.trim())
        };
        format!(
            "{} · {} · {rate} · {budget}",
            choice_label(&FRESHNESS, &self.freshness),
            choice_label(&TRANSFORMATION, &self.transformation).to_lowercase(),
        )
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trip_keeps_every_answer() {
        let a = Answers {
            budget_usd_per_month: "100 & more".into(),
            ..Answers::default()
        };
        let q = a.to_query();
        assert!(q.contains("budget_usd_per_month=100%20%26%20more"), "{q}");
        assert!(q.starts_with("freshness=15m&transformation=windowed-aggregation"));
    }

    #[test]
    fn defaults_are_valid_choices() {
        for q in CHOICE_QUESTIONS {
            assert!(q.choices.iter().any(|c| c.0 == q.default), "{}", q.field);
        }
    }
}

//! The spec file's schema: one set of serde types read from TOML (for
//! people) and JSON (for the browser and scripts). Every struct denies
//! unknown fields, so a misspelt key is an error rather than a silently
//! ignored line that leaves a default in place. Bounds live in
//! [`super::validate`]; defaults are stated on each field and in
//! `docs/specs.md`.

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::custom::CustomDef;
use workloads::duration::Duration;
use workloads::mode::EmitPolicy;

/// A workload spec: what to generate, which candidate plans to compare,
/// and what the user needs (SLOs, prices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Identifier of the spec, `[a-z0-9][a-z0-9_-]{0,63}`: it names the
    /// report and becomes a directory name, so it may not contain `/`, `.`
    /// or anything else that could escape a directory.
    pub name: String,
    /// Free text shown to people (at most [`super::MAX_DESCRIPTION_LEN`] bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which workload to run (absent: reported as "set exactly one").
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// How much data, how fast, how late.
    pub load: LoadSpec,
    /// The plans to measure and compare (absent: reported as too few).
    #[serde(default)]
    pub candidates: CandidatesSpec,
    /// What the user needs; the advisor compares measurements with it.
    #[serde(default)]
    pub slo: Slo,
    /// Overrides of the cost model's prices and capacity rules.
    #[serde(default)]
    pub cost: CostOverrides,
    /// Whether to check the simulated latencies with a short wall-clock run
    /// (default `true`).
    #[serde(default = "yes")]
    pub realtime: bool,
    /// Where batch and micro-batch SQL runs (`[engine]`; default: in
    /// memory).
    #[serde(default, skip_serializing_if = "EngineSpec::is_default")]
    pub engine: EngineSpec,
}

fn yes() -> bool {
    true
}

/// `[engine] kind = "ballista", executors = 4`: the batch and micro-batch
/// jobs' engine. `ballista` starts a local cluster of `executors` (1 to
/// 16, default 2) on 127.0.0.1 for the run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSpec {
    #[serde(default)]
    pub kind: EngineKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executors: Option<u64>,
}

impl EngineSpec {
    fn is_default(&self) -> bool {
        *self == EngineSpec::default()
    }
}

/// The engines a spec may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngineKind {
    #[default]
    Memory,
    Parquet,
    Ballista,
}

/// Exactly one of a reference workload (fixed semantics, see
/// `shared/workloads.md`) or a custom one. Two optional fields rather than
/// an enum so that "both" and "neither" get a plain error message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// `fraud-alerts`, `daily-report` or `sessionization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<WorkloadKind>,
    /// A user-defined workload: columns to generate and a query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomDef>,
}

/// The workload a valid spec names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WorkloadChoice<'a> {
    Reference(WorkloadKind),
    Custom(&'a CustomDef),
}

impl WorkloadSpec {
    /// The chosen workload; `None` when neither or both are set (validation
    /// reports that).
    pub fn choice(&self) -> Option<WorkloadChoice<'_>> {
        match (&self.reference, &self.custom) {
            (Some(k), None) => Some(WorkloadChoice::Reference(*k)),
            (None, Some(c)) => Some(WorkloadChoice::Custom(c)),
            _ => None,
        }
    }
}

/// The generated load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// Mean events per second (over a day when `peak` is set).
    pub events_per_second: f64,
    /// A daily cycle around the mean; absent means a constant rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak: Option<DailyPeak>,
    /// Event-time span to generate, e.g. `"1h"`.
    pub duration: Duration,
    /// Number of keys (cards, products, users) of a reference workload;
    /// default 10000. Custom workloads set their key columns' cardinality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<u64>,
    /// Zipf exponent of key popularity of a reference workload (a few hot
    /// keys); absent means every key is equally likely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_skew: Option<f64>,
    /// Every event arrives up to this much after its event time; default 2s.
    #[serde(default = "default_jitter")]
    pub jitter: Duration,
    /// Fraction of events that arrive late (after the jitter); default 0.01.
    #[serde(default = "default_late_fraction")]
    pub late_fraction: f64,
    /// Greatest delay of a late event; default 10m.
    #[serde(default = "default_max_lateness")]
    pub max_lateness: Duration,
    /// Generator seed: the same spec and seed give the same events; default 42.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_jitter() -> Duration {
    Duration(2 * workloads::time::SECOND)
}
fn default_late_fraction() -> f64 {
    0.01
}
fn default_max_lateness() -> Duration {
    Duration(10 * workloads::time::MINUTE)
}
fn default_seed() -> u64 {
    42
}

/// A daily cosine cycle: the rate peaks at `peak_to_mean` × the mean at
/// `peak_hour_utc`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyPeak {
    /// Peak rate ÷ mean rate, 1 to 2 (the rate never drops below zero).
    pub peak_to_mean: f64,
    /// Hour of the peak, UTC, `0 <= h < 24`.
    pub peak_hour_utc: f64,
}

/// The candidate plans, one list per mode; each entry becomes one plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidatesSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch: Vec<BatchCandidate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub micro_batch: Vec<MicroBatchCandidate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stream: Vec<StreamCandidate>,
}

impl CandidatesSpec {
    /// Number of plans these candidates expand into.
    pub fn count(&self) -> usize {
        self.batch.len() + self.micro_batch.len() + self.stream.len()
    }
}

/// A scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCandidate {
    /// Run every this long (the batch interval).
    pub every: Duration,
    /// Run this long after each period boundary (a daily job at 00:30 has
    /// offset 30m); default 0.
    #[serde(default = "zero")]
    pub offset: Duration,
    /// Only take the events of the period a run closes and drop events of
    /// closed periods (no look-back); default false (re-read history).
    #[serde(default)]
    pub drop_late: bool,
}

/// A trigger over newly arrived events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicroBatchCandidate {
    /// Trigger interval.
    pub every: Duration,
    /// How far the watermark trails the greatest event time seen; default 0.
    #[serde(default = "zero")]
    pub watermark_delay: Duration,
    /// Drop events more than this behind the watermark; absent folds every
    /// late event in (exact, but state is never evicted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_lateness: Option<Duration>,
}

/// Per-event operators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamCandidate {
    /// When results are emitted.
    pub emit: Emit,
    /// How far the watermark trails the greatest event time seen; default 0.
    #[serde(default = "zero")]
    pub watermark_delay: Duration,
    /// Drop events more than this behind the watermark; absent folds every
    /// late event in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_lateness: Option<Duration>,
}

fn zero() -> Duration {
    Duration(0)
}

/// A stream emission policy as written in a spec: `eager`, `final` or
/// `eager+correct` (also accepted: `eager-correct`, the report's JSON name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Emit {
    #[serde(rename = "eager")]
    Eager,
    #[serde(rename = "final")]
    Final,
    #[serde(rename = "eager+correct", alias = "eager-correct")]
    EagerCorrect,
}

impl From<Emit> for EmitPolicy {
    fn from(e: Emit) -> EmitPolicy {
        match e {
            Emit::Eager => EmitPolicy::Eager,
            Emit::Final => EmitPolicy::Final,
            Emit::EagerCorrect => EmitPolicy::EagerCorrect,
        }
    }
}

/// What the user needs. All optional: the advisor only checks what is set.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Results must be at most this old (event time to final output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Duration>,
    /// 99th percentile of output latency must be at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_latency: Option<Duration>,
    /// Monthly compute budget in US dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd_per_month: Option<f64>,
}

/// Overrides of [`crate::cost::CostModel`]; each absent field keeps the
/// default price.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpu_hour_usd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_hour_usd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_startup_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headroom: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpu_step: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_memory_gb: Option<f64>,
}

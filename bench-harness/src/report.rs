//! The versioned JSON report: the public contract that the web app and the
//! CI gate read. Add fields freely (readers must ignore unknown fields);
//! bump [`SCHEMA_VERSION`] when a field changes meaning or goes away.

use serde::{Deserialize, Serialize};
use workloads::WorkloadKind;
use workloads::mode::{ComplexityFacts, Mode};

use crate::cost::{CostModel, MonthlyCost, ServiceFit};
use crate::plan::Plan;

/// Version of the report schema.
pub const SCHEMA_VERSION: u32 = 1;

/// A full report of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// Version of the harness that produced it.
    pub weir_version: String,
    /// Seconds since the Unix epoch when the run finished.
    pub generated_at_unix: u64,
    pub machine: Machine,
    pub workload: WorkloadKind,
    pub scenario: ScenarioSummary,
    pub methodology: Methodology,
    pub cost_model: CostModel,
    pub modes: Vec<ModeReport>,
    pub cost_curves: CostCurves,
    /// Wall-clock check of the simulation, when the scenario asked for one.
    pub realtime_validation: Option<RealtimeValidation>,
    /// What was measured through a replayable log (a broker), when the run
    /// asked for one (`--source redis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<BrokerReport>,
    /// Why the broker measurements asked for were not made (no
    /// `redis-server` installed, the broker unreachable, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_skipped: Option<String>,
    /// Scale-out on Ballista clusters of several sizes and the clusters
    /// sized from it, when the run asked for it (`--engine ballista`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<crate::scaling::ScalingReport>,
    /// Why the scale-out measurement asked for was not made (no Ballista in
    /// this build, no `bench-harness` binary beside the server, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_skipped: Option<String>,
    /// The stream plan split by key over 1 and 2 workers: its measured
    /// parallel efficiency, which the stream costs use beyond one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_partitioning: Option<crate::partitioning::StreamPartitioning>,
    /// A custom workload's query: the user's SQL (or the structured
    /// query's canonical SQL) and the DataFusion SQL the batch job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<QueryReport>,
    /// Chart files written next to the report (relative names).
    pub charts: Vec<String>,
}

/// What a custom workload computes, as SQL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryReport {
    /// The query as the user wrote it in SQL, or the canonical SQL of the
    /// structured definition.
    pub sql: String,
    /// Whether [`QueryReport::sql`] is the user's own text.
    pub written_as_sql: bool,
    /// The DataFusion SQL the batch and micro-batch plans run.
    pub datafusion_sql: String,
}

/// The machine the numbers were measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: usize,
    pub os: String,
    pub arch: String,
    pub cpu_model: Option<String>,
}

/// What data the modes ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub name: String,
    /// Where the events came from: `generated (seed …)` or a file name.
    pub source: String,
    pub events: u64,
    pub event_time_span_ms: i64,
    pub mean_events_per_second: f64,
    pub peak_events_per_second: f64,
    pub keys: Option<u64>,
    /// Events that arrived behind the newest event time by more than 0.
    pub out_of_order_events: u64,
    /// Greatest arrival delay behind the newest event time seen, ms.
    pub max_lateness_ms: i64,
}

/// The report's own statement of how it measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Methodology {
    /// Quantities measured on this machine.
    pub measured: Vec<String>,
    /// Quantities computed from a model (prices, start-up overhead, scaling).
    pub modeled: Vec<String>,
    pub notes: Vec<String>,
}

/// Everything about one mode configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeReport {
    pub label: String,
    pub mode: Mode,
    pub plan: Plan,
    /// The plan folds every late event in, so its output must be exact.
    pub promises_exact: bool,
    pub latency: LatencySummary,
    pub throughput: Throughput,
    pub resources: Resources,
    pub cost: MonthlyCost,
    pub reprocessing: Reprocessing,
    pub complexity: Complexity,
    pub correctness: Correctness,
}

/// Event-time latency of emitted results (emission time − event time of the
/// newest input the result depends on), milliseconds of virtual time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Results flushed at end of input (not counted above).
    pub flushed_at_end: u64,
    /// `(latency ms, cumulative fraction)` points for the CDF chart.
    pub cdf: Vec<(f64, f64)>,
}

/// How fast the mode processes events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// Highest events/s one core sustains with bounded latency.
    pub sustainable_events_per_second_per_core: f64,
    /// Measured events / measured busy seconds.
    pub events_per_busy_second: f64,
    /// Fixed and per-event service time fitted from the measured runs.
    pub service_fit: ServiceFit,
    /// Runs, triggers, or timed stream chunks.
    pub units_of_work: u64,
    /// Longest wait behind earlier work (backlog), ms.
    pub max_queue_delay_ms: f64,
    /// Busy time / event-time span: above 1 the mode could not keep up.
    pub utilization: f64,
}

/// Resources used while running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    pub busy_seconds: f64,
    /// Process CPU seconds while the mode ran (all threads).
    pub cpu_seconds: f64,
    /// Peak heap bytes above the baseline while the mode ran (0 when the
    /// counting allocator is not installed).
    pub peak_memory_bytes: u64,
    pub peak_state_bytes: u64,
}

/// Time to recompute one day of data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reprocessing {
    pub one_day_seconds: f64,
    pub method: String,
    /// True when measured on a full day; false when scaled from a shorter
    /// measured span.
    pub measured_full_day: bool,
}

/// What it takes to build and operate the mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Complexity {
    pub stateful_operators: u32,
    pub failure_modes: Vec<String>,
    /// Lines of code of the mode's implementation, counted at build time.
    pub lines_of_code: usize,
    pub source_files: Vec<String>,
    pub peak_state_bytes: u64,
}

impl From<(ComplexityFacts, usize, u64)> for Complexity {
    fn from((f, loc, state): (ComplexityFacts, usize, u64)) -> Self {
        Complexity {
            stateful_operators: f.stateful_operators,
            failure_modes: f.failure_modes,
            lines_of_code: loc,
            source_files: f
                .source_files
                .iter()
                .map(|s| format!("workloads/src/{s}"))
                .collect(),
            peak_state_bytes: state,
        }
    }
}

/// The mode's final output against ground truth, and what late data did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correctness {
    pub expected_rows: u64,
    pub produced_rows: u64,
    pub matched_rows: u64,
    pub precision: f64,
    pub recall: f64,
    pub exact: bool,
    pub missing_sample: Vec<String>,
    pub extra_sample: Vec<String>,
    /// Events that arrived behind the mode's watermark or closed period.
    pub late_events: u64,
    pub late_dropped: u64,
    /// Emitted rows later replaced by a different version (corrections).
    pub updates: u64,
    /// Emitted rows later retracted.
    pub retractions: u64,
    /// Changelog entries emitted in total.
    pub emissions: u64,
}

/// Monthly cost of each mode as the event rate varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostCurves {
    /// Mean events per second (peak = mean × the scenario's peak ratio).
    pub rates: Vec<f64>,
    pub series: Vec<CostSeries>,
    pub break_even: Vec<BreakEven>,
}

/// One mode configuration's cost curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostSeries {
    pub label: String,
    pub mode: Mode,
    /// Monthly USD at each rate (`null` past what the mode sustains).
    pub usd: Vec<Option<f64>>,
}

/// A rate where two curves cross.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakEven {
    pub cheaper_below: String,
    pub cheaper_above: String,
    pub events_per_second: f64,
    pub usd_per_month: f64,
}

/// Simulated and wall-clock latencies side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealtimeValidation {
    pub events: u64,
    pub events_per_second: f64,
    pub wall_seconds: f64,
    pub rows: Vec<ValidationRow>,
}

/// One mode's simulated vs real latency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRow {
    pub label: String,
    /// Events per second fed in this row, when it differs from the
    /// validation's rate (the run near the mode's saturation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_per_second: Option<f64>,
    pub simulated_p50_ms: f64,
    pub simulated_p99_ms: f64,
    pub real_p50_ms: f64,
    pub real_p99_ms: f64,
    /// Both runs produced the same final output.
    pub same_output: bool,
}

/// Measured through a real log: publishing the events, and kappa-style
/// reprocessing — the whole retained log replayed through the exact stream
/// plan — next to the same plan over the in-memory data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerReport {
    /// The log (broker URL and stream).
    pub log: String,
    /// The stream plan replayed.
    pub plan: String,
    pub events: u64,
    /// Wall seconds to append every event, in arrival order.
    pub publish_seconds: f64,
    /// Wall seconds to read the whole log and run it through the plan.
    pub replay_seconds: f64,
    /// The same plan over the events already in memory.
    pub in_memory_seconds: f64,
    /// The replayed output equals ground truth.
    pub replay_exact: bool,
    /// Messages that did not parse (sent to the dead-letter stream).
    pub dead_letters: u64,
    /// Wall seconds to read the whole log and reprocess it with the
    /// micro-batch job in hour-sized catch-up triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub micro_batch_replay_seconds: Option<f64>,
    /// That replay's output equals ground truth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub micro_batch_replay_exact: Option<bool>,
    /// The stream plan fed live through the broker (a producer appending
    /// at the events' arrival times, the operator tailing the log), when
    /// the run has a real-time validation to compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<BrokerLive>,
    /// Checkpoint cost and crash recovery per mode, measured through the
    /// same log (`recovery::measure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<crate::recovery::measure::RecoveryReport>,
}

/// Latency of the stream plan fed live through the broker: its difference
/// from the real-time validation's stream row (same events, in-process
/// queue) is the broker hop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerLive {
    pub events: u64,
    pub events_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The live output equals the in-memory run's.
    pub same_output: bool,
}

impl BrokerReport {
    /// Events per second the replay sustained.
    pub fn replay_events_per_second(&self) -> f64 {
        self.events as f64 / self.replay_seconds.max(1e-9)
    }

    /// Share of the replay spent reading from the broker and decoding.
    pub fn broker_share(&self) -> f64 {
        ((self.replay_seconds - self.in_memory_seconds) / self.replay_seconds.max(1e-9))
            .clamp(0.0, 1.0)
    }
}

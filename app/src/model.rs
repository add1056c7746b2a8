//! View models: what the pages display. Plain serde types with no engine
//! dependency, so the hydrating wasm build never pulls in the harness; the
//! server converts the harness's `Report` and the advisor's recommendation
//! into these.

use serde::{Deserialize, Serialize};

/// The background measurement runner, as the progress bar shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    /// A job is running now.
    pub running: bool,
    /// What the running job is doing (e.g. `fraud-alerts: [3/7] stream …`).
    pub stage: String,
    /// Overall progress of the running job, 0–100.
    pub percent: f64,
    /// Jobs waiting behind the running one.
    pub queued: usize,
    /// Reports stored and loaded.
    pub reports: usize,
    /// Workloads with at least one report.
    pub workloads_measured: Vec<String>,
    /// The last job's failure, if it failed.
    pub last_error: Option<String>,
    /// Stored files that could not be read (skipped).
    pub skipped_files: Vec<String>,
}

impl StatusView {
    /// True while there is nothing to show yet or work is under way.
    pub fn busy(&self) -> bool {
        self.running || self.queued > 0
    }
}

/// One row of the workloads overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSummary {
    /// `fraud-alerts`, `daily-report`, `sessionization`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Id of the newest report, if measured.
    pub latest_report: Option<String>,
    /// Human time of the newest report.
    pub measured_at: Option<String>,
    pub events: Option<u64>,
    pub configurations: usize,
}

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    pub title: String,
    /// Inline SVG markup, rendered on the server.
    pub svg: String,
}

/// One mode configuration's measured numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeRow {
    pub label: String,
    /// `batch`, `micro-batch` or `stream`.
    pub mode: String,
    /// Latency percentiles; `None` when nothing was emitted before the end
    /// of the input (no sample: shown as such, never as 0 ms).
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub monthly_usd: f64,
    pub vcpus: f64,
    pub events_per_second_per_core: f64,
    pub cpu_seconds: f64,
    pub peak_memory_bytes: u64,
    pub peak_state_bytes: u64,
    pub reprocessing_seconds: f64,
    pub stateful_operators: u32,
    pub failure_modes: usize,
    pub lines_of_code: usize,
    pub precision: f64,
    pub recall: f64,
    pub exact: bool,
    pub late_events: u64,
    pub late_dropped: u64,
    pub corrections: u64,
    pub retractions: u64,
}

/// Simulated vs wall-clock latency of one mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationView {
    pub label: String,
    pub simulated_p99_ms: f64,
    pub real_p99_ms: f64,
    pub same_output: bool,
}

/// A stored report, ready to display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: String,
    pub workload: String,
    pub scenario: String,
    pub measured_at: String,
    pub machine: String,
    pub source: String,
    pub events: u64,
    pub span: String,
    pub mean_events_per_second: f64,
    pub peak_events_per_second: f64,
    pub keys: Option<u64>,
    pub out_of_order_events: u64,
    pub modes: Vec<ModeRow>,
    pub break_even: Vec<String>,
    pub validation: Vec<ValidationView>,
    /// What was measured through a replayable log (a broker), worded; empty
    /// when the run had none.
    #[serde(default)]
    pub broker: Vec<String>,
    /// Scale-out measured on Ballista clusters (a line per cluster size),
    /// then the clusters sized from it; empty when the run had none.
    #[serde(default)]
    pub scale_out: Vec<String>,
    #[serde(default)]
    pub sizing: Vec<String>,
    /// A custom workload's query as SQL; `None` for reference workloads.
    #[serde(default)]
    pub query: Option<QueryView>,
    /// The stream plan split by key over 1 and 2 workers (a line per worker
    /// count, then how it was measured); empty in reports made before it.
    #[serde(default)]
    pub stream_partitioning: Vec<String>,
    pub charts: Vec<ChartView>,
    pub measured: Vec<String>,
    pub modeled: Vec<String>,
    pub notes: Vec<String>,
    /// The parameters this report ran with (prefills the rerun form).
    pub params: RerunParams,
}

/// A custom workload's query on its report page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryView {
    /// The user's SQL, or the structured definition's canonical SQL.
    pub sql: String,
    pub written_as_sql: bool,
    /// The DataFusion SQL the batch and micro-batch plans run.
    pub datafusion_sql: String,
}

/// A workload page: the newest report and the earlier runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadPage {
    pub summary: WorkloadSummary,
    pub report: Option<ReportView>,
    /// `(id, measured at, scenario)` of every stored report, newest first.
    pub history: Vec<(String, String, String)>,
}

/// Parameters of a rerun, as the form sends them (strings, validated on the
/// server so that every error names its field).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RerunParams {
    pub workload: String,
    /// Mean events per second.
    pub rate: String,
    pub keys: String,
    /// Fraction of late events, e.g. `0.01`.
    pub late_fraction: String,
    /// Greatest lateness, e.g. `10m`.
    pub max_lateness: String,
    /// Batch interval, e.g. `15m`.
    pub batch_interval: String,
    /// Micro-batch trigger, e.g. `10s`.
    pub trigger: String,
    /// Watermark delay of micro-batch and stream, e.g. `5s`.
    pub watermark: String,
}

/// A rejected input and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldErrorView {
    pub field: String,
    pub message: String,
}

/// What a form submission produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome<T> {
    Done(T),
    Invalid(Vec<FieldErrorView>),
}

/// One mode in the recommendation's evidence table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    /// `batch`, `micro-batch` or `stream`.
    pub mode: String,
    /// The configuration measured (e.g. `batch every 15m`).
    pub label: String,
    pub p99_ms: Option<f64>,
    /// Monthly cost at the user's event rate.
    pub monthly_usd: Option<f64>,
    pub complexity: String,
    pub correctness: String,
    /// This is the configuration the recommendation picks.
    pub chosen: bool,
}

/// The advisor's answer, ready to display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationView {
    /// `batch`, `micro-batch`, `stream`, `lambda` or `kappa`.
    pub recommendation: String,
    pub schedule: Option<String>,
    pub reasons: Vec<String>,
    pub what_would_change: Vec<String>,
    /// The workload whose measurements back the answer.
    pub workload: String,
    pub events_per_second: f64,
    pub evidence: Vec<EvidenceRow>,
    pub charts: Vec<ChartView>,
    /// When the evidence was measured and on what.
    pub measured_on: String,
}

/// A measurement job, as the job page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    /// `queued`, `running`, `done`, `failed`, `cancelled`, `timed-out`,
    /// `interrupted`.
    pub state: String,
    /// The scenario's name.
    pub description: String,
    pub stage: String,
    /// 0–100.
    pub percent: f64,
    pub error: Option<String>,
    pub cancel_requested: bool,
    /// 1-based place in the waiting line while queued.
    pub position: Option<usize>,
    /// The uploaded spec this job measures, if any.
    pub spec_id: Option<String>,
    /// Where the result is shown once done.
    pub result_href: Option<String>,
}

impl JobView {
    /// True once the job will not change any more.
    pub fn finished(&self) -> bool {
        !matches!(self.state.as_str(), "queued" | "running")
    }
}

/// One uploaded spec in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecSummary {
    pub id: String,
    /// The spec's own name.
    pub name: String,
    /// `toml` or `json`.
    pub format: String,
    pub uploaded_at: String,
    pub job_id: String,
    /// The job's state (see [`JobView::state`]).
    pub state: String,
    /// A report is stored.
    pub has_report: bool,
}

/// An uploaded spec's page: its text, its job and its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecPage {
    pub summary: SpecSummary,
    pub text: String,
    pub job: Option<JobView>,
    pub report: Option<ReportView>,
}

/// A queued upload: the spec's id and the job measuring it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uploaded {
    pub spec_id: String,
    pub job_id: String,
}

/// One column of an uploaded sample's inferred schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleColumnView {
    /// The name in the file.
    pub name: String,
    /// The name a query uses.
    pub field: String,
    /// Arrow's type (inferred for CSV).
    pub data_type: String,
    /// `event-time`, `key`, `number`, `category`; empty when unusable.
    pub uses: Vec<String>,
    /// Empty or null values among the inspected rows.
    pub nulls: u64,
    /// Distinct values among the inspected rows (text columns).
    pub distinct: Option<u64>,
    pub note: Option<String>,
}

/// An uploaded sample: its inferred schema and the suggested mapping (the
/// `field`s of its event-time and key columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleView {
    pub id: String,
    pub file_name: String,
    /// `csv` or `parquet`.
    pub format: String,
    pub bytes: u64,
    /// Data rows, when known.
    pub rows: Option<u64>,
    pub inspected_rows: u64,
    pub columns: Vec<SampleColumnView>,
    pub event_time: Option<String>,
    pub key: Option<String>,
    /// The last run's request, to run it again with changes.
    pub last_run: Option<SampleRunView>,
}

/// A sample's run request as the form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRunView {
    pub sql: String,
    /// The reference workload the file was measured as, if not SQL.
    #[serde(default)]
    pub workload: Option<String>,
    pub event_time: Option<String>,
    pub key: Option<String>,
    pub rate: Option<f64>,
}

//! The three execution modes' shared vocabulary: configuration, the late-data
//! gate, and the two traits every workload implements — a per-event
//! [`StreamOperator`] and a DataFusion [`IncrementalJob`] that batch and
//! micro-batch both drive (on a schedule over landed data, or per trigger
//! with carried state).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::output::Emission;
use crate::time::Millis;
use crate::workload::Workload;

/// How a workload is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// DataFusion SQL over each scheduled period's landed data.
    Batch,
    /// DataFusion per trigger over the new data, with carried state.
    MicroBatch,
    /// Per-event stateful operators with event-time watermarks.
    Stream,
}

impl Mode {
    /// All modes, in report order.
    pub const ALL: [Mode; 3] = [Mode::Batch, Mode::MicroBatch, Mode::Stream];

    /// The CLI / report name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Batch => "batch",
            Mode::MicroBatch => "micro-batch",
            Mode::Stream => "stream",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Mode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                format!("unknown mode `{s}` (expected one of: batch, micro-batch, stream)")
            })
    }
}

/// When a stream operator emits a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmitPolicy {
    /// On arrival: emit the results the event directly updates, as they stand
    /// now. No retroactive corrections of other results.
    Eager,
    /// Once the watermark makes a result final; late events within the
    /// allowed lateness re-emit the corrected result.
    Final,
    /// Eager, and every later change (including retractions caused by late
    /// events) is emitted as a correction.
    EagerCorrect,
}

impl EmitPolicy {
    /// All policies.
    pub const ALL: [EmitPolicy; 3] = [
        EmitPolicy::Eager,
        EmitPolicy::Final,
        EmitPolicy::EagerCorrect,
    ];

    /// The CLI / report name.
    pub fn name(self) -> &'static str {
        match self {
            EmitPolicy::Eager => "eager",
            EmitPolicy::Final => "final",
            EmitPolicy::EagerCorrect => "eager+correct",
        }
    }
}

impl fmt::Display for EmitPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EmitPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EmitPolicy::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                format!("unknown emission policy `{s}` (expected eager, final or eager+correct)")
            })
    }
}

/// Event-time progress and tolerance for late data.
///
/// The watermark is the newest event time seen minus `watermark_delay`. An
/// event is *late* when its event time is behind the watermark on arrival. It
/// is *dropped* when `allowed_lateness` is `Some(a)` and it is more than `a`
/// behind the watermark; `None` folds every late event in (exact, but state
/// can never be evicted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lateness {
    pub watermark_delay: Millis,
    pub allowed_lateness: Option<Millis>,
}

impl Lateness {
    /// Folds every late event in: the exact configuration.
    pub const EXACT: Lateness = Lateness {
        watermark_delay: 0,
        allowed_lateness: None,
    };
}

/// What the gate decided for one arriving event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// At or ahead of the watermark.
    OnTime,
    /// Behind the watermark but within the allowed lateness: fold it in.
    Late,
    /// Beyond the allowed lateness: discarded and counted.
    Dropped,
}

/// Tracks the watermark and decides what happens to late events. Stream
/// operators embed one; the runner uses one to feed micro-batch triggers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LateGate {
    lateness: Lateness,
    max_seen: Option<Millis>,
    /// Events that arrived behind the watermark (folded in or dropped).
    pub late: u64,
    /// Late events that were discarded.
    pub dropped: u64,
}

impl LateGate {
    /// A gate with no event seen yet.
    pub fn new(lateness: Lateness) -> Self {
        LateGate {
            lateness,
            max_seen: None,
            late: 0,
            dropped: 0,
        }
    }

    /// The configuration.
    pub fn lateness(&self) -> Lateness {
        self.lateness
    }

    /// Classifies an arriving event and advances the watermark.
    #[inline]
    pub fn admit(&mut self, event_time: Millis) -> Admission {
        let Some(max) = self.max_seen else {
            self.max_seen = Some(event_time);
            return Admission::OnTime;
        };
        if event_time > max {
            self.max_seen = Some(event_time);
        }
        let wm = max.saturating_sub(self.lateness.watermark_delay);
        if event_time >= wm {
            return Admission::OnTime;
        }
        self.late += 1;
        match self.lateness.allowed_lateness {
            Some(a) if event_time < wm.saturating_sub(a) => {
                self.dropped += 1;
                Admission::Dropped
            }
            _ => Admission::Late,
        }
    }

    /// Newest event time seen minus the delay (`Millis::MIN` before any event).
    #[inline]
    pub fn watermark(&self) -> Millis {
        self.max_seen.map_or(Millis::MIN, |m| {
            m.saturating_sub(self.lateness.watermark_delay)
        })
    }

    /// No event with an event time before the horizon will ever be admitted
    /// again, so results that only depend on older events are final and
    /// their state can go. `None` while every late event is still accepted.
    #[inline]
    pub fn horizon(&self) -> Option<Millis> {
        let a = self.lateness.allowed_lateness?;
        self.max_seen?;
        Some(self.watermark().saturating_sub(a))
    }
}

/// Configuration of a stream operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamConfig {
    pub lateness: Lateness,
    pub policy: EmitPolicy,
}

impl StreamConfig {
    /// Eager with corrections and no dropping: final output equals truth.
    pub const EXACT: StreamConfig = StreamConfig {
        lateness: Lateness::EXACT,
        policy: EmitPolicy::EagerCorrect,
    };
}

/// Configuration of a DataFusion job (batch or micro-batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobConfig {
    /// DataFusion `target_partitions` (threads a query may use).
    pub target_partitions: usize,
    /// Memory pool limit for one query, in bytes.
    pub memory_limit_bytes: usize,
    /// Where the job's SQL runs and what it reads ([`Engine`]).
    #[serde(default)]
    pub engine: Engine,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            target_partitions: 1,
            memory_limit_bytes: 4 << 30,
            engine: Engine::InMemory,
        }
    }
}

/// Where a batch or micro-batch job's SQL runs. The jobs' queries are the
/// same on every engine; what changes is what a query reads and who plans
/// and executes it, so a report says which engine its numbers came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Engine {
    /// DataFusion in this process over in-memory Arrow tables, each query
    /// planned once per job (the fastest form; the default).
    #[default]
    InMemory,
    /// DataFusion in this process over the landed data written as Parquet
    /// files, planned per run: what batch costs when it reads a lake from
    /// storage, and the in-process twin of [`Engine::Ballista`].
    Parquet,
    /// A Ballista cluster (DataFusion's distributed engine) reading the same
    /// Parquet files. Its executors must see the lake directory (the same
    /// host, or a shared mount at the same path).
    Ballista {
        /// The scheduler, `df://HOST:PORT`.
        scheduler: String,
        /// Executors the cluster runs (each one core): the query's
        /// partitions.
        executors: usize,
        /// A query that has not finished after this long fails the run
        /// (a lost executor or a scheduler bug must not hang it).
        #[serde(default = "default_query_timeout")]
        query_timeout_seconds: u64,
    },
}

/// [`Engine::Ballista`]'s default query timeout: far above any run the
/// default scenarios make (seconds), short enough that a hung cluster
/// fails the job instead of stalling it.
pub const DEFAULT_QUERY_TIMEOUT_SECONDS: u64 = 300;

fn default_query_timeout() -> u64 {
    DEFAULT_QUERY_TIMEOUT_SECONDS
}

impl Engine {
    /// The scheduler of a Ballista engine that a spec asked for without an
    /// address: the harness starts a local cluster and puts its address in
    /// place before any job runs ([`Engine::wants_local_cluster`]).
    pub const LOCAL_SCHEDULER: &'static str = "local";

    /// The executors of a local cluster still to be started, if this is one.
    pub fn wants_local_cluster(&self) -> Option<usize> {
        match self {
            Engine::Ballista {
                scheduler,
                executors,
                ..
            } if scheduler == Self::LOCAL_SCHEDULER => Some(*executors),
            _ => None,
        }
    }

    /// A Ballista cluster at `scheduler` with the default query timeout.
    pub fn ballista(scheduler: impl Into<String>, executors: usize) -> Engine {
        Engine::Ballista {
            scheduler: scheduler.into(),
            executors,
            query_timeout_seconds: DEFAULT_QUERY_TIMEOUT_SECONDS,
        }
    }

    /// The cores a query of this engine occupies: one in process (at
    /// `target_partitions = 1`), one per executor on a cluster.
    pub fn executors(&self) -> usize {
        match self {
            Engine::Ballista { executors, .. } => *executors,
            _ => 1,
        }
    }

    /// A short name for reports and errors.
    pub fn label(&self) -> String {
        match self {
            Engine::InMemory => "DataFusion in process, in-memory tables".into(),
            Engine::Parquet => "DataFusion in process, Parquet lake".into(),
            Engine::Ballista {
                scheduler,
                executors,
                ..
            } => format!("Ballista at {scheduler}, {executors} executor(s), Parquet lake"),
        }
    }
}

/// Counters a stream operator keeps about late data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateStats {
    pub late: u64,
    pub dropped: u64,
}

/// A per-event stateful operator: the stream mode of one workload.
pub trait StreamOperator<W: Workload + ?Sized>: Send {
    /// Processes one arriving event; pushes the emissions it causes.
    fn on_event(&mut self, event: &W::Event, out: &mut Vec<Emission<W::Row>>);
    /// Input ended: the watermark jumps to +∞; emit everything still pending.
    fn finish(&mut self, out: &mut Vec<Emission<W::Row>>);
    /// Approximate bytes of operator state now.
    fn state_bytes(&self) -> usize;
    /// Late-data counters so far.
    fn late_stats(&self) -> LateStats;
    /// The whole state as bytes ([`crate::snapshot`]): with the source
    /// offset it was taken at, what a checkpoint stores.
    fn snapshot(&self) -> Result<Vec<u8>> {
        Err(crate::snapshot::unsupported("this stream operator"))
    }
    /// Replaces this (fresh) operator's state with a [`Self::snapshot`]
    /// taken under the same configuration; a snapshot of another
    /// configuration or garbage is an error and leaves the operator as it was.
    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let _ = bytes;
        Err(crate::snapshot::unsupported("this stream operator"))
    }
}

/// A DataFusion job that folds newly arrived events into its results: the
/// batch mode (run on a schedule, re-reading what late data touches) and the
/// micro-batch mode (run per trigger, carrying state in memory).
pub trait IncrementalJob<W: Workload + ?Sized>: Send {
    /// Folds `new_events` (in arrival order) into the results and emits every
    /// result that is new or changed, and retractions. `horizon`: no event
    /// older than it will come again, so state behind it may be dropped;
    /// `None` keeps everything.
    fn run(
        &mut self,
        new_events: &[W::Event],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<W::Row>>,
    ) -> Result<()>;
    /// Approximate bytes of state (carried state, or re-read history) now.
    fn state_bytes(&self) -> usize;
    /// The carried state as bytes (see [`StreamOperator::snapshot`]). Batch
    /// jobs have none to keep: their answer to a crash is a rerun.
    fn snapshot(&self) -> Result<Vec<u8>> {
        Err(crate::snapshot::unsupported("this job"))
    }
    /// Replaces this (fresh) job's carried state with a [`Self::snapshot`].
    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let _ = bytes;
        Err(crate::snapshot::unsupported("this job"))
    }
}

/// Statically declared complexity facts of one workload's mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplexityFacts {
    /// Stateful operators (windows, keyed state, timers) the mode needs.
    pub stateful_operators: u32,
    /// Failure modes the implementation must handle (ordering, late data,
    /// exactly-once, always-on operation, …).
    pub failure_modes: Vec<String>,
    /// Source files that implement the mode, relative to `workloads/src`.
    pub source_files: Vec<&'static str>,
}

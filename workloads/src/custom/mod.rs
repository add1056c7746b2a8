//! Custom workloads: a user's own event columns and a query of filter,
//! per-key window aggregates and an alert threshold, from which the batch
//! SQL, the micro-batch plan and the stream operators are all derived.
//!
//! The definition ([`def`]) is validated and compiled once ([`compiled`]:
//! the semantics every mode shares, documented there); [`reference`] is the
//! ground truth, [`batch`] and [`micro_batch`] run generated SQL on
//! DataFusion, [`stream`] is a per-event operator, [`generate`] makes
//! seeded events, and [`sample`] reads a user's own CSV or Parquet file
//! instead ([`CustomWorkload::from_sample`]).

pub mod batch;
pub mod compiled;
pub mod def;
pub mod events;
pub mod generate;
pub mod micro_batch;
pub mod reference;
pub mod replay;
pub mod sample;
pub mod sql;
pub mod stream;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use compiled::{Compiled, CustomEvent, CustomRow};
pub use def::*;

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::io::write_csv;
use crate::mode::{ComplexityFacts, IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use crate::workload::{Workload, WorkloadKind};

/// The output file of a custom workload.
pub const OUTPUT_FILE: &str = "results.csv";

/// A user's workload, ready to run in every mode.
#[derive(Debug, Clone)]
pub struct CustomWorkload {
    /// What reports and errors call it.
    pub name: String,
    q: Arc<Compiled>,
    /// How its input files are read, when it was built from a sample.
    sample: Option<Arc<sample::SampleSource>>,
}

impl CustomWorkload {
    /// Validates and compiles `def`; the error lists every broken rule.
    pub fn new(name: impl Into<String>, def: &CustomDef) -> Result<Self> {
        Ok(CustomWorkload {
            name: name.into(),
            q: Arc::new(Compiled::new(def)?),
            sample: None,
        })
    }

    /// Loads a sample file under `mapping` (only the columns `query` uses)
    /// and builds the workload of `query` over its columns; returns it with
    /// the sample's events. Its [`Workload::read_events`] then reads files
    /// the same way.
    pub fn from_sample(
        name: impl Into<String>,
        path: &Path,
        mapping: &sample::SampleMapping,
        query: &QueryDef,
    ) -> Result<(Self, Dataset<CustomEvent>)> {
        Self::from_loaded(name, query, sample::load(path, mapping, Some(query))?)
    }

    /// Builds the workload of `query` over an already loaded sample (e.g.
    /// loaded before the query was written); returns it with the events.
    pub fn from_loaded(
        name: impl Into<String>,
        query: &QueryDef,
        loaded: sample::LoadedSample,
    ) -> Result<(Self, Dataset<CustomEvent>)> {
        let def = CustomDef {
            columns: loaded.columns,
            query: query.clone(),
            sql: None,
        };
        let q = Compiled::with_texts(&def, Arc::clone(loaded.source.texts()))?;
        Ok((
            CustomWorkload {
                name: name.into(),
                q: Arc::new(q),
                sample: Some(Arc::new(loaded.source)),
            },
            loaded.data,
        ))
    }

    /// How input files are read, when the workload was built from a sample.
    pub fn sample(&self) -> Option<&sample::SampleSource> {
        self.sample.as_deref()
    }

    /// The definition.
    pub fn def(&self) -> &CustomDef {
        &self.q.def
    }

    /// Records the SQL text the query was written as, for the report.
    pub fn keep_sql(&mut self, sql: String) {
        Arc::make_mut(&mut self.q).def.sql = Some(sql);
    }

    /// The DataFusion SQL the batch job runs for this query (over the
    /// landed `lake` and the run's `new_events`): what a report shows
    /// beside the user's own SQL.
    pub fn batch_sql(&self) -> String {
        match self.q.window {
            compiled::Window::Sliding { size, slide } => batch::sliding_sql(&self.q, size, slide),
            compiled::Window::Session { gap } => batch::session_sql(&self.q, gap),
        }
    }

    /// The compiled query (the shared semantics).
    pub fn compiled(&self) -> &Compiled {
        &self.q
    }

    /// The output header: key column, window bounds, aggregates.
    pub fn header(&self) -> Vec<&str> {
        let d = &self.q.def;
        let mut h = vec![d.query.key.as_str(), "window_start", "window_end"];
        h.extend(d.query.aggregates.iter().map(|a| a.name.as_str()));
        h
    }

    /// One row as output fields (numbers in fixed point).
    pub fn format_row(&self, r: &CustomRow) -> Vec<String> {
        let mut f = vec![
            csv_field(self.q.key_text(r.key)),
            r.window_start.to_string(),
            r.window_end.to_string(),
        ];
        for (i, a) in self.q.aggs.iter().enumerate() {
            f.push(compiled::format_fixed(r.values[i], a.decimals));
        }
        f
    }
}

/// A field quoted as CSV needs it (a sample's text may hold commas,
/// quotes or line breaks); generated values never do.
fn csv_field(s: String) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl Workload for CustomWorkload {
    const KIND: WorkloadKind = WorkloadKind::Custom;
    type Event = CustomEvent;
    type Row = CustomRow;

    fn name(&self) -> &str {
        &self.name
    }

    fn generate(&self, cfg: &crate::generate::GenConfig) -> Result<Dataset<CustomEvent>> {
        generate::generate(self.def(), cfg)
    }

    fn reference(&self, events: &[CustomEvent]) -> Vec<CustomRow> {
        reference::rows(&self.q, events)
    }

    fn partition_key(&self, e: &CustomEvent) -> u64 {
        e.values[self.q.key] as u64
    }

    fn partition_key_name(&self) -> String {
        self.q.def.query.key.clone()
    }

    fn stream(&self, cfg: &StreamConfig) -> Box<dyn StreamOperator<Self>> {
        Box::new(stream::CustomStream::new(Arc::clone(&self.q), *cfg))
    }

    fn batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(batch::CustomBatch::new(Arc::clone(&self.q), cfg)?))
    }

    fn micro_batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(micro_batch::CustomMicroBatch::new(
            Arc::clone(&self.q),
            cfg,
        )?))
    }

    /// A workload built from a sample reads a file as its sample was read
    /// ([`sample::reload`]: same columns, text against the sample's
    /// strings); one built from a definition alone has no file format.
    fn read_events(&self, path: &Path) -> Result<Dataset<CustomEvent>> {
        match &self.sample {
            Some(source) => sample::reload(path, source),
            None => Err(WorkloadError::input(
                path,
                None,
                None,
                format!(
                    "reading input files is supported only for custom workloads built from a sample (`{}` was built from its definition; its events are generated)",
                    self.name
                ),
            )),
        }
    }

    fn write_outputs(
        &self,
        rows: &[CustomRow],
        _dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let mut rows = rows.to_vec();
        rows.sort();
        let path = write_csv(
            dir,
            OUTPUT_FILE,
            &self.header(),
            rows.iter().map(|r| self.format_row(r)),
        )?;
        Ok(vec![path])
    }

    fn output_files(&self) -> &'static [&'static str] {
        &[OUTPUT_FILE]
    }

    fn complexity(&self, mode: Mode) -> ComplexityFacts {
        let session = matches!(self.q.window, compiled::Window::Session { .. });
        match mode {
            Mode::Batch => ComplexityFacts {
                stateful_operators: 1,
                failure_modes: vec![
                    "re-reading the windows late events touch".into(),
                    "replacing or retracting recomputed windows".into(),
                ],
                source_files: vec!["custom/batch.rs", "custom/micro_batch.rs"],
            },
            Mode::MicroBatch => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "carrying open windows' events between triggers".into(),
                    "late data (state retention vs. allowed lateness)".into(),
                    "always-on driver".into(),
                ],
                source_files: vec!["custom/micro_batch.rs", "custom/batch.rs"],
            },
            Mode::Stream => {
                let mut failure_modes = vec![
                    "out-of-order events".into(),
                    "late data (watermark, allowed lateness, corrections)".into(),
                    "state eviction".into(),
                    "exactly-once emission".into(),
                    "always-on operation".into(),
                ];
                if session {
                    failure_modes.push("session merges (retractions)".into());
                }
                ComplexityFacts {
                    stateful_operators: 2,
                    failure_modes,
                    source_files: vec!["custom/stream.rs"],
                }
            }
        }
    }
}

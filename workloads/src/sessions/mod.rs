//! `sessionization`: per-user sessions split by gaps of more than 30 minutes
//! (`shared/workloads.md` §3).

pub mod batch;
pub mod micro_batch;
pub mod reference;
pub mod stream;
pub mod window_fns;

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::Result;
use crate::event::Click;
use crate::io::{ColType, read_rows, write_csv, write_events_csv};
use crate::mode::{ComplexityFacts, IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use crate::output::OutputRow;
use crate::workload::{Workload, WorkloadKind};

/// A click more than this after the user's previous click starts a new
/// session; exactly this much stays in the same session.
pub const SESSION_GAP_MS: i64 = 1_800_000;

/// One row of `sessions`. Field order is the output order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Session {
    pub user_id: u64,
    pub session_start: i64,
    pub session_end: i64,
    pub clicks: u64,
    pub distinct_pages: u64,
}

impl OutputRow for Session {
    /// `(user_id, session_start)`: a late click that moves the start retracts
    /// the old key and upserts the new one.
    type Key = (u64, i64);
    fn key(&self) -> (u64, i64) {
        (self.user_id, self.session_start)
    }
}

/// The `sessionization` workload.
pub struct Sessionization;

const COLUMNS: &[(&str, ColType)] = &[
    ("user_id", ColType::U64),
    ("page", ColType::Str),
    ("event_time", ColType::Time),
];

/// Output file of the contract.
const SESSIONS_FILE: &str = "sessions.csv";

impl Workload for Sessionization {
    const KIND: WorkloadKind = WorkloadKind::Sessionization;
    type Event = Click;
    type Row = Session;

    fn generate(&self, cfg: &crate::generate::GenConfig) -> Result<Dataset<Click>> {
        crate::generate::clicks(cfg)
    }

    fn reference(&self, events: &[Click]) -> Vec<Session> {
        reference::sessions(events)
    }

    fn partition_key(&self, e: &Click) -> u64 {
        e.user_id
    }

    fn partition_key_name(&self) -> String {
        "user_id".into()
    }

    fn stream(&self, cfg: &StreamConfig) -> Box<dyn StreamOperator<Self>> {
        Box::new(stream::SessionStream::new(*cfg))
    }

    fn batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(batch::SessionBatch::new(cfg)?))
    }

    fn micro_batch(&self, cfg: &JobConfig) -> Result<Box<dyn IncrementalJob<Self>>> {
        Ok(Box::new(micro_batch::SessionMicroBatch::new(cfg)?))
    }

    fn read_events(&self, path: &Path) -> Result<Dataset<Click>> {
        let (events, dict) = read_rows(path, COLUMNS, |r| {
            Ok(Click {
                user_id: r.u64(0),
                page: r.id(1),
                event_time: r.i64(2),
            })
        })?;
        Ok(Dataset::from_arrival_order(events, dict))
    }

    fn write_events(&self, events: &[Click], dict: &Dictionary, path: &Path) -> Result<()> {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        write_events_csv(path, &names, events, |c, line| {
            use std::io::Write;
            let _ = write!(line, "{},{},{}", c.user_id, dict.get(c.page), c.event_time);
        })
    }

    fn write_outputs(
        &self,
        rows: &[Session],
        _dict: &Dictionary,
        dir: &Path,
    ) -> Result<Vec<PathBuf>> {
        let mut rows = rows.to_vec();
        rows.sort();
        let path = write_csv(
            dir,
            SESSIONS_FILE,
            &[
                "user_id",
                "session_start",
                "session_end",
                "clicks",
                "distinct_pages",
            ],
            rows.iter().map(|s| {
                [
                    s.user_id.to_string(),
                    s.session_start.to_string(),
                    s.session_end.to_string(),
                    s.clicks.to_string(),
                    s.distinct_pages.to_string(),
                ]
            }),
        )?;
        Ok(vec![path])
    }

    fn output_files(&self) -> &'static [&'static str] {
        &[SESSIONS_FILE]
    }

    fn complexity(&self, mode: Mode) -> ComplexityFacts {
        match mode {
            Mode::Batch => ComplexityFacts {
                stateful_operators: 1,
                failure_modes: vec![
                    "re-reading sessions that cross a run boundary or that late clicks touch"
                        .into(),
                    "replacing sessions merged by late clicks".into(),
                ],
                source_files: vec!["sessions/batch.rs", "sessions/window_fns.rs"],
            },
            Mode::MicroBatch => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "carrying open sessions between triggers".into(),
                    "late data (merges, retractions)".into(),
                    "always-on driver".into(),
                ],
                source_files: vec![
                    "sessions/micro_batch.rs",
                    "sessions/batch.rs",
                    "sessions/window_fns.rs",
                ],
            },
            Mode::Stream => ComplexityFacts {
                stateful_operators: 2,
                failure_modes: vec![
                    "out-of-order clicks (session merges)".into(),
                    "late data (watermark, allowed lateness, retractions)".into(),
                    "session-gap timers".into(),
                    "exactly-once emission".into(),
                    "always-on operation".into(),
                ],
                source_files: vec!["sessions/stream.rs"],
            },
        }
    }
}

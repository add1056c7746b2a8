//! Job records and where they live: `<data dir>/jobs/<job id>.json`,
//! written atomically at every state change (not at every progress
//! update), so a restart knows which jobs finished and which were cut short.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::storage::{valid_id, write_atomic};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
    TimedOut,
    /// The server stopped while the job was queued or running.
    Interrupted,
}

impl JobState {
    /// True once the job will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }

    /// The state as the API writes it (`timed-out`).
    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::TimedOut => "timed-out",
            JobState::Interrupted => "interrupted",
        }
    }
}

/// Where a finished job's report goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// A reference workload's report, `<data>/reports/<report_id>.json`.
    Report { report_id: String },
    /// An uploaded spec's report, `<data>/specs/<spec_id>/report.json`.
    Spec { spec_id: String },
}

/// A job as the API shows it and as it is persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: String,
    pub target: Target,
    /// The scenario's name.
    pub description: String,
    pub state: JobState,
    /// What the running job is doing now.
    pub stage: String,
    /// Overall progress, 0–100.
    pub percent: f64,
    /// Why it failed, was stopped or interrupted.
    pub error: Option<String>,
    /// A cancel was asked for and takes effect at the next progress point.
    #[serde(default)]
    pub cancel_requested: bool,
    pub queued_at_unix: u64,
    pub started_at_unix: Option<u64>,
    pub finished_at_unix: Option<u64>,
    pub time_limit_seconds: u64,
}

/// The job directory.
#[derive(Debug, Clone)]
pub struct JobStore {
    dir: PathBuf,
}

impl JobStore {
    /// Opens (creating if needed) `<data_dir>/jobs`.
    pub fn open(data_dir: &Path) -> anyhow::Result<JobStore> {
        let dir = data_dir.join("jobs");
        fs::create_dir_all(&dir)
            .with_context(|| format!("creating the job directory {}", dir.display()))?;
        Ok(JobStore { dir })
    }

    fn path(&self, id: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(valid_id(id), "invalid job id `{id}`");
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// Writes a job's record.
    pub fn save(&self, job: &JobRecord) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(job).context("serializing the job record")?;
        write_atomic(&self.path(&job.id)?, &json)
    }

    /// Deletes a job's record (missing is fine).
    pub fn remove(&self, id: &str) -> anyhow::Result<()> {
        let path = self.path(id)?;
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", path.display()))
            }
            _ => Ok(()),
        }
    }

    /// Every readable record; unreadable files are logged and skipped.
    pub fn load_all(&self) -> anyhow::Result<Vec<JobRecord>> {
        let mut jobs = Vec::new();
        let entries =
            fs::read_dir(&self.dir).with_context(|| format!("listing {}", self.dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("listing {}", self.dir.display()))?
                .path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            if name.starts_with('.') || !valid_id(id) {
                continue;
            }
            let parsed = fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str::<JobRecord>(&t).map_err(|e| e.to_string()));
            match parsed {
                Ok(job) if job.id == id => jobs.push(job),
                Ok(job) => {
                    tracing::warn!(file = %name, id = %job.id, "job file name and id differ: skipped")
                }
                Err(e) => {
                    tracing::warn!(file = %name, error = %e, "unreadable job record: skipped")
                }
            }
        }
        Ok(jobs)
    }
}

//! Job records on disk: `<data dir>/jobs/<job id>.json`, written atomically
//! at every state change (not at every progress update), so a restart knows
//! which jobs finished and which were cut short.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::jobs::JobRecord;
use crate::storage::{valid_id, write_atomic};

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

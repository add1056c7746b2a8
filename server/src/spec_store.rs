//! Uploaded specs on disk, one directory per spec id:
//! `<data dir>/specs/<id>/spec.toml` (or `spec.json`, the text as uploaded),
//! `meta.json` (written last: a directory without it is an interrupted
//! upload) and `report.json` once its run has finished. Ids are generated
//! here and checked by [`valid_id`] before any path is built, so no user
//! text ever reaches a path.
//!
//! A sample upload (`crate::samples`) is a spec-like entry in the same
//! directory: `sample.csv` or `sample.parquet` (the file as uploaded),
//! `schema.json` (what `inspect` found), `meta.json` (with `sample` set,
//! written last), then `sample.json` (the run request: SQL and mapping)
//! and `report.json` once it has been run. Its upload streams into a
//! hidden temporary file (`.upload-…`) beside the spec directories, which
//! is renamed into place only once the file has been inspected; temporary
//! files left by a crash are removed at start.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use bench_harness::report::Report;
use serde::{Deserialize, Serialize};
use workloads::custom::sample::SampleSchema;

use crate::storage::{Skipped, unix_now, valid_id, write_atomic};

/// Most specs kept at once (each holds a report of up to a few MB).
pub const MAX_SPECS: usize = 200;

/// What is known about an uploaded spec besides its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecMeta {
    pub id: String,
    /// The spec's own `name` (display only).
    pub name: String,
    /// `toml` or `json`.
    pub format: String,
    pub created_at_unix: u64,
    /// The job that measures it (empty for a sample not run yet).
    pub job_id: String,
    /// Set when the entry is a sample upload, not a spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleMeta>,
}

/// What is known about an uploaded sample file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleMeta {
    /// The file's name as uploaded (display only, never a path).
    pub file_name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Prefix of the temporary files sample uploads stream into.
const UPLOAD_TEMP_PREFIX: &str = ".upload-";

/// A spec loaded from disk.
#[derive(Debug, Clone)]
pub struct StoredSpec {
    pub meta: SpecMeta,
    /// The spec as uploaded; for a sample, its run request (`sample.json`,
    /// empty before the first run).
    pub text: String,
    /// A sample's inferred schema.
    pub schema: Option<SampleSchema>,
    pub report: Option<Report>,
}

/// The file name a sample of `format` (`csv` or `parquet`) is stored as.
pub fn sample_file(format: &str) -> &'static str {
    if format == "parquet" {
        "sample.parquet"
    } else {
        "sample.csv"
    }
}

/// The spec directory.
#[derive(Debug, Clone)]
pub struct SpecStore {
    dir: PathBuf,
}

/// A fresh random id: `s-` and 16 hex digits.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{:016x}", rand::random::<u64>())
}

impl SpecStore {
    /// Opens (creating if needed) `<data_dir>/specs`.
    pub fn open(data_dir: &Path) -> anyhow::Result<SpecStore> {
        let dir = data_dir.join("specs");
        fs::create_dir_all(&dir)
            .with_context(|| format!("creating the spec directory {}", dir.display()))?;
        // Uploads cut short by a crash: never inspected, never listed.
        if let Ok(entries) = fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name.to_string_lossy().starts_with(UPLOAD_TEMP_PREFIX) {
                    tracing::warn!(file = %entry.path().display(), "removing an interrupted sample upload");
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(SpecStore { dir })
    }

    /// A fresh temporary path (in the spec directory, so moving it into a
    /// sample's directory is an atomic rename) for a sample upload of
    /// `format` to stream into.
    pub fn temp_upload_path(&self, format: &str) -> PathBuf {
        self.dir.join(format!(
            "{UPLOAD_TEMP_PREFIX}{:016x}.{format}",
            rand::random::<u64>()
        ))
    }

    /// Where a stored sample's file is.
    pub fn sample_path(&self, meta: &SpecMeta) -> anyhow::Result<PathBuf> {
        Ok(self.spec_dir(&meta.id)?.join(sample_file(&meta.format)))
    }

    /// Moves an inspected upload into a reserved directory, then writes its
    /// schema and, last, its metadata.
    pub fn write_sample(
        &self,
        meta: &SpecMeta,
        upload: &Path,
        schema: &SampleSchema,
    ) -> anyhow::Result<()> {
        let dest = self.sample_path(meta)?;
        fs::rename(upload, &dest)
            .with_context(|| format!("moving {} to {}", upload.display(), dest.display()))?;
        let dir = self.spec_dir(&meta.id)?;
        let json = serde_json::to_vec_pretty(schema).context("serializing the schema")?;
        write_atomic(&dir.join("schema.json"), &json)?;
        self.write_meta(meta)
    }

    /// Rewrites an entry's metadata.
    pub fn write_meta(&self, meta: &SpecMeta) -> anyhow::Result<()> {
        let dir = self.spec_dir(&meta.id)?;
        let json = serde_json::to_vec_pretty(meta).context("serializing spec metadata")?;
        write_atomic(&dir.join("meta.json"), &json)
    }

    /// Stores a sample's run request and drops the previous run's report.
    pub fn write_sample_request(&self, id: &str, request: &str) -> anyhow::Result<()> {
        let dir = self.spec_dir(id)?;
        anyhow::ensure!(dir.is_dir(), "sample `{id}` was deleted");
        write_atomic(&dir.join("sample.json"), request.as_bytes())?;
        match fs::remove_file(dir.join("report.json")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).context("removing the previous report")
            }
            _ => Ok(()),
        }
    }

    fn spec_dir(&self, id: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(valid_id(id), "invalid spec id `{id}`");
        Ok(self.dir.join(id))
    }

    /// Reserves a new, unused spec id (its directory is created).
    pub fn reserve(&self) -> anyhow::Result<String> {
        for _ in 0..8 {
            let id = new_id("s");
            let dir = self.spec_dir(&id)?;
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(id),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("creating {}", dir.display()));
                }
            }
        }
        anyhow::bail!("could not find an unused spec id")
    }

    /// Writes a reserved spec's text, then its metadata.
    pub fn write(&self, meta: &SpecMeta, text: &str) -> anyhow::Result<()> {
        let dir = self.spec_dir(&meta.id)?;
        let ext = if meta.format == "json" {
            "json"
        } else {
            "toml"
        };
        write_atomic(&dir.join(format!("spec.{ext}")), text.as_bytes())?;
        let json = serde_json::to_vec_pretty(meta).context("serializing spec metadata")?;
        write_atomic(&dir.join("meta.json"), &json)
    }

    /// Stores a spec's report.
    pub fn save_report(&self, id: &str, report: &Report) -> anyhow::Result<()> {
        let dir = self.spec_dir(id)?;
        anyhow::ensure!(dir.is_dir(), "spec `{id}` was deleted");
        let json = serde_json::to_vec_pretty(report).context("serializing the report")?;
        write_atomic(&dir.join("report.json"), &json)
    }

    /// Deletes a spec's directory with everything in it.
    pub fn delete(&self, id: &str) -> anyhow::Result<()> {
        let dir = self.spec_dir(id)?;
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))
    }

    /// Every complete spec, oldest first; unreadable ones as [`Skipped`].
    /// Directories of interrupted uploads (no `meta.json`) older than a
    /// minute are removed.
    pub fn load_all(&self) -> anyhow::Result<(Vec<StoredSpec>, Vec<Skipped>)> {
        let mut specs = Vec::new();
        let mut skipped = Vec::new();
        let entries =
            fs::read_dir(&self.dir).with_context(|| format!("listing {}", self.dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("listing {}", self.dir.display()))?
                .path();
            let Some(id) = path.file_name().and_then(|n| n.to_str()).map(String::from) else {
                continue;
            };
            if !path.is_dir() || !valid_id(&id) {
                continue;
            }
            match load_one(&path, &id) {
                Ok(Some(spec)) => specs.push(spec),
                Ok(None) => {
                    let old = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age.as_secs() > 60);
                    if old {
                        tracing::warn!(spec = %id, "removing an interrupted upload");
                        let _ = fs::remove_dir_all(&path);
                    }
                }
                Err(e) => skipped.push(Skipped {
                    file: format!("specs/{id}"),
                    error: format!("{e:#}"),
                }),
            }
        }
        specs.sort_by(|a, b| {
            a.meta
                .created_at_unix
                .cmp(&b.meta.created_at_unix)
                .then_with(|| a.meta.id.cmp(&b.meta.id))
        });
        Ok((specs, skipped))
    }
}

/// One spec directory; `None` when its upload never completed.
fn load_one(dir: &Path, id: &str) -> anyhow::Result<Option<StoredSpec>> {
    let meta_path = dir.join("meta.json");
    if !meta_path.is_file() {
        return Ok(None);
    }
    let meta: SpecMeta = serde_json::from_str(
        &fs::read_to_string(&meta_path)
            .with_context(|| format!("reading {}", meta_path.display()))?,
    )
    .with_context(|| format!("parsing {}", meta_path.display()))?;
    anyhow::ensure!(meta.id == id, "meta.json names another id `{}`", meta.id);
    let (text, schema) = if meta.sample.is_some() {
        let file = dir.join(sample_file(&meta.format));
        anyhow::ensure!(
            file.is_file(),
            "the sample file {} is missing",
            file.display()
        );
        let schema_path = dir.join("schema.json");
        let schema: SampleSchema = serde_json::from_str(
            &fs::read_to_string(&schema_path)
                .with_context(|| format!("reading {}", schema_path.display()))?,
        )
        .with_context(|| format!("parsing {}", schema_path.display()))?;
        let request = dir.join("sample.json");
        let text = if request.is_file() {
            fs::read_to_string(&request)
                .with_context(|| format!("reading {}", request.display()))?
        } else {
            String::new()
        };
        (text, Some(schema))
    } else {
        let ext = if meta.format == "json" {
            "json"
        } else {
            "toml"
        };
        let spec_path = dir.join(format!("spec.{ext}"));
        let text = fs::read_to_string(&spec_path)
            .with_context(|| format!("reading {}", spec_path.display()))?;
        (text, None)
    };
    let report_path = dir.join("report.json");
    let report = if report_path.is_file() {
        let text = fs::read_to_string(&report_path)
            .with_context(|| format!("reading {}", report_path.display()))?;
        Some(
            serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", report_path.display()))?,
        )
    } else {
        None
    };
    Ok(Some(StoredSpec {
        meta,
        text,
        schema,
        report,
    }))
}

/// Metadata for a new upload.
pub fn meta(id: String, name: String, format: &str, job_id: String) -> SpecMeta {
    SpecMeta {
        id,
        name,
        format: format.to_string(),
        created_at_unix: unix_now(),
        job_id,
        sample: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_deletes_and_rejects_bad_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = SpecStore::open(dir.path()).unwrap();
        let id = store.reserve().unwrap();
        assert!(valid_id(&id), "{id}");
        let m = meta(id.clone(), "My spec".into(), "toml", "j-1".into());
        store.write(&m, "name = \"My spec\"\n").unwrap();
        // An upload that never finished is not listed.
        let half = store.reserve().unwrap();
        let (specs, skipped) = store.load_all().unwrap();
        assert!(skipped.is_empty());
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].meta, m);
        assert_eq!(specs[0].text, "name = \"My spec\"\n");
        assert!(specs[0].report.is_none());
        assert!(store.delete("../reports").is_err());
        assert!(
            store
                .save_report("..", &crate::storage::tests::sample_report())
                .is_err()
        );
        store.delete(&id).unwrap();
        store.delete(&half).unwrap();
        assert!(store.load_all().unwrap().0.is_empty());
        assert!(
            store
                .save_report(&id, &crate::storage::tests::sample_report())
                .is_err()
        );
    }

    #[test]
    fn a_corrupt_meta_is_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let store = SpecStore::open(dir.path()).unwrap();
        let id = store.reserve().unwrap();
        fs::write(
            dir.path().join("specs").join(&id).join("meta.json"),
            "{ nope",
        )
        .unwrap();
        let (specs, skipped) = store.load_all().unwrap();
        assert!(specs.is_empty());
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].file.contains(&id));
    }
}

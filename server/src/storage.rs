//! Reports on disk: one JSON file per report in `<data dir>/reports/`,
//! written atomically (temporary file in the same directory, fsync, rename)
//! so a crash never leaves a half-written report. Loading skips, and
//! reports, any file that cannot be read or parsed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use bench_harness::report::Report;

/// A report file that could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub file: String,
    pub error: String,
}

/// Loaded reports with their ids.
pub type IdReports = Vec<(String, Report)>;

/// The report directory.
#[derive(Debug, Clone)]
pub struct ReportStore {
    dir: PathBuf,
}

/// True for ids that are safe as file names: `[a-z0-9-]`, 1–100 chars.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, fsync, rename, fsync of the directory. Readers (and a restart
/// after a crash) see the old content or the new, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no parent directory", path.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} has no file name", path.display()))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow::anyhow!("writing {}: {e}", path.display())
    })
}

impl ReportStore {
    /// Opens (creating if needed) `<data_dir>/reports`.
    pub fn open(data_dir: &Path) -> anyhow::Result<ReportStore> {
        let dir = data_dir.join("reports");
        fs::create_dir_all(&dir)
            .with_context(|| format!("creating the report directory {}", dir.display()))?;
        Ok(ReportStore { dir })
    }

    /// The directory reports live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `report` as `<id>.json`, atomically.
    pub fn save(&self, id: &str, report: &Report) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(valid_id(id), "invalid report id `{id}`");
        let path = self.dir.join(format!("{id}.json"));
        let json = serde_json::to_vec_pretty(report).context("serializing the report")?;
        write_atomic(&path, &json)?;
        Ok(path)
    }

    /// Loads every `*.json` report, oldest first; unreadable files are
    /// returned as [`Skipped`] (and left in place for inspection).
    pub fn load_all(&self) -> anyhow::Result<(IdReports, Vec<Skipped>)> {
        let mut reports = Vec::new();
        let mut skipped = Vec::new();
        let entries =
            fs::read_dir(&self.dir).with_context(|| format!("listing {}", self.dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("listing {}", self.dir.display()))?;
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            if name.starts_with('.') {
                continue; // a temporary file of an interrupted write
            }
            if !valid_id(id) {
                skipped.push(Skipped {
                    file: name.clone(),
                    error: "file name is not a valid report id".into(),
                });
                continue;
            }
            let parsed = fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str::<Report>(&text).map_err(|e| e.to_string()));
            match parsed {
                Ok(report) => reports.push((id.to_string(), report)),
                Err(error) => skipped.push(Skipped { file: name, error }),
            }
        }
        reports.sort_by(|a, b| {
            a.1.generated_at_unix
                .cmp(&b.1.generated_at_unix)
                .then_with(|| a.0.cmp(&b.0))
        });
        skipped.sort_by(|a, b| a.file.cmp(&b.file));
        Ok((reports, skipped))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bench_harness::scenario::Scenario;
    use workloads::WorkloadKind;

    /// A tiny real report (generated once per test binary).
    pub(crate) fn sample_report() -> Report {
        static REPORT: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
        REPORT
            .get_or_init(|| {
                let s = crate::scenarios::reference(
                    WorkloadKind::FraudAlerts,
                    crate::scenarios::Size::Tiny,
                );
                bench_harness::runner::run_scenario(&s, bench_harness::runner::quiet())
                    .expect("tiny scenario runs")
            })
            .clone()
    }

    #[test]
    fn saves_atomically_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReportStore::open(dir.path()).unwrap();
        let report = sample_report();
        let path = store.save("fraud-alerts-1", &report).unwrap();
        assert!(path.ends_with("reports/fraud-alerts-1.json"));
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["fraud-alerts-1.json".to_string()]);
        // Overwriting replaces the file whole.
        store.save("fraud-alerts-1", &report).unwrap();
        let (loaded, skipped) = store.load_all().unwrap();
        assert!(skipped.is_empty());
        assert_eq!(loaded.len(), 1);
        // serde_json may round the last bit of a float, so compare what matters.
        let back = &loaded[0].1;
        assert_eq!(back.workload, report.workload);
        assert_eq!(back.generated_at_unix, report.generated_at_unix);
        assert_eq!(back.scenario.events, report.scenario.events);
        let labels = |r: &Report| r.modes.iter().map(|m| m.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(back), labels(&report));
        let _ = Scenario::default_for(WorkloadKind::FraudAlerts);
    }

    #[test]
    fn corrupt_and_stray_files_are_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReportStore::open(dir.path()).unwrap();
        store.save("good", &sample_report()).unwrap();
        fs::write(
            store.dir().join("broken.json"),
            b"{\"schema_version\": 1, \"trunc",
        )
        .unwrap();
        fs::write(store.dir().join("Bad Name.json"), b"{}").unwrap();
        fs::write(store.dir().join(".good.json.tmp-1"), b"partial").unwrap();
        fs::write(store.dir().join("notes.txt"), b"ignored").unwrap();
        let (loaded, skipped) = store.load_all().unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].0, "good");
        let files: Vec<&str> = skipped.iter().map(|s| s.file.as_str()).collect();
        assert_eq!(files, vec!["Bad Name.json", "broken.json"]);
        assert!(skipped[1].error.contains("EOF"), "{:?}", skipped[1]);
    }

    #[test]
    fn ids_are_file_name_safe() {
        assert!(valid_id("fraud-alerts-1700000000"));
        assert!(!valid_id("../etc/passwd"));
        assert!(!valid_id(""));
        assert!(!valid_id("A"));
        let dir = tempfile::tempdir().unwrap();
        let store = ReportStore::open(dir.path()).unwrap();
        assert!(store.save("../x", &sample_report()).is_err());
    }
}

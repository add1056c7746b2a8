//! Writing a report and its charts to a directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::chart;
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes `report.json` and the charts into `dir` (created if needed),
/// recording the chart names in the report. Returns the report's path.
pub fn write_report(report: &mut Report, dir: &Path) -> Result<PathBuf> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let charts = chart::write_all(report, dir)?;
    report.charts = charts
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let path = dir.join("report.json");
    let tmp = dir.join(".report.json.tmp");
    // A report is plain data: serializing it cannot fail.
    let json = serde_json::to_string_pretty(report).map_err(|e| Error::Invariant {
        plan: "report".into(),
        message: format!("cannot serialize: {e}"),
    })?;
    fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

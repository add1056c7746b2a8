//! Writing a report and its charts to a directory.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::chart;
use crate::report::Report;

/// Writes `report.json` and the charts into `dir` (created if needed),
/// recording the chart names in the report. Returns the report's path.
pub fn write_report(report: &mut Report, dir: &Path) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let charts = chart::write_all(report, dir).context("rendering charts")?;
    report.charts = charts
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let path = dir.join("report.json");
    let tmp = dir.join(".report.json.tmp");
    let json = serde_json::to_string_pretty(report).context("serializing the report")?;
    fs::write(&tmp, json).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

//! A custom workload on the user's own sample file: the query (SQL) over
//! the file's inferred columns, the event-time and key columns mapped
//! (given, else the query's `GROUP BY` key and what inference suggests),
//! optionally replayed at another rate, then every plan of the scenario
//! measured like any other run. The CLI (`run --sql … --input FILE`) and
//! the server's sample uploads both go through here: [`prepare`] checks
//! everything that can be wrong with the request before a job is queued,
//! [`run`] measures.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use workloads::custom::CustomEvent;
use workloads::custom::sample::{self, SampleMapping};
use workloads::dataset::Dataset;
use workloads::event::{Click, Order, Transaction};
use workloads::generate::RateProfile;
use workloads::{
    CustomWorkload, DailyReport, FraudAlerts, Sessionization, Workload, WorkloadError, WorkloadKind,
};

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::report::Report;
use crate::runner;
use crate::scenario::Scenario;

/// What to run on a sample: the SQL, which columns are the event time, the
/// key and (optionally) the arrival order, and an optional replay rate —
/// or a reference workload whose contract columns the file has.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRun {
    #[serde(default)]
    pub sql: String,
    /// Measure the file as this reference workload (its rules, its
    /// contract's input columns) instead of a custom SQL query; `sql`,
    /// `event_time`, `key`, `arrival_time` and `rate` are then not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadKind>,
    /// With `workload`: the file's column for each contract column whose
    /// name differs (`{"card_id": "card"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub event_time: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub arrival_time: Option<String>,
    /// Events per second to replay the sample at (event times compressed or
    /// stretched, lateness kept); `None`: as recorded.
    #[serde(default)]
    pub rate: Option<f64>,
}

/// A sample loaded and its workload built: ready to measure.
pub struct Prepared {
    loaded: Loaded,
    /// Where the events came from, for the report.
    pub source: String,
}

/// The events of a prepared sample, as the workload they run as.
enum Loaded {
    Custom(CustomWorkload, Dataset<CustomEvent>),
    FraudAlerts(Dataset<Transaction>),
    DailyReport(Dataset<Order>),
    Sessionization(Dataset<Click>),
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A reference workload over the file (which must have its contract's
/// input columns; the reader names any that are missing or mistyped).
fn prepare_reference(kind: WorkloadKind, path: &Path, request: &SampleRun) -> Result<Prepared> {
    if request.rate.is_some() {
        return Err(Error::Unsupported(
            "rate: replaying at another rate applies to custom (SQL) workloads only".into(),
        ));
    }
    // Renamed columns: read a renamed copy (removed when this returns), and
    // name the user's file, not the copy, in any error.
    let copy_dir;
    let (read, shown) = if request.columns.is_empty() {
        (path.to_path_buf(), None)
    } else {
        copy_dir = tempfile::tempdir().map_err(|e| Error::io(path, e))?;
        let copy = workloads::io::rename::renamed_copy(path, &request.columns, copy_dir.path())?;
        (copy, Some(path))
    };
    let named = |e: WorkloadError| match shown {
        Some(original) => Error::Unsupported(
            e.to_string()
                .replace(&read.display().to_string(), &original.display().to_string()),
        ),
        None => Error::from(e),
    };
    let loaded = match kind {
        WorkloadKind::FraudAlerts => {
            Loaded::FraudAlerts(FraudAlerts.read_events(&read).map_err(named)?)
        }
        WorkloadKind::DailyReport => {
            Loaded::DailyReport(DailyReport.read_events(&read).map_err(named)?)
        }
        WorkloadKind::Sessionization => {
            Loaded::Sessionization(Sessionization.read_events(&read).map_err(named)?)
        }
        WorkloadKind::Custom => {
            return Err(Error::Unsupported(
                "workload: `custom` is not a reference workload; write the query in `sql`".into(),
            ));
        }
    };
    Ok(Prepared {
        loaded,
        source: format!("file {} as {kind}", file_name(path)),
    })
}

fn invalid(path: &Path, message: String) -> Error {
    Error::Workload(WorkloadError::input(path, None, None, message))
}

/// Loads `path` for `request` and builds the workload named `name`: every
/// error (unreadable file, unknown column, SQL that does not parse or names
/// a column the file lacks, an absurd rate) names its place.
pub fn prepare(name: &str, path: &Path, request: &SampleRun) -> Result<Prepared> {
    if let Some(kind) = request.workload {
        return prepare_reference(kind, path, request);
    }
    if !request.columns.is_empty() {
        return Err(Error::Unsupported(
            "columns: renaming columns applies to a reference `workload`; SQL names the file's own columns".into(),
        ));
    }
    let schema = sample::inspect(path)?;
    let suggested = schema.suggested.clone();
    let event_time = request
        .event_time
        .clone()
        .or_else(|| suggested.as_ref().map(|m| m.event_time.clone()))
        .ok_or_else(|| {
            invalid(
                path,
                "no column looks like an event time: name the event-time column".into(),
            )
        })?;
    let key = request
        .key
        .clone()
        .or_else(|| group_by_key(&request.sql))
        .or_else(|| suggested.as_ref().map(|m| m.key.clone()))
        .ok_or_else(|| invalid(path, "name the key column".into()))?;
    let mapping = SampleMapping {
        event_time,
        key,
        arrival_time: request.arrival_time.clone(),
    };
    let loaded = sample::load(path, &mapping, None)?;
    let query = workloads::custom::sql::query_from_sql(&request.sql, &loaded.columns)
        .map_err(|e| Error::Unsupported(format!("sql: {e}")))?;
    let (mut workload, mut data) = CustomWorkload::from_loaded(name, &query, loaded)?;
    workload.keep_sql(request.sql.clone());
    let file = file_name(path);
    let source = match request.rate {
        Some(rate) => {
            let factor = workloads::custom::replay::at_rate(&mut data, rate)?;
            format!(
                "file {file}, replayed at {rate} events/s ({factor:.3}× its own rate, lateness kept)"
            )
        }
        None => format!("file {file}"),
    };
    Ok(Prepared {
        loaded: Loaded::Custom(workload, data),
        source,
    })
}

/// Measures every plan of `s` on a prepared sample; a custom workload's
/// report carries the query (the user's SQL and DataFusion's). A reference
/// workload runs its own default plans, whatever `s` was.
pub fn run(s: &mut Scenario, prepared: &Prepared, progress: &dyn Progress) -> Result<Report> {
    let source = prepared.source.clone();
    let as_reference = |s: &mut Scenario, kind: WorkloadKind| {
        if s.workload != kind {
            let name = std::mem::take(&mut s.name);
            *s = Scenario::default_for(kind);
            s.name = name;
        }
        s.generator.rate = RateProfile::Constant {
            events_per_second: 1.0,
        };
    };
    match &prepared.loaded {
        Loaded::Custom(workload, data) => {
            s.custom = Some(workload.def().clone());
            s.generator.rate = RateProfile::Constant {
                events_per_second: 1.0,
            };
            let mut report = runner::run_on_dataset(workload, s, data, source, progress)?;
            report.query = Some(runner::query_report(workload));
            Ok(report)
        }
        Loaded::FraudAlerts(data) => {
            as_reference(s, WorkloadKind::FraudAlerts);
            runner::run_on_dataset(&FraudAlerts, s, data, source, progress)
        }
        Loaded::DailyReport(data) => {
            as_reference(s, WorkloadKind::DailyReport);
            runner::run_on_dataset(&DailyReport, s, data, source, progress)
        }
        Loaded::Sessionization(data) => {
            as_reference(s, WorkloadKind::Sessionization);
            runner::run_on_dataset(&Sessionization, s, data, source, progress)
        }
    }
}

/// The key of a query's `GROUP BY` (its first plain column), so the file's
/// key column need not be named twice. A rough reading — top-level commas,
/// first word — is enough: the SQL parser checks the query itself.
pub fn group_by_key(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let rest = sql.get(upper.find("GROUP BY")? + "GROUP BY".len()..)?;
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&rest[start..]);
    parts.into_iter().find_map(|part| {
        let word = part.split_whitespace().next()?;
        let word = word.trim_end_matches(';');
        (!word.is_empty() && !word.contains('(')).then(|| word.trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::group_by_key;

    #[test]
    fn the_key_is_read_from_group_by_in_either_order() {
        let q = "SELECT user_id, COUNT(*) FROM events GROUP BY user_id, TUMBLE(event_time, INTERVAL '1' MINUTE)";
        assert_eq!(group_by_key(q).as_deref(), Some("user_id"));
        let q =
            "select 1 from events group by\nSESSION(event_time, INTERVAL '30' MINUTE), \"Card\"";
        assert_eq!(group_by_key(q).as_deref(), Some("Card"));
        assert_eq!(group_by_key("SELECT 1"), None);
        let q = "SELECT 1 FROM events GROUP BY HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE), card HAVING SUM(x) > 5";
        assert_eq!(group_by_key(q).as_deref(), Some("card"));
        // Non-ASCII text before GROUP BY must not split a character.
        assert_eq!(
            group_by_key(
                "SELECT 'é' FROM events GROUP BY k, TUMBLE(event_time, INTERVAL '1' MINUTE)"
            )
            .as_deref(),
            Some("k")
        );
    }
}

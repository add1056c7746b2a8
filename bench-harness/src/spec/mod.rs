//! Workload spec files: how a user describes a workload to measure — one
//! schema, written as TOML by people and as JSON by the browser and
//! scripts. A spec names a reference or custom workload, its load, the
//! candidate plans to compare, the user's SLOs and price overrides;
//! [`Spec::to_scenario`] turns it into the [`crate::scenario::Scenario`] the
//! runner executes. The reference workloads' own defaults are specs too
//! (`workloads/specs/*.toml`), so reference runs and user specs share one
//! path. Field reference: `docs/specs.md`.
//!
//! Entry points: [`parse`] (text, for uploads and tests) and [`load`] (a
//! file, for the CLI). Every size is bounded before or while parsing, and
//! every error names the field it is about.

mod parse;
mod schema;
mod summary;
mod to_scenario;
mod validate;

use std::io::Read;
use std::path::Path;

use workloads::WorkloadKind;
use workloads::validation::FieldError;

pub use parse::{SpecFormat, parse, parse_bytes};
pub use schema::*;
pub use validate::valid_spec_name;

/// Largest spec accepted, in bytes (checked before parsing).
pub const MAX_SPEC_BYTES: usize = 64 * 1024;
/// Longest spec name.
pub const MAX_NAME_LEN: usize = 64;
/// Longest description, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// Highest mean event rate.
pub const MAX_EVENTS_PER_SECOND: f64 = 5_000_000.0;
/// Most events one run may generate (rate × duration); keeps a run within
/// about 1 GB of memory on a small machine.
pub const MAX_EVENTS_PER_RUN: u64 = 20_000_000;
/// Longest event-time span generated (31 days).
pub const MAX_DURATION_MS: i64 = 31 * workloads::time::DAY;
/// Most keys of a reference workload.
pub const MAX_KEYS: u64 = 10_000_000;
/// Most candidates of one mode.
pub const MAX_CANDIDATES_PER_MODE: usize = 8;
/// Most candidates (plans) in all: each one is a full measured run.
pub const MAX_CANDIDATES: usize = 16;
/// Most runs of one batch candidate (each one is a query over history).
pub const MAX_BATCH_RUNS: i64 = 2_000;
/// Most triggers of one micro-batch candidate.
pub const MAX_TRIGGERS: i64 = 50_000;
/// Largest monthly budget accepted, USD.
pub const MAX_BUDGET_USD: f64 = 1e9;

/// The reference workloads' default specs, as shipped in `workloads/specs/`.
pub const REFERENCE_SPECS: [(WorkloadKind, &str); 3] = [
    (WorkloadKind::FraudAlerts, FRAUD_ALERTS_SPEC),
    (WorkloadKind::DailyReport, DAILY_REPORT_SPEC),
    (WorkloadKind::Sessionization, SESSIONIZATION_SPEC),
];

const FRAUD_ALERTS_SPEC: &str = include_str!("../../../workloads/specs/fraud-alerts.toml");
const DAILY_REPORT_SPEC: &str = include_str!("../../../workloads/specs/daily-report.toml");
const SESSIONIZATION_SPEC: &str = include_str!("../../../workloads/specs/sessionization.toml");

/// The default spec (TOML text) of a reference workload; `None` for
/// [`WorkloadKind::Custom`], whose definition comes from the user.
pub const fn reference_spec(kind: WorkloadKind) -> Option<&'static str> {
    match kind {
        WorkloadKind::FraudAlerts => Some(FRAUD_ALERTS_SPEC),
        WorkloadKind::DailyReport => Some(DAILY_REPORT_SPEC),
        WorkloadKind::Sessionization => Some(SESSIONIZATION_SPEC),
        WorkloadKind::Custom => None,
    }
}

/// Formats field errors one per line, for terminals and logs.
pub fn format_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads, parses and validates a spec file. The format comes from the
/// extension (`.toml`, `.json`), else from the content. The file is read
/// at most [`MAX_SPEC_BYTES`] + 1 bytes, so a huge or endless file is
/// refused without reading it all; the error lists every broken rule.
pub fn load(path: &Path) -> crate::Result<Spec> {
    let io = |e| crate::Error::io(path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let what = path.display().to_string();
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(crate::Error::Fields {
            what,
            errors: vec![FieldError {
                path: String::new(),
                message: format!(
                    "the spec is larger than the {MAX_SPEC_BYTES} bytes a spec may have"
                ),
            }],
        });
    }
    let format = SpecFormat::from_path(path)
        .unwrap_or_else(|| SpecFormat::sniff(std::str::from_utf8(&bytes).unwrap_or_default()));
    parse_bytes(&bytes, format).map_err(|errors| crate::Error::Fields {
        what: format!("{what} ({format})"),
        errors,
    })
}

#[cfg(test)]
mod tests;

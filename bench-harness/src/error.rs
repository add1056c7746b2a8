//! The bench harness's error type: what a library caller (the CLI, the web
//! server's job runner, tests) can tell apart and show — a workload failure,
//! a spec that breaks rules (every broken field named), a chart that could
//! not be drawn, a file that could not be read or written, a run that was
//! stopped, a mode that gave a malformed answer. `anyhow` stays in the
//! binaries.

use std::path::{Path, PathBuf};

use workloads::validation::FieldError;
use workloads::{StopReason, WorkloadError};

/// Errors of the bench harness.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A workload's generator, reader or mode failed.
    #[error(transparent)]
    Workload(WorkloadError),
    /// A spec (or a scenario built from one) breaks rules: `what` names the
    /// spec or file, `errors` every broken field.
    #[error("{what} is not valid: {}\n{}", error_count(.errors.len()), crate::spec::format_errors(.errors))]
    Fields {
        what: String,
        errors: Vec<FieldError>,
    },
    /// A chart could not be drawn.
    #[error("chart `{chart}`: {message}")]
    Chart { chart: String, message: String },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A checkpoint or the output journal is unusable (corrupt, from
    /// another version or workload, or its journal lost committed output).
    #[error("{}: {message}", path.display())]
    Recovery { path: PathBuf, message: String },
    /// A replayable log (broker) failed: which log, doing what.
    #[error(transparent)]
    Log(#[from] crate::log::LogError),
    /// The run was asked to stop (cancel, time limit, shutdown) and did.
    #[error("the run was stopped: {0}")]
    Stopped(StopReason),
    /// A mode or step broke one of the harness's invariants (e.g. a mode's
    /// output has duplicate keys): a bug, named with the plan it came from.
    #[error("{plan}: {message}")]
    Invariant { plan: String, message: String },
    /// A Ballista cluster (ours or the user's) could not be started, was
    /// unreachable, or failed mid-query: what failed, and where its logs are.
    #[error("Ballista cluster: {0}")]
    Cluster(String),
    /// A request the harness cannot carry out as asked (e.g. a real-time
    /// validation of a batch plan), with why.
    #[error("{0}")]
    Unsupported(String),
}

impl From<WorkloadError> for Error {
    fn from(e: WorkloadError) -> Self {
        match e {
            WorkloadError::Stopped(reason) => Error::Stopped(reason),
            e => Error::Workload(e),
        }
    }
}

impl From<StopReason> for Error {
    fn from(reason: StopReason) -> Self {
        Error::Stopped(reason)
    }
}

impl Error {
    /// An I/O error at `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Why the run stopped, when it was stopped rather than failed.
    pub fn stop_reason(&self) -> Option<StopReason> {
        match self {
            Error::Stopped(r) => Some(*r),
            _ => None,
        }
    }
}

/// "1 error", "3 errors".
fn error_count(n: usize) -> String {
    format!("{n} error{}", if n == 1 { "" } else { "s" })
}

/// Result alias for the bench harness.
pub type Result<T, E = Error> = std::result::Result<T, E>;

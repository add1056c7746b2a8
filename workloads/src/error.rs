//! The workloads crate's error type: every failure names where it happened.

use std::path::PathBuf;

/// Errors from reading inputs, running a mode or writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// Bad input data: the message names the file, and the line and column
    /// where there is one.
    #[error("{file}{}: {message}", location(*line, column.as_deref()))]
    Input {
        file: PathBuf,
        line: Option<u64>,
        column: Option<String>,
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// DataFusion failed while running a batch or micro-batch job.
    #[error("DataFusion job `{job}` failed: {source}")]
    DataFusion {
        job: String,
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// A configuration value is out of its bounds.
    /// A checkpoint's state could not be saved or taken back.
    #[error("state of {what}: {message}")]
    State { what: String, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The computation was asked to stop ([`crate::stop::Stop`]).
    #[error("stopped: {0}")]
    Stopped(crate::stop::StopReason),
}

fn location(line: Option<u64>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}, column `{c}`"),
        (Some(l), None) => format!(":{l}"),
        (None, Some(c)) => format!(", column `{c}`"),
        (None, None) => String::new(),
    }
}

impl WorkloadError {
    /// Wraps a DataFusion error with the name of the job that raised it.
    pub fn datafusion(job: &str, source: datafusion::error::DataFusionError) -> Self {
        WorkloadError::DataFusion {
            job: job.to_string(),
            source,
        }
    }

    /// An input error at `file`, optional 1-based `line` and `column` name.
    pub fn input(
        file: impl Into<PathBuf>,
        line: Option<u64>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        WorkloadError::Input {
            file: file.into(),
            line,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}

impl From<crate::stop::StopReason> for WorkloadError {
    fn from(reason: crate::stop::StopReason) -> Self {
        WorkloadError::Stopped(reason)
    }
}

/// Result alias for the workloads crate.
pub type Result<T, E = WorkloadError> = std::result::Result<T, E>;

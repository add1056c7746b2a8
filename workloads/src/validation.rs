//! Field-path validation errors: every check reports *where* (a dotted path
//! such as `load.events_per_second` or `query.aggregates[2].column`) and
//! *which rule* was broken, and all errors are collected at once so a user
//! fixes a spec in one pass rather than one error per try.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One broken rule at one place in a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `query.window.size`.
    pub path: String,
    /// The rule and the value that broke it.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Collects [`FieldError`]s while walking a spec.
#[derive(Debug, Default, Clone)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// Records that `path` broke a rule.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Checks `lo <= value <= hi` (NaN fails), naming the bounds.
    pub fn range_f64(&mut self, path: &str, value: f64, lo: f64, hi: f64) {
        if !(lo..=hi).contains(&value) {
            self.push(path, format!("must be between {lo} and {hi}, got {value}"));
        }
    }

    /// Checks `lo <= value <= hi` for integers.
    pub fn range_i64(&mut self, path: &str, value: i64, lo: i64, hi: i64) {
        if !(lo..=hi).contains(&value) {
            self.push(path, format!("must be between {lo} and {hi}, got {value}"));
        }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

//! Output rows as a changelog: every mode emits [`Emission`]s (upserts and
//! retractions keyed by the row's key), and the final output of a run is the
//! changelog materialized. Comparing that with ground truth gives the
//! precision and recall the report shows for every mode.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::time::Millis;

/// A row of a workload's output. `Ord` is the contract's output order; two
/// rows with the same key never coexist in a final output. Rows and keys
/// are serde types so a changelog can be journaled to disk (the recovery
/// sink) and read back.
pub trait OutputRow:
    Clone + Ord + Eq + Debug + Send + Sync + Serialize + DeserializeOwned + 'static
{
    /// What identifies a result across corrections (e.g. `(day, store, category)`).
    type Key: Ord + Clone + Eq + Hash + Debug + Send + Sync + Serialize + DeserializeOwned;
    /// The row's key.
    fn key(&self) -> Self::Key;
}

/// One change to the output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub enum Change<R: OutputRow> {
    /// Insert the row, or replace the row with the same key.
    Upsert(R),
    /// Remove the row with this key (e.g. two sessions merged by a late click).
    Retract(R::Key),
}

/// A change plus what its latency is measured from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emission<R: OutputRow> {
    pub change: Change<R>,
    /// Event time of the newest input the emitted result depends on. Latency
    /// of the emission = virtual emission time − `depends_on`.
    pub depends_on: Millis,
}

impl<R: OutputRow> Emission<R> {
    /// An upsert of `row` depending on inputs up to `depends_on`.
    pub fn upsert(row: R, depends_on: Millis) -> Self {
        Emission {
            change: Change::Upsert(row),
            depends_on,
        }
    }

    /// A retraction of `key`.
    pub fn retract(key: R::Key, depends_on: Millis) -> Self {
        Emission {
            change: Change::Retract(key),
            depends_on,
        }
    }
}

/// Applies changes in order and keeps the current row per key.
#[derive(Debug, Clone)]
pub struct Materialized<R: OutputRow> {
    rows: BTreeMap<R::Key, R>,
    /// Upserts that replaced a different row with the same key.
    pub updates: u64,
    /// Retractions that removed a row.
    pub retractions: u64,
}

impl<R: OutputRow> Default for Materialized<R> {
    fn default() -> Self {
        Materialized {
            rows: BTreeMap::new(),
            updates: 0,
            retractions: 0,
        }
    }
}

impl<R: OutputRow> Materialized<R> {
    /// Applies one change.
    pub fn apply(&mut self, change: &Change<R>) {
        match change {
            Change::Upsert(row) => {
                if let Some(old) = self.rows.insert(row.key(), row.clone())
                    && old != *row
                {
                    self.updates += 1;
                }
            }
            Change::Retract(key) => {
                if self.rows.remove(key).is_some() {
                    self.retractions += 1;
                }
            }
        }
    }

    /// The current rows in the contract's output order.
    pub fn rows(&self) -> Vec<R> {
        let mut v: Vec<R> = self.rows.values().cloned().collect();
        v.sort();
        v
    }
}

/// The final output of a changelog, in output order.
pub fn materialize<'a, R: OutputRow>(
    emissions: impl IntoIterator<Item = &'a Emission<R>>,
) -> Vec<R> {
    let mut m = Materialized::default();
    for e in emissions {
        m.apply(&e.change);
    }
    m.rows()
}

/// A produced output compared with ground truth (rows are unique, so sets).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison<R> {
    pub expected: usize,
    pub produced: usize,
    pub matched: usize,
    /// Expected rows the mode did not produce (at most [`Comparison::SAMPLE`]).
    pub missing_sample: Vec<R>,
    /// Produced rows that are not expected (at most [`Comparison::SAMPLE`]).
    pub extra_sample: Vec<R>,
}

impl<R> Comparison<R> {
    /// How many example rows a comparison keeps of each kind.
    pub const SAMPLE: usize = 5;

    /// Rows produced that are correct / rows produced (1 when nothing produced
    /// and nothing expected).
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.produced)
    }

    /// Expected rows produced / rows expected.
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.expected)
    }

    /// Produced exactly the expected rows.
    pub fn is_exact(&self) -> bool {
        self.matched == self.expected && self.matched == self.produced
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Compares two sorted-or-not row lists as sets.
pub fn compare<R: OutputRow>(expected: &[R], produced: &[R]) -> Comparison<R> {
    let exp: std::collections::BTreeSet<&R> = expected.iter().collect();
    let got: std::collections::BTreeSet<&R> = produced.iter().collect();
    let matched = exp.intersection(&got).count();
    Comparison {
        expected: exp.len(),
        produced: got.len(),
        matched,
        missing_sample: exp
            .difference(&got)
            .take(Comparison::<R>::SAMPLE)
            .map(|r| (*r).clone())
            .collect(),
        extra_sample: got
            .difference(&exp)
            .take(Comparison::<R>::SAMPLE)
            .map(|r| (*r).clone())
            .collect(),
    }
}

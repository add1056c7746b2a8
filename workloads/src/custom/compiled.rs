//! A validated [`CustomDef`] compiled into the integer form every mode
//! shares: columns by index, predicates as integer comparisons, window
//! arithmetic, the output row and how an aggregate value is finished.
//!
//! Semantics (one place, used by every mode):
//! - Every value is an `i64`: a number column's value scaled by
//!   `10^decimals`, a key column's value its ordinal `1..=cardinality`
//!   (`<name>-<ordinal>`), a category column's value its index in `values`.
//!   A sampled text column's value ([`ColumnDef::Sampled`]) is its id in
//!   the column's dictionary ([`Texts`]), ids in text order; a sampled
//!   integer column's value is the integer.
//! - Literals are rounded (half away from zero) to the column's decimals;
//!   a text literal that is not a value of its column matches nothing
//!   (`=` is always false, `!=` always true). On a sampled text column
//!   every operator compares text order: a literal that is a value becomes
//!   its id, any other literal its insertion point (`< 'm'` is `id < p`,
//!   `> 'm'` is `id >= p`, where `p` values sort before `'m'`).
//! - The filter runs first: a window holds only the events that pass it, and
//!   a window with no such event has no row.
//! - Windows are half-open `[start, end)`: tumbling `[k·size, (k+1)·size)`,
//!   sliding `[k·slide, k·slide + size)`; an event exactly at `end` belongs
//!   to the next window. A session is a key's filtered events each less than
//!   `gap` after the previous one (a gap of exactly `gap` starts a new
//!   session), `[first, last + gap)`.
//! - Aggregates are exact: count and count-distinct as integers, sum in
//!   `i128`, min/max of scaled values; avg is the exact sum over the count
//!   rounded half away from zero to [`AVG_EXTRA_DECIMALS`] more decimals
//!   than its column.
//! - The alert threshold is rounded to its aggregate's output decimals and
//!   compared as an integer; a window failing it has no row.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::output::OutputRow;
use crate::time::Millis;

use super::def::{
    AggFunction, ColumnDef, CompareOp, CustomDef, Literal, MAX_AGGREGATES, MAX_COLUMNS,
    SampledValues, WindowDef,
};

/// Extra digits an average carries beyond its column's decimals.
pub const AVG_EXTRA_DECIMALS: u32 = 2;

/// One input event of a custom workload: its event time and one value per
/// column (in definition order; unused slots are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomEvent {
    pub event_time: Millis,
    pub values: [i64; MAX_COLUMNS],
}

impl crate::event::Timed for CustomEvent {
    fn event_time(&self) -> Millis {
        self.event_time
    }
}

/// One output row: a key's window and its aggregates (in definition order;
/// unused slots are 0). `newest` — the newest event time in the window — is
/// not written out; it is what the latency of the row is measured from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct CustomRow {
    pub key: i64,
    pub window_start: Millis,
    pub window_end: Millis,
    pub newest: Millis,
    pub values: [i128; MAX_AGGREGATES],
}

impl OutputRow for CustomRow {
    /// `(key, window_start)`: a late event that moves a session's start
    /// retracts the old key and upserts the new one.
    type Key = (i64, Millis);
    fn key(&self) -> (i64, Millis) {
        (self.key, self.window_start)
    }
}

/// `value op literal` on one column, in integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    pub column: usize,
    pub op: CompareOp,
    pub value: i64,
}

/// The window kind with its sizes in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Tumbling is sliding with `slide == size`.
    Sliding {
        size: Millis,
        slide: Millis,
    },
    Session {
        gap: Millis,
    },
}

/// One aggregate: function and input column index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agg {
    pub function: AggFunction,
    pub column: Option<usize>,
    /// Decimals of the output value.
    pub decimals: u32,
}

/// The alert in integers: aggregate index, operator, scaled threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    pub aggregate: usize,
    pub op: CompareOp,
    pub value: i128,
}

/// The strings behind a sample's text columns: one dictionary per
/// definition column (empty for the others), ids in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    columns: Vec<Dictionary>,
}

impl Texts {
    /// One dictionary per definition column; each must be sorted (ids in
    /// text order, as [`Dictionary::sorted`] and [`Dictionary::from_values`]
    /// make them).
    pub fn new(columns: Vec<Dictionary>) -> Self {
        Texts { columns }
    }

    /// The dictionary of column `i` (empty if it has none).
    pub fn column(&self, i: usize) -> &Dictionary {
        static EMPTY: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        self.columns
            .get(i)
            .unwrap_or_else(|| EMPTY.get_or_init(Dictionary::default))
    }

    /// Number of strings over all columns.
    pub fn len(&self) -> usize {
        self.columns.iter().map(Dictionary::len).sum()
    }

    /// True when there is no string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `column op t` on a sampled text column as an integer comparison of ids
/// (`values` sorted): see the module's semantics.
pub fn text_cond(values: &[String], op: CompareOp, t: &str) -> (CompareOp, i64) {
    match values.binary_search_by(|v| v.as_str().cmp(t)) {
        Ok(i) => (op, i as i64),
        Err(p) => match op {
            CompareOp::Eq | CompareOp::Ne => (op, -1),
            CompareOp::Lt | CompareOp::Le => (CompareOp::Lt, p as i64),
            CompareOp::Gt | CompareOp::Ge => (CompareOp::Ge, p as i64),
        },
    }
}

/// A definition compiled for execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub def: CustomDef,
    /// The strings of sampled text columns (empty for generated workloads).
    pub texts: Arc<Texts>,
    pub key: usize,
    pub filter: Vec<Cond>,
    pub window: Window,
    pub aggs: Vec<Agg>,
    pub alert: Option<Alert>,
}

/// `x · 10^decimals`, rounded half away from zero (validated inputs keep
/// this within ±10^16, far inside `i64`).
pub fn scale(x: f64, decimals: u32) -> i64 {
    (x * 10f64.powi(decimals as i32)).round() as i64
}

/// Applies a comparison.
pub fn compare<T: Ord>(a: T, op: CompareOp, b: T) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}

/// `sum / count · 10^AVG_EXTRA_DECIMALS`, rounded half away from zero.
pub fn avg_scaled(sum: i128, count: i128) -> i128 {
    if count == 0 {
        return 0;
    }
    let n = sum * 10i128.pow(AVG_EXTRA_DECIMALS);
    let (q, r) = (n / count, n % count);
    if 2 * r.abs() >= count {
        q + n.signum()
    } else {
        q
    }
}

/// Formats a scaled integer with `decimals` digits after the point.
pub fn format_fixed(v: i128, decimals: u32) -> String {
    if decimals == 0 {
        return v.to_string();
    }
    let p = 10i128.pow(decimals);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let p = p as u128;
    format!(
        "{sign}{}.{:0width$}",
        a / p,
        a % p,
        width = decimals as usize
    )
}

impl Compiled {
    /// Validates `def` and compiles it; errors list every broken rule with
    /// its field path. A definition with sampled text columns needs their
    /// strings: [`Compiled::with_texts`].
    pub fn new(def: &CustomDef) -> Result<Self> {
        if let Some(c) = def.columns.iter().find(|c| {
            matches!(
                c,
                ColumnDef::Sampled {
                    values: SampledValues::Text,
                    ..
                }
            )
        }) {
            return Err(WorkloadError::Config(format!(
                "column `{}` holds the text of a sample file: build the workload from its sample (`CustomWorkload::from_sample`)",
                c.name()
            )));
        }
        Self::with_texts(def, Arc::default())
    }

    /// [`Compiled::new`] with the strings of the sampled text columns, which
    /// text literals are resolved against and keys are written with.
    pub fn with_texts(def: &CustomDef, texts: Arc<Texts>) -> Result<Self> {
        def.validate("").map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
            WorkloadError::Config(format!("invalid custom workload: {}", msgs.join("; ")))
        })?;
        let index = |name: &str| {
            def.columns
                .iter()
                .position(|c| c.name() == name)
                .ok_or_else(|| WorkloadError::Config(format!("no column named `{name}`")))
        };
        let key = index(&def.query.key)?;
        let mut filter = Vec::new();
        for p in &def.query.filter {
            let column = index(&p.column)?;
            let mut op = p.op;
            let value = match (&def.columns[column], &p.value) {
                (ColumnDef::Number { decimals, .. }, Literal::Number(x)) => scale(*x, *decimals),
                (
                    ColumnDef::Sampled {
                        values: SampledValues::Integer,
                        ..
                    },
                    Literal::Number(x),
                ) => scale(*x, 0),
                (
                    ColumnDef::Sampled {
                        values: SampledValues::Text,
                        ..
                    },
                    Literal::Text(t),
                ) => {
                    let (o, v) = text_cond(texts.column(column).values(), p.op, t);
                    op = o;
                    v
                }
                (
                    ColumnDef::Key {
                        name, cardinality, ..
                    },
                    Literal::Text(t),
                ) => key_ordinal(name, *cardinality, t).unwrap_or(-1),
                (ColumnDef::Category { values, .. }, Literal::Text(t)) => {
                    values.iter().position(|v| v == t).map_or(-1, |i| i as i64)
                }
                _ => {
                    return Err(WorkloadError::Config(format!(
                        "filter on `{}`: literal of the wrong type",
                        p.column
                    )));
                }
            };
            filter.push(Cond { column, op, value });
        }
        let window = match def.query.window {
            WindowDef::Tumbling { size } => Window::Sliding {
                size: size.0,
                slide: size.0,
            },
            WindowDef::Sliding { size, slide } => Window::Sliding {
                size: size.0,
                slide: slide.0,
            },
            WindowDef::Session { gap } => Window::Session { gap: gap.0 },
        };
        let mut aggs = Vec::new();
        for a in &def.query.aggregates {
            let column = a.column.as_deref().map(index).transpose()?;
            let col_decimals = match column.map(|c| &def.columns[c]) {
                Some(ColumnDef::Number { decimals, .. }) => *decimals,
                _ => 0,
            };
            let decimals = match a.function {
                AggFunction::Count | AggFunction::CountDistinct => 0,
                AggFunction::Sum | AggFunction::Min | AggFunction::Max => col_decimals,
                AggFunction::Avg => col_decimals + AVG_EXTRA_DECIMALS,
            };
            aggs.push(Agg {
                function: a.function,
                column,
                decimals,
            });
        }
        let alert = match &def.query.alert {
            None => None,
            Some(al) => {
                let aggregate = def
                    .query
                    .aggregates
                    .iter()
                    .position(|a| a.name == al.aggregate)
                    .ok_or_else(|| {
                        WorkloadError::Config(format!("no aggregate named `{}`", al.aggregate))
                    })?;
                Some(Alert {
                    aggregate,
                    op: al.op,
                    value: i128::from(scale(al.value, aggs[aggregate].decimals)),
                })
            }
        };
        Ok(Compiled {
            def: def.clone(),
            texts,
            key,
            filter,
            window,
            aggs,
            alert,
        })
    }

    /// Whether an event passes the filter.
    pub fn passes(&self, e: &CustomEvent) -> bool {
        self.filter
            .iter()
            .all(|c| compare(e.values[c.column], c.op, c.value))
    }

    /// Whether a row passes the alert (always, without one).
    pub fn alerts(&self, row: &CustomRow) -> bool {
        self.alert
            .is_none_or(|a| compare(row.values[a.aggregate], a.op, a.value))
    }

    /// Starts of the sliding / tumbling windows holding `t`, newest first
    /// (empty for sessions).
    pub fn window_starts(&self, t: Millis) -> impl Iterator<Item = Millis> {
        let (size, slide) = match self.window {
            Window::Sliding { size, slide } => (size, slide),
            Window::Session { .. } => (1, 1),
        };
        let n = if matches!(self.window, Window::Session { .. }) {
            0
        } else {
            size / slide
        };
        let last = t.div_euclid(slide) * slide;
        (0..n).map(move |k| last - k * slide)
    }

    /// Length of a sliding / tumbling window (0 for sessions).
    pub fn window_size(&self) -> Millis {
        match self.window {
            Window::Sliding { size, .. } => size,
            Window::Session { .. } => 0,
        }
    }

    /// Renders a key value (ordinal) as its text.
    pub fn key_text(&self, v: i64) -> String {
        match &self.def.columns[self.key] {
            ColumnDef::Category { values, .. } => usize::try_from(v)
                .ok()
                .and_then(|i| values.get(i))
                .cloned()
                .unwrap_or_else(|| format!("#{v}")),
            ColumnDef::Sampled {
                values: SampledValues::Text,
                ..
            } => {
                let dict = self.texts.column(self.key);
                match u32::try_from(v) {
                    Ok(id) if (id as usize) < dict.len() => dict.get(id).to_string(),
                    _ => format!("#{v}"),
                }
            }
            ColumnDef::Sampled {
                values: SampledValues::Integer,
                ..
            }
            | ColumnDef::Number { .. } => v.to_string(),
            c => format!("{}-{v}", c.name()),
        }
    }
}

/// The ordinal of `text` as a value `<name>-<k>` of a key column, if it is one.
pub fn key_ordinal(name: &str, cardinality: u64, text: &str) -> Option<i64> {
    let k: u64 = text.strip_prefix(name)?.strip_prefix('-')?.parse().ok()?;
    let digits = &text[name.len() + 1..];
    // `card-017` or `card-+7` is not a value: only the canonical spelling matches.
    ((1..=cardinality).contains(&k) && digits == k.to_string()).then_some(k as i64)
}

/// One aggregate's running state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Count,
    Sum(i128),
    Min(i64),
    Max(i64),
    Distinct(BTreeSet<i64>),
}

/// Running aggregates of one window: mergeable, so sessions can be joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acc {
    pub count: u64,
    pub first: Millis,
    pub newest: Millis,
    slots: Vec<Slot>,
}

impl Acc {
    /// The state of one event.
    pub fn of(q: &Compiled, e: &CustomEvent) -> Acc {
        let slots = q
            .aggs
            .iter()
            .map(|a| {
                let v = a.column.map_or(0, |c| e.values[c]);
                match a.function {
                    AggFunction::Count => Slot::Count,
                    AggFunction::Sum | AggFunction::Avg => Slot::Sum(i128::from(v)),
                    AggFunction::Min => Slot::Min(v),
                    AggFunction::Max => Slot::Max(v),
                    AggFunction::CountDistinct => Slot::Distinct(BTreeSet::from([v])),
                }
            })
            .collect();
        Acc {
            count: 1,
            first: e.event_time,
            newest: e.event_time,
            slots,
        }
    }

    /// Folds in another window's state.
    pub fn merge(&mut self, other: Acc) {
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.newest = self.newest.max(other.newest);
        for (a, b) in self.slots.iter_mut().zip(other.slots) {
            match (a, b) {
                (Slot::Sum(x), Slot::Sum(y)) => *x += y,
                (Slot::Min(x), Slot::Min(y)) => *x = (*x).min(y),
                (Slot::Max(x), Slot::Max(y)) => *x = (*x).max(y),
                (Slot::Distinct(x), Slot::Distinct(mut y)) => {
                    if y.len() > x.len() {
                        std::mem::swap(x, &mut y);
                    }
                    x.extend(y);
                }
                _ => {}
            }
        }
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> usize {
        let distinct: usize = self
            .slots
            .iter()
            .map(|s| match s {
                Slot::Distinct(d) => d.len() * 2 * size_of::<i64>(),
                _ => 0,
            })
            .sum();
        size_of::<Acc>() + self.slots.len() * size_of::<Slot>() + distinct
    }

    /// The output row of this state for `key`'s window `[start, end)`.
    pub fn row(&self, q: &Compiled, key: i64, start: Millis, end: Millis) -> CustomRow {
        let mut values = [0i128; MAX_AGGREGATES];
        for (i, s) in self.slots.iter().enumerate() {
            values[i] = match s {
                Slot::Count => i128::from(self.count),
                Slot::Sum(x) if q.aggs[i].function == AggFunction::Avg => {
                    avg_scaled(*x, i128::from(self.count))
                }
                Slot::Sum(x) => *x,
                Slot::Min(x) | Slot::Max(x) => i128::from(*x),
                Slot::Distinct(d) => d.len() as i128,
            };
        }
        CustomRow {
            key,
            window_start: start,
            window_end: end,
            newest: self.newest,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avg_rounds_half_away_from_zero() {
        assert_eq!(avg_scaled(1, 3), 33);
        assert_eq!(avg_scaled(2, 3), 67);
        assert_eq!(avg_scaled(1, 8), 13); // 12.5 → 13
        assert_eq!(avg_scaled(-1, 8), -13);
        assert_eq!(avg_scaled(-2, 3), -67);
        assert_eq!(avg_scaled(10, 1), 1000);
    }

    #[test]
    fn fixed_point_formats_with_sign_and_padding() {
        assert_eq!(format_fixed(12345, 2), "123.45");
        assert_eq!(format_fixed(-5, 2), "-0.05");
        assert_eq!(format_fixed(7, 0), "7");
        assert_eq!(format_fixed(100, 3), "0.100");
    }

    #[test]
    fn key_ordinals_only_in_canonical_spelling() {
        assert_eq!(key_ordinal("card", 10, "card-7"), Some(7));
        assert_eq!(key_ordinal("card", 10, "card-07"), None);
        assert_eq!(key_ordinal("card", 10, "card-11"), None);
        assert_eq!(key_ordinal("card", 10, "user-1"), None);
        assert_eq!(key_ordinal("card", 10, "card-0"), None);
    }
}

//! The definition of a user's own workload: its event columns (how to
//! generate them) and a query built only from operators that batch SQL,
//! micro-batch and per-event stream operators can all run with the same
//! result — a conjunctive filter, one per-key window (tumbling, sliding or
//! session) with aggregates, and an optional alert threshold.
//!
//! Numbers are fixed-point (`decimals` digits, stored as scaled `i64`), so
//! sums are exact and every mode's output is bit-for-bit comparable.
//! [`CustomDef::validate`] checks every bound and reference and reports all
//! errors at once with their field paths.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::duration::Duration;
use crate::time::{DAY, SECOND};
use crate::validation::{Errors, FieldError};

/// Most columns an event may have (key and time excluded from nothing: all
/// user columns count).
pub const MAX_COLUMNS: usize = 12;
/// Most aggregates one query may compute.
pub const MAX_AGGREGATES: usize = 8;
/// Most filter predicates (ANDed).
pub const MAX_PREDICATES: usize = 8;
/// Most distinct values of a key column.
pub const MAX_KEY_CARDINALITY: u64 = 5_000_000;
/// Most values of a category column.
pub const MAX_CATEGORIES: usize = 64;
/// Longest column, aggregate or category name.
pub const MAX_NAME_LEN: usize = 48;
/// Largest digits after the decimal point of a number column.
pub const MAX_DECIMALS: u32 = 4;
/// Largest magnitude of any generated number or literal (before scaling).
pub const MAX_MAGNITUDE: f64 = 1e12;
/// Shortest window size, slide or session gap.
pub const MIN_WINDOW_MS: i64 = SECOND;
/// Longest window size or session gap.
pub const MAX_WINDOW_MS: i64 = 7 * DAY;
/// Most sliding windows one event falls into (`size / slide`).
pub const MAX_WINDOWS_PER_EVENT: i64 = 60;

/// A user's workload: columns to generate and the query to run.
///
/// In a spec the query is written either as the structured `query` table
/// or as `sql` text ([`super::sql`]); the text is parsed against the columns
/// when the definition is read, so everything downstream sees one
/// [`QueryDef`], and the text is kept to be shown in reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CustomDefText", into = "CustomDefText")]
pub struct CustomDef {
    /// The event's columns besides its event time (generated in order).
    pub columns: Vec<ColumnDef>,
    /// What every mode computes.
    pub query: QueryDef,
    /// The SQL the query was written as, if it was.
    pub sql: Option<String>,
}

/// [`CustomDef`] as written: `query` or `sql`, exactly one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomDefText {
    columns: Vec<ColumnDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<QueryDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sql: Option<String>,
}

impl TryFrom<CustomDefText> for CustomDef {
    type Error = String;
    fn try_from(t: CustomDefText) -> Result<Self, String> {
        match (t.query, t.sql) {
            (Some(query), None) => Ok(CustomDef {
                columns: t.columns,
                query,
                sql: None,
            }),
            (None, Some(sql)) => match super::sql::query_from_sql(&sql, &t.columns) {
                Ok(query) => Ok(CustomDef {
                    columns: t.columns,
                    query,
                    sql: Some(sql),
                }),
                Err(e) => Err(format!("sql: {e}")),
            },
            (Some(_), Some(_)) => {
                Err("set `query` or `sql`, not both (they would say the same thing twice)".into())
            }
            (None, None) => Err("missing the query: set `query` (a table) or `sql` (text)".into()),
        }
    }
}

impl From<CustomDef> for CustomDefText {
    fn from(d: CustomDef) -> Self {
        let (query, sql) = match d.sql {
            Some(sql) => (None, Some(sql)),
            None => (Some(d.query), None),
        };
        CustomDefText {
            columns: d.columns,
            query,
            sql,
        }
    }
}

impl CustomDef {
    /// The query as SQL: the text it was written as, or the canonical SQL
    /// of the structured query (what reports show either way).
    pub fn sql_text(&self) -> String {
        self.sql
            .clone()
            .unwrap_or_else(|| super::sql::sql_from_query(&self.query))
    }
}

/// One event column and how its values are generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ColumnDef {
    /// An identifier such as a user or card: values `<name>-1 … <name>-N`.
    Key {
        name: String,
        /// Number of distinct values.
        cardinality: u64,
        /// Popularity of the values.
        #[serde(default)]
        distribution: KeyDistribution,
    },
    /// A fixed-point number such as an amount.
    Number {
        name: String,
        distribution: NumberDistribution,
        /// Digits after the decimal point (0–4).
        #[serde(default)]
        decimals: u32,
    },
    /// One of a few labels, drawn with the given weights (equal if absent).
    Category {
        name: String,
        values: Vec<String>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
    /// A key or label read from a user's sample file ([`super::sample`]),
    /// never generated. Text values are ids into the workload's dictionary
    /// of this column, in text order, so `<` and `>` compare as the text
    /// does; integer values are kept as they are.
    Sampled { name: String, values: SampledValues },
}

/// What a [`ColumnDef::Sampled`] column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SampledValues {
    /// Strings, written out as they are in the file.
    Text,
    /// Integers (an id column), compared as numbers.
    Integer,
}

impl ColumnDef {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnDef::Key { name, .. }
            | ColumnDef::Number { name, .. }
            | ColumnDef::Category { name, .. }
            | ColumnDef::Sampled { name, .. } => name,
        }
    }
}

/// How key values are picked.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum KeyDistribution {
    /// Every value equally likely.
    #[default]
    Uniform,
    /// Value `k` has weight `1 / k^s` (a few hot keys).
    Zipf { s: f64 },
}

/// How number values are drawn (then rounded to the column's decimals).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum NumberDistribution {
    Uniform { min: f64, max: f64 },
    Normal { mean: f64, std_dev: f64 },
    LogNormal { median: f64, sigma: f64 },
}

/// The query: filter → per-key window → aggregates → optional alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryDef {
    /// The column results are grouped by (a key or category column).
    pub key: String,
    /// Conditions an event must meet to count (all of them).
    #[serde(default)]
    pub filter: Vec<Predicate>,
    /// The event-time window per key.
    pub window: WindowDef,
    /// What to compute per key and window.
    pub aggregates: Vec<AggregateDef>,
    /// Keep only the windows whose aggregate passes this threshold.
    #[serde(default)]
    pub alert: Option<AlertDef>,
}

/// `column op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    pub column: String,
    pub op: CompareOp,
    /// A number for number columns, a string for key and category columns.
    pub value: Literal,
}

/// A literal in a predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    Number(f64),
    Text(String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl CompareOp {
    /// The operator in SQL (`<>` for not-equal): what the generated
    /// DataFusion SQL and the canonical SQL of a query both write.
    pub fn sql(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Event-time windows, per key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WindowDef {
    /// Fixed, non-overlapping windows `[k·size, (k+1)·size)`.
    Tumbling { size: Duration },
    /// Windows of `size` starting every `slide` (`size` a multiple of `slide`).
    Sliding { size: Duration, slide: Duration },
    /// A key's events closer than `gap` to each other form one session
    /// `[first, last + gap)`.
    Session { gap: Duration },
}

/// One aggregate output column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateDef {
    /// Output column name.
    pub name: String,
    pub function: AggFunction,
    /// Input column; required by every function except `count`.
    #[serde(default)]
    pub column: Option<String>,
}

/// Aggregate functions every mode implements identically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AggFunction {
    Count,
    Sum,
    Min,
    Max,
    Avg,
    CountDistinct,
}

/// `aggregate op value` keeps a window in the output (an alert).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertDef {
    pub aggregate: String,
    pub op: CompareOp,
    pub value: f64,
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= MAX_NAME_LEN
}

fn check_name(errs: &mut Errors, path: &str, name: &str) {
    if !valid_name(name) {
        errs.push(
            path,
            format!(
                "must start with a lowercase letter and use only a-z, 0-9 and _ (at most {MAX_NAME_LEN} characters), got {name:?}"
            ),
        );
    }
}

fn check_window_ms(errs: &mut Errors, path: &str, d: Duration) {
    errs.range_i64(path, d.0, MIN_WINDOW_MS, MAX_WINDOW_MS);
}

impl CustomDef {
    /// Every column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name() == name)
    }

    /// Checks every bound and reference; `prefix` is the path of this
    /// definition in the enclosing spec (e.g. `workload.custom`).
    pub fn validate(&self, prefix: &str) -> Result<(), Vec<FieldError>> {
        let mut errs = Errors::default();
        let p = |s: &str| {
            if prefix.is_empty() {
                s.to_string()
            } else {
                format!("{prefix}.{s}")
            }
        };
        if self.columns.is_empty() || self.columns.len() > MAX_COLUMNS {
            errs.push(
                p("columns"),
                format!(
                    "must have 1 to {MAX_COLUMNS} columns, got {}",
                    self.columns.len()
                ),
            );
        }
        let mut seen = HashSet::new();
        for (i, c) in self.columns.iter().enumerate() {
            let cp = p(&format!("columns[{i}]"));
            check_name(&mut errs, &format!("{cp}.name"), c.name());
            if c.name() == "event_time" || c.name() == "window_start" || c.name() == "window_end" {
                errs.push(format!("{cp}.name"), format!("`{}` is reserved", c.name()));
            }
            if !seen.insert(c.name()) {
                errs.push(
                    format!("{cp}.name"),
                    format!("duplicate column `{}`", c.name()),
                );
            }
            match c {
                ColumnDef::Key {
                    cardinality,
                    distribution,
                    ..
                } => {
                    if !(1..=MAX_KEY_CARDINALITY).contains(cardinality) {
                        errs.push(
                            format!("{cp}.cardinality"),
                            format!(
                                "must be between 1 and {MAX_KEY_CARDINALITY}, got {cardinality}"
                            ),
                        );
                    }
                    if let KeyDistribution::Zipf { s } = distribution {
                        errs.range_f64(&format!("{cp}.distribution.s"), *s, 0.01, 5.0);
                    }
                }
                ColumnDef::Number {
                    distribution,
                    decimals,
                    ..
                } => {
                    if *decimals > MAX_DECIMALS {
                        errs.push(
                            format!("{cp}.decimals"),
                            format!("must be between 0 and {MAX_DECIMALS}, got {decimals}"),
                        );
                    }
                    let dp = format!("{cp}.distribution");
                    let m = MAX_MAGNITUDE;
                    match *distribution {
                        NumberDistribution::Uniform { min, max } => {
                            errs.range_f64(&format!("{dp}.min"), min, -m, m);
                            errs.range_f64(&format!("{dp}.max"), max, -m, m);
                            if min > max {
                                errs.push(
                                    format!("{dp}.max"),
                                    format!("must be >= min ({min}), got {max}"),
                                );
                            }
                        }
                        NumberDistribution::Normal { mean, std_dev } => {
                            errs.range_f64(&format!("{dp}.mean"), mean, -m, m);
                            errs.range_f64(&format!("{dp}.std_dev"), std_dev, 0.0, m);
                        }
                        NumberDistribution::LogNormal { median, sigma } => {
                            errs.range_f64(&format!("{dp}.median"), median, 1e-6, m);
                            errs.range_f64(&format!("{dp}.sigma"), sigma, 0.0, 5.0);
                        }
                    }
                }
                ColumnDef::Category {
                    values, weights, ..
                } => {
                    if values.is_empty() || values.len() > MAX_CATEGORIES {
                        errs.push(
                            format!("{cp}.values"),
                            format!(
                                "must have 1 to {MAX_CATEGORIES} values, got {}",
                                values.len()
                            ),
                        );
                    }
                    let mut vs = HashSet::new();
                    for (j, v) in values.iter().enumerate() {
                        if v.is_empty()
                            || v.len() > MAX_NAME_LEN
                            || v.chars().any(|c| c.is_control() || c == ',' || c == '"')
                        {
                            errs.push(
                                format!("{cp}.values[{j}]"),
                                format!("must be 1 to {MAX_NAME_LEN} printable characters without commas or quotes, got {v:?}"),
                            );
                        }
                        if !vs.insert(v) {
                            errs.push(
                                format!("{cp}.values[{j}]"),
                                format!("duplicate value {v:?}"),
                            );
                        }
                    }
                    if let Some(w) = weights {
                        if w.len() != values.len() {
                            errs.push(
                                format!("{cp}.weights"),
                                format!(
                                    "must have one weight per value ({}), got {}",
                                    values.len(),
                                    w.len()
                                ),
                            );
                        }
                        for (j, x) in w.iter().enumerate() {
                            errs.range_f64(&format!("{cp}.weights[{j}]"), *x, 0.0, 1e9);
                        }
                        if w.iter().all(|x| *x <= 0.0) {
                            errs.push(
                                format!("{cp}.weights"),
                                "at least one weight must be positive",
                            );
                        }
                    }
                }
                // Its values were checked as the file was read.
                ColumnDef::Sampled { .. } => {}
            }
        }
        self.validate_query(&mut errs, &p("query"));
        errs.into_result()
    }

    fn validate_query(&self, errs: &mut Errors, qp: &str) {
        let q = &self.query;
        match self.column(&q.key) {
            None => errs.push(format!("{qp}.key"), format!("no column named `{}`", q.key)),
            Some(ColumnDef::Number { .. }) => errs.push(
                format!("{qp}.key"),
                format!(
                    "`{}` is a number column; group by a key or category column",
                    q.key
                ),
            ),
            Some(_) => {}
        }
        if q.filter.len() > MAX_PREDICATES {
            errs.push(
                format!("{qp}.filter"),
                format!(
                    "at most {MAX_PREDICATES} predicates, got {}",
                    q.filter.len()
                ),
            );
        }
        for (i, pr) in q.filter.iter().enumerate() {
            let pp = format!("{qp}.filter[{i}]");
            match (self.column(&pr.column), &pr.value) {
                (None, _) => errs.push(
                    format!("{pp}.column"),
                    format!("no column named `{}`", pr.column),
                ),
                (Some(ColumnDef::Number { .. }), Literal::Number(x)) => {
                    errs.range_f64(&format!("{pp}.value"), *x, -MAX_MAGNITUDE, MAX_MAGNITUDE);
                }
                (
                    Some(ColumnDef::Sampled {
                        values: SampledValues::Integer,
                        ..
                    }),
                    Literal::Number(x),
                ) => {
                    errs.range_f64(&format!("{pp}.value"), *x, -MAX_MAGNITUDE, MAX_MAGNITUDE);
                }
                (
                    Some(ColumnDef::Sampled {
                        values: SampledValues::Integer,
                        ..
                    }),
                    Literal::Text(_),
                ) => errs.push(
                    format!("{pp}.value"),
                    format!(
                        "`{}` is an integer column; compare it with a number",
                        pr.column
                    ),
                ),
                (
                    Some(ColumnDef::Sampled {
                        values: SampledValues::Text,
                        ..
                    }),
                    Literal::Text(t),
                ) => {
                    // Any operator: ids are in text order.
                    if t.len() > super::sample::MAX_TEXT_LEN {
                        errs.push(
                            format!("{pp}.value"),
                            format!("at most {} bytes", super::sample::MAX_TEXT_LEN),
                        );
                    }
                }
                (Some(ColumnDef::Number { .. }), Literal::Text(_)) => errs.push(
                    format!("{pp}.value"),
                    format!(
                        "`{}` is a number column; compare it with a number",
                        pr.column
                    ),
                ),
                (Some(_), Literal::Text(t)) => {
                    if !matches!(pr.op, CompareOp::Eq | CompareOp::Ne) {
                        errs.push(format!("{pp}.op"), "text columns support only = and !=");
                    }
                    if t.len() > MAX_NAME_LEN {
                        errs.push(
                            format!("{pp}.value"),
                            format!("at most {MAX_NAME_LEN} characters"),
                        );
                    }
                }
                (Some(_), Literal::Number(_)) => errs.push(
                    format!("{pp}.value"),
                    format!("`{}` is a text column; compare it with a string", pr.column),
                ),
            }
        }
        let wp = format!("{qp}.window");
        match q.window {
            WindowDef::Tumbling { size } => check_window_ms(errs, &format!("{wp}.size"), size),
            WindowDef::Sliding { size, slide } => {
                check_window_ms(errs, &format!("{wp}.size"), size);
                check_window_ms(errs, &format!("{wp}.slide"), slide);
                if slide.0 > 0
                    && (size.0 % slide.0 != 0 || size.0 / slide.0 > MAX_WINDOWS_PER_EVENT)
                {
                    errs.push(
                        format!("{wp}.slide"),
                        format!(
                            "size must be a multiple of slide, at most {MAX_WINDOWS_PER_EVENT} slides (size {}, slide {})",
                            crate::duration::format_duration(size.0),
                            crate::duration::format_duration(slide.0)
                        ),
                    );
                }
            }
            WindowDef::Session { gap } => check_window_ms(errs, &format!("{wp}.gap"), gap),
        }
        if q.aggregates.is_empty() || q.aggregates.len() > MAX_AGGREGATES {
            errs.push(
                format!("{qp}.aggregates"),
                format!(
                    "must have 1 to {MAX_AGGREGATES} aggregates, got {}",
                    q.aggregates.len()
                ),
            );
        }
        let mut names = HashSet::new();
        for (i, a) in q.aggregates.iter().enumerate() {
            let ap = format!("{qp}.aggregates[{i}]");
            check_name(errs, &format!("{ap}.name"), &a.name);
            if a.name == q.key || ["window_start", "window_end"].contains(&a.name.as_str()) {
                errs.push(
                    format!("{ap}.name"),
                    format!("`{}` clashes with an output column", a.name),
                );
            }
            if !names.insert(a.name.as_str()) {
                errs.push(
                    format!("{ap}.name"),
                    format!("duplicate aggregate `{}`", a.name),
                );
            }
            match (&a.column, a.function) {
                (None, AggFunction::Count) => {}
                (None, f) => errs.push(
                    format!("{ap}.column"),
                    format!("{f:?} needs a column").to_lowercase(),
                ),
                (Some(c), f) => match self.column(c) {
                    None => errs.push(format!("{ap}.column"), format!("no column named `{c}`")),
                    Some(ColumnDef::Number { .. }) => {}
                    Some(_) if matches!(f, AggFunction::Count | AggFunction::CountDistinct) => {}
                    Some(_) => errs.push(
                        format!("{ap}.column"),
                        format!(
                            "`{c}` is not a number column; only count and count-distinct apply"
                        ),
                    ),
                },
            }
        }
        if let Some(al) = &q.alert {
            if !q.aggregates.iter().any(|a| a.name == al.aggregate) {
                errs.push(
                    format!("{qp}.alert.aggregate"),
                    format!("no aggregate named `{}`", al.aggregate),
                );
            }
            errs.range_f64(
                &format!("{qp}.alert.value"),
                al.value,
                -MAX_MAGNITUDE,
                MAX_MAGNITUDE,
            );
        }
    }
}

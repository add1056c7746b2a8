//! A custom workload on a user's own sample file (CSV or Parquet) instead
//! of generated events.
//!
//! [`inspect`] infers the file's schema with Arrow (CSV: Arrow's inference
//! over the first [`INSPECT_ROWS`] rows; Parquet: the file's own schema) and
//! says, per column, what Weir can use it as ([`ColumnUse`]). [`load`]
//! reads every row — streaming, record by record (CSV) or batch by batch
//! (Parquet) — into [`CustomEvent`]s under a [`SampleMapping`] (which column
//! is the event time, which the key, and optionally which the arrival
//! time), and returns the definition's columns and the dataset.
//!
//! Text columns become [`ColumnDef::Sampled`] text columns: each value is
//! interned per column, then the column's ids are renumbered in text order
//! ([`Dictionary::sorted`]), so output rows sort by the text and a text
//! filter with any operator is an integer comparison of ids
//! ([`super::compiled::text_cond`]). The dictionaries ([`Texts`]) travel in
//! the compiled query, which writes the original strings out.
//!
//! Every value goes through one conversion whatever the format — numbers
//! as exact decimals (a float by its shortest round-trip text), times as
//! integer milliseconds or RFC 3339 / ISO 8601 text — so the same data as
//! CSV and as Parquet loads to the same events. Every error names the
//! file, the line (CSV; the row for Parquet) and the column; no file bytes
//! make this module panic (the Parquet decoder's own panics on corrupt
//! pages are caught and reported).

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::compute::kernels::cast_utils::string_to_timestamp_nanos;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};
use crate::time::{DAY, Millis};

use super::compiled::{CustomEvent, Texts};
use super::def::{
    AggFunction, ColumnDef, Literal, MAX_CATEGORIES, MAX_COLUMNS, MAX_DECIMALS,
    MAX_KEY_CARDINALITY, MAX_MAGNITUDE, MAX_NAME_LEN, NumberDistribution, QueryDef, SampledValues,
};

/// Largest sample file, in bytes: the upload bound, and what keeps a load
/// (events of ~100 bytes, plus the strings) within a few GB.
pub const MAX_SAMPLE_BYTES: u64 = 256 << 20;
/// Most data rows a sample may hold (about 1 GB of events).
pub const MAX_SAMPLE_ROWS: usize = 10_000_000;
/// Most columns a sample file may have: the definition's
/// [`MAX_COLUMNS`] plus the event time and the arrival time.
pub const MAX_SAMPLE_COLUMNS: usize = MAX_COLUMNS + 2;
/// Longest text value (and text filter literal), in bytes.
pub const MAX_TEXT_LEN: usize = 256;
/// Most distinct values of one text column.
pub const MAX_DISTINCT_TEXTS: u64 = MAX_KEY_CARDINALITY;
/// Rows [`inspect`] looks at (Arrow's CSV inference, distinct counts, decimals).
pub const INSPECT_ROWS: usize = 10_000;
/// Earliest event or arrival time accepted: 0001-01-01T00:00:00Z.
pub const MIN_TIME_MS: Millis = -62_135_596_800_000;
/// Latest event or arrival time accepted: 9999-12-31T23:59:59.999Z.
pub const MAX_TIME_MS: Millis = 253_402_300_799_999;

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SampleFormat {
    Csv,
    Parquet,
}

/// What a column can be used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnUse {
    /// Integer milliseconds since the epoch, a timestamp, or RFC 3339 text.
    EventTime,
    /// Text or integers to group by.
    Key,
    /// A number to filter on and aggregate (fixed point, `decimals`).
    Number,
    /// Text with at most [`MAX_CATEGORIES`] distinct values in the sample.
    Category,
}

/// A sample file's inferred schema (shown to the user before mapping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSchema {
    pub format: SampleFormat,
    pub columns: Vec<SampleColumn>,
    /// Data rows in the file, when cheaply known (Parquet metadata, or a CSV
    /// file shorter than the inspected rows).
    pub rows: Option<u64>,
    /// Rows the inference looked at.
    pub inspected_rows: u64,
    /// A first guess at the mapping, if there is an obvious one.
    pub suggested: Option<SampleMapping>,
}

/// One column of a [`SampleSchema`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleColumn {
    /// The name in the file.
    pub name: String,
    /// The name a query uses (a valid definition name: lowercase, `_`).
    pub field: String,
    /// Arrow's type of the column (inferred for CSV).
    pub data_type: String,
    /// What the column can be used as; empty when nothing.
    pub uses: Vec<ColumnUse>,
    /// Digits after the decimal point of a number column (capped at
    /// [`MAX_DECIMALS`]).
    pub decimals: Option<u32>,
    /// Distinct values among the inspected rows (text columns).
    pub distinct: Option<u64>,
    /// Empty or null values among the inspected rows.
    pub nulls: u64,
    /// Anything the user should know (rounding, unsupported type, …).
    pub note: Option<String>,
}

/// Which columns of a sample are the event time and the key; rows are taken
/// in file order as their arrival order, or sorted (stably) by the arrival
/// time column if one is named. Names are the file's (or the fields of
/// [`SampleColumn`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleMapping {
    pub event_time: String,
    pub key: String,
    #[serde(default)]
    pub arrival_time: Option<String>,
}

/// How one definition column is read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    /// Fixed point with this many decimals.
    Number(u32),
    /// An integer id, as it is.
    Integer,
    /// Interned text.
    Text,
}

/// One definition column and the file column it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    source: String,
    conv: Conv,
}

/// How a workload built from a sample reads files: the mapping, each
/// definition column's source and conversion, and the sample's strings
/// (which another file is read against: [`reload`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSource {
    mapping: SampleMapping,
    time: String,
    arrival: Option<String>,
    columns: Vec<Planned>,
    texts: Arc<Texts>,
}

impl SampleSource {
    /// The mapping the sample was loaded with.
    pub fn mapping(&self) -> &SampleMapping {
        &self.mapping
    }

    /// The strings of the sample's text columns.
    pub fn texts(&self) -> &Arc<Texts> {
        &self.texts
    }

    /// Per definition column, the file column it is read from.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.source.as_str())
    }
}

/// A loaded sample: the definition's columns (event and arrival time
/// excluded, file order), how they were read, and the events.
#[derive(Debug, Clone)]
pub struct LoadedSample {
    pub columns: Vec<ColumnDef>,
    pub source: SampleSource,
    /// Events in arrival order. Its `dict` is empty: the strings are in
    /// [`SampleSource::texts`], per column.
    pub data: Dataset<CustomEvent>,
}

// ---------------------------------------------------------------- inspect

/// The broad type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Float,
    Time,
    Text,
    Bool,
    Unsupported,
}

fn kind_of(t: &DataType) -> Kind {
    use DataType::*;
    match t {
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => Kind::Integer,
        Float32 | Float64 | Decimal128(..) => Kind::Float,
        Timestamp(..) | Date32 | Date64 => Kind::Time,
        Utf8 | LargeUtf8 | Utf8View | Null => Kind::Text,
        Dictionary(_, v) if matches!(**v, Utf8 | LargeUtf8 | Utf8View) => Kind::Text,
        Boolean => Kind::Bool,
        _ => Kind::Unsupported,
    }
}

/// What the inspected rows showed about one column.
#[derive(Debug, Default)]
struct Stats {
    values: u64,
    nulls: u64,
    distinct: HashSet<String>,
    too_long: bool,
    /// Largest decimals of the values that are numbers.
    decimals: u32,
    non_numbers: u64,
    non_times: u64,
}

impl Stats {
    fn see(&mut self, cell: &Cell<'_>) {
        match cell {
            Cell::Null => self.nulls += 1,
            Cell::Text(s) => self.see_text(s),
            Cell::Bool(b) => self.see_text(if *b { "true" } else { "false" }),
            Cell::Int(i) => self.see_text(&i.to_string()),
            Cell::F64(_) | Cell::F32(_) | Cell::Decimal(..) => {
                self.values += 1;
                match cell.dec() {
                    Ok(d) => self.decimals = self.decimals.max(d.s),
                    Err(_) => self.non_numbers += 1,
                }
            }
            Cell::TimeMs(_) => self.values += 1,
            Cell::Unsupported => {}
        }
    }

    fn see_text(&mut self, s: &str) {
        if s.trim().is_empty() {
            self.nulls += 1;
            return;
        }
        self.values += 1;
        if s.len() > MAX_TEXT_LEN {
            self.too_long = true;
        } else if self.distinct.len() < INSPECT_ROWS && !self.distinct.contains(s) {
            self.distinct.insert(s.to_string());
        }
        match parse_dec(s.trim()) {
            Some(d) => self.decimals = self.decimals.max(d.s),
            None => self.non_numbers += 1,
        }
        if parse_time_text(s).is_err() {
            self.non_times += 1;
        }
    }
}

/// One column of a probed file.
#[derive(Debug)]
struct ProbeColumn {
    name: String,
    field: String,
    data_type: DataType,
    kind: Kind,
    stats: Stats,
}

/// A file's schema and the inspected rows' statistics.
#[derive(Debug)]
struct Probe {
    format: SampleFormat,
    columns: Vec<ProbeColumn>,
    rows: Option<u64>,
    inspected: u64,
}

/// Infers a sample file's schema and what each column can be used as.
pub fn inspect(path: &Path) -> Result<SampleSchema> {
    let probe = probe(path)?;
    let columns = probe
        .columns
        .iter()
        .map(|c| {
            let (uses, decimals, note) = uses_of(c);
            SampleColumn {
                name: c.name.clone(),
                field: c.field.clone(),
                data_type: c.data_type.to_string(),
                uses,
                decimals,
                distinct: matches!(c.kind, Kind::Text | Kind::Bool)
                    .then_some(c.stats.distinct.len() as u64),
                nulls: c.stats.nulls,
                note,
            }
        })
        .collect::<Vec<_>>();
    let suggested = suggest(&probe, &columns);
    Ok(SampleSchema {
        format: probe.format,
        columns,
        rows: probe.rows,
        inspected_rows: probe.inspected,
        suggested,
    })
}

/// A column's uses, decimals and note.
fn uses_of(c: &ProbeColumn) -> (Vec<ColumnUse>, Option<u32>, Option<String>) {
    let s = &c.stats;
    let mut note = None;
    let uses = match c.kind {
        Kind::Integer => vec![ColumnUse::EventTime, ColumnUse::Key, ColumnUse::Number],
        Kind::Float => {
            if s.decimals > MAX_DECIMALS {
                note = Some(format!(
                    "values have up to {} decimals; Weir keeps {MAX_DECIMALS}, rounded half away from zero",
                    s.decimals
                ));
            }
            return (
                vec![ColumnUse::Number],
                Some(s.decimals.min(MAX_DECIMALS)),
                note,
            );
        }
        Kind::Time => vec![ColumnUse::EventTime],
        Kind::Bool => vec![ColumnUse::Key, ColumnUse::Category],
        Kind::Text => {
            let mut u = Vec::new();
            if s.values > 0 && s.non_times == 0 {
                u.push(ColumnUse::EventTime);
            }
            u.push(ColumnUse::Key);
            if (1..=MAX_CATEGORIES).contains(&s.distinct.len()) && !s.too_long {
                u.push(ColumnUse::Category);
            }
            if s.values == 0 {
                note = Some("no values among the inspected rows".into());
            } else if s.too_long {
                note = Some(format!(
                    "some values are longer than {MAX_TEXT_LEN} bytes, the most Weir reads"
                ));
            }
            u
        }
        Kind::Unsupported => {
            note = Some(format!(
                "Weir cannot use a {} column; it is ignored",
                c.data_type
            ));
            Vec::new()
        }
    };
    (uses, None, note)
}

/// The obvious mapping: a timestamp-typed column (or one whose name says
/// time) as the event time, and the text column with the most distinct
/// values as the key.
fn suggest(probe: &Probe, columns: &[SampleColumn]) -> Option<SampleMapping> {
    let timeish = |n: &str| {
        let n = n.to_ascii_lowercase();
        ["time", "ts", "timestamp", "date", "created", "at"]
            .iter()
            .any(|w| n == *w || n.ends_with(&format!("_{w}")) || n.starts_with(&format!("{w}_")))
    };
    let time = probe
        .columns
        .iter()
        .zip(columns)
        .find(|(p, _)| p.kind == Kind::Time)
        .or_else(|| {
            probe
                .columns
                .iter()
                .zip(columns)
                .find(|(_, c)| c.uses.contains(&ColumnUse::EventTime) && timeish(&c.name))
        })
        .map(|(_, c)| c.name.clone())?;
    let key = probe
        .columns
        .iter()
        .zip(columns)
        .filter(|(p, c)| c.name != time && p.kind == Kind::Text && c.uses.contains(&ColumnUse::Key))
        .max_by_key(|(p, _)| p.stats.distinct.len())
        .map(|(_, c)| c.name.clone())?;
    Some(SampleMapping {
        event_time: time,
        key,
        arrival_time: None,
    })
}

/// The file's format (by extension, else by its magic bytes) after the
/// size checks.
fn format_of(path: &Path) -> Result<SampleFormat> {
    let meta = std::fs::metadata(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |m: String| WorkloadError::input(path, None, None, m);
    if !meta.is_file() {
        return Err(bad("not a file".into()));
    }
    if meta.len() == 0 {
        return Err(bad("the file is empty".into()));
    }
    if meta.len() > MAX_SAMPLE_BYTES {
        return Err(bad(format!(
            "the file has {} bytes, more than the {} MiB a sample may have",
            meta.len(),
            MAX_SAMPLE_BYTES >> 20
        )));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "csv" => SampleFormat::Csv,
        "parquet" | "pq" => SampleFormat::Parquet,
        _ => {
            let mut magic = [0u8; 4];
            let n = open(path)?.read(&mut magic).unwrap_or(0);
            if n == 4 && &magic == b"PAR1" {
                SampleFormat::Parquet
            } else {
                SampleFormat::Csv
            }
        }
    })
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn probe(path: &Path) -> Result<Probe> {
    match format_of(path)? {
        SampleFormat::Csv => probe_csv(path),
        SampleFormat::Parquet => guarded(path, || probe_parquet(path)),
    }
}

/// Runs Parquet decoding with its panics (asserts on some corrupt pages)
/// turned into an input error naming the file.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        Err(WorkloadError::input(
            path,
            None,
            None,
            format!("corrupt Parquet file: the decoder failed ({reason})"),
        ))
    })
}

/// Valid, distinct definition names for the file's columns.
fn fields(names: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut f: String = n
                .trim()
                .chars()
                .map(|c| {
                    let c = c.to_ascii_lowercase();
                    if c.is_ascii_lowercase() || c.is_ascii_digit() {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if !f.starts_with(|c: char| c.is_ascii_lowercase()) {
                f = if f.trim_matches('_').is_empty() {
                    format!("column_{}", i + 1)
                } else {
                    format!("c_{f}")
                };
            }
            if ["event_time", "window_start", "window_end"].contains(&f.as_str()) {
                f.push_str("_col");
            }
            f.truncate(MAX_NAME_LEN);
            let base = f.clone();
            let mut k = 2;
            while !seen.insert(f.clone()) {
                let suffix = format!("_{k}");
                f = format!(
                    "{}{suffix}",
                    &base[..base.len().min(MAX_NAME_LEN - suffix.len())]
                );
                k += 1;
            }
            f
        })
        .collect()
}

fn too_many_columns(path: &Path, n: usize) -> WorkloadError {
    WorkloadError::input(
        path,
        None,
        None,
        format!(
            "the file has {n} columns, more than the {MAX_SAMPLE_COLUMNS} a sample may have ({MAX_COLUMNS} columns besides the event time and the arrival time)"
        ),
    )
}

fn check_names(path: &Path, names: &[String]) -> Result<()> {
    let mut seen = HashSet::new();
    for n in names {
        if !seen.insert(n.as_str()) {
            return Err(WorkloadError::input(
                path,
                Some(1),
                Some(n),
                format!("duplicate column name `{n}`"),
            ));
        }
    }
    Ok(())
}

fn csv_reader(path: &Path) -> Result<csv::Reader<File>> {
    // Flexible: field counts are checked per row, to name the missing column.
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(open(path)?))
}

/// The header's names (trimmed), checked.
fn csv_header(path: &Path, rdr: &mut csv::Reader<File>) -> Result<Vec<String>> {
    let header = rdr
        .byte_headers()
        .map_err(|e| {
            WorkloadError::input(
                path,
                Some(1),
                None,
                format!("cannot read the header row: {e}"),
            )
        })?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file is empty: expected a header row",
        ));
    }
    if header.len() > MAX_SAMPLE_COLUMNS {
        return Err(too_many_columns(path, header.len()));
    }
    let names = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().to_string())
                .map_err(|_| {
                    WorkloadError::input(
                        path,
                        Some(1),
                        None,
                        format!("the name of column {} is not valid UTF-8", i + 1),
                    )
                })
        })
        .collect::<Result<Vec<_>>>()?;
    check_names(path, &names)?;
    Ok(names)
}

/// A row must have the header's fields.
fn check_fields(path: &Path, line: u64, names: &[String], have: usize) -> Result<()> {
    crate::io::read::check_row_width(path, line, have, names.len(), |i| names[i].clone())
}

fn csv_error(path: &Path, e: &csv::Error) -> WorkloadError {
    let line = e.position().map(|p| p.line());
    WorkloadError::input(path, line, None, format!("malformed CSV: {e}"))
}

fn utf8<'a>(path: &Path, line: u64, column: &str, field: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(field).map_err(|e| {
        WorkloadError::input(
            path,
            Some(line),
            Some(column),
            format!(
                "the value is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

fn probe_csv(path: &Path) -> Result<Probe> {
    // Our own pass first: exact lines for malformed rows and bad UTF-8, and
    // the statistics Arrow's inference does not keep.
    let mut rdr = csv_reader(path)?;
    let names = csv_header(path, &mut rdr)?;
    let mut stats: Vec<Stats> = names.iter().map(|_| Stats::default()).collect();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    let mut eof = false;
    while rows < INSPECT_ROWS {
        if !rdr
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(path, &e))?
        {
            eof = true;
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        check_fields(path, line, &names, record.len())?;
        for (i, field) in record.iter().enumerate() {
            let s = utf8(path, line, &names[i], field)?;
            stats[i].see_text(s);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file has a header but no data rows",
        ));
    }
    let (schema, _) = datafusion::arrow::csv::reader::Format::default()
        .with_header(true)
        .infer_schema(open(path)?, Some(INSPECT_ROWS))
        .map_err(|e| {
            WorkloadError::input(
                path,
                None,
                None,
                format!("cannot infer the CSV schema: {e}"),
            )
        })?;
    if schema.fields().len() != names.len() {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            format!(
                "cannot infer the CSV schema: {} columns inferred for a header of {}",
                schema.fields().len(),
                names.len()
            ),
        ));
    }
    let fields = fields(&names);
    let columns = names
        .into_iter()
        .zip(fields)
        .zip(schema.fields().iter())
        .zip(stats)
        .map(|(((name, field), f), stats)| ProbeColumn {
            name,
            field,
            kind: kind_of(f.data_type()),
            data_type: f.data_type().clone(),
            stats,
        })
        .collect();
    Ok(Probe {
        format: SampleFormat::Csv,
        columns,
        rows: eof.then_some(rows as u64),
        inspected: rows as u64,
    })
}

fn parquet_builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    ParquetRecordBatchReaderBuilder::try_new(open(path)?).map_err(|e| {
        WorkloadError::input(
            path,
            None,
            None,
            format!("not a readable Parquet file (truncated or corrupt?): {e}"),
        )
    })
}

fn probe_parquet(path: &Path) -> Result<Probe> {
    let builder = parquet_builder(path)?;
    let rows = builder.metadata().file_metadata().num_rows();
    let schema = builder.schema().clone();
    if schema.fields().len() > MAX_SAMPLE_COLUMNS {
        return Err(too_many_columns(path, schema.fields().len()));
    }
    if rows <= 0 {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file has no data rows",
        ));
    }
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    check_names(path, &names)?;
    let mut stats: Vec<Stats> = names.iter().map(|_| Stats::default()).collect();
    let reader = builder
        .with_limit(INSPECT_ROWS)
        .build()
        .map_err(|e| parquet_error(path, &e.to_string()))?;
    let mut inspected = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(path, &e.to_string()))?;
        for (i, col) in batch.columns().iter().enumerate() {
            let col = normalize(path, col)?;
            for r in 0..batch.num_rows() {
                stats[i].see(&cell(col.as_ref(), r));
            }
        }
        inspected += batch.num_rows() as u64;
    }
    let fields = fields(&names);
    let columns = names
        .into_iter()
        .zip(fields)
        .zip(schema.fields().iter())
        .zip(stats)
        .map(|(((name, field), f), stats)| ProbeColumn {
            name,
            field,
            kind: kind_of(f.data_type()),
            data_type: f.data_type().clone(),
            stats,
        })
        .collect();
    Ok(Probe {
        format: SampleFormat::Parquet,
        columns,
        rows: Some(rows as u64),
        inspected,
    })
}

fn parquet_error(path: &Path, e: &str) -> WorkloadError {
    WorkloadError::input(
        path,
        None,
        None,
        format!("cannot decode the Parquet file (truncated or corrupt?): {e}"),
    )
}

/// Dictionary-encoded text as plain text.
fn normalize(path: &Path, col: &ArrayRef) -> Result<ArrayRef> {
    match col.data_type() {
        DataType::Dictionary(..) => cast(col, &DataType::Utf8).map_err(|e| {
            WorkloadError::input(
                path,
                None,
                None,
                format!("cannot read a dictionary column: {e}"),
            )
        }),
        _ => Ok(Arc::clone(col)),
    }
}

// ---------------------------------------------------------------- values

/// One value of one row, before conversion.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Null,
    Text(&'a str),
    Int(i128),
    F64(f64),
    F32(f32),
    /// `value · 10^-scale`.
    Decimal(i128, i8),
    TimeMs(i128),
    Bool(bool),
    Unsupported,
}

/// Row `r` of an Arrow column.
fn cell(col: &dyn Array, r: usize) -> Cell<'_> {
    use DataType::*;
    if matches!(col.data_type(), Null) || col.is_null(r) {
        return Cell::Null;
    }
    let i = |v: i128| Cell::Int(v);
    match col.data_type() {
        Utf8 => Cell::Text(col.as_string::<i32>().value(r)),
        LargeUtf8 => Cell::Text(col.as_string::<i64>().value(r)),
        Utf8View => Cell::Text(col.as_string_view().value(r)),
        Int8 => i(col.as_primitive::<Int8Type>().value(r).into()),
        Int16 => i(col.as_primitive::<Int16Type>().value(r).into()),
        Int32 => i(col.as_primitive::<Int32Type>().value(r).into()),
        Int64 => i(col.as_primitive::<Int64Type>().value(r).into()),
        UInt8 => i(col.as_primitive::<UInt8Type>().value(r).into()),
        UInt16 => i(col.as_primitive::<UInt16Type>().value(r).into()),
        UInt32 => i(col.as_primitive::<UInt32Type>().value(r).into()),
        UInt64 => i(col.as_primitive::<UInt64Type>().value(r).into()),
        Float32 => Cell::F32(col.as_primitive::<Float32Type>().value(r)),
        Float64 => Cell::F64(col.as_primitive::<Float64Type>().value(r)),
        Decimal128(_, s) => Cell::Decimal(col.as_primitive::<Decimal128Type>().value(r), *s),
        Boolean => Cell::Bool(col.as_boolean().value(r)),
        Date32 => {
            Cell::TimeMs(i128::from(col.as_primitive::<Date32Type>().value(r)) * i128::from(DAY))
        }
        Date64 => Cell::TimeMs(col.as_primitive::<Date64Type>().value(r).into()),
        Timestamp(unit, _) => {
            let (v, per_ms): (i64, i128) = match unit {
                TimeUnit::Second => (col.as_primitive::<TimestampSecondType>().value(r), -1000),
                TimeUnit::Millisecond => {
                    (col.as_primitive::<TimestampMillisecondType>().value(r), 1)
                }
                TimeUnit::Microsecond => (
                    col.as_primitive::<TimestampMicrosecondType>().value(r),
                    1000,
                ),
                TimeUnit::Nanosecond => (
                    col.as_primitive::<TimestampNanosecondType>().value(r),
                    1_000_000,
                ),
            };
            let v = i128::from(v);
            Cell::TimeMs(if per_ms < 0 {
                v * 1000
            } else {
                v.div_euclid(per_ms)
            })
        }
        _ => Cell::Unsupported,
    }
}

/// An exact decimal `m · 10^-s`, without trailing zeros after the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dec {
    m: i128,
    s: u32,
}

/// A decimal number (`-12.5`, `+3`, `.5`, `1e3`, `2.5E-2`), exactly.
fn parse_dec(t: &str) -> Option<Dec> {
    let b = t.as_bytes();
    let (neg, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (mant, exp) = match rest.iter().position(|c| matches!(c, b'e' | b'E')) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mant.iter().position(|c| *c == b'.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, &[][..]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut m: i128 = 0;
    for &d in int.iter().chain(frac) {
        if !d.is_ascii_digit() {
            return None;
        }
        m = m.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
    }
    let mut s = frac.len() as i64;
    if let Some(e) = exp {
        let (eneg, digits) = match e.first()? {
            b'-' => (true, &e[1..]),
            b'+' => (false, &e[1..]),
            _ => (false, e),
        };
        if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        s -= if eneg { -v } else { v };
    }
    if neg {
        m = -m;
    }
    if s < 0 {
        m = m.checked_mul(10i128.checked_pow(u32::try_from(-s).ok()?)?)?;
        s = 0;
    }
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    Some(Dec {
        m,
        s: u32::try_from(s).ok()?,
    })
}

impl Dec {
    /// `self · 10^d` rounded half away from zero, if its magnitude is at
    /// most [`MAX_MAGNITUDE`] (before scaling).
    fn scaled(self, d: u32) -> Option<i64> {
        let v = if self.s <= d {
            self.m.checked_mul(10i128.checked_pow(d - self.s)?)?
        } else if self.s - d > 38 {
            0
        } else {
            let p = 10i128.pow(self.s - d);
            let (q, r) = (self.m / p, self.m % p);
            if 2 * r.abs() >= p {
                q + self.m.signum()
            } else {
                q
            }
        };
        let limit = (MAX_MAGNITUDE as i128).checked_mul(10i128.pow(d))?;
        (v.abs() <= limit).then_some(v as i64)
    }
}

impl Cell<'_> {
    /// The value as an exact decimal (numbers and numeric text).
    fn dec(&self) -> Result<Dec, String> {
        let float = |text: String, finite: bool| {
            if !finite {
                return Err(format!("`{text}` is not a finite number"));
            }
            parse_dec(&text).ok_or_else(|| format!("`{text}` is not a number"))
        };
        match *self {
            Cell::Int(i) => Ok(Dec { m: i, s: 0 }),
            Cell::Text(t) => {
                parse_dec(t.trim()).ok_or_else(|| format!("`{}` is not a number", clip(t)))
            }
            // The shortest text that reads back as the float: what it says.
            Cell::F64(x) => float(x.to_string(), x.is_finite()),
            Cell::F32(x) => float(x.to_string(), x.is_finite()),
            Cell::Decimal(v, s) => {
                let (mut m, mut s) = (v, i64::from(s));
                if s < 0 {
                    m = m
                        .checked_mul(10i128.checked_pow((-s) as u32).ok_or("decimal overflows")?)
                        .ok_or("decimal overflows")?;
                    s = 0;
                }
                while s > 0 && m % 10 == 0 {
                    m /= 10;
                    s -= 1;
                }
                Ok(Dec { m, s: s as u32 })
            }
            Cell::Bool(_) => Err("expected a number, found a boolean".into()),
            Cell::TimeMs(_) => Err("expected a number, found a timestamp".into()),
            Cell::Null => Err("empty value: expected a number".into()),
            Cell::Unsupported => Err("expected a number, found an unsupported type".into()),
        }
    }
}

/// A value in an error message: at most 40 characters of it.
fn clip(t: &str) -> String {
    if t.chars().count() <= 40 {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(40).collect::<String>())
    }
}

/// Integer milliseconds or RFC 3339 / ISO 8601 text (no offset means UTC).
fn parse_time_text(t: &str) -> Result<i128, String> {
    let t = t.trim();
    let bad = || {
        format!(
            "`{}` is not a time: expected integer milliseconds since the epoch or an RFC 3339 / ISO 8601 timestamp",
            clip(t)
        )
    };
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i128>().map_err(|_| bad());
    }
    if !t.is_ascii() {
        return Err(bad());
    }
    string_to_timestamp_nanos(t)
        .map(|ns| i128::from(ns).div_euclid(1_000_000))
        .map_err(|_| bad())
}

/// A time cell in checked milliseconds.
fn time_ms(c: &Cell<'_>) -> Result<Millis, String> {
    let ms = match *c {
        Cell::TimeMs(ms) | Cell::Int(ms) => ms,
        Cell::Text(t) => parse_time_text(t)?,
        Cell::Null => return Err("empty value: expected a time".into()),
        _ => {
            return Err("expected integer milliseconds, a timestamp or RFC 3339 text".into());
        }
    };
    if !(i128::from(MIN_TIME_MS)..=i128::from(MAX_TIME_MS)).contains(&ms) {
        return Err(format!("time {ms} ms is outside the years 1 to 9999"));
    }
    Ok(ms as Millis)
}

// ---------------------------------------------------------------- load

/// Finds a column by its file name, else by its field name.
fn find(path: &Path, probe: &Probe, name: &str, role: &str) -> Result<usize> {
    probe
        .columns
        .iter()
        .position(|c| c.name == name)
        .or_else(|| probe.columns.iter().position(|c| c.field == name))
        .ok_or_else(|| {
            WorkloadError::input(
                path,
                None,
                Some(name),
                format!(
                    "no {role} column `{name}` in the file (its columns: {})",
                    probe
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

fn check_time_column(path: &Path, c: &ProbeColumn, role: &str) -> Result<()> {
    match c.kind {
        Kind::Integer | Kind::Time | Kind::Text => Ok(()),
        _ => Err(WorkloadError::input(
            path,
            None,
            Some(&c.name),
            format!(
                "a {} column cannot be the {role}: expected integer milliseconds, a timestamp or RFC 3339 text",
                c.data_type
            ),
        )),
    }
}

/// What [`plan`] decides: the event time's and the arrival time's file
/// column indexes, and per definition column its file column index, how it
/// is read and its name.
struct Plan {
    time: usize,
    arrival: Option<usize>,
    columns: Vec<(usize, Planned, String)>,
}

/// The definition columns to read.
fn plan(
    path: &Path,
    probe: &Probe,
    mapping: &SampleMapping,
    query: Option<&QueryDef>,
) -> Result<Plan> {
    let time = find(path, probe, &mapping.event_time, "event time")?;
    check_time_column(path, &probe.columns[time], "event time")?;
    let arrival = match &mapping.arrival_time {
        Some(a) => {
            let i = find(path, probe, a, "arrival time")?;
            check_time_column(path, &probe.columns[i], "arrival time")?;
            Some(i)
        }
        None => None,
    };
    let key = find(path, probe, &mapping.key, "key")?;
    let kc = &probe.columns[key];
    if key == time || Some(key) == arrival {
        return Err(WorkloadError::input(
            path,
            None,
            Some(&kc.name),
            "the key cannot also be the event time or the arrival time",
        ));
    }
    if !matches!(kc.kind, Kind::Integer | Kind::Text | Kind::Bool) {
        return Err(WorkloadError::input(
            path,
            None,
            Some(&kc.name),
            format!(
                "a {} column cannot be the key: expected text or integers",
                kc.data_type
            ),
        ));
    }
    // With a query, only the columns it uses (and the key) are read.
    let wanted: Option<BTreeSet<&str>> = query.map(|q| {
        let mut w: BTreeSet<&str> = BTreeSet::from([q.key.as_str()]);
        w.extend(q.filter.iter().map(|p| p.column.as_str()));
        w.extend(q.aggregates.iter().filter_map(|a| a.column.as_deref()));
        w
    });
    if let Some(w) = &wanted {
        for name in w {
            match probe.columns.iter().position(|c| c.field == *name) {
                None => {
                    return Err(WorkloadError::input(
                        path,
                        None,
                        Some(name),
                        format!(
                            "the query uses `{name}`, which is not a column of the file (its columns as a query names them: {})",
                            probe
                                .columns
                                .iter()
                                .map(|c| c.field.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                Some(i) if i == time || Some(i) == arrival => {
                    return Err(WorkloadError::input(
                        path,
                        None,
                        Some(name),
                        format!(
                            "the query cannot use `{name}`: it is the event time or the arrival time (windows are on event time)"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let grouped_by = query.map(|q| q.key.as_str());
    // Columns the query computes with or compares with a number: read as
    // numbers whatever the inspected rows suggested, so a value that is
    // not one is an error naming its row.
    let numeric = |field: &str| {
        query.is_some_and(|q| {
            q.aggregates.iter().any(|a| {
                a.column.as_deref() == Some(field)
                    && matches!(
                        a.function,
                        AggFunction::Sum | AggFunction::Min | AggFunction::Max | AggFunction::Avg
                    )
            }) || q
                .filter
                .iter()
                .any(|p| p.column == field && matches!(p.value, Literal::Number(_)))
        })
    };
    let mut out = Vec::new();
    for (i, c) in probe.columns.iter().enumerate() {
        if i == time || Some(i) == arrival {
            continue;
        }
        let used = wanted.as_ref().is_none_or(|w| w.contains(c.field.as_str())) || i == key;
        if !used {
            continue;
        }
        let referenced = wanted.is_some() || i == key;
        let unusable = |what: String| WorkloadError::input(path, None, Some(&c.name), what);
        let conv = match c.kind {
            Kind::Text if i != key && numeric(&c.field) => {
                Conv::Number(c.stats.decimals.min(MAX_DECIMALS))
            }
            Kind::Text | Kind::Bool => Conv::Text,
            Kind::Integer if i == key || grouped_by == Some(c.field.as_str()) => Conv::Integer,
            Kind::Integer => Conv::Number(0),
            Kind::Float => Conv::Number(c.stats.decimals.min(MAX_DECIMALS)),
            Kind::Time if referenced => {
                return Err(unusable(format!(
                    "a {} column can only be the event time or the arrival time",
                    c.data_type
                )));
            }
            Kind::Unsupported if referenced => {
                return Err(unusable(format!(
                    "Weir cannot use a {} column",
                    c.data_type
                )));
            }
            Kind::Time | Kind::Unsupported => continue,
        };
        out.push((
            i,
            Planned {
                source: c.name.clone(),
                conv,
            },
            c.field.clone(),
        ));
    }
    if out.len() > MAX_COLUMNS {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            format!(
                "{} usable columns besides the event time and the arrival time, more than the {MAX_COLUMNS} a workload may have: give the query, and only the columns it uses are read",
                out.len()
            ),
        ));
    }
    Ok(Plan {
        time,
        arrival,
        columns: out,
    })
}

/// Collects events while the file is read.
struct Builder<'a> {
    path: &'a Path,
    convs: Vec<Conv>,
    /// File names of time, arrival (if any) and the definition columns.
    names: Vec<String>,
    has_arrival: bool,
    dicts: Vec<Dictionary>,
    /// Read against a sample's strings instead of interning.
    frozen: Option<&'a Texts>,
    events: Vec<CustomEvent>,
    arrivals: Vec<Millis>,
    /// Per number column, scaled min and max.
    ranges: Vec<(i64, i64)>,
}

impl Builder<'_> {
    /// One row: `cells` are time, arrival (if any), then the definition columns.
    fn push(&mut self, line: u64, cells: &[Cell<'_>]) -> Result<()> {
        if self.events.len() >= MAX_SAMPLE_ROWS {
            return Err(WorkloadError::input(
                self.path,
                None,
                None,
                format!(
                    "the file has more than {MAX_SAMPLE_ROWS} rows, the most a sample may have"
                ),
            ));
        }
        let err = |col: usize, m: String| {
            WorkloadError::input(self.path, Some(line), Some(&self.names[col]), m)
        };
        let event_time = time_ms(&cells[0]).map_err(|m| err(0, m))?;
        let first = if self.has_arrival {
            let a = time_ms(&cells[1]).map_err(|m| err(1, m))?;
            self.arrivals.push(a);
            2
        } else {
            1
        };
        let mut values = [0i64; MAX_COLUMNS];
        for (j, c) in cells[first..].iter().enumerate() {
            let col = first + j;
            values[j] = match self.convs[j] {
                Conv::Number(d) => {
                    let dec = c.dec().map_err(|m| err(col, m))?;
                    let v = dec.scaled(d).ok_or_else(|| {
                        err(
                            col,
                            format!("the value is out of range: at most ±{MAX_MAGNITUDE:e}"),
                        )
                    })?;
                    let r = &mut self.ranges[j];
                    *r = (r.0.min(v), r.1.max(v));
                    v
                }
                Conv::Integer => {
                    let dec = c.dec().map_err(|m| err(col, m))?;
                    if dec.s != 0 {
                        return Err(err(col, "expected an integer, found a fraction".into()));
                    }
                    i64::try_from(dec.m)
                        .map_err(|_| err(col, "the integer does not fit 64 bits".into()))?
                }
                Conv::Text => {
                    let owned;
                    let s: &str = match *c {
                        Cell::Text(s) => s,
                        Cell::Null => "",
                        Cell::Bool(b) => {
                            if b {
                                "true"
                            } else {
                                "false"
                            }
                        }
                        Cell::Int(i) => {
                            owned = i.to_string();
                            &owned
                        }
                        _ => return Err(err(col, "expected text".into())),
                    };
                    if s.len() > MAX_TEXT_LEN {
                        return Err(err(
                            col,
                            format!(
                                "the value has {} bytes, more than the {MAX_TEXT_LEN} a text value may have",
                                s.len()
                            ),
                        ));
                    }
                    let id = match self.frozen {
                        Some(t) => t.column(j).id(s).ok_or_else(|| {
                            err(
                                col,
                                format!(
                                    "`{}` is not a value of this column in the sample the workload was built from",
                                    clip(s)
                                ),
                            )
                        })?,
                        None => {
                            let d = &mut self.dicts[j];
                            let id = d.intern(s);
                            if d.len() as u64 > MAX_DISTINCT_TEXTS {
                                return Err(err(
                                    col,
                                    format!("more than {MAX_DISTINCT_TEXTS} distinct values"),
                                ));
                            }
                            id
                        }
                    };
                    i64::from(id)
                }
            };
        }
        self.events.push(CustomEvent { event_time, values });
        Ok(())
    }
}

/// Reads every row of `path` into `b`; `idx` are the file column indexes
/// of `b`'s cells.
fn read_all(path: &Path, probe: &Probe, idx: &[usize], b: &mut Builder<'_>) -> Result<()> {
    match probe.format {
        SampleFormat::Csv => {
            let mut rdr = csv_reader(path)?;
            let names = csv_header(path, &mut rdr)?;
            let mut record = csv::ByteRecord::new();
            while rdr
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, &e))?
            {
                let line = record.position().map_or(0, |p| p.line());
                check_fields(path, line, &names, record.len())?;
                let cells = idx
                    .iter()
                    .map(|&i| {
                        utf8(path, line, &names[i], record.get(i).unwrap_or(b"")).map(Cell::Text)
                    })
                    .collect::<Result<Vec<_>>>()?;
                b.push(line, &cells)?;
            }
            Ok(())
        }
        SampleFormat::Parquet => guarded(path, || {
            let builder = parquet_builder(path)?;
            let rows = builder.metadata().file_metadata().num_rows();
            if rows < 0 || rows as u64 > MAX_SAMPLE_ROWS as u64 {
                return Err(WorkloadError::input(
                    path,
                    None,
                    None,
                    format!(
                        "the file has {rows} rows, more than the {MAX_SAMPLE_ROWS} a sample may have"
                    ),
                ));
            }
            let mut roots: Vec<usize> = idx.to_vec();
            roots.sort_unstable();
            roots.dedup();
            let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
            let reader = builder
                .with_projection(mask)
                .with_batch_size(8192)
                .build()
                .map_err(|e| parquet_error(path, &e.to_string()))?;
            let mut row = 0u64;
            for batch in reader {
                let batch: RecordBatch = batch.map_err(|e| parquet_error(path, &e.to_string()))?;
                let cols = idx
                    .iter()
                    .map(|&i| {
                        let name = &probe.columns[i].name;
                        let c = batch.column_by_name(name).ok_or_else(|| {
                            parquet_error(
                                path,
                                &format!("column `{name}` is missing from a row group"),
                            )
                        })?;
                        normalize(path, c)
                    })
                    .collect::<Result<Vec<_>>>()?;
                let mut cells: Vec<Cell<'_>> = Vec::with_capacity(idx.len());
                for r in 0..batch.num_rows() {
                    row += 1;
                    cells.clear();
                    cells.extend(cols.iter().map(|c| cell(c.as_ref(), r)));
                    b.push(row, &cells)?;
                }
            }
            Ok(())
        }),
    }
}

/// Reads a sample file under `mapping` into events and the definition's
/// columns. With a `query`, only the columns it uses (and the key) are
/// read, and an integer column it groups by becomes a sampled integer
/// column; without one, every usable column is read (integers as numbers,
/// except the key).
pub fn load(
    path: &Path,
    mapping: &SampleMapping,
    query: Option<&QueryDef>,
) -> Result<LoadedSample> {
    let probe = probe(path)?;
    let Plan {
        time,
        arrival,
        columns: planned,
    } = plan(path, &probe, mapping, query)?;
    let mut idx = vec![time];
    idx.extend(arrival);
    idx.extend(planned.iter().map(|p| p.0));
    let mut b = Builder {
        path,
        convs: planned.iter().map(|p| p.1.conv).collect(),
        names: idx.iter().map(|&i| probe.columns[i].name.clone()).collect(),
        has_arrival: arrival.is_some(),
        dicts: planned.iter().map(|_| Dictionary::default()).collect(),
        frozen: None,
        events: Vec::new(),
        arrivals: Vec::new(),
        ranges: vec![(i64::MAX, i64::MIN); planned.len()],
    };
    read_all(path, &probe, &idx, &mut b)?;
    if b.events.is_empty() {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file has no data rows",
        ));
    }
    // Ids in text order, per column.
    let mut dicts = Vec::with_capacity(planned.len());
    for (j, d) in std::mem::take(&mut b.dicts).into_iter().enumerate() {
        if planned[j].1.conv != Conv::Text {
            dicts.push(Dictionary::default());
            continue;
        }
        let (sorted, remap) = d.sorted();
        for e in &mut b.events {
            e.values[j] = i64::from(remap[e.values[j] as usize]);
        }
        dicts.push(sorted);
    }
    let columns = planned
        .iter()
        .zip(&b.ranges)
        .map(|((_, p, field), &(lo, hi))| match p.conv {
            Conv::Text => ColumnDef::Sampled {
                name: field.clone(),
                values: SampledValues::Text,
            },
            Conv::Integer => ColumnDef::Sampled {
                name: field.clone(),
                values: SampledValues::Integer,
            },
            Conv::Number(d) => {
                let unit = 10f64.powi(d as i32);
                ColumnDef::Number {
                    name: field.clone(),
                    // The sample's range: what a generator would draw from.
                    distribution: NumberDistribution::Uniform {
                        min: lo as f64 / unit,
                        max: hi as f64 / unit,
                    },
                    decimals: d,
                }
            }
        })
        .collect();
    let data = into_dataset(&mut b);
    Ok(LoadedSample {
        columns,
        source: SampleSource {
            mapping: mapping.clone(),
            time: probe.columns[time].name.clone(),
            arrival: arrival.map(|i| probe.columns[i].name.clone()),
            columns: planned.into_iter().map(|p| p.1).collect(),
            texts: Arc::new(Texts::new(dicts)),
        },
        data,
    })
}

/// The builder's events in arrival order.
fn into_dataset(b: &mut Builder<'_>) -> Dataset<CustomEvent> {
    let events = std::mem::take(&mut b.events);
    if !b.has_arrival {
        return Dataset::from_arrival_order(events, Dictionary::default());
    }
    let arrivals = std::mem::take(&mut b.arrivals);
    let mut order: Vec<u32> = (0..events.len() as u32).collect();
    // Stable: rows arriving at the same time keep their file order.
    order.sort_by_key(|&i| arrivals[i as usize]);
    Dataset {
        events: order.iter().map(|&i| events[i as usize]).collect(),
        arrival: order.iter().map(|&i| arrivals[i as usize]).collect(),
        dict: Dictionary::default(),
    }
}

/// Reads another file (or the sample again) the way `source` was loaded:
/// the same columns and conversions, text read against the sample's
/// strings (a value the sample did not have is an error naming its row).
pub fn reload(path: &Path, source: &SampleSource) -> Result<Dataset<CustomEvent>> {
    let probe = probe(path)?;
    let mut idx = vec![find(path, &probe, &source.time, "event time")?];
    if let Some(a) = &source.arrival {
        idx.push(find(path, &probe, a, "arrival time")?);
    }
    for c in &source.columns {
        idx.push(find(path, &probe, &c.source, "")?);
    }
    let mut b = Builder {
        path,
        convs: source.columns.iter().map(|c| c.conv).collect(),
        names: idx.iter().map(|&i| probe.columns[i].name.clone()).collect(),
        has_arrival: source.arrival.is_some(),
        dicts: Vec::new(),
        frozen: Some(&source.texts),
        events: Vec::new(),
        arrivals: Vec::new(),
        ranges: vec![(i64::MAX, i64::MIN); source.columns.len()],
    };
    read_all(path, &probe, &idx, &mut b)?;
    if b.events.is_empty() {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file has no data rows",
        ));
    }
    Ok(into_dataset(&mut b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_and_round_half_away() {
        let d = |t: &str| parse_dec(t).unwrap();
        assert_eq!(d("12.50"), Dec { m: 125, s: 1 });
        assert_eq!(d("-0.125").scaled(2), Some(-13));
        assert_eq!(d("0.145").scaled(2), Some(15));
        assert_eq!(d("1e3"), Dec { m: 1000, s: 0 });
        assert_eq!(d("2.5E-2"), Dec { m: 25, s: 3 });
        assert_eq!(d(".5"), Dec { m: 5, s: 1 });
        assert_eq!(d("5."), Dec { m: 5, s: 0 });
        assert_eq!(d("+7").scaled(0), Some(7));
        for bad in ["", "-", ".", "1.2.3", "1e", "e5", "1e99999", "abc", "1,5"] {
            assert_eq!(parse_dec(bad), None, "{bad}");
        }
        assert_eq!(d("1e13").scaled(0), None);
        assert_eq!(d("0.00001").scaled(4), Some(0));
        assert_eq!(Cell::F64(0.1 + 0.2).dec().unwrap().s, 17);
        assert_eq!(Cell::F64(12.34).dec().unwrap().scaled(2), Some(1234));
    }

    #[test]
    fn times_parse_as_ms_or_rfc3339() {
        assert_eq!(parse_time_text("1700000000000"), Ok(1_700_000_000_000));
        assert_eq!(parse_time_text("1970-01-01T00:00:01.5Z"), Ok(1500));
        assert_eq!(parse_time_text("1970-01-01 00:00:01+01:00"), Ok(-3_599_000));
        assert!(parse_time_text("yesterday").is_err());
        assert!(parse_time_text("1970-01-01T00:00:0é").is_err());
    }

    #[test]
    fn fields_are_valid_distinct_names() {
        let f = fields(&[
            "Amount ($)".into(),
            "amount__".into(),
            "2nd".into(),
            "".into(),
            "event_time".into(),
            "Amount ($)".into(),
        ]);
        assert_eq!(
            f,
            [
                "amount____",
                "amount__",
                "c_2nd",
                "column_4",
                "event_time_col",
                "amount_____2"
            ]
        );
    }
}

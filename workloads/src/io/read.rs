//! A typed, position-aware reader shared by every workload's input format.
//!
//! A workload declares its columns and types and turns one row of typed values
//! into its event; this module handles the format (CSV or Parquet, chosen by
//! extension), the header, types, bounds and error positions — every error
//! names the file, the 1-based line (CSV; the row number for Parquet) and the
//! column.

use std::fs::File;
use std::path::Path;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type, TimeUnit, UInt32Type, UInt64Type};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::dict::Dictionary;
use crate::error::{Result, WorkloadError};

/// Most rows a single input file may hold: a bound on memory (about 50 bytes
/// an event) so a huge upload fails clearly instead of exhausting the machine.
pub const MAX_INPUT_ROWS: usize = 20_000_000;

/// The type of an input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Unsigned integer that must fit `u64`.
    U64,
    /// Unsigned integer that must fit `u32`.
    U32,
    /// Signed 64-bit integer (amounts, prices).
    I64,
    /// Event time: integer milliseconds (CSV), or Int64 / Timestamp(ms) (Parquet).
    Time,
    /// A string, interned into the dataset's dictionary.
    Str,
}

impl ColType {
    fn describe(self) -> &'static str {
        match self {
            ColType::U64 => "an unsigned 64-bit integer",
            ColType::U32 => "an unsigned 32-bit integer",
            ColType::I64 => "a 64-bit integer",
            ColType::Time => "integer milliseconds since the Unix epoch",
            ColType::Str => "a string",
        }
    }
}

/// A problem with one field of one row, reported by a workload's row parser.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub column: &'static str,
    pub message: String,
}

impl FieldError {
    /// An error about `column`.
    pub fn new(column: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            column,
            message: message.into(),
        }
    }
}

/// One row's values, in the order the columns were declared. Integers are
/// widened to `i128` so every declared type fits; strings are dictionary ids.
pub struct RowValues<'a> {
    values: &'a [i128],
    pub dict: &'a Dictionary,
}

impl RowValues<'_> {
    /// Column `i` as `u64` (already range-checked by the reader).
    pub fn u64(&self, i: usize) -> u64 {
        self.values[i] as u64
    }
    /// Column `i` as `u32` (already range-checked by the reader).
    pub fn u32(&self, i: usize) -> u32 {
        self.values[i] as u32
    }
    /// Column `i` as `i64` (already range-checked by the reader).
    pub fn i64(&self, i: usize) -> i64 {
        self.values[i] as i64
    }
    /// Column `i`'s string (a `Str` column).
    pub fn str(&self, i: usize) -> &str {
        self.dict.get(self.values[i] as u32)
    }
    /// Column `i`'s dictionary id (a `Str` column).
    pub fn id(&self, i: usize) -> u32 {
        self.values[i] as u32
    }
}

/// Reads `path` (`.csv` or `.parquet`) with the declared `columns` (extra
/// columns are ignored, missing ones are an error) and maps each row with
/// `parse`. Returns the events in file order and the dictionary of all
/// string values, ids sorted by text.
pub fn read_rows<E>(
    path: &Path,
    columns: &[(&'static str, ColType)],
    mut parse: impl FnMut(&RowValues<'_>) -> Result<E, FieldError>,
) -> Result<(Vec<E>, Dictionary)> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut dict = Dictionary::default();
    let mut raw: Vec<(u64, Vec<i128>)> = Vec::new();
    match ext.as_str() {
        "csv" => read_csv(path, columns, &mut dict, &mut raw)?,
        "parquet" | "pq" => read_parquet(path, columns, &mut dict, &mut raw)?,
        _ => {
            return Err(WorkloadError::input(
                path,
                None,
                None,
                "unsupported file type: expected a .csv or .parquet file",
            ));
        }
    }
    if raw.is_empty() {
        return Err(WorkloadError::input(path, None, None, "the file has no data rows"));
    }
    // Renumber string ids in text order so sorting by id sorts by text.
    let (sorted, remap) = dict.sorted();
    let str_cols: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| *t == ColType::Str)
        .map(|(i, _)| i)
        .collect();
    let mut events = Vec::with_capacity(raw.len());
    for (line, mut values) in raw {
        for &c in &str_cols {
            values[c] = i128::from(remap[values[c] as usize]);
        }
        let row = RowValues {
            values: &values,
            dict: &sorted,
        };
        let event = parse(&row).map_err(|e| WorkloadError::input(path, Some(line), Some(e.column), e.message))?;
        events.push(event);
    }
    Ok((events, sorted))
}

fn check_int(v: i128, t: ColType) -> Result<i128, String> {
    let (lo, hi) = match t {
        ColType::U64 => (0, i128::from(u64::MAX)),
        ColType::U32 => (0, i128::from(u32::MAX)),
        ColType::I64 | ColType::Time => (i128::from(i64::MIN), i128::from(i64::MAX)),
        ColType::Str => unreachable!("strings are not integers"),
    };
    if v < lo || v > hi {
        Err(format!("value {v} is out of range for {}", t.describe()))
    } else {
        Ok(v)
    }
}

fn too_many_rows(path: &Path) -> WorkloadError {
    WorkloadError::input(
        path,
        None,
        None,
        format!("the file has more than {MAX_INPUT_ROWS} rows, the most one run accepts"),
    )
}

fn read_csv(
    path: &Path,
    columns: &[(&'static str, ColType)],
    dict: &mut Dictionary,
    out: &mut Vec<(u64, Vec<i128>)>,
) -> Result<()> {
    let file = File::open(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(file);
    let header = rdr
        .headers()
        .map_err(|e| WorkloadError::input(path, Some(1), None, format!("cannot read the header row: {e}")))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(WorkloadError::input(path, None, None, "the file is empty: expected a header row"));
    }
    let idx: Vec<usize> = columns
        .iter()
        .map(|(name, _)| {
            header.iter().position(|h| h.trim() == *name).ok_or_else(|| {
                WorkloadError::input(
                    path,
                    Some(1),
                    Some(name),
                    format!(
                        "missing column `{name}` in the header (found: {})",
                        header.iter().collect::<Vec<_>>().join(",")
                    ),
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut record = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line());
            WorkloadError::input(path, line, None, format!("malformed CSV: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if out.len() >= MAX_INPUT_ROWS {
            return Err(too_many_rows(path));
        }
        let mut values = Vec::with_capacity(columns.len());
        for ((name, t), &i) in columns.iter().zip(&idx) {
            let field = record.get(i).unwrap_or("").trim();
            let v = if *t == ColType::Str {
                if field.is_empty() {
                    return Err(WorkloadError::input(path, Some(line), Some(name), "empty value: expected a string"));
                }
                i128::from(dict.intern(field))
            } else {
                let parsed: i128 = field.parse().map_err(|_| {
                    WorkloadError::input(
                        path,
                        Some(line),
                        Some(name),
                        format!("`{field}` is not {}", t.describe()),
                    )
                })?;
                check_int(parsed, *t).map_err(|m| WorkloadError::input(path, Some(line), Some(name), m))?
            };
            values.push(v);
        }
        out.push((line, values));
    }
    Ok(())
}

fn read_parquet(
    path: &Path,
    columns: &[(&'static str, ColType)],
    dict: &mut Dictionary,
    out: &mut Vec<(u64, Vec<i128>)>,
) -> Result<()> {
    let bad = |m: String| WorkloadError::input(path, None, None, m);
    let file = File::open(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
    let rows = builder.metadata().file_metadata().num_rows();
    if rows as u64 > MAX_INPUT_ROWS as u64 {
        return Err(too_many_rows(path));
    }
    let schema = builder.schema().clone();
    let idx: Vec<usize> = columns
        .iter()
        .map(|(name, _)| {
            schema.index_of(name).map_err(|_| {
                WorkloadError::input(path, None, Some(name), format!("missing column `{name}`"))
            })
        })
        .collect::<Result<_>>()?;
    let reader = builder.build().map_err(|e| bad(format!("cannot read Parquet: {e}")))?;
    let mut row_no: u64 = 0;
    for batch in reader {
        let batch = batch.map_err(|e| bad(format!("cannot decode Parquet: {e}")))?;
        let base = row_no;
        let mut rows: Vec<(u64, Vec<i128>)> = (0..batch.num_rows())
            .map(|r| (base + r as u64 + 1, Vec::with_capacity(columns.len())))
            .collect();
        for ((name, t), &i) in columns.iter().zip(&idx) {
            let col = batch.column(i);
            let err_at = |r: usize, m: String| WorkloadError::input(path, Some(base + r as u64 + 1), Some(name), m);
            for (r, row) in rows.iter_mut().enumerate() {
                if col.is_null(r) {
                    return Err(err_at(r, "null value".into()));
                }
                let v: i128 = match (t, col.data_type()) {
                    (ColType::Str, DataType::Utf8) => i128::from(dict.intern(col.as_string::<i32>().value(r))),
                    (ColType::Str, DataType::LargeUtf8) => i128::from(dict.intern(col.as_string::<i64>().value(r))),
                    (ColType::Str, DataType::Utf8View) => i128::from(dict.intern(col.as_string_view().value(r))),
                    (ColType::Str, other) => return Err(err_at(r, format!("expected a string column, found {other}"))),
                    (_, DataType::Int64) => i128::from(col.as_primitive::<Int64Type>().value(r)),
                    (_, DataType::Int32) => i128::from(col.as_primitive::<Int32Type>().value(r)),
                    (_, DataType::UInt64) => i128::from(col.as_primitive::<UInt64Type>().value(r)),
                    (_, DataType::UInt32) => i128::from(col.as_primitive::<UInt32Type>().value(r)),
                    (ColType::Time, DataType::Timestamp(TimeUnit::Millisecond, _)) => i128::from(
                        col.as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>()
                            .value(r),
                    ),
                    (_, other) => {
                        return Err(err_at(r, format!("expected {}, found a {other} column", t.describe())));
                    }
                };
                if *t != ColType::Str {
                    check_int(v, *t).map_err(|m| err_at(r, m))?;
                }
                row.1.push(v);
            }
        }
        row_no += batch.num_rows() as u64;
        out.extend(rows);
    }
    Ok(())
}

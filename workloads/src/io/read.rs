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
use datafusion::arrow::datatypes::{
    DataType, Int32Type, Int64Type, TimeUnit, TimestampMillisecondType, UInt32Type, UInt64Type,
};
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

/// One row's values, in the order the columns were declared. Each value was
/// range-checked against its declared type and is stored as the 64 bits of
/// that type (an `i64` in two's complement); strings are dictionary ids.
pub struct RowValues<'a> {
    values: &'a [u64],
    pub dict: &'a Dictionary,
}

impl RowValues<'_> {
    /// Column `i` as `u64` (already range-checked by the reader).
    pub fn u64(&self, i: usize) -> u64 {
        self.values[i]
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
    let mut raw = RawRows::new(columns.len());
    match ext.as_str() {
        "csv" => read_csv(path, columns, &mut dict, &mut raw)?,
        "parquet" | "pq" => read_parquet_guarded(path, columns, &mut dict, &mut raw)?,
        _ => {
            return Err(WorkloadError::input(
                path,
                None,
                None,
                "unsupported file type: expected a .csv or .parquet file",
            ));
        }
    }
    if raw.lines.is_empty() {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file has no data rows",
        ));
    }
    // Renumber string ids in text order so sorting by id sorts by text.
    let (sorted, remap) = dict.sorted();
    let str_cols: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| *t == ColType::Str)
        .map(|(i, _)| i)
        .collect();
    let mut events = Vec::with_capacity(raw.lines.len());
    let width = columns.len().max(1);
    for (&line, values) in raw.lines.iter().zip(raw.values.chunks_exact_mut(width)) {
        for &c in &str_cols {
            values[c] = u64::from(remap[values[c] as usize]);
        }
        let row = RowValues {
            values,
            dict: &sorted,
        };
        let event = parse(&row)
            .map_err(|e| WorkloadError::input(path, Some(line), Some(e.column), e.message))?;
        events.push(event);
    }
    Ok((events, sorted))
}

/// Every row's checked values, flat (row-major, `width` a row) so a large
/// file costs one allocation, not one per row, and 8 bytes a value.
struct RawRows {
    width: usize,
    /// Line (CSV) or row number (Parquet) of each row, 1-based.
    lines: Vec<u64>,
    values: Vec<u64>,
}

impl RawRows {
    fn new(width: usize) -> Self {
        RawRows {
            width,
            lines: Vec::new(),
            values: Vec::new(),
        }
    }
}

/// Checks `v` fits `t` and returns it as the 64 bits of `t`.
fn check_int(v: i128, t: ColType) -> Result<u64, String> {
    let (lo, hi) = match t {
        ColType::U64 => (0, i128::from(u64::MAX)),
        ColType::U32 => (0, i128::from(u32::MAX)),
        ColType::I64 | ColType::Time => (i128::from(i64::MIN), i128::from(i64::MAX)),
        ColType::Str => return Err("expected a string, found an integer".into()),
    };
    if v < lo || v > hi {
        Err(format!("value {v} is out of range for {}", t.describe()))
    } else {
        // In range: the low 64 bits are the value as u64, or as i64 in
        // two's complement.
        Ok(v as u64)
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
    out: &mut RawRows,
) -> Result<()> {
    let file = File::open(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // Flexible: the field count is checked below, so the error can name the
    // missing column instead of only the count.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let header = rdr
        .headers()
        .map_err(|e| {
            WorkloadError::input(
                path,
                Some(1),
                None,
                format!("cannot read the header row: {e}"),
            )
        })?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].trim().is_empty()) {
        return Err(WorkloadError::input(
            path,
            None,
            None,
            "the file is empty: expected a header row",
        ));
    }
    let idx = csv_column_indexes(path, columns, &header)?;
    // Byte records: only string columns need UTF-8 checks, and integers are
    // parsed from bytes (a ~0.5 M-row file is read in a fraction of the time
    // a `StringRecord` + `str::parse` per field takes).
    let mut record = csv::ByteRecord::new();
    loop {
        let more = rdr.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line());
            WorkloadError::input(path, line, None, format!("malformed CSV: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        check_field_count(path, line, &header, &record)?;
        if out.lines.len() >= MAX_INPUT_ROWS {
            return Err(too_many_rows(path));
        }
        for ((name, t), &i) in columns.iter().zip(&idx) {
            let field = record.get(i).unwrap_or(b"").trim_ascii();
            let v = csv_value(field, *t, dict)
                .map_err(|m| WorkloadError::input(path, Some(line), Some(name), m))?;
            out.values.push(v);
        }
        out.lines.push(line);
    }
    Ok(())
}

/// Where each declared column is in the CSV header.
fn csv_column_indexes(
    path: &Path,
    columns: &[(&'static str, ColType)],
    header: &csv::StringRecord,
) -> Result<Vec<usize>> {
    columns
        .iter()
        .map(|(name, _)| {
            header
                .iter()
                .position(|h| h.trim() == *name)
                .ok_or_else(|| {
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
        .collect()
}

/// A row must have exactly the header's fields; a short row names the first
/// column it lacks.
fn check_field_count(
    path: &Path,
    line: u64,
    header: &csv::StringRecord,
    record: &csv::ByteRecord,
) -> Result<()> {
    check_row_width(path, line, record.len(), header.len(), |i| {
        header.get(i).unwrap_or("").trim().to_string()
    })
}

/// A CSV row of `have` fields where the header has `want`: an error at
/// `line` naming the first missing column (`name_of(i)`) or the surplus.
/// Shared by the reference workloads' reader and custom samples.
pub(crate) fn check_row_width(
    path: &Path,
    line: u64,
    have: usize,
    want: usize,
    name_of: impl FnOnce(usize) -> String,
) -> Result<()> {
    if have < want {
        let missing = name_of(have);
        return Err(WorkloadError::input(
            path,
            Some(line),
            Some(&missing),
            format!(
                "malformed CSV: the row has {have} fields but the header has {want}: no value for `{missing}`"
            ),
        ));
    }
    if have > want {
        return Err(WorkloadError::input(
            path,
            Some(line),
            None,
            format!("malformed CSV: the row has {have} fields but the header has only {want}"),
        ));
    }
    Ok(())
}

/// One CSV field as a checked value of type `t` (strings are interned).
fn csv_value(field: &[u8], t: ColType, dict: &mut Dictionary) -> Result<u64, String> {
    if t == ColType::Str {
        if field.is_empty() {
            return Err("empty value: expected a string".into());
        }
        let text = std::str::from_utf8(field)
            .map_err(|_| "the value is not valid UTF-8: expected a string".to_string())?;
        return Ok(u64::from(dict.intern(text)));
    }
    let parsed = parse_integer(field).ok_or_else(|| {
        format!(
            "`{}` is not {}",
            String::from_utf8_lossy(field),
            t.describe()
        )
    })?;
    check_int(parsed, t)
}

/// A decimal integer with an optional sign, like `str::parse::<i128>` (which
/// accepts `+`), without the UTF-8 check; `None` if it is not one or does
/// not fit `i128`.
fn parse_integer(field: &[u8]) -> Option<i128> {
    let (negative, digits) = match field.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i128 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i128::from(d - b'0');
        v = v.checked_mul(10)?;
        v = if negative {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// [`read_parquet`], with a panic inside the Parquet decoder (it asserts on
/// some corrupt pages instead of returning an error) turned into an input
/// error naming the file: bad input must never take the process down.
fn read_parquet_guarded(
    path: &Path,
    columns: &[(&'static str, ColType)],
    dict: &mut Dictionary,
    out: &mut RawRows,
) -> Result<()> {
    // Unwind safety: on a panic, `dict` and `out` are discarded with the error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_parquet(path, columns, dict, out)
    }))
    .unwrap_or_else(|panic| {
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

fn read_parquet(
    path: &Path,
    columns: &[(&'static str, ColType)],
    dict: &mut Dictionary,
    out: &mut RawRows,
) -> Result<()> {
    let bad = |m: String| WorkloadError::input(path, None, None, m);
    let file = File::open(path).map_err(|source| WorkloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
    let rows = builder.metadata().file_metadata().num_rows();
    if rows < 0 || rows as u64 > MAX_INPUT_ROWS as u64 {
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
    let reader = builder
        .build()
        .map_err(|e| bad(format!("cannot read Parquet: {e}")))?;
    for batch in reader {
        let batch = batch.map_err(|e| bad(format!("cannot decode Parquet: {e}")))?;
        let n = batch.num_rows();
        if out.lines.len() + n > MAX_INPUT_ROWS {
            return Err(too_many_rows(path));
        }
        let base = out.lines.len() as u64;
        let first = out.values.len();
        out.values.resize(first + n * out.width, 0);
        let values = &mut out.values[first..];
        for (c, ((name, t), &i)) in columns.iter().zip(&idx).enumerate() {
            let col = batch.column(i);
            for r in 0..n {
                let v = parquet_value(col.as_ref(), r, *t, dict).map_err(|m| {
                    WorkloadError::input(path, Some(base + r as u64 + 1), Some(name), m)
                })?;
                values[r * out.width + c] = v;
            }
        }
        out.lines.extend((1..=n as u64).map(|r| base + r));
    }
    Ok(())
}

/// Row `r` of a Parquet column as a checked value of type `t`.
fn parquet_value(
    col: &dyn Array,
    r: usize,
    t: ColType,
    dict: &mut Dictionary,
) -> Result<u64, String> {
    if col.is_null(r) {
        return Err("null value".into());
    }
    let v: i128 = match (t, col.data_type()) {
        (ColType::Str, DataType::Utf8) => {
            return Ok(u64::from(dict.intern(col.as_string::<i32>().value(r))));
        }
        (ColType::Str, DataType::LargeUtf8) => {
            return Ok(u64::from(dict.intern(col.as_string::<i64>().value(r))));
        }
        (ColType::Str, DataType::Utf8View) => {
            return Ok(u64::from(dict.intern(col.as_string_view().value(r))));
        }
        (ColType::Str, other) => return Err(format!("expected a string column, found {other}")),
        (_, DataType::Int64) => i128::from(col.as_primitive::<Int64Type>().value(r)),
        (_, DataType::Int32) => i128::from(col.as_primitive::<Int32Type>().value(r)),
        (_, DataType::UInt64) => i128::from(col.as_primitive::<UInt64Type>().value(r)),
        (_, DataType::UInt32) => i128::from(col.as_primitive::<UInt32Type>().value(r)),
        (ColType::Time, DataType::Timestamp(TimeUnit::Millisecond, _)) => {
            i128::from(col.as_primitive::<TimestampMillisecondType>().value(r))
        }
        (_, other) => return Err(format!("expected {}, found a {other} column", t.describe())),
    };
    check_int(v, t)
}

#[cfg(test)]
mod tests {
    use super::parse_integer;

    #[test]
    fn integers_parse_like_str_parse() {
        for text in [
            "0",
            "7",
            "-7",
            "+7",
            "007",
            "",
            "-",
            "+",
            "1.5",
            "1e3",
            " 1",
            "--1",
            "170141183460469231731687303715884105727",
            "170141183460469231731687303715884105728",
            "-170141183460469231731687303715884105728",
            "-170141183460469231731687303715884105729",
        ] {
            assert_eq!(
                parse_integer(text.as_bytes()),
                text.parse::<i128>().ok(),
                "`{text}`"
            );
        }
    }
}

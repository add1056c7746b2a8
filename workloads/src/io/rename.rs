//! A file whose columns have other names than a reference workload's
//! contract expects: copied, batch by batch, with the mapped columns renamed
//! (`card_id` ← `card`), so the workload's own reader — with all its type
//! and position checks — reads it unchanged. The copy streams: a CSV record
//! or a Parquet batch at a time.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchReader};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Result, WorkloadError};

/// Most columns one mapping may rename: more than any contract has.
pub const MAX_RENAMES: usize = 16;

/// Copies `path` into `dir` with each file column `mapping[contract]`
/// renamed to `contract`; returns the copy's path (same extension). A
/// mapped column the file lacks, or a new name the file already uses for
/// another column, is an error naming it.
pub fn renamed_copy(
    path: &Path,
    mapping: &BTreeMap<String, String>,
    dir: &Path,
) -> Result<PathBuf> {
    let bad = |m: String| WorkloadError::input(path, None, None, m);
    if mapping.len() > MAX_RENAMES {
        return Err(bad(format!(
            "{} column renames; at most {MAX_RENAMES}",
            mapping.len()
        )));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let out = dir.join(format!("renamed.{ext}"));
    let rename = |names: &[String]| -> Result<Vec<String>> {
        for (contract, file) in mapping {
            if !names.iter().any(|n| n == file) {
                return Err(bad(format!(
                    "no column `{file}` (mapped to `{contract}`) in the file; its columns: {}",
                    names.join(", ")
                )));
            }
            if names.iter().any(|n| n == contract) && file != contract {
                return Err(bad(format!(
                    "the file already has a column `{contract}`; map `{contract}` to it or rename that column"
                )));
            }
        }
        Ok(names
            .iter()
            .map(|n| {
                mapping
                    .iter()
                    .find(|(_, file)| *file == n)
                    .map_or_else(|| n.clone(), |(contract, _)| contract.clone())
            })
            .collect())
    };
    match ext.as_str() {
        "csv" => {
            let csv_err = |e: csv::Error| bad(format!("reading it as CSV: {e}"));
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_path(path)
                .map_err(csv_err)?;
            let mut writer = csv::WriterBuilder::new()
                .flexible(true)
                .from_path(&out)
                .map_err(|e| bad(format!("writing {}: {e}", out.display())))?;
            let mut record = csv::ByteRecord::new();
            let mut first = true;
            while reader.read_byte_record(&mut record).map_err(csv_err)? {
                if first {
                    first = false;
                    let names: Vec<String> = record
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).trim().to_string())
                        .collect();
                    writer
                        .write_record(rename(&names)?)
                        .map_err(|e| bad(format!("writing {}: {e}", out.display())))?;
                } else {
                    writer
                        .write_byte_record(&record)
                        .map_err(|e| bad(format!("writing {}: {e}", out.display())))?;
                }
            }
            writer
                .flush()
                .map_err(|e| bad(format!("writing {}: {e}", out.display())))?;
        }
        "parquet" | "pq" => {
            let pq_err = |e: datafusion::parquet::errors::ParquetError| {
                bad(format!("reading it as Parquet: {e}"))
            };
            let file = File::open(path).map_err(|e| bad(e.to_string()))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(pq_err)?
                .build()
                .map_err(pq_err)?;
            let schema = reader.schema();
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let renamed = rename(&names)?;
            let fields: Vec<Field> = schema
                .fields()
                .iter()
                .zip(&renamed)
                .map(|(f, n)| f.as_ref().clone().with_name(n))
                .collect();
            let schema = Arc::new(Schema::new(fields));
            let target = File::create(&out).map_err(|e| bad(format!("{}: {e}", out.display())))?;
            let mut writer = ArrowWriter::try_new(target, schema.clone(), None).map_err(pq_err)?;
            for batch in reader {
                let batch = batch.map_err(|e| bad(format!("reading it as Parquet: {e}")))?;
                let batch = RecordBatch::try_new(schema.clone(), batch.columns().to_vec())
                    .map_err(|e| bad(e.to_string()))?;
                writer.write(&batch).map_err(pq_err)?;
            }
            writer.close().map_err(pq_err)?;
        }
        _ => {
            return Err(bad(
                "unsupported file type: expected a .csv or .parquet file".into(),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FraudAlerts, Workload};

    #[test]
    fn a_csv_with_other_column_names_reads_as_the_contract_after_renaming() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("mine.csv");
        std::fs::write(
            &src,
            "id,card,merchant_id,amt,country,ts\n1,7,3,1500000,US,1000\n2,7,3,20,GB,2000\n",
        )
        .unwrap();
        let map: BTreeMap<String, String> = [
            ("txn_id", "id"),
            ("card_id", "card"),
            ("amount_cents", "amt"),
            ("event_time", "ts"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let out = tempfile::tempdir().unwrap();
        let copy = renamed_copy(&src, &map, out.path()).unwrap();
        let data = FraudAlerts.read_events(&copy).unwrap();
        assert_eq!(data.events.len(), 2);
        assert_eq!(data.events[0].card_id, 7);
        assert_eq!(data.events[0].amount_cents, 1_500_000);
        // A mapped column the file lacks, and a name collision.
        let mut wrong = map.clone();
        wrong.insert("merchant_id".into(), "shop".into());
        let e = renamed_copy(&src, &wrong, out.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column `shop`"), "{e}");
        let mut clash = BTreeMap::new();
        clash.insert("country".to_string(), "amt".to_string());
        let e = renamed_copy(&src, &clash, out.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("already has a column `country`"), "{e}");
    }
}

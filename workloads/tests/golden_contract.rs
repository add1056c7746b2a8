//! The invariant of the whole project: every mode's final output equals the
//! contract. One table of (workload × mode configuration), each run over
//! the golden inputs and compared byte for byte with the expected files.
//!
//! The golden files are the repository's copy in `tests/golden/` (taken
//! unchanged from `shared/golden`, computed independently of this project),
//! or `WEIR_GOLDEN_DIR`. When `shared/golden` sits beside the workspace, the
//! copy must equal it.

use std::path::{Path, PathBuf};

use workloads::drive::ModeConfig;
use workloads::mode::Engine;
use workloads::{DailyReport, FraudAlerts, JobConfig, Sessionization, Workload, contract};

fn golden_dir() -> PathBuf {
    std::env::var_os("WEIR_GOLDEN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden"))
}

/// The repository's copy of the golden files equals `shared/golden` beside
/// the workspace, when that exists (a fresh clone has only the copy).
#[test]
fn the_repository_copy_equals_shared_golden() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = root.join("../shared/golden");
    if !shared.is_dir() {
        eprintln!(
            "{} is absent: only the repository copy is used",
            shared.display()
        );
        return;
    }
    let copy = root.join("tests/golden");
    let names = |dir: &Path| {
        let mut n: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".csv"))
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&shared), names(&copy), "the same golden files");
    for name in names(&shared) {
        let a = std::fs::read(shared.join(&name)).unwrap();
        let b = std::fs::read(copy.join(&name)).unwrap();
        assert!(
            a == b,
            "tests/golden/{} differs from shared/golden",
            name.to_string_lossy()
        );
    }
}

/// Every mode, in memory (the default engine).
fn check<W: Workload>(workload: &W, index: usize) {
    let failures = contract::check(
        workload,
        &golden_dir(),
        index,
        &JobConfig::default(),
        &ModeConfig::all_exact(),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fraud_alerts_every_mode_matches_golden() {
    check(&FraudAlerts, 0);
}

#[test]
fn daily_report_every_mode_matches_golden() {
    check(&DailyReport, 1);
}

#[test]
fn sessionization_every_mode_matches_golden() {
    check(&Sessionization, 2);
}

/// Batch and micro-batch again on the Parquet lake (the engine Ballista's
/// in-process twin): the same queries over files instead of memory.
#[test]
fn every_engine_mode_matches_golden_on_the_parquet_lake() {
    let job = JobConfig {
        engine: Engine::Parquet,
        ..JobConfig::default()
    };
    let failures = contract::check_all(&golden_dir(), &job, &contract::engine_modes());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The golden inputs as Parquet (integers as Int64, text as Utf8, the same
/// rows in the same order): every mode gives the contract's files from
/// them too, so `run --input my.parquet` is held to the same invariant.
#[test]
fn every_mode_matches_golden_from_parquet_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (index, (input, _)) in contract::GOLDEN.iter().enumerate() {
        let parquet = dir.path().join(input.replace(".csv", ".parquet"));
        csv_to_parquet(&golden_dir().join(input), &parquet);
        let modes = ModeConfig::all_exact();
        let job = JobConfig::default();
        failures.extend(match index {
            0 => contract::check_input(&FraudAlerts, &golden_dir(), 0, &parquet, &job, &modes),
            1 => contract::check_input(&DailyReport, &golden_dir(), 1, &parquet, &job, &modes),
            _ => contract::check_input(&Sessionization, &golden_dir(), 2, &parquet, &job, &modes),
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes a CSV file as Parquet: a column whose every value is an integer
/// becomes Int64, any other Utf8.
fn csv_to_parquet(csv_path: &Path, parquet: &Path) {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;

    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let columns: Vec<(String, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<&str> = rows.iter().map(|r| &r[i]).collect();
            let ints: Option<Vec<i64>> = values.iter().map(|v| v.parse().ok()).collect();
            let array: ArrayRef = match ints {
                Some(ints) => Arc::new(Int64Array::from(ints)),
                None => Arc::new(StringArray::from(values)),
            };
            (name.clone(), array)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = std::fs::File::create(parquet).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

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

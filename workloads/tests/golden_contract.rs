//! The invariant of the whole project: every mode's final output equals the
//! contract. One table of (workload × mode configuration), each run over
//! the golden inputs and compared byte for byte with the expected files.
//!
//! The golden files are the repository's copy in `tests/golden/` (taken
//! unchanged from `shared/golden`, computed independently of this project),
//! or `WEIR_GOLDEN_DIR`. When `shared/golden` sits beside the workspace, the
//! copy must equal it.

use std::path::{Path, PathBuf};

use workloads::drive::{ModeConfig, run_mode};
use workloads::output::materialize;
use workloads::{DailyReport, FraudAlerts, JobConfig, Sessionization, Workload};

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

fn check<W: Workload>(workload: &W, input: &str, expected: &[&str]) {
    let dir = golden_dir();
    let data = workload
        .read_events(&dir.join(input))
        .unwrap_or_else(|e| panic!("reading {input}: {e}"));
    let reference = workload.reference(&data.events);
    let mut failures = Vec::new();
    for cfg in ModeConfig::all_exact() {
        let (changelog, _) = run_mode(workload, &cfg, &JobConfig::default(), &data)
            .unwrap_or_else(|e| panic!("{} {cfg:?}: {e}", W::KIND));
        let rows = materialize(&changelog);
        let out = tempfile::tempdir().unwrap();
        workload
            .write_outputs(&rows, &data.dict, out.path())
            .unwrap();
        for name in expected {
            let want = std::fs::read_to_string(dir.join(format!("expected_{name}"))).unwrap();
            let got = std::fs::read_to_string(out.path().join(name)).unwrap();
            if want != got {
                let first = want.lines().zip(got.lines()).position(|(a, b)| a != b);
                failures.push(format!(
                    "{} {cfg:?}: {name} differs ({} vs {} lines, first difference at line {:?})",
                    W::KIND,
                    got.lines().count(),
                    want.lines().count(),
                    first.map(|i| i + 1)
                ));
            }
        }
        if rows != reference {
            failures.push(format!(
                "{} {cfg:?}: differs from the reference implementation",
                W::KIND
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fraud_alerts_every_mode_matches_golden() {
    check(&FraudAlerts, "transactions.csv", &["alerts.csv"]);
}

#[test]
fn daily_report_every_mode_matches_golden() {
    check(
        &DailyReport,
        "orders.csv",
        &["daily_sales.csv", "daily_top_products.csv"],
    );
}

#[test]
fn sessionization_every_mode_matches_golden() {
    check(&Sessionization, "clicks.csv", &["sessions.csv"]);
}

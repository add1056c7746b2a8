//! The project's invariant as a check anyone can run: every mode's final
//! output over the golden inputs equals the contract's expected files byte
//! for byte, and equals the reference implementation. The golden test table
//! runs it for every mode on every in-process engine; the Ballista tests and
//! `bench-harness golden --engine ballista` run it on a cluster, so a user
//! can check that their own cluster gives exact answers too.

use std::path::Path;

use crate::drive::{ModeConfig, run_mode};
use crate::mode::JobConfig;
use crate::output::materialize;
use crate::{DailyReport, FraudAlerts, Sessionization, Workload};

/// The golden input and expected output files of each reference workload.
pub const GOLDEN: [(&str, &[&str]); 3] = [
    ("transactions.csv", &["alerts.csv"]),
    ("orders.csv", &["daily_sales.csv", "daily_top_products.csv"]),
    ("clicks.csv", &["sessions.csv"]),
];

/// The mode configurations that run on a job engine (batch and
/// micro-batch): the ones an [`Engine`](crate::mode::Engine) changes. The
/// 5-second micro-batch trigger is left out: it runs the same queries as the
/// 5-minute one, only thousands of times over a few rows each (minutes on a
/// cluster, where each query pays the scheduler's fixed cost), and the
/// in-memory table holds it to the contract.
pub fn engine_modes() -> Vec<ModeConfig> {
    ModeConfig::all_exact()
        .into_iter()
        .filter(|m| match m {
            ModeConfig::Stream(_) | ModeConfig::PartitionedStream { .. } => false,
            ModeConfig::MicroBatch { trigger_ms, .. } => *trigger_ms >= crate::time::MINUTE,
            ModeConfig::Batch { .. } => true,
        })
        .collect()
}

/// Runs `modes` of all three reference workloads over the golden files in
/// `dir` with `job`; returns one line per mismatch or failure (empty: all
/// exact).
pub fn check_all(dir: &Path, job: &JobConfig, modes: &[ModeConfig]) -> Vec<String> {
    let mut failures = check(&FraudAlerts, dir, 0, job, modes);
    failures.extend(check(&DailyReport, dir, 1, job, modes));
    failures.extend(check(&Sessionization, dir, 2, job, modes));
    failures
}

/// Runs `modes` of `workload` (its [`GOLDEN`] entry `index`) over the golden
/// files in `dir`; returns one line per mismatch or failure.
pub fn check<W: Workload>(
    workload: &W,
    dir: &Path,
    index: usize,
    job: &JobConfig,
    modes: &[ModeConfig],
) -> Vec<String> {
    check_input(workload, dir, index, &dir.join(GOLDEN[index].0), job, modes)
}

/// [`check`] with the golden input read from `input` instead (the same
/// rows in another file, e.g. as Parquet), against the expected files in
/// `dir`.
pub fn check_input<W: Workload>(
    workload: &W,
    dir: &Path,
    index: usize,
    input: &Path,
    job: &JobConfig,
    modes: &[ModeConfig],
) -> Vec<String> {
    let expected = GOLDEN[index].1;
    let data = match workload.read_events(input) {
        Ok(d) => d,
        Err(e) => return vec![format!("{}: reading {}: {e}", W::KIND, input.display())],
    };
    let reference = workload.reference(&data.events);
    let mut failures = Vec::new();
    for cfg in modes {
        let fail = |what: String| format!("{} {cfg:?} on {}: {what}", W::KIND, job.engine.label());
        let rows = match run_mode(workload, cfg, job, &data) {
            Ok((changelog, _)) => materialize(&changelog),
            Err(e) => {
                failures.push(fail(format!("failed: {e}")));
                continue;
            }
        };
        let out = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => return vec![format!("cannot create a temporary directory: {e}")],
        };
        if let Err(e) = workload.write_outputs(&rows, &data.dict, out.path()) {
            failures.push(fail(format!("writing its outputs: {e}")));
            continue;
        }
        for name in expected {
            let want = std::fs::read_to_string(dir.join(format!("expected_{name}")));
            let got = std::fs::read_to_string(out.path().join(name));
            match (want, got) {
                (Ok(want), Ok(got)) if want == got => {}
                (Ok(want), Ok(got)) => {
                    let first = want.lines().zip(got.lines()).position(|(a, b)| a != b);
                    failures.push(fail(format!(
                        "{name} differs ({} vs {} lines, first difference at line {:?})",
                        got.lines().count(),
                        want.lines().count(),
                        first.map(|i| i + 1)
                    )));
                }
                (Err(e), _) => failures.push(fail(format!("expected_{name}: {e}"))),
                (_, Err(e)) => failures.push(fail(format!("its {name}: {e}"))),
            }
        }
        if rows != reference {
            failures.push(fail("differs from the reference implementation".into()));
        }
    }
    failures
}

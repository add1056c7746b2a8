//! Proves the instruction-count gate (`weir-icount`, `check::icount`) does
//! its job: unchanged code measured repeatedly — once with the other core
//! busy — passes, and a quadratic loop added to the stream operator fails.
//!
//! The slowdown exists only in this test binary: [`Quadratic`] wraps the
//! real fraud-alerts operator and, per event, scans every card seen so far
//! (the classic "look it up in a Vec" bug). Nothing in the shipped code can
//! turn it on. The binary re-runs itself under callgrind (`icount_gate
//! probe plain|quadratic`), so it has its own `main` (`harness = false`)
//! and prints the closing `N passed, N failed` line itself.
//!
//! Needs valgrind on PATH (every machine of this project has it); without
//! it the test fails saying so, rather than passing without checking.

use std::hint::black_box;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bench_harness::check::Verdict;
use bench_harness::check::icount::{
    self, BASELINE_SCHEMA, Baseline, BaselineProbe, BuildKey, DEFAULT_THRESHOLD_PCT,
};
use workloads::event::Transaction;
use workloads::mode::{LateStats, StreamConfig, StreamOperator};
use workloads::output::Emission;
use workloads::{FraudAlerts, Workload};

/// Events per probe run: the quadratic variant does n²/2 comparisons, so
/// keep n small enough for callgrind on a debug build.
const EVENTS: u64 = 4_000;

/// The fraud-alerts stream operator with a deliberately added quadratic
/// loop: a per-event linear scan of every card seen so far.
struct Quadratic {
    inner: Box<dyn StreamOperator<FraudAlerts>>,
    seen: Vec<u64>,
}

impl StreamOperator<FraudAlerts> for Quadratic {
    fn on_event(
        &mut self,
        e: &Transaction,
        out: &mut Vec<Emission<<FraudAlerts as Workload>::Row>>,
    ) {
        let earlier = self.seen.iter().filter(|&&c| c == e.card_id).count();
        black_box(earlier);
        self.seen.push(e.card_id);
        self.inner.on_event(e, out);
    }
    fn finish(&mut self, out: &mut Vec<Emission<<FraudAlerts as Workload>::Row>>) {
        self.inner.finish(out);
    }
    fn state_bytes(&self) -> usize {
        self.inner.state_bytes() + self.seen.len() * 8
    }
    fn late_stats(&self) -> LateStats {
        self.inner.late_stats()
    }
}

/// Child mode: run one variant inside the measured function.
fn probe(variant: &str) -> ExitCode {
    let data = icount::probe_data(&FraudAlerts, EVENTS, 500);
    let real = FraudAlerts.stream(&StreamConfig::EXACT);
    let mut op: Box<dyn StreamOperator<FraudAlerts>> = match variant {
        "plain" => real,
        "quadratic" => Box::new(Quadratic {
            inner: real,
            seen: Vec::new(),
        }),
        other => {
            eprintln!("unknown variant {other}");
            return ExitCode::from(2);
        }
    };
    icount::measured(&mut || icount::drive::<FraudAlerts>(op.as_mut(), &data.events));
    ExitCode::SUCCESS
}

fn count(variant: &str) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("locating the test binary: {e}"))?;
    icount::count_instructions(&exe, &["probe", variant])
}

fn baseline_of(n: u64) -> Baseline {
    Baseline {
        schema: BASELINE_SCHEMA,
        build: BuildKey::current(),
        probes: vec![BaselineProbe {
            name: "fraud".into(),
            instructions: n,
        }],
    }
}

/// Unchanged code, three runs (the third with the other core spinning):
/// identical counts, and the gate passes each run against the first.
fn noise_is_not_a_regression() -> Result<(), String> {
    let a = count("plain")?;
    let b = count("plain")?;
    let busy = Arc::new(AtomicBool::new(true));
    let spinner = {
        let busy = Arc::clone(&busy);
        std::thread::spawn(move || {
            let mut x = 0u64;
            while busy.load(Ordering::Relaxed) {
                x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        })
    };
    let c = count("plain");
    busy.store(false, Ordering::Relaxed);
    spinner.join().map_err(|_| "the load thread panicked")?;
    let c = c?;
    let runs = vec![a, b, c];
    let cmp = icount::compare_counts(
        &baseline_of(a),
        &BuildKey::current(),
        &[("fraud".into(), runs.clone())],
        DEFAULT_THRESHOLD_PCT,
        true,
    );
    println!(
        "  unchanged runs: {runs:?}, spread {:.4} %",
        cmp.rows[0].spread_pct
    );
    if !cmp.passed || cmp.rows[0].verdict != Verdict::Ok {
        return Err(format!(
            "unchanged code failed the gate:\n{}",
            icount::markdown(&cmp)
        ));
    }
    if cmp.rows[0].spread_pct >= DEFAULT_THRESHOLD_PCT / 10.0 {
        return Err(format!(
            "counts of unchanged code spread {:.4} %: too close to the {DEFAULT_THRESHOLD_PCT} % threshold",
            cmp.rows[0].spread_pct
        ));
    }
    Ok(())
}

/// The quadratic loop: the gate fails, and says which probe and by how much.
fn quadratic_loop_is_caught() -> Result<(), String> {
    let plain = count("plain")?;
    let slow = count("quadratic")?;
    let cmp = icount::compare_counts(
        &baseline_of(plain),
        &BuildKey::current(),
        &[("fraud".into(), vec![slow])],
        DEFAULT_THRESHOLD_PCT,
        true,
    );
    println!(
        "  plain {plain}, quadratic {slow} instructions ({:+.0} %)",
        cmp.rows[0].change_pct.unwrap_or(f64::NAN)
    );
    let md = icount::markdown(&cmp);
    if cmp.passed || cmp.rows[0].verdict != Verdict::Regressed || !md.contains("**REGRESSED**") {
        return Err(format!("the quadratic loop was not caught:\n{md}"));
    }
    Ok(())
}

/// `weir-icount check` itself: exit 1 against a baseline that claims the
/// probe used half the instructions, exit 0 against its own recording.
fn cli_exit_codes() -> Result<(), String> {
    let exe = env!("CARGO_BIN_EXE_weir-icount");
    let dir = tempfile::TempDir::new().map_err(|e| e.to_string())?;
    let base = dir.path().join("b.json");
    let base_s = base.to_string_lossy().into_owned();
    let probe = "stream/daily-report";
    let run = |args: &[&str]| -> Result<std::process::Output, String> {
        Command::new(exe)
            .args(args)
            .output()
            .map_err(|e| format!("starting weir-icount: {e}"))
    };
    let out = run(&["record", "--baseline", &base_s, "--probe", probe])?;
    if !out.status.success() {
        return Err(format!(
            "record failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = run(&["check", "--baseline", &base_s, "--probe", probe])?;
    if out.status.code() != Some(0) {
        return Err(format!(
            "check against its own recording: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    let mut b = Baseline::load(&base)?;
    b.probes[0].instructions /= 2;
    std::fs::write(&base, serde_json::to_string(&b).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let out = run(&["check", "--baseline", &base_s, "--probe", probe])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(1) || !stdout.contains("**REGRESSED**") {
        return Err(format!(
            "check against a halved baseline: {}\n{stdout}",
            out.status
        ));
    }
    let out = run(&["check", "--baseline", &base_s, "--probe", "nope"])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) || !stderr.contains("unknown probe") {
        return Err(format!("an unknown probe: {}\n{stderr}", out.status));
    }
    Ok(())
}

/// One check of this file: `Err` explains the failure.
type TestFn = fn() -> Result<(), String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("probe") {
        return probe(args.get(2).map_or("", String::as_str));
    }
    // `cargo test NAME` passes NAME here: run only when it selects us.
    let filters: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let tests: [(&str, TestFn); 3] = [
        (
            "icount_gate::noise_is_not_a_regression",
            noise_is_not_a_regression,
        ),
        (
            "icount_gate::quadratic_loop_is_caught",
            quadratic_loop_is_caught,
        ),
        ("icount_gate::cli_exit_codes", cli_exit_codes),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        println!("test {name} ...");
        match test() {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(e) => {
                println!("test {name} ... FAILED\n{e}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! The deterministic gate: instructions executed by the engine's hot paths,
//! counted by Valgrind's callgrind, compared with a committed baseline.
//!
//! Why: wall-clock benchmarks on a shared 2-core CI machine swing by tens of
//! percent, so they can only catch large regressions and only with repeats.
//! An instruction count does not depend on machine speed or load: the same
//! binary on the same input executes the same instructions, so a 2 %
//! threshold is meaningful and a quadratic loop is unmistakable. It does not
//! see cache misses or I/O, so it complements the wall-clock `check`, it
//! does not replace it.
//!
//! How: each [`Probe`] generates its seeded input first, then runs the hot
//! path inside [`measured`], the one function callgrind collects
//! (`--collect-atstart=no --toggle-collect=…measured…`), so generation and
//! process start-up are not counted. Counts depend on the compiler and the
//! build profile, so a [`Baseline`] records both ([`BuildKey`]); against a
//! baseline from another build the gate widens its threshold and says so.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use workloads::dataset::Dataset;
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::{StreamConfig, StreamOperator};
use workloads::time::HOUR;
use workloads::{DailyReport, FraudAlerts, Sessionization, Workload};

use super::compare::Verdict;

/// Version of the baseline file format.
pub const BASELINE_SCHEMA: u32 = 1;
/// Default tolerated rise of instructions, %: counts repeat exactly for one
/// build, so anything above this is a real change of work.
pub const DEFAULT_THRESHOLD_PCT: f64 = 2.0;
/// Tolerated rise when the baseline was recorded by another compiler or
/// profile: code generation alone moves counts by a few percent; an
/// algorithmic regression moves them far more.
pub const CROSS_BUILD_THRESHOLD_PCT: f64 = 25.0;
/// Most repeats per probe.
pub const MAX_REPEAT: u32 = 10;
/// The symbol callgrind collects inside (see [`measured`]).
pub const MEASURED_SYMBOL: &str = "*icount*measured*";
/// Events each stream probe processes: small, because callgrind runs the
/// debug build some 50× slower than native.
pub const STREAM_PROBE_EVENTS: u64 = 20_000;

/// Runs `f` in the one function callgrind collects. Not inlined, so the
/// symbol exists for `--toggle-collect`.
#[inline(never)]
pub fn measured(f: &mut dyn FnMut()) {
    f();
    black_box(());
}

/// A hot path to count.
pub struct Probe {
    /// Stable name, the key in the baseline file.
    pub name: &'static str,
    /// What it runs, for people.
    pub what: &'static str,
    /// Prepares input, then calls [`measured`] once around the hot path.
    pub run: fn(),
}

/// Seeded, uniform-key input of `events` events over one hour.
pub fn probe_data<W: Workload>(w: &W, events: u64, keys: u64) -> Dataset<W::Event> {
    let cfg = GenConfig {
        seed: 7,
        duration_ms: HOUR,
        rate: RateProfile::Constant {
            events_per_second: events as f64 / 3600.0,
        },
        keys,
        zipf_s: None,
        late_fraction: 0.01,
        ..GenConfig::default()
    };
    w.generate(&cfg)
        .expect("the probe's generator config is valid")
}

/// Feeds every event to `op` and finishes it: the stream hot path.
pub fn drive<W: workloads::Workload + ?Sized>(op: &mut dyn StreamOperator<W>, events: &[W::Event]) {
    let mut out = Vec::new();
    for e in events {
        op.on_event(e, &mut out);
    }
    op.finish(&mut out);
    black_box(out.len());
}

fn stream_probe<W: Workload>(w: &W, keys: u64) {
    let data = probe_data(w, STREAM_PROBE_EVENTS, keys);
    let mut op = w.stream(&StreamConfig::EXACT);
    measured(&mut || drive::<W>(op.as_mut(), &data.events));
}

fn generate_probe() {
    let cfg = GenConfig {
        seed: 7,
        rate: RateProfile::Constant {
            events_per_second: 10_000.0 / 3600.0,
        },
        keys: 2_000,
        zipf_s: Some(1.1),
        late_fraction: 0.01,
        ..GenConfig::default()
    };
    measured(&mut || {
        let d = FraudAlerts.generate(&cfg).expect("valid config");
        black_box(d.events.len());
    });
}

/// The engine's hot paths that the committed baseline covers.
pub fn probes() -> Vec<Probe> {
    vec![
        Probe {
            name: "stream/fraud-alerts",
            what: "stream operator, eager+correct, 20,000 transactions, 2,000 cards",
            run: || stream_probe(&FraudAlerts, 2_000),
        },
        Probe {
            name: "stream/sessionization",
            what: "stream operator, eager+correct, 20,000 clicks, 2,000 users",
            run: || stream_probe(&Sessionization, 2_000),
        },
        Probe {
            name: "stream/daily-report",
            what: "stream operator, eager+correct, 20,000 orders, 500 products",
            run: || stream_probe(&DailyReport, 500),
        },
        Probe {
            name: "generate/transactions",
            what: "seeded generator, 10,000 transactions, Zipf keys",
            run: generate_probe,
        },
    ]
}

/// What a count depends on besides the code: compiler, profile, target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildKey {
    pub rustc: String,
    pub profile: String,
    pub arch: String,
}

impl BuildKey {
    /// The build of this binary (rustc version captured by build.rs).
    pub fn current() -> BuildKey {
        BuildKey {
            rustc: env!("WEIR_RUSTC_VERSION").to_string(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string(),
            arch: std::env::consts::ARCH.to_string(),
        }
    }
}

/// One probe's recorded count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineProbe {
    pub name: String,
    pub instructions: u64,
}

/// The committed baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub schema: u32,
    pub build: BuildKey,
    pub probes: Vec<BaselineProbe>,
}

impl Baseline {
    /// Reads and checks a baseline file; errors name the file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("parsing the baseline {}: {e}", path.display()))?;
        if b.schema != BASELINE_SCHEMA {
            return Err(format!(
                "{}: baseline schema {} (this gate reads {BASELINE_SCHEMA}); record it again",
                path.display(),
                b.schema
            ));
        }
        Ok(b)
    }
}

/// Unique scratch file names within this process.
static SCRATCH: AtomicU64 = AtomicU64::new(0);

/// Runs `exe args…` under callgrind, collecting only inside [`measured`],
/// and returns the instructions executed there. Errors say what failed
/// (valgrind missing, the child failing, no count in the output).
pub fn count_instructions(exe: &Path, args: &[&str]) -> Result<u64, String> {
    let out_file = std::env::temp_dir().join(format!(
        "weir-icount-{}-{}.callgrind",
        std::process::id(),
        SCRATCH.fetch_add(1, Ordering::Relaxed)
    ));
    let mut out_arg = std::ffi::OsString::from("--callgrind-out-file=");
    out_arg.push(&out_file);
    let result = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(&out_arg)
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect={MEASURED_SYMBOL}"))
        .arg(exe)
        .args(args)
        .output();
    let output = match result {
        Ok(o) => o,
        Err(e) => {
            return Err(format!(
                "cannot start valgrind ({e}): install it (Debian: apt-get install valgrind)"
            ));
        }
    };
    let text = std::fs::read_to_string(&out_file);
    let _ = std::fs::remove_file(&out_file);
    if !output.status.success() {
        return Err(format!(
            "valgrind {} {}: {}\n{}",
            exe.display(),
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text =
        text.map_err(|e| format!("reading callgrind's output {}: {e}", out_file.display()))?;
    let total = parse_total(&text).ok_or_else(|| {
        format!(
            "no instruction total in callgrind's output for {}",
            args.join(" ")
        )
    })?;
    if total == 0 {
        return Err(format!(
            "callgrind counted 0 instructions for {}: the measured function was not found (symbol {MEASURED_SYMBOL})",
            args.join(" ")
        ));
    }
    Ok(total)
}

/// The `totals:` (or `summary:`) line of a callgrind output file.
pub fn parse_total(text: &str) -> Option<u64> {
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    field("totals:").or_else(|| field("summary:"))
}

/// One probe: baseline vs the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IcountRow {
    pub probe: String,
    pub old: Option<u64>,
    /// Median of the runs.
    pub new: u64,
    pub runs: Vec<u64>,
    pub change_pct: Option<f64>,
    /// (max − min) / median of the runs, %.
    pub spread_pct: f64,
    pub verdict: Verdict,
}

/// The instruction-count comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IcountComparison {
    pub baseline_build: BuildKey,
    pub build: BuildKey,
    pub threshold_pct: f64,
    pub rows: Vec<IcountRow>,
    /// Probes in the baseline that were not measured.
    pub missing: Vec<String>,
    pub notes: Vec<String>,
    pub passed: bool,
}

fn median_u64(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

/// Compares measured counts (`(probe, runs)`, runs non-empty) with the
/// baseline at `threshold_pct`, widened to [`CROSS_BUILD_THRESHOLD_PCT`]
/// when the baseline comes from another build. A probe without a baseline
/// is reported, not failed; a baseline probe not measured is failed only
/// when `all_probes` (the whole set was meant to run).
pub fn compare_counts(
    baseline: &Baseline,
    build: &BuildKey,
    measured: &[(String, Vec<u64>)],
    threshold_pct: f64,
    all_probes: bool,
) -> IcountComparison {
    let mut notes = Vec::new();
    let threshold = if &baseline.build == build {
        threshold_pct
    } else {
        notes.push(format!(
            "the baseline was recorded with {} ({}, {}) and this is {} ({}, {}): threshold widened to {CROSS_BUILD_THRESHOLD_PCT} %; record a new baseline to gate tightly",
            baseline.build.rustc,
            baseline.build.profile,
            baseline.build.arch,
            build.rustc,
            build.profile,
            build.arch
        ));
        threshold_pct.max(CROSS_BUILD_THRESHOLD_PCT)
    };
    let rows: Vec<IcountRow> = measured
        .iter()
        .filter(|(_, runs)| !runs.is_empty())
        .map(|(name, runs)| {
            let new = median_u64(runs);
            let max = *runs.iter().max().expect("non-empty");
            let min = *runs.iter().min().expect("non-empty");
            let spread_pct = (max - min) as f64 / new.max(1) as f64 * 100.0;
            let old = baseline
                .probes
                .iter()
                .find(|p| &p.name == name)
                .map(|p| p.instructions);
            let change_pct = old
                .filter(|&o| o > 0)
                .map(|o| (new as f64 - o as f64) / o as f64 * 100.0);
            let verdict = match change_pct {
                None => Verdict::NotGated,
                Some(c) if c > threshold => {
                    if c <= spread_pct {
                        Verdict::Noisy
                    } else {
                        Verdict::Regressed
                    }
                }
                Some(c) if -c > threshold => Verdict::Improved,
                Some(_) => Verdict::Ok,
            };
            IcountRow {
                probe: name.clone(),
                old,
                new,
                runs: runs.clone(),
                change_pct,
                spread_pct,
                verdict,
            }
        })
        .collect();
    let missing: Vec<String> = if all_probes {
        baseline
            .probes
            .iter()
            .filter(|p| !rows.iter().any(|r| r.probe == p.name))
            .map(|p| p.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    if rows.iter().any(|r| r.verdict == Verdict::Improved) {
        notes.push(
            "a probe got cheaper: record a new baseline so the gain is kept (weir-icount record)"
                .into(),
        );
    }
    let passed = rows.iter().all(|r| r.verdict != Verdict::Regressed) && missing.is_empty();
    IcountComparison {
        baseline_build: baseline.build.clone(),
        build: build.clone(),
        threshold_pct: threshold,
        rows,
        missing,
        notes,
        passed,
    }
}

/// The comparison as a Markdown table.
pub fn markdown(c: &IcountComparison) -> String {
    let mut s = String::new();
    let status = if c.passed { "PASSED" } else { "FAILED" };
    let _ = writeln!(s, "## Weir instruction-count gate — {status}\n");
    let _ = writeln!(
        s,
        "Instructions counted by callgrind inside each probe's hot path ({} build, {}); threshold {} %.\n",
        c.build.profile, c.build.rustc, c.threshold_pct
    );
    let _ = writeln!(s, "| probe | old | new | change | spread | verdict |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---|");
    for r in &c.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.3} % | {} |",
            r.probe,
            r.old
                .map_or("–".to_string(), |o| super::render::number(o as f64)),
            super::render::number(r.new as f64),
            r.change_pct
                .map_or("–".to_string(), |c| format!("{c:+.2} %")),
            r.spread_pct,
            r.verdict.label()
        );
    }
    if !c.missing.is_empty() {
        let _ = writeln!(s, "\n**Missing** probes: {}", c.missing.join(", "));
    }
    for n in &c.notes {
        let _ = writeln!(s, "\n> {n}");
    }
    s
}

/// Measures each named probe `repeat` times by running `exe probe NAME`
/// under callgrind.
pub fn measure_probes(
    exe: &Path,
    names: &[&str],
    repeat: u32,
) -> Result<Vec<(String, Vec<u64>)>, String> {
    let mut out = Vec::new();
    for name in names {
        let mut runs = Vec::new();
        for _ in 0..repeat {
            runs.push(count_instructions(exe, &["probe", name])?);
        }
        out.push((name.to_string(), runs));
    }
    Ok(out)
}

/// Where the committed baseline lives, relative to the workspace root.
pub fn default_baseline_path() -> PathBuf {
    PathBuf::from("bench-harness/icount-baseline.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(n: u64) -> Baseline {
        Baseline {
            schema: BASELINE_SCHEMA,
            build: BuildKey::current(),
            probes: vec![BaselineProbe {
                name: "p".into(),
                instructions: n,
            }],
        }
    }

    #[test]
    fn totals_line_is_parsed() {
        let text = "version: 1\ncreator: callgrind\nevents: Ir\nsummary: 1234\ntotals: 1200\n";
        assert_eq!(parse_total(text), Some(1200));
        assert_eq!(parse_total("summary: 99\n"), Some(99));
        assert_eq!(parse_total("events: Ir\n"), None);
    }

    #[test]
    fn threshold_and_build_key_decide() {
        let b = baseline(1_000_000);
        let me = BuildKey::current();
        let c = compare_counts(&b, &me, &[("p".into(), vec![1_010_000])], 2.0, true);
        assert!(c.passed);
        assert_eq!(c.rows[0].verdict, Verdict::Ok);
        let c = compare_counts(&b, &me, &[("p".into(), vec![1_100_000])], 2.0, true);
        assert!(!c.passed);
        assert_eq!(c.rows[0].verdict, Verdict::Regressed);
        // Another compiler: 10 % is within the widened threshold, 3× is not.
        let other = BuildKey {
            rustc: "rustc 0.0.0".into(),
            ..me.clone()
        };
        let c = compare_counts(&b, &other, &[("p".into(), vec![1_100_000])], 2.0, true);
        assert!(c.passed, "{c:?}");
        assert!(c.notes[0].contains("widened"));
        let c = compare_counts(&b, &other, &[("p".into(), vec![3_000_000])], 2.0, true);
        assert!(!c.passed);
        // A baseline probe that did not run fails a full gate.
        let c = compare_counts(&b, &me, &[], 2.0, true);
        assert_eq!(c.missing, vec!["p".to_string()]);
        assert!(!c.passed);
    }
}

//! `bench-harness check`: run a scenario N times, compare the medians with a
//! baseline report, print a Markdown table, optionally write JSON, and exit
//! non-zero on a regression or a broken SLO.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use workloads::WorkloadKind;

use super::compare::{compare, median_report};
use super::render;
use super::thresholds::{Slo, Thresholds};
use crate::duration::parse_duration;
use crate::report::Report;
use crate::runner;
use crate::scenario::Scenario;

/// Most repeats one check may ask for: each repeat is a full scenario run.
pub const MAX_REPEAT: u32 = 20;

/// Exit code of a check that ran and found a regression or a broken SLO
/// (errors exit 2, so CI can tell "slower" from "could not measure").
pub const EXIT_REGRESSION: u8 = 1;

/// Arguments of `bench-harness check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Baseline report (report.json of `run`, or `--write-baseline` output).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write the medians of the runs as a new baseline report here (the
    /// deliberate way to update a baseline).
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Runs of the scenario; the medians are compared (1 to 20).
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    pub repeat: i64,
    /// A workload spec file (TOML or JSON, see docs/specs.md): its scenario
    /// is run and its `slo` (freshness, p99_latency, budget_usd_per_month)
    /// is checked; the SLO flags below tighten it.
    #[arg(long, conflicts_with_all = ["scenario", "workload"])]
    pub spec: Option<PathBuf>,
    /// Workload (default: the baseline's, or the scenario file's).
    #[arg(long)]
    pub workload: Option<WorkloadKind>,
    /// A JSON scenario (as written by `run --scenario`).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Generator seed.
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Mean events per second.
    #[arg(long, allow_negative_numbers = true)]
    pub rate: Option<f64>,
    /// Event-time span to generate (e.g. 10m, 1h).
    #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
    pub duration: Option<i64>,
    /// Number of keys.
    #[arg(long, allow_negative_numbers = true)]
    pub keys: Option<u64>,
    /// Gate only these modes (labels as in the report; repeatable).
    #[arg(long = "mode")]
    pub modes: Vec<String>,
    /// Thresholds JSON file: {"throughput_pct": 10, "p99_latency_pct": 10,
    /// "monthly_cost_pct": 10, "state_bytes_pct": 5}; null or absent = not gated.
    #[arg(long)]
    pub thresholds: Option<PathBuf>,
    /// Largest tolerated throughput drop, % (overrides the file).
    #[arg(long, allow_negative_numbers = true)]
    pub max_throughput_drop: Option<f64>,
    /// Largest tolerated p99 latency rise, %.
    #[arg(long, allow_negative_numbers = true)]
    pub max_p99_increase: Option<f64>,
    /// Largest tolerated monthly cost rise, %.
    #[arg(long, allow_negative_numbers = true)]
    pub max_cost_increase: Option<f64>,
    /// Largest tolerated peak state rise, %.
    #[arg(long, allow_negative_numbers = true)]
    pub max_state_increase: Option<f64>,
    /// SLO: greatest p99 latency (e.g. 30s, 5m).
    #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
    pub slo_p99: Option<i64>,
    /// SLO: greatest monthly cost, USD.
    #[arg(long, allow_negative_numbers = true)]
    pub slo_budget: Option<f64>,
    /// Write the comparison as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Append the Markdown table to this file (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Also run the wall-clock validation in each run (off by default: it
    /// adds seconds and is not compared).
    #[arg(long)]
    pub realtime: bool,
}

fn read_report(path: &Path) -> anyhow::Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("parsing the baseline report {}", path.display()))
}

/// Writes a whole file, creating its directory, through a temporary file so
/// a reader never sees half of it.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// The thresholds: defaults, then the file, then the flags.
fn thresholds(a: &CheckArgs) -> anyhow::Result<Thresholds> {
    let mut t = match &a.thresholds {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Thresholds::from_json(&text)
                .map_err(|e| anyhow::anyhow!("thresholds file {}: {e}", p.display()))?
        }
        None => Thresholds::default(),
    };
    let flags = [
        (a.max_throughput_drop, &mut t.throughput_pct),
        (a.max_p99_increase, &mut t.p99_latency_pct),
        (a.max_cost_increase, &mut t.monthly_cost_pct),
        (a.max_state_increase, &mut t.state_bytes_pct),
    ];
    for (flag, slot) in flags {
        if flag.is_some() {
            *slot = flag;
        }
    }
    t.validate().map_err(anyhow::Error::msg)?;
    Ok(t)
}

/// The scenario to run: a spec's, a file, or the workload's default; then
/// the overrides.
fn scenario(
    a: &CheckArgs,
    from_spec: Option<Scenario>,
    baseline: Option<&Report>,
) -> anyhow::Result<Scenario> {
    let mut s = match (&a.scenario, from_spec) {
        (_, Some(s)) => s,
        (Some(path), None) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("parsing the scenario {}", path.display()))?
        }
        (None, None) => {
            let w = a.workload.or(baseline.map(|b| b.workload)).context(
                "say what to run: --workload, --scenario, or a --baseline to take the workload from",
            )?;
            Scenario::default_for(w)
        }
    };
    if let Some(w) = a.workload {
        s.workload = w;
    }
    if let Some(seed) = a.seed {
        s.generator.seed = seed;
    }
    if let Some(rate) = a.rate {
        s.generator.rate = s.generator.rate.with_mean(rate);
    }
    if let Some(d) = a.duration {
        s.generator.duration_ms = d;
    }
    if let Some(k) = a.keys {
        s.generator.keys = k;
    }
    if !a.realtime {
        s.realtime = None;
    }
    s.generator.validate()?;
    Ok(s)
}

/// Keeps only the modes named by `--mode` (all when none is named); an
/// unknown label is an error listing the known ones.
fn select_modes(r: &mut Report, modes: &[String], what: &str) -> anyhow::Result<()> {
    if modes.is_empty() {
        return Ok(());
    }
    for m in modes {
        if !r.modes.iter().any(|x| &x.label == m) {
            let known: Vec<&str> = r.modes.iter().map(|x| x.label.as_str()).collect();
            bail!(
                "--mode {m:?} is not a mode of the {what}; its modes: {}",
                known.join(", ")
            );
        }
    }
    r.modes.retain(|x| modes.contains(&x.label));
    Ok(())
}

/// The SLO of a spec: its p99 bound is the stricter of `freshness` and
/// `p99_latency` (the advisor reads freshness as a p99 bound too).
pub fn slo_of(spec: &crate::spec::Spec) -> Slo {
    let p99 = [spec.slo.freshness, spec.slo.p99_latency]
        .into_iter()
        .flatten()
        .map(|d| d.0 as f64)
        .reduce(f64::min);
    Slo {
        p99_latency_ms: p99,
        budget_usd_per_month: spec.slo.budget_usd_per_month,
    }
}

/// Runs the check: the scenario and SLO from `--spec` when given, else from
/// the other flags (an SLO flag tightens a spec's). Returns the exit code:
/// 0 when everything passed, [`EXIT_REGRESSION`] otherwise.
pub fn run(a: &CheckArgs) -> anyhow::Result<ExitCode> {
    if a.baseline.is_none() && a.write_baseline.is_none() {
        bail!(
            "nothing to do: give --baseline REPORT.json to compare, or --write-baseline OUT to record one"
        );
    }
    if !(1..=i64::from(MAX_REPEAT)).contains(&a.repeat) {
        bail!("--repeat {}: must be between 1 and {MAX_REPEAT}", a.repeat);
    }
    let thresholds = thresholds(a)?;
    let (from_spec, mut slo) = match &a.spec {
        Some(path) => {
            let spec = crate::spec::load(path)?;
            spec.runnable()
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            (Some(spec.to_scenario()), slo_of(&spec))
        }
        None => (None, Slo::default()),
    };
    if let Some(ms) = a.slo_p99 {
        let ms = ms as f64;
        slo.p99_latency_ms = Some(slo.p99_latency_ms.map_or(ms, |v| v.min(ms)));
    }
    if let Some(b) = a.slo_budget {
        slo.budget_usd_per_month = Some(slo.budget_usd_per_month.map_or(b, |v| v.min(b)));
    }
    slo.validate().map_err(anyhow::Error::msg)?;
    let mut baseline = a.baseline.as_deref().map(read_report).transpose()?;
    let s = scenario(a, from_spec, baseline.as_ref())?;
    if let Some(b) = &mut baseline {
        select_modes(b, &a.modes, "baseline")?;
    }
    let mut runs = Vec::new();
    for i in 1..=a.repeat {
        eprintln!("check: run {i}/{} of {}…", a.repeat, s.name);
        let mut r = runner::run_scenario(&s, runner::quiet())
            .with_context(|| format!("run {i} of {}", s.name))?;
        select_modes(&mut r, &a.modes, "run")?;
        runs.push(r);
    }
    if let Some(out) = &a.write_baseline {
        let mut median = median_report(&runs).map_err(anyhow::Error::msg)?;
        median.charts.clear();
        let text = serde_json::to_string_pretty(&median).context("serializing the baseline")?;
        write_file(out, text.as_bytes())?;
        eprintln!(
            "check: wrote the baseline (medians of {} runs) to {}",
            runs.len(),
            out.display()
        );
    }
    let Some(baseline) = baseline else {
        return Ok(ExitCode::SUCCESS);
    };
    let cmp = compare(&baseline, &runs, &thresholds, &slo).map_err(anyhow::Error::msg)?;
    let md = render::markdown(&cmp);
    println!("{md}");
    if let Some(p) = &a.markdown {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .with_context(|| format!("opening {}", p.display()))?;
        f.write_all(md.as_bytes())
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.json {
        write_file(p, render::json(&cmp).as_bytes())?;
    }
    Ok(if cmp.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REGRESSION)
    })
}

//! `weir-icount`: the deterministic regression gate. Counts the instructions
//! of the engine's hot paths under Valgrind's callgrind and compares them
//! with a committed baseline (see `bench_harness::check::icount`).
//!
//! ```text
//! weir-icount check  [--baseline FILE] [--threshold PCT] [--repeat N] [--probe NAME]… [--json OUT] [--markdown OUT]
//! weir-icount record [--baseline FILE] [--repeat N]      # deliberate baseline update
//! weir-icount list                                       # the probes
//! weir-icount probe NAME                                 # run one probe (what callgrind runs)
//! ```
//!
//! Exit codes: 0 passed, 1 regression, 2 error.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use bench_harness::check::icount::{
    self, BASELINE_SCHEMA, Baseline, BaselineProbe, BuildKey, DEFAULT_THRESHOLD_PCT, MAX_REPEAT,
};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "weir-icount",
    about = "Instruction-count regression gate (callgrind)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args)]
struct Common {
    /// The baseline file.
    #[arg(long, default_value_os_t = icount::default_baseline_path())]
    baseline: PathBuf,
    /// Runs per probe (counts repeat exactly; >1 shows the spread).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Only these probes (repeatable; default: all).
    #[arg(long = "probe")]
    probes: Vec<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure the probes and compare with the baseline.
    Check {
        #[command(flatten)]
        common: Common,
        /// Tolerated rise of instructions, %.
        #[arg(long, default_value_t = DEFAULT_THRESHOLD_PCT, allow_negative_numbers = true)]
        threshold: f64,
        /// Write the comparison as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Append the Markdown table here (e.g. "$GITHUB_STEP_SUMMARY").
        #[arg(long)]
        markdown: Option<PathBuf>,
    },
    /// Measure the probes and write them as the new baseline.
    Record {
        #[command(flatten)]
        common: Common,
    },
    /// List the probes.
    List,
    /// Run one probe once (callgrind runs this).
    Probe { name: String },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The probe names selected, checked against the known ones.
fn selected(c: &Common) -> anyhow::Result<Vec<&'static str>> {
    let all: Vec<&'static str> = icount::probes().iter().map(|p| p.name).collect();
    if !(1..=MAX_REPEAT).contains(&c.repeat) {
        bail!("--repeat {}: must be between 1 and {MAX_REPEAT}", c.repeat);
    }
    if c.probes.is_empty() {
        return Ok(all);
    }
    c.probes
        .iter()
        .map(|n| {
            all.iter()
                .copied()
                .find(|a| a == n)
                .with_context(|| format!("unknown probe {n:?}; probes: {}", all.join(", ")))
        })
        .collect()
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("locating this executable")?;
    match cli.command {
        Cmd::List => {
            for p in icount::probes() {
                println!("{:24} {}", p.name, p.what);
            }
        }
        Cmd::Probe { name } => {
            let probes = icount::probes();
            let p = probes
                .iter()
                .find(|p| p.name == name)
                .with_context(|| format!("unknown probe {name:?}"))?;
            (p.run)();
        }
        Cmd::Record { common } => {
            let names = selected(&common)?;
            let measured =
                icount::measure_probes(&exe, &names, common.repeat).map_err(anyhow::Error::msg)?;
            let baseline = Baseline {
                schema: BASELINE_SCHEMA,
                build: BuildKey::current(),
                probes: measured
                    .iter()
                    .map(|(name, runs)| BaselineProbe {
                        name: name.clone(),
                        instructions: {
                            let mut r = runs.clone();
                            r.sort_unstable();
                            r[r.len() / 2]
                        },
                    })
                    .collect(),
            };
            let text = serde_json::to_string_pretty(&baseline)? + "\n";
            std::fs::write(&common.baseline, text)
                .with_context(|| format!("writing {}", common.baseline.display()))?;
            for (name, runs) in &measured {
                println!("{name:24} {runs:?}");
            }
            println!("baseline: {}", common.baseline.display());
        }
        Cmd::Check {
            common,
            threshold,
            json,
            markdown,
        } => {
            if !(threshold.is_finite() && (0.0..=10_000.0).contains(&threshold)) {
                bail!("--threshold {threshold}: must be a percentage between 0 and 10000");
            }
            let baseline = Baseline::load(&common.baseline).map_err(anyhow::Error::msg)?;
            let names = selected(&common)?;
            let measured =
                icount::measure_probes(&exe, &names, common.repeat).map_err(anyhow::Error::msg)?;
            let cmp = icount::compare_counts(
                &baseline,
                &BuildKey::current(),
                &measured,
                threshold,
                common.probes.is_empty(),
            );
            let md = icount::markdown(&cmp);
            println!("{md}");
            if let Some(p) = markdown {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&p)
                    .and_then(|mut f| f.write_all(md.as_bytes()))
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            if let Some(p) = json {
                std::fs::write(&p, serde_json::to_string_pretty(&cmp)?)
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            if !cmp.passed {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

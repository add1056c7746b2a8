//! `bench-harness`: run a workload in every mode and report (`run`, from a
//! reference workload's defaults or a spec file), check a spec file
//! (`validate`), run one mode over a file (`run-file`, the fixed contract
//! CI scripts rely on), or write a workload's events as CSV (`generate`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bench_harness::alloc::CountingAlloc;
use bench_harness::duration::parse_duration;
use bench_harness::progress::TerminalProgress;
use bench_harness::scenario::Scenario;
use bench_harness::spec;
use bench_harness::through_broker::{self, Broker};
use bench_harness::{output, runner, table};
use clap::{Parser, Subcommand};
use workloads::drive::{ModeConfig, run_mode};
use workloads::generate::RateProfile;
use workloads::mode::{JobConfig, Mode};
use workloads::output::materialize;
use workloads::{DailyReport, FraudAlerts, Sessionization, Workload, WorkloadKind};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[derive(Parser)]
#[command(
    name = "bench-harness",
    version,
    about = "Measure a workload as batch, micro-batch and stream"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a workload's events (or read a file), run every mode
    /// configuration, print a comparison and write report.json + charts.
    Run(RunArgs),
    /// Run one workload in one mode over a file and write its final outputs
    /// as the contract's CSV files.
    RunFile {
        #[arg(long)]
        workload: WorkloadKind,
        #[arg(long)]
        mode: Mode,
        /// Input file (.csv or .parquet), rows in arrival order.
        #[arg(long)]
        input: PathBuf,
        /// Directory for the output CSV files.
        #[arg(long)]
        out: PathBuf,
        /// Batch schedule or micro-batch trigger in arrival time (e.g. 1h,
        /// 1m; default: batch hourly, micro-batch every minute). Larger than
        /// the input's span means one run over everything.
        #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
        every: Option<i64>,
        /// Print the time spent reading, running and writing (stderr).
        #[arg(long)]
        timings: bool,
    },
    /// Generate a reference workload's events (its default load, or the
    /// options below) and write them as a CSV file in the contract's input
    /// columns, rows in arrival order: an input for `run-file`, `run
    /// --input` and other tools.
    Generate {
        #[arg(long)]
        workload: WorkloadKind,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
        /// Number of events (about: the rate is set to events / duration).
        #[arg(long, allow_negative_numbers = true)]
        events: Option<u64>,
        /// Event-time span to generate (e.g. 30m, 2h, 3d).
        #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
        duration: Option<i64>,
        /// Number of keys (cards, products, users).
        #[arg(long, allow_negative_numbers = true)]
        keys: Option<u64>,
        /// Zipf exponent of key popularity (0 = uniform).
        #[arg(long, allow_negative_numbers = true)]
        key_skew: Option<f64>,
        /// Generator seed.
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
    },
    /// Run a scenario N times and compare the medians with a baseline
    /// report: exit 1 on a regression past a threshold or a broken SLO.
    Check(bench_harness::check::CheckArgs),
    /// Consume a workload's events from a Redis stream in one mode,
    /// journaling the output and checkpointing; a restart resumes from the
    /// newest intact checkpoint in --dir (exactly-once output). Prints the
    /// outcome as JSON.
    Consume(bench_harness::recovery::cli::ConsumeArgs),
    /// A Ballista scheduler for `run --engine ballista` (started by the
    /// harness; runs until killed).
    #[cfg(feature = "ballista")]
    #[command(hide = true)]
    BallistaScheduler {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long)]
        port: u16,
    },
    /// A Ballista executor (one task slot) for `run --engine ballista`.
    #[cfg(feature = "ballista")]
    #[command(hide = true)]
    BallistaExecutor(bench_harness::cluster::serve::ExecutorArgs),
    /// Check a workload spec file (TOML or JSON): print a short summary, or
    /// every error with its field and exit non-zero.
    Validate {
        /// The spec file (.toml or .json; see docs/specs.md).
        #[arg(long)]
        spec: PathBuf,
    },
}

// Numeric options accept a leading `-`, so a negative value reaches
// validation and the error names the field (not "unexpected argument").
#[derive(clap::Args)]
struct RunArgs {
    /// fraud-alerts, daily-report or sessionization (its default spec).
    #[arg(long, required_unless_present_any = ["spec", "sql"], conflicts_with_all = ["spec", "sql"])]
    workload: Option<WorkloadKind>,
    /// A custom workload's query as SQL over the table `events` (see
    /// docs/specs.md), run on `--input FILE`'s own columns.
    #[arg(long, requires = "input", conflicts_with = "spec")]
    sql: Option<String>,
    /// With `--input` and a custom workload: the file's event-time column
    /// (default: the one Weir infers).
    #[arg(long)]
    event_time: Option<String>,
    /// With `--input` and a custom workload: the file's key column
    /// (default: the query's GROUP BY key, else the one Weir infers).
    #[arg(long)]
    key: Option<String>,
    /// With `--input` and a custom workload: a column of arrival times to
    /// replay rows in (default: file order).
    #[arg(long)]
    arrival_time: Option<String>,
    /// A workload spec file (TOML or JSON; see docs/specs.md) instead of a
    /// reference workload's defaults; the options below override it.
    #[arg(long, conflicts_with = "scenario")]
    spec: Option<PathBuf>,
    /// Output directory (default: out/<workload> or out/<spec name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Measure over this file instead of generated events.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Generator seed.
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Mean events per second; with `--input` on a custom workload, the
    /// rate the file is replayed at (event times compressed or stretched,
    /// each row's lateness kept).
    #[arg(long, allow_negative_numbers = true)]
    rate: Option<f64>,
    /// Event-time span to generate (e.g. 30m, 2h, 1d).
    #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
    duration: Option<i64>,
    /// Number of keys (cards, products, users).
    #[arg(long, allow_negative_numbers = true)]
    keys: Option<u64>,
    /// Fraction of events that arrive late.
    #[arg(long, allow_negative_numbers = true)]
    late_fraction: Option<f64>,
    /// Greatest lateness of a late event (e.g. 10m).
    #[arg(long, value_parser = parse_duration, allow_hyphen_values = true)]
    max_lateness: Option<i64>,
    /// Skip the wall-clock validation run.
    #[arg(long)]
    no_realtime: bool,
    /// Also write the JSON scenario used, for editing and rerunning.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Where stream sources read from: `memory` (default), or `redis` to
    /// also publish the events into a Redis stream and measure the kappa
    /// replay of the whole log through the stream plan.
    #[arg(long, default_value = "memory", value_parser = ["memory", "redis"])]
    source: String,
    /// The Redis to use with `--source redis` (e.g. redis://127.0.0.1:6379/);
    /// default: a private redis-server on a free 127.0.0.1 port, stopped
    /// at the end.
    #[arg(long)]
    broker: Option<String>,
    /// With `--source redis`: records between checkpoints in the recovery
    /// measurement (checkpoint cost, crash recovery time, batch rerun);
    /// 0 skips it.
    #[arg(long, default_value_t = bench_harness::recovery::measure::DEFAULT_CHECKPOINT_EVERY)]
    checkpoint_every: u64,
    /// Where batch and micro-batch SQL runs: `memory` (DataFusion in this
    /// process, in-memory tables; default), `parquet` (in process, over the
    /// landed data written as Parquet files) or `ballista` (a Ballista
    /// cluster over the same files). Default: the spec's `[engine]`, else
    /// memory.
    #[arg(long, value_parser = ["memory", "parquet", "ballista"])]
    engine: Option<String>,
    /// With `--engine ballista`: executors of the local cluster Weir starts
    /// on 127.0.0.1 (default 2; one task slot each).
    #[arg(long)]
    executors: Option<usize>,
    /// With `--engine ballista`: a cluster you already run, df://HOST:PORT
    /// (its executors must see this machine's temporary directory, or
    /// WEIR_LAKE_DIR, at the same path).
    #[arg(long)]
    scheduler: Option<String>,
    /// With `--engine ballista` (local cluster): the cluster sizes of the
    /// scaling measurement, e.g. 1,2,4; `none` skips it.
    #[arg(long, default_value = "1,2,4")]
    scale: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => {
            return bench_harness::check::cli::run(&args).unwrap_or_else(|e| {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            });
        }
        Command::Run(args) => run(args),
        Command::RunFile {
            workload,
            mode,
            input,
            out,
            every,
            timings,
        } => run_file(workload, mode, &input, &out, every, timings),
        Command::Generate {
            workload,
            out,
            events,
            duration,
            keys,
            key_skew,
            seed,
        } => generate(workload, &out, events, duration, keys, key_skew, seed),
        Command::Validate { spec } => validate(&spec),
        Command::Consume(args) => bench_harness::recovery::cli::run(&args),
        #[cfg(feature = "ballista")]
        Command::BallistaScheduler { host, port } => {
            log_to_stderr();
            bench_harness::cluster::serve::scheduler(&host, port).map_err(Into::into)
        }
        #[cfg(feature = "ballista")]
        Command::BallistaExecutor(args) => {
            log_to_stderr();
            bench_harness::cluster::serve::executor(args).map_err(Into::into)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The cluster's processes log warnings to stderr (their log file), and the
/// executor's registration line, which the launcher waits for (so that line
/// is on whatever `WEIR_CLUSTER_LOG` says; `RUST_LOG` is the parent's and is
/// not read). Ballista's info level logs every task: 10,000 lines a minute.
#[cfg(feature = "ballista")]
fn log_to_stderr() {
    let base = std::env::var("WEIR_CLUSTER_LOG").unwrap_or_else(|_| "warn".into());
    let filter = tracing_subscriber::EnvFilter::try_new(&base)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
        .add_directive(
            "ballista_executor::executor_server=info"
                .parse()
                .expect("a valid directive"),
        );
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn validate(path: &std::path::Path) -> anyhow::Result<()> {
    let spec = spec::load(path)?;
    println!("OK: {}", spec.summary());
    if let Err(why) = spec.runnable() {
        println!("note: {why}");
    }
    Ok(())
}

/// The scenario `run` starts from: a spec file, a JSON scenario, or a
/// reference workload's defaults; and the default output directory name.
fn base_scenario(args: &RunArgs) -> anyhow::Result<(Scenario, String)> {
    if let Some(path) = &args.spec {
        let spec = spec::load(path)?;
        spec.runnable().map_err(anyhow::Error::msg)?;
        return Ok((spec.to_scenario(), spec.name));
    }
    if args.sql.is_some() {
        return Ok((Scenario::default_for(WorkloadKind::Custom), "sql".into()));
    }
    let Some(workload) = args.workload else {
        anyhow::bail!("give --workload, --spec or --sql");
    };
    let mut s: Scenario = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("parsing the scenario {}", path.display()))?
        }
        None => Scenario::default_for(workload),
    };
    s.workload = workload;
    Ok((s, workload.name().to_string()))
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let (mut s, dir_name) = base_scenario(&args)?;
    if let Some(seed) = args.seed {
        s.generator.seed = seed;
    }
    if let Some(rate) = args.rate {
        s.generator.rate = s.generator.rate.with_mean(rate);
    }
    if let Some(d) = args.duration {
        s.generator.duration_ms = d;
    }
    if let Some(k) = args.keys {
        s.generator.keys = k;
    }
    if let Some(f) = args.late_fraction {
        s.generator.late_fraction = f;
    }
    if let Some(m) = args.max_lateness {
        s.generator.max_lateness_ms = m;
    }
    if args.no_realtime {
        s.realtime = None;
    }
    s.generator.validate()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(dir_name));
    // The flag, else the spec's `[engine]` (whose Ballista cluster is local).
    let kind = args.engine.clone().unwrap_or_else(|| {
        match s.job.engine {
            workloads::mode::Engine::InMemory => "memory",
            workloads::mode::Engine::Parquet => "parquet",
            workloads::mode::Engine::Ballista { .. } => "ballista",
        }
        .to_string()
    });
    let executors = args
        .executors
        .or_else(|| s.job.engine.wants_local_cluster());
    // Measured on local clusters only: a user's own cluster is not resized.
    let scale = if kind == "ballista" && args.scheduler.is_none() {
        bench_harness::engine::parse_executor_counts("--scale", &args.scale, "none")?
    } else {
        Vec::new()
    };
    let exe = std::env::current_exe().context("locating the bench-harness binary")?;
    let engine = bench_harness::engine::prepare(&kind, executors, args.scheduler.as_deref(), &exe)?;
    s.job.engine = engine.engine.clone();
    let progress = TerminalProgress::new();
    let mut report = match &args.input {
        None => runner::run_scenario(&s, &progress)?,
        Some(path) if s.workload == WorkloadKind::Custom => {
            anyhow::ensure!(
                args.source == "memory" && scale.is_empty(),
                "a custom workload on your own file runs with --source memory and without a \
                 Ballista scaling measurement (not supported yet)"
            );
            run_on_sample(&mut s, &args, path, &progress)?
        }
        Some(path) => {
            s.generator.rate = RateProfile::Constant {
                events_per_second: 1.0,
            };
            run_on_file(&s, path, &progress)?
        }
    };
    if args.source == "redis" {
        let broker = match &args.broker {
            Some(url) => Broker::Url(url.clone()),
            None => Broker::Private,
        };
        match through_broker::measure(
            &s,
            args.input.as_deref(),
            &broker,
            args.checkpoint_every,
            &progress,
        ) {
            Ok(b) => report.broker = Some(b),
            Err(e) => {
                eprintln!("broker run skipped: {e:#}");
                report.broker_skipped = Some(e.to_string());
            }
        }
    }
    if !scale.is_empty() {
        report.scaling = Some(bench_harness::engine::measure_scaling(
            &s,
            args.input.as_deref(),
            &report,
            &exe,
            &scale,
            &progress,
        )?);
    }
    drop(engine);
    progress.finish();
    let path = output::write_report(&mut report, &out)?;
    println!("{}", table::summary(&report));
    println!("report: {}", path.display());
    for c in &report.charts {
        println!("chart:  {}", out.join(c).display());
    }
    Ok(())
}

/// A custom workload (`--sql`, or a custom spec's query) over the user's
/// own file ([`bench_harness::sample_run`]).
fn run_on_sample(
    s: &mut Scenario,
    args: &RunArgs,
    path: &std::path::Path,
    progress: &TerminalProgress,
) -> anyhow::Result<bench_harness::report::Report> {
    use bench_harness::sample_run::{self, SampleRun};
    let sql = match (&args.sql, &s.custom) {
        (Some(sql), _) => sql.clone(),
        (None, Some(def)) => def.sql_text(),
        (None, None) => anyhow::bail!("give --sql or a custom --spec to run on {}", path.display()),
    };
    let request = SampleRun {
        sql,
        event_time: args.event_time.clone(),
        key: args.key.clone(),
        arrival_time: args.arrival_time.clone(),
        rate: args.rate,
        workload: None,
        columns: Default::default(),
    };
    let name = s.name.clone();
    let prepared = sample_run::prepare(&name, path, &request).map_err(|e| match e {
        bench_harness::error::Error::Unsupported(m) => anyhow::anyhow!("--{m}"),
        e => anyhow::Error::new(e),
    })?;
    Ok(sample_run::run(s, &prepared, progress)?)
}

fn run_on_file(
    s: &Scenario,
    path: &std::path::Path,
    progress: &TerminalProgress,
) -> anyhow::Result<bench_harness::report::Report> {
    fn go<W: Workload>(
        workload: &W,
        s: &Scenario,
        path: &std::path::Path,
        progress: &TerminalProgress,
    ) -> anyhow::Result<bench_harness::report::Report> {
        let data = workload.read_events(path)?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(runner::run_on_dataset(
            workload,
            s,
            &data,
            format!("file {name}"),
            progress,
        )?)
    }
    match s.workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, s, path, progress),
        WorkloadKind::DailyReport => go(&DailyReport, s, path, progress),
        WorkloadKind::Sessionization => go(&Sessionization, s, path, progress),
        WorkloadKind::Custom => go(&runner::custom_workload(s)?, s, path, progress),
    }
}

fn run_file(
    workload: WorkloadKind,
    mode: Mode,
    input: &std::path::Path,
    out: &std::path::Path,
    every: Option<i64>,
    timings: bool,
) -> anyhow::Result<()> {
    let mut cfg = ModeConfig::exact(mode);
    if let Some(every) = every {
        anyhow::ensure!(every > 0, "--every must be positive");
        match &mut cfg {
            ModeConfig::Batch { interval_ms } => *interval_ms = every,
            ModeConfig::MicroBatch { trigger_ms, .. } => *trigger_ms = every,
            ModeConfig::Stream(_) | ModeConfig::PartitionedStream { .. } => {
                anyhow::bail!("--every applies to batch and micro-batch only")
            }
        }
    }
    fn go<W: Workload>(
        workload: &W,
        cfg: &ModeConfig,
        input: &std::path::Path,
        out: &std::path::Path,
        timings: bool,
    ) -> anyhow::Result<()> {
        let t0 = std::time::Instant::now();
        let data = workload.read_events(input)?;
        let t1 = std::time::Instant::now();
        let (changelog, _) = run_mode(workload, cfg, &JobConfig::default(), &data)
            .with_context(|| format!("running {} as {}", workload.name(), cfg.mode()))?;
        let rows = materialize(&changelog);
        let t2 = std::time::Instant::now();
        for p in workload.write_outputs(&rows, &data.dict, out)? {
            println!("{}", p.display());
        }
        if timings {
            let runs = match *cfg {
                ModeConfig::Batch { interval_ms: e }
                | ModeConfig::MicroBatch { trigger_ms: e, .. } => {
                    workloads::drive::split_by_interval(&data.arrival, e).len()
                }
                ModeConfig::Stream(_) | ModeConfig::PartitionedStream { .. } => 0,
            };
            eprintln!(
                "events {}  read {:.3} s  run {:.3} s ({} runs)  write {:.3} s",
                data.len(),
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                runs,
                t2.elapsed().as_secs_f64()
            );
        }
        Ok(())
    }
    match workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, &cfg, input, out, timings),
        WorkloadKind::DailyReport => go(&DailyReport, &cfg, input, out, timings),
        WorkloadKind::Sessionization => go(&Sessionization, &cfg, input, out, timings),
        WorkloadKind::Custom => anyhow::bail!(
            "run-file does not support custom workloads: their events are generated from a definition"
        ),
    }
}

fn generate(
    workload: WorkloadKind,
    out: &std::path::Path,
    events: Option<u64>,
    duration: Option<i64>,
    keys: Option<u64>,
    key_skew: Option<f64>,
    seed: Option<u64>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        workload != WorkloadKind::Custom,
        "generate writes the reference workloads' events; a custom workload's come from its spec"
    );
    let mut g = Scenario::default_for(workload).generator;
    if let Some(d) = duration {
        g.duration_ms = d;
    }
    if let Some(k) = keys {
        g.keys = k;
    }
    if let Some(s) = seed {
        g.seed = s;
    }
    if let Some(z) = key_skew {
        g.zipf_s = (z != 0.0).then_some(z);
    }
    if let Some(n) = events {
        anyhow::ensure!(
            (1..=workloads::io::MAX_INPUT_ROWS as u64).contains(&n),
            "--events must be between 1 and {}",
            workloads::io::MAX_INPUT_ROWS
        );
        anyhow::ensure!(g.duration_ms > 0, "--duration must be positive");
        g.rate = g.rate.with_mean(n as f64 * 1000.0 / g.duration_ms as f64);
    }
    g.validate()?;
    fn go<W: Workload>(
        w: &W,
        g: &workloads::generate::GenConfig,
        out: &std::path::Path,
    ) -> anyhow::Result<()> {
        let data = w.generate(g)?;
        w.write_events(&data.events, &data.dict, out)?;
        println!("{}: {} events", out.display(), data.len());
        Ok(())
    }
    match workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, &g, out),
        WorkloadKind::DailyReport => go(&DailyReport, &g, out),
        WorkloadKind::Sessionization => go(&Sessionization, &g, out),
        WorkloadKind::Custom => anyhow::bail!("generate: custom workloads are not supported"),
    }
}

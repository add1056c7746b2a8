//! `weir-server`: the advisor web app (server-rendered Leptos pages that
//! hydrate in the browser), the JSON API, and the background runner that
//! measures the reference workloads on this machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use bench_harness::alloc::CountingAlloc;
use bench_harness::through_broker::Broker;
use clap::Parser;
use server::scenarios::Size;
use server::{AppState, QueueConfig, jobs, router};

/// Counts heap bytes so reports can show each mode's peak memory.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Longest shutdown waits for the running measurement to stop (it stops
/// within about a second; this bounds a bug).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Parser, Debug)]
#[command(
    name = "weir-server",
    version,
    about = "Weir's advisor: web app, JSON API and background measurements"
)]
struct Args {
    /// Port to listen on (127.0.0.1).
    #[arg(long, env = "WEIR_PORT", default_value_t = 3000)]
    port: u16,
    /// Where reports are stored.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "weir-data")]
    data_dir: PathBuf,
    /// The site directory with pkg/ (wasm, js, css); default: target/site
    /// under the current directory, else next to the binary's target dir.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    site_root: Option<PathBuf>,
    /// Scale of the reference scenarios: full, or quick (minutes of data,
    /// for tests; also set by WEIR_QUICK=1).
    #[arg(long, env = "WEIR_SCENARIO_SIZE", value_parser = ["full", "quick"])]
    scenario_size: Option<String>,
    /// Jobs allowed to wait behind the running one; uploads beyond it are
    /// refused with 429.
    #[arg(long, env = "WEIR_MAX_QUEUE", default_value_t = jobs::DEFAULT_MAX_QUEUED)]
    max_queue: usize,
    /// Longest one measurement may run (e.g. `30m`, `2h`); it is stopped
    /// at its next progress point after that.
    #[arg(long, env = "WEIR_JOB_TIME_LIMIT", default_value = "1h", value_parser = parse_time_limit)]
    job_time_limit: Duration,
    /// Do not measure the reference workloads on a first start (only
    /// uploaded specs are run).
    #[arg(long, env = "WEIR_NO_REFERENCE_RUNS")]
    no_reference_runs: bool,
    /// Also measure every workload through a replayable log: `auto` (a
    /// private redis-server on a free 127.0.0.1 port per measurement; when
    /// it is not installed the reports say so), `off`, or the URL of a
    /// Redis you run (redis://127.0.0.1:6379/).
    #[arg(long, env = "WEIR_BROKER", default_value = "auto")]
    broker: String,
    /// Also measure every job's batch scale-out on local Ballista clusters
    /// of these sizes (e.g. `1,2,4`; processes of the `bench-harness`
    /// binary beside this one, on free 127.0.0.1 ports), and size clusters
    /// from it; `off` skips it.
    #[arg(long, env = "WEIR_SCALE_OUT", default_value = "1,2")]
    scale_out: String,
    /// Largest sample file (CSV or Parquet) an upload may send, in bytes;
    /// at most, and by default, 268435456 (256 MiB). Larger uploads are
    /// refused with 413.
    #[arg(long, env = "WEIR_MAX_SAMPLE_BYTES", default_value_t = workloads::custom::sample::MAX_SAMPLE_BYTES, value_parser = parse_sample_bytes)]
    max_sample_bytes: u64,
}

/// `--max-sample-bytes`: 1 byte up to what a sample may have at all.
fn parse_sample_bytes(text: &str) -> Result<u64, String> {
    let max = workloads::custom::sample::MAX_SAMPLE_BYTES;
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("must be between 1 and {max} bytes, got {n}")),
        Err(e) => Err(format!("`{text}` is not a number of bytes: {e}")),
    }
}

/// `--job-time-limit`: a duration such as `90s` or `1h`, at least 1 s.
fn parse_time_limit(text: &str) -> Result<Duration, String> {
    let ms = bench_harness::duration::parse_duration(text)?;
    if ms < 1000 {
        return Err(format!("must be at least 1s, got `{text}`"));
    }
    Ok(Duration::from_millis(ms as u64))
}

/// `--scale-out`: executor counts, or `off`. The cluster's processes are
/// the `bench-harness` binary next to this one (or `WEIR_BENCH_HARNESS`).
fn scale_out(text: &str) -> anyhow::Result<Option<jobs::ScaleOut>> {
    let counts = bench_harness::engine::parse_executor_counts("--scale-out", text, "off")?;
    if counts.is_empty() {
        return Ok(None);
    }
    let harness = harness_path()
        .context("cannot locate the bench-harness binary (set WEIR_BENCH_HARNESS)")?;
    Ok(Some(jobs::ScaleOut { counts, harness }))
}

/// The `bench-harness` binary next to this one, or `WEIR_BENCH_HARNESS`.
fn harness_path() -> Option<PathBuf> {
    std::env::var_os("WEIR_BENCH_HARNESS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|d| d.join("bench-harness")))
        })
}

/// Finds the site directory (see `--site-root`).
fn site_root(arg: Option<PathBuf>) -> PathBuf {
    if let Some(p) = arg {
        return p;
    }
    let local = PathBuf::from("target/site");
    if local.join("pkg").is_dir() {
        return local;
    }
    // <target>/<profile>/weir-server → <target>/site
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(|t| t.join("site")))
        .filter(|p| p.join("pkg").is_dir())
        .unwrap_or(local)
}

fn size(arg: Option<&str>) -> Size {
    let quick_env =
        std::env::var("WEIR_QUICK").is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"));
    match arg {
        Some("quick") => Size::Quick,
        Some(_) => Size::Full,
        None if quick_env => Size::Quick,
        None => Size::Full,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                // Ballista's client logs every query at info.
                "info,tower_http=info,datafusion=warn,ballista=warn,ballista_core=warn".into()
            }),
        )
        .init();
    let args = Args::parse();
    let site = site_root(args.site_root);
    if !site.join("pkg").join("weir.wasm").is_file() {
        tracing::warn!(site = %site.display(), "no wasm client found: pages render but do not hydrate (run `cargo xtask wasm`)");
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let config = QueueConfig {
        max_queued: args.max_queue,
        time_limit: args.job_time_limit,
        reference_runs: !args.no_reference_runs,
        broker: match args.broker.as_str() {
            "off" => None,
            "auto" => Some(Broker::Private),
            url if url.starts_with("redis://") => Some(Broker::Url(url.to_string())),
            other => anyhow::bail!("--broker must be auto, off or a redis:// URL, not {other:?}"),
        },
        scale_out: None,
        harness: None,
    };
    let config = QueueConfig {
        scale_out: scale_out(&args.scale_out)?,
        harness: harness_path(),
        ..config
    };
    let app_state = AppState::start(&args.data_dir, size(args.scenario_size.as_deref()), config)
        .with_context(|| format!("loading the data directory {}", args.data_dir.display()))?;
    app_state
        .uploads
        .set_max_sample_bytes(args.max_sample_bytes);
    let router = router(app_state.clone(), &site, addr);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("Weir is listening on http://{addr}");
    let jobs = app_state.jobs.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Stop the running measurement now, while in-flight requests
            // finish: it ends at its next safe point (about a second).
            jobs.shutdown();
        })
        .await
        .context("serving")?;
    if !app_state.jobs.wait_idle(SHUTDOWN_GRACE).await {
        tracing::error!(
            grace_s = SHUTDOWN_GRACE.as_secs(),
            "the running measurement did not stop in time; exiting anyway"
        );
        std::process::exit(1);
    }
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

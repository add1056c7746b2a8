//! The cluster's processes: `bench-harness ballista-scheduler` and
//! `bench-harness ballista-executor` run Ballista's own scheduler and
//! executor entry points, bound to 127.0.0.1 by default, with Weir's
//! user-defined window functions registered on both sides — the scheduler
//! decodes and plans the client's logical plans, the executors decode the
//! physical plans of their tasks, and both look functions up by name.

use std::collections::HashMap;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::WindowUDF;

use crate::error::{Error, Result};

/// Every window function a Weir job's SQL may call.
fn window_functions() -> Vec<WindowUDF> {
    let mut all = workloads::fraud::window_fns::all();
    all.extend(workloads::sessions::window_fns::all());
    all
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Cluster(format!("{what}: {e}"))
}

/// What the scheduler subcommand prints once its port was free.
pub const READY: &str = "weir: scheduler port free, starting on";

/// Runs a scheduler on `host:port` until the process is stopped.
pub fn scheduler(host: &str, port: u16) -> Result<()> {
    let session_builder = Arc::new(|config| {
        let mut state = default_session_builder(config)?;
        for f in window_functions() {
            state.register_udwf(Arc::new(f))?;
        }
        Ok(state)
    });
    let config = SchedulerConfig {
        bind_host: host.to_string(),
        external_host: host.to_string(),
        bind_port: port,
        override_session_builder: Some(session_builder),
        ..Default::default()
    };
    let addr: std::net::SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| failed(&format!("scheduler address {host}:{port}"), e))?;
    // Ballista logs "listening" before it binds and then fails deep inside
    // tonic; bind first so a taken port is one clear line, and
    // `LocalCluster` only takes [`READY`] as ready.
    std::net::TcpListener::bind(addr).map_err(|e| {
        failed(
            &format!("the scheduler's port {port} on {host}"),
            format!("{e} (is another process using it?)"),
        )
    })?;
    eprintln!("{READY} {addr}");
    runtime()?.block_on(async move {
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(|e| failed("starting the scheduler", e))?;
        start_server(cluster, addr, Arc::new(config))
            .await
            .map_err(|e| failed(&format!("scheduler on {addr}"), e))
    })
}

/// Where an executor listens and which scheduler it serves (the hidden
/// `bench-harness ballista-executor` subcommand's flags).
#[derive(Debug, clap::Args)]
pub struct ExecutorArgs {
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long)]
    pub port: u16,
    #[arg(long)]
    pub grpc_port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    pub scheduler_host: String,
    #[arg(long)]
    pub scheduler_port: u16,
    /// Task slots (cores) it offers.
    #[arg(long, default_value_t = 1)]
    pub vcores: usize,
    /// Its shuffle files.
    #[arg(long)]
    pub work_dir: String,
}

/// Runs an executor until the process is stopped.
pub fn executor(a: ExecutorArgs) -> Result<()> {
    let mut registry = BallistaFunctionRegistry::default();
    let functions: HashMap<_, _> = window_functions()
        .into_iter()
        .map(|f| (f.name().to_string(), Arc::new(f)))
        .collect();
    registry.window_functions.extend(functions);
    let config = ExecutorProcessConfig {
        bind_host: a.host.clone(),
        external_host: Some(a.host),
        port: a.port,
        grpc_port: a.grpc_port,
        scheduler_host: a.scheduler_host,
        scheduler_port: a.scheduler_port,
        vcores: a.vcores,
        work_dir: Some(a.work_dir),
        override_function_registry: Some(Arc::new(registry)),
        ..Default::default()
    };
    runtime()?.block_on(async move {
        start_executor_process(Arc::new(config))
            .await
            .map_err(|e| failed("executor", e))
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| failed("starting a Tokio runtime", e))
}

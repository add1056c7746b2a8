//! `bench-harness consume`: the recovering consumer as a process — what the
//! crash tests SIGKILL and restart, and what a user runs against their own
//! Redis to see recovery for themselves.

use std::path::PathBuf;

use anyhow::Context;
use workloads::mode::Mode;
use workloads::{DailyReport, FraudAlerts, Sessionization, Stop, Workload, WorkloadKind};

use super::consumer::{ConsumeConfig, consume};
use crate::log::RedisLog;

/// Environment variable of the crash tests' fault: SIGKILL the process
/// halfway through writing checkpoint N.
pub const KILL_DURING_CHECKPOINT_ENV: &str = "WEIR_KILL_DURING_CHECKPOINT";

/// Most records one read (or micro-batch trigger) may take.
pub const MAX_PAGE: usize = 65_536;

/// Arguments of `bench-harness consume`.
#[derive(Debug, clap::Args)]
pub struct ConsumeArgs {
    /// fraud-alerts, daily-report or sessionization.
    #[arg(long)]
    pub workload: WorkloadKind,
    /// stream, micro-batch (checkpointed) or batch (rerun after a crash).
    #[arg(long)]
    pub mode: Mode,
    /// The Redis server, e.g. redis://127.0.0.1:6379/.
    #[arg(long)]
    pub broker: String,
    /// The Redis stream holding the events (one event per entry).
    #[arg(long)]
    pub stream: String,
    /// Directory of the checkpoints and the output journal.
    #[arg(long)]
    pub dir: PathBuf,
    /// Offset of the input's last record: the input ends there.
    #[arg(long)]
    pub until: u64,
    /// Checkpoint every N records (0: only when the input ends).
    #[arg(long, default_value_t = 20_000)]
    pub checkpoint_every: u64,
    /// Records per read and per micro-batch trigger (1..=65536).
    #[arg(long, default_value_t = 4096)]
    pub page: usize,
}

/// Runs the consumer and prints its outcome as one JSON line.
pub fn run(args: &ConsumeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_PAGE).contains(&args.page),
        "--page must be between 1 and {MAX_PAGE}, got {}",
        args.page
    );
    let kill = match std::env::var(KILL_DURING_CHECKPOINT_ENV) {
        Ok(v) => Some(
            v.parse::<u64>()
                .with_context(|| format!("{KILL_DURING_CHECKPOINT_ENV}={v:?} is not a number"))?,
        ),
        Err(_) => None,
    };
    let mut cfg = ConsumeConfig::new(args.mode, args.until, args.checkpoint_every);
    cfg.page = args.page;
    cfg.kill_during_checkpoint = kill;
    fn go<W: Workload>(w: &W, args: &ConsumeArgs, cfg: &ConsumeConfig) -> anyhow::Result<()> {
        let mut log = RedisLog::open(&args.broker, &args.stream)?;
        let outcome = consume(w, &mut log, &args.dir, cfg, &Stop::never())
            .with_context(|| format!("consuming {} as {}", w.name(), cfg.mode))?;
        println!("{}", serde_json::to_string(&outcome)?);
        Ok(())
    }
    match args.workload {
        WorkloadKind::FraudAlerts => go(&FraudAlerts, args, &cfg),
        WorkloadKind::DailyReport => go(&DailyReport, args, &cfg),
        WorkloadKind::Sessionization => go(&Sessionization, args, &cfg),
        WorkloadKind::Custom => anyhow::bail!("consume runs the reference workloads only"),
    }
}

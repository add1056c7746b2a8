//! A Ballista cluster on this machine for `run --engine ballista`: a
//! scheduler and N executors, each a child process of this binary
//! (`bench-harness ballista-scheduler|ballista-executor`, see [`serve`]),
//! bound to 127.0.0.1 on free ports, with their logs in one directory.
//!
//! Why processes and not Ballista's in-process standalone mode: executors
//! that are separate processes exchange shuffle data over Arrow Flight and
//! can be killed one at a time, as on a real cluster, so the scaling and the
//! fault tests measure what a team would run. The cluster is stopped (every
//! child killed and reaped) when dropped — also when a run or a test fails;
//! the logs are kept when it failed and removed when it was stopped cleanly.

pub mod measure;
pub mod serve;

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a scheduler or executor may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(30);
pub use crate::engine::MAX_EXECUTORS;
/// What an executor logs once the scheduler accepted it (Ballista 55).
const REGISTERED: &str = "Executor registration succeed";

/// A running local cluster.
pub struct LocalCluster {
    scheduler: Child,
    scheduler_port: u16,
    executors: Vec<Child>,
    /// Logs and executors' work directories.
    dir: tempfile::TempDir,
    /// Keep `dir` when dropped (a failure happened, or asked for).
    keep_logs: bool,
}

impl LocalCluster {
    /// Starts a scheduler and `executors` executors (one task slot each),
    /// waiting until every executor has registered. `exe` is the
    /// `bench-harness` binary (the tests pass `CARGO_BIN_EXE_bench-harness`;
    /// the CLI its own path).
    pub fn start(exe: &Path, executors: usize) -> Result<LocalCluster> {
        LocalCluster::start_on(exe, executors, free_port()?)
    }

    /// [`LocalCluster::start`] with the scheduler on `scheduler_port` of
    /// 127.0.0.1: a port another process holds is an error naming it, with
    /// the scheduler's log kept.
    pub fn start_on(exe: &Path, executors: usize, scheduler_port: u16) -> Result<LocalCluster> {
        if executors == 0 || executors > MAX_EXECUTORS {
            return Err(Error::Cluster(format!(
                "--executors must be between 1 and {MAX_EXECUTORS}, got {executors}"
            )));
        }
        let dir = tempfile::Builder::new()
            .prefix("weir-ballista-")
            .tempdir()
            .map_err(|e| Error::Cluster(format!("cannot make the cluster's directory: {e}")))?;
        let scheduler = spawn(
            exe,
            &dir.path().join("scheduler.log"),
            &["ballista-scheduler", "--port", &scheduler_port.to_string()],
        )?;
        let mut cluster = LocalCluster {
            scheduler,
            scheduler_port,
            executors: Vec::new(),
            dir,
            keep_logs: false,
        };
        cluster.fail_unless(|c| c.wait_for_scheduler())?;
        for i in 0..executors {
            cluster.fail_unless(|c| c.add_executor(exe, i))?;
        }
        Ok(cluster)
    }

    /// `df://127.0.0.1:PORT`, the address clients connect to.
    pub fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.scheduler_port)
    }

    /// How many executors were started.
    pub fn executors(&self) -> usize {
        self.executors.len()
    }

    /// The directory with `scheduler.log` and `executor-N.log`.
    pub fn log_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Process ids of the scheduler and the executors (tests check that
    /// none outlives the cluster).
    pub fn pids(&self) -> Vec<u32> {
        std::iter::once(&self.scheduler)
            .chain(&self.executors)
            .map(Child::id)
            .collect()
    }

    /// Kills executor `i` (fault tests: an executor that dies mid-query).
    pub fn kill_executor(&mut self, i: usize) {
        if let Some(c) = self.executors.get_mut(i) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Keeps the logs after the cluster is dropped (a run failed on it) and
    /// returns where they are.
    pub fn keep_logs(&mut self) -> PathBuf {
        self.keep_logs = true;
        self.dir.path().to_path_buf()
    }

    /// Runs a start-up step; on failure, keeps the logs and says where.
    fn fail_unless(&mut self, step: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        step(self).map_err(|e| {
            let logs = self.keep_logs();
            Error::Cluster(format!("{} (logs: {})", cluster_message(e), logs.display()))
        })
    }

    /// Ready once the scheduler said its port was free and the port
    /// answers: a connect alone could reach another process on a taken port.
    fn wait_for_scheduler(&mut self) -> Result<()> {
        let port = self.scheduler_port;
        let log = self.dir.path().join("scheduler.log");
        wait(&mut self.scheduler, "the scheduler", &log, || {
            std::fs::read_to_string(&log).is_ok_and(|t| t.contains(serve::READY))
                && TcpStream::connect(("127.0.0.1", port)).is_ok()
        })
    }

    fn add_executor(&mut self, exe: &Path, i: usize) -> Result<()> {
        let (port, grpc_port) = (free_port()?, free_port()?);
        let work = self.dir.path().join(format!("executor-{i}"));
        std::fs::create_dir_all(&work)
            .map_err(|e| Error::Cluster(format!("creating {}: {e}", work.display())))?;
        let log = self.dir.path().join(format!("executor-{i}.log"));
        let child = spawn(
            exe,
            &log,
            &[
                "ballista-executor",
                "--scheduler-port",
                &self.scheduler_port.to_string(),
                "--port",
                &port.to_string(),
                "--grpc-port",
                &grpc_port.to_string(),
                "--work-dir",
                &work.to_string_lossy(),
            ],
        )?;
        self.executors.push(child);
        let child = self.executors.last_mut().expect("just pushed");
        wait(child, &format!("executor {i}"), &log, || {
            std::fs::read_to_string(&log).is_ok_and(|text| text.contains(REGISTERED))
        })
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for c in self
            .executors
            .iter_mut()
            .chain(std::iter::once(&mut self.scheduler))
        {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Leave the logs for the user to read after a failure.
        self.dir.disable_cleanup(self.keep_logs);
    }
}

/// An error's text without a second "Ballista cluster:" prefix.
pub(crate) fn cluster_message(e: Error) -> String {
    match e {
        Error::Cluster(m) => m,
        other => other.to_string(),
    }
}

/// A port nobody listens on now. Another process may take it before the
/// child binds it: the child then fails to start and the error says so.
fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::Cluster(format!("cannot find a free port on 127.0.0.1: {e}")))
}

/// The last non-empty line of a child's log (what it died of), bounded.
fn last_line(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(empty log)");
    line.chars().take(400).collect()
}

fn spawn(exe: &Path, log: &Path, args: &[&str]) -> Result<Child> {
    let out = File::create(log)
        .map_err(|e| Error::Cluster(format!("creating {}: {e}", log.display())))?;
    let err = out
        .try_clone()
        .map_err(|e| Error::Cluster(format!("{}: {e}", log.display())))?;
    Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| Error::Cluster(format!("cannot start `{} {}`: {e}", exe.display(), args[0])))
}

/// Polls `ready` until it holds, the child exits (the error then quotes
/// the end of its `log`), or [`START_TIMEOUT`].
fn wait(child: &mut Child, what: &str, log: &Path, mut ready: impl FnMut() -> bool) -> Result<()> {
    let end = Instant::now() + START_TIMEOUT;
    loop {
        if ready() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Error::Cluster(format!(
                "{what} exited at start ({status}): {}",
                last_line(log)
            )));
        }
        if Instant::now() >= end {
            return Err(Error::Cluster(format!(
                "{what} was not ready within {} s",
                START_TIMEOUT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

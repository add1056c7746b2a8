//! Which engine a run's batch and micro-batch jobs use (`run --engine`),
//! and the local Ballista cluster that a `--engine ballista` run without
//! `--scheduler` starts and keeps alive until the run ends.

use std::path::Path;

use workloads::mode::Engine;

use crate::error::{Error, Result};

/// Whether this build can run Ballista (the `ballista` feature, on by
/// default).
pub const HAS_BALLISTA: bool = cfg!(feature = "ballista");

/// The executors a local cluster gets when `--executors` is not given.
pub const DEFAULT_EXECUTORS: usize = 2;
/// The most executors a local cluster may have (each is a process with its
/// own memory; far more than this machine's cores measures only contention).
pub const MAX_EXECUTORS: usize = 16;

/// Executor counts for a scaling measurement (`1,2,4`), each from 1 to
/// [`MAX_EXECUTORS`]; `off_word` (`none`, `off`) means no measurement.
/// `flag` names the option in the error.
pub fn parse_executor_counts(flag: &str, text: &str, off_word: &str) -> Result<Vec<usize>> {
    if text == off_word {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|c| {
            c.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_EXECUTORS).contains(n))
                .ok_or_else(|| {
                    Error::Unsupported(format!(
                        "{flag} {text}: expected executor counts from 1 to {MAX_EXECUTORS} \
                         separated by commas, or {off_word}"
                    ))
                })
        })
        .collect()
}

/// The scale-out measurement of a scenario on local clusters of `counts`
/// executors ([`crate::cluster::measure::for_scenario`]); an error in a
/// build without Ballista.
pub fn measure_scaling(
    s: &crate::scenario::Scenario,
    input: Option<&Path>,
    report: &crate::report::Report,
    exe: &Path,
    counts: &[usize],
    progress: &dyn crate::progress::Progress,
) -> Result<crate::scaling::ScalingReport> {
    #[cfg(feature = "ballista")]
    {
        crate::cluster::measure::for_scenario(s, input, report, exe, counts, progress)
    }
    #[cfg(not(feature = "ballista"))]
    {
        let _ = (s, input, report, exe, counts, progress);
        Err(no_ballista())
    }
}

/// An engine ready to use, holding whatever it runs on.
pub struct Prepared {
    pub engine: Engine,
    /// The local cluster, stopped when this is dropped.
    #[cfg(feature = "ballista")]
    pub cluster: Option<crate::cluster::LocalCluster>,
}

/// Resolves `--engine KIND [--executors N] [--scheduler df://HOST:PORT]`;
/// `exe` is this `bench-harness` binary (a local cluster's processes).
pub fn prepare(
    kind: &str,
    executors: Option<usize>,
    scheduler: Option<&str>,
    exe: &Path,
) -> Result<Prepared> {
    if kind != "ballista" && (executors.is_some() || scheduler.is_some()) {
        return Err(Error::Unsupported(
            "--executors and --scheduler go with --engine ballista".into(),
        ));
    }
    match kind {
        "memory" => Ok(without_cluster(Engine::InMemory)),
        "parquet" => Ok(without_cluster(Engine::Parquet)),
        "ballista" => ballista(executors, scheduler, exe),
        other => Err(Error::Unsupported(format!(
            "--engine {other}: expected memory, parquet or ballista"
        ))),
    }
}

/// An engine with nothing of Weir's to keep running (in process, or a
/// cluster the user runs).
fn without_cluster(engine: Engine) -> Prepared {
    Prepared {
        engine,
        #[cfg(feature = "ballista")]
        cluster: None,
    }
}

fn ballista(executors: Option<usize>, scheduler: Option<&str>, exe: &Path) -> Result<Prepared> {
    if let Some(url) = scheduler {
        let valid = url
            .strip_prefix("df://")
            .and_then(|rest| rest.rsplit_once(':'))
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(Error::Cluster(format!(
                "--scheduler {url}: expected df://HOST:PORT"
            )));
        }
        return Ok(without_cluster(Engine::ballista(
            url.to_string(),
            executors.unwrap_or(1),
        )));
    }
    local_cluster(executors.unwrap_or(DEFAULT_EXECUTORS), exe)
}

#[cfg(feature = "ballista")]
fn local_cluster(executors: usize, exe: &Path) -> Result<Prepared> {
    let cluster = crate::cluster::LocalCluster::start(exe, executors)?;
    Ok(Prepared {
        engine: Engine::ballista(cluster.url(), executors),
        cluster: Some(cluster),
    })
}

#[cfg(not(feature = "ballista"))]
fn local_cluster(_executors: usize, _exe: &Path) -> Result<Prepared> {
    Err(no_ballista())
}

/// What a build without the `ballista` feature says when asked for it.
#[cfg(not(feature = "ballista"))]
pub fn no_ballista() -> Error {
    Error::Cluster(
        "this build has no Ballista: build without `--no-default-features` \
         (scripts/run.sh does)"
            .into(),
    )
}

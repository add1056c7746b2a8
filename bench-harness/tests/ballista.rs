//! Batch and micro-batch on a real Ballista cluster: a scheduler and
//! executors on free 127.0.0.1 ports, started from the built
//! `bench-harness` binary and stopped when each test ends (also when it
//! fails). Needs `--features bench-harness/ballista` (the test command
//! enables it).
#![cfg(feature = "ballista")]

use std::path::{Path, PathBuf};

use bench_harness::cluster::LocalCluster;
use workloads::drive::{ModeConfig, run_mode};
use workloads::mode::{Engine, JobConfig};
use workloads::output::materialize;
use workloads::time::MINUTE;
use workloads::{DailyReport, Workload, contract};

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_bench-harness"))
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

fn on(cluster: &LocalCluster) -> JobConfig {
    JobConfig {
        engine: Engine::ballista(cluster.url(), cluster.executors()),
        ..JobConfig::default()
    }
}

/// The invariant on the cluster: every batch schedule and the micro-batch
/// trigger of the engine table give the contract's output, byte for byte,
/// for all three reference workloads.
#[test]
fn every_engine_mode_matches_golden_on_ballista() {
    let cluster = LocalCluster::start(exe(), 2).expect("a local cluster starts");
    let failures = contract::check_all(&golden_dir(), &on(&cluster), &contract::engine_modes());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// No scheduler at the address: the job fails at once with an error that
/// names the address, and nothing hangs.
#[test]
fn an_unreachable_scheduler_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let scheduler = format!("df://127.0.0.1:{port}");
    let job = JobConfig {
        engine: Engine::ballista(scheduler.clone(), 1),
        ..JobConfig::default()
    };
    let failures = contract::check(
        &DailyReport,
        &golden_dir(),
        1,
        &job,
        &contract::engine_modes()[..1],
    );
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains(&scheduler), "{}", failures[0]);
}

/// A scheduler port another process already holds: the start fails within
/// seconds with an error naming the port (not a cluster that seems to start
/// because something answers on it), and no cluster process stays behind.
#[test]
fn a_scheduler_port_already_taken_is_a_clear_error_and_leaves_no_process() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let start = std::time::Instant::now();
    let err = match LocalCluster::start_on(exe(), 1, port) {
        Ok(_) => panic!("a cluster started on a port another process holds"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("scheduler exited at start") && err.contains(&port.to_string()),
        "{err}"
    );
    assert!(
        err.contains("in use") || err.contains("another process"),
        "{err}"
    );
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    // The scheduler started for that port is gone (other tests' clusters
    // may be running beside this one, so only this port's is looked for).
    assert_eq!(holder.local_addr().unwrap().port(), port);
    let mine = format!("ballista-scheduler --port {port}");
    let alive = live_command_lines();
    assert!(!alive.iter().any(|c| c.contains(&mine)), "{alive:?}");
}

/// Command lines of every live (not zombie) process.
fn live_command_lines() -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        // The state follows the parenthesised name.
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next();
        if state.is_some_and(|s| s != "Z") {
            let cmd = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            out.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    out
}

/// An executor killed while a job runs on a 2-executor cluster: the job
/// either finishes with the exact output (Ballista re-ran the lost tasks
/// elsewhere) or fails with an error that says what happened, within the
/// query timeout: it never hangs and never returns a wrong answer. Every
/// cluster process is gone once the cluster is dropped.
#[test]
fn an_executor_killed_mid_run_never_hangs_or_lies_and_leaves_no_process() {
    let mut cluster = LocalCluster::start(exe(), 2).expect("a local cluster starts");
    let pids = cluster.pids();
    let workload = DailyReport;
    let data = workload
        .read_events(&golden_dir().join("orders.csv"))
        .unwrap();
    let reference = workload.reference(&data.events);
    let job = JobConfig {
        engine: Engine::Ballista {
            scheduler: cluster.url(),
            executors: 2,
            query_timeout_seconds: 20,
        },
        ..JobConfig::default()
    };
    let started = std::time::Instant::now();
    let outcome = std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            // Many small runs: the kill lands while one is in flight.
            run_mode(
                &workload,
                &ModeConfig::Batch {
                    interval_ms: 15 * MINUTE,
                },
                &job,
                &data,
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(1500));
        cluster.kill_executor(1);
        run.join().expect("the run thread does not panic")
    });
    let took = started.elapsed();
    match outcome {
        Ok((changelog, _)) => assert_eq!(
            materialize(&changelog),
            reference,
            "a run that survived the kill must still be exact"
        ),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("did not finish within") || text.to_lowercase().contains("executor"),
                "the error says what failed: {text}"
            );
        }
    }
    // 288 runs before the kill plus at most one query timeout after it.
    assert!(took.as_secs() < 240, "took {took:?}");
    drop(cluster);
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "cluster process {pid} outlived the cluster"
        );
    }
}

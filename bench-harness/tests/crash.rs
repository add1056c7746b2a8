//! Crash tests of the recovering consumer (`bench-harness consume`): for
//! every reference workload in stream, micro-batch and batch mode, a real
//! Redis on 127.0.0.1 holds the events, the consumer process is SIGKILLed
//! at seeded random moments (and once halfway through writing a
//! checkpoint, and once with its newest checkpoint torn), restarted, and
//! its committed output must be the uninterrupted run's changelog exactly —
//! no change missing, none twice — and equal ground truth.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bench_harness::log::redis_server::RedisServer;
use bench_harness::log::{EventLog, RedisLog};
use bench_harness::recovery::consumer::{ConsumeOutcome, committed_output, committed_rows};
use bench_harness::recovery::{ConsumeConfig, consume};
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::Mode;
use workloads::output::{Change, Emission, materialize};
use workloads::time::MINUTE;
use workloads::wire::Wire;
use workloads::{DailyReport, FraudAlerts, Sessionization, Stop, Workload};

const PAGE: usize = 512;
const CHECKPOINT_EVERY: u64 = 1024;

/// A small deterministic generator for kill times (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn spawn(w: &str, mode: Mode, url: &str, stream: &str, dir: &Path, until: u64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bench-harness"));
    c.args(["consume", "--workload", w, "--mode", mode.name()])
        .args(["--broker", url, "--stream", stream])
        .arg("--dir")
        .arg(dir)
        .args(["--until", &until.to_string()])
        .args(["--checkpoint-every", &CHECKPOINT_EVERY.to_string()])
        .args(["--page", &PAGE.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Waits for the child, killing it if it outlives `limit` (a hang fails
/// the test instead of stalling CI).
fn wait_bounded(mut child: Child, limit: Duration) -> std::process::Output {
    let t0 = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t0.elapsed() > limit {
            child.kill().unwrap();
            panic!("the consumer did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Sequence number of the newest checkpoint file in `dir` (0: none).
fn newest_checkpoint(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    e.ok()?
                        .file_name()
                        .to_str()?
                        .strip_suffix(".ckpt")?
                        .parse()
                        .ok()
                })
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

fn outcome(out: &std::process::Output) -> ConsumeOutcome {
    assert!(
        out.status.success(),
        "consumer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Kills the consumer `kills` times at random moments (and as the plan
/// says), then lets it finish; returns how many kills hit a running
/// process and whether the last run resumed from a checkpoint.
#[allow(clippy::too_many_arguments)]
fn crash_and_finish(
    w: &str,
    mode: Mode,
    url: &str,
    stream: &str,
    dir: &Path,
    until: u64,
    rng: &mut Lcg,
    kills: usize,
    batch_run_ms: Option<u64>,
) -> (usize, Vec<ConsumeOutcome>) {
    let mut hits = 0;
    let mut outcomes = Vec::new();
    for _ in 0..kills {
        let mut child = spawn(w, mode, url, stream, dir, until).spawn().unwrap();
        match batch_run_ms {
            // Batch writes no checkpoint until it is done: kill at a random
            // moment of a run's measured length.
            Some(ms) => std::thread::sleep(Duration::from_millis(rng.below(ms.max(2)))),
            // Kill a few checkpoints past where it resumes, at a random
            // moment between two of them (speed-independent: the test
            // waits on the consumer's progress, not on the clock).
            None => {
                let target = newest_checkpoint(dir) + 1 + rng.below(4);
                let t0 = Instant::now();
                while newest_checkpoint(dir) < target
                    && child.try_wait().unwrap().is_none()
                    && t0.elapsed() < Duration::from_secs(60)
                {
                    std::thread::sleep(Duration::from_micros(300));
                }
                std::thread::sleep(Duration::from_micros(rng.below(3000)));
            }
        }
        child.kill().unwrap(); // SIGKILL
        let out = wait_bounded(child, Duration::from_secs(60));
        if out.status.signal() == Some(9) {
            hits += 1;
        } else {
            outcomes.push(outcome(&out));
        }
    }
    let out = wait_bounded(
        spawn(w, mode, url, stream, dir, until).spawn().unwrap(),
        Duration::from_secs(120),
    );
    let last = outcome(&out);
    assert!(last.finished);
    outcomes.push(last);
    (hits, outcomes)
}

fn crash_tests<W: Workload>(w: &W, stream_key: &str) {
    let server = RedisServer::start_for_test();
    let url = server.url();
    let data = w
        .generate(&GenConfig {
            duration_ms: 90 * MINUTE,
            rate: RateProfile::Constant {
                events_per_second: 4.0,
            },
            keys: 120,
            late_fraction: 0.05,
            max_lateness_ms: 10 * MINUTE,
            ..GenConfig::default()
        })
        .unwrap();
    let mut log = RedisLog::open(&url, stream_key).unwrap();
    log.clear().unwrap();
    for chunk in data.events.chunks(4096) {
        let msgs: Vec<Vec<u8>> = chunk
            .iter()
            .map(|e| {
                let mut m = Vec::new();
                e.encode(&mut m);
                m
            })
            .collect();
        log.append(&msgs).unwrap();
    }
    let until = log.len().unwrap();
    let truth = materialize(
        &w.reference(&data.events)
            .into_iter()
            .map(|r| Emission::upsert(r, 0))
            .collect::<Vec<_>>(),
    );
    for mode in [Mode::Stream, Mode::MicroBatch, Mode::Batch] {
        // The uninterrupted run, in process, over the same log and pages.
        let clean = tempfile::tempdir().unwrap();
        let mut cfg = ConsumeConfig::new(mode, until, CHECKPOINT_EVERY);
        cfg.page = PAGE;
        let first = consume(w, &mut log, clean.path(), &cfg, &Stop::never()).unwrap();
        assert!(first.finished && first.resumed_from.is_none());
        let expected: Vec<Change<W::Row>> = committed_output(w, clean.path(), mode).unwrap();
        assert_eq!(
            committed_rows(w, clean.path(), mode).unwrap(),
            truth,
            "{} {mode}: the clean run",
            w.name()
        );

        // How long a whole batch process takes (batch is killed by time).
        let batch_run_ms = (mode == Mode::Batch).then(|| {
            let dir = tempfile::tempdir().unwrap();
            let t0 = Instant::now();
            let out = wait_bounded(
                spawn(w.name(), mode, &url, stream_key, dir.path(), until)
                    .spawn()
                    .unwrap(),
                Duration::from_secs(120),
            );
            assert!(outcome(&out).finished);
            t0.elapsed().as_millis() as u64
        });
        let mut total_hits = 0;
        let mut resumed = 0;
        for seed in 1..=2u64 {
            let dir = tempfile::tempdir().unwrap();
            let mut rng = Lcg(seed * 7919 + mode as u64);
            let (hits, outcomes) = crash_and_finish(
                w.name(),
                mode,
                &url,
                stream_key,
                dir.path(),
                until,
                &mut rng,
                if batch_run_ms.is_some() { 5 } else { 3 },
                batch_run_ms,
            );
            total_hits += hits;
            resumed += outcomes.iter().filter(|o| o.resumed_from.is_some()).count();
            let got = committed_output(w, dir.path(), mode).unwrap();
            assert_eq!(
                got.len(),
                expected.len(),
                "{} {mode} seed {seed}: {} changes committed, {} expected",
                w.name(),
                got.len(),
                expected.len()
            );
            assert!(
                got == expected,
                "{} {mode} seed {seed}: the changelog differs",
                w.name()
            );
        }
        assert!(
            total_hits > 0,
            "{} {mode}: no kill hit a running consumer",
            w.name()
        );

        if mode != Mode::Batch {
            // Killed halfway through writing its second checkpoint, then
            // the newest checkpoint torn: both fall back, output still exact.
            let dir = tempfile::tempdir().unwrap();
            let out = wait_bounded(
                spawn(w.name(), mode, &url, stream_key, dir.path(), until)
                    .env("WEIR_KILL_DURING_CHECKPOINT", "2")
                    .spawn()
                    .unwrap(),
                Duration::from_secs(60),
            );
            assert_eq!(
                out.status.signal(),
                Some(9),
                "{} {mode}: not killed mid-checkpoint",
                w.name()
            );
            let ckpts: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            assert!(
                ckpts
                    .iter()
                    .any(|p| p.extension().is_some_and(|x| x == "tmp")),
                "{} {mode}: no half-written checkpoint left: {ckpts:?}",
                w.name()
            );
            // Resume once (past the torn one), kill again later, tear the
            // newest intact checkpoint, finish.
            let out = wait_bounded(
                spawn(w.name(), mode, &url, stream_key, dir.path(), until)
                    .env("WEIR_KILL_DURING_CHECKPOINT", "4")
                    .spawn()
                    .unwrap(),
                Duration::from_secs(60),
            );
            assert_eq!(out.status.signal(), Some(9));
            let newest = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "ckpt"))
                .max()
                .unwrap();
            let bytes = std::fs::read(&newest).unwrap();
            std::fs::write(&newest, &bytes[..bytes.len() - 3]).unwrap();
            let out = wait_bounded(
                spawn(w.name(), mode, &url, stream_key, dir.path(), until)
                    .spawn()
                    .unwrap(),
                Duration::from_secs(120),
            );
            let last = outcome(&out);
            assert!(last.finished && last.resumed_from.is_some());
            assert_eq!(
                last.skipped_checkpoints.len(),
                1,
                "{:?}",
                last.skipped_checkpoints
            );
            let got = committed_output(w, dir.path(), mode).unwrap();
            assert!(
                got == expected,
                "{} {mode}: mid-checkpoint crash changed the output",
                w.name()
            );
            assert!(resumed > 0 || total_hits > 0);
        }
    }
}

#[test]
fn fraud_alerts_survives_crashes_exactly_once() {
    crash_tests(&FraudAlerts, "weir:crash:fraud");
}

#[test]
fn daily_report_survives_crashes_exactly_once() {
    crash_tests(&DailyReport, "weir:crash:daily");
}

#[test]
fn sessionization_survives_crashes_exactly_once() {
    crash_tests(&Sessionization, "weir:crash:sessions");
}

//! A stop requested during a run ends it promptly with `Error::Stopped`,
//! whatever step it is in: generation, ground truth, a batch or micro-batch
//! plan, the stream plan, reprocessing or the real-time validation.
//!
//! The bound is generous (this is a debug build on a shared machine); what
//! it holds is that the run stops at its next safe point instead of going
//! on to the end (each of these scenarios runs for far longer unstopped).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bench_harness::progress::Progress;
use bench_harness::runner::run_scenario;
use bench_harness::scenario::Scenario;
use bench_harness::{Error, Result};
use workloads::{Stop, StopReason, WorkloadKind};

/// Longest a stop may take to end the run in this test.
const BOUND: Duration = Duration::from_secs(5);

/// Requests the stop when the run first reports a stage containing
/// `trigger`, and remembers when.
struct StopAt {
    trigger: &'static str,
    stop: Stop,
    requested: Mutex<Option<Instant>>,
}

impl Progress for StopAt {
    fn update(&self, stage: &str, _done: u64, _total: u64) {
        let mut at = self.requested.lock().unwrap();
        if at.is_none() && stage.contains(self.trigger) {
            self.stop.request(StopReason::Cancelled);
            *at = Some(Instant::now());
        }
    }

    fn stop(&self) -> &Stop {
        &self.stop
    }
}

fn stopped_during(s: &Scenario, trigger: &'static str) -> (Result<()>, Option<Duration>) {
    let p = StopAt {
        trigger,
        stop: Stop::new(),
        requested: Mutex::new(None),
    };
    let result = run_scenario(s, &p).map(|_| ());
    let took = p.requested.lock().unwrap().map(|t| t.elapsed());
    (result, took)
}

/// Checks one stop: the run ended with `Error::Stopped` within the bound.
fn assert_stopped(s: &Scenario, trigger: &'static str) {
    let (result, took) = stopped_during(s, trigger);
    let took = took.unwrap_or_else(|| panic!("the run never reported `{trigger}`"));
    eprintln!("stop requested at `{trigger}`: the run ended {took:?} later");
    assert!(
        matches!(result, Err(Error::Stopped(StopReason::Cancelled))),
        "stopped at `{trigger}`: expected Error::Stopped, got {result:?}"
    );
    assert!(
        took <= BOUND,
        "stopped at `{trigger}`: the run went on for {took:?} after the stop"
    );
}

#[test]
fn a_stop_ends_every_step_within_the_bound() {
    // The reference scenario at its full size: minutes in a debug build.
    let full = Scenario::default_for(WorkloadKind::FraudAlerts);
    assert_stopped(&full, "generating events");
    assert_stopped(&full, "computing ground truth");
    // Each mode's first plan alone, stopped while it runs and while its
    // reprocessing is measured.
    for prefix in ["batch", "micro-batch", "stream"] {
        let mut s = full.clone();
        s.plans.retain(|p| p.label().starts_with(prefix));
        s.plans.truncate(1);
        assert_eq!(s.plans.len(), 1, "the default has a {prefix} plan");
        let during = match prefix {
            "stream" => "— stream",
            _ => "— runs",
        };
        assert_stopped(&s, during);
        assert_stopped(&s, "measuring reprocessing");
    }
}

#[test]
fn a_stop_ends_the_real_time_validation() {
    let mut s = Scenario::default_for(WorkloadKind::Sessionization);
    // Small data, so the run reaches the wall-clock validation quickly;
    // the validation itself runs its configured seconds unless stopped.
    s.generator.duration_ms = 10 * workloads::time::MINUTE;
    s.generator.keys = 500;
    s.plans.truncate(1);
    let rt = s.realtime.as_mut().expect("the default runs a validation");
    rt.seconds = 30.0;
    let (result, took) = stopped_during(&s, "real-time validation");
    let took = took.expect("the run reached the validation");
    eprintln!("stop requested in the real-time validation: the run ended {took:?} later");
    assert!(
        matches!(result, Err(Error::Stopped(StopReason::Cancelled))),
        "{result:?}"
    );
    assert!(took <= BOUND, "the validation went on for {took:?}");
}

/// Stops requested from another thread at moments that fall inside steps
/// (not at a progress update): the run ends within the bound whatever it
/// was doing.
#[test]
fn a_stop_at_any_moment_ends_the_run_within_the_bound() {
    let s = Scenario::default_for(WorkloadKind::FraudAlerts);
    for after_ms in [150, 900, 2_300, 4_100, 7_700] {
        let stop = Stop::new();
        let p = StopAt {
            trigger: "never matches",
            stop: stop.clone(),
            requested: Mutex::new(None),
        };
        let (result, took) = std::thread::scope(|scope| {
            let requester = scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(after_ms));
                stop.request(StopReason::Cancelled);
                Instant::now()
            });
            let result = run_scenario(&s, &p).map(|_| ());
            let ended = Instant::now();
            let at = requester.join().unwrap();
            (result, ended.saturating_duration_since(at))
        });
        eprintln!("stop requested {after_ms} ms into the run: it ended {took:?} later");
        assert!(
            matches!(result, Err(Error::Stopped(StopReason::Cancelled))),
            "{after_ms} ms: {result:?}"
        );
        assert!(took <= BOUND, "{after_ms} ms: the run went on for {took:?}");
    }
}

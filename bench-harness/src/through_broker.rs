//! A scenario's measurements through a real broker, for the CLI (`run
//! --source redis`) and the server alike: publish the events into a fresh
//! Redis stream, replay it (kappa), measure recovery, and feed the
//! real-time validation's load live through it. Against the user's Redis,
//! or a private `redis-server` on a free 127.0.0.1 port that is stopped
//! at the end.

use std::path::Path;

use workloads::{DailyReport, FraudAlerts, Sessionization, Workload, WorkloadKind};

use crate::error::{Error, Result};
use crate::log::RedisLog;
use crate::log::redis_server::RedisServer;
use crate::progress::Progress;
use crate::report::BrokerReport;
use crate::scenario::Scenario;

/// Which broker to measure through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broker {
    /// A private `redis-server` started for the run (it must be installed).
    Private,
    /// A Redis the user runs, e.g. `redis://127.0.0.1:6379/`.
    Url(String),
}

/// Runs the broker measurements of `s` (over `input` when given, else the
/// scenario's generated events). `checkpoint_every`: records between the
/// recovery measurement's checkpoints, 0 to skip it.
pub fn measure(
    s: &Scenario,
    input: Option<&Path>,
    broker: &Broker,
    checkpoint_every: u64,
    progress: &dyn Progress,
) -> Result<BrokerReport> {
    let private;
    let url = match broker {
        Broker::Url(u) => u.clone(),
        Broker::Private => {
            private = RedisServer::start().map_err(Error::Unsupported)?;
            private.url()
        }
    };
    let run = Run {
        s,
        input,
        url: &url,
        checkpoint_every,
        progress,
    };
    match s.workload {
        WorkloadKind::FraudAlerts => run.go(&FraudAlerts),
        WorkloadKind::DailyReport => run.go(&DailyReport),
        WorkloadKind::Sessionization => run.go(&Sessionization),
        WorkloadKind::Custom => run.go(&crate::runner::custom_workload(s)?),
    }
}

struct Run<'a> {
    s: &'a Scenario,
    input: Option<&'a Path>,
    url: &'a str,
    checkpoint_every: u64,
    progress: &'a dyn Progress,
}

impl Run<'_> {
    fn go<W: Workload>(&self, w: &W) -> Result<BrokerReport> {
        let data = match self.input {
            Some(path) => w.read_events(path)?,
            None => w.generate(&self.s.generator)?,
        };
        let key = format!(
            "weir:{}:{}",
            w.name(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis())
        );
        let mut log = RedisLog::open(self.url, &key)?;
        // Custom workloads' operators do not checkpoint yet.
        let every = (self.checkpoint_every > 0 && W::KIND != WorkloadKind::Custom)
            .then_some(self.checkpoint_every);
        let result = crate::broker::measure(w, &data, &mut log, every, self.progress);
        // The run's stream is the run's: do not leave it in the user's Redis.
        let _ = log.clear();
        let mut report = result?;
        if let Some(rt) = &self.s.realtime {
            self.progress.update("broker: live run", 0, 1);
            let data = crate::realtime::generate_at(w, self.s, rt.seconds, rt.events_per_second)?;
            let key = format!("{key}:live");
            let producer = Box::new(RedisLog::open(self.url, &key)?);
            let mut consumer = RedisLog::open(self.url, &key)?;
            let live = crate::broker::live(
                w,
                &data,
                producer,
                &mut consumer,
                rt.events_per_second,
                self.progress.stop(),
            );
            let _ = consumer.clear();
            report.live = Some(live?);
        }
        Ok(report)
    }
}

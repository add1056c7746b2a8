//! Measurements through a replayable log: the events are published into
//! the log in arrival order, then the whole retained log is replayed
//! through the exact stream plan — kappa's reprocessing, measured rather
//! than modeled — and its output is checked against ground truth. The same
//! plan over the in-memory events gives the broker's share.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use workloads::Workload;
use workloads::dataset::Dataset;
use workloads::event::Timed;
use workloads::mode::StreamConfig;
use workloads::output::materialize;
use workloads::wire::Wire;

use crate::error::{Error, Result};
use crate::log::EventLog;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report::{BrokerLive, BrokerReport};

/// Messages per append and per read.
const PAGE: usize = 8192;

/// Publishes `data` into the (empty) `log` and replays it through the
/// exact stream plan.
/// `checkpoint_every`: records between the recovery measurement's
/// checkpoints (`None`: no recovery measurement).
pub fn measure<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
    log: &mut dyn EventLog,
    checkpoint_every: Option<u64>,
    progress: &dyn Progress,
) -> Result<BrokerReport> {
    let n = data.events.len();
    let held = log.len()?;
    if held != 0 {
        return Err(Error::Unsupported(format!(
            "log `{}` already holds {held} records: give an empty stream",
            log.name()
        )));
    }
    let truth = materialize(&workload_truth(workload, data));
    let plan = Plan::Stream(StreamConfig::EXACT);

    let t0 = Instant::now();
    for (k, chunk) in data.events.chunks(PAGE).enumerate() {
        progress.update("broker: publishing", (k * PAGE) as u64, n as u64);
        progress.check()?;
        let messages: Vec<Vec<u8>> = chunk
            .iter()
            .map(|e| {
                let mut m = Vec::with_capacity(W::Event::LEN);
                e.encode(&mut m);
                m
            })
            .collect();
        log.append(&messages)?;
    }
    let publish_seconds = t0.elapsed().as_secs_f64();

    // Kappa: the whole log, from offset 1, through the same pipeline.
    let t0 = Instant::now();
    let (out, dead) = replay(workload, &StreamConfig::EXACT, log, n, progress)?;
    let replay_seconds = t0.elapsed().as_secs_f64();

    // The micro-batch job reprocesses the same log in hour-sized catch-up
    // triggers over event time, as `runner`'s reprocessing does in memory.
    let t0 = Instant::now();
    let micro_out = replay_micro_batch(workload, log, n, progress)?;
    let micro_batch_replay_seconds = t0.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let mut op = workload.stream(&StreamConfig::EXACT);
    let in_memory =
        workloads::drive::drive_stream_until::<W>(op.as_mut(), &data.events, progress.stop())?;
    let in_memory_seconds = t0.elapsed().as_secs_f64();
    std::hint::black_box(in_memory.len());

    let recovery = match checkpoint_every {
        Some(every) => Some(crate::recovery::measure::measure(
            workload, log, n as u64, &truth, every, progress,
        )?),
        None => None,
    };

    Ok(BrokerReport {
        log: log.name(),
        plan: plan.label(),
        events: n as u64,
        publish_seconds,
        replay_seconds,
        in_memory_seconds,
        replay_exact: materialize(&out) == truth,
        dead_letters: dead,
        micro_batch_replay_seconds: Some(micro_batch_replay_seconds),
        micro_batch_replay_exact: Some(materialize(&micro_out) == truth),
        live: None,
        recovery,
    })
}

/// Reads the first `n` records of `log` in pages, handing each page to
/// `f`; a log that ends short of `n` is an error naming the offset.
fn each_page(
    log: &mut dyn EventLog,
    n: usize,
    stage: &str,
    progress: &dyn Progress,
    mut f: impl FnMut(&mut dyn EventLog, &[crate::log::Record]) -> Result<()>,
) -> Result<()> {
    let (mut next, mut seen) = (1u64, 0usize);
    while seen < n {
        progress.update(stage, seen as u64, n as u64);
        progress.check()?;
        let page = log.read(next, PAGE.min(n - seen), None)?;
        let Some(last) = page.last() else {
            return Err(Error::Unsupported(format!(
                "log `{}` ended at offset {} of the {n} records expected",
                log.name(),
                next - 1
            )));
        };
        next = last.offset + 1;
        seen += page.len();
        f(log, &page)?;
    }
    Ok(())
}

/// Reads `n` records from offset 1 of `log` through a fresh stream
/// operator of `cfg`, and ends its input. A record that does not parse is
/// kept as a dead letter and counted, never fed or dropped silently.
pub fn replay<W: Workload>(
    workload: &W,
    cfg: &StreamConfig,
    log: &mut dyn EventLog,
    n: usize,
    progress: &dyn Progress,
) -> Result<(Vec<workloads::Emission<W::Row>>, u64)> {
    let mut op = workload.stream(cfg);
    let mut out = Vec::new();
    let mut dead = 0u64;
    each_page(
        log,
        n,
        "broker: replaying the log",
        progress,
        |log, page| {
            for rec in page {
                match W::Event::decode(&rec.bytes) {
                    Ok(e) => op.on_event(&e, &mut out),
                    Err(why) => {
                        dead += 1;
                        log.dead_letter(rec, &why)?;
                    }
                }
            }
            Ok(())
        },
    )?;
    op.finish(&mut out);
    Ok((out, dead))
}

/// Feeds `data` live through the broker: a producer thread appends each
/// event at its arrival time (on the wall clock, from the first one) over
/// its own connection, while the exact stream operator tails the log over
/// `consumer`; latency = emission time − event time, as in the real-time
/// validation.
pub fn live<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
    producer: Box<dyn EventLog>,
    consumer: &mut dyn EventLog,
    events_per_second: f64,
    stop: &workloads::Stop,
) -> Result<BrokerLive> {
    let n = data.events.len();
    let start = data.arrival.first().copied().unwrap_or(0);
    let t0 = Instant::now();
    let producer = {
        let events = data.events.clone();
        let arrival = data.arrival.clone();
        let stop = stop.clone();
        std::thread::spawn(move || publish_on_time(producer, &events, &arrival, t0, &stop))
    };
    let mut hist =
        Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).map_err(|e| Error::Invariant {
            plan: "broker live run".into(),
            message: format!("latency histogram: {e}"),
        })?;
    let mut op = workload.stream(&StreamConfig::EXACT);
    let mut out = Vec::new();
    let (mut next, mut seen) = (1u64, 0usize);
    let deadline = Instant::now() + Duration::from_secs_f64(MAX_LIVE_SECONDS);
    while seen < n {
        stop.check()?;
        if Instant::now() > deadline {
            return Err(Error::Unsupported(format!(
                "the broker live run saw {seen} of {n} events within {MAX_LIVE_SECONDS} s"
            )));
        }
        let page = consumer.read(next, PAGE, Some(Duration::from_millis(20)))?;
        if let Some(last) = page.last() {
            next = last.offset + 1;
        }
        seen += page.len();
        for rec in &page {
            let e = W::Event::decode(&rec.bytes)
                .map_err(|why| Error::Unsupported(format!("offset {}: {why}", rec.offset)))?;
            let before = out.len();
            op.on_event(&e, &mut out);
            let now_us = t0.elapsed().as_secs_f64() * 1e6;
            for em in &out[before..] {
                let event_us = (em.depends_on - start) as f64 * 1000.0;
                hist.saturating_record((now_us - event_us).max(1.0) as u64);
            }
        }
    }
    op.finish(&mut out);
    producer.join().map_err(|_| Error::Invariant {
        plan: "broker live run".into(),
        message: "the producer thread panicked".into(),
    })??;
    let mut again = workload.stream(&StreamConfig::EXACT);
    let expected = workloads::drive::drive_stream::<W>(again.as_mut(), &data.events);
    let q = |p: f64| {
        if hist.is_empty() {
            0.0
        } else {
            hist.value_at_quantile(p) as f64 / 1000.0
        }
    };
    Ok(BrokerLive {
        events: n as u64,
        events_per_second,
        p50_ms: q(0.5),
        p99_ms: q(0.99),
        same_output: materialize(&out) == materialize(&expected),
    })
}

/// Longest a live run through the broker may take (a bound on a broker
/// that stops answering).
const MAX_LIVE_SECONDS: f64 = 120.0;

/// Appends each event when its arrival time comes, all events due in the
/// same millisecond in one append.
fn publish_on_time<E: Wire>(
    mut log: Box<dyn EventLog>,
    events: &[E],
    arrival: &[workloads::time::Millis],
    t0: Instant,
    stop: &workloads::Stop,
) -> Result<()> {
    let start = arrival.first().copied().unwrap_or(0);
    let mut i = 0;
    while i < events.len() {
        stop.check()?;
        let due = arrival[i];
        let at = Duration::from_millis((due - start).max(0) as u64);
        if let Some(wait) = at.checked_sub(t0.elapsed()) {
            std::thread::sleep(wait);
        }
        let mut batch = Vec::new();
        while i < events.len() && arrival[i] <= due {
            let mut m = Vec::with_capacity(E::LEN);
            events[i].encode(&mut m);
            batch.push(m);
            i += 1;
        }
        log.append(&batch)?;
    }
    Ok(())
}

/// Reads `n` records from offset 1 and runs them through a fresh
/// micro-batch job in hour-sized triggers of event time (a catch-up
/// replay); records that do not parse are skipped here (the stream replay
/// counts them as dead letters).
fn replay_micro_batch<W: Workload>(
    workload: &W,
    log: &mut dyn EventLog,
    n: usize,
    progress: &dyn Progress,
) -> Result<Vec<workloads::Emission<W::Row>>> {
    let mut events = Vec::with_capacity(n);
    each_page(log, n, "broker: micro-batch replay", progress, |_, page| {
        events.extend(page.iter().filter_map(|r| W::Event::decode(&r.bytes).ok()));
        Ok(())
    })?;
    events.sort_by_key(|e| e.event_time());
    let mut job = workload.micro_batch(&workloads::JobConfig::default())?;
    let mut out = Vec::new();
    for chunk in events.chunk_by(|a, b| {
        a.event_time().div_euclid(workloads::time::HOUR)
            == b.event_time().div_euclid(workloads::time::HOUR)
    }) {
        progress.check()?;
        job.run(chunk, None, &mut out)?;
    }
    Ok(out)
}

/// Ground truth as a changelog of upserts (what `materialize` compares).
fn workload_truth<W: Workload>(
    workload: &W,
    data: &Dataset<W::Event>,
) -> Vec<workloads::Emission<W::Row>> {
    workload
        .reference(&data.events)
        .into_iter()
        .map(|row| workloads::Emission::upsert(row, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::redis_server::RedisServer;
    use crate::log::{MemoryLog, RedisLog};
    use crate::progress::NoProgress;
    use workloads::generate::GenConfig;
    use workloads::time::MINUTE;
    use workloads::{DailyReport, FraudAlerts, Sessionization};

    fn small<W: Workload>(w: &W) -> Dataset<W::Event> {
        w.generate(&GenConfig {
            duration_ms: 20 * MINUTE,
            keys: 200,
            late_fraction: 0.05,
            max_lateness_ms: 5 * MINUTE,
            ..GenConfig::default()
        })
        .unwrap()
    }

    fn exact_through<W: Workload>(w: &W, log: &mut dyn EventLog) {
        let data = small(w);
        let r = measure(w, &data, log, None, &NoProgress).unwrap();
        assert!(
            r.replay_exact,
            "{}: the replay differs from ground truth",
            w.name()
        );
        assert_eq!(r.events, data.events.len() as u64);
        assert_eq!(r.dead_letters, 0);
        assert!(r.replay_seconds > 0.0 && r.publish_seconds > 0.0);
    }

    #[test]
    fn a_replay_through_memory_is_exact() {
        exact_through(&FraudAlerts, &mut MemoryLog::default());
        exact_through(&DailyReport, &mut MemoryLog::default());
        exact_through(&Sessionization, &mut MemoryLog::default());
    }

    #[test]
    fn a_replay_through_redis_is_exact_for_every_workload() {
        let server = RedisServer::start_for_test();
        for (key, run) in [
            (
                "weir:fraud",
                (|l: &mut dyn EventLog| exact_through(&FraudAlerts, l)) as fn(&mut dyn EventLog),
            ),
            ("weir:daily", |l| exact_through(&DailyReport, l)),
            ("weir:sessions", |l| exact_through(&Sessionization, l)),
        ] {
            let mut log = RedisLog::open(&server.url(), key).unwrap();
            run(&mut log);
        }
    }

    #[test]
    fn a_live_run_through_redis_sees_every_event_and_the_same_output() {
        let server = RedisServer::start_for_test();
        let data = Sessionization
            .generate(&GenConfig {
                duration_ms: 2_000,
                rate: workloads::generate::RateProfile::Constant {
                    events_per_second: 2_000.0,
                },
                keys: 100,
                late_fraction: 0.0,
                jitter_ms: 100,
                max_lateness_ms: 100,
                ..GenConfig::default()
            })
            .unwrap();
        let producer = Box::new(RedisLog::open(&server.url(), "weir:live").unwrap());
        let mut consumer = RedisLog::open(&server.url(), "weir:live").unwrap();
        let live = live(
            &Sessionization,
            &data,
            producer,
            &mut consumer,
            2_000.0,
            &workloads::Stop::never(),
        )
        .unwrap();
        assert_eq!(live.events, data.events.len() as u64);
        assert!(live.same_output);
        assert!(live.p50_ms > 0.0 && live.p99_ms >= live.p50_ms, "{live:?}");
    }

    #[test]
    fn a_foreign_message_is_a_dead_letter_not_a_panic() {
        let data = small(&Sessionization);
        let mut log = MemoryLog::default();
        // A fraud event in the sessionization log.
        let mut foreign = Vec::new();
        workloads::event::Transaction {
            txn_id: 1,
            card_id: 1,
            merchant_id: 1,
            amount_cents: 1,
            country: *b"US",
            event_time: 0,
        }
        .encode(&mut foreign);
        // Publish the real events after the foreign one: the replay must
        // still cover every event, count the foreign one and stay exact.
        let mut tail = Vec::new();
        for e in &data.events {
            let mut m = Vec::new();
            e.encode(&mut m);
            tail.push(m);
        }
        log.append(&[foreign]).unwrap();
        log.append(&tail).unwrap();
        let (out, dead) = replay(
            &Sessionization,
            &StreamConfig::EXACT,
            &mut log,
            data.events.len() + 1,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(dead, 1);
        assert_eq!(log.dead_letters().unwrap(), 1);
        assert_eq!(
            materialize(&out),
            materialize(&workload_truth(&Sessionization, &data))
        );
        // And `measure` refuses a log that is not empty.
        assert!(measure(&Sessionization, &data, &mut log, None, &NoProgress).is_err());
    }
}

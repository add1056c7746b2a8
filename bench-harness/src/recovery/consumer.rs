//! The recovering consumer: reads a workload's events from a log, runs one
//! mode over them, journals its output, checkpoints, and resumes after a
//! crash from the newest intact checkpoint (see [`super`] for why the
//! output is exactly once). `bench-harness consume` runs it as a process
//! the crash tests SIGKILL; the broker measurement runs it in process to
//! time recovery.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use workloads::event::Timed;
use workloads::mode::{IncrementalJob, JobConfig, Mode, StreamConfig, StreamOperator};
use workloads::output::{Change, Emission, Materialized};
use workloads::time::HOUR;
use workloads::wire::Wire;
use workloads::{Stop, Workload};

use super::checkpoint_store::{CheckpointStore, Header, Identity};
use super::journal::{self, Journal};
use crate::error::{Error, Result};
use crate::log::{EventLog, Record};

/// The journal's file name in the consumer's directory.
pub const JOURNAL_FILE: &str = "output.journal";

/// Longest the consumer waits for the log to reach `until` with no new
/// record (a producer or broker that went away).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How a consumer runs.
#[derive(Debug, Clone)]
pub struct ConsumeConfig {
    pub mode: Mode,
    /// Offset of the input's last record: the consumer ends its input there.
    pub until: u64,
    /// Checkpoint once at least this many records were read since the
    /// previous checkpoint (0: only the final one).
    pub checkpoint_every: u64,
    /// Records per read, and per trigger in micro-batch mode.
    pub page: usize,
    /// Test hook: SIGKILL this process halfway through writing checkpoint N.
    pub kill_during_checkpoint: Option<u64>,
    /// Stop (as a crash would: no final checkpoint) once this offset is
    /// processed; the in-process recovery measurement's "crash".
    pub crash_after: Option<u64>,
}

impl ConsumeConfig {
    /// `mode` over records `1..=until`, checkpointing every
    /// `checkpoint_every` records.
    pub fn new(mode: Mode, until: u64, checkpoint_every: u64) -> Self {
        ConsumeConfig {
            mode,
            until,
            checkpoint_every,
            page: 4096,
            kill_during_checkpoint: None,
            crash_after: None,
        }
    }
}

/// What one consumer process did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConsumeOutcome {
    /// Offset of the checkpoint it resumed from (`None`: from the start).
    pub resumed_from: Option<u64>,
    /// Corrupt checkpoints skipped on the way, with why.
    pub skipped_checkpoints: Vec<String>,
    /// Seconds to read and restore the checkpoint and reopen the journal.
    pub restore_seconds: f64,
    /// Records read by this process.
    pub records: u64,
    /// Records that did not parse (dead letters).
    pub dead_letters: u64,
    /// Checkpoints written by this process, final one included.
    pub checkpoints: u64,
    /// Size of the last checkpoint written, bytes.
    pub checkpoint_bytes: u64,
    /// Size of the largest checkpoint written, bytes (the final one of a
    /// finished run holds no state).
    pub largest_checkpoint_bytes: u64,
    /// Seconds spent writing checkpoints (snapshot, journal sync, file).
    pub checkpoint_seconds: f64,
    /// Wall seconds of the whole process's work.
    pub seconds: f64,
    /// The input ended and the final output is committed.
    pub finished: bool,
    /// Committed journal length at the end.
    pub journal_len: u64,
}

/// The plan a consumer runs: stream mode is the exact stream plan, the
/// jobs run with no horizon (every result exact).
fn identity<W: Workload>(w: &W, mode: Mode) -> Identity {
    Identity {
        workload: w.name().to_string(),
        mode: mode.name().to_string(),
        plan: match mode {
            Mode::Stream => format!("{} exact", StreamConfig::EXACT.policy),
            Mode::MicroBatch | Mode::Batch => "no horizon".to_string(),
        },
    }
}

/// The mode's running state.
enum Engine<W: Workload> {
    Stream(Box<dyn StreamOperator<W>>),
    Job(Box<dyn IncrementalJob<W>>),
}

impl<W: Workload> Engine<W> {
    fn new(w: &W, mode: Mode) -> Result<Self> {
        Ok(match mode {
            Mode::Stream => Engine::Stream(w.stream(&StreamConfig::EXACT)),
            Mode::MicroBatch => Engine::Job(w.micro_batch(&JobConfig::default())?),
            Mode::Batch => Engine::Job(w.batch(&JobConfig::default())?),
        })
    }

    fn snapshot(&self) -> Result<Vec<u8>> {
        Ok(match self {
            Engine::Stream(op) => op.snapshot()?,
            Engine::Job(job) => job.snapshot()?,
        })
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Engine::Stream(op) => op.restore(bytes)?,
            Engine::Job(job) => job.restore(bytes)?,
        }
        Ok(())
    }

    /// Folds one page of events in (a trigger, for a job).
    fn feed(&mut self, events: &[W::Event], out: &mut Vec<Emission<W::Row>>) -> Result<()> {
        match self {
            Engine::Stream(op) => events.iter().for_each(|e| op.on_event(e, out)),
            Engine::Job(job) => {
                if !events.is_empty() {
                    job.run(events, None, out)?;
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<Emission<W::Row>>) {
        if let Engine::Stream(op) = self {
            op.finish(out);
        }
    }
}

/// Runs `cfg.mode` of `w` over `log` with its checkpoints and journal in
/// `dir`, resuming from the newest intact checkpoint there.
pub fn consume<W: Workload>(
    w: &W,
    log: &mut dyn EventLog,
    dir: &Path,
    cfg: &ConsumeConfig,
    stop: &Stop,
) -> Result<ConsumeOutcome> {
    let t0 = Instant::now();
    let id = identity(w, cfg.mode);
    let store = CheckpointStore::open(dir)?.kill_during(cfg.kill_during_checkpoint);
    let (latest, skipped) = store.latest(&id)?;
    let mut outcome = ConsumeOutcome {
        skipped_checkpoints: skipped
            .iter()
            .map(|s| format!("{}: {}", s.path.display(), s.why))
            .collect(),
        ..ConsumeOutcome::default()
    };
    if let Some(ck) = &latest
        && ck.header.finished
    {
        outcome.resumed_from = Some(ck.header.offset);
        outcome.finished = true;
        outcome.journal_len = ck.header.journal_len;
        return Ok(outcome);
    }
    let mut engine = Engine::new(w, cfg.mode)?;
    // Batch keeps no state: whatever it did before a crash is redone.
    let resume = latest.filter(|_| cfg.mode != Mode::Batch);
    let mut header = match &resume {
        Some(ck) => {
            engine.restore(&ck.payload).map_err(|e| Error::Recovery {
                path: ck.path.clone(),
                message: e.to_string(),
            })?;
            outcome.resumed_from = Some(ck.header.offset);
            ck.header.clone()
        }
        None => Header {
            identity: id,
            seq: 0,
            offset: 0,
            journal_len: 0,
            events: 0,
            finished: false,
        },
    };
    let journal_path = dir.join(JOURNAL_FILE);
    let mut journal = Journal::<W::Row>::open(&journal_path, header.journal_len)?;
    outcome.restore_seconds = t0.elapsed().as_secs_f64();

    let mut since = 0u64;
    let mut out = Vec::new();
    let mut batch_input = Vec::new();
    let mut idle_since = Instant::now();
    while header.offset < cfg.until {
        stop.check()?;
        let want = cfg.page.min((cfg.until - header.offset) as usize);
        let page = log.read(header.offset + 1, want, Some(Duration::from_millis(100)))?;
        if page.is_empty() {
            if idle_since.elapsed() > IDLE_TIMEOUT {
                return Err(Error::Unsupported(format!(
                    "log `{}` stopped at offset {} of the {} records expected \
                     (nothing new for {} s)",
                    log.name(),
                    header.offset,
                    cfg.until,
                    IDLE_TIMEOUT.as_secs()
                )));
            }
            continue;
        }
        idle_since = Instant::now();
        let events = decode_page::<W>(log, &page, &mut outcome)?;
        header.events += events.len() as u64;
        header.offset = page.last().map_or(header.offset, |r| r.offset);
        outcome.records += page.len() as u64;
        since += page.len() as u64;
        if cfg.mode == Mode::Batch {
            batch_input.extend(events);
        } else {
            engine.feed(&events, &mut out)?;
            journal.append(out.iter().map(|e| &e.change))?;
            out.clear();
        }
        if cfg.crash_after.is_some_and(|c| header.offset >= c) {
            outcome.seconds = t0.elapsed().as_secs_f64();
            outcome.journal_len = journal.len();
            return Ok(outcome);
        }
        if cfg.mode != Mode::Batch && cfg.checkpoint_every > 0 && since >= cfg.checkpoint_every {
            checkpoint(&store, &mut header, &engine, &mut journal, &mut outcome)?;
            since = 0;
        }
    }
    if cfg.mode == Mode::Batch {
        run_batch(&mut engine, &mut batch_input, &mut journal, stop)?;
    }
    engine.finish(&mut out);
    journal.append(out.iter().map(|e| &e.change))?;
    header.finished = true;
    checkpoint(&store, &mut header, &engine, &mut journal, &mut outcome)?;
    outcome.finished = true;
    outcome.seconds = t0.elapsed().as_secs_f64();
    Ok(outcome)
}

/// Batch over the whole retained log: hour-sized runs of event time, as the
/// harness's reprocessing runs batch, each run's output journaled as it
/// comes (uncommitted until the final checkpoint: a crash mid-rerun leaves
/// output the next rerun truncates).
fn run_batch<W: Workload>(
    engine: &mut Engine<W>,
    events: &mut [W::Event],
    journal: &mut Journal<W::Row>,
    stop: &Stop,
) -> Result<()> {
    events.sort_by_key(|e| e.event_time());
    let mut out = Vec::new();
    for hour in
        events.chunk_by(|a, b| a.event_time().div_euclid(HOUR) == b.event_time().div_euclid(HOUR))
    {
        stop.check()?;
        engine.feed(hour, &mut out)?;
        journal.append(out.iter().map(|e| &e.change))?;
        out.clear();
    }
    Ok(())
}

/// The page's events; a record that does not parse is a dead letter.
fn decode_page<W: Workload>(
    log: &mut dyn EventLog,
    page: &[Record],
    outcome: &mut ConsumeOutcome,
) -> Result<Vec<W::Event>> {
    let mut events = Vec::with_capacity(page.len());
    for rec in page {
        match W::Event::decode(&rec.bytes) {
            Ok(e) => events.push(e),
            Err(why) => {
                outcome.dead_letters += 1;
                log.dead_letter(rec, &why)?;
            }
        }
    }
    Ok(events)
}

/// Commits the journal, then writes the state with the offset and the
/// committed journal length. A finished consumer's checkpoint holds no
/// state (nothing will be resumed from it).
fn checkpoint<W: Workload>(
    store: &CheckpointStore,
    header: &mut Header,
    engine: &Engine<W>,
    journal: &mut Journal<W::Row>,
    outcome: &mut ConsumeOutcome,
) -> Result<()> {
    let t = Instant::now();
    header.journal_len = journal.commit()?;
    header.seq += 1;
    let payload = if header.finished {
        Vec::new()
    } else {
        engine.snapshot()?
    };
    outcome.checkpoint_bytes = store.write(header, &payload)?;
    outcome.largest_checkpoint_bytes = outcome
        .largest_checkpoint_bytes
        .max(outcome.checkpoint_bytes);
    outcome.checkpoints += 1;
    outcome.journal_len = header.journal_len;
    outcome.checkpoint_seconds += t.elapsed().as_secs_f64();
    Ok(())
}

/// The committed output of a finished consumer in `dir`, as changes in
/// the order they were emitted.
pub fn committed_output<W: Workload>(w: &W, dir: &Path, mode: Mode) -> Result<Vec<Change<W::Row>>> {
    let store = CheckpointStore::open(dir)?;
    let (latest, _) = store.latest(&identity(w, mode))?;
    let len = latest.map_or(0, |c| c.header.journal_len);
    journal::read(&journal_path(dir), len)
}

/// The committed output of a finished consumer in `dir`, materialized:
/// its final rows, sorted.
pub fn committed_rows<W: Workload>(w: &W, dir: &Path, mode: Mode) -> Result<Vec<W::Row>> {
    let mut m = Materialized::default();
    for change in &committed_output(w, dir, mode)? {
        m.apply(change);
    }
    Ok(m.rows())
}

/// Where the journal of the consumer in `dir` is.
pub fn journal_path(dir: &Path) -> PathBuf {
    dir.join(JOURNAL_FILE)
}

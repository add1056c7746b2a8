//! A replayable log of events — what Kafka, NATS JetStream or Redis Streams
//! are to a streaming team — behind one trait, so the measurements that
//! need one (kappa reprocessing by replay, the broker's share of latency)
//! run against a real broker on 127.0.0.1 and tests can use the in-memory
//! log.
//!
//! Offsets are 1-based sequence numbers assigned by the log in append
//! order; `read(from, …)` returns records with offset ≥ `from`, so a
//! consumer that remembers the last offset it processed resumes exactly
//! after it (what a checkpoint stores).
//!
//! A Kafka backend would implement the same trait with one partition per
//! log (offsets are Kafka's, shifted to start at 1), `append` as a producer
//! flush, and `read` as a consumer `seek` + `poll`.

pub mod memory;
pub mod redis_log;
pub mod redis_server;

use std::time::Duration;

pub use memory::MemoryLog;
pub use redis_log::RedisLog;

/// Largest message a log accepts (events are tens of bytes).
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// A log failure, naming the log and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("log `{log}`: {action}: {message}")]
pub struct LogError {
    pub log: String,
    pub action: &'static str,
    pub message: String,
}

/// Refuses an append with a message over [`MAX_MESSAGE_BYTES`] (before
/// anything of it lands).
pub(crate) fn check_sizes(log: &str, messages: &[Vec<u8>]) -> Result<(), LogError> {
    match messages.iter().find(|m| m.len() > MAX_MESSAGE_BYTES) {
        Some(m) => Err(LogError {
            log: log.to_string(),
            action: "append",
            message: format!(
                "a message of {} bytes is over the {MAX_MESSAGE_BYTES} bytes allowed",
                m.len()
            ),
        }),
        None => Ok(()),
    }
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// An append-only, replayable log.
pub trait EventLog: Send {
    /// The log's name in errors and reports (e.g. `redis://127.0.0.1:6390/weir:fraud`).
    fn name(&self) -> String;

    /// Appends messages in order; returns the offset of the last one.
    fn append(&mut self, messages: &[Vec<u8>]) -> Result<u64, LogError>;

    /// Up to `max` records with offset ≥ `from`, in order. With `wait`,
    /// blocks up to that long when there is none yet.
    fn read(
        &mut self,
        from: u64,
        max: usize,
        wait: Option<Duration>,
    ) -> Result<Vec<Record>, LogError>;

    /// Number of records held.
    fn len(&mut self) -> Result<u64, LogError>;

    /// Keeps a record a consumer could not parse, with why, apart from the
    /// log (nothing is dropped silently). Records arrive in offset order; a
    /// record at or below the newest one kept was kept by an earlier pass
    /// (a replay after a crash) and is not kept twice.
    fn dead_letter(&mut self, record: &Record, why: &str) -> Result<(), LogError>;

    /// Number of dead letters kept.
    fn dead_letters(&mut self) -> Result<u64, LogError>;

    /// True when the log holds no record.
    fn is_empty(&mut self) -> Result<bool, LogError> {
        Ok(self.len()? == 0)
    }
}

#[cfg(test)]
pub(crate) mod contract {
    //! The behaviour every backend must have, run against each.
    use super::*;

    pub(crate) fn holds(log: &mut dyn EventLog) {
        assert!(log.is_empty().unwrap());
        assert!(log.read(1, 10, None).unwrap().is_empty());
        let last = log
            .append(&[b"a".to_vec(), b"bb".to_vec(), b"ccc".to_vec()])
            .unwrap();
        assert_eq!(last, 3);
        assert_eq!(log.append(&[b"d".to_vec()]).unwrap(), 4);
        assert_eq!(log.len().unwrap(), 4);
        let all = log.read(1, 100, None).unwrap();
        let offsets: Vec<u64> = all.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [1, 2, 3, 4]);
        assert_eq!(all[2].bytes, b"ccc");
        // Resume after a remembered offset, in pages.
        let page = log.read(2, 2, None).unwrap();
        assert_eq!(page.iter().map(|r| r.offset).collect::<Vec<_>>(), [2, 3]);
        assert!(log.read(5, 10, None).unwrap().is_empty());
        // Waiting for more returns empty after the wait, not an error.
        let t = std::time::Instant::now();
        assert!(
            log.read(5, 10, Some(Duration::from_millis(50)))
                .unwrap()
                .is_empty()
        );
        assert!(t.elapsed() >= Duration::from_millis(40));
        // Oversized messages are refused, and nothing of that append lands.
        let err = log
            .append(&[b"e".to_vec(), vec![0; MAX_MESSAGE_BYTES + 1]])
            .unwrap_err();
        assert!(err.message.contains("bytes"), "{err}");
        assert_eq!(log.len().unwrap(), 4);
        // A dead letter replayed after a crash is kept once.
        let bad = Record {
            offset: 2,
            bytes: b"bb".to_vec(),
        };
        log.dead_letter(&bad, "not an event").unwrap();
        log.dead_letter(&bad, "not an event").unwrap();
        log.dead_letter(
            &Record {
                offset: 3,
                ..bad.clone()
            },
            "again",
        )
        .unwrap();
        assert_eq!(log.dead_letters().unwrap(), 2);
    }
}

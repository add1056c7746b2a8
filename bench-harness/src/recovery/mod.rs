//! Crash recovery with exactly-once output: a consumer that reads a
//! workload's events from a replayable log, checkpoints its state together
//! with the source offset and the length of its output journal, and after a
//! crash resumes from the newest intact checkpoint.
//!
//! Why the output is exactly once: every change a mode emits is appended to
//! the journal ([`journal`]); a checkpoint is written only after the journal
//! is synced, and records the journal's length next to the offset of the
//! last event folded into the state ([`checkpoint_store`]). Restoring
//! truncates the journal back to that length — dropping exactly the output
//! of the events that will be replayed — and replays the log after that
//! offset. This is "offsets committed with the output", Kafka's
//! transactional producer and Flink's two-phase-commit sink in one file.
//! A reader that wants only committed output reads the journal up to the
//! newest checkpoint's length.
//!
//! Batch keeps no state between runs: its answer to a crash is a rerun of
//! the job over the retained log, which [`consumer`] also does (and times).

pub mod checkpoint_store;
pub mod cli;
pub mod consumer;
pub mod journal;
pub mod measure;

pub use checkpoint_store::{CheckpointStore, Header, Identity};
pub use consumer::{ConsumeConfig, ConsumeOutcome, consume};
pub use journal::Journal;

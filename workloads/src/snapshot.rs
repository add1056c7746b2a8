//! Operator and job state as bytes: the payload of a checkpoint.
//!
//! Stream operators and micro-batch jobs snapshot their whole state with
//! [`save`] (postcard, a compact serde format) and a fresh instance of the
//! same configuration takes it back with [`load`]; the harness's checkpoint
//! store wraps the bytes with a version, the workload, the source offset
//! and a checksum, so these functions only have to be exact, not defensive
//! about files. Arrow state (landed batches) travels as Arrow IPC
//! ([`batches_to_ipc`]).

use serde::Serialize;
use serde::de::DeserializeOwned;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;

use crate::error::{Result, WorkloadError};

/// `state` as bytes; `what` names the operator in errors.
pub fn save<T: Serialize>(what: &str, state: &T) -> Result<Vec<u8>> {
    postcard::to_stdvec(state).map_err(|e| state_error(what, format!("cannot encode: {e}")))
}

/// State saved by [`save`] for the same type; an error (never a panic)
/// when the bytes are not such a state.
pub fn load<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T> {
    postcard::from_bytes(bytes).map_err(|e| state_error(what, format!("cannot decode: {e}")))
}

/// The error for a mode that has no snapshot (it recovers by rerunning).
pub fn unsupported(what: &str) -> WorkloadError {
    state_error(
        what,
        "this mode does not checkpoint its state; it recovers by rerunning".into(),
    )
}

/// Refuses a snapshot taken under another configuration: `field` of the
/// saved state must equal this run's.
pub fn same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    field: &str,
    saved: T,
    now: T,
) -> Result<()> {
    if saved == now {
        return Ok(());
    }
    Err(state_error(
        what,
        format!("the snapshot was taken with {field} {saved:?}, this run has {now:?}"),
    ))
}

fn state_error(what: &str, message: String) -> WorkloadError {
    WorkloadError::State {
        what: what.to_string(),
        message,
    }
}

/// Batches of one schema as one Arrow IPC stream.
pub fn batches_to_ipc(what: &str, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let err =
        |e: datafusion::arrow::error::ArrowError| state_error(what, format!("Arrow IPC: {e}"));
    let mut w = StreamWriter::try_new(Vec::new(), schema).map_err(err)?;
    for b in batches {
        w.write(b).map_err(err)?;
    }
    w.into_inner().map_err(err)
}

/// The batches of an Arrow IPC stream written by [`batches_to_ipc`],
/// refused unless their schema is `schema`.
pub fn batches_from_ipc(what: &str, schema: &SchemaRef, bytes: &[u8]) -> Result<Vec<RecordBatch>> {
    let err =
        |e: datafusion::arrow::error::ArrowError| state_error(what, format!("Arrow IPC: {e}"));
    let r = StreamReader::try_new(bytes, None).map_err(err)?;
    if r.schema().fields() != schema.fields() {
        return Err(state_error(
            what,
            format!(
                "Arrow IPC: schema {:?} is not the job's {:?}",
                r.schema(),
                schema
            ),
        ));
    }
    r.collect::<std::result::Result<Vec<_>, _>>().map_err(err)
}

#[cfg(test)]
mod tests {
    use crate::generate::GenConfig;
    use crate::mode::{EmitPolicy, JobConfig, StreamConfig};
    use crate::output::Emission;
    use crate::time::{HOUR, MINUTE};
    use crate::workload::Workload;
    use crate::{DailyReport, FraudAlerts, Sessionization};

    fn events<W: Workload>(w: &W) -> Vec<W::Event> {
        w.generate(&GenConfig {
            duration_ms: 3 * HOUR,
            rate: crate::generate::RateProfile::Constant {
                events_per_second: 8.0,
            },
            keys: 150,
            late_fraction: 0.05,
            max_lateness_ms: 20 * MINUTE,
            ..GenConfig::default()
        })
        .unwrap()
        .events
    }

    /// Stopping at `cut`, snapshotting, restoring into a fresh operator and
    /// going on gives exactly the changelog of an uninterrupted run.
    fn stream_resumes<W: Workload>(w: &W) {
        let ev = events(w);
        let cfg = StreamConfig::EXACT;
        let mut whole = Vec::new();
        let mut op = w.stream(&cfg);
        ev.iter().for_each(|e| op.on_event(e, &mut whole));
        op.finish(&mut whole);
        for cut in [0, ev.len() / 3, ev.len() - 1] {
            let mut out: Vec<Emission<W::Row>> = Vec::new();
            let mut first = w.stream(&cfg);
            ev[..cut].iter().for_each(|e| first.on_event(e, &mut out));
            let bytes = first.snapshot().unwrap();
            let mut second = w.stream(&cfg);
            second.restore(&bytes).unwrap();
            ev[cut..].iter().for_each(|e| second.on_event(e, &mut out));
            second.finish(&mut out);
            assert_eq!(out, whole, "{} stream resumed at {cut}", w.name());
            assert_eq!(second.late_stats(), op.late_stats());
        }
        // Another configuration's snapshot and garbage are refused.
        let bytes = op.snapshot().unwrap();
        let mut other = w.stream(&StreamConfig {
            policy: EmitPolicy::Final,
            ..cfg
        });
        let err = other.restore(&bytes).unwrap_err().to_string();
        assert!(err.contains("snapshot was taken with"), "{err}");
        assert!(w.stream(&cfg).restore(&bytes[..bytes.len() / 2]).is_err());
        assert!(w.stream(&cfg).restore(b"\xff\xff\xff\xff\xff").is_err());
    }

    fn micro_batch_resumes<W: Workload>(w: &W) {
        let ev = events(w);
        let cfg = JobConfig::default();
        let triggers: Vec<&[W::Event]> = ev.chunks(ev.len() / 7 + 1).collect();
        let mut whole = Vec::new();
        let mut job = w.micro_batch(&cfg).unwrap();
        for t in &triggers {
            job.run(t, None, &mut whole).unwrap();
        }
        for cut in [1, triggers.len() - 1] {
            let mut out = Vec::new();
            let mut first = w.micro_batch(&cfg).unwrap();
            for t in &triggers[..cut] {
                first.run(t, None, &mut out).unwrap();
            }
            let bytes = first.snapshot().unwrap();
            let mut second = w.micro_batch(&cfg).unwrap();
            second.restore(&bytes).unwrap();
            for t in &triggers[cut..] {
                second.run(t, None, &mut out).unwrap();
            }
            assert_eq!(
                out,
                whole,
                "{} micro-batch resumed at trigger {cut}",
                w.name()
            );
        }
        let bytes = job.snapshot().unwrap();
        assert!(
            w.micro_batch(&cfg)
                .unwrap()
                .restore(&bytes[..bytes.len() / 2])
                .is_err()
        );
        // Batch keeps no state to snapshot: its recovery is a rerun.
        assert!(w.batch(&cfg).unwrap().snapshot().is_err());
    }

    #[test]
    fn stream_operators_resume_from_a_snapshot_exactly() {
        stream_resumes(&FraudAlerts);
        stream_resumes(&DailyReport);
        stream_resumes(&Sessionization);
    }

    #[test]
    fn micro_batch_jobs_resume_from_a_snapshot_exactly() {
        micro_batch_resumes(&FraudAlerts);
        micro_batch_resumes(&DailyReport);
        micro_batch_resumes(&Sessionization);
    }
}

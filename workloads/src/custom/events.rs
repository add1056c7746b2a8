//! The landed events both DataFusion jobs of a custom workload keep: their
//! Arrow schema, the conversion of events to record batches, and a store of
//! batches by event-time bucket (one-minute buckets for micro-batch, the
//! hour-partitioned lake for batch) from which a run reads only the buckets
//! its affected windows span.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::error::{Result, WorkloadError};
use crate::time::Millis;

use super::compiled::{Compiled, CustomEvent};

/// Arrow schema of a custom workload's events: `event_time` then one
/// `Int64` column per definition column (scaled numbers, ordinals).
pub fn schema(q: &Compiled) -> SchemaRef {
    let mut fields = vec![Field::new("event_time", DataType::Int64, false)];
    fields.extend(
        q.def
            .columns
            .iter()
            .map(|c| Field::new(c.name(), DataType::Int64, false)),
    );
    Arc::new(Schema::new(fields))
}

/// Events → one Arrow record batch of [`schema`].
pub fn events_batch(q: &Compiled, schema: &SchemaRef, ev: &[CustomEvent]) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(
        ev.iter().map(|e| e.event_time),
    ))];
    for i in 0..q.def.columns.len() {
        cols.push(Arc::new(Int64Array::from_iter_values(
            ev.iter().map(|e| e.values[i]),
        )));
    }
    RecordBatch::try_new(schema.clone(), cols)
        .map_err(|e| WorkloadError::datafusion("custom events", e.into()))
}

/// Events as Arrow batches by event-time bucket.
#[derive(Debug)]
pub(super) struct EventStore {
    width: Millis,
    buckets: BTreeMap<i64, Vec<RecordBatch>>,
    bytes: usize,
}

impl EventStore {
    /// An empty store with buckets `width` ms wide.
    pub(super) fn new(width: Millis) -> Self {
        EventStore {
            width,
            buckets: BTreeMap::new(),
            bytes: 0,
        }
    }

    /// Stores events, one batch per bucket they fall in.
    pub(super) fn land(
        &mut self,
        q: &Compiled,
        schema: &SchemaRef,
        new: &[CustomEvent],
    ) -> Result<()> {
        let mut groups: BTreeMap<i64, Vec<CustomEvent>> = BTreeMap::new();
        for e in new {
            groups
                .entry(e.event_time.div_euclid(self.width))
                .or_default()
                .push(*e);
        }
        for (b, evs) in groups {
            let batch = events_batch(q, schema, &evs)?;
            self.bytes += batch.get_array_memory_size();
            self.buckets.entry(b).or_default().push(batch);
        }
        Ok(())
    }

    /// The batches of the buckets overlapping any of the event-time ranges
    /// `[lo, hi]`, each bucket once.
    pub(super) fn read(&self, ranges: &[(Millis, Millis)]) -> (Vec<RecordBatch>, usize) {
        let mut wanted: Vec<(i64, i64)> = ranges
            .iter()
            .map(|&(lo, hi)| (lo.div_euclid(self.width), hi.div_euclid(self.width)))
            .collect();
        wanted.sort_unstable();
        let (mut out, mut bytes, mut next) = (Vec::new(), 0, i64::MIN);
        for (lo, hi) in wanted {
            let lo = lo.max(next);
            if lo > hi {
                continue;
            }
            for (_, batches) in self.buckets.range(lo..=hi) {
                for b in batches {
                    bytes += b.get_array_memory_size();
                    out.push(b.clone());
                }
            }
            next = next.max(hi.saturating_add(1));
        }
        (out, bytes)
    }

    /// Drops the buckets whose events are all before `keep_from`.
    pub(super) fn evict_before(&mut self, keep_from: Millis) {
        let kept = self.buckets.split_off(&keep_from.div_euclid(self.width));
        let dropped = std::mem::replace(&mut self.buckets, kept);
        self.bytes -= dropped
            .values()
            .flatten()
            .map(RecordBatch::get_array_memory_size)
            .sum::<usize>();
    }

    /// Bytes of the stored batches.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }
}

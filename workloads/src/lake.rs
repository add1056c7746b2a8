//! The landed data of a DataFusion job: Arrow batches partitioned by
//! event-time bucket (an hour for a batch job's lake, a minute for a
//! micro-batch job's carried events), so a run re-reads only the buckets
//! its new events can affect — partition pruning, as a lake on storage
//! would do by directory.

use std::collections::BTreeMap;

use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use crate::error::{Result, WorkloadError};
use crate::snapshot;
use crate::time::Millis;

/// How many batches a bucket may collect (late events, short runs) before
/// they are concatenated into one.
const MAX_BATCHES_PER_BUCKET: usize = 8;

/// Batches by event-time bucket.
#[derive(Debug)]
pub struct Lake {
    /// Names the lake in errors (the job it belongs to).
    job: &'static str,
    schema: SchemaRef,
    width: Millis,
    buckets: BTreeMap<i64, Vec<RecordBatch>>,
    bytes: usize,
}

impl Lake {
    /// An empty lake of `schema` batches in buckets `width` ms wide.
    pub fn new(job: &'static str, schema: SchemaRef, width: Millis) -> Self {
        assert!(width > 0, "a lake's bucket width must be positive");
        Lake {
            job,
            schema,
            width,
            buckets: BTreeMap::new(),
            bytes: 0,
        }
    }

    fn bucket(&self, t: Millis) -> i64 {
        t.div_euclid(self.width)
    }

    /// Lands `events` into their buckets (one batch per bucket, made by
    /// `to_batch`), compacting buckets that collected many small batches.
    /// Rows keep their landing order within a bucket.
    pub fn land<E: Copy>(
        &mut self,
        events: &[E],
        time: impl Fn(&E) -> Millis,
        to_batch: impl Fn(&[E]) -> Result<RecordBatch>,
    ) -> Result<()> {
        let mut groups: BTreeMap<i64, Vec<E>> = BTreeMap::new();
        for e in events {
            groups.entry(self.bucket(time(e))).or_default().push(*e);
        }
        for (b, group) in groups {
            let batch = to_batch(&group)?;
            self.bytes += batch.get_array_memory_size();
            let batches = self.buckets.entry(b).or_default();
            batches.push(batch);
            if batches.len() > MAX_BATCHES_PER_BUCKET {
                let merged = concat_batches(&self.schema, batches.iter()).map_err(|e| {
                    WorkloadError::datafusion(
                        &format!("{}: compacting the lake", self.job),
                        e.into(),
                    )
                })?;
                let old: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
                self.bytes = self.bytes - old + merged.get_array_memory_size();
                *batches = vec![merged];
            }
        }
        Ok(())
    }

    /// The batches of the buckets overlapping any of the event-time ranges
    /// `[lo, hi]` (inclusive), each bucket once, in bucket order; and their
    /// size in bytes.
    pub fn read(&self, ranges: &[(Millis, Millis)]) -> (Vec<RecordBatch>, usize) {
        let mut wanted: Vec<(i64, i64)> = ranges
            .iter()
            .map(|&(lo, hi)| (self.bucket(lo), self.bucket(hi)))
            .collect();
        wanted.sort_unstable();
        let (mut out, mut bytes, mut next) = (Vec::new(), 0, i64::MIN);
        for (lo, hi) in wanted {
            let lo = lo.max(next);
            if lo > hi {
                continue;
            }
            for b in self.buckets.range(lo..=hi).flat_map(|(_, v)| v) {
                bytes += b.get_array_memory_size();
                out.push(b.clone());
            }
            next = next.max(hi.saturating_add(1));
        }
        (out, bytes)
    }

    /// Drops the buckets whose events are all before `keep_from`.
    pub fn evict_before(&mut self, keep_from: Millis) {
        let kept = self.buckets.split_off(&self.bucket(keep_from));
        let dropped = std::mem::replace(&mut self.buckets, kept);
        self.bytes -= dropped
            .values()
            .flatten()
            .map(RecordBatch::get_array_memory_size)
            .sum::<usize>();
    }

    /// Bytes of the stored batches.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The landed batches as bytes (each bucket as Arrow IPC): a
    /// micro-batch job's carried events in its checkpoint.
    pub fn snapshot(&self) -> Result<Vec<u8>> {
        let buckets = self
            .buckets
            .iter()
            .map(|(&k, batches)| {
                Ok((
                    k,
                    snapshot::batches_to_ipc(self.job, &self.schema, batches)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        snapshot::save(
            self.job,
            &SavedLake {
                width: self.width,
                buckets,
            },
        )
    }

    /// Replaces the landed batches with a [`Lake::snapshot`] of a lake of
    /// the same schema and bucket width.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<()> {
        let saved: SavedLake = snapshot::load(self.job, bytes)?;
        snapshot::same(self.job, "bucket width (ms)", saved.width, self.width)?;
        let mut buckets = BTreeMap::new();
        for (k, ipc) in saved.buckets {
            buckets.insert(k, snapshot::batches_from_ipc(self.job, &self.schema, &ipc)?);
        }
        self.bytes = buckets
            .values()
            .flatten()
            .map(RecordBatch::get_array_memory_size)
            .sum();
        self.buckets = buckets;
        Ok(())
    }
}

/// A lake in a checkpoint: its width and each bucket's Arrow IPC stream.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedLake {
    width: Millis,
    buckets: Vec<(i64, Vec<u8>)>,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{AsArray, Int64Array};
    use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};

    use super::*;

    fn lake() -> Lake {
        let schema = Arc::new(Schema::new(vec![Field::new("t", DataType::Int64, false)]));
        Lake::new("test", schema, 10)
    }

    fn land(l: &mut Lake, times: &[i64]) {
        let schema = l.schema.clone();
        l.land(
            times,
            |t| *t,
            |g| {
                Ok(RecordBatch::try_new(
                    schema.clone(),
                    vec![Arc::new(Int64Array::from(g.to_vec()))],
                )
                .unwrap())
            },
        )
        .unwrap();
    }

    fn times(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
            .collect()
    }

    #[test]
    fn reads_only_the_buckets_asked_for_each_once() {
        let mut l = lake();
        land(&mut l, &[1, 12, 25, 38, -3]);
        let (got, bytes) = l.read(&[(10, 21), (15, 29)]);
        assert_eq!(times(&got), [12, 25]);
        assert!(bytes > 0);
        assert_eq!(times(&l.read(&[(-5, -1)]).0), [-3]);
    }

    #[test]
    fn compacts_many_small_landings_in_order_and_evicts() {
        let mut l = lake();
        for t in 0..20 {
            land(&mut l, &[t % 10]);
        }
        let all: Vec<i64> = (0..20).map(|t| t % 10).collect();
        let (got, _) = l.read(&[(0, 9)]);
        assert!(got.len() <= MAX_BATCHES_PER_BUCKET, "{} batches", got.len());
        assert_eq!(times(&got), all);
        land(&mut l, &[15]);
        let before = l.bytes();
        l.evict_before(10);
        assert!(l.bytes() < before);
        assert_eq!(times(&l.read(&[(0, 100)]).0), [15]);
    }
}

//! A custom workload's events as Arrow: their schema and record batches,
//! which both DataFusion jobs land in a [`crate::lake::Lake`] (one-minute
//! buckets for micro-batch, the hour-partitioned lake for batch).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::error::{Result, WorkloadError};

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

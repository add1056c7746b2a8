//! `session_id(ts, gap) OVER (PARTITION BY user ORDER BY ts)`: a DataFusion
//! window function that numbers a user's sessions in one pass over the
//! user's time-sorted clicks — a new session starts at the first click and
//! at every click more than `gap` after the previous one (equal times share
//! a session).
//!
//! Standard SQL says the same with `LAG` and a running `SUM` over a `RANGE`
//! frame, but DataFusion evaluates those frames row by row through
//! `ScalarValue`s, which made the sessionizing query several times slower
//! than the rest of the job.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl,
};

/// The function, ready to register on a session.
pub fn all() -> Vec<WindowUDF> {
    vec![WindowUDF::new_from_impl(SessionId {
        signature: Signature::exact(
            vec![DataType::Int64, DataType::Int64],
            Volatility::Immutable,
        ),
    })]
}

/// `session_id(ts BIGINT, gap BIGINT) -> BIGINT`, numbered from 1 per partition.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SessionId {
    signature: Signature,
}

impl WindowUDFImpl for SessionId {
    fn name(&self) -> &str {
        "session_id"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(Numbering))
    }

    fn field(&self, args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(args.name(), DataType::Int64, false)))
    }
}

#[derive(Debug)]
struct Numbering;

impl PartitionEvaluator for Numbering {
    fn evaluate_all(&mut self, values: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
        let bad = |m: &str| DataFusionError::Internal(format!("session_id: {m}"));
        let [ts, gap] = values else {
            return Err(bad("takes (ts, gap)"));
        };
        let ts = ts
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad("ts is not BIGINT"))?;
        let gap = gap
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad("gap is not BIGINT"))?;
        if ts.null_count() > 0 {
            return Err(bad("ts has nulls"));
        }
        if gap.is_empty() || gap.is_null(0) || gap.value(0) < 0 {
            return Err(bad("gap must be a non-negative constant"));
        }
        let (ts, gap) = (ts.values().as_ref(), gap.value(0));
        let mut sid = 0i64;
        let mut prev: Option<i64> = None;
        let mut out = Vec::with_capacity(ts.len());
        for &t in ts {
            match prev {
                Some(p) if t < p => return Err(bad("rows are not sorted by ts (use ORDER BY ts)")),
                Some(p) if t.saturating_sub(p) <= gap => {}
                _ => sid += 1,
            }
            prev = Some(t);
            out.push(sid);
        }
        Ok(Arc::new(Int64Array::from(out)))
    }
}

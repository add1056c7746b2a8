//! `session_id(user, ts, gap) OVER (ORDER BY user, ts)`: a DataFusion window
//! function that numbers sessions in one pass over the user-and-time-sorted
//! clicks — a new session starts at a user's first click and at every click
//! more than `gap` after the user's previous one (equal times share a
//! session). Numbers are unique across users.
//!
//! Standard SQL says the same with `LAG` and a running `SUM` over a `RANGE`
//! frame partitioned by user, but DataFusion evaluates those frames row by
//! row through `ScalarValue`s and pays a fixed cost per partition, which
//! made the sessionizing query several times slower than the rest of the
//! job.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type, UInt64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl,
};

/// The function, ready to register on a session.
pub fn all() -> Vec<WindowUDF> {
    vec![WindowUDF::new_from_impl(SessionId {
        signature: Signature::exact(
            vec![DataType::UInt64, DataType::Int64, DataType::Int64],
            Volatility::Immutable,
        ),
    })]
}

/// `session_id(user BIGINT UNSIGNED, ts BIGINT, gap BIGINT) -> BIGINT`.
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
        let [user, ts, gap] = values else {
            return Err(bad("takes (user, ts, gap)"));
        };
        let user = user
            .as_primitive_opt::<UInt64Type>()
            .ok_or_else(|| bad("user is not BIGINT UNSIGNED"))?;
        let ts = ts
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad("ts is not BIGINT"))?;
        let gap = gap
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad("gap is not BIGINT"))?;
        if user.null_count() > 0 || ts.null_count() > 0 {
            return Err(bad("user or ts has nulls"));
        }
        if gap.is_empty() || gap.is_null(0) || gap.value(0) < 0 {
            return Err(bad("gap must be a non-negative constant"));
        }
        let (user, ts, gap) = (user.values().as_ref(), ts.values().as_ref(), gap.value(0));
        let mut sid = 0i64;
        let mut prev: Option<(u64, i64)> = None;
        let mut out = Vec::with_capacity(ts.len());
        for (&u, &t) in user.iter().zip(ts) {
            match prev {
                Some(p) if (u, t) < p => {
                    return Err(bad("rows are not sorted (use OVER (ORDER BY user, ts))"));
                }
                Some((pu, pt)) if pu == u && t.saturating_sub(pt) <= gap => {}
                _ => sid += 1,
            }
            prev = Some((u, t));
            out.push(sid);
        }
        Ok(Arc::new(Int64Array::from(out)))
    }
}

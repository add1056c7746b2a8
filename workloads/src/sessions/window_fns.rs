//! `session_id(user, ts, gap) OVER (ORDER BY user, ts)`: a DataFusion window
//! function that numbers sessions in one pass over the user-and-time-sorted
//! clicks — a new session starts at a user's first click and at every click
//! more than `gap` after the user's previous one (equal times share a
//! session). Numbers are unique across users.
//!
//! `session_id(user, start, end, gap) OVER (ORDER BY user, start)` does the
//! same over time spans: a span joins the current session when it starts at
//! most `gap` after the latest end seen so far for the user. The micro-batch
//! job feeds it its carried sessions as spans beside the new clicks as
//! points (`start = end`); since a session's clicks are never more than the
//! gap apart, every instant of its span is within the gap of one of them,
//! so merging spans gives exactly the sessions of the underlying clicks.
//!
//! Standard SQL says the same with `LAG` and a running `SUM` over a `RANGE`
//! frame partitioned by user, but DataFusion evaluates those frames row by
//! row through `ScalarValue`s and pays a fixed cost per partition, which
//! made the sessionizing query several times slower than the rest of the
//! job.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type, UInt64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, TypeSignature, Volatility, WindowUDF,
};

use crate::df::window_fn::whole_partition_fn;

/// The function, ready to register on a session:
/// `session_id(user BIGINT UNSIGNED, ts BIGINT, gap BIGINT) -> BIGINT` and
/// `session_id(user, start BIGINT, end BIGINT, gap) -> BIGINT`.
pub fn all() -> Vec<WindowUDF> {
    vec![whole_partition_fn::<Numbering>(
        "session_id",
        Signature::one_of(
            vec![
                TypeSignature::Exact(vec![DataType::UInt64, DataType::Int64, DataType::Int64]),
                TypeSignature::Exact(vec![
                    DataType::UInt64,
                    DataType::Int64,
                    DataType::Int64,
                    DataType::Int64,
                ]),
            ],
            Volatility::Immutable,
        ),
        DataType::Int64,
    )]
}

#[derive(Debug, Default)]
struct Numbering;

impl PartitionEvaluator for Numbering {
    fn evaluate_all(&mut self, values: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
        let bad = |m: &str| DataFusionError::Internal(format!("session_id: {m}"));
        let (user, start, end, gap) = match values {
            [user, ts, gap] => (user, ts, ts, gap),
            [user, start, end, gap] => (user, start, end, gap),
            _ => return Err(bad("takes (user, ts, gap) or (user, start, end, gap)")),
        };
        let user = user
            .as_primitive_opt::<UInt64Type>()
            .ok_or_else(|| bad("user is not BIGINT UNSIGNED"))?;
        let [start, end] = [start, end].map(|a| a.as_primitive_opt::<Int64Type>());
        let (Some(start), Some(end)) = (start, end) else {
            return Err(bad("times are not BIGINT"));
        };
        let gap = gap
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| bad("gap is not BIGINT"))?;
        if user.null_count() > 0 || start.null_count() > 0 || end.null_count() > 0 {
            return Err(bad("user or a time has nulls"));
        }
        if gap.is_empty() || gap.is_null(0) || gap.value(0) < 0 {
            return Err(bad("gap must be a non-negative constant"));
        }
        let gap = gap.value(0);
        let (user, start, end) = (
            user.values().as_ref(),
            start.values().as_ref(),
            end.values().as_ref(),
        );
        let mut sid = 0i64;
        // The previous row's (user, start) and the latest end of the session.
        let mut prev: Option<(u64, i64, i64)> = None;
        let mut out = Vec::with_capacity(start.len());
        for ((&u, &t0), &t1) in user.iter().zip(start).zip(end) {
            if t1 < t0 {
                return Err(bad("a span ends before it starts"));
            }
            match prev {
                Some((pu, pt, _)) if (u, t0) < (pu, pt) => {
                    return Err(bad("rows are not sorted (use OVER (ORDER BY user, start))"));
                }
                Some((pu, _, reach)) if pu == u && t0.saturating_sub(reach) <= gap => {
                    prev = Some((u, t0, reach.max(t1)));
                }
                _ => {
                    sid += 1;
                    prev = Some((u, t0, t1));
                }
            }
            out.push(sid);
        }
        Ok(Arc::new(Int64Array::from(out)))
    }
}

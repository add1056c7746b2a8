//! Two DataFusion window functions that evaluate the fraud rules' time
//! windows in one pass over a card's time-sorted rows:
//!
//! * `range_count(card, ts, flag, width)` — how many rows `u` of the same
//!   card with `flag` have `ts - width < u.ts <= ts` (equal-time peers
//!   included);
//! * `range_other(card, ts, country, flag, width)` — whether some row `u`
//!   with `flag` in that range has `u.country <> country`.
//!
//! Called as `f(card_id, event_time, ...) OVER (ORDER BY card_id,
//! event_time)`. Standard SQL says the same with `PARTITION BY card_id`,
//! `RANGE BETWEEN width - 1 PRECEDING AND CURRENT ROW` frames and `COUNT` /
//! `MIN` / `MAX`, but DataFusion evaluates RANGE frames row by row through
//! `ScalarValue`s (about 5 µs a row here: 2.6 s for 0.5 M transactions) and
//! pays a fixed cost per partition (most cards have a handful of rows). These
//! functions see the card-and-time-sorted columns once, as one partition,
//! and move two pointers (plus, for `range_other`, monotonic queues of the
//! range's smallest and largest country): O(n).

use std::collections::VecDeque;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type, UInt32Type, UInt64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{PartitionEvaluator, Signature, Volatility, WindowUDF};

use crate::df::window_fn::whole_partition_fn;

/// Both functions, ready to register on a session.
pub fn all() -> Vec<WindowUDF> {
    vec![
        // range_count(card BIGINT UNSIGNED, ts BIGINT, flag BOOLEAN, width BIGINT) -> BIGINT
        whole_partition_fn::<CountEvaluator>(
            "range_count",
            Signature::exact(
                vec![
                    DataType::UInt64,
                    DataType::Int64,
                    DataType::Boolean,
                    DataType::Int64,
                ],
                Volatility::Immutable,
            ),
            DataType::Int64,
        ),
        // range_other(card BIGINT UNSIGNED, ts BIGINT, country INT UNSIGNED,
        // flag BOOLEAN, width BIGINT) -> BOOLEAN
        whole_partition_fn::<OtherEvaluator>(
            "range_other",
            Signature::exact(
                vec![
                    DataType::UInt64,
                    DataType::Int64,
                    DataType::UInt32,
                    DataType::Boolean,
                    DataType::Int64,
                ],
                Volatility::Immutable,
            ),
            DataType::Boolean,
        ),
    ]
}

fn internal(msg: String) -> DataFusionError {
    DataFusionError::Internal(msg)
}

/// The (card, time) columns, checked non-null and sorted by card, then time.
fn keyed_times<'a>(card: &'a ArrayRef, ts: &'a ArrayRef) -> Result<(&'a [u64], &'a [i64])> {
    let card = card
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| internal("range window: card is not BIGINT UNSIGNED".into()))?;
    let ts = ts
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| internal("range window: ts is not BIGINT".into()))?;
    if card.null_count() > 0 || ts.null_count() > 0 {
        return Err(internal("range window: card or ts has nulls".into()));
    }
    let (card, ts) = (card.values().as_ref(), ts.values().as_ref());
    if (1..ts.len()).any(|i| (card[i - 1], ts[i - 1]) > (card[i], ts[i])) {
        return Err(internal(
            "range window: rows are not sorted (use OVER (ORDER BY card, ts))".into(),
        ));
    }
    Ok((card, ts))
}

/// The width argument (a constant: its first value).
fn width(a: &ArrayRef) -> Result<i64> {
    let w = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| internal("range window: width is not BIGINT".into()))?;
    if w.is_empty() || w.is_null(0) || w.value(0) <= 0 {
        return Err(internal(
            "range window: width must be a positive constant".into(),
        ));
    }
    Ok(w.value(0))
}

/// The flag column (NULL counts as false).
fn flags(a: &ArrayRef) -> Result<&BooleanArray> {
    a.as_boolean_opt()
        .ok_or_else(|| internal("range window: flag is not BOOLEAN".into()))
}

/// For each row `i`, the index range `[lo, hi)` of the rows of the same
/// card with `ts[i] - width < ts <= ts[i]`. In (card, ts) order both edges
/// only move forward, so two pointers find them.
fn ranges<'a>(
    card: &'a [u64],
    ts: &'a [i64],
    width: i64,
) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
    let (mut lo, mut hi) = (0, 0);
    (0..ts.len()).map(move |i| {
        let here = (card[i], ts[i]);
        while hi < ts.len() && (card[hi], ts[hi]) <= here {
            hi += 1;
        }
        let edge = (card[i], ts[i].saturating_sub(width));
        while (card[lo], ts[lo]) <= edge {
            lo += 1;
        }
        (i, lo, hi)
    })
}

#[derive(Debug, Default)]
struct CountEvaluator;

impl PartitionEvaluator for CountEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let [card, ts, flag, w] = values else {
            return Err(internal("range_count takes (card, ts, flag, width)".into()));
        };
        let (card, ts) = keyed_times(card, ts)?;
        let (flag, w) = (flags(flag)?, width(w)?);
        // prefix[k]: flagged rows among the first k.
        let mut prefix = Vec::with_capacity(num_rows + 1);
        prefix.push(0i64);
        for k in 0..num_rows {
            let f = flag.is_valid(k) && flag.value(k);
            prefix.push(prefix[k] + i64::from(f));
        }
        let out: Int64Array = ranges(card, ts, w)
            .map(|(_, lo, hi)| prefix[hi] - prefix[lo])
            .collect();
        Ok(Arc::new(out))
    }
}

#[derive(Debug, Default)]
struct OtherEvaluator;

impl PartitionEvaluator for OtherEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
        let [card, ts, key, flag, w] = values else {
            return Err(internal(
                "range_other takes (card, ts, country, flag, width)".into(),
            ));
        };
        let (card, ts) = keyed_times(card, ts)?;
        let (flag, w) = (flags(flag)?, width(w)?);
        let key = key
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| internal("range_other: key is not INT UNSIGNED".into()))?;
        if key.null_count() > 0 {
            return Err(internal("range_other: key has nulls".into()));
        }
        let key = key.values().as_ref();
        // Flagged rows of the current range as monotonic queues of indices:
        // `lows` has increasing keys (front = smallest), `highs` decreasing.
        let mut lows: VecDeque<usize> = VecDeque::new();
        let mut highs: VecDeque<usize> = VecDeque::new();
        let mut pushed = 0;
        let out: BooleanArray = ranges(card, ts, w)
            .map(|(i, lo, hi)| {
                while pushed < hi {
                    if flag.is_valid(pushed) && flag.value(pushed) {
                        while lows.back().is_some_and(|&b| key[b] >= key[pushed]) {
                            lows.pop_back();
                        }
                        lows.push_back(pushed);
                        while highs.back().is_some_and(|&b| key[b] <= key[pushed]) {
                            highs.pop_back();
                        }
                        highs.push_back(pushed);
                    }
                    pushed += 1;
                }
                while lows.front().is_some_and(|&f| f < lo) {
                    lows.pop_front();
                }
                while highs.front().is_some_and(|&f| f < lo) {
                    highs.pop_front();
                }
                match (lows.front(), highs.front()) {
                    (Some(&a), Some(&b)) => key[a] != key[i] || key[b] != key[i],
                    _ => false,
                }
            })
            .map(Some)
            .collect();
        Ok(Arc::new(out))
    }
}

//! Batch mode of `FraudAlerts`: DataFusion SQL over an hour-partitioned lake.
//!
//! Each run lands its new events in the lake (Arrow batches partitioned by
//! event-time hour), then re-reads only the partitions the new events can
//! matter to. A new event `u` can change the alerts of the card's
//! transactions `t` with `u.event_time <= t.event_time < u.event_time + 300 s`,
//! whose windows reach back to `u.event_time - 300 s`, so the run reads the
//! hours overlapping `(u - 300 s, u + 300 s)` for each new `u`.
//!
//! The SQL ([`ALERTS_SQL`], shared with micro-batch) computes both rules with
//! time-range window functions ([`super::window_fns`]) over the re-read
//! history plus the new events, twice: over all rows and over the old rows
//! only. An alert is emitted when it
//! holds now and either its transaction is new or it did not hold before —
//! i.e. exactly the alerts the previous runs have not emitted (rules are
//! monotone, so nothing is ever retracted). No emitted-set is needed.

use std::sync::LazyLock;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int64Type, UInt64Type};
use datafusion::error::DataFusionError;

use crate::df::{DfEngine, Table};
use crate::error::{Result, WorkloadError};
use crate::event::{Transaction, transactions_batch, transactions_schema};
use crate::lake::Lake;
use crate::mode::{IncrementalJob, JobConfig};
use crate::output::Emission;
use crate::time::{HOUR, Millis};

use super::{
    Alert, FraudAlerts, GEO_WINDOW_MS, LARGE_AMOUNT_CENTS, Rule, VELOCITY_MIN_COUNT,
    VELOCITY_WINDOW_MS,
};

/// The alerts that `new_txns` create, over `history` (everything landed
/// before, at least the part within 300 s of a new event) plus `new_txns`.
///
/// The windows are [`super::window_fns`]: `range_count(card, t, flag, N)`
/// counts the flagged rows `u` of the card with `t - N < u <= t` (equal-time
/// peers included, as the contract requires), `range_other(card, t,
/// country, flag, N)` says whether one of them has another country. `n_old` / `geo_old` are
/// the same over old rows only: what the previous runs have already seen.
/// `new_near` (new events in `t`'s 300 s window) says whether a new event
/// can have changed `t`'s alerts at all. All windows share one sort, so the
/// query is one pass over the card-sorted rows.
pub(super) static ALERTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH
cards AS (
  SELECT card_id, MIN(event_time) - {geo} AS reach FROM new_txns GROUP BY card_id
),
rows AS (
  SELECT h.txn_id, h.card_id, h.amount_cents, h.country, h.event_time, FALSE AS is_new
  FROM history h JOIN cards c ON h.card_id = c.card_id
  WHERE h.event_time > c.reach
  UNION ALL
  SELECT txn_id, card_id, amount_cents, country, event_time, TRUE AS is_new FROM new_txns
),
windowed AS (
  SELECT txn_id, amount_cents, event_time, is_new,
    range_count(card_id, event_time, TRUE, {vel}) OVER w AS n_all,
    range_count(card_id, event_time, NOT is_new, {vel}) OVER w AS n_old,
    range_other(card_id, event_time, country, TRUE, {geo}) OVER w AS geo_all,
    range_other(card_id, event_time, country, NOT is_new, {geo}) OVER w AS geo_old,
    range_count(card_id, event_time, is_new, {geo}) OVER w AS new_near
  FROM rows
  WINDOW w AS (ORDER BY card_id, event_time)
),
decided AS (
  SELECT txn_id, event_time,
    is_new AND amount_cents >= {large} AS large_amount,
    n_all >= {min_count} AND (is_new OR n_old < {min_count}) AS velocity,
    geo_all AND (is_new OR NOT geo_old) AS geo_hop
  FROM windowed
  WHERE new_near > 0
)
SELECT txn_id, event_time, large_amount, velocity, geo_hop
FROM decided
WHERE large_amount OR velocity OR geo_hop",
        geo = GEO_WINDOW_MS,
        vel = VELOCITY_WINDOW_MS,
        large = LARGE_AMOUNT_CENTS,
        min_count = VELOCITY_MIN_COUNT,
    )
});

/// [`ALERTS_SQL`] when no history can matter (the first run, or a run
/// whose new events are all far from the landed ones): every row is new, so
/// the rules are evaluated directly.
pub(super) static FIRST_ALERTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT txn_id, event_time, large_amount, velocity, geo_hop FROM (
  SELECT txn_id, event_time,
    amount_cents >= {large} AS large_amount,
    range_count(card_id, event_time, TRUE, {vel}) OVER w >= {min_count} AS velocity,
    range_other(card_id, event_time, country, TRUE, {geo}) OVER w AS geo_hop
  FROM new_txns
  WINDOW w AS (ORDER BY card_id, event_time)
) d
WHERE large_amount OR velocity OR geo_hop",
        geo = GEO_WINDOW_MS,
        vel = VELOCITY_WINDOW_MS,
        large = LARGE_AMOUNT_CENTS,
        min_count = VELOCITY_MIN_COUNT,
    )
});

/// Runs [`ALERTS_SQL`] (or [`FIRST_ALERTS_SQL`] over an empty history) and pushes one upsert per new alert
/// (`depends_on` = the transaction's event time).
pub(super) fn new_alerts(
    engine: &DfEngine,
    job: &str,
    history: Vec<RecordBatch>,
    new: &[Transaction],
    out: &mut Vec<Emission<Alert>>,
) -> Result<()> {
    let new_batch = transactions_batch(new);
    if history.iter().all(|b| b.num_rows() == 0) {
        let table = Table {
            name: "new_txns",
            schema: transactions_schema(),
            batches: vec![new_batch],
        };
        for batch in engine.query(job, vec![table], &FIRST_ALERTS_SQL)? {
            push_alerts(job, &batch, out)?;
        }
        return Ok(());
    }
    let tables = vec![
        Table {
            name: "history",
            schema: transactions_schema(),
            batches: history,
        },
        Table {
            name: "new_txns",
            schema: transactions_schema(),
            batches: vec![new_batch],
        },
    ];
    for batch in engine.query(job, tables, &ALERTS_SQL)? {
        push_alerts(job, &batch, out)?;
    }
    Ok(())
}

/// Converts one result batch of [`ALERTS_SQL`] into emissions.
fn push_alerts(job: &str, batch: &RecordBatch, out: &mut Vec<Emission<Alert>>) -> Result<()> {
    let bad = |what: &str| {
        WorkloadError::datafusion(
            job,
            DataFusionError::Internal(format!(
                "alerts query returned an unexpected `{what}` column"
            )),
        )
    };
    let txn_ids = batch
        .column(0)
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| bad("txn_id"))?;
    let times = batch
        .column(1)
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("event_time"))?;
    let rules = [
        (2, Rule::LargeAmount),
        (3, Rule::Velocity),
        (4, Rule::GeoHop),
    ];
    let mut flags = Vec::with_capacity(rules.len());
    for (col, rule) in rules {
        let a = batch
            .column(col)
            .as_boolean_opt()
            .ok_or_else(|| bad(rule.name()))?;
        flags.push((a, rule));
    }
    for row in 0..batch.num_rows() {
        for (a, rule) in &flags {
            if a.is_valid(row) && a.value(row) {
                let alert = Alert {
                    txn_id: txn_ids.value(row),
                    rule: *rule,
                };
                out.push(Emission::upsert(alert, times.value(row)));
            }
        }
    }
    Ok(())
}

/// A lake of transactions in buckets `width` ms wide.
pub(super) fn lake(job: &'static str, width: Millis) -> Lake {
    Lake::new(job, transactions_schema(), width)
}

/// Lands transactions into `lake`.
pub(super) fn land(lake: &mut Lake, events: &[Transaction]) -> Result<()> {
    lake.land(events, |t| t.event_time, |g| Ok(transactions_batch(g)))
}

/// The event-time ranges holding every transaction within 300 s (either
/// side) of some event in `new`: what the alerts of `new` can depend on.
pub(super) fn affected(new: &[Transaction]) -> Vec<(Millis, Millis)> {
    new.iter()
        .map(|u| {
            (
                u.event_time.saturating_sub(GEO_WINDOW_MS - 1),
                u.event_time.saturating_add(GEO_WINDOW_MS - 1),
            )
        })
        .collect()
}

/// The scheduled DataFusion job: lands each run's events in the lake and
/// re-reads the partitions they can affect.
pub struct FraudBatch {
    engine: DfEngine,
    lake: Lake,
    /// Bytes of history the latest run re-read from the lake.
    last_read_bytes: usize,
}

impl FraudBatch {
    /// A new job with an empty lake.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        let engine = DfEngine::new(cfg)?;
        engine.register_window_functions(super::window_fns::all());
        Ok(FraudBatch {
            engine,
            lake: lake("fraud-alerts batch", HOUR),
            last_read_bytes: 0,
        })
    }
}

impl IncrementalJob<FraudAlerts> for FraudBatch {
    fn run(
        &mut self,
        new: &[Transaction],
        horizon: Option<Millis>,
        out: &mut Vec<Emission<Alert>>,
    ) -> Result<()> {
        if !new.is_empty() {
            let (history, bytes) = self.lake.read(&affected(new));
            self.last_read_bytes = bytes;
            new_alerts(&self.engine, "fraud-alerts batch", history, new, out)?;
            land(&mut self.lake, new)?;
        }
        if let Some(h) = horizon {
            self.lake
                .evict_before(h.saturating_sub(GEO_WINDOW_MS).saturating_add(1));
        }
        Ok(())
    }

    /// The history the latest run re-read (the lake itself is storage).
    fn state_bytes(&self) -> usize {
        self.last_read_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::ModeConfig;
    use crate::fraud::reference::alerts;
    use crate::fraud::reference::testkit::{assert_exactly_once, random_transactions, run_config};
    use crate::time::{DAY, MINUTE};

    fn txn(txn_id: u64, country: &[u8; 2], amount_cents: i64, event_time: i64) -> Transaction {
        Transaction {
            txn_id,
            card_id: 5,
            merchant_id: 1,
            amount_cents,
            country: *country,
            event_time,
        }
    }

    fn a(txn_id: u64, rule: Rule) -> Alert {
        Alert { txn_id, rule }
    }

    /// Runs the job over `runs` (one `run` call each) and returns each run's
    /// emitted alerts, sorted.
    fn runs(runs: &[&[Transaction]]) -> Vec<Vec<Alert>> {
        let mut job = FraudBatch::new(&JobConfig::default()).unwrap();
        runs.iter()
            .map(|new| {
                let mut out = Vec::new();
                job.run(new, None, &mut out).unwrap();
                assert_exactly_once(&out);
                crate::output::materialize(&out)
            })
            .collect()
    }

    #[test]
    fn window_edges_and_peers_in_sql() {
        let ev = [
            txn(1, b"US", 1_000_000, 0),
            txn(2, b"US", 1, 1),
            txn(3, b"US", 1, 2),
            txn(4, b"US", 1, 60_000),
            txn(5, b"US", 1, 60_000), // peers: (0, 60_000] holds 2, 3, 4, 5 only
            txn(6, b"FR", 1, 300_000), // US at 0 is outside, but 2..5 are inside
            txn(7, b"US", 1, 600_000), // FR at 300_000 is exactly on the edge: outside
            txn(8, b"US", 1, 60_001), // late: (1, 60_001] holds 3, 4, 5, 8: four
        ];
        let got = runs(&[&ev[..7], &ev[7..]]);
        assert_eq!(got[0], vec![a(1, Rule::LargeAmount), a(6, Rule::GeoHop)]);
        assert_eq!(got[1], vec![]);
        assert_eq!(got.concat(), alerts(&ev));
    }

    #[test]
    fn late_event_adds_alerts_to_transactions_of_earlier_runs_once() {
        let first: Vec<_> = (0..4).map(|i| txn(i, b"US", 1, i as i64 * 1_000)).collect();
        let late = [txn(10, b"DE", 1, 500)];
        let again = [txn(11, b"US", 1, 3_000)];
        let got = runs(&[&first, &late, &again]);
        assert_eq!(got[0], vec![]);
        // 3's window holds 0, 500, 1, 2, 3 (five); everyone after 500 sees DE,
        // DE sees 0, but 0 does not look forward.
        assert_eq!(
            got[1],
            vec![
                a(1, Rule::GeoHop),
                a(2, Rule::GeoHop),
                a(3, Rule::GeoHop),
                a(3, Rule::Velocity),
                a(10, Rule::GeoHop),
            ]
        );
        // A peer of 3: only its own alerts are new.
        assert_eq!(got[2], vec![a(11, Rule::GeoHop), a(11, Rule::Velocity)]);
    }

    #[test]
    fn every_interval_equals_the_reference_on_shuffled_input() {
        let ev = random_transactions(21, 50_000, 300, 900_000, true);
        let truth = alerts(&ev);
        for interval_ms in [DAY, 15 * MINUTE, 2 * MINUTE] {
            let (rows, changelog, _) = run_config(&ModeConfig::Batch { interval_ms }, &ev);
            assert_exactly_once(&changelog);
            assert_eq!(rows, truth, "interval {interval_ms}");
        }
    }

    #[test]
    fn buckets_prune_and_evict() {
        let mut lake = lake("test", HOUR);
        let ev: Vec<_> = (0..10)
            .map(|h| txn(h, b"US", 1, h as i64 * HOUR + 1_000))
            .collect();
        land(&mut lake, &ev).unwrap();
        // An event early in hour 3 needs hours 2 and 3 only.
        let (read, _) = lake.read(&affected(&[txn(99, b"US", 1, 3 * HOUR + 10)]));
        let rows: usize = read.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, 2);
        let before = lake.bytes();
        lake.evict_before(5 * HOUR);
        assert!(lake.bytes() < before);
        let (read, _) = lake.read(&affected(&ev));
        assert_eq!(read.iter().map(RecordBatch::num_rows).sum::<usize>(), 5);
    }
}

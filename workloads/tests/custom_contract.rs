//! The invariant for users' own workloads: for every definition — every
//! window kind, every aggregate function, filters on every column type,
//! with and without an alert — on generated data with late events, every
//! exact mode configuration's final output equals the reference exactly.
//! Plus random definitions (proptest), window edges, and lossy
//! configurations that must differ and count their drops.

use proptest::prelude::*;
use workloads::custom::compiled::CustomEvent;
use workloads::custom::generate::generate;
use workloads::custom::{CustomDef, CustomRow, MAX_COLUMNS};
use workloads::drive::{ModeConfig, run_mode};
use workloads::generate::{GenConfig, RateProfile};
use workloads::output::materialize;
use workloads::time::{MINUTE, Millis, SECOND};
use workloads::{CustomWorkload, EmitPolicy, JobConfig, Lateness, StreamConfig, Workload};

/// The columns every table definition shares: a Zipf key, a category, an
/// integer and a two-decimal number (negative values included).
const COLUMNS: &str = r#"[
  {"type": "key", "name": "user", "cardinality": 30, "distribution": {"kind": "zipf", "s": 1.1}},
  {"type": "category", "name": "kind", "values": ["click", "view", "buy"], "weights": [5, 3, 1]},
  {"type": "number", "name": "qty", "decimals": 0, "distribution": {"kind": "uniform", "min": 1, "max": 5}},
  {"type": "number", "name": "amount", "decimals": 2, "distribution": {"kind": "normal", "mean": 20, "std_dev": 30}}
]"#;

fn def(query: &str) -> CustomDef {
    let json = format!(r#"{{"columns": {COLUMNS}, "query": {query}}}"#);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Load with late events: 5 % arrive up to 15 minutes late.
fn load(seed: u64, minutes: i64, rate: f64) -> GenConfig {
    GenConfig {
        seed,
        duration_ms: minutes * MINUTE,
        rate: RateProfile::Constant {
            events_per_second: rate,
        },
        jitter_ms: 3 * SECOND,
        late_fraction: 0.05,
        max_lateness_ms: 15 * MINUTE,
        ..GenConfig::default()
    }
}

const ALL_AGGS: &str = r#"[
  {"name": "n", "function": "count"},
  {"name": "total", "function": "sum", "column": "amount"},
  {"name": "lo", "function": "min", "column": "amount"},
  {"name": "hi", "function": "max", "column": "qty"},
  {"name": "mean", "function": "avg", "column": "amount"},
  {"name": "kinds", "function": "count-distinct", "column": "kind"},
  {"name": "qtys", "function": "count-distinct", "column": "qty"}
]"#;

/// The table: (name, query).
fn table() -> Vec<(&'static str, String)> {
    let q = |key: &str, filter: &str, window: &str, aggs: &str, alert: &str| {
        format!(
            r#"{{"key": "{key}", "filter": {filter}, "window": {window}, "aggregates": {aggs}{alert}}}"#
        )
    };
    let tumbling = r#"{"kind": "tumbling", "size": "1m"}"#;
    let sliding = r#"{"kind": "sliding", "size": "3m", "slide": "1m"}"#;
    let session = r#"{"kind": "session", "gap": "2m"}"#;
    vec![
        (
            "tumbling, all aggregates, no filter",
            q("user", "[]", tumbling, ALL_AGGS, ""),
        ),
        (
            "sliding, all aggregates, no filter",
            q("user", "[]", sliding, ALL_AGGS, ""),
        ),
        (
            "session, all aggregates, no filter",
            q("user", "[]", session, ALL_AGGS, ""),
        ),
        (
            "tumbling, number filter, count alert",
            q(
                "user",
                r#"[{"column": "amount", "op": ">", "value": 5.5}]"#,
                tumbling,
                ALL_AGGS,
                r#", "alert": {"aggregate": "n", "op": ">=", "value": 3}"#,
            ),
        ),
        (
            "sliding, category filter, avg alert",
            q(
                "user",
                r#"[{"column": "kind", "op": "!=", "value": "view"}]"#,
                sliding,
                ALL_AGGS,
                r#", "alert": {"aggregate": "mean", "op": "<", "value": 25.125}"#,
            ),
        ),
        (
            "session, key filter and number filter, sum alert",
            q(
                "user",
                r#"[{"column": "user", "op": "!=", "value": "user-1"},
                    {"column": "qty", "op": "<=", "value": 4}]"#,
                session,
                ALL_AGGS,
                r#", "alert": {"aggregate": "total", "op": ">", "value": 40}"#,
            ),
        ),
        (
            "grouped by category, tumbling, key equality filter",
            q(
                "kind",
                r#"[{"column": "user", "op": "=", "value": "user-2"}]"#,
                r#"{"kind": "tumbling", "size": "30s"}"#,
                r#"[{"name": "n", "function": "count"},
                    {"name": "users", "function": "count-distinct", "column": "user"},
                    {"name": "hi", "function": "max", "column": "amount"}]"#,
                "",
            ),
        ),
        (
            "grouped by category, session, min alert",
            q(
                "kind",
                r#"[{"column": "amount", "op": ">=", "value": 0}]"#,
                r#"{"kind": "session", "gap": "1s"}"#,
                r#"[{"name": "n", "function": "count"},
                    {"name": "lo", "function": "min", "column": "amount"}]"#,
                r#", "alert": {"aggregate": "lo", "op": "<", "value": 10}"#,
            ),
        ),
        (
            "unknown text literal matches nothing",
            q(
                "user",
                r#"[{"column": "kind", "op": "=", "value": "refund"}]"#,
                tumbling,
                r#"[{"name": "n", "function": "count"}]"#,
                "",
            ),
        ),
    ]
}

#[test]
fn every_exact_mode_equals_the_reference_for_every_definition() {
    let mut failures = Vec::new();
    for (i, (name, query)) in table().into_iter().enumerate() {
        let w = CustomWorkload::new(name, &def(&query)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let data = generate(w.def(), &load(100 + i as u64, 40, 8.0)).expect("generate");
        let truth = w.reference(&data.events);
        let late = data
            .events
            .iter()
            .zip(&data.arrival)
            .filter(|(e, a)| **a - e.event_time > 3 * SECOND)
            .count();
        assert!(late > 50, "{name}: only {late} late events");
        if name.starts_with("unknown") {
            assert!(truth.is_empty(), "{name}");
        } else {
            assert!(truth.len() > 10, "{name}: only {} rows", truth.len());
        }
        for cfg in ModeConfig::all_exact() {
            let (changelog, stats) = run_mode(&w, &cfg, &JobConfig::default(), &data)
                .unwrap_or_else(|e| panic!("{name} {cfg:?}: {e}"));
            assert_eq!(stats.dropped, 0, "{name} {cfg:?}");
            let rows = materialize(&changelog);
            if rows != truth {
                let extra: Vec<_> = rows.iter().filter(|r| !truth.contains(r)).take(3).collect();
                let missing: Vec<_> = truth.iter().filter(|r| !rows.contains(r)).take(3).collect();
                failures.push(format!(
                    "{name} {cfg:?}: {} rows vs {} expected; extra {extra:?}; missing {missing:?}",
                    rows.len(),
                    truth.len()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same definitions written as SQL (`"sql"` instead of `"query"`):
/// each parses to exactly its structured twin, and every exact mode run
/// from the SQL definition equals the twin's reference. Every definition of
/// the table also round-trips through its canonical SQL.
#[test]
fn every_definition_written_as_sql_equals_its_structured_twin() {
    let twins = [
        (
            "SELECT user, COUNT(*) AS n, COUNT(DISTINCT kind) AS kinds FROM events \
             GROUP BY user, SESSION(event_time, INTERVAL '30' MINUTE)",
            r#"{"key": "user", "window": {"kind": "session", "gap": "30m"}, "aggregates": [
                {"name": "n", "function": "count"},
                {"name": "kinds", "function": "count-distinct", "column": "kind"}]}"#,
        ),
        (
            "SELECT user, window_end, SUM(amount) AS total FROM events WHERE kind <> 'view' \
             GROUP BY user, HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) \
             HAVING SUM(amount) > 100",
            r#"{"key": "user", "filter": [{"column": "kind", "op": "!=", "value": "view"}],
                "window": {"kind": "sliding", "size": "5m", "slide": "1m"},
                "aggregates": [{"name": "total", "function": "sum", "column": "amount"}],
                "alert": {"aggregate": "total", "op": ">", "value": 100}}"#,
        ),
        (
            "SELECT kind, AVG(amount) AS mean, MAX(qty) AS hi FROM events \
             WHERE qty >= 2 AND amount > -5.5 \
             GROUP BY date_bin(INTERVAL '10 minutes', event_time), kind",
            r#"{"key": "kind", "filter": [{"column": "qty", "op": ">=", "value": 2},
                {"column": "amount", "op": ">", "value": -5.5}],
                "window": {"kind": "tumbling", "size": "10m"},
                "aggregates": [{"name": "mean", "function": "avg", "column": "amount"},
                {"name": "hi", "function": "max", "column": "qty"}]}"#,
        ),
    ];
    for (i, (sql, query)) in twins.iter().enumerate() {
        let structured = def(query);
        let json = serde_json::json!({
            "columns": serde_json::from_str::<serde_json::Value>(COLUMNS).unwrap(),
            "sql": sql,
        });
        let from_sql: CustomDef =
            serde_json::from_value(json).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(from_sql.query, structured.query, "{sql}");
        assert_eq!(from_sql.sql.as_deref(), Some(*sql));
        let w = CustomWorkload::new("sql", &from_sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let data = generate(w.def(), &load(300 + i as u64, 40, 8.0)).expect("generate");
        let truth = CustomWorkload::new("twin", &structured)
            .unwrap()
            .reference(&data.events);
        assert!(!truth.is_empty(), "{sql}");
        for cfg in ModeConfig::all_exact() {
            let (changelog, _) = run_mode(&w, &cfg, &JobConfig::default(), &data)
                .unwrap_or_else(|e| panic!("{sql} {cfg:?}: {e}"));
            assert_eq!(materialize(&changelog), truth, "{sql} {cfg:?}");
        }
    }
    for (name, query) in table() {
        let structured = def(&query);
        let text = structured.sql_text();
        let json = serde_json::json!({
            "columns": serde_json::from_str::<serde_json::Value>(COLUMNS).unwrap(),
            "sql": text,
        });
        let back: CustomDef =
            serde_json::from_value(json).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
        assert_eq!(back.query, structured.query, "{name}: {text}");
    }
}

/// A definition with both or neither of `query` and `sql`, or SQL that
/// does not parse, is refused with a message that says which.
#[test]
fn a_definition_needs_exactly_one_of_query_and_sql() {
    let with = |extra: &str| format!(r#"{{"columns": {COLUMNS}{extra}}}"#);
    let err = |text: String| {
        serde_json::from_str::<CustomDef>(&text)
            .unwrap_err()
            .to_string()
    };
    assert!(err(with("")).contains("set `query` (a table) or `sql`"));
    let both = with(&format!(
        r#", "sql": "SELECT user, COUNT(*) FROM events GROUP BY user, TUMBLE(event_time, INTERVAL '1' MINUTE)", "query": {}"#,
        r#"{"key": "user", "window": {"kind": "tumbling", "size": "1m"}, "aggregates": [{"name": "n", "function": "count"}]}"#
    ));
    assert!(err(both).contains("not both"));
    let bad = err(with(r#", "sql": "SELECT user FROM events\nORDER BY user""#));
    assert!(bad.contains("sql: line 2"), "{bad}");
}

/// The output file: header and fixed-point formatting.
#[test]
fn results_csv_has_the_definition_columns_in_fixed_point() {
    let w = CustomWorkload::new(
        "csv",
        &def(&format!(
            r#"{{"key": "user", "window": {{"kind": "tumbling", "size": "1m"}}, "aggregates": {ALL_AGGS}}}"#
        )),
    )
    .unwrap();
    let rows = [CustomRow {
        key: 7,
        window_start: 60_000,
        window_end: 120_000,
        newest: 61_000,
        values: [2, -1050, -1000, 3, -52500, 2, 1, 0],
    }];
    let dir = tempfile::tempdir().unwrap();
    let paths = w
        .write_outputs(&rows, &Default::default(), dir.path())
        .unwrap();
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    assert_eq!(
        text,
        "user,window_start,window_end,n,total,lo,hi,mean,kinds,qtys\n\
         user-7,60000,120000,2,-10.50,-10.00,3,-5.2500,2,1\n"
    );
}

fn event(t: Millis, user: i64, amount: i64) -> CustomEvent {
    let mut values = [0; MAX_COLUMNS];
    values[0] = user;
    values[2] = 1;
    values[3] = amount;
    CustomEvent {
        event_time: t,
        values,
    }
}

/// Every mode (exact stream policies, batch, micro-batch) over events in
/// the given arrival order, each compared with the reference.
fn all_modes_match(w: &CustomWorkload, events: Vec<CustomEvent>) -> Vec<CustomRow> {
    let data = workloads::Dataset::from_arrival_order(events, Default::default());
    let truth = w.reference(&data.events);
    for cfg in ModeConfig::all_exact() {
        let (changelog, _) = run_mode(w, &cfg, &JobConfig::default(), &data).unwrap();
        assert_eq!(materialize(&changelog), truth, "{cfg:?}");
    }
    truth
}

#[test]
fn an_event_exactly_at_a_window_end_belongs_to_the_next_window() {
    let w = CustomWorkload::new(
        "edges",
        &def(
            r#"{"key": "user", "window": {"kind": "tumbling", "size": "1m"},
                "aggregates": [{"name": "n", "function": "count"}]}"#,
        ),
    )
    .unwrap();
    let rows = all_modes_match(
        &w,
        vec![event(0, 1, 0), event(MINUTE - 1, 1, 0), event(MINUTE, 1, 0)],
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.window_start, r.window_end, r.values[0]))
        .collect();
    assert_eq!(got, vec![(0, MINUTE, 2), (MINUTE, 2 * MINUTE, 1)]);

    let w = CustomWorkload::new(
        "sliding edges",
        &def(
            r#"{"key": "user", "window": {"kind": "sliding", "size": "2m", "slide": "1m"},
                "aggregates": [{"name": "n", "function": "count"}]}"#,
        ),
    )
    .unwrap();
    let rows = all_modes_match(&w, vec![event(2 * MINUTE, 1, 0), event(0, 1, 0)]);
    let got: Vec<_> = rows.iter().map(|r| (r.window_start, r.values[0])).collect();
    // [-1m, 1m) and [0, 2m) hold 0; [1m, 3m) and [2m, 4m) hold 2m.
    assert_eq!(
        got,
        vec![(-MINUTE, 1), (0, 1), (MINUTE, 1), (2 * MINUTE, 1)]
    );
}

#[test]
fn a_session_gap_of_exactly_the_gap_starts_a_new_session() {
    let w = CustomWorkload::new(
        "gap",
        &def(
            r#"{"key": "user", "window": {"kind": "session", "gap": "1m"},
                "aggregates": [{"name": "n", "function": "count"},
                               {"name": "total", "function": "sum", "column": "amount"}]}"#,
        ),
    )
    .unwrap();
    // 0 and 1m − 1 ms join; 2m − 1 ms is exactly one gap after 1m − 1 ms
    // (and exactly at that session's end): a new session. 4m − 3 ms is
    // alone until a late event at 3m − 2 ms, 1 ms inside both gaps, bridges
    // it to the second session.
    let rows = all_modes_match(
        &w,
        vec![
            event(0, 1, 100),
            event(2 * MINUTE - 1, 1, 5),
            event(MINUTE - 1, 1, 7),
            event(4 * MINUTE - 3, 1, 1),
            event(3 * MINUTE - 2, 1, 2),
        ],
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.window_start, r.window_end, r.values[0], r.values[1]))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 2 * MINUTE - 1, 2, 107),
            (2 * MINUTE - 1, 5 * MINUTE - 3, 3, 8),
        ]
    );
}

/// A lossy configuration — dropping events beyond a short allowed lateness —
/// counts its drops and its output differs from the reference.
#[test]
fn lossy_configs_differ_and_count_drops() {
    for (name, window) in [
        ("tumbling", r#"{"kind": "tumbling", "size": "1m"}"#),
        ("session", r#"{"kind": "session", "gap": "2m"}"#),
    ] {
        let w = CustomWorkload::new(
            name,
            &def(&format!(
                r#"{{"key": "user", "window": {window},
                    "aggregates": [{{"name": "n", "function": "count"}}]}}"#
            )),
        )
        .unwrap();
        let data = generate(w.def(), &load(7, 30, 10.0)).unwrap();
        let truth = w.reference(&data.events);
        let lossy = Lateness {
            watermark_delay: SECOND,
            allowed_lateness: Some(10 * SECOND),
        };
        for cfg in [
            ModeConfig::Stream(StreamConfig {
                lateness: lossy,
                policy: EmitPolicy::Eager,
            }),
            ModeConfig::Stream(StreamConfig {
                lateness: lossy,
                policy: EmitPolicy::Final,
            }),
            ModeConfig::MicroBatch {
                trigger_ms: 10 * SECOND,
                lateness: lossy,
            },
        ] {
            let (changelog, stats) = run_mode(&w, &cfg, &JobConfig::default(), &data).unwrap();
            assert!(stats.dropped > 0, "{name} {cfg:?}: no drops counted");
            assert!(stats.late >= stats.dropped);
            assert_ne!(materialize(&changelog), truth, "{name} {cfg:?}");
        }
    }
}

/// Eviction keeps the stream exact when nothing is dropped, and its state
/// smaller than keeping everything.
#[test]
fn bounded_lateness_within_the_data_stays_exact() {
    let w = CustomWorkload::new(
        "bounded",
        &def(&format!(
            r#"{{"key": "user", "window": {{"kind": "sliding", "size": "2m", "slide": "30s"}}, "aggregates": {ALL_AGGS}}}"#
        )),
    )
    .unwrap();
    let mut cfg = load(9, 30, 10.0);
    cfg.late_fraction = 0.0;
    let data = generate(w.def(), &cfg).unwrap();
    let truth = w.reference(&data.events);
    let bounded = Lateness {
        watermark_delay: 0,
        allowed_lateness: Some(10 * SECOND),
    };
    for policy in [EmitPolicy::Final, EmitPolicy::EagerCorrect] {
        let cfg = ModeConfig::Stream(StreamConfig {
            lateness: bounded,
            policy,
        });
        let (changelog, stats) = run_mode(&w, &cfg, &JobConfig::default(), &data).unwrap();
        assert_eq!(stats.dropped, 0);
        assert_eq!(materialize(&changelog), truth, "{policy}");
    }
    let cfg = ModeConfig::MicroBatch {
        trigger_ms: 10 * SECOND,
        lateness: bounded,
    };
    let (changelog, _) = run_mode(&w, &cfg, &JobConfig::default(), &data).unwrap();
    assert_eq!(materialize(&changelog), truth);
}

/// A random small valid definition.
fn arb_query() -> impl Strategy<Value = String> {
    let window = prop_oneof![
        (1i64..=4).prop_map(|m| format!(r#"{{"kind": "tumbling", "size": "{}s"}}"#, m * 30)),
        (1i64..=3, 1i64..=3).prop_map(|(k, s)| format!(
            r#"{{"kind": "sliding", "size": "{}s", "slide": "{}s"}}"#,
            k * s * 20,
            s * 20
        )),
        (1i64..=180).prop_map(|g| format!(r#"{{"kind": "session", "gap": "{g}s"}}"#)),
    ];
    let agg = prop_oneof![
        Just(r#"{"function": "count"}"#),
        Just(r#"{"function": "sum", "column": "amount"}"#),
        Just(r#"{"function": "min", "column": "amount"}"#),
        Just(r#"{"function": "max", "column": "qty"}"#),
        Just(r#"{"function": "avg", "column": "amount"}"#),
        Just(r#"{"function": "count-distinct", "column": "kind"}"#),
    ];
    let pred = prop_oneof![
        (-20i64..40).prop_map(|v| format!(r#"{{"column": "amount", "op": ">", "value": {v}.5}}"#)),
        (1i64..=5).prop_map(|v| format!(r#"{{"column": "qty", "op": "<=", "value": {v}}}"#)),
        Just(r#"{"column": "kind", "op": "=", "value": "click"}"#.to_string()),
        (1i64..=5)
            .prop_map(|v| format!(r#"{{"column": "user", "op": "!=", "value": "user-{v}"}}"#)),
    ];
    let alert = prop_oneof![
        Just(String::new()),
        (0i64..4)
            .prop_map(|v| format!(r#", "alert": {{"aggregate": "a0", "op": ">", "value": {v}}}"#)),
    ];
    (
        prop::bool::ANY,
        window,
        prop::collection::vec(agg, 1..4),
        prop::collection::vec(pred, 0..3),
        alert,
    )
        .prop_map(|(by_kind, window, aggs, preds, alert)| {
            let aggs: Vec<String> = aggs
                .iter()
                .enumerate()
                .map(|(i, a)| format!(r#"{{"name": "a{i}", {}"#, &a[1..]))
                .collect();
            format!(
                r#"{{"key": "{}", "filter": [{}], "window": {window}, "aggregates": [{}]{alert}}}"#,
                if by_kind { "kind" } else { "user" },
                preds.join(", "),
                aggs.join(", ")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random definitions on random small late datasets: the exact stream
    /// and the batch job equal the reference.
    #[test]
    fn random_definitions_match_the_reference(query in arb_query(), seed in 0u64..1_000, rate in 1.0f64..6.0) {
        let w = CustomWorkload::new("random", &def(&query)).expect("valid random definition");
        let data = generate(w.def(), &load(seed, 10, rate)).expect("generate");
        let truth = w.reference(&data.events);
        for cfg in [
            ModeConfig::Stream(StreamConfig::EXACT),
            ModeConfig::Stream(StreamConfig { lateness: Lateness { watermark_delay: 20 * SECOND, allowed_lateness: None }, policy: EmitPolicy::Final }),
            ModeConfig::Batch { interval_ms: 2 * MINUTE },
        ] {
            let (changelog, _) = run_mode(&w, &cfg, &JobConfig::default(), &data).expect("runs");
            prop_assert_eq!(materialize(&changelog), truth.clone(), "{:?} {}", cfg, query);
        }
    }
}

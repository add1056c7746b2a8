//! The rules as a table, and wording snapshots.

use super::*;

// --- the rules, as a table ---------------------------------------------------

/// The kind of a finding, without its data (for the table below).
fn kind(f: &super::decide::Finding) -> &'static str {
    use super::decide::Finding::*;
    match f {
        HeavyWorkNeedsSeconds => "HeavyWorkNeedsSeconds",
        OnlyLossyMeetFreshness { .. } => "OnlyLossyMeetFreshness",
        NothingMeetsFreshness { .. } => "NothingMeetsFreshness",
        OutOfReach { .. } => "OutOfReach",
        FastestDropsLateData { .. } => "FastestDropsLateData",
        ExactNearFastest { .. } => "ExactNearFastest",
        StreamWorkEasierInBatch { .. } => "StreamWorkEasierInBatch",
        HeavyLateDataWithHistory { .. } => "HeavyLateDataWithHistory",
        ReprocessOftenNewTeam { .. } => "ReprocessOftenNewTeam",
        ReprocessOftenKappa => "ReprocessOftenKappa",
        WithinBudget { .. } => "WithinBudget",
        BudgetForcedCheaperMode { .. } => "BudgetForcedCheaperMode",
        OverBudget { .. } => "OverBudget",
    }
}

/// One row of the rules table.
type Row = (
    Answers,
    Vec<Report>,
    Architecture,
    Option<&'static str>,
    Vec<&'static str>,
);

/// (answers, reports) → (architecture, schedule, finding kinds): the rules
/// of `decide`, one row each.
#[test]
fn the_rules_as_a_table() {
    let with = |a: Answers, f: &dyn Fn(&mut Answers)| {
        let mut a = a;
        f(&mut a);
        a
    };
    let fa = |fr, t, team, rate| answers(fr, t, team, rate);
    use Freshness::*;
    use Transformation::*;
    let rows: Vec<Row> = vec![
        (
            fa(OneDay, WindowedAggregation, Experience::Some, 10.0),
            all_reports(),
            Architecture::Batch,
            Option::Some("every 1 day, 30 minutes after each period closes"),
            vec![],
        ),
        (
            with(
                fa(FifteenMinutes, Enrichment, Experience::Some, 300.0),
                &|a| a.late_data = LateData::Some,
            ),
            all_reports(),
            Architecture::Batch,
            Option::Some("every 15 minutes"),
            vec![],
        ),
        (
            fa(OneSecond, FilterAlert, Experience::Expert, 300.0),
            all_reports(),
            Architecture::Stream,
            None,
            vec!["NothingMeetsFreshness", "OutOfReach"],
        ),
        (
            fa(OneSecond, MlTraining, Experience::Expert, 10.0),
            all_reports(),
            Architecture::Lambda,
            Option::Some(
                "batch every 1 hour for the correct view + always-on stream for the fast view",
            ),
            vec!["HeavyWorkNeedsSeconds"],
        ),
        (
            with(
                fa(TenSeconds, FilterAlert, Experience::Expert, 300.0),
                &|a| a.reprocessing = Reprocessing::Often,
            ),
            all_reports(),
            Architecture::Kappa,
            None,
            vec!["ReprocessOftenKappa"],
        ),
        (
            with(fa(TenSeconds, FilterAlert, Experience::None, 300.0), &|a| {
                a.reprocessing = Reprocessing::Often
            }),
            all_reports(),
            Architecture::Lambda,
            Option::Some(
                "batch every 1 hour for the correct view + always-on stream for the fast view",
            ),
            vec!["ReprocessOftenNewTeam"],
        ),
        (
            with(
                fa(TenSeconds, FilterAlert, Experience::Expert, 300.0),
                &|a| a.late_data = LateData::Heavy,
            ),
            all_reports(),
            Architecture::Lambda,
            Option::Some(
                "batch every 1 hour for the correct view + always-on stream for the fast view",
            ),
            vec!["OnlyLossyMeetFreshness"],
        ),
        (
            with(
                fa(OneMinute, Sessionization, Experience::Expert, 100.0),
                &|a| a.late_data = LateData::Heavy,
            ),
            all_reports(),
            Architecture::Lambda,
            Option::Some(
                "batch every 1 hour for the correct view + always-on stream for the fast view",
            ),
            vec!["HeavyLateDataWithHistory"],
        ),
        (
            with(
                fa(FifteenMinutes, FilterAlert, Experience::Expert, 50_000.0),
                &|a| a.budget_usd_per_month = Option::Some(20.0),
            ),
            all_reports(),
            Architecture::Stream,
            None,
            vec!["BudgetForcedCheaperMode"],
        ),
        (
            with(
                fa(FifteenMinutes, FilterAlert, Experience::Expert, 300.0),
                &|a| a.budget_usd_per_month = Option::Some(1.0),
            ),
            all_reports(),
            Architecture::Batch,
            Option::Some("every 15 minutes"),
            vec!["OverBudget"],
        ),
        // Issue 10: an exact stream near the fastest plan, not lambda.
        (
            new_user(),
            vec![fraud_quick()],
            Architecture::Stream,
            None,
            vec![
                "NothingMeetsFreshness",
                "OutOfReach",
                "ExactNearFastest",
                "WithinBudget",
            ],
        ),
        (
            canonical(),
            vec![fraud_full()],
            Architecture::Stream,
            None,
            vec![
                "NothingMeetsFreshness",
                "OutOfReach",
                "ExactNearFastest",
                "WithinBudget",
            ],
        ),
        // The exact stream far from the fastest (p99 31.5 s vs 1.9 s): lambda.
        (
            with(canonical(), &|a| a.budget_usd_per_month = None),
            vec![fraud()],
            Architecture::Lambda,
            Option::Some(
                "batch every 1 hour for the correct view + always-on stream for the fast view",
            ),
            vec!["OutOfReach", "FastestDropsLateData"],
        ),
    ];
    for (i, (a, reports, arch, schedule, kinds)) in rows.into_iter().enumerate() {
        let rec = recommend(&a, &reports).unwrap();
        assert_eq!(
            (rec.recommendation, rec.schedule.as_deref()),
            (arch, schedule),
            "row {i}: {}",
            text(&rec)
        );
        let (report, notes) = select_report(&a, &reports).unwrap();
        let mut adv = Advisor::new(&a, report.unwrap(), notes);
        let d = adv.decision().unwrap();
        assert_eq!(d.architecture, arch, "row {i}");
        let got: Vec<&str> = d.findings.iter().map(kind).collect();
        assert_eq!(got, kinds, "row {i}: {}", text(&rec));
    }
}

/// Snapshot of the issue-10 wording (explain).
#[test]
fn out_of_reach_and_exact_near_fastest_wording() {
    let r = recommend(&new_user(), &[fraud_quick()]).unwrap();
    assert_eq!(
        r.reasons[0],
        "Stream: stream eager+correct, wm 5s, late > 15m dropped has a measured p99 of 2.3 s against your \
         1-second freshness target and costs $9.01 a month at 2,000 events/s."
    );
    let out = r
        .reasons
        .iter()
        .find(|s| s.contains("out of reach"))
        .unwrap();
    assert_eq!(
        out,
        "1 second is out of reach for every mode here, because of arrival delay: stream eager, wm 0ms, \
         late > 1m dropped, the fastest plan, emits each result as soon as its event arrives and still has \
         p99 2.0 s, so the events themselves reach the pipeline that long after they happen (in the measured \
         scenario some arrive up to 5 min late). No schedule, trigger or watermark gets below that; only \
         events that arrive sooner would."
    );
    assert!(
        r.reasons.iter().any(|s| s.starts_with(
            "Stream eager+correct, wm 5s, late > 15m dropped is exact and within 50 % of the fastest plan"
        )),
        "{}",
        text(&r)
    );
}

/// With a measured replay through a broker in the report, the kappa reason
/// cites it; without one it says nothing of a measurement it lacks.
#[test]
fn the_kappa_reason_cites_a_measured_replay() {
    let mut a = answers(
        Freshness::TenSeconds,
        Transformation::FilterAlert,
        Experience::Expert,
        300.0,
    );
    a.reprocessing = Reprocessing::Often;
    let plain = recommend(&a, &all_reports()).unwrap();
    assert_eq!(plain.recommendation, Architecture::Kappa);
    assert!(!plain.reasons.join(" ").contains("Measured here"));
    let mut reports = all_reports();
    for r in &mut reports {
        r.broker = Some(crate::report::BrokerReport {
            log: "redis://127.0.0.1:1/ weir:test".into(),
            plan: "stream eager+correct".into(),
            events: 539_495,
            publish_seconds: 1.1,
            replay_seconds: 1.8,
            in_memory_seconds: 0.5,
            replay_exact: true,
            dead_letters: 0,
            micro_batch_replay_seconds: None,
            micro_batch_replay_exact: None,
            live: None,
            recovery: None,
        });
    }
    let cited = recommend(&a, &reports).unwrap();
    let text = cited.reasons.join(" ");
    assert!(
        text.contains("Measured here: replaying the whole retained log (539,495 events)")
            && text.contains("took 1.8 s"),
        "{text}"
    );
    assert!(!text.contains("After a crash"), "{text}");
    use crate::recovery::measure::{ModeRecovery, RecoveryReport};
    for r in &mut reports {
        r.broker.as_mut().unwrap().recovery = Some(RecoveryReport {
            checkpoint_every: 50_000,
            crash_at: 404_621,
            modes: vec![ModeRecovery {
                mode: workloads::mode::Mode::Stream,
                seconds_without_checkpoints: 1.8,
                seconds_with_checkpoints: 1.9,
                checkpoints: 11,
                checkpoint_bytes: 2_400_000,
                resumed_from: 400_000,
                restore_seconds: 0.02,
                tail_records: 4_621,
                recovery_seconds: 0.04,
                exact: true,
            }],
            batch_rerun_seconds: 2.2,
            batch_rerun_exact: true,
        });
    }
    let text = recommend(&a, &reports).unwrap().reasons.join(" ");
    assert!(
        text.contains("After a crash 404,621 records in, the stream plan restored its checkpoint and caught up in 40 ms")
            && text.contains("a batch rerun of the whole log took 2.2 s"),
        "{text}"
    );
}

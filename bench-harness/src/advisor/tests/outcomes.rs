//! What the advisor answers, case by case.

use super::*;

// --- outcomes --------------------------------------------------------

#[test]
fn batch_once_a_day_when_yesterdays_data_is_fine() {
    let a = answers(
        Freshness::OneDay,
        Transformation::WindowedAggregation,
        Experience::Some,
        10.0,
    );
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
    assert_eq!(
        r.schedule.as_deref(),
        Some("every 1 day, 30 minutes after each period closes")
    );
    assert_eq!(r.evidence.workload, Some(WorkloadKind::DailyReport));
    assert!(
        text(&r).contains("yesterday's data is fine"),
        "{}",
        text(&r)
    );
    // The daily batch drops late data: with late data it is the hourly one.
    let late = Answers {
        late_data: LateData::Some,
        ..a
    };
    let r = recommend(&late, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch);
    assert_eq!(r.schedule.as_deref(), Some("every 1 hour"), "{}", text(&r));
}

#[test]
fn batch_every_15_minutes_for_15_minute_freshness() {
    let a = Answers {
        late_data: LateData::Some,
        ..answers(
            Freshness::FifteenMinutes,
            Transformation::Enrichment,
            Experience::Some,
            300.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
    assert_eq!(r.schedule.as_deref(), Some("every 15 minutes"));
    let b = row(&r, "batch every 15m");
    assert!(b.meets_freshness && b.exact);
    assert!(!row(&r, "batch every 1h").meets_freshness);
    // p99 16 min is 7 % over 15 minutes: the allowance is stated.
    assert!(
        text(&r).contains("within the 10 % allowance"),
        "{}",
        text(&r)
    );
    assert!(
        text(&r).contains("The p99 of batch every 15m (16 min) is 7 % over 15 minutes"),
        "{}",
        text(&r)
    );
}

#[test]
fn seed_rule_holds_at_a_low_rate_batch_is_simpler_cheaper_and_sufficient() {
    let a = Answers {
        late_data: LateData::Some,
        ..answers(
            Freshness::FifteenMinutes,
            Transformation::FilterAlert,
            Experience::Some,
            300.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch);
    let batch_usd = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
    let stream_usd = row(&r, "stream eager+correct").monthly_cost_usd.unwrap();
    assert!(batch_usd < stream_usd);
    assert_eq!(units::usd(batch_usd), "$2.47");
    assert_eq!(units::usd(stream_usd), "$9.01");
    let seed = r
        .reasons
        .iter()
        .find(|s| s.contains("The seed's rule holds here"))
        .unwrap_or_else(|| panic!("{}", text(&r)));
    for needle in [
        "simpler",
        "cheaper",
        "sufficient",
        "$2.47",
        "$9.01",
        "p99 16 min",
        "2 failure modes vs 5",
    ] {
        assert!(seed.contains(needle), "missing {needle:?} in {seed}");
    }
    // The measured comparison names both modes' p99 and cost.
    assert!(
        text(&r).contains("batch every 15m: p99 16 min, $2.47/month"),
        "{}",
        text(&r)
    );
    // And it says what tighter freshness would take.
    assert!(
        text(&r).contains("If results must arrive within 1 minute, the answer becomes micro-batch triggered every 30 seconds"),
        "{}",
        text(&r)
    );
}

#[test]
fn at_a_high_rate_the_numbers_contradict_the_seed_and_say_so() {
    let a = Answers {
        late_data: LateData::Some,
        ..answers(
            Freshness::FifteenMinutes,
            Transformation::FilterAlert,
            Experience::Expert,
            20_000.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    // No budget: batch stays (simplest that meets), but the reasons
    // state both numbers where the seed's cost claim fails.
    assert_eq!(r.recommendation, Architecture::Batch);
    let b = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
    let s = row(&r, "stream eager+correct").monthly_cost_usd.unwrap();
    assert!(b > s, "batch {b} stream {s}");
    let t = text(&r);
    assert!(t.contains("the measurements disagree"), "{t}");
    assert!(
        t.contains(&units::usd(b)) && t.contains(&units::usd(s)),
        "{t}"
    );
    assert!(t.contains("Below about"), "{t}");
}

#[test]
fn micro_batch_for_a_minute_with_a_team_new_to_streaming() {
    let a = answers(
        Freshness::OneMinute,
        Transformation::Enrichment,
        Experience::None,
        300.0,
    );
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::MicroBatch, "{}", text(&r));
    assert_eq!(r.schedule.as_deref(), Some("trigger every 30 seconds"));
    let t = text(&r);
    assert!(t.contains("no streaming experience"), "{t}");
    assert!(t.contains("Batch cannot meet 1 minute"), "{t}");
    assert!(
        t.contains("If 15-minute freshness is acceptable, batch every 15 minutes"),
        "{t}"
    );
}

#[test]
fn stream_when_seconds_matter() {
    let a = answers(
        Freshness::OneSecond,
        Transformation::FilterAlert,
        Experience::Expert,
        300.0,
    );
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
    assert_eq!(r.schedule, None);
    let t = text(&r);
    // The measured stream p99 (1.9 s) misses 1 s: said, with the number.
    assert!(t.contains("No measured plan meets 1 second"), "{t}");
    assert!(t.contains("p99 1.9 s"), "{t}");
    assert!(t.contains("Seconds matter, so stream"), "{t}");

    // A faster stream meets it outright.
    let mut fast = fraud();
    fast.modes[4].latency.p99_ms = 600.0;
    let r = recommend(&a, &[fast]).unwrap();
    assert_eq!(r.recommendation, Architecture::Stream);
    assert!(row(&r, "stream eager").meets_freshness);
    assert!(!text(&r).contains("No measured plan meets"), "{}", text(&r));
    assert!(text(&r).contains("work well in streams"), "{}", text(&r));
}

#[test]
fn lambda_for_ml_training_within_a_second() {
    let a = answers(
        Freshness::OneSecond,
        Transformation::MlTraining,
        Experience::Expert,
        10.0,
    );
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
    assert_eq!(r.evidence.workload, Some(WorkloadKind::DailyReport));
    let s = r.schedule.as_deref().unwrap();
    assert!(
        s.starts_with("batch every 1 hour") && s.contains("stream"),
        "{s}"
    );
    assert!(text(&r).contains("easier in batch"), "{}", text(&r));
}

#[test]
fn kappa_for_stream_with_frequent_reprocessing() {
    let a = Answers {
        reprocessing: Reprocessing::Often,
        ..answers(
            Freshness::TenSeconds,
            Transformation::FilterAlert,
            Experience::Expert,
            300.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Kappa, "{}", text(&r));
    let t = text(&r);
    assert!(t.contains("replay"), "{t}");
    assert!(
        t.contains("Reprocessing one day of data (measured): batch 75 s"),
        "{t}"
    );
    // Without streaming experience: lambda, reprocessing by batch rerun.
    let none = Answers {
        team_experience: Experience::None,
        ..a
    };
    let r = recommend(&none, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
    assert!(
        text(&r).contains("With streaming experience on the team, kappa"),
        "{}",
        text(&r)
    );
}

#[test]
fn budget_forces_a_cheaper_option() {
    let a = Answers {
        budget_usd_per_month: Some(20.0),
        ..answers(
            Freshness::FifteenMinutes,
            Transformation::FilterAlert,
            Experience::Expert,
            50_000.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
    let b = row(&r, "batch every 15m");
    assert_eq!(b.within_budget, Some(false));
    assert!(b.monthly_cost_usd.unwrap() > 20.0);
    let t = text(&r);
    assert!(t.contains("over your $20.00 budget"), "{t}");
    assert!(t.contains("would be the answer"), "{t}");

    // Nothing fits: the answer stays and the overrun is stated.
    let tight = Answers {
        budget_usd_per_month: Some(1.0),
        events_per_second: 300.0,
        ..a
    };
    let r = recommend(&tight, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch);
    let t = text(&r);
    assert!(
        t.contains("Over budget: batch every 15m costs $2.47 a month, $1.47 more"),
        "{t}"
    );
    assert!(
        t.contains("A budget of $2.47 a month covers this answer"),
        "{t}"
    );
}

#[test]
fn without_a_report_the_seed_rules_alone_decide_and_say_so() {
    let a = answers(
        Freshness::FifteenMinutes,
        Transformation::Sessionization,
        Experience::Some,
        100.0,
    );
    let r = recommend(&a, &[]).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch);
    assert_eq!(r.schedule.as_deref(), Some("every 15 minutes"));
    assert_eq!(r.evidence.workload, None);
    assert!(r.evidence.rows.is_empty());
    assert!(
        r.evidence
            .notes
            .iter()
            .any(|n| n.contains("seed's rules alone")),
        "{:?}",
        r.evidence.notes
    );
    let cases = [
        (Freshness::OneSecond, Architecture::Stream, None),
        (
            Freshness::OneMinute,
            Architecture::MicroBatch,
            Some("trigger every 30 seconds"),
        ),
        (
            Freshness::OneHour,
            Architecture::Batch,
            Some("every 1 hour"),
        ),
        (Freshness::OneDay, Architecture::Batch, Some("every 1 day")),
    ];
    for (freshness, arch, schedule) in cases {
        let r = recommend(
            &Answers {
                freshness,
                ..a.clone()
            },
            &[],
        )
        .unwrap();
        assert_eq!(
            (r.recommendation, r.schedule.as_deref()),
            (arch, schedule),
            "{freshness}"
        );
    }
    let ml = answers(
        Freshness::TenSeconds,
        Transformation::MlTraining,
        Experience::Some,
        100.0,
    );
    assert_eq!(
        recommend(&ml, &[]).unwrap().recommendation,
        Architecture::Lambda
    );
}

#[test]
fn lossy_plans_are_not_the_answer_under_heavy_late_data() {
    let a = Answers {
        late_data: LateData::Heavy,
        ..answers(
            Freshness::TenSeconds,
            Transformation::FilterAlert,
            Experience::Expert,
            300.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    // Only the lossy streams are fast enough: lambda, with the exact
    // batch as the correct view.
    assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
    let eager = row(&r, "stream eager,");
    assert!(eager.meets_freshness && !eager.exact && eager.late_dropped == 636);
    let t = text(&r);
    assert!(
        t.contains("Only plans that drop late data meet 10 seconds"),
        "{t}"
    );
    assert!(t.contains("recall 0.9906, 636 late events dropped"), "{t}");
    assert!(t.contains("If losing late events were acceptable"), "{t}");
    // Without late data the same lossy stream is the answer.
    let r = recommend(
        &Answers {
            late_data: LateData::None,
            ..a
        },
        &all_reports(),
    )
    .unwrap();
    assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
    assert!(
        text(&r).contains("If late data does arrive"),
        "{}",
        text(&r)
    );
}

#[test]
fn heavy_late_data_with_history_turns_stream_into_lambda() {
    let a = Answers {
        late_data: LateData::Heavy,
        ..answers(
            Freshness::OneMinute,
            Transformation::Sessionization,
            Experience::Expert,
            100.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.recommendation, Architecture::Lambda, "{}", text(&r));
    assert!(text(&r).contains("hold state open"), "{}", text(&r));
    // The lossy eager stream met 1 minute but was excluded.
    assert!(
        text(&r).contains("not acceptable as the answer"),
        "{}",
        text(&r)
    );
}

#[test]
fn a_derived_batch_schedule_when_no_measured_batch_is_fresh_enough() {
    let mut s = sessions();
    s.modes.remove(1); // no 15-minute batch
    s.modes[0].latency.p99_ms = 75.0 * 60_000.0; // the hourly batch queues: p99 75 min
    let a = answers(
        Freshness::OneHour,
        Transformation::Sessionization,
        Experience::Some,
        100.0,
    );
    let r = recommend(&a, &[s]).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
    let sched = r.schedule.as_deref().unwrap();
    assert!(
        sched.starts_with("every 30 minutes") && sched.contains("derived"),
        "{sched}"
    );
    assert!(
        r.evidence
            .rows
            .iter()
            .any(|x| x.label.contains("derived, not measured"))
    );
    assert!(
        r.evidence
            .notes
            .iter()
            .any(|n| n.contains("is derived from the measured service fit"))
    );
}

#[test]
fn an_exact_stream_near_the_fastest_plan_beats_lambda_when_nothing_meets_freshness() {
    // The new user: no plan meets 1 s; stream eager+correct is exact at
    // p99 2.3 s, the lossy eager stream has 2.0 s. One exact stream,
    // not two pipelines.
    let r = recommend(&new_user(), &[fraud_quick()]).unwrap();
    assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
    assert_eq!(r.schedule, None);
    assert!(
        r.reasons[0].starts_with("Stream: stream eager+correct"),
        "{}",
        text(&r)
    );
    // It says that 1 s is out of reach for every mode, and why.
    let t = text(&r);
    assert!(t.contains("out of reach for every mode"), "{t}");
    assert!(t.contains("arrive"), "{t}");

    // The seed's canonical case answers stream with measured reports
    // too, as it does from the rules alone.
    assert_eq!(
        recommend(&canonical(), &[]).unwrap().recommendation,
        Architecture::Stream
    );
    for rep in [fraud_quick(), fraud_full()] {
        let r = recommend(&canonical(), &[rep]).unwrap();
        assert_eq!(r.recommendation, Architecture::Stream, "{}", text(&r));
        assert!(
            r.reasons[0].starts_with("Stream: stream eager+correct"),
            "{}",
            text(&r)
        );
    }
}

// --- scale-out -------------------------------------------------------

/// A measured scale-out curve: 1 s fixed a run, 10 µs an event on one
/// executor, a 10 % serial share, on a 2-core machine.
fn with_scaling(mut r: Report) -> Report {
    use crate::scaling::{ScalingFit, ScalingReport};
    r.scaling = Some(ScalingReport {
        plan: "batch, one run".into(),
        events: 1_000_000,
        machine_cores: 2,
        in_memory_seconds: 5.0,
        parquet_seconds: 6.0,
        points: Vec::new(),
        fit: Some(ScalingFit {
            fixed_seconds: 1.0,
            per_event_seconds_one: 1e-5,
            serial_fraction: 0.1,
        }),
        sizing: Vec::new(),
        notes: Vec::new(),
    });
    r
}

/// Above what one machine sustains, the batch answer says to run it
/// distributed and on how many nodes; below it, it says nothing of a
/// cluster.
#[test]
fn batch_beyond_one_machine_names_the_cluster_size() {
    let reports: Vec<Report> = all_reports().into_iter().map(with_scaling).collect();
    let a = answers(
        Freshness::OneDay,
        Transformation::WindowedAggregation,
        Experience::Some,
        200_000.0,
    );
    let r = recommend(&a, &reports).unwrap();
    assert_eq!(r.recommendation, Architecture::Batch, "{}", text(&r));
    let interval = match r.schedule.as_deref() {
        Some(s) if s.starts_with("every 1 day") => 86_400.0,
        Some(s) if s.starts_with("every 1 hour") => 3_600.0,
        other => panic!("unexpected schedule {other:?}"),
    };
    // Work per run: 200,000 × interval × 10 µs; with 1.5× headroom the
    // smallest k with (1 + work · (0.1 + 0.9/k)) · 1.5 ≤ interval.
    let fit = reports[0].scaling.as_ref().unwrap().fit.unwrap();
    let k = fit
        .executors_for(200_000.0 * interval, interval, 1.5)
        .unwrap();
    assert!(k > 2, "the example must need a cluster: {k}");
    assert!(
        text(&r).contains(&format!("run it distributed on {k} nodes")),
        "{}",
        text(&r)
    );
    let small = answers(
        Freshness::OneDay,
        Transformation::WindowedAggregation,
        Experience::Some,
        10.0,
    );
    let r = recommend(&small, &reports).unwrap();
    assert!(!text(&r).contains("distributed"), "{}", text(&r));
}

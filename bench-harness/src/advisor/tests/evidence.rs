//! The evidence table and the answers' validation.

use super::*;

// --- evidence -------------------------------------------------------

#[test]
fn evidence_costs_are_at_the_users_rate_not_the_scenarios() {
    let a = answers(
        Freshness::FifteenMinutes,
        Transformation::FilterAlert,
        Experience::Some,
        20_000.0,
    );
    let reports = all_reports();
    let r = recommend(&a, &reports).unwrap();
    let m = &reports[0].modes[1];
    let want = cost_at(
        &reports[0].cost_model,
        &m.plan,
        &m.throughput.service_fit,
        &JobConfig::default(),
        20_000.0,
        20_000.0,
        m.resources.peak_memory_bytes as f64,
    )
    .usd;
    let got = row(&r, "batch every 15m").monthly_cost_usd.unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    assert!(
        (got - m.cost.usd).abs() > 1.0,
        "must not be the scenario's cost"
    );
    assert_eq!(r.evidence.events_per_second, 20_000.0);
    assert_eq!(r.evidence.rows.len(), reports[0].modes.len());

    // Daily report: the peak rate is divided by its 1.8 peak-to-mean ratio.
    let d = answers(
        Freshness::OneDay,
        Transformation::HeavyJoin,
        Experience::Some,
        18.0,
    );
    let r = recommend(&d, &reports).unwrap();
    let m = &reports[1].modes[1];
    let want = cost_at(
        &reports[1].cost_model,
        &m.plan,
        &m.throughput.service_fit,
        &JobConfig::default(),
        10.0,
        18.0,
        m.resources.peak_memory_bytes as f64,
    )
    .usd;
    assert!((row(&r, "batch every 1h").monthly_cost_usd.unwrap() - want).abs() < 1e-9);
}

#[test]
fn workload_choice_picks_the_report_and_unknown_names_are_rejected() {
    let a = Answers {
        workload: Some("sessionization".to_string()),
        ..answers(
            Freshness::OneHour,
            Transformation::FilterAlert,
            Experience::Some,
            100.0,
        )
    };
    let r = recommend(&a, &all_reports()).unwrap();
    assert_eq!(r.evidence.workload, Some(WorkloadKind::Sessionization));
    // A known workload with no stored report: the closest one instead.
    let r = recommend(&a, &[fraud()]).unwrap();
    assert_eq!(r.evidence.workload, Some(WorkloadKind::FraudAlerts));
    assert!(
        r.evidence
            .notes
            .iter()
            .any(|n| n.contains("No measured report of sessionization"))
    );
    let bad = Answers {
        workload: Some("payroll".to_string()),
        ..a
    };
    let errs = recommend(&bad, &all_reports()).unwrap_err();
    assert_eq!(errs[0].field, "workload");
}

#[test]
fn the_json_contract_matches_the_api() {
    let json = r#"{"freshness":"1m","transformation":"enrichment","team_experience":"none",
        "budget_usd_per_month":null,"events_per_second":300,"late_data":"none","reprocessing":"rare",
        "workload":null}"#;
    let a = parse_answers(json).unwrap();
    assert_eq!(a.freshness, Freshness::OneMinute);
    let r = recommend(&a, &all_reports()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["recommendation"], "micro-batch");
    assert_eq!(v["schedule"], "trigger every 30 seconds");
    assert_eq!(v["evidence"]["workload"], "fraud-alerts");
    assert_eq!(v["evidence"]["rows"][0]["mode"], "batch");
    assert!(v["evidence"]["rows"][0]["monthly_cost_usd"].is_number());
    assert!(v["what_would_change"].is_array());
    let back: Recommendation = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    // Optional fields may be left out.
    let short = r#"{"freshness":"1d","transformation":"ml-training","team_experience":"expert",
        "events_per_second":5,"late_data":"heavy","reprocessing":"often"}"#;
    let a: Answers = serde_json::from_str(short).unwrap();
    assert_eq!((a.budget_usd_per_month, a.workload), (None, None));
    assert_eq!(serde_json::to_value(Freshness::TenSeconds).unwrap(), "10s");
}

// --- validation -----------------------------------------------------

#[test]
fn validation_names_the_field() {
    let good = answers(
        Freshness::OneHour,
        Transformation::Enrichment,
        Experience::Some,
        100.0,
    );
    assert!(good.validate().is_ok());
    for (rate, needle) in [
        (-5.0, "greater than 0"),
        (0.0, "greater than 0"),
        (f64::NAN, "finite"),
        (f64::INFINITY, "finite"),
        (2e7, "at most 10,000,000"),
    ] {
        let errs = recommend(
            &Answers {
                events_per_second: rate,
                ..good.clone()
            },
            &all_reports(),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "events_per_second");
        assert!(errs[0].message.contains(needle), "{rate}: {}", errs[0]);
    }
    let both = Answers {
        events_per_second: -1.0,
        budget_usd_per_month: Some(-3.0),
        ..good.clone()
    };
    let fields: Vec<String> = both
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["events_per_second", "budget_usd_per_month"]);
    let nan_budget = Answers {
        budget_usd_per_month: Some(f64::NAN),
        ..good
    };
    assert_eq!(
        nan_budget.validate().unwrap_err()[0].field,
        "budget_usd_per_month"
    );
}

#[test]
fn unknown_fields_and_values_are_rejected_by_name() {
    let json = r#"{"freshness":"15m","transformation":"enrichment","team_experience":"some",
        "budget_usd_per_month":null,"events_per_second":300,"late_data":"none","reprocessing":"rare",
        "workload":null,"colour":"blue"}"#;
    let err = serde_json::from_str::<Answers>(json).unwrap_err();
    assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    let errs = parse_answers(json).unwrap_err();
    assert_eq!(errs[0].field, "colour");

    let bad_value = json
        .replace(r#""15m""#, r#""2s""#)
        .replace(r#","colour":"blue""#, "");
    let errs = parse_answers(&bad_value).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "freshness");
    assert!(errs[0].message.contains("2s"), "{}", errs[0]);

    let missing = r#"{"freshness":"15m"}"#;
    let fields: Vec<String> = parse_answers(missing)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert!(
        fields.contains(&"events_per_second".to_string()),
        "{fields:?}"
    );

    let negative = json
        .replace("300", "-300")
        .replace(r#","colour":"blue""#, "");
    assert_eq!(
        parse_answers(&negative).unwrap_err()[0].field,
        "events_per_second"
    );
    assert_eq!(parse_answers("[1]").unwrap_err()[0].field, "body");
}

#[test]
fn formatting_reads_like_people_write() {
    assert_eq!(units::duration_ms(959_999.0), "16 min");
    assert_eq!(units::duration_ms(1_986.0), "2.0 s");
    assert_eq!(units::duration_ms(62_783.0), "63 s");
    assert_eq!(units::duration_ms(850.0), "850 ms");
    assert_eq!(units::duration_ms(3.0 * 3_600_000.0), "3 h");
    assert_eq!(units::usd(2.466), "$2.47");
    assert_eq!(units::usd(1234.5), "$1,234.50");
    assert_eq!(units::usd(123_456.7), "$123,457");
    assert_eq!(units::rate(50_000.0), "50,000");
    assert_eq!(units::rate(2.5), "2.5");
    assert_eq!(interval_words(15 * MINUTE), "15 minutes");
    assert_eq!(interval_words(HOUR), "1 hour");
    assert_eq!(round_sig(12_345.0), 12_000.0);
}

//! Unit tests of spec parsing and of each validation rule.

use workloads::WorkloadKind;
use workloads::duration::Duration;
use workloads::time::{HOUR, MINUTE, SECOND};

use super::*;
use crate::plan::Plan;
use crate::scenario::Scenario;

const FRAUD: &str = REFERENCE_SPECS[0].1;
const CUSTOM_TOML: &str = include_str!("../../../workloads/specs/custom-large-amounts.toml");
const CUSTOM_JSON: &str = include_str!("../../../workloads/specs/custom-sessions.json");
const CUSTOM_SQL: &str = include_str!("../../../workloads/specs/custom-sql-spend.toml");

/// A small valid spec to mutate in rule tests.
const BASE: &str = r#"
name = "t"
[workload]
reference = "fraud-alerts"
[load]
events_per_second = 100
duration = "10m"
[[candidates.batch]]
every = "5m"
"#;

fn ok(text: &str) -> Spec {
    parse(text, SpecFormat::Toml).unwrap_or_else(|e| panic!("{}", format_errors(&e)))
}

fn errors(text: &str, format: SpecFormat) -> Vec<FieldError> {
    match parse(text, format) {
        Ok(s) => panic!("expected errors, parsed {s:?}"),
        Err(e) => {
            assert!(!e.is_empty());
            e
        }
    }
}

/// Asserts that parsing `text` fails with an error at `path` whose message
/// contains `needle`.
fn fails_at(text: &str, path: &str, needle: &str) {
    let errs = errors(text, SpecFormat::Toml);
    assert!(
        errs.iter()
            .any(|e| e.path == path && e.message.contains(needle)),
        "no error at `{path}` containing {needle:?}; got:\n{}",
        format_errors(&errs)
    );
}

/// `BASE` with one `[load]` line replaced or added.
fn with_load(line: &str) -> String {
    let key = line.split('=').next().unwrap().trim();
    let mut out = String::new();
    let mut replaced = false;
    for l in BASE.lines() {
        if l.split('=').next().unwrap().trim() == key && !l.starts_with("name") {
            out += line;
            replaced = true;
        } else {
            out += l;
        }
        out.push('\n');
        if l == "[load]" && !BASE.contains(&format!("\n{key} =")) {
            out += line;
            out.push('\n');
            replaced = true;
        }
    }
    assert!(replaced);
    out
}

#[test]
fn reference_specs_reproduce_the_default_scenarios() {
    for (kind, text) in REFERENCE_SPECS {
        let spec = parse(text, SpecFormat::Toml)
            .unwrap_or_else(|e| panic!("{kind}: {}", format_errors(&e)));
        assert_eq!(spec.name, kind.name());
        assert_eq!(spec.workload.reference, Some(kind));
        let mut s = spec.to_scenario();
        let expected = legacy_default_for(kind);
        assert_eq!(s.name, kind.name());
        s.name = expected.name.clone();
        assert_eq!(s, expected, "{kind}");
        assert_eq!(Scenario::default_for(kind), expected, "{kind}");
    }
}

/// The hard-coded defaults `Scenario::default_for` had before it read the
/// spec files, kept to prove the files reproduce them.
fn legacy_default_for(workload: WorkloadKind) -> Scenario {
    use crate::cost::CostModel;
    use crate::scenario::RealtimeConfig;
    use workloads::generate::{GenConfig, RateProfile};
    use workloads::mode::{EmitPolicy, JobConfig, Lateness, StreamConfig};
    use workloads::time::DAY;
    let stream = |policy, delay, allowed: Option<i64>| {
        Plan::Stream(StreamConfig {
            lateness: Lateness {
                watermark_delay: delay,
                allowed_lateness: allowed,
            },
            policy,
        })
    };
    let micro = |trigger, delay, allowed: Option<i64>| Plan::MicroBatch {
        trigger_ms: trigger,
        lateness: Lateness {
            watermark_delay: delay,
            allowed_lateness: allowed,
        },
    };
    let batch = |interval, offset, drop_late| Plan::Batch {
        interval_ms: interval,
        offset_ms: offset,
        drop_late,
    };
    let base = GenConfig::default();
    let (generator, plans) = match workload {
        WorkloadKind::FraudAlerts => (
            GenConfig {
                duration_ms: HOUR,
                rate: RateProfile::Constant {
                    events_per_second: 300.0,
                },
                keys: 20_000,
                zipf_s: Some(1.1),
                jitter_ms: 2 * SECOND,
                late_fraction: 0.01,
                max_lateness_ms: 10 * MINUTE,
                ..base
            },
            vec![
                batch(HOUR, 0, false),
                batch(15 * MINUTE, 0, false),
                micro(MINUTE, 5 * SECOND, Some(15 * MINUTE)),
                micro(10 * SECOND, 5 * SECOND, Some(15 * MINUTE)),
                stream(EmitPolicy::Eager, 0, Some(MINUTE)),
                stream(EmitPolicy::Final, 5 * SECOND, Some(MINUTE)),
                stream(EmitPolicy::EagerCorrect, 5 * SECOND, Some(15 * MINUTE)),
            ],
        ),
        WorkloadKind::DailyReport => (
            GenConfig {
                duration_ms: 2 * DAY,
                rate: RateProfile::Daily {
                    mean_events_per_second: 8.0,
                    peak_to_mean: 1.8,
                    peak_hour_utc: 18.0,
                },
                keys: 5_000,
                zipf_s: Some(1.0),
                jitter_ms: 30 * SECOND,
                late_fraction: 0.005,
                max_lateness_ms: 2 * HOUR,
                ..base
            },
            vec![
                batch(DAY, 30 * MINUTE, true),
                batch(HOUR, 0, false),
                batch(15 * MINUTE, 0, false),
                micro(MINUTE, MINUTE, Some(3 * HOUR)),
                stream(EmitPolicy::Final, MINUTE, Some(HOUR)),
                stream(EmitPolicy::EagerCorrect, MINUTE, Some(3 * HOUR)),
            ],
        ),
        WorkloadKind::Custom => unreachable!("not a reference workload"),
        WorkloadKind::Sessionization => (
            GenConfig {
                duration_ms: 3 * HOUR,
                rate: RateProfile::Constant {
                    events_per_second: 100.0,
                },
                keys: 50_000,
                zipf_s: Some(0.8),
                jitter_ms: 5 * SECOND,
                late_fraction: 0.01,
                max_lateness_ms: 20 * MINUTE,
                ..base
            },
            vec![
                batch(HOUR, 0, false),
                batch(15 * MINUTE, 0, false),
                micro(MINUTE, 10 * SECOND, Some(30 * MINUTE)),
                stream(EmitPolicy::Eager, 0, Some(5 * MINUTE)),
                stream(EmitPolicy::Final, 10 * SECOND, Some(5 * MINUTE)),
                stream(EmitPolicy::EagerCorrect, 10 * SECOND, Some(30 * MINUTE)),
            ],
        ),
    };
    Scenario {
        name: format!("{workload} (default)"),
        workload,
        generator,
        plans,
        cost: CostModel::default(),
        job: JobConfig::default(),
        realtime: Some(RealtimeConfig::default()),
        custom: None,
    }
}

#[test]
fn custom_examples_parse_in_both_syntaxes() {
    let t = ok(CUSTOM_TOML);
    assert!(t.workload.custom.is_some() && t.workload.reference.is_none());
    assert_eq!(t.slo.freshness, Some(Duration(2 * MINUTE)));
    assert_eq!(t.slo.budget_usd_per_month, Some(150.0));
    assert_eq!(t.cost_model().vcpu_hour_usd, 0.05);
    let j =
        parse(CUSTOM_JSON, SpecFormat::Json).unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    assert_eq!(j.name, "custom-checkout-sessions");
    assert!(!j.realtime);
    assert_eq!(j.to_scenario().realtime, None);
    assert_eq!(j.plans().len(), 4);
}

#[test]
fn toml_and_json_read_the_same_schema() {
    let spec = ok(FRAUD);
    let json = serde_json::to_string_pretty(&spec).unwrap();
    let back = parse(&json, SpecFormat::Json).unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    assert_eq!(back, spec);
    let toml_text = toml::to_string(&spec).unwrap();
    assert_eq!(ok(&toml_text), spec);
}

#[test]
fn defaults_fill_what_a_spec_leaves_out() {
    let s = ok(BASE);
    let g = s.generator();
    assert_eq!(g.seed, 42);
    assert_eq!(g.keys, 10_000);
    assert_eq!(g.zipf_s, None);
    assert_eq!(g.jitter_ms, 2 * SECOND);
    assert_eq!(g.max_lateness_ms, 10 * MINUTE);
    assert_eq!(g.late_fraction, 0.01);
    assert!(s.realtime);
    assert_eq!(s.slo, Slo::default());
    assert_eq!(s.cost_model(), crate::cost::CostModel::default());
    assert_eq!(
        s.plans(),
        vec![Plan::Batch {
            interval_ms: 5 * MINUTE,
            offset_ms: 0,
            drop_late: false
        }]
    );
}

#[test]
fn the_rate_is_bounded_and_the_message_names_field_and_rule() {
    let errs = errors(&with_load("events_per_second = -3"), SpecFormat::Toml);
    assert_eq!(
        errs[0].to_string(),
        "load.events_per_second: must be between 1 and 5000000, got -3"
    );
    fails_at(
        &with_load("events_per_second = 5000001"),
        "load.events_per_second",
        "5000000",
    );
    fails_at(
        &with_load("events_per_second = nan"),
        "load.events_per_second",
        "NaN",
    );
    ok(&with_load("events_per_second = 5000000").replace("\"10m\"", "\"1s\""));
}

#[test]
fn events_per_run_are_capped() {
    // 10 000 events/s for 1 h = 36 M events.
    let text = with_load("events_per_second = 10000").replace("\"10m\"", "\"1h\"");
    fails_at(&text, "load", "20000000");
    // 5 000 events/s for 1 h = 18 M: fine.
    ok(&with_load("events_per_second = 5000").replace("\"10m\"", "\"1h\""));
}

#[test]
fn durations_are_bounded_and_typed() {
    fails_at(
        &with_load("duration = \"32d\""),
        "load.duration",
        "between 1s and 31d",
    );
    fails_at(&with_load("duration = \"0s\""), "load.duration", "got 0ms");
    fails_at(
        &with_load("duration = \"5 weeks\""),
        "load.duration",
        "unknown unit",
    );
    fails_at(
        &with_load("jitter = \"2h\""),
        "load.jitter",
        "between 0ms and 1h",
    );
    fails_at(
        &with_load("max_lateness = \"8d\""),
        "load.max_lateness",
        "7d",
    );
    fails_at(
        &with_load("jitter = \"1m\"\nmax_lateness = \"30s\""),
        "load.max_lateness",
        "between `jitter` (1m)",
    );
}

#[test]
fn keys_skew_lateness_and_peak_are_bounded() {
    fails_at(
        &with_load("keys = 0"),
        "load.keys",
        "between 1 and 10000000",
    );
    fails_at(&with_load("keys = 10000001"), "load.keys", "got 10000001");
    fails_at(&with_load("keys = -1"), "load.keys", "invalid value");
    fails_at(
        &with_load("key_skew = 0"),
        "load.key_skew",
        "greater than 0",
    );
    fails_at(
        &with_load("late_fraction = 1.5"),
        "load.late_fraction",
        "between 0 and 1",
    );
    let peak =
        |p: &str, h: &str| format!("{BASE}[load.peak]\npeak_to_mean = {p}\npeak_hour_utc = {h}\n");
    fails_at(
        &peak("2.5", "3"),
        "load.peak.peak_to_mean",
        "between 1 and 2",
    );
    fails_at(
        &peak("1.5", "24"),
        "load.peak.peak_hour_utc",
        "less than 24",
    );
    let s = ok(&peak("1.5", "3"));
    assert_eq!(s.generator().rate.peak(), 150.0);
}

#[test]
fn names_are_safe_directory_names() {
    for good in ["a", "0", "fraud-alerts", "a_b-9", &"x".repeat(64)] {
        assert!(valid_spec_name(good), "{good}");
    }
    for bad in [
        "",
        "-a",
        "_a",
        "A",
        "a b",
        "../etc",
        "a/b",
        "a.b",
        "é",
        &"x".repeat(65),
    ] {
        assert!(!valid_spec_name(bad), "{bad}");
        let text = BASE.replace("name = \"t\"", &format!("name = {bad:?}"));
        fails_at(&text, "name", "a-z, 0-9");
    }
}

#[test]
fn descriptions_are_bounded() {
    let long = BASE.replace(
        "name = \"t\"",
        &format!("name = \"t\"\ndescription = \"{}\"", "d".repeat(1025)),
    );
    fails_at(&long, "description", "at most 1024 bytes");
    let ctrl = BASE.replace("name = \"t\"", "name = \"t\"\ndescription = \"a\\u0007b\"");
    fails_at(&ctrl, "description", "printable");
}

#[test]
fn workload_must_be_exactly_one_known_kind() {
    fails_at(
        &BASE.replace("reference = \"fraud-alerts\"", "reference = \"fraud\""),
        "workload.reference",
        "unknown variant `fraud`",
    );
    fails_at(
        &BASE.replace("reference = \"fraud-alerts\"", ""),
        "workload",
        "got neither",
    );
    let both = CUSTOM_TOML.replace("[load]", "[workload]\nreference = \"fraud-alerts\"\n[load]");
    // A second [workload] header is a TOML error; inline both instead.
    assert!(parse(&both, SpecFormat::Toml).is_err());
    let mut spec = ok(CUSTOM_TOML);
    spec.workload.reference = Some(WorkloadKind::FraudAlerts);
    let errs = spec.validate().unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.path == "workload" && e.message.contains("got both"))
    );
}

#[test]
fn custom_workloads_are_validated_with_their_path_and_refuse_reference_knobs() {
    let bad = CUSTOM_TOML.replace("key = \"card\"", "key = \"nope\"");
    fails_at(&bad, "workload.custom.query.key", "no column named `nope`");
    let keys = CUSTOM_TOML.replace("seed = 7", "seed = 7\nkeys = 10\nkey_skew = 1.0");
    fails_at(&keys, "load.keys", "only to reference workloads");
    fails_at(&keys, "load.key_skew", "only to reference workloads");
    let custom = ok(CUSTOM_TOML);
    assert!(custom.runnable().is_ok());
    let s = custom.to_scenario();
    assert_eq!(s.workload, WorkloadKind::Custom);
    assert_eq!(s.custom.as_ref(), custom.workload.custom.as_ref());
    assert!(ok(BASE).runnable().is_ok());
    fails_at(
        &BASE.replace("\"fraud-alerts\"", "\"custom\""),
        "workload.reference",
        "not a reference workload",
    );
}

#[test]
fn candidates_are_bounded_checked_and_unique() {
    let many = |mode: &str, n: usize, entry: &dyn Fn(usize) -> String| {
        let mut t = BASE.replace("[[candidates.batch]]\nevery = \"5m\"\n", "");
        for i in 0..n {
            t += &format!("[[candidates.{mode}]]\n{}\n", entry(i));
        }
        t
    };
    let batch = |i: usize| format!("every = \"{}m\"", i + 1);
    fails_at(&many("batch", 9, &batch), "candidates.batch", "at most 8");
    ok(&many("batch", 8, &batch));
    fails_at(&many("batch", 0, &batch), "candidates", "1 to 16");
    let mut seventeen = many("batch", 8, &batch);
    for i in 0..8 {
        seventeen += &format!("[[candidates.micro_batch]]\nevery = \"{}s\"\n", i + 1);
    }
    ok(&seventeen);
    seventeen += "[[candidates.stream]]\nemit = \"final\"\n";
    fails_at(&seventeen, "candidates", "got 17");
    fails_at(
        &format!("{BASE}[[candidates.batch]]\nevery = \"5m\"\n"),
        "candidates.batch[1]",
        "duplicates candidates.batch[0]",
    );
    fails_at(
        &format!("{BASE}[[candidates.batch]]\nevery = \"1h\"\noffset = \"1h\"\n"),
        "candidates.batch[1].offset",
        "less than `every`",
    );
    // 10m + 10m of arrivals: 1200 one-second runs are fine, 1s batches over 2d are not.
    ok(&format!("{BASE}[[candidates.batch]]\nevery = \"1s\"\n"));
    fails_at(
        &format!("{BASE}[[candidates.batch]]\nevery = \"1s\"\n").replace("\"10m\"", "\"2d\""),
        "candidates.batch[1].every",
        "more than 2000",
    );
    fails_at(
        &format!("{BASE}[[candidates.micro_batch]]\nevery = \"100ms\"\n")
            .replace("\"10m\"", "\"1d\""),
        "candidates.micro_batch[0].every",
        "triggers, more than 50000",
    );
    fails_at(
        &format!("{BASE}[[candidates.micro_batch]]\nevery = \"10ms\"\n"),
        "candidates.micro_batch[0].every",
        "between 100ms and 1d",
    );
    fails_at(
        &format!("{BASE}[[candidates.stream]]\nemit = \"final\"\nallowed_lateness = \"8d\"\n"),
        "candidates.stream[0].allowed_lateness",
        "7d",
    );
    fails_at(
        &format!("{BASE}[[candidates.stream]]\nemit = \"final\"\nwatermark_delay = \"2d\"\n"),
        "candidates.stream[0].watermark_delay",
        "1d",
    );
    fails_at(
        &format!("{BASE}[[candidates.stream]]\nemit = \"sometimes\"\n"),
        "candidates.stream[0].emit",
        "eager+correct",
    );
    let s = ok(&format!(
        "{BASE}[[candidates.stream]]\nemit = \"eager-correct\"\n"
    ));
    assert_eq!(
        s.plans()[1].label(),
        "stream eager+correct, wm 0ms, late folded in"
    );
}

#[test]
fn slo_and_cost_overrides_are_bounded() {
    fails_at(
        &format!("{BASE}[slo]\nfreshness = \"0s\"\n"),
        "slo.freshness",
        "between 1ms and 31d",
    );
    fails_at(
        &format!("{BASE}[slo]\np99_latency = \"40d\"\n"),
        "slo.p99_latency",
        "31d",
    );
    fails_at(
        &format!("{BASE}[slo]\nbudget_usd_per_month = 0\n"),
        "slo.budget_usd_per_month",
        "greater than 0",
    );
    fails_at(
        &format!("{BASE}[cost]\nvcpu_hour_usd = -1\n"),
        "cost.vcpu_hour_usd",
        "greater than 0",
    );
    fails_at(
        &format!("{BASE}[cost]\ngb_hour_usd = 11\n"),
        "cost.gb_hour_usd",
        "at most 10",
    );
    fails_at(
        &format!("{BASE}[cost]\nheadroom = 0.5\n"),
        "cost.headroom",
        "between 1 and 10",
    );
    fails_at(
        &format!("{BASE}[cost]\nbatch_startup_seconds = 4000\n"),
        "cost.batch_startup_seconds",
        "3600",
    );
    fails_at(
        &format!("{BASE}[cost]\nvcpu_step = 0\n"),
        "cost.vcpu_step",
        "greater than 0",
    );
    fails_at(
        &format!("{BASE}[cost]\nmin_memory_gb = inf\n"),
        "cost.min_memory_gb",
        "at most 1024",
    );
    let s = ok(&format!(
        "{BASE}[slo]\nfreshness = \"5m\"\np99_latency = \"1s\"\nbudget_usd_per_month = 99.5\n[cost]\nheadroom = 2\n"
    ));
    assert_eq!(s.slo.freshness, Some(Duration(5 * MINUTE)));
    assert_eq!(s.slo.p99_latency, Some(Duration(SECOND)));
    assert_eq!(s.cost_model().headroom, 2.0);
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let text = BASE.replace("name = \"t\"", "name = \"Bad Name\"").replace(
        "events_per_second = 100",
        "events_per_second = 0\nlate_fraction = 2",
    ) + "[slo]\nbudget_usd_per_month = -5\n";
    let errs = errors(&text, SpecFormat::Toml);
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    for p in [
        "name",
        "load.events_per_second",
        "load.late_fraction",
        "slo.budget_usd_per_month",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
}

#[test]
fn unknown_fields_are_errors_with_their_path() {
    fails_at(
        &with_load("event_per_second = 5"),
        "load.event_per_second",
        "unknown field",
    );
    fails_at(
        &format!("{BASE}[slo]\nfreshnes = \"1m\"\n"),
        "slo.freshnes",
        "unknown field",
    );
    fails_at(
        &format!("{BASE}colour = \"red\"\n"),
        "candidates.batch[0].colour",
        "unknown field",
    );
    fails_at(
        &BASE.replace("name = \"t\"", "name = \"t\"\ntypo = 1"),
        "typo",
        "unknown field",
    );
    let json = r#"{"name":"t","workload":{"reference":"fraud-alerts"},"load":{"events_per_second":1,"duration":"1m","extra":1},"candidates":{"batch":[{"every":"1m"}]}}"#;
    let errs = errors(json, SpecFormat::Json);
    assert_eq!(errs[0].path, "load.extra", "{errs:?}");
    assert!(errs[0].message.contains("unknown field `extra`"));
}

#[test]
fn syntax_and_type_errors_carry_path_and_line() {
    let errs = errors("name = \"t\"\n[load\n", SpecFormat::Toml);
    assert!(
        errs[0].message.starts_with("TOML:") && errs[0].message.contains("line 2"),
        "{errs:?}"
    );
    let errs = errors(&with_load("events_per_second = \"fast\""), SpecFormat::Toml);
    assert_eq!(errs[0].path, "load.events_per_second");
    assert!(
        errs[0].message.contains("invalid type") && errs[0].message.contains("line "),
        "{errs:?}"
    );
    let errs = errors("{\"name\": \"t\",\n \"load\": 5}", SpecFormat::Json);
    assert_eq!(errs[0].path, "load");
    assert!(errs[0].message.contains("line 2"), "{errs:?}");
    let errs = errors("{\"name\": ", SpecFormat::Json);
    assert!(errs[0].message.starts_with("JSON:"), "{errs:?}");
    let json = serde_json::to_string(&ok(BASE)).unwrap() + " trailing";
    let errs = errors(&json, SpecFormat::Json);
    assert!(errs[0].message.contains("trailing"), "{errs:?}");
    let errs = errors("name = \"t\"", SpecFormat::Toml);
    assert!(errs[0].message.contains("missing field `load`"), "{errs:?}");
}

#[test]
fn size_emptiness_and_encoding_are_checked_first() {
    for empty in ["", "   \n\t"] {
        let errs = errors(empty, SpecFormat::Toml);
        assert!(errs[0].message.contains("empty"));
    }
    let big = format!("{BASE}#{}\n", "x".repeat(MAX_SPEC_BYTES));
    let errs = errors(&big, SpecFormat::Toml);
    assert!(errs[0].message.contains("65536"), "{errs:?}");
    let errs = parse_bytes(&[0xff, 0xfe, 0x00, 0x41], SpecFormat::Toml).unwrap_err();
    assert!(errs[0].message.contains("not UTF-8"), "{errs:?}");
    let deep = "a = ".to_string() + &"[".repeat(30_000);
    assert!(parse(&deep, SpecFormat::Toml).is_err());
    let deep = "[".repeat(30_000);
    assert!(parse(&deep, SpecFormat::Json).is_err());
}

#[test]
fn formats_are_detected_from_extension_content_type_and_content() {
    use std::path::Path;
    assert_eq!(
        SpecFormat::from_path(Path::new("a/b.TOML")),
        Some(SpecFormat::Toml)
    );
    assert_eq!(
        SpecFormat::from_path(Path::new("b.json")),
        Some(SpecFormat::Json)
    );
    assert_eq!(SpecFormat::from_path(Path::new("b.yaml")), None);
    assert_eq!(SpecFormat::from_path(Path::new("noext")), None);
    assert_eq!(
        SpecFormat::from_content_type("application/json; charset=utf-8"),
        Some(SpecFormat::Json)
    );
    assert_eq!(
        SpecFormat::from_content_type("application/toml"),
        Some(SpecFormat::Toml)
    );
    assert_eq!(SpecFormat::from_content_type("text/plain"), None);
    assert_eq!(SpecFormat::sniff("  {\"a\":1}"), SpecFormat::Json);
    assert_eq!(SpecFormat::sniff("# c\nname = 1"), SpecFormat::Toml);
}

#[test]
fn load_reads_files_by_extension_or_content_and_bounds_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("spec");
    std::fs::write(&json, CUSTOM_JSON).unwrap();
    assert_eq!(load(&json).unwrap().name, "custom-checkout-sessions");
    let big = dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; 10 << 20]).unwrap();
    let e = format!("{:#}", load(&big).unwrap_err());
    assert!(e.contains("larger than the 65536 bytes"), "{e}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, with_load("events_per_second = -3")).unwrap();
    let e = format!("{:#}", load(&bad).unwrap_err());
    assert!(
        e.contains("load.events_per_second: must be between 1 and 5000000, got -3"),
        "{e}"
    );
    let e = format!("{:#}", load(&dir.path().join("missing.toml")).unwrap_err());
    assert!(e.contains("missing.toml"), "{e}");
}

#[test]
fn every_valid_spec_gives_a_generator_that_validates() {
    for text in [
        FRAUD,
        REFERENCE_SPECS[1].1,
        REFERENCE_SPECS[2].1,
        CUSTOM_TOML,
        BASE,
    ] {
        let s = ok(text);
        s.generator().validate().unwrap();
        assert_eq!(s.to_scenario().plans.len(), s.candidates.count());
    }
}

#[test]
fn the_examples_in_the_docs_are_valid_specs() {
    let doc = include_str!("../../../docs/specs.md");
    let mut n = 0;
    for (fence, format) in [
        ("```toml\n", SpecFormat::Toml),
        ("```json\n", SpecFormat::Json),
    ] {
        for block in doc.split(fence).skip(1) {
            let text = block.split("```").next().unwrap();
            parse(text, format).unwrap_or_else(|e| panic!("{text}\n{}", format_errors(&e)));
            n += 1;
        }
    }
    assert_eq!(n, 3);
}

/// A custom workload written as SQL: the shipped example parses into the
/// structured query it says, keeps its text for the report, and bad SQL is
/// an error naming the field and the place in the SQL.
#[test]
fn a_custom_workload_may_be_written_in_sql() {
    use workloads::custom::{AggFunction, CompareOp, Literal, WindowDef};
    let spec = ok(CUSTOM_SQL);
    let scenario = spec.to_scenario();
    let def = scenario.custom.as_ref().expect("a custom definition");
    let q = &def.query;
    assert_eq!(q.key, "card_id");
    assert_eq!(q.filter.len(), 1);
    assert_eq!(q.filter[0].op, CompareOp::Ne);
    assert_eq!(q.filter[0].value, Literal::Text("US".into()));
    assert!(
        matches!(q.window, WindowDef::Sliding { size, slide } if size.0 == 300_000 && slide.0 == 60_000)
    );
    let functions: Vec<AggFunction> = q.aggregates.iter().map(|a| a.function).collect();
    assert_eq!(functions, [AggFunction::Sum, AggFunction::Count]);
    assert_eq!(
        q.alert.as_ref().map(|a| a.aggregate.as_str()),
        Some("total")
    );
    assert!(
        def.sql
            .as_deref()
            .is_some_and(|t| t.contains("HOP(event_time"))
    );
    // SQL that names a column the events lack: the error names the spec
    // field, the SQL's line and column, and the known columns.
    let bad = CUSTOM_SQL.replace("SUM(amount) AS total", "SUM(amount_usd) AS total");
    let errs = parse(&bad, SpecFormat::Toml).unwrap_err();
    let text = format_errors(&errs);
    assert!(text.contains("workload.custom"), "{text}");
    assert!(text.contains("sql: line 1, column 33"), "{text}");
    assert!(text.contains("amount_usd"), "{text}");
}

/// Every SQL example of docs/specs.md parses over the shipped SQL spec's
/// columns into a definition that validates.
#[test]
fn the_sql_examples_in_the_docs_parse() {
    let doc = include_str!("../../../docs/specs.md");
    let spec = ok(CUSTOM_SQL);
    let def = spec.to_scenario().custom.expect("a custom definition");
    let mut n = 0;
    for block in doc.split("```sql\n").skip(1) {
        let sql = block.split("```").next().unwrap();
        let query = workloads::custom::sql::query_from_sql(sql, &def.columns)
            .unwrap_or_else(|e| panic!("{sql}\n{e}"));
        let parsed = workloads::custom::CustomDef {
            columns: def.columns.clone(),
            query,
            sql: Some(sql.to_string()),
        };
        parsed
            .validate("docs")
            .unwrap_or_else(|e| panic!("{sql}\n{e:?}"));
        n += 1;
    }
    assert_eq!(n, 3);
}

/// `[engine]`: the jobs' engine, a local Ballista cluster's size bounded
/// and only with `ballista`, unknown kinds and keys refused.
#[test]
fn the_engine_section_picks_the_jobs_engine_within_bounds() {
    use workloads::mode::Engine;
    assert_eq!(ok(BASE).to_scenario().job.engine, Engine::InMemory);
    let parquet = ok(&format!("{BASE}[engine]\nkind = \"parquet\"\n"));
    assert_eq!(parquet.to_scenario().job.engine, Engine::Parquet);
    let ballista = ok(&format!(
        "{BASE}[engine]\nkind = \"ballista\"\nexecutors = 4\n"
    ));
    let engine = ballista.to_scenario().job.engine;
    assert_eq!(engine.wants_local_cluster(), Some(4), "{engine:?}");
    let default_size = ok(&format!("{BASE}[engine]\nkind = \"ballista\"\n"));
    assert_eq!(
        default_size.to_scenario().job.engine.wants_local_cluster(),
        Some(crate::engine::DEFAULT_EXECUTORS)
    );
    fails_at(
        &format!("{BASE}[engine]\nkind = \"ballista\"\nexecutors = 17\n"),
        "engine.executors",
        "between 1 and 16",
    );
    fails_at(
        &format!("{BASE}[engine]\nkind = \"ballista\"\nexecutors = 0\n"),
        "engine.executors",
        "between 1 and 16",
    );
    fails_at(
        &format!("{BASE}[engine]\nexecutors = 2\n"),
        "engine.executors",
        "only goes with",
    );
    let errs = errors(
        &format!("{BASE}[engine]\nkind = \"spark\"\n"),
        SpecFormat::Toml,
    );
    assert!(
        errs.iter().any(|e| e.path.starts_with("engine")),
        "{}",
        format_errors(&errs)
    );
    let errs = errors(&format!("{BASE}[engine]\nnodes = 2\n"), SpecFormat::Toml);
    assert!(
        errs.iter().any(|e| e.path.starts_with("engine")),
        "{}",
        format_errors(&errs)
    );
}

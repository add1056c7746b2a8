//! The advisor's decision logic (`advisor::recommend`): how long one
//! recommendation takes over real reports of the three reference workloads.
//! The web app calls it per request, so it must stay far below a
//! millisecond; this bench catches an accidental blow-up (for example a
//! search over plans that turns quadratic).
//!
//! Setup measures the reports first (small scenarios, a few seconds);
//! only `recommend` is timed.
//!
//! Run: `cargo bench -p bench-harness --bench advisor`.

use std::hint::black_box;

use bench_harness::advisor::{Answers, Freshness, LateData, recommend};
use bench_harness::runner::{quiet, run_scenario};
use bench_harness::scenario::Scenario;
use criterion::{Criterion, criterion_group, criterion_main};
use workloads::WorkloadKind;
use workloads::time::MINUTE;

/// A measured report of each reference workload over a short span.
fn reports() -> Vec<bench_harness::report::Report> {
    [
        WorkloadKind::FraudAlerts,
        WorkloadKind::DailyReport,
        WorkloadKind::Sessionization,
    ]
    .into_iter()
    .map(|w| {
        let mut s = Scenario::default_for(w);
        s.generator.duration_ms = s.generator.duration_ms.min(10 * MINUTE);
        s.realtime = None;
        run_scenario(&s, quiet()).expect("the bench scenario runs")
    })
    .collect()
}

fn benches(c: &mut Criterion) {
    let reports = reports();
    let mut g = c.benchmark_group("advisor");
    g.bench_function("recommend (default answers, 3 reports)", |b| {
        let answers = Answers::default();
        b.iter(|| black_box(recommend(black_box(&answers), &reports).expect("valid")))
    });
    // Every freshness step × late-data level × three rates: the whole
    // range of questionnaire answers the web form can send.
    let grid: Vec<Answers> = Freshness::ALL
        .into_iter()
        .flat_map(|freshness| {
            [LateData::None, LateData::Some, LateData::Heavy]
                .into_iter()
                .flat_map(move |late_data| {
                    [10.0, 1_000.0, 100_000.0].map(|events_per_second| Answers {
                        freshness,
                        late_data,
                        events_per_second,
                        ..Answers::default()
                    })
                })
        })
        .collect();
    g.bench_function(format!("recommend × {} answer sets", grid.len()), |b| {
        b.iter(|| {
            for a in &grid {
                black_box(recommend(a, &reports).expect("valid"));
            }
        })
    });
    g.finish();
}

criterion_group!(advisor, benches);
criterion_main!(advisor);

//! Service-time benchmarks of every workload × mode, on generated data.
//!
//! - stream: events/s on one core (target ≥ 10 M/s for fraud-alerts and for
//!   sessionization with 100,000 keys);
//! - batch: one DataFusion run over a large input (10 M events with
//!   `WEIR_BENCH_BIG=1`, 1 M by default to keep `cargo bench` short);
//! - micro-batch: one trigger of 100 (fixed cost) and of 10,000 events on
//!   top of carried state.
//!
//! Run: `cargo bench -p bench-harness --bench modes`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::{JobConfig, StreamConfig};
use workloads::time::HOUR;
use workloads::{DailyReport, FraudAlerts, Sessionization, Workload};

fn data<W: Workload>(w: &W, events: f64, keys: u64) -> workloads::Dataset<W::Event> {
    let cfg = GenConfig {
        duration_ms: HOUR,
        rate: RateProfile::Constant {
            events_per_second: events / 3600.0,
        },
        keys,
        zipf_s: None,
        ..GenConfig::default()
    };
    w.generate(&cfg).expect("valid bench config")
}

fn stream<W: Workload>(w: &W, c: &mut Criterion, keys: u64) {
    let d = data(w, 1_000_000.0, keys);
    let mut g = c.benchmark_group(format!("stream/{}", w.name()));
    g.throughput(Throughput::Elements(d.events.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function(
        BenchmarkId::new("eager+correct", format!("{keys} keys")),
        |b| {
            b.iter(|| {
                let mut op = w.stream(&StreamConfig::EXACT);
                let mut out = Vec::new();
                for e in &d.events {
                    op.on_event(e, &mut out);
                }
                black_box(out.len())
            })
        },
    );
    g.finish();
}

fn batch<W: Workload>(w: &W, c: &mut Criterion) {
    let n = if std::env::var_os("WEIR_BENCH_BIG").is_some() {
        10_000_000.0
    } else {
        1_000_000.0
    };
    let d = data(w, n, 100_000);
    let mut g = c.benchmark_group(format!("batch/{}", w.name()));
    g.throughput(Throughput::Elements(d.events.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function(BenchmarkId::new("one run", d.events.len()), |b| {
        b.iter(|| {
            let mut job = w.batch(&JobConfig::default()).expect("job");
            let mut out = Vec::new();
            job.run(&d.events, None, &mut out).expect("run");
            black_box(out.len())
        })
    });
    g.finish();
}

fn micro_batch<W: Workload>(w: &W, c: &mut Criterion) {
    let d = data(w, 200_000.0, 100_000);
    let mut g = c.benchmark_group(format!("micro-batch/{}", w.name()));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    // A 100-event trigger is almost all fixed per-trigger work (plans are
    // ready after the warm-up trigger, as in a running job); 10,000 events
    // show the per-event part.
    for n in [100, 10_000] {
        let (warm, trigger) = d.events.split_at(d.events.len() - n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("trigger", format!("{n} events")), |b| {
            b.iter_batched(
                || {
                    let mut job = w.micro_batch(&JobConfig::default()).expect("job");
                    job.run(warm, None, &mut Vec::new()).expect("warm-up");
                    job
                },
                |mut job| {
                    let mut out = Vec::new();
                    job.run(trigger, None, &mut out).expect("trigger");
                    black_box(out.len())
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// Harness overhead: generating events, and the virtual clock's bookkeeping
/// around a stream operator compared with driving the operator bare.
fn harness(c: &mut Criterion) {
    let cfg = GenConfig {
        duration_ms: HOUR,
        rate: RateProfile::Constant {
            events_per_second: 1_000_000.0 / 3600.0,
        },
        keys: 100_000,
        ..GenConfig::default()
    };
    let mut g = c.benchmark_group("harness");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("generate 1M transactions", |b| {
        b.iter(|| black_box(FraudAlerts.generate(&cfg).expect("valid").events.len()))
    });
    let d = FraudAlerts.generate(&cfg).expect("valid");
    g.bench_function("stream bare (1M events)", |b| {
        b.iter(|| {
            let mut op = FraudAlerts.stream(&StreamConfig::EXACT);
            black_box(workloads::drive::drive_stream(op.as_mut(), &d.events).len())
        })
    });
    g.bench_function("stream on the virtual clock (1M events)", |b| {
        b.iter(|| {
            let t = bench_harness::clock::simulate_stream(
                &FraudAlerts,
                &StreamConfig::EXACT,
                &d,
                &bench_harness::progress::NoProgress,
            )
            .expect("an unstoppable run ends");
            black_box(t.changelog.len())
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    harness(c);
    stream(&FraudAlerts, c, 100_000);
    stream(&Sessionization, c, 100_000);
    stream(&DailyReport, c, 10_000);
    batch(&FraudAlerts, c);
    batch(&DailyReport, c);
    batch(&Sessionization, c);
    micro_batch(&FraudAlerts, c);
    micro_batch(&DailyReport, c);
    micro_batch(&Sessionization, c);
}

criterion_group!(modes, benches);
criterion_main!(modes);

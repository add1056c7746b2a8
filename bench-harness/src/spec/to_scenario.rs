//! From a validated spec to the [`Scenario`] the runner executes: the
//! generator settings, one [`Plan`] per candidate, the cost model with the
//! spec's overrides, and the real-time check.

use workloads::WorkloadKind;
use workloads::generate::{GenConfig, RateProfile};
use workloads::mode::{Engine, JobConfig, Lateness, StreamConfig};

use super::schema::{CostOverrides, EngineKind, Spec, WorkloadChoice};
use crate::cost::CostModel;
use crate::plan::Plan;
use crate::scenario::{RealtimeConfig, Scenario};

impl Spec {
    /// The generator settings of this spec's load (seed, rate, keys, late
    /// data); start time and anything the spec does not set keep
    /// [`GenConfig::default`].
    pub fn generator(&self) -> GenConfig {
        let l = &self.load;
        let rate = match l.peak {
            None => RateProfile::Constant {
                events_per_second: l.events_per_second,
            },
            Some(p) => RateProfile::Daily {
                mean_events_per_second: l.events_per_second,
                peak_to_mean: p.peak_to_mean,
                peak_hour_utc: p.peak_hour_utc,
            },
        };
        let base = GenConfig::default();
        GenConfig {
            seed: l.seed,
            duration_ms: l.duration.0,
            rate,
            keys: l.keys.unwrap_or(base.keys),
            zipf_s: l.key_skew,
            jitter_ms: l.jitter.0,
            late_fraction: l.late_fraction,
            max_lateness_ms: l.max_lateness.0,
            ..base
        }
    }

    /// The candidate plans in spec order (batch, micro-batch, stream), each
    /// with the path of the entry it came from.
    pub(crate) fn plans_with_paths(&self) -> Vec<(String, Plan)> {
        let c = &self.candidates;
        let batch = c.batch.iter().enumerate().map(|(i, b)| {
            (
                format!("candidates.batch[{i}]"),
                Plan::Batch {
                    interval_ms: b.every.0,
                    offset_ms: b.offset.0,
                    drop_late: b.drop_late,
                },
            )
        });
        let micro = c.micro_batch.iter().enumerate().map(|(i, m)| {
            (
                format!("candidates.micro_batch[{i}]"),
                Plan::MicroBatch {
                    trigger_ms: m.every.0,
                    lateness: Lateness {
                        watermark_delay: m.watermark_delay.0,
                        allowed_lateness: m.allowed_lateness.map(|a| a.0),
                    },
                },
            )
        });
        let stream = c.stream.iter().enumerate().map(|(i, s)| {
            (
                format!("candidates.stream[{i}]"),
                Plan::Stream(StreamConfig {
                    lateness: Lateness {
                        watermark_delay: s.watermark_delay.0,
                        allowed_lateness: s.allowed_lateness.map(|a| a.0),
                    },
                    policy: s.emit.into(),
                }),
            )
        });
        batch.chain(micro).chain(stream).collect()
    }

    /// The candidate plans in spec order.
    pub fn plans(&self) -> Vec<Plan> {
        self.plans_with_paths()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// The default cost model with this spec's overrides applied.
    pub fn cost_model(&self) -> CostModel {
        apply(&self.cost, CostModel::default())
    }

    /// The scenario the runner executes. Call it on a spec that passed
    /// [`Spec::validate`] (as every spec from [`super::parse`] has).
    ///
    /// A custom workload's definition is carried in the scenario's
    /// `custom` field (with `workload` = [`WorkloadKind::Custom`]).
    pub fn to_scenario(&self) -> Scenario {
        let (workload, custom) = match self.workload.choice() {
            Some(WorkloadChoice::Reference(k)) => (k, None),
            Some(WorkloadChoice::Custom(def)) => (WorkloadKind::Custom, Some(def.clone())),
            // Not a valid spec; the runner rejects a custom scenario without a definition.
            None => (WorkloadKind::Custom, None),
        };
        Scenario {
            name: self.name.clone(),
            workload,
            generator: self.generator(),
            plans: self.plans(),
            cost: self.cost_model(),
            job: JobConfig {
                engine: self.job_engine(),
                ..JobConfig::default()
            },
            realtime: self.realtime.then(RealtimeConfig::default),
            custom,
        }
    }

    /// The `[engine]` section as the jobs' engine: a Ballista one names the
    /// local cluster ([`Engine::LOCAL_SCHEDULER`]) that the runner starts.
    fn job_engine(&self) -> Engine {
        match self.engine.kind {
            EngineKind::Memory => Engine::InMemory,
            EngineKind::Parquet => Engine::Parquet,
            EngineKind::Ballista => Engine::ballista(
                Engine::LOCAL_SCHEDULER,
                self.engine
                    .executors
                    .map_or(crate::engine::DEFAULT_EXECUTORS, |n| n as usize),
            ),
        }
    }

    /// `Ok` when [`Spec::to_scenario`] gives a scenario this build can run;
    /// otherwise why not.
    pub fn runnable(&self) -> Result<(), String> {
        match self.workload.choice() {
            Some(WorkloadChoice::Reference(WorkloadKind::Custom)) => Err(
                "workload.reference: `custom` is not a reference workload; define it under `workload.custom`".into(),
            ),
            Some(_) => Ok(()),
            None => Err("workload: set exactly one of `reference` or `custom`".into()),
        }
    }
}

fn apply(o: &CostOverrides, mut m: CostModel) -> CostModel {
    let set = |field: &mut f64, v: Option<f64>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    set(&mut m.vcpu_hour_usd, o.vcpu_hour_usd);
    set(&mut m.gb_hour_usd, o.gb_hour_usd);
    set(&mut m.batch_startup_seconds, o.batch_startup_seconds);
    set(&mut m.headroom, o.headroom);
    set(&mut m.vcpu_step, o.vcpu_step);
    set(&mut m.min_memory_gb, o.min_memory_gb);
    m
}

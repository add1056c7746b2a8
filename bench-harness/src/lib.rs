//! Weir's bench harness: runs a workload as batch, micro-batch and stream on
//! a virtual clock with measured service times, and reports latency,
//! throughput, resources, cost, reprocessing, complexity and correctness.
//!
//! Flow: [`scenario::Scenario`] → [`runner::run_scenario`] (generate →
//! [`clock::simulate`] per [`plan::Plan`] → [`measure`] → [`cost`]) →
//! [`report::Report`] → [`chart`] and [`table`]; [`realtime`] checks the
//! simulation on the wall clock.

pub mod advisor;
pub mod alloc;
pub mod broker;
pub mod chart;
pub mod check;
pub mod clock;
#[cfg(feature = "ballista")]
pub mod cluster;
pub mod cost;
pub mod duration;
pub mod engine;
pub mod error;
pub mod log;
pub mod measure;
pub mod output;
pub mod partitioning;
pub mod plan;
pub mod progress;
pub mod realtime;
pub mod recovery;
pub mod report;
pub mod runner;
pub mod sample_run;
pub mod scaling;
pub mod scenario;
pub mod spec;
pub mod table;
pub mod through_broker;

pub use error::{Error, Result};

//! Custom workloads: a user's own event columns and a query of filter,
//! per-key window aggregates and an alert threshold, from which the batch
//! SQL, the micro-batch plan and the stream operators are all derived.

pub mod def;

pub use def::*;

//! One module per page.

pub mod home;
pub mod job;
pub mod methodology;
pub mod recommendation;
pub mod spec;
pub mod specs;
pub mod upload;
pub mod workload;
pub mod workloads;

//! One module per page.

pub mod home;
pub mod methodology;
pub mod recommendation;
pub mod workload;
pub mod workloads;

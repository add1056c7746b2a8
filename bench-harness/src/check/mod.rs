//! The CI regression gate: compare fresh runs of a scenario with a stored
//! baseline report and say, per mode and metric, whether the change is a
//! regression, an improvement, noise, or fine — and whether the spec's SLO
//! still holds.
//!
//! Why it looks like this: wall-clock metrics on shared CI machines are
//! noisy, so a gate that compares one run with one run is flaky. The gate
//! therefore repeats the scenario, compares the *median* with the baseline,
//! reports the measured spread, and refuses to call a change a regression
//! when it is within that spread — a threshold tighter than the noise is
//! flagged, not silently flaky. For a gate that does not depend on machine
//! speed at all, see [`icount`] (instruction counts under callgrind).
//!
//! The core ([`compare`]) is pure: reports in, [`Comparison`] out. The CLI
//! (`bench-harness check`, [`cli`]) and the renderers ([`render`]) sit on top.

pub mod cli;
mod compare;
pub mod icount;
pub mod render;
mod thresholds;

pub use cli::CheckArgs;
pub use compare::{Comparison, MetricRow, SloRow, Verdict, compare, median_report};
pub use thresholds::{Metric, Slo, Thresholds};

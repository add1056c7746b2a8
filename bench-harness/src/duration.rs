//! Durations as people write them (`500ms`, `5s`, `15m`, `1h`, `1d`): the
//! parser lives in `workloads::duration` so workload specs share it.

pub use workloads::duration::{Duration, format_duration, parse_duration};

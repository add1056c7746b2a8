//! Lines of code of each mode's implementation, counted at build time.

include!(concat!(env!("OUT_DIR"), "/loc.rs"));

/// Lines of code of the given source files (relative to `workloads/src`).
pub fn lines_of_code(files: &[&str]) -> usize {
    files
        .iter()
        .filter_map(|f| LINES_OF_CODE.iter().find(|(name, _)| name == f))
        .map(|(_, n)| n)
        .sum()
}

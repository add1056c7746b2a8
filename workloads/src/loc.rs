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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_file_has_counted_lines() {
        // Four files per workload, plus the shared window functions.
        assert_eq!(LINES_OF_CODE.len(), 18);
        for (file, n) in LINES_OF_CODE {
            assert!(*n > 20, "{file}: {n} lines");
        }
        assert_eq!(
            lines_of_code(&["fraud/stream.rs", "fraud/batch.rs"]),
            LINES_OF_CODE[0].1 + LINES_OF_CODE[2].1
        );
    }
}

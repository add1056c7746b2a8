//! Progress reporting, decoupled from the terminal so the web server's job
//! runner can show the same progress as the CLI's bar.

/// Receives progress of a long-running step.
///
/// It is also where a run can be stopped: the web server's job runner
/// cancels a job (or ends it at its time limit) by unwinding out of
/// `update` with `std::panic::resume_unwind` and catching that at the
/// caller of `runner::run_scenario`. So harness code must stay correct if
/// any `update` call never returns (hold no lock across it, leave no
/// global state half-changed).
pub trait Progress: Sync {
    /// `stage` is a short description; `done` of `total` units finished.
    fn update(&self, stage: &str, done: u64, total: u64);
}

/// Ignores progress (tests, benches).
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _stage: &str, _done: u64, _total: u64) {}
}

/// A terminal progress bar (hidden when stderr is not a terminal).
pub struct TerminalProgress {
    bar: indicatif::ProgressBar,
}

impl TerminalProgress {
    /// A new bar.
    pub fn new() -> Self {
        let bar = indicatif::ProgressBar::new(1);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed:>4} [{bar:30}] {percent:>3}% {msg}",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        TerminalProgress { bar }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for TerminalProgress {
    fn update(&self, stage: &str, done: u64, total: u64) {
        self.bar.set_length(total.max(1));
        self.bar.set_position(done.min(total));
        self.bar.set_message(stage.to_string());
    }
}

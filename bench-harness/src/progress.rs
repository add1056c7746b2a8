//! Progress reporting, decoupled from the terminal so the web server's job
//! runner can show the same progress as the CLI's bar, and the run's stop
//! token, which travels with it to every long step.

use workloads::Stop;

/// The token of runs nobody can stop (the CLI ends with the process).
static NEVER: Stop = Stop::never();

/// Receives progress of a long-running step, and carries the token that
/// stops it.
///
/// Stopping is cooperative: the harness checks [`Progress::stop`] at its
/// safe points (between stream chunks, triggers and runs, and between
/// steps) and returns [`crate::Error::Stopped`], so a cancelled, timed-out
/// or shut-down run ends within about a second, with every lock released.
pub trait Progress: Sync {
    /// `stage` is a short description; `done` of `total` units finished.
    fn update(&self, stage: &str, done: u64, total: u64);

    /// The run's stop token (default: one that is never requested).
    fn stop(&self) -> &Stop {
        &NEVER
    }

    /// `Err(Error::Stopped)` once a stop was requested.
    fn check(&self) -> crate::Result<()> {
        Ok(self.stop().check()?)
    }
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

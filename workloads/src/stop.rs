//! A request to stop a long computation, checked at the computation's own
//! safe points (between stream chunks, triggers, runs and steps).
//!
//! Why a token and not an unwinding panic: a stopped run must end with an
//! ordinary `Err` (so every lock is released and every file closed the usual
//! way) and promptly, which means the long loops have to look at it. The
//! web server's job runner owns the [`Stop`] of each job and requests it on
//! a cancel, at the job's time limit and on shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// Why a stop was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// A user cancelled the run.
    Cancelled,
    /// The run went over its time limit.
    TimedOut,
    /// The process is shutting down.
    Shutdown,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::Cancelled => "cancelled",
            StopReason::TimedOut => "over its time limit",
            StopReason::Shutdown => "the process is shutting down",
        })
    }
}

impl StopReason {
    fn code(self) -> u8 {
        match self {
            StopReason::Cancelled => 1,
            StopReason::TimedOut => 2,
            StopReason::Shutdown => 3,
        }
    }

    fn from_code(code: u8) -> Option<StopReason> {
        match code {
            1 => Some(StopReason::Cancelled),
            2 => Some(StopReason::TimedOut),
            3 => Some(StopReason::Shutdown),
            _ => None,
        }
    }
}

/// A cheap-to-clone handle: one side requests, the computation checks.
/// [`Stop::never`] is a token nobody can request (CLI runs, tests).
#[derive(Debug, Clone, Default)]
pub struct Stop(Option<Arc<AtomicU8>>);

impl Stop {
    /// A token that is never requested.
    pub const fn never() -> Stop {
        Stop(None)
    }

    /// A token that [`Stop::request`] can trigger.
    pub fn new() -> Stop {
        Stop(Some(Arc::new(AtomicU8::new(0))))
    }

    /// Asks the computation to stop; the first reason wins.
    pub fn request(&self, reason: StopReason) {
        if let Some(flag) = &self.0 {
            let _ = flag.compare_exchange(0, reason.code(), Ordering::SeqCst, Ordering::SeqCst);
        }
    }

    /// The reason a stop was requested, if one was.
    pub fn requested(&self) -> Option<StopReason> {
        self.0
            .as_ref()
            .and_then(|f| StopReason::from_code(f.load(Ordering::Relaxed)))
    }

    /// `Err(reason)` once a stop was requested: the `?` at a safe point
    /// (it converts into `WorkloadError::Stopped` and the harness's
    /// `Error::Stopped`).
    pub fn check(&self) -> Result<(), StopReason> {
        match self.requested() {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_wins_and_clones_share_it() {
        let stop = Stop::new();
        let seen = stop.clone();
        assert!(seen.check().is_ok());
        stop.request(StopReason::Shutdown);
        stop.request(StopReason::Cancelled);
        assert_eq!(seen.requested(), Some(StopReason::Shutdown));
        assert_eq!(seen.check(), Err(StopReason::Shutdown));
    }

    #[test]
    fn never_cannot_be_requested() {
        let never = Stop::never();
        never.request(StopReason::Cancelled);
        assert_eq!(never.requested(), None);
    }
}

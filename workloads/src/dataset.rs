//! A workload's input as the modes consume it: events in arrival order, the
//! (virtual) arrival time of each, and the dictionary of its string column.

use crate::dict::Dictionary;
use crate::event::Timed;
use crate::time::Millis;

/// Events in arrival order with their arrival times.
#[derive(Debug, Clone)]
pub struct Dataset<E> {
    pub events: Vec<E>,
    /// Arrival time of `events[i]`, non-decreasing.
    pub arrival: Vec<Millis>,
    /// Strings behind the interned column (category or page; empty for
    /// transactions, whose country codes are inline).
    pub dict: Dictionary,
}

impl<E: Timed> Dataset<E> {
    /// A dataset read from a file, which has no arrival times: a row is taken
    /// to arrive when the newest event time seen so far (the running
    /// maximum), the clock of a pipeline that only knows event times.
    pub fn from_arrival_order(events: Vec<E>, dict: Dictionary) -> Self {
        let mut max = Millis::MIN;
        let arrival = events
            .iter()
            .map(|e| {
                max = max.max(e.event_time());
                max
            })
            .collect();
        Dataset {
            events,
            arrival,
            dict,
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

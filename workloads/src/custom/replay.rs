//! A sample replayed at another rate: "what if we had 10× the traffic",
//! answered from the user's own distribution. Event times are compressed
//! (or stretched) towards the first one by the rate ratio, so windows see
//! proportionally more (or fewer) events; each event keeps its own
//! lateness (arrival − event time) unchanged, so late data stays as late
//! as in the file; and rows are re-ordered by the new arrival times.

use crate::dataset::Dataset;
use crate::error::{Result, WorkloadError};
use crate::time::Millis;

use super::compiled::CustomEvent;

/// The largest speed-up or slow-down of a replay: beyond it the compressed
/// times collapse into the same millisecond (or a week of data becomes
/// years).
pub const MAX_RATE_FACTOR: f64 = 1000.0;

/// The sample's mean rate: events per second of event time (first to last).
pub fn mean_rate(data: &Dataset<CustomEvent>) -> Option<f64> {
    let (lo, hi) = data
        .events
        .iter()
        .fold((Millis::MAX, Millis::MIN), |(lo, hi), e| {
            (lo.min(e.event_time), hi.max(e.event_time))
        });
    (data.events.len() > 1 && hi > lo).then(|| data.events.len() as f64 * 1000.0 / (hi - lo) as f64)
}

/// Replays `data` at `events_per_second` (of event time): returns the
/// factor applied (new rate / sample rate). Refuses a rate that is not a
/// positive number, a sample without a time span, or a factor beyond
/// [`MAX_RATE_FACTOR`] either way.
pub fn at_rate(data: &mut Dataset<CustomEvent>, events_per_second: f64) -> Result<f64> {
    if !(events_per_second.is_finite() && events_per_second > 0.0) {
        return Err(WorkloadError::Config(format!(
            "the replay rate must be a positive number of events per second, got {events_per_second}"
        )));
    }
    let Some(rate) = mean_rate(data) else {
        return Err(WorkloadError::Config(
            "the sample has no time span (fewer than two distinct event times): it has no rate to change".into(),
        ));
    };
    let factor = events_per_second / rate;
    if !(1.0 / MAX_RATE_FACTOR..=MAX_RATE_FACTOR).contains(&factor) {
        return Err(WorkloadError::Config(format!(
            "replaying {rate:.3} events/s at {events_per_second} events/s is a factor of {factor:.4}; \
             at most {MAX_RATE_FACTOR}× faster or slower is supported"
        )));
    }
    let t0 = data.events.iter().map(|e| e.event_time).min().unwrap_or(0);
    let mut rows: Vec<(Millis, CustomEvent)> = data
        .events
        .iter()
        .zip(&data.arrival)
        .map(|(e, &arrival)| {
            let lateness = arrival - e.event_time;
            let event_time = t0 + ((e.event_time - t0) as f64 / factor).round() as Millis;
            (event_time + lateness, CustomEvent { event_time, ..*e })
        })
        .collect();
    // Stable: rows that arrive together keep the file's order.
    rows.sort_by_key(|(arrival, _)| *arrival);
    data.arrival = rows.iter().map(|(a, _)| *a).collect();
    data.events = rows.into_iter().map(|(_, e)| e).collect();
    Ok(factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom::MAX_COLUMNS;

    fn data(times: &[(Millis, Millis)]) -> Dataset<CustomEvent> {
        Dataset {
            events: times
                .iter()
                .map(|&(t, _)| {
                    // The original event time, to find an event after the replay.
                    let mut values = [0; MAX_COLUMNS];
                    values[0] = t;
                    CustomEvent {
                        event_time: t,
                        values,
                    }
                })
                .collect(),
            arrival: times.iter().map(|&(_, a)| a).collect(),
            dict: Default::default(),
        }
    }

    #[test]
    fn ten_times_the_rate_compresses_event_time_and_keeps_lateness() {
        // 11 events over 10 s (1.1/s); the third arrives 4 s late.
        let mut times: Vec<(Millis, Millis)> = (0..11).map(|i| (i * 1000, i * 1000)).collect();
        times[2].1 = 6000;
        times.sort_by_key(|t| t.1);
        let mut d = data(&times);
        let factor = at_rate(&mut d, 11.0).unwrap();
        assert!((factor - 10.0).abs() < 1e-9, "{factor}");
        assert!((mean_rate(&d).unwrap() - 11.0).abs() < 1e-9);
        let late = d.events.iter().position(|e| e.values[0] == 2000).unwrap();
        assert_eq!(d.events[late].event_time, 200);
        assert_eq!(d.arrival[late] - d.events[late].event_time, 4000);
        assert!(d.arrival.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(d.events.len(), 11);
    }

    #[test]
    fn absurd_rates_and_spanless_samples_are_refused() {
        let mut d = data(&[(0, 0), (1000, 1000)]);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9, 1e-9] {
            assert!(at_rate(&mut d, bad).is_err(), "{bad}");
        }
        let mut flat = data(&[(5, 5), (5, 5)]);
        assert!(at_rate(&mut flat, 10.0).is_err());
    }
}

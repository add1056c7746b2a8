//! Ground truth for a custom workload, straight from the definition: filter
//! the events, group them by key, cut each key's sorted events into its
//! windows, and compute every aggregate from the window's list of events
//! with plain iterator code (no incremental state). Slow and obviously
//! correct on purpose; every mode is checked against it.

use std::collections::{BTreeMap, BTreeSet};

use crate::time::Millis;

use super::compiled::{Compiled, CustomEvent, CustomRow, Window, avg_scaled};
use super::def::{AggFunction, MAX_AGGREGATES};

/// Ground-truth output rows, sorted by key then window start.
pub fn rows(q: &Compiled, events: &[CustomEvent]) -> Vec<CustomRow> {
    let mut by_key: BTreeMap<i64, Vec<&CustomEvent>> = BTreeMap::new();
    for e in events.iter().filter(|e| q.passes(e)) {
        by_key.entry(e.values[q.key]).or_default().push(e);
    }
    let mut out = Vec::new();
    for (key, mut evs) in by_key {
        evs.sort_by_key(|e| e.event_time);
        for (start, end, members) in windows(q, &evs) {
            let row = summarize(q, key, start, end, &members);
            if q.alerts(&row) {
                out.push(row);
            }
        }
    }
    out.sort();
    out
}

/// One key's windows `(start, end, events)` from its time-sorted events.
fn windows<'a>(
    q: &Compiled,
    evs: &[&'a CustomEvent],
) -> Vec<(Millis, Millis, Vec<&'a CustomEvent>)> {
    match q.window {
        Window::Sliding { size, slide } => {
            // Every window that holds at least one event: [k·slide, k·slide + size).
            let starts: BTreeSet<Millis> = evs
                .iter()
                .flat_map(|e| {
                    let t = e.event_time;
                    let first = (t - size).div_euclid(slide) + 1;
                    let last = t.div_euclid(slide);
                    (first..=last).map(move |k| k * slide)
                })
                .collect();
            starts
                .into_iter()
                .map(|s| {
                    let members = evs
                        .iter()
                        .filter(|e| s <= e.event_time && e.event_time < s + size)
                        .copied()
                        .collect();
                    (s, s + size, members)
                })
                .collect()
        }
        Window::Session { gap } => {
            let mut out: Vec<(Millis, Millis, Vec<&CustomEvent>)> = Vec::new();
            for e in evs {
                match out.last_mut() {
                    Some((_, end, members)) if e.event_time < *end => {
                        members.push(e);
                        *end = e.event_time + gap;
                    }
                    _ => out.push((e.event_time, e.event_time + gap, vec![e])),
                }
            }
            out
        }
    }
}

/// The row of one (non-empty) window.
fn summarize(
    q: &Compiled,
    key: i64,
    start: Millis,
    end: Millis,
    members: &[&CustomEvent],
) -> CustomRow {
    let mut values = [0i128; MAX_AGGREGATES];
    let count = members.len() as i128;
    for (i, a) in q.aggs.iter().enumerate() {
        let col = |e: &&CustomEvent| i128::from(a.column.map_or(0, |c| e.values[c]));
        values[i] = match a.function {
            AggFunction::Count => count,
            AggFunction::Sum => members.iter().map(col).sum(),
            AggFunction::Avg => avg_scaled(members.iter().map(col).sum(), count),
            AggFunction::Min => members.iter().map(col).min().unwrap_or(0),
            AggFunction::Max => members.iter().map(col).max().unwrap_or(0),
            AggFunction::CountDistinct => {
                members.iter().map(col).collect::<BTreeSet<_>>().len() as i128
            }
        };
    }
    CustomRow {
        key,
        window_start: start,
        window_end: end,
        newest: members.iter().map(|e| e.event_time).max().unwrap_or(start),
        values,
    }
}

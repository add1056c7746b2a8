//! Ground truth for `Sessionization`, straight from the contract
//! (`shared/workloads.md` §3): sort each user's clicks by event time and cut
//! wherever a click comes more than [`SESSION_GAP_MS`] after the previous one.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::Click;

use super::{SESSION_GAP_MS, Session};

/// Ground-truth output rows, sorted by `(user_id, session_start)`.
pub fn sessions(events: &[Click]) -> Vec<Session> {
    let mut by_user: BTreeMap<u64, Vec<(i64, u32)>> = BTreeMap::new();
    for c in events {
        by_user
            .entry(c.user_id)
            .or_default()
            .push((c.event_time, c.page));
    }
    let mut out = Vec::new();
    for (user, mut clicks) in by_user {
        clicks.sort_unstable();
        split_user(user, &clicks, &mut out);
    }
    out.sort();
    out
}

/// Cuts one user's time-sorted clicks into sessions.
fn split_user(user_id: u64, clicks: &[(i64, u32)], out: &mut Vec<Session>) {
    let mut start = 0;
    for i in 1..=clicks.len() {
        let cut = i == clicks.len() || clicks[i].0 - clicks[i - 1].0 > SESSION_GAP_MS;
        if cut {
            out.push(summarize(user_id, &clicks[start..i]));
            start = i;
        }
    }
}

/// The row of one session's (non-empty, time-sorted) clicks.
fn summarize(user_id: u64, clicks: &[(i64, u32)]) -> Session {
    let pages: BTreeSet<u32> = clicks.iter().map(|&(_, p)| p).collect();
    Session {
        user_id,
        session_start: clicks[0].0,
        session_end: clicks[clicks.len() - 1].0,
        clicks: clicks.len() as u64,
        distinct_pages: pages.len() as u64,
    }
}

/// Random clicks for the tests of every mode: per-user timelines of sessions
/// (clicks seconds to minutes apart, sometimes exactly the gap or one
/// millisecond more apart, between sessions half an hour to a few hours),
/// coarse times so equal event times are common, in a shuffled arrival order
/// where each click is delayed by up to `max_delay` (plus, when `stragglers`
/// is set, a few clicks delayed by up to two hours — enough to land between
/// two sessions already seen and bridge them).
#[cfg(test)]
pub(crate) fn random_clicks(
    seed: u64,
    n: usize,
    users: u64,
    max_delay: i64,
    stragglers: bool,
) -> Vec<Click> {
    use rand::{Rng, SeedableRng};

    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let start: i64 = 1_767_225_600_000;
    let mut clock: Vec<i64> = (0..users)
        .map(|_| start + rng.random_range(0..3_600_000))
        .collect();
    let mut keyed = Vec::with_capacity(n);
    for _ in 0..n {
        let user_id = rng.random_range(0..users);
        let c = &mut clock[user_id as usize];
        *c += match rng.random_range(0..100) {
            0..4 => SESSION_GAP_MS,
            4..8 => SESSION_GAP_MS + 1,
            8..18 => rng.random_range(SESSION_GAP_MS..4 * SESSION_GAP_MS),
            18..30 => 0,
            _ => rng.random_range(0..240_000),
        };
        let event_time = if rng.random_bool(0.2) {
            *c - *c % 10_000
        } else {
            *c
        };
        let mut delay = rng.random_range(0..=max_delay);
        if stragglers && rng.random_bool(0.003) {
            delay += rng.random_range(0..7_200_000);
        }
        let click = Click {
            user_id,
            page: rng.random_range(0..12),
            event_time,
        };
        keyed.push((event_time + delay, rng.random::<u32>(), click));
    }
    keyed.sort_by_key(|&(arrive, tie, _)| (arrive, tie));
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

/// The random clicks as a dataset (arrival = running max of event times),
/// with a dictionary of the twelve page ids they use.
#[cfg(test)]
pub(crate) fn random_dataset(
    seed: u64,
    n: usize,
    users: u64,
    max_delay: i64,
    stragglers: bool,
) -> crate::dataset::Dataset<Click> {
    let pages = (0..12).map(|i| format!("/page/{i:02}"));
    crate::dataset::Dataset::from_arrival_order(
        random_clicks(seed, n, users, max_delay, stragglers),
        crate::dict::Dictionary::from_values(pages),
    )
}

/// A click, for the tests of every mode.
#[cfg(test)]
pub(crate) fn click(user_id: u64, page: u32, event_time: i64) -> Click {
    Click {
        user_id,
        page,
        event_time,
    }
}

/// An output row, for the tests of every mode.
#[cfg(test)]
pub(crate) fn row(user_id: u64, start: i64, end: i64, clicks: u64, pages: u64) -> Session {
    Session {
        user_id,
        session_start: start,
        session_end: end,
        clicks,
        distinct_pages: pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_of_exactly_thirty_minutes_stays_one_session() {
        let got = sessions(&[click(1, 0, 0), click(1, 1, SESSION_GAP_MS)]);
        assert_eq!(got, vec![row(1, 0, SESSION_GAP_MS, 2, 2)]);
    }

    #[test]
    fn gap_one_millisecond_longer_splits() {
        let got = sessions(&[click(2, 0, SESSION_GAP_MS + 1), click(2, 0, 0)]);
        assert_eq!(
            got,
            vec![
                row(2, 0, 0, 1, 1),
                row(2, SESSION_GAP_MS + 1, SESSION_GAP_MS + 1, 1, 1)
            ]
        );
    }

    #[test]
    fn equal_times_share_a_session_and_pages_count_once() {
        let got = sessions(&[
            click(3, 4, 10),
            click(3, 4, 10),
            click(3, 5, 10),
            click(4, 4, 10),
        ]);
        assert_eq!(got, vec![row(3, 10, 10, 3, 2), row(4, 10, 10, 1, 1)]);
    }

    #[test]
    fn arrival_order_is_ignored_and_the_generator_hits_the_edges() {
        let ev = random_clicks(1, 5_000, 40, 600_000, true);
        let mut sorted = ev.clone();
        sorted.sort_by_key(|c| (c.event_time, c.user_id, c.page));
        let out = sessions(&ev);
        assert_eq!(out, sessions(&sorted));
        assert!(
            out.iter()
                .any(|s| s.session_end - s.session_start >= SESSION_GAP_MS)
        );
        assert!(out.windows(2).any(|w| w[0].user_id == w[1].user_id
            && w[1].session_start - w[0].session_end == SESSION_GAP_MS + 1));
        assert!(out.iter().any(|s| s.clicks > s.distinct_pages));
    }

    /// Every configuration promising the exact output, on ~50k shuffled
    /// clicks with stragglers that bridge sessions.
    #[test]
    fn every_exact_config_equals_reference_on_shuffled_input() {
        use crate::drive::{ModeConfig, run_mode};
        use crate::mode::{EmitPolicy, JobConfig, Lateness, StreamConfig};
        use crate::output::{Change, materialize};
        use crate::time::{DAY, HOUR, MINUTE};

        let data = random_dataset(7, 50_000, 300, 15 * MINUTE, true);
        let truth = sessions(&data.events);
        let late = |delay| Lateness {
            watermark_delay: delay,
            allowed_lateness: None,
        };
        let stream = |lateness, policy| ModeConfig::Stream(StreamConfig { lateness, policy });
        let configs = [
            ModeConfig::Batch { interval_ms: DAY },
            ModeConfig::Batch { interval_ms: HOUR },
            ModeConfig::Batch {
                interval_ms: 15 * MINUTE,
            },
            ModeConfig::MicroBatch {
                trigger_ms: MINUTE,
                lateness: Lateness::EXACT,
            },
            ModeConfig::MicroBatch {
                trigger_ms: 10 * MINUTE,
                lateness: late(MINUTE),
            },
            stream(Lateness::EXACT, EmitPolicy::Final),
            stream(Lateness::EXACT, EmitPolicy::EagerCorrect),
            stream(late(10 * MINUTE), EmitPolicy::Final),
            stream(late(30_000), EmitPolicy::EagerCorrect),
        ];
        for cfg in configs {
            let (changelog, stats) = run_mode(
                &super::super::Sessionization,
                &cfg,
                &JobConfig::default(),
                &data,
            )
            .unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
            assert_eq!(stats.dropped, 0, "{cfg:?}");
            let retractions = changelog
                .iter()
                .filter(|e| matches!(e.change, Change::Retract(_)))
                .count();
            eprintln!(
                "{cfg:?}: {} emissions, {retractions} retractions, {} late",
                changelog.len(),
                stats.late
            );
            assert!(
                materialize(&changelog) == truth,
                "{cfg:?} differs from the reference"
            );
        }
    }

    #[test]
    fn a_click_in_the_middle_bridges_two_sessions() {
        let far = 2 * SESSION_GAP_MS;
        let got = sessions(&[
            click(5, 0, 0),
            click(5, 1, far),
            click(5, 2, SESSION_GAP_MS),
        ]);
        assert_eq!(got, vec![row(5, 0, far, 3, 3)]);
    }
}

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
        by_user.entry(c.user_id).or_default().push((c.event_time, c.page));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn click(user_id: u64, page: u32, event_time: i64) -> Click {
        Click {
            user_id,
            page,
            event_time,
        }
    }

    fn row(user_id: u64, start: i64, end: i64, clicks: u64, pages: u64) -> Session {
        Session {
            user_id,
            session_start: start,
            session_end: end,
            clicks,
            distinct_pages: pages,
        }
    }

    #[test]
    fn gap_of_exactly_thirty_minutes_stays_one_session() {
        let got = sessions(&[click(1, 0, 0), click(1, 1, SESSION_GAP_MS)]);
        assert_eq!(got, vec![row(1, 0, SESSION_GAP_MS, 2, 2)]);
    }

    #[test]
    fn gap_one_millisecond_longer_splits() {
        let got = sessions(&[click(2, 0, SESSION_GAP_MS + 1), click(2, 0, 0)]);
        assert_eq!(got, vec![row(2, 0, 0, 1, 1), row(2, SESSION_GAP_MS + 1, SESSION_GAP_MS + 1, 1, 1)]);
    }

    #[test]
    fn equal_times_share_a_session_and_pages_count_once() {
        let got = sessions(&[click(3, 4, 10), click(3, 4, 10), click(3, 5, 10), click(4, 4, 10)]);
        assert_eq!(got, vec![row(3, 10, 10, 3, 2), row(4, 10, 10, 1, 1)]);
    }

    #[test]
    fn a_click_in_the_middle_bridges_two_sessions() {
        let far = 2 * SESSION_GAP_MS;
        let got = sessions(&[click(5, 0, 0), click(5, 1, far), click(5, 2, SESSION_GAP_MS)]);
        assert_eq!(got, vec![row(5, 0, far, 3, 3)]);
    }
}

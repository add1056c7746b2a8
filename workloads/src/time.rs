//! Event-time conventions shared by every workload: integer milliseconds since
//! the Unix epoch, UTC, and the `YYYY-MM-DD` day labels of the daily report.

/// Milliseconds since the Unix epoch, UTC: the one time type of the contract.
pub type Millis = i64;

/// One second in [`Millis`].
pub const SECOND: Millis = 1_000;
/// One minute in [`Millis`].
pub const MINUTE: Millis = 60 * SECOND;
/// One hour in [`Millis`].
pub const HOUR: Millis = 60 * MINUTE;
/// One day in [`Millis`].
pub const DAY: Millis = 24 * HOUR;

/// The UTC day number of an event time: `floor(t / 86_400_000)`, as the
/// contract defines it (negative times round down, not toward zero).
pub fn day_of(t: Millis) -> i32 {
    t.div_euclid(DAY) as i32
}

/// Formats a day number as `YYYY-MM-DD` (proleptic Gregorian, UTC).
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(day as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses a `YYYY-MM-DD` label back into a day number.
pub fn parse_day(s: &str) -> Option<i32> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) as i32)
}

/// Howard Hinnant's `civil_from_days`: day number → (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Howard Hinnant's `days_from_civil`: (year, month, day) → day number.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_match_known_dates() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(day_of(1_767_225_599_999)), "2025-12-31");
        assert_eq!(format_day(day_of(1_767_225_600_000)), "2026-01-01");
        assert_eq!(format_day(day_of(-1)), "1969-12-31");
        for d in [-719_468, -1, 0, 1, 59, 60, 365, 20_454, 2_932_896] {
            assert_eq!(parse_day(&format_day(d)), Some(d));
        }
    }
}

//! Wording helpers for the explanations; figures themselves are written by
//! the shared `units` crate, as on every page.

use super::*;

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/// "15 minutes", "1 hour", "30 seconds".
pub(crate) fn interval_words(ms: Millis) -> String {
    const UNITS: [(Millis, &str); 4] = [
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (SECOND, "second"),
    ];
    for (unit, name) in UNITS {
        if ms >= unit && ms % unit == 0 {
            let n = ms / unit;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    human_duration(ms)
}

/// Two significant digits.
pub(crate) fn round_sig(x: f64) -> f64 {
    if x <= 0.0 {
        return x;
    }
    let mag = 10f64.powf(x.log10().floor() - 1.0);
    (x / mag).round() * mag
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

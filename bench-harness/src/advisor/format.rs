//! Number formatting for the explanations.

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

/// "850 ms", "1.9 s", "63 s", "16 min", "24.5 h".
pub(crate) fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "unbounded".to_string();
    }
    let s = ms / 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 120.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 48.0 * 3600.0 {
        trim_zero(format!("{:.1} h", s / 3600.0))
    } else {
        trim_zero(format!("{:.1} d", s / 86_400.0))
    }
}

pub(crate) fn trim_zero(s: String) -> String {
    s.replace(".0 ", " ")
}

/// "$2.47", "$1,234.50", "$12,345".
pub(crate) fn fmt_usd(x: f64) -> String {
    if !x.is_finite() {
        return "unbounded".to_string();
    }
    if x >= 10_000.0 {
        format!("${}", group(x.round() as u64))
    } else {
        let cents = (x * 100.0).round() as u64;
        format!("${}.{:02}", group(cents / 100), cents % 100)
    }
}

pub(crate) fn per_month(x: Option<f64>) -> String {
    match x {
        Some(u) => format!("{}/month", fmt_usd(u)),
        None => "cannot keep up".to_string(),
    }
}

/// "300", "8", "2.5", "50,000".
pub(crate) fn fmt_rate(r: f64) -> String {
    if r >= 1000.0 {
        group(r.round() as u64)
    } else if r >= 10.0 || r == r.round() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

pub(crate) fn fmt_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

/// Thousands separators.
pub(crate) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
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

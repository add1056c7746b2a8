//! How Weir writes a figure. One set of rules for money, durations, rates,
//! bytes, counts and shares, used by the CLI's tables, the advisor's
//! reasons and the web pages (server-rendered and in the wasm client), so
//! the same number reads the same on every page: the reasons never say
//! "$1,234.50" while the evidence table says "$1,235".
//!
//! No dependencies: the wasm build links it as it is.

/// What a figure that cannot be bounded reads as (a mode that cannot keep
/// up, a latency that grows without limit).
pub const UNBOUNDED: &str = "unbounded";
/// What the cost of a mode that cannot keep up at any size reads as.
pub const CANNOT_KEEP_UP: &str = "cannot keep up";

/// A duration in milliseconds: "850 ms", "1.9 s", "63 s", "16 min",
/// "24.5 h", "3 d"; "unbounded" when not finite.
pub fn duration_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return UNBOUNDED.to_string();
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

/// A duration in seconds, written as [`duration_ms`] writes it.
pub fn seconds(s: f64) -> String {
    duration_ms(s * 1000.0)
}

/// "2.5 h" but "2 h", not "2.0 h".
fn trim_zero(s: String) -> String {
    s.replace(".0 ", " ")
}

/// US dollars: "$2.47", "$1,234.50", "$12,345" (whole dollars from
/// $10,000); "cannot keep up" when not finite or beyond any budget (the
/// reports store `f64::MAX` for a mode that cannot keep up).
pub fn usd(x: f64) -> String {
    if !x.is_finite() || x >= 1e15 {
        return CANNOT_KEEP_UP.to_string();
    }
    if x >= 10_000.0 {
        format!("${}", count(x.round() as u64))
    } else {
        let cents = (x.max(0.0) * 100.0).round() as u64;
        format!("${}.{:02}", count(cents / 100), cents % 100)
    }
}

/// A unit price, as the price list gives it: "$0.04048" (per vCPU-hour),
/// "$0.0045", "$2.50" — up to five decimals, at least two, no trailing
/// zeros beyond them.
pub fn unit_price(x: f64) -> String {
    if !x.is_finite() {
        return UNBOUNDED.to_string();
    }
    let mut s = format!("{:.5}", x.max(0.0));
    while s.ends_with('0') && s.len() - s.find('.').map_or(s.len(), |d| d + 1) > 2 {
        s.pop();
    }
    format!("${s}")
}

/// A monthly cost, "$12.40/month"; `None` (no size keeps up) is
/// "cannot keep up".
pub fn usd_per_month(x: Option<f64>) -> String {
    match x {
        Some(u) if u.is_finite() && u < 1e15 => format!("{}/month", usd(u)),
        _ => CANNOT_KEEP_UP.to_string(),
    }
}

/// An event rate (events per second): "0.5", "8", "300", "50,000".
pub fn rate(r: f64) -> String {
    if !r.is_finite() {
        UNBOUNDED.to_string()
    } else if r >= 1000.0 {
        count(r.round() as u64)
    } else if r >= 10.0 || r == r.round() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A size in bytes, decimal units: "512 B", "12 kB", "3.4 MB", "1.2 GB".
pub fn bytes(b: u64) -> String {
    let v = b as f64;
    if v >= 1e9 {
        format!("{:.1} GB", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1} MB", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0} kB", v / 1e3)
    } else {
        format!("{b} B")
    }
}

/// A count with thousands separators: "1,234,567".
pub fn count(n: u64) -> String {
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

/// A share given as a fraction: 0.995 → "99.5%".
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms(850.0), "850 ms");
        assert_eq!(duration_ms(1_900.0), "1.9 s");
        assert_eq!(duration_ms(63_000.0), "63 s");
        assert_eq!(duration_ms(900_000.0), "15 min");
        assert_eq!(duration_ms(2.0 * 3_600_000.0), "2 h");
        assert_eq!(duration_ms(24.5 * 3_600_000.0), "24.5 h");
        assert_eq!(duration_ms(3.0 * 86_400_000.0), "3 d");
        assert_eq!(duration_ms(f64::INFINITY), "unbounded");
        assert_eq!(seconds(4.2), "4.2 s");
    }

    #[test]
    fn money() {
        assert_eq!(usd(2.469), "$2.47");
        assert_eq!(usd(1234.5), "$1,234.50");
        assert_eq!(usd(12_345.4), "$12,345");
        assert_eq!(usd(f64::MAX), "cannot keep up");
        assert_eq!(usd(f64::NAN), "cannot keep up");
        assert_eq!(usd_per_month(Some(12.4)), "$12.40/month");
        assert_eq!(usd_per_month(None), "cannot keep up");
        assert_eq!(unit_price(0.04048), "$0.04048");
        assert_eq!(unit_price(0.0045), "$0.0045");
        assert_eq!(unit_price(2.5), "$2.50");
    }

    #[test]
    fn rates_sizes_counts_shares() {
        assert_eq!(rate(0.5), "0.5");
        assert_eq!(rate(8.0), "8");
        assert_eq!(rate(300.4), "300");
        assert_eq!(rate(50_000.0), "50,000");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(12_300), "12 kB");
        assert_eq!(bytes(3_400_000), "3.4 MB");
        assert_eq!(bytes(1_200_000_000), "1.2 GB");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(0), "0");
        assert_eq!(percent(0.995), "99.5%");
    }
}

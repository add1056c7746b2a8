//! Number formatting for tables: latencies, money, sizes, rates.

/// `850 ms`, `4.2 s`, `15 min`, `2.5 h`.
pub fn latency(ms: f64) -> String {
    if !ms.is_finite() {
        return "—".into();
    }
    let s = ms / 1000.0;
    if s < 1.0 {
        format!("{ms:.0} ms")
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// `$12.40`, `$1,234`, or `—` for a mode that cannot keep up.
pub fn usd(v: f64) -> String {
    if !v.is_finite() || v >= 1e15 {
        "cannot keep up".into()
    } else if v < 100.0 {
        format!("${v:.2}")
    } else {
        format!("${}", thousands(v.round() as u64))
    }
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12 KB`, `3.4 MB`.
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    if v < 1e3 {
        format!("{n} B")
    } else if v < 1e6 {
        format!("{:.0} KB", v / 1e3)
    } else if v < 1e9 {
        format!("{:.1} MB", v / 1e6)
    } else {
        format!("{:.2} GB", v / 1e9)
    }
}

/// `0.5`, `12`, `3.4k`, `1.2M`.
pub fn rate(v: f64) -> String {
    if !v.is_finite() {
        "unbounded".into()
    } else if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// `99.5%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// `3.2 s`, `4 min`.
pub fn seconds(s: f64) -> String {
    latency(s * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_naturally() {
        assert_eq!(latency(850.0), "850 ms");
        assert_eq!(latency(4_200.0), "4.2 s");
        assert_eq!(latency(900_000.0), "15.0 min");
        assert_eq!(usd(12.4), "$12.40");
        assert_eq!(usd(1234.4), "$1,234");
        assert_eq!(usd(f64::MAX), "cannot keep up");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(bytes(3_400_000), "3.4 MB");
    }
}

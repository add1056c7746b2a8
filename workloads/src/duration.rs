//! Parsing durations as people write them on a command line: `500ms`, `5s`,
//! `15m`, `1h`, `1d` (a bare number is milliseconds) — on the CLI and in
//! workload specs, where [`Duration`] reads either form.

use crate::time::{DAY, HOUR, MINUTE, Millis, SECOND};

/// Parses a duration into milliseconds.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: Millis = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (examples: 500ms, 5s, 15m, 1h, 1d)"))?;
    let scale = match unit {
        "" | "ms" => 1,
        "s" => SECOND,
        "m" | "min" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}` (use ms, s, m, h or d)"
            ));
        }
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{s}` is too long"))
}

/// Formats milliseconds the way [`parse_duration`] reads them, in the
/// largest unit that divides exactly (`90000` → `90s`, `900000` → `15m`).
pub fn format_duration(ms: Millis) -> String {
    for (unit, scale) in [("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)] {
        if ms != 0 && ms % scale == 0 {
            return format!("{}{unit}", ms / scale);
        }
    }
    format!("{ms}ms")
}

/// A duration in a spec: a string such as `"15m"` (or a number of
/// milliseconds); serialized back as the string form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub Millis);

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration such as \"500ms\", \"5s\", \"15m\", \"1h\" or \"1d\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                Millis::try_from(v)
                    .map(Duration)
                    .map_err(|_| E::custom(format!("{v} ms is too long")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    return Err(E::custom(format!("a duration cannot be negative, got {v}")));
                }
                Ok(Duration(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_rejects_garbage() {
        assert_eq!(parse_duration("15m"), Ok(15 * MINUTE));
        assert_eq!(parse_duration("250"), Ok(250));
        assert_eq!(parse_duration("1d"), Ok(DAY));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("99999999999999999d").is_err());
    }

    #[test]
    fn formats_in_the_largest_exact_unit_and_round_trips() {
        for ms in [
            0,
            1,
            999,
            SECOND,
            90 * SECOND,
            15 * MINUTE,
            HOUR,
            36 * HOUR,
            DAY,
        ] {
            assert_eq!(parse_duration(&format_duration(ms)), Ok(ms), "{ms}");
        }
        assert_eq!(format_duration(15 * MINUTE), "15m");
        assert_eq!(format_duration(1500), "1500ms");
        let d: Duration = serde_json::from_str("\"5m\"").unwrap();
        assert_eq!(d, Duration(5 * MINUTE));
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"5m\"");
        assert!(serde_json::from_str::<Duration>("-3").is_err());
        assert!(serde_json::from_str::<Duration>("\"5 weeks\"").is_err());
    }
}

//! Parsing durations as people write them on a command line: `500ms`, `5s`,
//! `15m`, `1h`, `1d` (a bare number is milliseconds).

use workloads::time::{DAY, HOUR, MINUTE, Millis, SECOND};

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
}

//! Parsing and printing of times given by users: plain seconds (`12.5`) or clock notation
//! (`[h:]mm:ss[.fff]`).

use crate::CoreError;

/// Parses `SS[.fff]`, `MM:SS[.fff]` or `H:MM:SS[.fff]` into seconds.
pub fn parse_time(input: &str) -> Result<f64, CoreError> {
    let err = |reason| CoreError::InvalidTime {
        input: input.to_string(),
        reason,
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err("empty"));
    }
    let fields: Vec<&str> = s.split(':').collect();
    if fields.len() > 3 {
        return Err(err("too many ':' fields (use [h:]mm:ss[.fff])"));
    }
    let mut total = 0.0;
    for (i, field) in fields.iter().enumerate() {
        let last = i == fields.len() - 1;
        if field.is_empty()
            || !field
                .chars()
                .all(|c| c.is_ascii_digit() || (last && c == '.'))
        {
            return Err(err("expected digits (seconds may have a fraction)"));
        }
        let value: f64 = field.parse().map_err(|_| err("not a number"))?;
        // Minutes and seconds after the first field are clock fields and stay below 60.
        if i > 0 && value >= 60.0 {
            return Err(err("minutes and seconds must be below 60"));
        }
        total = total * 60.0 + value;
    }
    if !total.is_finite() {
        return Err(err("not a finite number"));
    }
    Ok(total)
}

/// Formats seconds as `h:mm:ss.fff` (or `mm:ss.fff` under an hour), for messages.
pub fn format_time(seconds: f64) -> String {
    let ms_total = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, rem) = (ms_total / 3_600_000, ms_total % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{ms:03}")
    } else {
        format!("{m:02}:{s:02}.{ms:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_clock_forms() {
        assert_eq!(parse_time("12").unwrap(), 12.0);
        assert_eq!(parse_time("12.25").unwrap(), 12.25);
        assert_eq!(parse_time("01:05").unwrap(), 65.0);
        assert_eq!(parse_time("1:02:03.5").unwrap(), 3723.5);
        assert_eq!(parse_time("90").unwrap(), 90.0);
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in ["", "a", "1:2:3:4", "1:61", "-3", "1.5:00", "1::2", "1e3"] {
            assert!(parse_time(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_time(3723.5), "1:02:03.500");
        assert_eq!(format_time(65.0), "01:05.000");
        assert_eq!(parse_time(&format_time(3723.5)).unwrap(), 3723.5);
    }
}

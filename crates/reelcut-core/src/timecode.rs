//! Times as text: parsing what users type (plain seconds `12.5` or clock notation
//! `[h:]mm:ss[.fff]`), and the one formatter behind every time Reelcut prints (SRT, WebVTT,
//! ASS, messages).

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

/// How a time is printed. Each format has one unit (milliseconds, or centiseconds for ASS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// SubRip cue time, `HH:MM:SS,mmm`.
    Srt,
    /// WebVTT cue time, `HH:MM:SS.mmm`.
    Vtt,
    /// ASS/SSA event time, `H:MM:SS.cc`: centiseconds are the only precision ASS has.
    Ass,
    /// For messages: `H:MM:SS.mmm`, or `MM:SS.mmm` under an hour.
    Human,
}

impl TimeFormat {
    fn units_per_second(self) -> u64 {
        match self {
            TimeFormat::Ass => 100,
            TimeFormat::Srt | TimeFormat::Vtt | TimeFormat::Human => 1000,
        }
    }
}

/// Formats `seconds` as `format` wants. The time is rounded to the format's unit once and
/// then split into fields, so a carry reaches the minutes and hours (59.9996 s is
/// `00:01:00,000`, never `00:00:60,000`). Negative, NaN and infinite input prints as 0.
pub fn format_timestamp(seconds: f64, format: TimeFormat) -> String {
    let per_second = format.units_per_second();
    let seconds = if seconds.is_finite() {
        seconds.max(0.0)
    } else {
        0.0
    };
    // `as` saturates: a time past u64's range (half a billion years in ms) prints as its max.
    let units = (seconds * per_second as f64).round() as u64;
    let (whole, frac) = (units / per_second, units % per_second);
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    match format {
        TimeFormat::Srt => format!("{h:02}:{m:02}:{s:02},{frac:03}"),
        TimeFormat::Vtt => format!("{h:02}:{m:02}:{s:02}.{frac:03}"),
        TimeFormat::Ass => format!("{h}:{m:02}:{s:02}.{frac:02}"),
        TimeFormat::Human if h > 0 => format!("{h}:{m:02}:{s:02}.{frac:03}"),
        TimeFormat::Human => format!("{m:02}:{s:02}.{frac:03}"),
    }
}

/// Formats seconds as `h:mm:ss.fff` (or `mm:ss.fff` under an hour), for messages: the
/// [`TimeFormat::Human`] form of [`format_timestamp`].
pub fn format_time(seconds: f64) -> String {
    format_timestamp(seconds, TimeFormat::Human)
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

    fn check(cases: &[(f64, TimeFormat, &str)]) {
        for &(t, format, want) in cases {
            assert_eq!(format_timestamp(t, format), want, "{t} as {format:?}");
        }
    }

    #[test]
    fn each_format_has_its_fields_unit_and_one_rounding() {
        use TimeFormat::*;
        check(&[
            (3723.4567, Srt, "01:02:03,457"),
            (3723.4567, Vtt, "01:02:03.457"),
            (3723.4567, Ass, "1:02:03.46"),
            (3723.4567, Human, "1:02:03.457"),
            (3725.456, Ass, "1:02:05.46"),
            (65.0, Srt, "00:01:05,000"),
            (65.0, Ass, "0:01:05.00"),
            (65.0, Human, "01:05.000"),
            // Hours are not wrapped at a day, and ASS does not pad them.
            (36_000.0, Ass, "10:00:00.00"),
            (360_000.0, Vtt, "100:00:00.000"),
            // Rounded once to the unit, then split: the carry reaches minutes and hours.
            (59.9996, Srt, "00:01:00,000"),
            (59.9996, Vtt, "00:01:00.000"),
            (59.9996, Human, "01:00.000"),
            (59.996, Ass, "0:01:00.00"),
            (3599.9996, Srt, "01:00:00,000"),
            (3599.9996, Human, "1:00:00.000"),
            (3599.996, Ass, "1:00:00.00"),
            (1.9994, Srt, "00:00:01,999"),
            (1.994, Ass, "0:00:01.99"),
            (1.996, Ass, "0:00:02.00"),
        ]);
    }

    #[test]
    fn negative_nan_and_infinite_print_as_zero() {
        use TimeFormat::*;
        for bad in [-1.0, -0.0004, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            check(&[
                (bad, Srt, "00:00:00,000"),
                (bad, Vtt, "00:00:00.000"),
                (bad, Ass, "0:00:00.00"),
                (bad, Human, "00:00.000"),
            ]);
        }
    }

    #[test]
    fn every_format_parses_back_to_its_rounded_time() {
        use TimeFormat::*;
        for t in [0.0, 0.001, 12.345, 59.9996, 3599.9996, 7384.5] {
            for (format, unit) in [(Human, 1000.0), (Vtt, 1000.0), (Srt, 1000.0), (Ass, 100.0)] {
                let text = format_timestamp(t, format).replace(',', ".");
                let back = parse_time(&text).unwrap();
                assert!((back - (t * unit).round() / unit).abs() < 1e-9, "{text}");
            }
        }
    }
}

//! Clip ranges: `START-END` and multipart `A-B+C-D`, in source seconds.

use serde::{Deserialize, Serialize};

use crate::timecode::parse_time;
use crate::CoreError;

/// A half-open interval `[start, end)` of the source, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: f64,
    pub end: f64,
}

impl TimeRange {
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Tolerance for comparing frame timestamps to requested instants: far below a frame, above
/// the rounding noise of time bases like 1/90000.
pub const TIME_EPS: f64 = 1e-3;

impl TimeRange {
    /// Whether a frame starting at source time `t` and lasting `frame_dur` belongs to this
    /// part: the frame on screen at `start` (the last one starting at or before it) and every
    /// later frame starting before `end`. The renderer and the analysis pass share this so a
    /// crop path keyed by frame covers exactly the rendered frames.
    pub fn keeps_frame(&self, t: f64, frame_dur: f64) -> bool {
        t + frame_dur > self.start + TIME_EPS && t < self.end - TIME_EPS
    }

    /// Whether a frame at `t` is at or past the end (decoding can stop).
    pub fn is_past(&self, t: f64) -> bool {
        t >= self.end - TIME_EPS
    }

    /// Clip-timeline time of a kept frame at source time `t`, when this part starts at
    /// `offset` on the clip timeline. The first frame may start before `start`: it shows
    /// from 0.
    pub fn clip_time(&self, t: f64, offset: f64) -> f64 {
        (t - self.start).max(0.0) + offset
    }
}

/// One output clip: one or more source ranges joined in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipSpec {
    pub parts: Vec<TimeRange>,
}

impl ClipSpec {
    pub fn single(start: f64, end: f64) -> Self {
        Self {
            parts: vec![TimeRange { start, end }],
        }
    }

    /// Total output duration: the sum of the parts.
    pub fn duration(&self) -> f64 {
        self.parts.iter().map(TimeRange::duration).sum()
    }

    /// Parses `START-END[+START-END...]`, where each time is seconds or `[h:]mm:ss[.fff]`.
    pub fn parse(input: &str) -> Result<Self, CoreError> {
        let invalid = |reason: String| CoreError::InvalidRange {
            input: input.to_string(),
            reason,
        };
        let mut parts = Vec::new();
        for part in input.split('+') {
            let (a, b) = part
                .split_once('-')
                .ok_or_else(|| invalid(format!("'{part}' is not START-END")))?;
            let start = parse_time(a).map_err(|e| invalid(e.to_string()))?;
            let end = parse_time(b).map_err(|e| invalid(e.to_string()))?;
            if end <= start {
                return Err(invalid(format!("end {b} is not after start {a}")));
            }
            parts.push(TimeRange { start, end });
        }
        Ok(Self { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_multipart() {
        let c = ClipSpec::parse("2-12").unwrap();
        assert_eq!(
            c.parts,
            vec![TimeRange {
                start: 2.0,
                end: 12.0
            }]
        );
        let c = ClipSpec::parse("0:05-0:07.5+1:00-1:02").unwrap();
        assert_eq!(c.parts.len(), 2);
        assert_eq!(
            c.parts[1],
            TimeRange {
                start: 60.0,
                end: 62.0
            }
        );
        assert!((c.duration() - 4.5).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_ranges_with_the_cause() {
        let e = ClipSpec::parse("5-3").unwrap_err().to_string();
        assert!(e.contains("'5-3'") && e.contains("not after"), "{e}");
        assert!(ClipSpec::parse("5").is_err());
        assert!(ClipSpec::parse("1-2+").is_err());
        assert!(ClipSpec::parse("a-2").is_err());
        assert!(ClipSpec::parse("-1-2").is_err());
    }
}

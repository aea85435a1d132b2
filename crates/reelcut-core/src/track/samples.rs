//! Analysis samples kept and reused: when a clip's part is moved or extended, what was
//! already seen of the source is taken from the samples kept, and only the stretches not
//! seen before are decoded and analysed.

use super::path::PartSamples;
use crate::TimeRange;

/// Gaps shorter than this (under a frame) are not worth a decode.
const MIN_GAP: f64 = 0.04;

/// What `kept` already holds of `part`, as samples of `part`, and the sub-ranges of `part`
/// nothing in `kept` covers (in order).
pub fn cover(kept: &[PartSamples], part: TimeRange) -> (PartSamples, Vec<TimeRange>) {
    let inside = |t: f64, r: &TimeRange| t >= r.start - 1e-9 && t < r.end - 1e-9;
    let within = |t: f64| inside(t, &part);
    let mut out = PartSamples {
        part,
        samples: Vec::new(),
        frames: Vec::new(),
        frame_times: Vec::new(),
    };
    let mut covered: Vec<TimeRange> = Vec::new();
    for k in kept {
        let a = k.part.start.max(part.start);
        let b = k.part.end.min(part.end);
        if b - a <= 1e-9 {
            continue;
        }
        covered.push(TimeRange { start: a, end: b });
        let r = TimeRange { start: a, end: b };
        out.samples.extend(
            k.samples
                .iter()
                .filter(|s| inside(s.t, &r) && within(s.t))
                .cloned(),
        );
        out.frames
            .extend(k.frames.iter().filter(|f| inside(f.0, &r)).cloned());
        out.frame_times
            .extend(k.frame_times.iter().filter(|t| inside(**t, &r)).copied());
    }
    sort(&mut out);
    covered.sort_by(|x, y| x.start.total_cmp(&y.start));
    let mut missing = Vec::new();
    let mut at = part.start;
    for c in &covered {
        if c.start - at > MIN_GAP {
            missing.push(TimeRange {
                start: at,
                end: c.start,
            });
        }
        at = at.max(c.end);
    }
    if part.end - at > MIN_GAP {
        missing.push(TimeRange {
            start: at,
            end: part.end,
        });
    }
    (out, missing)
}

/// `more` (samples of sub-ranges of `into.part`) added to `into`, in time order.
pub fn merge(into: &mut PartSamples, more: PartSamples) {
    into.samples.extend(more.samples);
    into.frames.extend(more.frames);
    into.frame_times.extend(more.frame_times);
    sort(into);
}

fn sort(p: &mut PartSamples) {
    p.samples.sort_by(|a, b| a.t.total_cmp(&b.t));
    p.samples.dedup_by(|a, b| (a.t - b.t).abs() < 1e-9);
    p.frames.sort_by(|a, b| a.0.total_cmp(&b.0));
    p.frames.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9);
    p.frame_times.sort_by(f64::total_cmp);
    p.frame_times.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::Sample;

    fn seen(a: f64, b: f64) -> PartSamples {
        let n = ((b - a) * 30.0).round() as usize;
        let times: Vec<f64> = (0..n).map(|k| a + k as f64 / 30.0).collect();
        PartSamples {
            part: TimeRange { start: a, end: b },
            samples: times
                .iter()
                .step_by(4)
                .map(|&t| Sample {
                    t,
                    faces: Vec::new(),
                    patches: Vec::new(),
                })
                .collect(),
            frames: times.iter().map(|&t| (t, vec![t as f32])).collect(),
            frame_times: times,
        }
    }

    #[test]
    fn an_extended_part_needs_only_its_new_stretch() {
        let kept = [seen(10.0, 15.0)];
        let (have, missing) = cover(
            &kept,
            TimeRange {
                start: 10.0,
                end: 17.0,
            },
        );
        assert_eq!(missing.len(), 1);
        assert!((missing[0].start - 15.0).abs() < 1e-9 && (missing[0].end - 17.0).abs() < 1e-9);
        assert_eq!(have.frame_times.len(), 150);
        let mut have = have;
        merge(&mut have, seen(15.0, 17.0));
        assert_eq!(have.frame_times.len(), 210);
        assert!(have.frame_times.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn a_shortened_or_moved_part_takes_what_is_kept() {
        let kept = [seen(10.0, 15.0), seen(20.0, 25.0)];
        let (have, missing) = cover(
            &kept,
            TimeRange {
                start: 11.0,
                end: 14.0,
            },
        );
        assert!(missing.is_empty());
        assert_eq!(have.frame_times.len(), 90);
        // Spanning both with a gap between: only the gap is missing.
        let (_, missing) = cover(
            &kept,
            TimeRange {
                start: 12.0,
                end: 22.0,
            },
        );
        assert_eq!(
            missing,
            vec![TimeRange {
                start: 15.0,
                end: 20.0
            }]
        );
        // Nothing kept: all of it.
        let (_, missing) = cover(
            &[],
            TimeRange {
                start: 1.0,
                end: 2.0,
            },
        );
        assert_eq!(
            missing,
            vec![TimeRange {
                start: 1.0,
                end: 2.0
            }]
        );
    }
}

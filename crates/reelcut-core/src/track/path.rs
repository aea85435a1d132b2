//! From analysis samples of each part of a clip to a crop path on the clip timeline and a
//! per-shot summary.

use serde::{Deserialize, Serialize};

use super::camera::{AxisCamera, CameraConfig};
use super::facecuts::{self, FaceCutParams};
use super::layout::{self, LayoutParams, LayoutPolicy, Person, Pin, ShotLayout};
use super::mouth::FacePatch;
use super::panels;
use super::stretch::{self, StretchParams, StretchSummary};
use super::tracks::{associate, choose_subject, Track};
use super::{shots, Detection};
use crate::geometry::crop_size_for;
use crate::{Aspect, CropPath, PanelRange, TimeRange};

/// Faces found in one sampled frame (source pixels, source time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub t: f64,
    pub faces: Vec<Detection>,
    /// Mouth and nose patches of each face (same order; None without landmarks). May be
    /// empty: then no mouth evidence.
    pub patches: Vec<Option<FacePatch>>,
}

/// What the analysis pass saw in one part of a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartSamples {
    pub part: TimeRange,
    /// Faces at the sampling rate.
    pub samples: Vec<Sample>,
    /// Decoded frames: (source time, luma histogram), for shot cuts.
    pub frames: Vec<(f64, Vec<f32>)>,
    /// Source times of every frame the renderer will output (decoded or not), so the crop
    /// path has a key for each.
    pub frame_times: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotSummary {
    /// Clip-timeline seconds.
    pub start: f64,
    pub end: f64,
    /// "track" (following a face), "center" (no face: centred crop), "blur" (no face, or a
    /// wide shot: the whole frame over a blurred copy), "split" (two people, one half each)
    /// or "grid" (three or four people).
    pub mode: String,
    /// Faces seen in at least a quarter of the shot's samples.
    pub faces: usize,
    /// Share of the shot's samples in which the subject was detected.
    pub subject_coverage: f32,
    /// The subject's median face box in source pixels (x, y, w, h).
    pub subject_box: Option<[f32; 4]>,
    /// Why the layout (`mode`) was chosen, for `--layout split|auto`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub layout_why: String,
    /// `split`/`grid`: the face tracks shown, in cell order (top to bottom, or reading
    /// order in a grid).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<usize>,
    /// The faces seen in the shot (tracks with at least three detections): the ids an
    /// override's `track` names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<FaceSummary>,
    /// Whom the camera follows, stretch by stretch (speaker turns, or the subject and any
    /// handover), with the evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stretches: Vec<StretchSummary>,
    /// Voice activity within the shot (clip time), the audio half of the evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speech: Vec<[f64; 2]>,
}

/// One face track of a shot, as clips.json lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceSummary {
    pub id: usize,
    /// Median box, source pixels (x, y, w, h).
    #[serde(rename = "box")]
    pub face_box: [f32; 4],
    /// Share of the shot's samples it was seen in.
    pub coverage: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackOutcome {
    pub path: CropPath,
    pub shots: Vec<ShotSummary>,
    /// Clip-time ranges shown as panels (split, grid, or a pinned fixed crop).
    pub panels: Vec<PanelRange>,
    /// Clip-time ranges shown whole over a blurred copy (wide shots, pinned).
    pub blur: Vec<TimeRange>,
}

#[derive(Debug, Clone, Copy)]
pub struct TrackParams {
    pub camera: CameraConfig,
    /// Luma-histogram distance above which consecutive frames are a cut.
    pub cut_threshold: f32,
    /// A track survives this many seconds without a detection.
    pub max_gap_seconds: f64,
    pub face_cuts: FaceCutParams,
    pub stretch: StretchParams,
    pub layout: LayoutPolicy,
    pub layout_params: LayoutParams,
}

impl Default for TrackParams {
    fn default() -> Self {
        Self {
            camera: CameraConfig::default(),
            cut_threshold: 0.3,
            max_gap_seconds: 1.5,
            face_cuts: FaceCutParams::default(),
            stretch: StretchParams::default(),
            layout: LayoutPolicy::Speaker,
            layout_params: LayoutParams::default(),
        }
    }
}

/// Builds the crop path of a clip made of `parts` (in order). `speech` lists source ranges
/// with voice activity (empty if unknown): it gates which mouth motion counts as speaking.
/// `pins`: the user's overrides (clip time), checked; a later one wins where they overlap.
#[allow(clippy::too_many_arguments)] // source geometry + clip + tuning, all plain values
pub fn build_crop_path(
    parts: &[PartSamples],
    src_w: u32,
    src_h: u32,
    sar: f64,
    aspect: Aspect,
    frame_dur: f64,
    speech: &[TimeRange],
    pins: &[(TimeRange, Pin)],
    params: &TrackParams,
) -> TrackOutcome {
    let (cw, ch) = crop_size_for(src_w, src_h, sar, aspect);
    let (cwf, chf) = (cw as f64, ch as f64);
    let (min_x, max_x) = (cwf / 2.0, src_w as f64 - cwf / 2.0);
    let (min_y, max_y) = (chf / 2.0, src_h as f64 - chf / 2.0);
    let centre = (src_w as f64 / 2.0, src_h as f64 / 2.0);
    let geo = panels::Geometry {
        src_w,
        src_h,
        sar,
        aspect,
        camera: params.camera,
    };
    let mut keys = Vec::new();
    let mut summaries = Vec::new();
    let mut shows = panels::Shows::default();
    // Where a track pin's face was, once its starting shot resolved it: later shots of the
    // range follow the face nearest there.
    let mut pin_points: Vec<Option<[f32; 2]>> = vec![None; pins.len()];
    let mut offset = 0.0;
    for ps in parts {
        let part = ps.part;
        let max_gap = max_gap_of(ps, params);
        for w in shot_bounds(ps, frame_dur, max_gap, params).windows(2) {
            let Some((frames, shot_samples)) = shot_of(ps, w[0], w[1], frame_dur) else {
                continue;
            };
            let dets: Vec<Vec<Detection>> = shot_samples.iter().map(|s| s.faces.clone()).collect();
            let tracks = associate(&dets, max_gap);
            let shot_start = frames[0].max(part.start);
            let shot_end = (frames[frames.len() - 1] + frame_dur).min(part.end);
            let shot_speech: Vec<TimeRange> = speech
                .iter()
                .filter(|r| r.start < shot_end && r.end > shot_start)
                .copied()
                .collect();
            let subject =
                choose_subject(&tracks, dets.len(), src_h as f32, !shot_speech.is_empty());
            let n = dets.len().max(1);
            let people: Vec<Person> = tracks
                .iter()
                .filter(|t| t.hits.len() * 4 >= n)
                .map(|t| Person {
                    track: t.id,
                    cx: median_box(&t.hits)[0] + median_box(&t.hits)[2] / 2.0,
                    presence: t.hits.len() as f32 / n as f32,
                })
                .collect();
            let shot_plan = stretch::plan(
                &tracks,
                &shot_samples,
                subject,
                &shot_speech,
                shot_end,
                &params.stretch,
            );
            let stretches = &shot_plan.stretches;
            let (auto, layout_why) = layout::choose(
                params.layout,
                &people,
                &shot_plan.spoken_turns,
                &params.layout_params,
            );
            let targets_of = |id: usize| -> Targets {
                tracks
                    .iter()
                    .find(|t| t.id == id)
                    .map(|t| track_targets(t, &shot_samples, chf))
                    .unwrap_or_default()
            };
            let stretch_at = |t: f64| stretches.iter().rposition(|s| s.start <= t).unwrap_or(0);
            let clip_start = part.clip_time(shot_start, offset);
            let clip_end = part.clip_time(shot_end, offset);
            // Pins resolved against this shot's faces.
            let resolved: Vec<Option<panels::Show>> = pins
                .iter()
                .enumerate()
                .map(|(i, (r, pin))| {
                    if r.end <= clip_start || r.start >= clip_end {
                        return None;
                    }
                    let starts_here = r.start >= clip_start - TIME_EPS;
                    panels::resolve(
                        pin,
                        &tracks,
                        &people,
                        starts_here,
                        &mut pin_points[i],
                        params.layout_params.max_panels,
                    )
                })
                .collect();
            let auto_show = |t: f64| match &auto {
                ShotLayout::Speaker if stretches.is_empty() => panels::Show::Centre,
                ShotLayout::Speaker => panels::Show::Stretch(stretch_at(t)),
                ShotLayout::Panels(ids) => panels::Show::Panels(ids.clone()),
                ShotLayout::Wide => panels::Show::Wide,
            };
            // What is being filmed (one face followed) and its targets.
            let mut current: Option<(panels::Show, Targets)> = None;
            let mut cam_x = AxisCamera::new(centre.0, cwf, min_x, max_x, params.camera);
            let mut cam_y = AxisCamera::new(centre.1, chf, min_y, max_y, params.camera);
            let mut prev_t: Option<f64> = None;
            for &t in &frames {
                let ct = part.clip_time(t, offset);
                let pinned = pins
                    .iter()
                    .zip(&resolved)
                    .rev()
                    .find(|((r, _), res)| {
                        res.is_some() && ct >= r.start - TIME_EPS && ct < r.end - TIME_EPS
                    })
                    .and_then(|(_, res)| res.clone());
                let show = pinned.unwrap_or_else(|| auto_show(t));
                let show = match show {
                    // A pinned "speaker" layout on a shot whose automatic layout is not.
                    panels::Show::Speaker if stretches.is_empty() => panels::Show::Centre,
                    panels::Show::Speaker => panels::Show::Stretch(stretch_at(t)),
                    s => s,
                };
                let follow = match &show {
                    panels::Show::Stretch(k) => stretches.get(*k).map(|s| s.track),
                    panels::Show::Track(id) => Some(*id),
                    _ => None,
                };
                let (x, y) = match follow {
                    None => {
                        // Not following a face: the crop path holds (panels, the wide
                        // layout and a fixed crop have paths of their own).
                        current = None;
                        if show == panels::Show::Centre {
                            cam_x.cut_to(centre.0);
                            cam_y.cut_to(centre.1);
                        }
                        (cam_x.pos, cam_y.pos)
                    }
                    Some(id) if current.as_ref().is_none_or(|c| c.0 != show) => {
                        // A new stretch starts with a cut straight onto its face.
                        let targets = targets_of(id);
                        let (tx, ty, ..) = target_at(&targets, t, centre);
                        cam_x.cut_to(tx);
                        cam_y.cut_to(ty);
                        current = Some((show.clone(), targets));
                        (cam_x.pos, cam_y.pos)
                    }
                    Some(_) => {
                        let targets = current.as_ref().map(|c| c.1.as_slice()).unwrap_or(&[]);
                        let dt = (t - prev_t.unwrap_or(t)).max(1e-4);
                        let (tx, ty, vx, vy) = target_at(targets, t, centre);
                        (cam_x.step(tx, vx, dt), cam_y.step(ty, vy, dt))
                    }
                };
                prev_t = Some(t);
                keys.push((ct, x, y));
                shows.push(t, ct, show);
            }
            shows.end_shot(&geo, &tracks, &shot_samples, clip_end);
            let subject = subject.and_then(|id| tracks.iter().find(|t| t.id == id));
            let clip_t = |t: f64| part.clip_time(t.clamp(shot_start, shot_end), offset);
            let stretch_summaries = stretches
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let a = if k == 0 { shot_start } else { s.start };
                    let b = stretches.get(k + 1).map_or(shot_end, |n| n.start);
                    let in_stretch: Vec<(usize, Detection)> = tracks
                        .iter()
                        .find(|t| t.id == s.track)
                        .map(|t| {
                            t.hits
                                .iter()
                                .filter(|(i, _)| {
                                    shot_samples.get(*i).is_some_and(|x| x.t >= a && x.t < b)
                                })
                                .copied()
                                .collect()
                        })
                        .unwrap_or_default();
                    StretchSummary {
                        start: clip_t(a),
                        end: clip_t(b),
                        why: s.why,
                        track: Some(s.track),
                        subject_box: (!in_stretch.is_empty()).then(|| median_box(&in_stretch)),
                        confidence: s.confidence,
                        mouth: s.mouth,
                        others_mouth: s.others_mouth,
                    }
                })
                .collect();
            summaries.push(ShotSummary {
                start: clip_start,
                end: clip_end,
                mode: match (&auto, subject) {
                    (ShotLayout::Panels(ids), _) if ids.len() == 2 => "split",
                    (ShotLayout::Panels(_), _) => "grid",
                    (ShotLayout::Wide, _) => "blur",
                    (ShotLayout::Speaker, Some(_)) => "track",
                    (ShotLayout::Speaker, None) => "center",
                }
                .into(),
                faces: people.len(),
                subject_coverage: subject.map_or(0.0, |t| t.hits.len() as f32 / n as f32),
                subject_box: subject.map(|t| median_box(&t.hits)),
                layout_why,
                panels: match &auto {
                    ShotLayout::Panels(ids) => ids.clone(),
                    _ => Vec::new(),
                },
                tracks: tracks
                    .iter()
                    .filter(|t| t.hits.len() >= 3)
                    .map(|t| FaceSummary {
                        id: t.id,
                        face_box: median_box(&t.hits),
                        coverage: t.hits.len() as f32 / n as f32,
                    })
                    .collect(),
                stretches: stretch_summaries,
                speech: shot_speech
                    .iter()
                    .map(|r| [clip_t(r.start), clip_t(r.end)])
                    .collect(),
            });
        }
        offset += part.duration();
    }
    let mut path = CropPath {
        source_width: src_w,
        source_height: src_h,
        width: cw,
        height: ch,
        keys,
    };
    if path.keys.is_empty() {
        path.keys.push((0.0, centre.0, centre.1));
    }
    let (panels, blur) = shows.finish();
    TrackOutcome {
        path,
        shots: summaries,
        panels,
        blur,
    }
}

/// Slack when comparing frame times with range edges (well under a frame).
const TIME_EPS: f64 = 1e-6;

/// (time, x, y) the crop centre should be at, per detection of the followed face.
pub(super) type Targets = Vec<(f64, f64, f64)>;

/// Samples a face may be missing from before its track ends, at this part's sampling rate.
fn max_gap_of(ps: &PartSamples, params: &TrackParams) -> usize {
    let rate = if ps.samples.len() > 1 {
        (ps.samples.len() - 1) as f64
            / (ps.samples[ps.samples.len() - 1].t - ps.samples[0].t).max(1e-6)
    } else {
        8.0
    };
    (params.max_gap_seconds * rate).ceil().max(1.0) as usize
}

/// Where the cuts of a part cannot be placed on their frame yet: for each shot boundary,
/// the span from the decoded frame before it to the boundary, when frames the analysis did
/// not decode (it skips B-frames) lie in between. Decoding those spans in full and merging
/// their frames into `ps.frames` makes every cut frame accurate again; a span with no frame
/// between is already exact (encoders usually put a key or P-frame on a scene change).
pub fn refine_windows(ps: &PartSamples, frame_dur: f64, params: &TrackParams) -> Vec<TimeRange> {
    let bounds = shot_bounds(ps, frame_dur, max_gap_of(ps, params), params);
    let mut out: Vec<TimeRange> = Vec::new();
    for b in bounds.into_iter().filter(|b| b.is_finite()) {
        let Some(before) = ps
            .frames
            .iter()
            .rev()
            .map(|f| f.0)
            .find(|t| *t < b - TIME_EPS)
        else {
            continue;
        };
        let hidden = ps
            .frame_times
            .iter()
            .any(|t| *t > before + TIME_EPS && *t < b - TIME_EPS);
        if hidden && out.last().is_none_or(|w| w.end < before) {
            out.push(TimeRange {
                start: before,
                end: b,
            });
        }
    }
    out
}

impl PartSamples {
    /// Puts the frames of a fully decoded `window` (from [`refine_windows`]) in place of
    /// what the analysis decoded there, in time order.
    pub fn refine(&mut self, window: TimeRange, frames: Vec<(f64, Vec<f32>)>) {
        let inside = |t: f64| t >= window.start - TIME_EPS && t <= window.end + TIME_EPS;
        if frames.is_empty() {
            return;
        }
        self.frames.retain(|f| !inside(f.0));
        self.frames
            .extend(frames.into_iter().filter(|f| inside(f.0)));
        self.frames.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
}

/// Shot boundaries of a part (source time, from -inf to +inf): cuts in the luma histograms
/// of the frames (frame accurate), then, inside each such shot, cuts the faces show
/// ([`facecuts`]), placed on the frame between the two samples that changes most.
fn shot_bounds(ps: &PartSamples, frame_dur: f64, max_gap: usize, params: &TrackParams) -> Vec<f64> {
    let hists: Vec<Vec<f32>> = ps.frames.iter().map(|(_, h)| h.clone()).collect();
    let mut hist_bounds: Vec<f64> = vec![f64::NEG_INFINITY];
    hist_bounds.extend(
        shots::cuts(&hists, params.cut_threshold)
            .into_iter()
            .map(|i| ps.frames[i].0),
    );
    hist_bounds.push(f64::INFINITY);
    let mut bounds = vec![f64::NEG_INFINITY];
    for w in hist_bounds.windows(2) {
        if let Some((_, samples)) = shot_of(ps, w[0], w[1], frame_dur) {
            let dets: Vec<Vec<Detection>> = samples.iter().map(|s| s.faces.clone()).collect();
            let tracks = associate(&dets, max_gap);
            for i in facecuts::face_cuts(&tracks, samples.len(), &params.face_cuts) {
                let (a, b) = (samples[i - 1].t, samples[i].t);
                bounds.push(shots::sharpest_change(&ps.frames, a, b).unwrap_or(b));
            }
        }
        bounds.push(w[1]);
    }
    bounds
}

/// The output frame times of the shot `[s0, s1)` of a part, and its samples (only those
/// inside this shot and this part: a caller may sample a little wider). None if the shot
/// has no frame.
fn shot_of(ps: &PartSamples, s0: f64, s1: f64, frame_dur: f64) -> Option<(Vec<f64>, Vec<&Sample>)> {
    let frames: Vec<f64> = ps
        .frame_times
        .iter()
        .copied()
        .filter(|t| *t >= s0 && *t < s1)
        .collect();
    let (lo, hi) = (
        *frames.first()? - frame_dur,
        frames[frames.len() - 1] + frame_dur,
    );
    let samples = ps
        .samples
        .iter()
        .filter(|s| s.t >= s0 && s.t < s1 && s.t >= lo && s.t <= hi)
        .collect();
    Some((frames, samples))
}

/// Where the crop centre should be for each detection of the subject: the face centred
/// horizontally, and a little above the middle vertically (headroom), when the crop is
/// shorter than the frame.
pub(super) fn track_targets(
    track: &Track,
    samples: &[&Sample],
    crop_h: f64,
) -> Vec<(f64, f64, f64)> {
    track
        .hits
        .iter()
        .filter_map(|(i, d)| {
            let (cx, cy) = d.centre();
            samples
                .get(*i)
                .map(|s| (s.t, cx as f64, cy as f64 + 0.1 * crop_h))
        })
        .collect()
}

/// Target position and velocity at `t`: linear between detections, held before the first
/// and after the last (a missed detection keeps the last position).
pub(super) fn target_at(
    targets: &[(f64, f64, f64)],
    t: f64,
    fallback: (f64, f64),
) -> (f64, f64, f64, f64) {
    let Some(first) = targets.first() else {
        return (fallback.0, fallback.1, 0.0, 0.0);
    };
    if t <= first.0 {
        return (first.1, first.2, 0.0, 0.0);
    }
    let i = targets.partition_point(|k| k.0 <= t);
    if i >= targets.len() {
        let last = targets[targets.len() - 1];
        return (last.1, last.2, 0.0, 0.0);
    }
    let (a, b) = (targets[i - 1], targets[i]);
    let span = (b.0 - a.0).max(1e-6);
    // A gap of more than a second is a dropout, not motion: hold instead of gliding.
    if span > 1.0 {
        return (a.1, a.2, 0.0, 0.0);
    }
    let f = (t - a.0) / span;
    (
        a.1 + (b.1 - a.1) * f,
        a.2 + (b.2 - a.2) * f,
        (b.1 - a.1) / span,
        (b.2 - a.2) / span,
    )
}

pub(super) fn median_box(hits: &[(usize, Detection)]) -> [f32; 4] {
    let med = |mut v: Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v[v.len() / 2]
    };
    [
        med(hits.iter().map(|h| h.1.x).collect()),
        med(hits.iter().map(|h| h.1.y).collect()),
        med(hits.iter().map(|h| h.1.w).collect()),
        med(hits.iter().map(|h| h.1.h).collect()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const FPS: f64 = 30.0;

    fn face_at(cx: f32, noise: f32) -> Vec<Detection> {
        vec![Detection {
            x: cx - 50.0 + noise,
            y: 400.0,
            w: 100.0,
            h: 120.0,
            score: 0.9,
            landmarks: None,
        }]
    }

    /// 9 s: face still at x=500 (0-3 s), pans to 1400 (3-6 s), hard cut at 6 s to a new
    /// scene with the face at 1500, with noise and dropouts.
    fn scenario() -> PartSamples {
        let part = TimeRange {
            start: 0.0,
            end: 9.0,
        };
        let pos = |t: f64| -> f32 {
            if t < 3.0 {
                500.0
            } else if t < 6.0 {
                500.0 + 300.0 * (t - 3.0) as f32
            } else {
                1500.0
            }
        };
        let samples = (0..72)
            .map(|i| {
                let t = i as f64 / 8.0;
                let noise = ((i * 37) % 7) as f32 - 3.0;
                // Every fifth sample the detector misses the face.
                Sample {
                    t,
                    faces: if i % 5 == 4 {
                        vec![]
                    } else {
                        face_at(pos(t), noise)
                    },
                    patches: Vec::new(),
                }
            })
            .collect();
        // Like the analysis pass, only some frames are decoded (here every other one), but
        // every frame's time is known.
        let frame_times: Vec<f64> = (0..270).map(|k| k as f64 / FPS).collect();
        let frames: Vec<(f64, Vec<f32>)> = frame_times
            .iter()
            .step_by(2)
            .map(|&t| {
                let mut h = vec![0.0f32; 32];
                h[if t < 6.0 { 3 } else { 20 }] = 1.0;
                (t, h)
            })
            .collect();
        PartSamples {
            part,
            samples,
            frames,
            frame_times,
        }
    }

    /// Two scenes cut at frame `cut` (of 270 at 30 fps), as an analysis that decodes every
    /// fourth frame sees them (B-frames skipped), and the frames it skipped.
    fn cut_between_decoded_frames(cut: usize) -> (PartSamples, Vec<(f64, Vec<f32>)>) {
        let mut ps = scenario();
        let hist = |k: usize| {
            let mut h = vec![0.0f32; 32];
            h[if k < cut { 3 } else { 20 }] = 1.0;
            (k as f64 / FPS, h)
        };
        ps.frames = (0..270).step_by(4).map(hist).collect();
        (ps, (0..270).map(hist).collect())
    }

    #[test]
    fn a_cut_between_decoded_frames_is_refined_onto_its_frame() {
        let params = TrackParams::default();
        for cut in [181, 182, 183, 184] {
            let (mut ps, all) = cut_between_decoded_frames(cut);
            // The analysis alone puts the cut on the next decoded frame.
            let windows = refine_windows(&ps, 1.0 / FPS, &params);
            assert_eq!(
                windows,
                [TimeRange {
                    start: 180.0 / FPS,
                    end: 184.0 / FPS
                }],
                "cut at {cut}"
            );
            for w in windows {
                let inside = all
                    .iter()
                    .filter(|f| f.0 >= w.start - 1e-9 && f.0 <= w.end + 1e-9)
                    .cloned()
                    .collect();
                ps.refine(w, inside);
            }
            let out = build(ps.clone());
            assert_eq!(out.shots.len(), 2, "cut at {cut}: {:?}", out.shots);
            assert!(
                (out.shots[1].start - cut as f64 / FPS).abs() < 1e-9,
                "cut at {cut}: shot starts {}",
                out.shots[1].start
            );
            // Refined once, nothing is left to refine.
            assert!(refine_windows(&ps, 1.0 / FPS, &params).is_empty());
        }
    }

    #[test]
    fn a_cut_with_no_skipped_frame_before_it_needs_no_refining() {
        let (mut ps, _) = cut_between_decoded_frames(180);
        // The frame before the cut was decoded too (as x264 codes it: a P-frame before the
        // keyframe it puts on a scene change).
        ps.frames.push((179.0 / FPS, ps.frames[44].1.clone()));
        ps.frames.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(refine_windows(&ps, 1.0 / FPS, &TrackParams::default()).is_empty());
        assert!((build(ps).shots[1].start - 6.0).abs() < 1e-9);
    }

    fn centre_x(out: &TrackOutcome, t: f64) -> f64 {
        let r = out.path.at(t);
        r.x as f64 + r.width as f64 / 2.0
    }

    #[test]
    fn follows_still_pan_and_cut() {
        let out = build_crop_path(
            &[scenario()],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &[],
            &TrackParams::default(),
        );
        assert_eq!(out.path.keys.len(), 270);
        assert_eq!(out.shots.len(), 2);
        assert_eq!(out.shots[0].mode, "track");
        assert!((out.shots[1].start - 6.0).abs() < 1e-9);
        // Still: exactly constant crop, face centred.
        let still: Vec<u32> = (0..85).map(|k| out.path.at(k as f64 / FPS).x).collect();
        assert!(still.windows(2).all(|w| w[0] == w[1]), "{still:?}");
        assert!((centre_x(&out, 1.0) - 500.0).abs() < 10.0);
        // Pan: the face stays within 15 % of the crop width of its centre.
        for k in 95..180 {
            let t = k as f64 / FPS;
            let face = 500.0 + 300.0 * (t - 3.0);
            assert!(
                (centre_x(&out, t) - face).abs() < 0.15 * 606.0,
                "t={t}: {} vs {face}",
                centre_x(&out, t)
            );
        }
        // Cut: the very first frame of the new shot is on the face (a jump, not a pan).
        assert!(
            (centre_x(&out, 6.0) - 1500.0).abs() < 10.0,
            "{}",
            centre_x(&out, 6.0)
        );
    }

    /// 6 s of one unchanging scene (every histogram alike) with faces placed by `faces(t)`.
    fn one_scene(faces: impl Fn(f64) -> Vec<Detection>) -> PartSamples {
        let frame_times: Vec<f64> = (0..180).map(|k| k as f64 / FPS).collect();
        PartSamples {
            part: TimeRange {
                start: 0.0,
                end: 6.0,
            },
            samples: (0..48)
                .map(|i| {
                    let t = i as f64 / 8.0;
                    Sample {
                        t,
                        faces: faces(t),
                        patches: Vec::new(),
                    }
                })
                .collect(),
            frames: frame_times.iter().map(|&t| (t, vec![1.0; 32])).collect(),
            frame_times,
        }
    }

    fn build(ps: PartSamples) -> TrackOutcome {
        build_crop_path(
            &[ps],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &[],
            &TrackParams::default(),
        )
    }

    #[test]
    fn a_jump_the_histograms_miss_is_a_cut_from_the_faces() {
        let out = build(one_scene(|t| {
            face_at(if t < 4.0 { 500.0 } else { 1300.0 }, 0.0)
        }));
        assert_eq!(out.shots.len(), 2, "{:?}", out.shots);
        assert!((out.shots[1].start - 4.0).abs() < 1e-9);
        assert!((centre_x(&out, 3.9) - 500.0).abs() < 10.0);
        assert!(
            (centre_x(&out, 4.0) - 1300.0).abs() < 10.0,
            "{}",
            centre_x(&out, 4.0)
        );
    }

    #[test]
    fn a_subject_that_leaves_hands_over_to_the_face_still_there() {
        // The big face leaves at 3 s; a small one is there all along.
        let out = build(one_scene(|t| {
            let mut f = if t < 3.0 { face_at(500.0, 0.0) } else { vec![] };
            f.push(Detection {
                x: 1300.0,
                y: 400.0,
                w: 24.0,
                h: 24.0,
                score: 0.9,
                landmarks: None,
            });
            f
        }));
        assert_eq!(out.shots.len(), 1);
        let whys: Vec<_> = out.shots[0].stretches.iter().map(|s| s.why).collect();
        assert_eq!(whys, [stretch::Why::Subject, stretch::Why::Handover]);
        assert!((centre_x(&out, 2.5) - 500.0).abs() < 10.0);
        assert!(
            (centre_x(&out, 3.0) - 1312.0).abs() < 10.0,
            "{}",
            centre_x(&out, 3.0)
        );
    }

    fn two_faces(t: f64) -> Vec<Detection> {
        let _ = t;
        let mut f = face_at(500.0, 0.0);
        f.extend(face_at(1400.0, 0.0));
        f
    }

    #[test]
    fn split_gives_each_person_a_panel_in_source_order() {
        let params = TrackParams {
            layout: LayoutPolicy::Split,
            ..TrackParams::default()
        };
        let ps = one_scene(two_faces);
        let out = build_crop_path(
            &[ps],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &[],
            &params,
        );
        assert_eq!(out.shots[0].mode, "split");
        assert_eq!(out.panels.len(), 1, "{:?}", out.panels);
        let p = &out.panels[0];
        assert!((p.start, p.end) == (0.0, 6.0), "{} {}", p.start, p.end);
        assert_eq!(p.crops.len(), 2);
        // Top: the face on the left; bottom: the one on the right; each centred in a window
        // shaped like its half (1080x960) and sized to the face (3.5 face heights).
        let centre = |c: &CropPath, t: f64| {
            let r = c.at(t);
            (r.x as f64 + r.width as f64 / 2.0, r.width, r.height)
        };
        let (x0, w0, h0) = centre(&p.crops[0], 3.0);
        let (x1, ..) = centre(&p.crops[1], 3.0);
        assert!(
            (x0 - 500.0).abs() < 10.0 && (x1 - 1400.0).abs() < 10.0,
            "{x0} {x1}"
        );
        assert_eq!(h0, 420);
        assert!(
            ((w0 as f64 / h0 as f64) - 1080.0 / 960.0).abs() < 0.01,
            "{w0}x{h0}"
        );
        assert_eq!(out.shots[0].panels.len(), 2);
    }

    #[test]
    fn pins_override_the_automatic_framing() {
        // Two faces; the subject is the left one (larger? equal: the first). Pin the right
        // face for 1-3 s, a fixed crop for 4-5 s.
        let ps = one_scene(two_faces);
        let pins = [
            (
                TimeRange {
                    start: 1.0,
                    end: 3.0,
                },
                Pin::Face([1400.0, 460.0]),
            ),
            (
                TimeRange {
                    start: 4.0,
                    end: 5.0,
                },
                Pin::Crop([0, 0, 303, 540]),
            ),
        ];
        let out = build_crop_path(
            &[ps],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &pins,
            &TrackParams::default(),
        );
        let auto = centre_x(&out, 0.5);
        assert!(
            (centre_x(&out, 1.0) - 1400.0).abs() < 10.0,
            "{}",
            centre_x(&out, 1.0)
        );
        assert!((centre_x(&out, 2.9) - 1400.0).abs() < 10.0);
        // Back to the automatic choice after the pin, with a cut.
        assert!(
            (centre_x(&out, 3.05) - auto).abs() < 10.0,
            "{auto} {}",
            centre_x(&out, 3.05)
        );
        assert_eq!(out.panels.len(), 1);
        let fixed = &out.panels[0];
        assert!((fixed.start - 4.0).abs() < 1.0 / FPS && (fixed.end - 5.0).abs() < 1.0 / FPS);
        let r = fixed.crops[0].at(4.5);
        // Height kept, width made 9:16, centre kept (clamped at the frame's edge).
        assert_eq!((r.x, r.y, r.width, r.height), (0, 0, 302, 540));
    }

    #[test]
    fn no_face_gives_the_centred_crop() {
        let mut s = scenario();
        s.samples.iter_mut().for_each(|x| x.faces.clear());
        let out = build_crop_path(
            &[s],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &[],
            &TrackParams::default(),
        );
        assert!(out.shots.iter().all(|s| s.mode == "center"));
        assert_eq!(
            out.path.at(4.0),
            CropPath::centered(1920, 1080, 1.0, Aspect::Vertical).at(4.0)
        );
    }

    #[test]
    fn multipart_keys_follow_the_clip_timeline() {
        let mut a = scenario();
        a.part = TimeRange {
            start: 0.0,
            end: 2.0,
        };
        a.frames.retain(|(t, _)| *t < 2.0);
        a.frame_times.retain(|t| *t < 2.0);
        let mut b = scenario();
        b.part = TimeRange {
            start: 7.0,
            end: 8.0,
        };
        b.frames.retain(|(t, _)| *t >= 7.0 && *t < 8.0);
        b.frame_times.retain(|t| *t >= 7.0 && *t < 8.0);
        let out = build_crop_path(
            &[a, b],
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &[],
            &[],
            &TrackParams::default(),
        );
        assert_eq!(out.path.keys.len(), 60 + 30);
        assert!(out.path.keys.windows(2).all(|w| w[1].0 > w[0].0));
        assert!((centre_x(&out, 1.0) - 500.0).abs() < 10.0);
        assert!((centre_x(&out, 2.5) - 1500.0).abs() < 10.0);
    }
}

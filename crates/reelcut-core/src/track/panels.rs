//! What each output frame of a shot shows, and the stretches of panels (split, grid, a
//! pinned fixed crop) and of the wide layout made from runs of frames: each panel gets a
//! crop path of its own, following its face with the same dead-zone camera as the main
//! crop, in a window shaped like its cell and sized to the face.

use super::camera::{AxisCamera, CameraConfig};
use super::layout::{Person, Pin, PinnedLayout};
use super::path::{median_box, target_at, track_targets, Sample};
use super::tracks::Track;
use crate::geometry::{crop_size_for_ratio, panel_cells};
use crate::{Aspect, CropPath, PanelRange, TimeRange};

/// The source and output geometry panels are cut for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Geometry {
    pub src_w: u32,
    pub src_h: u32,
    pub sar: f64,
    pub aspect: Aspect,
    pub camera: CameraConfig,
}

/// What one output frame shows.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Show {
    /// The centred crop (no face).
    Centre,
    /// The face of this stretch of the shot (its index).
    Stretch(usize),
    /// The speaker's crop, whatever the shot's own layout (a pin).
    Speaker,
    /// This face track (a pin).
    Track(usize),
    /// These tracks as panels, in cell order.
    Panels(Vec<usize>),
    /// The whole frame over a blurred copy.
    Wide,
    /// A fixed window (x, y, w, h), pinned.
    Fixed([u32; 4]),
}

/// What `pin` means in a shot with these `tracks` and `people`; `None`: nothing here (a
/// face pin in a shot without faces), the automatic framing stays. `point` carries a
/// track pin's face position from the shot where its range starts to later shots.
pub(super) fn resolve(
    pin: &Pin,
    tracks: &[Track],
    people: &[Person],
    starts_here: bool,
    point: &mut Option<[f32; 2]>,
    max_panels: usize,
) -> Option<Show> {
    let centre = |t: &Track| {
        let b = median_box(&t.hits);
        [b[0] + b[2] / 2.0, b[1] + b[3] / 2.0]
    };
    let nearest = |p: [f32; 2]| {
        tracks
            .iter()
            .filter(|t| t.hits.len() >= 3)
            .min_by(|a, b| {
                let d = |t: &Track| {
                    let c = centre(t);
                    (c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2)
                };
                d(a).total_cmp(&d(b))
            })
            .map(|t| Show::Track(t.id))
    };
    match *pin {
        Pin::Track(id) if starts_here => {
            let t = tracks.iter().find(|t| t.id == id)?;
            *point = Some(centre(t));
            Some(Show::Track(id))
        }
        Pin::Track(_) => nearest((*point)?),
        Pin::Face(p) => nearest(p),
        Pin::Crop(c) => Some(Show::Fixed(c)),
        Pin::Layout(PinnedLayout::Speaker) => Some(Show::Speaker),
        Pin::Layout(PinnedLayout::Blur) => Some(Show::Wide),
        Pin::Layout(PinnedLayout::Split) if people.len() >= 2 => {
            let mut most = people.to_vec();
            most.sort_by(|a, b| b.presence.total_cmp(&a.presence));
            most.truncate(max_panels);
            most.sort_by(|a, b| a.cx.total_cmp(&b.cx));
            Some(Show::Panels(most.iter().map(|p| p.track).collect()))
        }
        Pin::Layout(PinnedLayout::Split) => Some(Show::Speaker),
    }
}

/// Frames of the current shot as they are framed, and the ranges made so far.
#[derive(Default)]
pub(super) struct Shows {
    /// (source time, clip time, what it shows) of the current shot's frames.
    frames: Vec<(f64, f64, Show)>,
    panels: Vec<PanelRange>,
    blur: Vec<TimeRange>,
}

impl Shows {
    pub fn push(&mut self, t: f64, ct: f64, show: Show) {
        self.frames.push((t, ct, show));
    }

    /// Turns the shot's runs of panels, fixed crops and wide frames into ranges.
    pub fn end_shot(&mut self, geo: &Geometry, tracks: &[Track], samples: &[&Sample], end: f64) {
        let frames = std::mem::take(&mut self.frames);
        let mut i = 0;
        while i < frames.len() {
            let show = &frames[i].2;
            let j = i + frames[i..].iter().take_while(|f| &f.2 == show).count();
            let run = &frames[i..j];
            let (start, stop) = (run[0].1, frames.get(j).map_or(end, |f| f.1));
            match show {
                Show::Wide => self.blur.push(TimeRange { start, end: stop }),
                Show::Fixed(c) => self.panels.push(PanelRange {
                    start,
                    end: stop,
                    crops: vec![fixed_path(geo, *c, start)],
                }),
                Show::Panels(ids) => {
                    let cells = panel_cells(geo.aspect.output_size(1080), ids.len());
                    let boxes: Vec<Option<[f32; 4]>> = ids
                        .iter()
                        .map(|id| {
                            tracks
                                .iter()
                                .find(|t| t.id == *id)
                                .map(|t| median_box(&t.hits))
                        })
                        .collect();
                    let crops = ids
                        .iter()
                        .zip(&cells)
                        .enumerate()
                        .map(|(k, (id, cell))| {
                            let ratio = cell.width as f64 / cell.height as f64;
                            let track = tracks.iter().find(|t| t.id == *id);
                            let others: Vec<[f32; 4]> = boxes
                                .iter()
                                .enumerate()
                                .filter(|(j, _)| *j != k)
                                .filter_map(|(_, b)| *b)
                                .collect();
                            panel_path(geo, track, &others, samples, run, ratio)
                        })
                        .collect();
                    self.panels.push(PanelRange {
                        start,
                        end: stop,
                        crops,
                    });
                }
                _ => {}
            }
            i = j;
        }
    }

    /// The panel ranges and the wide ranges (adjacent ones joined), clip time.
    pub fn finish(mut self) -> (Vec<PanelRange>, Vec<TimeRange>) {
        let mut blur: Vec<TimeRange> = Vec::new();
        for r in self.blur.drain(..) {
            match blur.last_mut() {
                Some(last) if (r.start - last.end).abs() < 1e-6 => last.end = r.end,
                _ => blur.push(r),
            }
        }
        (self.panels, blur)
    }
}

/// How much of a person a panel shows: about head and shoulders, a face's height times
/// this (never more than the source, never less than a third of it: a tiny face is not
/// blown up past what the source can give).
const PANEL_FACE_HEIGHTS: f64 = 3.5;
/// The tightest a panel gets to keep a neighbour out.
const PANEL_MIN_FACE_HEIGHTS: f64 = 2.0;

/// The crop path of one panel over `run` (source time, clip time, _), following `track`
/// (a still centred window if it is gone), in a window of display ratio `ratio`.
fn panel_path(
    geo: &Geometry,
    track: Option<&Track>,
    others: &[[f32; 4]],
    samples: &[&Sample],
    run: &[(f64, f64, Show)],
    ratio: f64,
) -> CropPath {
    let (mw, mh) = crop_size_for_ratio(geo.src_w, geo.src_h, geo.sar, ratio);
    let face_h = track.map_or(0.0, |t| t.median_height() as f64);
    let mut h = (PANEL_FACE_HEIGHTS * face_h).clamp(mh as f64 / 3.0, mh as f64);
    // A panel shows its person, not the neighbour: narrow the window (keeping its shape)
    // until the other panels' faces fall outside it, also where the frame's edge pushes it
    // towards them; but never tighter than head and a little shoulder.
    if let Some(b) = track.map(|t| median_box(&t.hits)) {
        let cx = (b[0] + b[2] / 2.0) as f64;
        let src_w = geo.src_w as f64;
        let mut max_w = f64::INFINITY;
        for o in others {
            let (left, right) = (o[0] as f64, (o[0] + o[2]) as f64);
            if left >= cx {
                // Right of us: the window's right edge, centred or pushed from the left
                // edge, stays left of that face.
                max_w = max_w.min(2.0 * (left - cx)).min(left.max(0.0));
            } else if right <= cx {
                max_w = max_w.min(2.0 * (cx - right)).min((src_w - right).max(0.0));
            }
        }
        let floor = (PANEL_MIN_FACE_HEIGHTS * face_h).min(mh as f64);
        h = h.min(max_w * geo.sar / ratio).max(floor);
    }
    let (w, h) = (
        even((h * ratio / geo.sar).min(mw as f64)),
        even(h.min(mh as f64)),
    );
    let (wf, hf) = (w as f64, h as f64);
    let centre = (geo.src_w as f64 / 2.0, geo.src_h as f64 / 2.0);
    let targets = track
        .map(|t| track_targets(t, samples, hf))
        .unwrap_or_default();
    let mut cam_x = AxisCamera::new(
        centre.0,
        wf,
        wf / 2.0,
        geo.src_w as f64 - wf / 2.0,
        geo.camera,
    );
    let mut cam_y = AxisCamera::new(
        centre.1,
        hf,
        hf / 2.0,
        geo.src_h as f64 - hf / 2.0,
        geo.camera,
    );
    let mut keys = Vec::with_capacity(run.len());
    let mut prev: Option<f64> = None;
    for &(t, ct, _) in run {
        let (tx, ty, vx, vy) = target_at(&targets, t, centre);
        let (x, y) = match prev {
            None => {
                cam_x.cut_to(tx);
                cam_y.cut_to(ty);
                (cam_x.pos, cam_y.pos)
            }
            Some(p) => {
                let dt = (t - p).max(1e-4);
                (cam_x.step(tx, vx, dt), cam_y.step(ty, vy, dt))
            }
        };
        prev = Some(t);
        keys.push((ct, x, y));
    }
    CropPath {
        source_width: geo.src_w,
        source_height: geo.src_h,
        width: w,
        height: h,
        keys,
    }
}

/// A pinned window: its centre and height kept, its width made the output's shape (and
/// both shrunk if that is wider than the source).
fn fixed_path(geo: &Geometry, c: [u32; 4], at: f64) -> CropPath {
    let (aw, ah) = geo.aspect.ratio();
    let ratio = aw as f64 / ah as f64;
    let [x, y, cw, ch] = c.map(f64::from);
    let mut h = ch;
    let mut w = h * ratio / geo.sar;
    if w > geo.src_w as f64 {
        w = geo.src_w as f64;
        h = w * geo.sar / ratio;
    }
    CropPath {
        source_width: geo.src_w,
        source_height: geo.src_h,
        width: even(w).max(2),
        height: even(h.min(geo.src_h as f64)).max(2),
        keys: vec![(at, x + cw / 2.0, y + ch / 2.0)],
    }
}

fn even(v: f64) -> u32 {
    (v.max(0.0).floor() as u32) & !1
}

//! Face-following reframing, as pure logic: detections sampled over a clip go in, a crop
//! path (one window centre per output frame, on the clip timeline) and a per-shot summary
//! come out. The detector and the frame decoding live in adapter crates.
//!
//! - [`shots`]: shot boundaries from colour histograms of the sampled frames;
//! - [`facecuts`]: shot boundaries the faces show (a jump cut on the same background);
//! - [`tracks`]: detections associated into tracks, and the subject of each shot;
//! - [`mouth`], [`speaker`], [`turns`]: who speaks (mouth motion gated by voice activity),
//!   made into turns;
//! - [`stretch`]: whom the camera follows, stretch by stretch, within a shot;
//! - [`layout`]: one person's crop, panels (split, grid) or the wide layout, per shot, and
//!   the user's overrides; `panels`: the panels' own crop paths;
//! - [`camera`]: the virtual camera (dead zone, speed limit, critically damped spring);
//! - [`path`]: everything together for the parts of one clip.

pub mod camera;
pub mod detection;
pub mod facecuts;
pub mod layout;
pub mod mouth;
mod panels;
pub mod path;
pub mod samples;
pub mod shots;
pub mod speaker;
pub mod stretch;
pub mod tracks;
pub mod turns;

pub use camera::CameraConfig;
pub use detection::Detection;
pub use layout::{LayoutPolicy, Override, Pin, PinnedLayout};
pub use mouth::{face_patch, FacePatch};
pub use path::{build_crop_path, FaceSummary, PartSamples, Sample, ShotSummary, TrackOutcome};
pub use stretch::StretchSummary;

//! Face-following reframing, as pure logic: detections sampled over a clip go in, a crop
//! path (one window centre per output frame, on the clip timeline) and a per-shot summary
//! come out. The detector and the frame decoding live in adapter crates.
//!
//! - [`shots`]: shot boundaries from colour histograms of the sampled frames;
//! - [`tracks`]: detections associated into tracks, and the subject of each shot;
//! - [`camera`]: the virtual camera (dead zone, speed limit, critically damped spring);
//! - [`path`]: everything together for the parts of one clip.

pub mod camera;
pub mod detection;
pub mod path;
pub mod shots;
pub mod tracks;

pub use camera::CameraConfig;
pub use detection::Detection;
pub use path::{build_crop_path, PartSamples, Sample, ShotSummary, TrackOutcome};

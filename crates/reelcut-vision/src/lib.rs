//! Face detectors behind one trait, and a pool that lets concurrent jobs share a few loaded
//! models instead of loading one per clip.
//!
//! YuNet (ONNX, through ONNX Runtime loaded at run time) is the detector; when the runtime or
//! the model is missing, OpenCV's Haar cascade takes over with a warning (fewer, noisier
//! detections and no landmarks, but the reframer still works).

mod cascade;
mod error;
mod pool;
mod yunet;

pub use cascade::CascadeDetector;
pub use error::VisionError;
pub use pool::{DetectorConfig, DetectorPool};
pub use reelcut_core::track::Detection;
pub use yunet::YuNetDetector;

/// A BGR24 image, rows packed (`stride == width * 3`).
#[derive(Debug, Clone, Copy)]
pub struct BgrImage<'a> {
    pub data: &'a [u8],
    pub width: u32,
    pub height: u32,
}

pub trait FaceDetector: Send {
    /// Faces in `image`, in its pixel coordinates, best first.
    fn detect(&mut self, image: BgrImage<'_>) -> Result<Vec<Detection>, VisionError>;

    /// Faces in each of `images`. Detectors that can share one inference between several
    /// small images override this.
    fn detect_batch(
        &mut self,
        images: &[BgrImage<'_>],
    ) -> Result<Vec<Vec<Detection>>, VisionError> {
        images.iter().map(|i| self.detect(*i)).collect()
    }

    fn name(&self) -> &'static str;
}

//! OpenCV Haar cascade: the fallback when YuNet cannot run. No landmarks, so the reframer
//! cannot tell who is speaking; it still follows the largest, most persistent face.

use std::path::Path;

use opencv::core::{Mat, Rect, Size, Vector, CV_8UC3};
use opencv::imgproc;
use opencv::objdetect::CascadeClassifier;
use opencv::prelude::*;
use reelcut_core::track::Detection;

use crate::{BgrImage, FaceDetector, VisionError};

pub struct CascadeDetector {
    classifier: CascadeClassifier,
}

impl CascadeDetector {
    pub fn load(xml: &Path) -> Result<Self, VisionError> {
        if !xml.is_file() {
            return Err(VisionError::ModelMissing {
                path: xml.to_path_buf(),
            });
        }
        let classifier = CascadeClassifier::new(xml.as_os_str())?;
        if classifier.empty()? {
            return Err(VisionError::Model {
                path: xml.to_path_buf(),
                message: "empty cascade".into(),
            });
        }
        Ok(Self { classifier })
    }
}

impl FaceDetector for CascadeDetector {
    fn name(&self) -> &'static str {
        "opencv-haar"
    }

    fn detect(&mut self, img: BgrImage<'_>) -> Result<Vec<Detection>, VisionError> {
        let expected = img.width as usize * img.height as usize * 3;
        if img.data.len() != expected {
            return Err(VisionError::BadImage {
                got: img.data.len(),
                expected,
                width: img.width,
                height: img.height,
            });
        }
        // SAFETY: the Mat borrows `img.data` (checked size, packed rows) only inside this call.
        let bgr = unsafe {
            Mat::new_rows_cols_with_data_unsafe_def(
                img.height as i32,
                img.width as i32,
                CV_8UC3,
                img.data.as_ptr() as *mut std::ffi::c_void,
            )?
        };
        let mut gray = Mat::default();
        imgproc::cvt_color_def(&bgr, &mut gray, imgproc::COLOR_BGR2GRAY)?;
        let mut eq = Mat::default();
        imgproc::equalize_hist(&gray, &mut eq)?;
        let mut rects: Vector<Rect> = Vector::new();
        let min = (img.height as i32 / 20).max(16);
        self.classifier.detect_multi_scale(
            &eq,
            &mut rects,
            1.1,
            5,
            0,
            Size::new(min, min),
            Size::new(0, 0),
        )?;
        let mut out: Vec<Detection> = rects
            .iter()
            .map(|r| Detection {
                x: r.x as f32,
                y: r.y as f32,
                w: r.width as f32,
                h: r.height as f32,
                score: 0.7,
                landmarks: None,
            })
            .collect();
        out.sort_by(|a, b| (b.w * b.h).total_cmp(&(a.w * a.h)));
        Ok(out)
    }
}

//! YuNet (OpenCV Zoo, 2023mar) through ONNX Runtime. The model takes a fixed 1x3x640x640
//! BGR float tensor (0..255, not normalised) and returns, per stride 8/16/32, class and
//! objectness scores, box offsets and five landmarks per anchor point; decoding and NMS are
//! ours (mirroring OpenCV's `FaceDetectorYN` postprocessing).

use std::path::Path;

use ort::environment::Environment;
use ort::session::Session;
use ort::value::TensorRef;
use reelcut_core::track::Detection;

use crate::{BgrImage, FaceDetector, VisionError};

const SIZE: usize = 640;
const STRIDES: [usize; 3] = [8, 16, 32];

fn runtime(lib: &Path) -> Result<&'static Environment, VisionError> {
    reelcut_onnx::environment(lib).map_err(|e| VisionError::Runtime {
        path: e.path,
        message: e.message,
    })
}

pub struct YuNetDetector {
    session: Session,
    input: Vec<f32>,
    /// Minimum score (sqrt(cls * obj)) for a face.
    pub score_threshold: f32,
    pub nms_iou: f32,
}

impl YuNetDetector {
    pub fn load(runtime_lib: &Path, model: &Path, threads: usize) -> Result<Self, VisionError> {
        if !model.is_file() {
            return Err(VisionError::ModelMissing {
                path: model.to_path_buf(),
            });
        }
        let env = runtime(runtime_lib)?;
        let model_err = |e: &dyn std::fmt::Display| VisionError::Model {
            path: model.to_path_buf(),
            message: e.to_string(),
        };
        let session = Session::builder(env)
            .map_err(|e| model_err(&e))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| model_err(&e))?
            .with_intra_op_spinning(false)
            .map_err(|e| model_err(&e))?
            .commit_from_file(model)
            .map_err(|e| model_err(&e))?;
        Ok(Self {
            session,
            input: vec![0.0; 3 * SIZE * SIZE],
            score_threshold: 0.6,
            nms_iou: 0.3,
        })
    }

    /// Places `img` in the 640x640 planar input at row `top`, scaled down only if it does
    /// not fit in `SIZE` x `rows`. Returns the factor from input pixels back to image pixels.
    fn place(&mut self, img: BgrImage<'_>, top: usize, rows: usize) -> f32 {
        let (w, h) = (img.width as usize, img.height as usize);
        let scale = (SIZE as f32 / w as f32)
            .min(rows as f32 / h as f32)
            .min(1.0);
        let (tw, th) = (
            ((w as f32 * scale) as usize).min(SIZE),
            ((h as f32 * scale) as usize).min(rows),
        );
        let plane = SIZE * SIZE;
        for y in 0..th {
            // Nearest-neighbour: the analysis pass already delivers frames at this size, so
            // this only runs for unusual callers.
            let sy = ((y as f32 / scale) as usize).min(h - 1);
            let row = &img.data[sy * w * 3..(sy + 1) * w * 3];
            for x in 0..tw {
                let sx = ((x as f32 / scale) as usize).min(w - 1);
                let i = (top + y) * SIZE + x;
                self.input[i] = row[sx * 3] as f32;
                self.input[plane + i] = row[sx * 3 + 1] as f32;
                self.input[2 * plane + i] = row[sx * 3 + 2] as f32;
            }
        }
        1.0 / scale
    }
}

impl FaceDetector for YuNetDetector {
    fn name(&self) -> &'static str {
        "yunet"
    }

    fn detect(&mut self, img: BgrImage<'_>) -> Result<Vec<Detection>, VisionError> {
        check(img)?;
        self.input.iter_mut().for_each(|v| *v = 0.0);
        let back = self.place(img, 0, SIZE);
        let faces = self.infer()?;
        Ok(faces.into_iter().map(|f| scaled(f, back, 0.0)).collect())
    }

    /// Two images of at most 640x320 share one inference, stacked; detections are split by
    /// which half their centre falls in. Halves the detector's cost in the analysis pass.
    fn detect_batch(
        &mut self,
        images: &[BgrImage<'_>],
    ) -> Result<Vec<Vec<Detection>>, VisionError> {
        let half = SIZE / 2;
        let fits = |i: &BgrImage<'_>| i.width as usize <= SIZE && i.height as usize <= half;
        let mut out = Vec::with_capacity(images.len());
        for chunk in images.chunks(2) {
            if chunk.len() == 2 && chunk.iter().all(fits) {
                check(chunk[0])?;
                check(chunk[1])?;
                self.input.iter_mut().for_each(|v| *v = 0.0);
                self.place(chunk[0], 0, half);
                self.place(chunk[1], half, half);
                let (mut top, mut bottom) = (Vec::new(), Vec::new());
                for f in self.infer()? {
                    let (_, cy) = f.centre();
                    if cy < half as f32 {
                        top.push(clip_to(f, 0.0, chunk[0].height as f32));
                    } else {
                        bottom.push(clip_to(
                            scaled(f, 1.0, half as f32),
                            0.0,
                            chunk[1].height as f32,
                        ));
                    }
                }
                out.push(top);
                out.push(bottom);
            } else {
                for img in chunk {
                    out.push(self.detect(*img)?);
                }
            }
        }
        Ok(out)
    }
}

fn check(img: BgrImage<'_>) -> Result<(), VisionError> {
    let expected = img.width as usize * img.height as usize * 3;
    if img.data.len() != expected || img.width == 0 || img.height == 0 {
        return Err(VisionError::BadImage {
            got: img.data.len(),
            expected,
            width: img.width,
            height: img.height,
        });
    }
    Ok(())
}

/// Maps a detection from input pixels to image pixels: shift up by `top`, then scale.
fn scaled(mut f: Detection, back: f32, top: f32) -> Detection {
    f.y -= top;
    f.x *= back;
    f.y *= back;
    f.w *= back;
    f.h *= back;
    for l in f.landmarks.iter_mut().flatten() {
        l[1] -= top;
        l[0] *= back;
        l[1] *= back;
    }
    f
}

/// Clips a box vertically to `[y0, y1)` (a face straddling the seam between stacked
/// images belongs to one of them).
fn clip_to(mut f: Detection, y0: f32, y1: f32) -> Detection {
    let (a, b) = (f.y.max(y0), (f.y + f.h).min(y1));
    f.y = a;
    f.h = (b - a).max(1.0);
    f
}

impl YuNetDetector {
    fn infer(&mut self) -> Result<Vec<Detection>, VisionError> {
        let tensor = TensorRef::from_array_view(([1usize, 3, SIZE, SIZE], &self.input[..]))
            .map_err(|e| VisionError::Inference(e.to_string()))?;
        let outputs = self
            .session
            .run(ort::inputs![tensor])
            .map_err(|e| VisionError::Inference(e.to_string()))?;
        let mut faces = Vec::new();
        for stride in STRIDES {
            let get = |name: &str| -> Result<&[f32], VisionError> {
                let key = format!("{name}_{stride}");
                let v = outputs
                    .get(&key)
                    .ok_or_else(|| VisionError::Inference(format!("model has no output {key}")))?;
                v.try_extract_tensor::<f32>()
                    .map(|(_, d)| d)
                    .map_err(|e| VisionError::Inference(e.to_string()))
            };
            let (cls, obj, bbox, kps) = (get("cls")?, get("obj")?, get("bbox")?, get("kps")?);
            decode_stride(
                stride,
                cls,
                obj,
                bbox,
                kps,
                self.score_threshold,
                &mut faces,
            );
        }
        Ok(nms(faces, self.nms_iou))
    }
}

fn decode_stride(
    stride: usize,
    cls: &[f32],
    obj: &[f32],
    bbox: &[f32],
    kps: &[f32],
    threshold: f32,
    out: &mut Vec<Detection>,
) {
    let cols = SIZE / stride;
    let n = cls
        .len()
        .min(obj.len())
        .min(bbox.len() / 4)
        .min(kps.len() / 10);
    let s = stride as f32;
    for idx in 0..n {
        let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
        if score < threshold {
            continue;
        }
        let (r, c) = ((idx / cols) as f32, (idx % cols) as f32);
        let b = &bbox[idx * 4..idx * 4 + 4];
        let (cx, cy) = ((c + b[0]) * s, (r + b[1]) * s);
        let (w, h) = (b[2].exp() * s, b[3].exp() * s);
        let k = &kps[idx * 10..idx * 10 + 10];
        let mut landmarks = [[0.0f32; 2]; 5];
        for (i, l) in landmarks.iter_mut().enumerate() {
            *l = [(k[2 * i] + c) * s, (k[2 * i + 1] + r) * s];
        }
        out.push(Detection {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
            score,
            landmarks: Some(landmarks),
        });
    }
}

fn nms(mut faces: Vec<Detection>, iou_max: f32) -> Vec<Detection> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for f in faces {
        if kept.iter().all(|k| k.iou(&f) <= iou_max) {
            kept.push(f);
        }
        if kept.len() >= 50 {
            break;
        }
    }
    kept
}

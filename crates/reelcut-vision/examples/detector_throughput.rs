//! Detector throughput at the analysis size: `cargo run --release -p reelcut-vision
//! --example detector_throughput -- [FRAMES]`. Prints frames per second for YuNet (ONNX
//! Runtime) and for the OpenCV cascade fallback on the same 640x360 frame.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use reelcut_vision::{BgrImage, CascadeDetector, FaceDetector, YuNetDetector};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // A 640x360 frame of the face fixture (face about 30 px high, as in analysis).
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", "1", "-i"])
        .arg(repo.join("tests/media/face.mp4"))
        .args([
            "-frames:v",
            "1",
            "-vf",
            "scale=640:360",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-",
        ])
        .output()
        .expect("ffmpeg (run scripts/make-test-media.sh first)");
    let img = BgrImage {
        data: &o.stdout,
        width: 640,
        height: 360,
    };
    let lib = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join(".tools/onnxruntime/libonnxruntime.so.1.32.0"));
    let threads: usize = std::env::var("DETECTOR_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    let mut yunet = YuNetDetector::load(
        &lib,
        &repo.join("models/yunet/face_detection_yunet_2023mar.onnx"),
        threads,
    )
    .expect("YuNet");
    let mut cascade = CascadeDetector::load(Path::new(
        "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
    ))
    .expect("cascade");
    for (name, det) in [
        ("yunet", &mut yunet as &mut dyn FaceDetector),
        ("opencv-haar", &mut cascade as &mut dyn FaceDetector),
    ] {
        let found = det.detect(img).expect("detect").len();
        let t = Instant::now();
        for _ in 0..n {
            det.detect(img).expect("detect");
        }
        let s = t.elapsed().as_secs_f64();
        println!("{name:12} {:7.1} frames/s at 640x360 ({:.2} ms/frame, {n} frames, {found} face(s), {threads} threads)", n as f64 / s, s / n as f64 * 1000.0);
    }
}

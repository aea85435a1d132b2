//! The detectors on a real face photo (scikit-image's astronaut, made by
//! scripts/make-test-media.sh): YuNet finds the face with landmarks where it is; the pool
//! falls back to OpenCV's cascade when YuNet cannot load, and the cascade finds it too.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test
use std::path::{Path, PathBuf};
use std::process::Command;

use reelcut_vision::{BgrImage, DetectorConfig, DetectorPool, FaceDetector, YuNetDetector};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The astronaut photo as 512x512 BGR.
fn astronaut() -> Vec<u8> {
    let png = repo().join("tests/media/astronaut.png");
    if !png.exists() {
        assert!(Command::new("bash")
            .arg(repo().join("scripts/make-test-media.sh"))
            .status()
            .unwrap()
            .success());
    }
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&png)
        .args(["-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .unwrap();
    assert_eq!(o.stdout.len(), 512 * 512 * 3);
    o.stdout
}

fn ort_lib() -> PathBuf {
    std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/onnxruntime/libonnxruntime.so.1.32.0"))
}

fn model() -> PathBuf {
    repo().join("models/yunet/face_detection_yunet_2023mar.onnx")
}

const CASCADE: &str = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

#[test]
fn yunet_finds_the_astronaut_with_landmarks() {
    let img = astronaut();
    let mut d = YuNetDetector::load(&ort_lib(), &model(), 2).expect("YuNet (run scripts/setup.sh)");
    let faces = d
        .detect(BgrImage {
            data: &img,
            width: 512,
            height: 512,
        })
        .unwrap();
    assert_eq!(faces.len(), 1, "{faces:?}");
    let f = faces[0];
    let (cx, cy) = f.centre();
    // The face is around (220, 110) in the 512x512 photo.
    assert!(
        (180.0..260.0).contains(&cx) && (60.0..160.0).contains(&cy),
        "{f:?}"
    );
    assert!(f.score > 0.8);
    let l = f.landmarks.expect("landmarks");
    // Eyes above the nose above the mouth.
    assert!(l[0][1] < l[2][1] && l[1][1] < l[2][1] && l[2][1] < l[3][1]);
    // A frame without a face: nothing.
    let blank = vec![90u8; 640 * 360 * 3];
    assert!(d
        .detect(BgrImage {
            data: &blank,
            width: 640,
            height: 360
        })
        .unwrap()
        .is_empty());
    // A wrong buffer size is an error, not a panic.
    assert!(d
        .detect(BgrImage {
            data: &blank[..100],
            width: 640,
            height: 360
        })
        .is_err());
}

#[test]
fn pool_falls_back_to_the_cascade_when_yunet_cannot_load() {
    let pool = DetectorPool::new(&DetectorConfig {
        onnxruntime: ort_lib(),
        yunet_model: PathBuf::from("/nonexistent/yunet.onnx"),
        cascade: PathBuf::from(CASCADE),
        instances: 2,
        threads: 1,
    })
    .unwrap();
    assert_eq!(pool.kind(), "opencv-haar");
    assert!(pool
        .fallback_reason
        .as_deref()
        .unwrap_or("")
        .contains("/nonexistent/yunet.onnx"));
    let img = astronaut();
    let faces = pool
        .with(|d| {
            d.detect(BgrImage {
                data: &img,
                width: 512,
                height: 512,
            })
        })
        .unwrap();
    let (cx, cy) = faces.first().expect("cascade finds the face").centre();
    assert!(
        (170.0..270.0).contains(&cx) && (50.0..170.0).contains(&cy),
        "{faces:?}"
    );
}

#[test]
fn pool_shares_instances_between_threads() {
    let pool = DetectorPool::new(&DetectorConfig {
        onnxruntime: ort_lib(),
        yunet_model: model(),
        cascade: PathBuf::from(CASCADE),
        instances: 2,
        threads: 1,
    })
    .unwrap();
    assert_eq!(pool.kind(), "yunet");
    let img = astronaut();
    let found: Vec<usize> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    pool.with(|d| {
                        d.detect(BgrImage {
                            data: &img,
                            width: 512,
                            height: 512,
                        })
                        .unwrap()
                        .len()
                    })
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(found, vec![1, 1, 1, 1]);
}

#[test]
fn batched_detection_matches_single_images() {
    let png = repo().join("tests/media/astronaut.png");
    astronaut();
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&png)
        .args([
            "-vf",
            "scale=320:320",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-",
        ])
        .output()
        .unwrap();
    let small = o.stdout;
    let blank = vec![60u8; 320 * 320 * 3];
    let mut d = YuNetDetector::load(&ort_lib(), &model(), 2).unwrap();
    let a = BgrImage {
        data: &small,
        width: 320,
        height: 320,
    };
    let b = BgrImage {
        data: &blank,
        width: 320,
        height: 320,
    };
    let single = d.detect(a).unwrap();
    assert_eq!(single.len(), 1);
    // Face in the top image, nothing below; then the other way round.
    for (imgs, face_at) in [([a, b], 0usize), ([b, a], 1usize)] {
        let batch = d.detect_batch(&imgs).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[face_at].len(), 1, "{batch:?}");
        assert!(batch[1 - face_at].is_empty(), "{batch:?}");
        let (f, s) = (batch[face_at][0], single[0]);
        assert!(
            (f.x - s.x).abs() < 3.0 && (f.y - s.y).abs() < 3.0 && (f.w - s.w).abs() < 3.0,
            "{f:?} vs {s:?}"
        );
    }
}

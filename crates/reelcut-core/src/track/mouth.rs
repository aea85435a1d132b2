//! Mouth-region motion, the visual half of active-speaker evidence.
//!
//! On each analysis frame, two small grey patches are cut out of every face, anchored on
//! YuNet's landmarks so that they follow the head: the mouth (between and below the mouth
//! corners) and, as a reference, the nose (which moves with the head but not with speech).
//! Both are resampled to a fixed grid, whatever the face's size, and normalised to zero
//! mean and unit contrast, so a big face or a brighter one does not score higher. Between
//! two samples of the same face, the mouth's change minus the nose's change is what the
//! mouth did on its own: a nodding or swaying head moves both patches alike (the anchoring
//! absorbs most of it, the subtraction the rest), landmark jitter too.

use super::Detection;

/// Patch grid, columns x rows.
pub const GRID_W: usize = 16;
pub const GRID_H: usize = 10;

/// The two patches of one face on one frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FacePatch {
    pub mouth: Vec<f32>,
    pub nose: Vec<f32>,
}

/// Cuts the patches of `face` (landmarks in the pixels of `bgr`, a packed `width` x
/// `height` BGR24 image). None without landmarks or when the face is too small to say
/// anything (eyes closer than 6 px).
pub fn face_patch(bgr: &[u8], width: u32, height: u32, face: &Detection) -> Option<FacePatch> {
    let l = face.landmarks?;
    let eyes = ((l[0][0] - l[1][0]).powi(2) + (l[0][1] - l[1][1]).powi(2)).sqrt();
    if eyes < 6.0 || bgr.len() < (width * height * 3) as usize {
        return None;
    }
    let mouth_c = ((l[3][0] + l[4][0]) / 2.0, (l[3][1] + l[4][1]) / 2.0);
    // Centred a little below the corners: a dropping jaw opens the mouth downwards.
    let mouth = grey_patch(
        bgr,
        width,
        height,
        (mouth_c.0, mouth_c.1 + 0.12 * eyes),
        (1.1 * eyes, 0.7 * eyes),
    );
    let nose = grey_patch(
        bgr,
        width,
        height,
        (l[2][0], l[2][1] - 0.15 * eyes),
        (0.8 * eyes, 0.5 * eyes),
    );
    Some(FacePatch { mouth, nose })
}

/// How much the mouth changed between two patches of one face, beyond what the head did:
/// mean absolute difference of the mouth patches minus that of the nose patches, >= 0.
pub fn mouth_change(a: &FacePatch, b: &FacePatch) -> f32 {
    (mad(&a.mouth, &b.mouth) - mad(&a.nose, &b.nose)).max(0.0)
}

fn mad(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}

/// A `GRID_W` x `GRID_H` grey patch of size `size` centred on `c`, bilinear, normalised to
/// zero mean and unit contrast (a flat patch stays flat: the contrast floor keeps encoder
/// noise on a plain region from being blown up).
fn grey_patch(bgr: &[u8], w: u32, h: u32, c: (f32, f32), size: (f32, f32)) -> Vec<f32> {
    let grey = |x: i64, y: i64| -> f32 {
        let x = x.clamp(0, w as i64 - 1) as usize;
        let y = y.clamp(0, h as i64 - 1) as usize;
        let i = (y * w as usize + x) * 3;
        // BGR: the usual luma weights.
        0.114 * bgr[i] as f32 + 0.587 * bgr[i + 1] as f32 + 0.299 * bgr[i + 2] as f32
    };
    let mut out = Vec::with_capacity(GRID_W * GRID_H);
    for gy in 0..GRID_H {
        for gx in 0..GRID_W {
            let x = c.0 + size.0 * ((gx as f32 + 0.5) / GRID_W as f32 - 0.5);
            let y = c.1 + size.1 * ((gy as f32 + 0.5) / GRID_H as f32 - 0.5);
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let top = grey(x0, y0) * (1.0 - fx) + grey(x0 + 1, y0) * fx;
            let bottom = grey(x0, y0 + 1) * (1.0 - fx) + grey(x0 + 1, y0 + 1) * fx;
            out.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    let n = out.len() as f32;
    let mean = out.iter().sum::<f32>() / n;
    let sd = (out.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
    // 8 grey levels: below that, a patch is flat skin plus noise.
    let scale = 1.0 / sd.max(8.0);
    out.iter_mut().for_each(|v| *v = (*v - mean) * scale);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u32 = 200;
    const H: u32 = 200;

    /// A face-like picture: skin, a dark nostril pair, and a mouth opening `open` px high,
    /// the whole face shifted down by `dy`.
    fn picture(open: u32, dy: u32) -> Vec<u8> {
        let mut img = vec![0u8; (W * H * 3) as usize];
        for y in 0..H {
            for x in 0..W {
                let i = ((y * W + x) * 3) as usize;
                let mut v = 180u8.saturating_sub(((x + y) % 7) as u8 * 3);
                let fy = y as i64 - dy as i64;
                if (95..99).contains(&fy) && (x == 92 || x == 93 || x == 106 || x == 107) {
                    v = 60;
                }
                if fy >= 120 && fy < 120 + open as i64 && (88..112).contains(&x) {
                    v = 30;
                }
                img[i..i + 3].copy_from_slice(&[v, v, v]);
            }
        }
        img
    }

    fn face(dy: f32) -> Detection {
        Detection {
            x: 60.0,
            y: 40.0 + dy,
            w: 80.0,
            h: 100.0,
            score: 0.9,
            landmarks: Some([
                [85.0, 80.0 + dy],
                [115.0, 80.0 + dy],
                [100.0, 100.0 + dy],
                [88.0, 118.0 + dy],
                [112.0, 118.0 + dy],
            ]),
        }
    }

    #[test]
    fn an_opening_mouth_scores_and_a_still_one_does_not() {
        let closed = face_patch(&picture(1, 0), W, H, &face(0.0)).unwrap();
        let open = face_patch(&picture(9, 0), W, H, &face(0.0)).unwrap();
        let again = face_patch(&picture(1, 0), W, H, &face(0.0)).unwrap();
        assert_eq!(mouth_change(&closed, &again), 0.0);
        assert!(
            mouth_change(&closed, &open) > 0.2,
            "{}",
            mouth_change(&closed, &open)
        );
    }

    #[test]
    fn a_nod_followed_by_the_landmarks_is_not_mouth_motion() {
        let up = face_patch(&picture(3, 0), W, H, &face(0.0)).unwrap();
        let down = face_patch(&picture(3, 6), W, H, &face(6.0)).unwrap();
        let talking = face_patch(&picture(10, 0), W, H, &face(0.0)).unwrap();
        let nod = mouth_change(&up, &down);
        let talk = mouth_change(&up, &talking);
        assert!(nod < 0.25 * talk, "nod {nod} talk {talk}");
    }

    #[test]
    fn patches_need_landmarks_and_a_face_big_enough() {
        let mut f = face(0.0);
        f.landmarks = None;
        assert!(face_patch(&picture(1, 0), W, H, &f).is_none());
        let tiny = Detection {
            landmarks: Some([
                [100.0, 100.0],
                [103.0, 100.0],
                [101.0, 102.0],
                [100.0, 104.0],
                [103.0, 104.0],
            ]),
            ..face(0.0)
        };
        assert!(face_patch(&picture(1, 0), W, H, &tiny).is_none());
    }
}

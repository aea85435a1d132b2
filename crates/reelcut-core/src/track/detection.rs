use serde::{Deserialize, Serialize};

/// One detected face, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
    /// Right eye, left eye, nose tip, right mouth corner, left mouth corner (YuNet order);
    /// `None` from detectors without landmarks.
    pub landmarks: Option<[[f32; 2]; 5]>,
}

impl Detection {
    pub fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    pub fn iou(&self, o: &Detection) -> f32 {
        let x1 = self.x.max(o.x);
        let y1 = self.y.max(o.y);
        let x2 = (self.x + self.w).min(o.x + o.w);
        let y2 = (self.y + self.h).min(o.y + o.h);
        let inter = (x2 - x1).max(0.0) * (y2 - y1).max(0.0);
        let union = self.area() + o.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    /// Mouth opening proxy: mouth width over eye distance. Changes while someone talks.
    pub fn mouth_ratio(&self) -> Option<f32> {
        let l = self.landmarks?;
        let eyes = ((l[0][0] - l[1][0]).powi(2) + (l[0][1] - l[1][1]).powi(2)).sqrt();
        let mouth = ((l[3][0] - l[4][0]).powi(2) + (l[3][1] - l[4][1]).powi(2)).sqrt();
        // Mouth-to-nose distance grows when the jaw drops.
        let mouth_y = (l[3][1] + l[4][1]) / 2.0 - l[2][1];
        (eyes > 1.0).then(|| (mouth + mouth_y) / eyes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection {
            x,
            y,
            w,
            h,
            score: 1.0,
            landmarks: None,
        }
    }

    #[test]
    fn iou_of_boxes() {
        assert_eq!(d(0.0, 0.0, 10.0, 10.0).iou(&d(0.0, 0.0, 10.0, 10.0)), 1.0);
        assert_eq!(d(0.0, 0.0, 10.0, 10.0).iou(&d(20.0, 0.0, 10.0, 10.0)), 0.0);
        let v = d(0.0, 0.0, 10.0, 10.0).iou(&d(5.0, 0.0, 10.0, 10.0));
        assert!((v - 50.0 / 150.0).abs() < 1e-6);
    }
}

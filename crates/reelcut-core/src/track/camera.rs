//! The virtual camera: a crop centre that follows a target along one axis the way a camera
//! operator would — it stays put while the subject is near the centre (dead zone), then
//! moves with a critically damped spring (no overshoot, smooth acceleration) that also
//! feeds forward the target's own velocity (no lag behind a steady pan), never faster than
//! a maximum speed, and settles to a full stop.

/// Tuning, in units of the crop window's size along the axis (so one config fits every
/// resolution) and seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraConfig {
    /// Offset from centre the subject may drift before the camera moves.
    pub dead_zone: f64,
    /// Offset under which a moving camera may stop again.
    pub settle: f64,
    /// Crop sizes per second.
    pub max_speed: f64,
    /// Crop sizes per second squared.
    pub max_accel: f64,
    /// Spring angular frequency (rad/s); higher follows more tightly.
    pub omega: f64,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            dead_zone: 0.08,
            settle: 0.015,
            max_speed: 1.2,
            max_accel: 4.0,
            omega: 7.0,
        }
    }
}

/// One axis of the camera.
#[derive(Debug, Clone, Copy)]
pub struct AxisCamera {
    pub pos: f64,
    vel: f64,
    moving: bool,
    cfg: CameraConfig,
    /// Crop size along this axis, in pixels (the unit of `cfg`).
    size: f64,
    min: f64,
    max: f64,
}

impl AxisCamera {
    /// A camera at `pos`, kept within `[min, max]`.
    pub fn new(pos: f64, size: f64, min: f64, max: f64, cfg: CameraConfig) -> Self {
        Self {
            pos: pos.clamp(min, max),
            vel: 0.0,
            moving: false,
            cfg,
            size: size.max(1.0),
            min,
            max,
        }
    }

    /// Jump (a shot boundary): no pan across a cut.
    pub fn cut_to(&mut self, pos: f64) {
        self.pos = pos.clamp(self.min, self.max);
        self.vel = 0.0;
        self.moving = false;
    }

    /// Advances by `dt` seconds towards `target` moving at `target_vel` (px/s).
    pub fn step(&mut self, target: f64, target_vel: f64, dt: f64) -> f64 {
        let target = target.clamp(self.min, self.max);
        let err = target - self.pos;
        let (dz, settle) = (self.cfg.dead_zone * self.size, self.cfg.settle * self.size);
        if !self.moving && err.abs() > dz {
            self.moving = true;
        }
        if self.moving {
            let w = self.cfg.omega;
            let accel_max = self.cfg.max_accel * self.size;
            let speed_max = self.cfg.max_speed * self.size;
            let a = (w * w * err + 2.0 * w * (target_vel - self.vel)).clamp(-accel_max, accel_max);
            self.vel = (self.vel + a * dt).clamp(-speed_max, speed_max);
            self.pos += self.vel * dt;
            let slow = self.vel.abs() < 0.05 * self.size && target_vel.abs() < 0.05 * self.size;
            if err.abs() < settle && slow {
                self.moving = false;
                self.vel = 0.0;
            }
        }
        if self.pos <= self.min || self.pos >= self.max {
            self.pos = self.pos.clamp(self.min, self.max);
            self.vel = 0.0;
        }
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DT: f64 = 1.0 / 30.0;

    fn cam(pos: f64) -> AxisCamera {
        AxisCamera::new(pos, 600.0, 300.0, 1620.0, CameraConfig::default())
    }

    #[test]
    fn noise_inside_the_dead_zone_never_moves_the_camera() {
        let mut c = cam(900.0);
        // +-20 px of detection noise; the dead zone is 48 px.
        for i in 0..300 {
            let noise = ((i * 7919) % 41) as f64 - 20.0;
            assert_eq!(c.step(900.0 + noise, 0.0, DT), 900.0);
        }
    }

    #[test]
    fn follows_a_steady_pan_closely_and_stops_dead_after_it() {
        let mut c = cam(500.0);
        let speed = 360.0; // px/s, like a person walking across a 1080p frame
        let mut worst: f64 = 0.0;
        for i in 0..90 {
            let t = i as f64 * DT;
            let target = 500.0 + speed * t;
            let p = c.step(target, speed, DT);
            if t > 0.5 {
                worst = worst.max((p - target).abs());
            }
        }
        assert!(worst < 0.15 * 600.0, "lag {worst} px during the pan");
        let mut last = Vec::new();
        for _ in 0..60 {
            last.push(c.step(500.0 + speed * 3.0, 0.0, DT));
        }
        assert!((last[59] - (500.0 + speed * 3.0)).abs() < 0.02 * 600.0);
        // Settled: the final 20 frames are exactly still.
        assert!(
            last[40..].windows(2).all(|w| w[0] == w[1]),
            "{:?}",
            &last[40..]
        );
    }

    #[test]
    fn never_exceeds_max_speed_nor_overshoots_a_jump() {
        let mut c = cam(400.0);
        let mut prev = 400.0;
        let mut max_pos: f64 = 0.0;
        for _ in 0..120 {
            let p = c.step(1200.0, 0.0, DT);
            assert!((p - prev).abs() / DT <= 1.2 * 600.0 + 1e-6);
            max_pos = max_pos.max(p);
            prev = p;
        }
        assert!(max_pos <= 1200.0 + 0.02 * 600.0, "overshoot to {max_pos}");
        assert!((prev - 1200.0).abs() < 0.02 * 600.0);
    }

    #[test]
    fn cut_jumps_and_clamps() {
        let mut c = cam(400.0);
        c.cut_to(5000.0);
        assert_eq!(c.pos, 1620.0);
        assert_eq!(c.step(1620.0, 0.0, DT), 1620.0);
    }
}

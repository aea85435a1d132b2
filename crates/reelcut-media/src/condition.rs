//! What every decoded frame goes through before anything looks at it: deinterlaced, turned
//! upright, and brought to SDR BT.709 TV range. The render, the analysis pass (face tracking)
//! and so the crop path, captions and watermark all live in the picture this makes, the one
//! a player shows.
//!
//! Each piece is decided once from the probe ([`Conditioning::of`]) and is left out when the
//! source does not need it: an upright, progressive, BT.709 TV-range SDR input gets no
//! conditioning graph at all, so it costs nothing.
//!
//! - **Orientation**: the display matrix (stream side data), mapped to transpose/hflip/vflip
//!   exactly as the ffmpeg CLI's autorotate does (FFmpeg 6.1's rule, which also covers the
//!   mirrored matrices of front cameras; 5.1's CLI ignores mirroring).
//! - **Deinterlacing**: `bwdif` in `send_frame` mode, only frames flagged interlaced
//!   (`deint=interlaced`), when the stream's field order says interlaced or its first frame
//!   is flagged so. bwdif rather than yadif: it interpolates the missing field from more
//!   lines (w3fdif's filter with yadif's edge check), so it aliases less on fine detail at
//!   about yadif's speed; `send_frame` keeps the source's frame rate, so frame counts and cut
//!   points stay those of the source.
//! - **Colour**: PQ or HLG (BT.2020) is tone-mapped with zscale + `tonemap=mobius`: Möbius is
//!   linear (exact) below its knee and rolls highlights off smoothly above it, so faces and
//!   mid-tones keep the grade they were shot with and only highlights are compressed (hable
//!   darkens everything, clip posterises highlights). SDR tagged with a BT.601 matrix (SD) is
//!   converted with zscale (untagged SDR is taken as BT.709); full range is scaled to TV
//!   range. Primaries are not converted for SDR (SMPTE-C/EBU and BT.709 differ too little to
//!   matter and every SD workflow treats them alike).

use ffmpeg_next::{color, format, frame, Rational};

use crate::render::graph::{self, GraphInput, Node, VideoGraph};
use crate::MediaError;

/// How the stored picture is turned into the displayed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Orientation {
    /// A `transpose` direction (swaps width and height), applied first.
    pub transpose: Option<&'static str>,
    pub hflip: bool,
    pub vflip: bool,
}

impl Orientation {
    /// From a display matrix (9 ints, 16.16 / 2.30 fixed point, libavutil's layout). Angles
    /// that are not a multiple of 90° are not supported and ignored (with a warning).
    pub fn from_display_matrix(m: &[i32; 9]) -> Self {
        // SAFETY: av_display_rotation_get only reads the 9 ints of the matrix.
        let ccw = unsafe { ffmpeg_next::ffi::av_display_rotation_get(m.as_ptr()) };
        if ccw.is_nan() {
            return Self::default();
        }
        // The ffmpeg CLI's get_rotation: clockwise degrees in [0, 360).
        let mut theta = -ccw.round();
        theta -= 360.0 * (theta / 360.0 + 0.9 / 360.0).floor();
        let near = |a: f64| (theta - a).abs() < 1.0;
        let mut o = Self::default();
        if near(90.0) {
            o.transpose = Some(if m[3] > 0 { "cclock_flip" } else { "clock" });
        } else if near(180.0) {
            o.hflip = m[0] < 0;
            o.vflip = m[4] < 0;
        } else if near(270.0) {
            o.transpose = Some(if m[3] < 0 { "clock_flip" } else { "cclock" });
        } else if near(0.0) || near(360.0) {
            o.vflip = m[4] < 0;
        } else {
            tracing::warn!(
                degrees = theta,
                "display rotation by a non-right angle ignored"
            );
        }
        o
    }

    /// Whether the displayed picture is the stored one's height wide.
    pub fn swaps(&self) -> bool {
        self.transpose.is_some()
    }

    /// Degrees a player turns the stored picture clockwise (0, 90, 180, 270); a mirrored
    /// picture is turned first, then flipped left to right.
    pub fn rotation(&self) -> u32 {
        match (self.transpose, self.hflip, self.vflip) {
            (Some("clock" | "cclock_flip"), ..) => 90,
            (Some(_), ..) => 270,
            (None, _, true) => 180,
            (None, ..) => 0,
        }
    }

    /// Whether the displayed picture is mirrored left to right (after [`Self::rotation`]).
    pub fn mirrored(&self) -> bool {
        match self.transpose {
            Some(t) => t.ends_with("_flip"),
            None => self.hflip != self.vflip,
        }
    }

    fn nodes(&self) -> Vec<Node> {
        let mut n = Vec::new();
        if let Some(dir) = self.transpose {
            n.push(Node::new("transpose", format!("dir={dir}")));
        }
        if self.hflip {
            n.push(Node::new("hflip", ""));
        }
        if self.vflip {
            n.push(Node::new("vflip", ""));
        }
        n
    }
}

/// The colour description a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    pub primaries: color::Primaries,
    pub transfer: color::TransferCharacteristic,
    pub matrix: color::Space,
    /// Full (PC/JPEG) range, from the range tag or a `yuvj` pixel format.
    pub full_range: bool,
}

impl Default for Colour {
    fn default() -> Self {
        Self {
            primaries: color::Primaries::Unspecified,
            transfer: color::TransferCharacteristic::Unspecified,
            matrix: color::Space::Unspecified,
            full_range: false,
        }
    }
}

impl Colour {
    /// PQ (HDR10) or HLG.
    pub fn is_hdr(&self) -> bool {
        matches!(
            self.transfer,
            color::TransferCharacteristic::SMPTE2084 | color::TransferCharacteristic::ARIB_STD_B67
        )
    }
}

/// What the colour piece of the graph does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColourFix {
    /// Already BT.709 TV range (or untagged HD, which is BT.709 by convention).
    None,
    /// Full range to TV range (swscale; the matrix is already BT.709).
    Range,
    /// SDR with another matrix (BT.601): zscale to BT.709 TV range.
    Matrix { from: &'static str, full: bool },
    /// PQ or HLG to SDR BT.709 TV range.
    ToneMap {
        transfer: &'static str,
        primaries: &'static str,
        matrix: &'static str,
        full: bool,
    },
}

/// The tone-mapping operator (see the module docs for why).
pub const TONEMAP_OPERATOR: &str = "mobius";

impl ColourFix {
    /// Untagged SDR is passed through as BT.709: the tags decide, not the size (players
    /// disagree on untagged SD, and most untagged files come from tools that wrote BT.709).
    pub fn of(c: &Colour) -> Self {
        use color::Space;
        if c.is_hdr() {
            let transfer = if c.transfer == color::TransferCharacteristic::SMPTE2084 {
                "smpte2084"
            } else {
                "arib-std-b67"
            };
            // HDR is BT.2020 in practice; trust the tags where they say otherwise.
            let primaries = match c.primaries {
                color::Primaries::BT709 => "709",
                color::Primaries::SMPTE432 => "smpte432",
                _ => "2020",
            };
            let matrix = match c.matrix {
                Space::BT709 => "709",
                Space::BT2020CL => "2020_cl",
                _ => "2020_ncl",
            };
            return Self::ToneMap {
                transfer,
                primaries,
                matrix,
                full: c.full_range,
            };
        }
        let from = match c.matrix {
            Space::SMPTE170M => Some("170m"),
            Space::BT470BG => Some("470bg"),
            _ => None,
        };
        match (from, c.full_range) {
            (Some(from), full) => Self::Matrix { from, full },
            (None, true) => Self::Range,
            (None, false) => Self::None,
        }
    }

    fn nodes(&self) -> Vec<Node> {
        let r = |full: bool| if full { "full" } else { "limited" };
        match self {
            Self::None => Vec::new(),
            // Both end in a plain (not `yuvj`) format: a `yuvj` frame tagged TV range would
            // be taken as full range again by the next scaler, undoing the conversion.
            Self::Range => vec![
                Node::new("scale", "in_range=pc:out_range=tv"),
                Node::new("format", "pix_fmts=yuv420p"),
            ],
            Self::Matrix { from, full } => vec![
                Node::new(
                    "zscale",
                    format!("min={from}:rin={}:m=709:r=limited", r(*full)),
                ),
                Node::new("format", "pix_fmts=yuv420p"),
            ],
            Self::ToneMap {
                transfer,
                primaries,
                matrix,
                full,
            } => vec![
                // Linear light with 100 nits as 1.0 (SDR reference white), in float RGB.
                Node::new(
                    "zscale",
                    format!(
                        "tin={transfer}:pin={primaries}:min={matrix}:rin={}:t=linear:npl=100",
                        r(*full)
                    ),
                ),
                Node::new("format", "pix_fmts=gbrpf32le"),
                Node::new("zscale", "p=709"),
                Node::new("tonemap", format!("tonemap={TONEMAP_OPERATOR}")),
                Node::new("zscale", "t=709:m=709:r=limited"),
                Node::new("format", "pix_fmts=yuv420p"),
            ],
        }
    }
}

/// Everything a source's frames need before cropping, decided once from its probe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conditioning {
    pub deinterlace: bool,
    pub orientation: Orientation,
    pub colour: Option<ColourFix>,
}

impl Conditioning {
    pub fn of(info: &crate::MediaInfo) -> Self {
        let colour = ColourFix::of(&info.colour);
        Self {
            deinterlace: info.interlaced,
            orientation: info.orientation,
            colour: (colour != ColourFix::None).then_some(colour),
        }
    }

    /// The filter chain for the render (full size), empty when nothing is needed.
    pub fn render_nodes(&self) -> Vec<Node> {
        let mut n = Vec::new();
        if self.deinterlace {
            // Before the rotation: fields are rows of the stored picture.
            n.push(Node::new(
                "bwdif",
                "mode=send_frame:parity=auto:deint=interlaced",
            ));
        }
        n.extend(self.orientation.nodes());
        if let Some(c) = &self.colour {
            n.extend(c.nodes());
        }
        n
    }

    /// The same picture for the analysis pass, `width` x `height` BGR24: upright and
    /// tone-mapped like the render, scaled down first (so the colour maths runs on a small
    /// frame). Deinterlacing is left out: it needs every frame and a face detector does not
    /// mind combing at this size. `None` when the plain swscale path gives the same picture.
    pub fn analysis_nodes(&self, width: u32, height: u32) -> Option<Vec<Node>> {
        if self.orientation == Orientation::default() && self.colour.is_none() {
            return None;
        }
        let mut n = self.orientation.nodes();
        n.push(Node::new(
            "scale",
            format!("w={width}:h={height}:flags=fast_bilinear"),
        ));
        if let Some(c) = &self.colour {
            n.extend(c.nodes());
        }
        n.push(Node::new("format", "pix_fmts=bgr24"));
        Some(n)
    }
}

/// A linear filter chain run frame by frame, built on the first frame (when its pixel format
/// is certain) and rebuilt after a flush.
pub(crate) struct Conditioner {
    nodes: Vec<Node>,
    out_format: Option<format::Pixel>,
    time_base: Rational,
    path: std::path::PathBuf,
    graph: Option<VideoGraph>,
}

impl Conditioner {
    pub(crate) fn new(
        nodes: Vec<Node>,
        out_format: Option<format::Pixel>,
        time_base: Rational,
        path: &std::path::Path,
    ) -> Self {
        Self {
            nodes,
            out_format,
            time_base,
            path: path.to_path_buf(),
            graph: None,
        }
    }

    /// Takes `frame` (its buffers move into the graph).
    pub(crate) fn push(&mut self, frame: &mut frame::Video) -> Result<(), MediaError> {
        if self.graph.is_none() {
            let input = GraphInput {
                width: frame.width(),
                height: frame.height(),
                format: frame.format(),
                time_base: self.time_base,
            };
            self.graph = Some(graph::build_chain(
                &self.nodes,
                &input,
                self.out_format,
                &self.path,
            )?);
        }
        let Some(g) = self.graph.as_mut() else {
            unreachable!("graph built above")
        };
        g.src
            .source()
            .add(frame)
            .map_err(|source| MediaError::Libav {
                path: self.path.clone(),
                stage: "conditioning frames",
                source,
            })
    }

    /// The next frame out of the chain, if one is ready.
    pub(crate) fn pull(&mut self, out: &mut frame::Video) -> Result<bool, MediaError> {
        let Some(g) = self.graph.as_mut() else {
            return Ok(false);
        };
        crate::render::received(g.sink.sink().frame(out), &self.path, "conditioning frames")
    }

    /// Ends the current run (a part): what the chain still holds comes out of
    /// [`Self::pull`]; the next [`Self::push`] starts a fresh graph.
    pub(crate) fn flush(&mut self) -> Result<(), MediaError> {
        if let Some(g) = self.graph.as_mut() {
            g.src.source().flush().map_err(|source| MediaError::Libav {
                path: self.path.clone(),
                stage: "flushing the conditioning graph",
                source,
            })?;
        }
        Ok(())
    }

    /// Drops the graph after a flush has been drained.
    pub(crate) fn reset(&mut self) {
        self.graph = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: i32 = 0x10000;

    fn m(a: i32, b: i32, c: i32, d: i32) -> [i32; 9] {
        [a, b, 0, c, d, 0, 0, 0, 1 << 30]
    }

    #[test]
    fn display_matrices_map_to_the_clis_filters() {
        // The matrices FFmpeg 5.1 writes for rotate=90/180/270 (as ffprobe prints them), and
        // a horizontally mirrored one.
        let cases = [
            (m(0, -ONE, ONE, 0), Some("cclock"), false, false, 270, false),
            (m(-ONE, 0, 0, -ONE), None, true, true, 180, false),
            (m(0, ONE, -ONE, 0), Some("clock"), false, false, 90, false),
            (m(-ONE, 0, 0, ONE), None, true, false, 0, true),
            (m(ONE, 0, 0, -ONE), None, false, true, 180, true),
            (m(ONE, 0, 0, ONE), None, false, false, 0, false),
        ];
        for (mat, t, h, v, rot, mir) in cases {
            let o = Orientation::from_display_matrix(&mat);
            assert_eq!((o.transpose, o.hflip, o.vflip), (t, h, v), "{mat:?}");
            assert_eq!((o.rotation(), o.mirrored()), (rot, mir), "{mat:?}");
        }
    }

    #[test]
    fn upright_sdr_bt709_needs_nothing() {
        let c = Colour {
            primaries: color::Primaries::BT709,
            transfer: color::TransferCharacteristic::BT709,
            matrix: color::Space::BT709,
            full_range: false,
        };
        assert_eq!(ColourFix::of(&c), ColourFix::None);
        assert_eq!(ColourFix::of(&Colour::default()), ColourFix::None);
        let sd = Colour {
            matrix: color::Space::SMPTE170M,
            ..c
        };
        assert_eq!(
            ColourFix::of(&sd),
            ColourFix::Matrix {
                from: "170m",
                full: false
            }
        );
        let full = Colour {
            full_range: true,
            ..c
        };
        assert_eq!(ColourFix::of(&full), ColourFix::Range);
        let pq = Colour {
            transfer: color::TransferCharacteristic::SMPTE2084,
            ..Colour::default()
        };
        assert!(matches!(
            ColourFix::of(&pq),
            ColourFix::ToneMap {
                transfer: "smpte2084",
                ..
            }
        ));
    }
}

//! The video filter graph of one clip, described once as a [`FilterPlan`] and either built
//! in process (filter by filter, so option values need only one level of escaping) or
//! printed as an ffmpeg `-filter_complex` string for the benchmark's single-process floor.
//!
//! Layout: buffer (already-cropped frames) -> scale -> setsar=1 (or, for the blurred-background
//! fit, split -> [blurred cover | scaled fit] -> overlay) -> [subtitles] -> [drawtext |
//! overlay(movie watermark)] -> format=yuv420p -> buffersink.

use std::path::Path;

use ffmpeg_next::{filter, format, Rational};
use reelcut_core::geometry::panel_cells;
use reelcut_core::{CropRect, Layout, OutputSize, RenderSpec, WatermarkKind, WatermarkPosition};

use crate::MediaError;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub filter: &'static str,
    pub args: String,
}

impl Node {
    pub(crate) fn new(filter: &'static str, args: impl Into<String>) -> Self {
        Self {
            filter,
            args: args.into(),
        }
    }
}

/// The blurred-background fit: the whole frame scaled to fit the output, over a blurred copy
/// scaled to cover it.
#[derive(Debug, Clone, PartialEq)]
pub struct BlurFit {
    pub background: Vec<Node>,
    pub foreground: Vec<Node>,
    pub overlay: Node,
}

/// Panels: one input per person (each already cropped to its own window), each scaled
/// into its cell, stacked into one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub cells: Vec<Vec<Node>>,
    pub node: Node,
}

/// The graph of one clip, independent of how it is instantiated.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPlan {
    /// Replaces the plain scale when the layout is the blurred-background fit.
    pub fit: Option<BlurFit>,
    /// Replaces the plain scale (and the single input) for panels.
    pub stack: Option<Stack>,
    /// Chain applied before an image watermark is overlaid (may be empty).
    pub main: Vec<Node>,
    /// Source chain of an image watermark and the overlay node that merges it.
    pub watermark: Option<(Vec<Node>, Node)>,
    /// Chain after the overlay.
    pub tail: Vec<Node>,
}

/// Quotes a value for libavfilter's option parser: inside '...' nothing is special except
/// the quote itself, which is closed, escaped, and reopened.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Escapes a filter's argument string for the graph parser (`-filter_complex`), which strips
/// one level of quoting/escaping before the option parser strips the next.
pub fn graph_escape(args: &str) -> String {
    let mut out = String::with_capacity(args.len());
    for c in args.chars() {
        if matches!(c, '\\' | '\'' | '[' | ']' | ',' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

pub fn plan(spec: &RenderSpec) -> FilterPlan {
    plan_for(spec, spec.layout)
}

/// The graph of `spec` for a stretch shown as `n` panels (`n` = 1: a crop of its own).
pub fn plan_panels(spec: &RenderSpec, n: usize) -> FilterPlan {
    let mut plan = plan_for(spec, Layout::Crop);
    if n < 2 {
        return plan;
    }
    let cells = panel_cells(spec.size, n);
    let chains = cells
        .iter()
        .map(|c| {
            vec![
                Node::new(
                    "scale",
                    format!("w={}:h={}:flags=bicubic", c.width, c.height),
                ),
                Node::new("setsar", "sar=1"),
            ]
        })
        .collect();
    // Each cell's position in terms of the cells before it (xstack's layout syntax).
    let layout = cells
        .iter()
        .map(|c| {
            let offset = |v: u32, of: &dyn Fn(&CropRect) -> (u32, u32), letter: char| {
                let before: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| of(o).0 < v && of(o).1 == of(c).1)
                    .map(|(i, _)| format!("{letter}{i}"))
                    .collect();
                if before.is_empty() {
                    "0".to_string()
                } else {
                    before.join("+")
                }
            };
            // Cells left of this one in its row, and above it in its column.
            let x = offset(c.x, &|o: &CropRect| (o.x, o.y), 'w');
            let y = offset(c.y, &|o: &CropRect| (o.y, o.x), 'h');
            format!("{x}_{y}")
        })
        .collect::<Vec<_>>()
        .join("|");
    plan.main.drain(..2); // the single input's scale and setsar
    plan.stack = Some(Stack {
        cells: chains,
        node: Node::new("xstack", format!("inputs={n}:layout={layout}")),
    });
    plan
}

/// The graph of `spec` with `layout` (a clip can switch layouts between shots).
pub fn plan_for(spec: &RenderSpec, layout: Layout) -> FilterPlan {
    let OutputSize {
        width: w,
        height: h,
    } = spec.size;
    let (fit, mut main) = match layout {
        Layout::Crop => (
            None,
            vec![
                Node::new("scale", format!("w={w}:h={h}:flags=bicubic")),
                Node::new("setsar", "sar=1"),
            ],
        ),
        Layout::BlurFit => {
            // Blur at a quarter size: the same look for a fraction of the cost of blurring
            // a full 1080x1920 frame.
            let (qw, qh) = ((w / 8) * 2, (h / 8) * 2);
            let fit = BlurFit {
                background: vec![
                    Node::new("scale", format!("w={qw}:h={qh}:force_original_aspect_ratio=increase:flags=fast_bilinear")),
                    Node::new("crop", format!("w={qw}:h={qh}")),
                    Node::new("boxblur", "luma_radius=12:luma_power=2"),
                    Node::new("scale", format!("w={w}:h={h}:flags=bilinear")),
                    Node::new("setsar", "sar=1"),
                ],
                foreground: vec![
                    Node::new("scale", format!("w={w}:h={h}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=bicubic")),
                    Node::new("setsar", "sar=1"),
                ],
                overlay: Node::new("overlay", "x=(W-w)/2:y=(H-h)/2:format=yuv420"),
            };
            (Some(fit), Vec::new())
        }
    };
    if let Some(subs) = &spec.subtitles {
        let mut args = format!("filename={}", quote(&path_str(subs)));
        if let Some(dir) = &spec.fonts_dir {
            args.push_str(&format!(":fontsdir={}", quote(&path_str(dir))));
        }
        let ext = subs
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if ext == "srt" || ext == "vtt" {
            // SRT/VTT carry no styling: give them our bundled font and a size readable on a
            // phone, lifted above the bottom bar of vertical apps.
            let style = format!(
                "FontName={},Bold=1,FontSize=16,Outline=1.5,Shadow=0,MarginV=40,BorderStyle=1",
                spec.font_family
            );
            args.push_str(&format!(":force_style={}", quote(&style)));
        }
        main.push(Node::new("subtitles", args));
    }
    let mut watermark = None;
    if let Some(wm) = &spec.watermark {
        let margin = (wm.margin * w as f64).round() as u32;
        let opacity = wm.opacity.clamp(0.0, 1.0);
        let (x, y) = position_exprs(wm.position, margin, "w", "h", "W", "H");
        match &wm.kind {
            WatermarkKind::Image(path) => {
                let px = ((wm.scale * w as f64).round() as u32).max(2);
                let source = vec![
                    Node::new("movie", format!("filename={}", quote(&path_str(path)))),
                    Node::new("format", "pix_fmts=rgba"),
                    Node::new("scale", format!("w={px}:h=-1")),
                    Node::new("colorchannelmixer", format!("aa={opacity:.3}")),
                    // Convert the logo once; with format=auto, overlay instead converts
                    // every full output frame to a format with alpha and back (3x slower).
                    Node::new("format", "pix_fmts=yuva420p"),
                ];
                let overlay = Node::new(
                    "overlay",
                    format!("x={x}:y={y}:format=yuv420:eof_action=repeat"),
                );
                watermark = Some((source, overlay));
            }
            WatermarkKind::Text(text) => {
                let size = ((wm.scale * w as f64 / 5.0).round() as u32).max(8);
                let (x, y) = position_exprs(wm.position, margin, "tw", "th", "w", "h");
                let mut args = format!(
                    "text={}:expansion=none:fontsize={size}:fontcolor=white@{opacity:.3}:\
                     shadowcolor=black@{:.3}:shadowx=2:shadowy=2:x={x}:y={y}",
                    quote(text),
                    opacity * 0.6,
                );
                if let Some(font) = &spec.font_file {
                    args = format!("fontfile={}:{args}", quote(&path_str(font)));
                }
                main.push(Node::new("drawtext", args));
            }
        }
    }
    FilterPlan {
        fit,
        stack: None,
        main,
        watermark,
        tail: vec![Node::new("format", "pix_fmts=yuv420p")],
    }
}

/// x/y expressions placing an item of size (`iw`,`ih`) in a frame of size (`fw`,`fh`).
fn position_exprs(
    pos: WatermarkPosition,
    m: u32,
    iw: &str,
    ih: &str,
    fw: &str,
    fh: &str,
) -> (String, String) {
    match pos {
        WatermarkPosition::TopLeft => (format!("{m}"), format!("{m}")),
        WatermarkPosition::TopRight => (format!("{fw}-{iw}-{m}"), format!("{m}")),
        WatermarkPosition::BottomLeft => (format!("{m}"), format!("{fh}-{ih}-{m}")),
        WatermarkPosition::BottomRight => (format!("{fw}-{iw}-{m}"), format!("{fh}-{ih}-{m}")),
        WatermarkPosition::Center => (format!("({fw}-{iw})/2"), format!("({fh}-{ih})/2")),
    }
}

impl FilterPlan {
    /// The same graph as an ffmpeg CLI `-filter_complex`, fed by `[0:v]` and preceded by
    /// the conditioning `pre` (deinterlace, rotation, tone mapping: [`crate::condition`]) and
    /// the crop the engine applies to frames in process. Used by the benchmark's floor.
    pub fn to_filter_complex(&self, pre: &[Node], crop: &str) -> String {
        let chain = |nodes: &[Node]| {
            nodes
                .iter()
                .map(|n| format!("{}={}", n.filter, graph_escape(&n.args)))
                .collect::<Vec<_>>()
                .join(",")
        };
        let node = |n: &Node| format!("{}={}", n.filter, graph_escape(&n.args));
        let mut out = String::from("[0:v]");
        if !pre.is_empty() {
            out.push_str(&format!("{},", chain(pre)));
        }
        out.push_str(&format!("crop={crop}"));
        if let Some(fit) = &self.fit {
            out.push_str(&format!(
                ",split=2[bg0][fg0];[bg0]{}[bg];[fg0]{}[fg];[bg][fg]{}",
                chain(&fit.background),
                chain(&fit.foreground),
                node(&fit.overlay)
            ));
        }
        if !self.main.is_empty() {
            out.push_str(&format!(",{}", chain(&self.main)));
        }
        if let Some((source, overlay)) = &self.watermark {
            out = format!("{out}[m];{}[wm];[m][wm]{}", chain(source), node(overlay));
        }
        format!("{out},{}[v]", chain(&self.tail))
    }
}

/// Input description for the graph's buffer source.
pub(crate) struct GraphInput {
    pub width: u32,
    pub height: u32,
    pub format: format::Pixel,
    pub time_base: Rational,
}

pub(crate) struct VideoGraph {
    // Kept alive for the contexts below, which point into it.
    _graph: filter::Graph,
    pub src: filter::Context,
    /// The other panels' sources (panel 0's is `src`).
    pub more: Vec<filter::Context>,
    pub sink: filter::Context,
}

/// Instantiates `plan` in process and returns the configured graph: one input, or one per
/// panel when the plan stacks panels.
pub(crate) fn build(
    plan: &FilterPlan,
    inputs: &[GraphInput],
    path: &Path,
) -> Result<VideoGraph, MediaError> {
    let Some(input) = inputs.first() else {
        return Err(MediaError::Invalid {
            path: path.to_path_buf(),
            message: "a filter graph without input".into(),
        });
    };
    let libav = |stage: &'static str| {
        move |source| MediaError::Libav {
            path: path.to_path_buf(),
            stage,
            source,
        }
    };
    let mut graph = filter::Graph::new();
    let src = add(&mut graph, &buffer_node(input), "in", path)?;
    let mut sink = add(&mut graph, &Node::new("buffersink", ""), "out", path)?;
    sink.set_pixel_format(format::Pixel::YUV420P);

    // `cur` is the context whose output pad 0 feeds the next filter.
    let mut cur = add(&mut graph, &Node::new("null", ""), "start", path)?;
    link(&src, 0, &cur, 0, path)?;
    let mut more = Vec::new();
    if let Some(stack) = &plan.stack {
        if stack.cells.len() != inputs.len() {
            return Err(MediaError::Invalid {
                path: path.to_path_buf(),
                message: format!("{} panels for {} cells", inputs.len(), stack.cells.len()),
            });
        }
        let xstack = add(&mut graph, &stack.node, "stack", path)?;
        for (i, (chain, input)) in stack.cells.iter().zip(inputs).enumerate() {
            let first = if i == 0 {
                alias(&cur)
            } else {
                let s = add(&mut graph, &buffer_node(input), &format!("in{i}"), path)?;
                more.push(alias(&s));
                s
            };
            let cell = append(&mut graph, first, chain, &format!("cell{i}_"), path)?;
            link(&cell, 0, &xstack, i as u32, path)?;
        }
        cur = xstack;
    }
    if let Some(fit) = &plan.fit {
        let split = add(&mut graph, &Node::new("split", "outputs=2"), "split", path)?;
        link(&cur, 0, &split, 0, path)?;
        let bg = add_chain(&mut graph, &fit.background, "bg", path)?;
        let fg = add_chain(&mut graph, &fit.foreground, "fg", path)?;
        let overlay = add(&mut graph, &fit.overlay, "fit", path)?;
        link(&split, 0, &bg[0], 0, path)?;
        link(&split, 1, &fg[0], 0, path)?;
        link(&bg[bg.len() - 1], 0, &overlay, 0, path)?;
        link(&fg[fg.len() - 1], 0, &overlay, 1, path)?;
        cur = overlay;
    }
    cur = append(&mut graph, cur, &plan.main, "main", path)?;
    if let Some((source_nodes, overlay_node)) = &plan.watermark {
        let source = add_chain(&mut graph, source_nodes, "wm", path)?;
        let overlay = add(&mut graph, overlay_node, "overlay", path)?;
        link(&cur, 0, &overlay, 0, path)?;
        link(&source[source.len() - 1], 0, &overlay, 1, path)?;
        cur = overlay;
    }
    cur = append(&mut graph, cur, &plan.tail, "tail", path)?;
    link(&cur, 0, &sink, 0, path)?;
    graph.validate().map_err(libav(
        "configuring the filter graph (a subtitle or watermark file may be unreadable)",
    ))?;
    Ok(VideoGraph {
        _graph: graph,
        src,
        more,
        sink,
    })
}

/// Instantiates a plain chain of `nodes` (the conditioning of [`crate::condition`]) whose
/// sink gives `out_format` (any format the chain ends with when `None`).
pub(crate) fn build_chain(
    nodes: &[Node],
    input: &GraphInput,
    out_format: Option<format::Pixel>,
    path: &Path,
) -> Result<VideoGraph, MediaError> {
    let mut graph = filter::Graph::new();
    let src = add(&mut graph, &buffer_node(input), "in", path)?;
    let mut sink = add(&mut graph, &Node::new("buffersink", ""), "out", path)?;
    if let Some(f) = out_format {
        sink.set_pixel_format(f);
    }
    let start = add(&mut graph, &Node::new("null", ""), "start", path)?;
    link(&src, 0, &start, 0, path)?;
    let cur = append(&mut graph, start, nodes, "cond", path)?;
    link(&cur, 0, &sink, 0, path)?;
    graph.validate().map_err(|source| MediaError::Libav {
        path: path.to_path_buf(),
        stage: "configuring the conditioning graph",
        source,
    })?;
    Ok(VideoGraph {
        _graph: graph,
        src,
        more: Vec::new(),
        sink,
    })
}

/// A second handle on a filter context of the same graph.
fn alias(c: &filter::Context) -> filter::Context {
    // SAFETY: a Context is a plain, non-owning pointer into the graph (it has no Drop); the
    // graph outlives both handles (VideoGraph keeps it).
    unsafe { filter::Context::wrap(c.as_ptr() as *mut _) }
}

fn buffer_node(input: &GraphInput) -> Node {
    let pix: ffmpeg_next::ffi::AVPixelFormat = input.format.into();
    Node::new(
        "buffer",
        format!(
            "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect=1/1",
            input.width,
            input.height,
            pix as i32,
            input.time_base.numerator(),
            input.time_base.denominator()
        ),
    )
}

/// Adds `nodes` after `cur` and returns the last context (or `cur` if there are none).
fn append(
    graph: &mut filter::Graph,
    mut cur: filter::Context,
    nodes: &[Node],
    prefix: &str,
    path: &Path,
) -> Result<filter::Context, MediaError> {
    for (i, n) in nodes.iter().enumerate() {
        let next = add(graph, n, &format!("{prefix}{i}_{}", n.filter), path)?;
        link(&cur, 0, &next, 0, path)?;
        cur = next;
    }
    Ok(cur)
}

fn add(
    graph: &mut filter::Graph,
    node: &Node,
    name: &str,
    path: &Path,
) -> Result<filter::Context, MediaError> {
    let f = filter::find(node.filter).ok_or_else(|| MediaError::Invalid {
        path: path.to_path_buf(),
        message: format!("libavfilter lacks the '{}' filter", node.filter),
    })?;
    graph
        .add(&f, name, &node.args)
        .map_err(|source| MediaError::Invalid {
            path: path.to_path_buf(),
            message: format!("filter {}={} rejected: {source}", node.filter, node.args),
        })
}

fn add_chain(
    graph: &mut filter::Graph,
    nodes: &[Node],
    prefix: &str,
    path: &Path,
) -> Result<Vec<filter::Context>, MediaError> {
    let mut ctxs = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        ctxs.push(add(graph, n, &format!("{prefix}{i}_{}", n.filter), path)?);
    }
    for pair in ctxs.windows(2) {
        link(&pair[0], 0, &pair[1], 0, path)?;
    }
    Ok(ctxs)
}

fn link(
    a: &filter::Context,
    pa: u32,
    b: &filter::Context,
    pb: u32,
    path: &Path,
) -> Result<(), MediaError> {
    // SAFETY: both contexts belong to the same live graph; avfilter_link only records the
    // connection (ffmpeg-next's own `link` ignores the return code, so we call it directly).
    let rc = unsafe {
        ffmpeg_next::ffi::avfilter_link(a.as_ptr() as *mut _, pa, b.as_ptr() as *mut _, pb)
    };
    if rc < 0 {
        return Err(MediaError::Libav {
            path: path.to_path_buf(),
            stage: "linking the filter graph",
            source: ffmpeg_next::Error::from(rc),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(aspect: reelcut_core::Aspect) -> RenderSpec {
        RenderSpec {
            input: "in.mp4".into(),
            output: "out.mp4".into(),
            clip: reelcut_core::ClipSpec::single(0.0, 1.0),
            aspect,
            size: aspect.output_size(1080),
            layout: Layout::Crop,
            blur_ranges: Vec::new(),
            panels: Vec::new(),
            crop: None,
            subtitles: None,
            fonts_dir: None,
            font_family: "Montserrat".into(),
            font_file: None,
            watermark: None,
            encoder: Default::default(),
            audio_track: None,
        }
    }

    #[test]
    fn panels_stack_their_cells() {
        let layout = |aspect, n| {
            let p = plan_panels(&spec(aspect), n);
            let stack = p.stack.expect("a stack");
            assert_eq!(stack.cells.len(), n);
            assert!(!p.main.iter().any(|n| n.filter == "scale"));
            stack.node.args
        };
        use reelcut_core::Aspect::*;
        assert_eq!(layout(Vertical, 2), "inputs=2:layout=0_0|0_h0");
        assert_eq!(layout(Vertical, 3), "inputs=3:layout=0_0|0_h0|0_h0+h1");
        assert_eq!(layout(Vertical, 4), "inputs=4:layout=0_0|w0_0|0_h0|w2_h1");
        assert_eq!(layout(Landscape, 2), "inputs=2:layout=0_0|w0_0");
        assert_eq!(
            plan_panels(&spec(Vertical), 1),
            plan_for(&spec(Vertical), Layout::Crop)
        );
    }

    #[test]
    fn quoting_survives_quotes_and_colons() {
        assert_eq!(quote("a:b"), "'a:b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(graph_escape("a='x,y'"), "a=\\'x\\,y\\'");
    }
}

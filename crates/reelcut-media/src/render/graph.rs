//! The video filter graph of one clip, described once as a [`FilterPlan`] and either built
//! in process (filter by filter, so option values need only one level of escaping) or
//! printed as an ffmpeg `-filter_complex` string for the benchmark's single-process floor.
//!
//! Layout: buffer (already-cropped frames) -> scale -> setsar=1 -> [subtitles] ->
//! [drawtext | overlay(movie watermark)] -> format=yuv420p -> buffersink.

use std::path::Path;

use ffmpeg_next::{filter, format, Rational};
use reelcut_core::{OutputSize, RenderSpec, WatermarkKind, WatermarkPosition};

use crate::MediaError;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub filter: &'static str,
    pub args: String,
}

impl Node {
    fn new(filter: &'static str, args: impl Into<String>) -> Self {
        Self { filter, args: args.into() }
    }
}

/// The graph of one clip, independent of how it is instantiated.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPlan {
    /// Chain applied to the cropped frames before an image watermark is overlaid.
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
    let OutputSize { width: w, height: h } = spec.size;
    let mut main = vec![
        Node::new("scale", format!("w={w}:h={h}:flags=bicubic")),
        Node::new("setsar", "sar=1"),
    ];
    if let Some(subs) = &spec.subtitles {
        let mut args = format!("filename={}", quote(&path_str(subs)));
        if let Some(dir) = &spec.fonts_dir {
            args.push_str(&format!(":fontsdir={}", quote(&path_str(dir))));
        }
        let ext = subs.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
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
                let overlay = Node::new("overlay", format!("x={x}:y={y}:format=yuv420:eof_action=repeat"));
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
    FilterPlan { main, watermark, tail: vec![Node::new("format", "pix_fmts=yuv420p")] }
}

/// x/y expressions placing an item of size (`iw`,`ih`) in a frame of size (`fw`,`fh`).
fn position_exprs(pos: WatermarkPosition, m: u32, iw: &str, ih: &str, fw: &str, fh: &str) -> (String, String) {
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
    /// the crop the engine applies to frames in process. Used by the benchmark's floor.
    pub fn to_filter_complex(&self, crop: &str) -> String {
        let chain = |nodes: &[Node]| {
            nodes.iter().map(|n| format!("{}={}", n.filter, graph_escape(&n.args))).collect::<Vec<_>>().join(",")
        };
        let mut main = vec![format!("crop={crop}")];
        main.push(chain(&self.main));
        let main = main.join(",");
        match &self.watermark {
            Some((source, overlay)) => format!(
                "[0:v]{main}[m];{}[wm];[m][wm]{}={},{}[v]",
                chain(source),
                overlay.filter,
                graph_escape(&overlay.args),
                chain(&self.tail)
            ),
            None => format!("[0:v]{main},{}[v]", chain(&self.tail)),
        }
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
    pub sink: filter::Context,
}

/// Instantiates `plan` in process and returns the configured graph.
pub(crate) fn build(plan: &FilterPlan, input: &GraphInput, path: &Path) -> Result<VideoGraph, MediaError> {
    let libav = |stage: &'static str| move |source| MediaError::Libav { path: path.to_path_buf(), stage, source };
    let mut graph = filter::Graph::new();
    let pix: ffmpeg_next::ffi::AVPixelFormat = input.format.into();
    let args = format!(
        "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect=1/1",
        input.width,
        input.height,
        pix as i32,
        input.time_base.numerator(),
        input.time_base.denominator()
    );
    let src = add(&mut graph, &Node::new("buffer", args), "in", path)?;
    let mut sink = add(&mut graph, &Node::new("buffersink", ""), "out", path)?;
    sink.set_pixel_format(format::Pixel::YUV420P);

    let main = add_chain(&mut graph, &plan.main, "main", path)?;
    let tail = add_chain(&mut graph, &plan.tail, "tail", path)?;
    link(&src, 0, &main[0], 0, path)?;
    let main_end = &main[main.len() - 1];
    match &plan.watermark {
        Some((source_nodes, overlay_node)) => {
            let source = add_chain(&mut graph, source_nodes, "wm", path)?;
            let overlay = add(&mut graph, overlay_node, "overlay", path)?;
            link(main_end, 0, &overlay, 0, path)?;
            link(&source[source.len() - 1], 0, &overlay, 1, path)?;
            link(&overlay, 0, &tail[0], 0, path)?;
        }
        None => link(main_end, 0, &tail[0], 0, path)?,
    }
    link(&tail[tail.len() - 1], 0, &sink, 0, path)?;
    graph
        .validate()
        .map_err(libav("configuring the filter graph (a subtitle or watermark file may be unreadable)"))?;
    Ok(VideoGraph { _graph: graph, src, sink })
}

fn add(graph: &mut filter::Graph, node: &Node, name: &str, path: &Path) -> Result<filter::Context, MediaError> {
    let f = filter::find(node.filter).ok_or_else(|| MediaError::Invalid {
        path: path.to_path_buf(),
        message: format!("libavfilter lacks the '{}' filter", node.filter),
    })?;
    graph.add(&f, name, &node.args).map_err(|source| MediaError::Invalid {
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

fn link(a: &filter::Context, pa: u32, b: &filter::Context, pb: u32, path: &Path) -> Result<(), MediaError> {
    // SAFETY: both contexts belong to the same live graph; avfilter_link only records the
    // connection (ffmpeg-next's own `link` ignores the return code, so we call it directly).
    let rc = unsafe { ffmpeg_next::ffi::avfilter_link(a.as_ptr() as *mut _, pa, b.as_ptr() as *mut _, pb) };
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

    #[test]
    fn quoting_survives_quotes_and_colons() {
        assert_eq!(quote("a:b"), "'a:b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(graph_escape("a='x,y'"), "a=\\'x\\,y\\'");
    }
}

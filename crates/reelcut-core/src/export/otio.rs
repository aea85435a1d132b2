//! OpenTimelineIO JSON: a SerializableCollection of one Timeline per clip. Each timeline has
//! a video track and an audio track with the same edits (linked by position, as OTIO links
//! them), and a "Captions" track: one clip per caption, a Text generator whose parameters
//! hold the text and whose metadata holds the word timings. OTIO has no transform schema:
//! the reframing keyframes are in each video clip's metadata under `reelcut.transform`.

use serde_json::{json, Value};

use super::{edits, file_url, keyframes, ClipExport, Source};

fn rt(value: i64, rate: f64) -> Value {
    json!({"OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": value as f64})
}

fn range(start: i64, duration: i64, rate: f64) -> Value {
    json!({"OTIO_SCHEMA": "TimeRange.1", "start_time": rt(start, rate), "duration": rt(duration, rate)})
}

fn item(schema: &str, name: &str, source_range: Value, metadata: Value) -> Value {
    json!({
        "OTIO_SCHEMA": schema,
        "metadata": metadata,
        "name": name,
        "source_range": source_range,
        "effects": [],
        "markers": [],
        "enabled": true,
    })
}

fn track(name: &str, kind: &str, children: Vec<Value>) -> Value {
    json!({
        "OTIO_SCHEMA": "Track.1",
        "metadata": {},
        "name": name,
        "source_range": null,
        "effects": [],
        "markers": [],
        "enabled": true,
        "kind": kind,
        "children": children,
    })
}

/// The .otio document for `clips` of `src`.
pub fn export(name: &str, src: &Source, clips: &[ClipExport<'_>]) -> String {
    let rate = src.fps();
    let media_name = src
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let available = range(0, src.frame(src.duration), rate);
    let reference = json!({
        "OTIO_SCHEMA": "ExternalReference.1",
        "metadata": {},
        "name": media_name,
        "available_range": available,
        "available_image_bounds": null,
        "target_url": file_url(&src.path),
    });
    let timelines: Vec<Value> = clips
        .iter()
        .map(|c| {
            let edits = edits(c.entry, src);
            let keys = keyframes(c.entry, src, c.size);
            let media_clip = |e: &super::Edit, with_keys: bool| {
                let mut v = item(
                    "Clip.2",
                    &media_name,
                    range(e.src_in, e.src_out - e.src_in, rate),
                    if with_keys {
                        // Keyframes in this item's own time (seconds from its start).
                        let t0 = e.rec_in as f64 / rate;
                        let t1 = (e.rec_in + e.src_out - e.src_in) as f64 / rate;
                        let k: Vec<Value> = keys
                            .iter()
                            .filter(|k| k.t >= t0 - 1e-9 && k.t <= t1 + 1e-9)
                            .map(|k| json!({"time": k.t - t0, "dx": k.dx, "dy": k.dy, "scale": k.scale}))
                            .collect();
                        json!({"reelcut": {"transform": {
                            "units": format!(
                                "dx, dy: output pixels (y down) that the source's centre moves from the centre of the {}x{} frame; scale: output pixels per source pixel",
                                c.size.width, c.size.height),
                            "keyframes": k}}})
                    } else {
                        json!({})
                    },
                );
                v["media_references"] = json!({"DEFAULT_MEDIA": reference});
                v["active_media_reference_key"] = json!("DEFAULT_MEDIA");
                v
            };
            let video: Vec<Value> = edits.iter().map(|e| media_clip(e, true)).collect();
            let audio: Vec<Value> = edits.iter().map(|e| media_clip(e, false)).collect();
            // Captions: each at its record frame, gaps between.
            let mut caps = Vec::new();
            let mut at = 0i64;
            for cap in &c.captions {
                let (a, b) = (src.frame(cap.start).max(at), src.frame(cap.end));
                if b <= a {
                    continue;
                }
                if a > at {
                    caps.push(item("Gap.1", "", range(0, a - at, rate), json!({})));
                }
                let text = cap.lines.join("\n");
                let words: Vec<Value> = cap
                    .words
                    .iter()
                    .map(|w| json!({"start": w.start - cap.start, "end": w.end - cap.start, "text": w.text}))
                    .collect();
                let mut v = item(
                    "Clip.2",
                    &text,
                    range(0, b - a, rate),
                    json!({"reelcut": {"caption": {"lines": cap.lines, "words": words}}}),
                );
                v["media_references"] = json!({"DEFAULT_MEDIA": {
                    "OTIO_SCHEMA": "GeneratorReference.1",
                    "metadata": {},
                    "name": "caption",
                    "available_range": range(0, b - a, rate),
                    "available_image_bounds": null,
                    "generator_kind": "Text",
                    "parameters": {"text": text},
                }});
                v["active_media_reference_key"] = json!("DEFAULT_MEDIA");
                caps.push(v);
                at = b;
            }
            let mut tracks = vec![track("V1", "Video", video)];
            if src.has_audio {
                tracks.push(track("A1", "Audio", audio));
            }
            tracks.push(track("Captions", "Video", caps));
            json!({
                "OTIO_SCHEMA": "Timeline.1",
                "metadata": {"reelcut": {"width": c.size.width, "height": c.size.height}},
                "name": c.name,
                "global_start_time": null,
                "tracks": {
                    "OTIO_SCHEMA": "Stack.1",
                    "metadata": {},
                    "name": "tracks",
                    "source_range": null,
                    "effects": [],
                    "markers": [],
                    "enabled": true,
                    "children": tracks,
                },
            })
        })
        .collect();
    let doc = json!({
        "OTIO_SCHEMA": "SerializableCollection.1",
        "metadata": {},
        "name": name,
        "children": timelines,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

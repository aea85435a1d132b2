//! Voice activity of an input, for active-speaker framing: Silero VAD over the audio track
//! the clips carry. It is the audio half of the evidence of who speaks: mouth motion counts
//! only while someone is heard (a listener chewing or smiling is not speaking).

use std::path::Path;

use reelcut_core::TimeRange;
use reelcut_media::MediaError;

use crate::jobs::JobCtx;
use crate::EngineError;

/// Spans of speech in source seconds; empty (with a warning) when there is no detector or
/// the audio cannot be read: framing then goes by mouths alone rather than failing.
pub(crate) fn voice_activity(ctx: &JobCtx, path: &Path) -> Result<Vec<TimeRange>, EngineError> {
    let Some(vad) = ctx.resources.vad(&ctx.assets) else {
        return Ok(Vec::new());
    };
    let started = std::time::Instant::now();
    let mut pcm = Vec::new();
    match reelcut_media::audio16k::decode_16k_mono_track(
        path,
        ctx.opts.audio_track,
        &ctx.cancel,
        &mut |c| pcm.extend_from_slice(c),
    ) {
        Ok(_) => {}
        Err(MediaError::Cancelled) => return Err(EngineError::Cancelled),
        Err(e) => {
            tracing::warn!(input = %path.display(), error = %e, "no voice activity for framing");
            return Ok(Vec::new());
        }
    }
    let spans = vad
        .speech(&pcm, &reelcut_onnx::VadParams::default(), &ctx.cancel)
        .map_err(|e| match e {
            reelcut_onnx::VadError::Cancelled => EngineError::Cancelled,
            other => EngineError::Model(other.to_string()),
        })?;
    // Its cost belongs to the analysis budget (scripts/bench-reframe.sh): logged like it.
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(input = %path.display(), spans = spans.len(), seconds, "voice activity for framing");
    Ok(spans
        .into_iter()
        .map(|(start, end)| TimeRange { start, end })
        .collect())
}

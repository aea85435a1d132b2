//! ffmpeg-next adapter: probing inputs and rendering clips in one in-process
//! decode -> crop -> filter graph (scale, subtitles, watermark) -> encode pass.
//!
//! No ffmpeg CLI process is spawned here; libav* is linked and driven directly.

pub mod analysis;
pub mod audio16k;
pub mod condition;
mod decode;
mod error;
pub mod health;
mod init;
pub mod loudness;
pub mod probe;
pub mod render;
mod resample;

pub use error::MediaError;
pub use init::init;
pub use loudness::{loudness, loudness_at};
pub use probe::{probe, MediaInfo};
pub use render::{render_clip, RenderProgress, RenderReport};

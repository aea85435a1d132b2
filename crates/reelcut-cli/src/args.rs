//! The command-line contract. Scripts and tests depend on these names: add, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "reelcut",
    version,
    about = "Cut, reframe, caption and watermark short clips from long videos, locally."
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug). REELCUT_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Make clips from one or more videos.
    Run(RunArgs),
    /// Watch a folder: every video that appears in it (once it stops growing) becomes a
    /// job, with the options `run` takes. Files done before are skipped, also after a restart.
    Watch(WatchArgs),
    /// Check that everything Reelcut needs is here, and say where it was found.
    Doctor(DoctorArgs),
    /// Print what a media file holds.
    Probe(ProbeArgs),
    /// Transcribe a file and print the transcript.
    Transcribe(TranscribeArgs),
    /// Manage Whisper models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Print, per clip, the filter graph `run` would build, as an ffmpeg -filter_complex
    /// (for benchmarks and debugging; the product never runs the ffmpeg CLI).
    #[command(hide = true)]
    Filtergraph(RunArgs),
    /// List jobs (queued, running, done, failed, cancelled) with their stage.
    Jobs(JobsArgs),
    /// Cancel a queued or running job (also one running in another reelcut process).
    Cancel(JobIdArgs),
    /// Run a failed or cancelled job again, from its last finished stage.
    Retry(JobIdArgs),
    /// Render an edited plan (a clips.json): only the clips whose parts, words, framing
    /// overrides or watermark changed since they were rendered.
    Render(RenderArgs),
    /// Export a plan's clips to an editor: OpenTimelineIO, FCPXML (Final Cut Pro X,
    /// DaVinci Resolve) or a CMX3600 EDL, over the source media.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The plan: DIR/clips.json, as a run wrote it and a person (or the editor) changed it.
    pub manifest: PathBuf,
    /// Only these clips (1-based, comma-separated): --only 2,3.
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    pub only: Vec<usize>,
    /// Render the chosen clips even if their plan did not change.
    #[arg(long)]
    pub force: bool,
    /// A fast low-resolution render of each chosen clip as the plan says, to
    /// DIR/.reelcut/preview-NN.mp4; the clips and clips.json are left as they are.
    #[arg(long)]
    pub preview: bool,
    /// One JSON object per clip on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormatArg {
    Otio,
    Fcpxml,
    Edl,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The plan: DIR/clips.json.
    pub manifest: PathBuf,
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// The file to write (default: beside clips.json, named after the input; an EDL is
    /// one per clip, clip-NN.edl, and FILE then names the first).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only these clips (1-based, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    pub only: Vec<usize>,
}

#[derive(Args, Debug)]
pub struct JobsArgs {
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Args, Debug)]
pub struct JobIdArgs {
    /// The job's number (see `reelcut jobs`).
    pub id: String,
    /// Print events as JSON lines (retry).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Where the job store lives and how many workers each stage gets.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// Job store and work folders (default: $REELCUT_STATE_DIR, else the per-user data
    /// folder's state/).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Concurrent downloads (default 3).
    #[arg(long, value_name = "N")]
    pub fetch_workers: Option<usize>,
    /// Concurrent transcriptions (default 1 per 8 cores, at least 1).
    #[arg(long, value_name = "N")]
    pub transcribe_workers: Option<usize>,
    /// Concurrent face analyses (default 1 per 4 cores).
    #[arg(long, value_name = "N")]
    pub analyse_workers: Option<usize>,
    /// Concurrent renders (default 1 per 2 cores).
    #[arg(long, value_name = "N")]
    pub render_workers: Option<usize>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReframeArg {
    Track,
    Center,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapArg {
    None,
    Words,
    Sentences,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutArg {
    Crop,
    Blur,
    Split,
    Auto,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionArg {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
    Center,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Video files, folders of videos, or URLs (downloaded with yt-dlp).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub opts: RunOpts,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The folder to watch: every video that appears in it becomes a job.
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// Seconds a new file must stop growing (same size and time) before it is taken.
    #[arg(long, value_name = "S", default_value_t = 3.0)]
    pub settle: f64,
    #[command(flatten)]
    pub opts: RunOpts,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The output folder whose free space to report.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Job store folder (default: as `run` uses).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The checks as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Everything `run` and `watch` share: what to make of each input.
#[derive(Args, Debug)]
pub struct RunOpts {
    /// With folder inputs, also take the videos in their subfolders.
    #[arg(long)]
    pub recursive: bool,
    /// Redo inputs even if their clips already exist with the same options.
    #[arg(long)]
    pub force: bool,
    /// Jobs (inputs) in flight at the same time; each stage also has its own pool.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Output folder; clips go to DIR/<input-stem>/clip-NN.mp4.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// START-END in seconds or [h:]mm:ss[.fff]; A-B+C-D joins parts into one clip.
    /// Repeat for several clips. Without it clips are chosen automatically (see --auto,
    /// --whole).
    #[arg(long = "clip", value_name = "RANGE")]
    pub clips: Vec<String>,
    /// Choose N clips automatically from the speech (the default, with N = 3, when no --clip
    /// is given): complete sentences, scored offline by hook, density, topic, energy, pauses.
    #[arg(long, value_name = "N", conflicts_with_all = ["clips", "whole"])]
    pub auto: Option<usize>,
    /// Without --clip: the whole input as one clip (no automatic selection).
    #[arg(long, conflicts_with = "clips")]
    pub whole: bool,
    /// Shortest automatic clip, seconds.
    #[arg(long, value_name = "S", default_value_t = 20.0)]
    pub min_seconds: f64,
    /// Longest automatic clip, seconds.
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub max_seconds: f64,
    /// Re-rank the automatic candidates with an OpenAI-compatible chat endpoint (a local
    /// Ollama or llama.cpp server, e.g. http://127.0.0.1:11434/v1). Off by default; any error
    /// there keeps the offline order.
    #[arg(long, value_name = "URL")]
    pub rerank_url: Option<String>,
    /// The model the re-rank endpoint should use.
    #[arg(long, value_name = "NAME", default_value = "llama3.2")]
    pub rerank_model: String,
    /// Move --clip boundaries to the nearest word or sentence edge (transcribes the input).
    #[arg(long, value_enum, default_value = "none")]
    pub snap: SnapArg,
    /// Output aspect: 9:16, 1:1, 4:5 or 16:9.
    #[arg(long, default_value = "9:16")]
    pub aspect: String,
    /// Short side of the output in pixels (1080 gives 1080x1920 for 9:16).
    #[arg(long, default_value_t = 1080)]
    pub resolution: u32,
    /// How the crop window is chosen: follow the speaker's face, or a fixed centre crop.
    #[arg(long, value_enum, default_value = "track")]
    pub reframe: ReframeArg,
    /// crop: one person's window of the output aspect (cutting between speakers); blur: the
    /// whole frame over a blurred copy; split: shots with 2-4 people as panels (two: top and
    /// bottom halves, the person on the left of the source on top; three: rows; four: a
    /// grid); auto: chosen per shot (crop, split for a rapid exchange or for 3-4 people
    /// without a clear speaker, blur for wide shots and shots without a face).
    #[arg(long, value_enum, default_value = "crop")]
    pub layout: LayoutArg,
    /// Face-detection samples per second of clip, for --reframe track.
    #[arg(long, default_value_t = 8.0)]
    pub sample_fps: f64,
    /// Burn this ASS/SRT/VTT file (timed against the source) into the clips.
    #[arg(long, value_name = "FILE")]
    pub subtitles: Option<PathBuf>,
    /// Captions from speech (on by default): a style (karaoke, pop, boxed, lower-third,
    /// word-pop, word-box), a style file (.toml/.json), or "none" to leave them out.
    /// `--subtitles` takes precedence.
    #[arg(long, value_name = "STYLE", default_value = "karaoke")]
    pub captions: String,
    /// Jump cuts: remove pauses longer than GAP seconds (0.5 without a value) inside each
    /// clip, keeping 0.1 s of silence each side of a cut (transcribes the input).
    #[arg(long, value_name = "GAP", num_args = 0..=1, default_missing_value = "0.5")]
    pub cut_silences: Option<f64>,
    /// Jump cuts: remove filler words (um, uh, erm, hmm; the list of the spoken language).
    #[arg(long)]
    pub cut_fillers: bool,
    /// The filler words --cut-fillers removes, comma-separated (replaces the language's list).
    #[arg(
        long,
        value_name = "WORDS",
        value_delimiter = ',',
        requires = "cut_fillers"
    )]
    pub fillers: Option<Vec<String>>,
    #[command(flatten)]
    pub speech: SpeechArgs,
    /// Watermark image (PNG with alpha works best).
    #[arg(long, value_name = "FILE", conflicts_with = "watermark_text")]
    pub watermark: Option<PathBuf>,
    /// Watermark text.
    #[arg(long, value_name = "TEXT")]
    pub watermark_text: Option<String>,
    #[arg(long, value_enum, default_value = "top-left")]
    pub watermark_position: PositionArg,
    /// 0 to 1.
    #[arg(long, default_value_t = 0.8)]
    pub watermark_opacity: f64,
    /// Watermark width as a fraction of the output width.
    #[arg(long, default_value_t = 0.25)]
    pub watermark_scale: f64,
    /// Distance from the edges as a fraction of the output width.
    #[arg(long, default_value_t = 0.04)]
    pub watermark_margin: f64,
    /// x264 preset (ultrafast ... veryslow).
    #[arg(long, default_value = "veryfast")]
    pub preset: String,
    /// Constant rate factor, 0-51 (lower is better).
    #[arg(long, default_value_t = 20)]
    pub crf: u8,
    /// H.264 encoder: auto (hardware when present, else libx264), libx264, h264_nvenc.
    #[arg(long, default_value = "auto")]
    pub encoder: String,
    /// Audio track the clips carry, counting the input's audio streams from 0 (as ffmpeg's
    /// `a:N`). Default: the track the file marks default, else the first.
    #[arg(long, value_name = "N")]
    pub audio_track: Option<usize>,
    /// Progress and results as JSON lines on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    pub input: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct SpeechArgs {
    /// Whisper model: "auto" (the language is detected; English goes to tiny.en, other
    /// languages to base), a name from `reelcut models list`, or a ggml file.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Spoken language (ISO 639-1, e.g. en, de); detected when left out (multilingual
    /// models).
    #[arg(long)]
    pub language: Option<String>,
    /// Whisper threads (0 = one per core): long audio is cut at pauses into that many parts
    /// (of at least 15 s) decoded at the same time, one thread each.
    #[arg(long, default_value_t = 0)]
    pub whisper_threads: usize,
    /// Whisper beam width (1 = greedy, faster).
    #[arg(long, default_value_t = 5)]
    pub beam_size: u32,
    /// Transcribe again even if this input was transcribed before with the same options.
    #[arg(long)]
    pub no_cache: bool,
    /// Transcribe all of the audio, not only what voice activity detection calls speech
    /// (slower on recordings with long pauses; Whisper may invent words in silence or music).
    #[arg(long)]
    pub no_vad: bool,
    /// Length of the pieces long audio is transcribed in (memory stays bounded).
    #[arg(long, default_value_t = 600, hide = true)]
    pub chunk_seconds: u32,
    /// Write filler words (um, uh, erm) down as spoken; Whisper leaves most out otherwise.
    /// Needs a known language (--language, or an English-only model). On with --cut-fillers.
    #[arg(long)]
    pub verbatim: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranscriptFormat {
    Json,
    Srt,
    Vtt,
}

#[derive(Args, Debug)]
pub struct TranscribeArgs {
    pub input: PathBuf,
    #[arg(long, value_enum, default_value = "json")]
    pub format: TranscriptFormat,
    #[command(flatten)]
    pub speech: SpeechArgs,
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Installed models, their sizes and languages.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Install a model from a file: a CTranslate2 (faster-whisper) model folder, converted
    /// to ggml, or a whisper.cpp ggml file, copied. Loaded once before it is registered.
    Import {
        #[arg(value_name = "DIR|FILE")]
        dir: PathBuf,
        /// Name to install it under (default: the model's own, e.g. tiny.en).
        #[arg(long)]
        name: Option<String>,
        /// Where the weights came from, recorded in the manifest (default: the path and
        /// what was done to it).
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value = "MIT")]
        licence: String,
        /// CTranslate2 folders: store weight matrices as f16 (as the source) or q8_0 (ggml
        /// int8: half the size, faster on CPU).
        #[arg(long, value_enum, default_value = "f16")]
        quantize: QuantArg,
    },
    /// Download an official ggml model (tiny, tiny.en, base, ...) or a URL, with resume and
    /// a SHA-256 check.
    Download {
        name_or_url: String,
        /// Expected SHA-256 (required for URLs you want verified; known for official names).
        #[arg(long)]
        sha256: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantArg {
    F16,
    #[value(name = "q8_0")]
    Q8_0,
}

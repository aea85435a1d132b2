//! What a transcription returns: segments of words with times in seconds from the start of
//! the audio. Deliberately plain, so mapping to reelcut-core's caption types is trivial.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawTranscript {
    /// ISO 639-1 code: the requested one, or the detected one.
    pub language: String,
    /// Length of the transcribed audio, seconds.
    pub duration: f64,
    /// Model that produced it ("tiny.en", "base", ...).
    pub model: String,
    pub segments: Vec<RawSegment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawSegment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    /// Mean probability of the segment's text tokens, 0..=1.
    pub confidence: f32,
    /// Whisper's probability that the window holds no speech.
    pub no_speech_probability: f32,
    pub words: Vec<RawWord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawWord {
    pub start: f64,
    pub end: f64,
    /// The word with its attached punctuation, without the leading space.
    pub text: String,
    /// Mean probability of the word's tokens, 0..=1.
    pub probability: f32,
}

impl RawTranscript {
    pub fn words(&self) -> impl Iterator<Item = &RawWord> {
        self.segments.iter().flat_map(|s| s.words.iter())
    }

    /// All segment texts joined by single spaces.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

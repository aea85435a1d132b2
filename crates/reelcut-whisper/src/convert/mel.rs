//! The mel filterbank stored in a ggml Whisper file: what OpenAI's `mel_filters.npz` holds,
//! i.e. `librosa.filters.mel(sr=16000, n_fft=400, n_mels=N)` — Slaney mel scale, Slaney
//! (area) normalisation, float32. whisper.cpp computes its spectrogram with these.

/// Whisper's STFT: 16 kHz audio, 25 ms windows.
pub(crate) const SAMPLE_RATE: f64 = 16000.0;
pub(crate) const N_FFT: usize = 400;

/// Slaney's mel scale: linear below 1 kHz (3 mel per 200 Hz), logarithmic above.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / logstep()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (logstep() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// `n_mels` rows of `N_FFT / 2 + 1` weights, row-major.
///
/// Rounding follows librosa step by step (triangle computed in f64, stored into a float32
/// array, then scaled by the f64 norm and stored again), which makes the result
/// bit-identical to OpenAI's `mel_filters.npz`, not just close.
pub(crate) fn filters(n_mels: usize) -> Vec<f32> {
    let n_freqs = N_FFT / 2 + 1;
    let fft_freqs: Vec<f64> = (0..n_freqs)
        .map(|i| i as f64 * (SAMPLE_RATE / 2.0) / (n_freqs - 1) as f64)
        .collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2.0));
    let step = (hi - lo) / (n_mels + 1) as f64;
    let mut mel_points: Vec<f64> = (0..n_mels + 2).map(|i| lo + step * i as f64).collect();
    // np.linspace pins the last point to `stop` exactly.
    mel_points[n_mels + 1] = hi;
    let mel_f: Vec<f64> = mel_points.iter().map(|&m| mel_to_hz(m)).collect();

    let mut weights = vec![0f32; n_mels * n_freqs];
    for i in 0..n_mels {
        let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        let (d0, d1) = (mel_f[i + 1] - mel_f[i], mel_f[i + 2] - mel_f[i + 1]);
        for (j, &f) in fft_freqs.iter().enumerate() {
            let lower = -(mel_f[i] - f) / d0;
            let upper = (mel_f[i + 2] - f) / d1;
            let tri = lower.min(upper).max(0.0) as f32;
            weights[i * n_freqs + j] = (f64::from(tri) * enorm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv1a(values: &[f32]) -> u64 {
        values.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, v| {
            (h ^ u64::from(v.to_bits())).wrapping_mul(0x0100_0000_01b3)
        })
    }

    // Reference hashes of the float32 bits of `mel_80` and `mel_128` in
    // openai-whisper 20250625's whisper/assets/mel_filters.npz (FNV-1a over u32 bits, row-major).
    #[test]
    fn matches_openai_mel_filters_bit_for_bit() {
        let m80 = filters(80);
        assert_eq!(m80.len(), 80 * 201);
        assert_eq!(m80[1].to_bits(), 0x3ccb_aca4);
        assert_eq!(m80[201 + 2].to_bits(), 0x3cbb_5d95);
        assert_eq!(m80[61 * 201 + 100].to_bits(), 0x39b0_19e3);
        assert_eq!(m80[79 * 201 + 199].to_bits(), 0x39eb_476a);
        assert_eq!(fnv1a(&m80), 0x4ed2_2a43_0f4b_9b15);
        assert_eq!(fnv1a(&filters(128)), 0x5dc9_f9a5_6cc6_6832);
    }

    #[test]
    fn slaney_scale_is_linear_below_1khz_and_invertible() {
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(200.0) - 3.0).abs() < 1e-12);
        for hz in [0.0, 123.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }
}

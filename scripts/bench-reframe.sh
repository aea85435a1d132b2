#!/usr/bin/env bash
# Reframing benchmark (issue: face-tracked 9:16 reframing). On a 30 s clip of a generated
# 1080p30 video where a real face photo wanders over the frame:
#   - analysis time (decode downscaled + YuNet at 8 fps + tracking) as a share of the render
#     time of the same clip (1080x1920, libx264 veryfast CRF 20); goal <= 15 %;
#   - the same share on two people taking turns (tests/media/two-speakers.mp4 scaled to
#     1080p), where the speaker detection chooses between two tracked faces every turn;
#   - detector throughput at the analysis size (YuNet and the cascade fallback).
# Usage: scripts/bench-reframe.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build -q --release -p reelcut-cli
cargo build -q --release -p reelcut-vision --example detector_throughput
bin="$CARGO_TARGET_DIR/release/reelcut"
scripts/make-test-media.sh >/dev/null
input=tests/media/bench-face-1080p.mp4
if [ ! -s "$input" ]; then
  ffmpeg -v error -f lavfi -i "smptehdbars=s=1920x1080:r=30:d=40" -loop 1 -i tests/media/astronaut.png \
    -f lavfi -i "sine=f=220:sample_rate=48000:d=40" \
    -filter_complex "[1:v]scale=540:540,format=rgba[a];[0:v][a]overlay=x='690+600*sin(t/3)':y='270+120*sin(t/2)':eval=frame:shortest=1,format=yuv420p" \
    -t 40 -c:v libx264 -preset veryfast -crf 20 -g 60 -c:a aac -f mp4 "$input.tmp" && mv "$input.tmp" "$input"
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# measure NAME GOAL INPUT RUN-ARGS...: $runs runs, then the medians of the analysis and the
# render seconds each clip_ready event reports, and their ratio against GOAL (percent).
measure() {
  local name=$1 goal=$2 in=$3; shift 3
  for r in $(seq "$runs"); do
    "$bin" run "$in" "$@" --reframe track --preset veryfast --crf 20 --encoder libx264 --out "$work/$name-$r" --json \
      | python3 -c 'import json,sys
for l in sys.stdin:
    e=json.loads(l)
    if e.get("event")=="clip_ready": print(e["analyse_seconds"], e["render_seconds"])'
  done > "$work/$name-times"
  python3 - "$work/$name-times" "$name" "$goal" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
a = statistics.median(r[0] for r in rows); r = statistics.median(r[1] for r in rows)
print(f"{sys.argv[2]}: analysis {a:.2f} s, render {r:.2f} s (medians of {len(rows)})")
print(f"  analysis / render = {a / r * 100:.1f} %  (goal <= {sys.argv[3]} %)")
PY
}
measure "one face, 30 s at 1080p" 15 "$input" --clip 5-35
two=tests/media/bench-two-1080p.mp4
if [ ! -s "$two" ]; then
  ffmpeg -v error -i tests/media/two-speakers.mp4 -vf scale=1920:1080:flags=bicubic -c:v libx264 \
    -preset veryfast -crf 20 -g 60 -c:a copy -f mp4 "$two.tmp" && mv "$two.tmp" "$two"
fi
# Speaker detection choosing between two tracked faces every turn.
measure "two people, 24 s at 1080p" 20 "$two" --clip 0-24 --captions none
"$CARGO_TARGET_DIR/release/examples/detector_throughput" 200
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

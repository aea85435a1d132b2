#!/usr/bin/env bash
# Render benchmark (issue: one-pass render engine). On the same 30 s clip of a 1080p30
# input, with subtitles and a watermark, 9:16 1080x1920, libx264 veryfast CRF 20 + AAC:
#   reelcut        one in-process decode -> filter -> encode pass
#   floor          one ffmpeg CLI process with the same filter graph and encoder settings
#   seeds' chain   four ffmpeg processes (cut, reframe, subtitles, watermark), each re-encoding
# Prints each median wall time and the ratios. Usage: scripts/bench-render.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build -q --release --workspace
bin="$CARGO_TARGET_DIR/release/reelcut"
scripts/make-test-media.sh >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
media=tests/media
input=$media/bench-1080p.mp4
if [ ! -s "$input" ]; then
  ffmpeg -v error -f lavfi -i "testsrc2=s=1920x1080:r=30:d=60" -f lavfi -i "sine=f=440:sample_rate=48000:d=60" \
    -c:v libx264 -preset veryfast -crf 20 -g 60 -pix_fmt yuv420p -c:a aac -f mp4 "$input.tmp" && mv "$input.tmp" "$input"
fi
# Cues every 2 s across the clip (source times 10-40 s).
subs=$work/bench.srt
for i in $(seq 0 14); do
  s=$((10 + 2 * i)); printf '%d\n00:00:%02d,000 --> 00:00:%02d,800\nCaption number %d on screen\n\n' $((i + 1)) "$s" "$((s + 1))" "$i"
done > "$subs"
logo=$media/logo.png
enc=(-c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -c:a aac -b:a 160k)

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_it() { local t0; t0=$(now); "$@" >/dev/null 2>&1; awk -v a="$(now)" -v b="$t0" 'BEGIN {print a - b}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

reelcut() { "$bin" run "$input" --force --reframe center --clip 10-40 --subtitles "$subs" --watermark "$logo" --encoder libx264 \
  --preset veryfast --crf 20 --out "$work/reelcut" --json; }

# The floor uses reelcut's own graph and the retimed subtitle file it writes.
"$bin" filtergraph "$input" --clip 10-40 --subtitles "$subs" --watermark "$logo" --out "$work/reelcut" > "$work/graph.json"
graph=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["filter_complex"])' "$work/graph.json")
crop=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["crop"])' "$work/graph.json")
clipsubs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["subtitles"])' "$work/graph.json")
floor() { ffmpeg -v error -y -ss 10 -i "$input" -t 30 -filter_complex "$graph" -map '[v]' -map 0:a "${enc[@]}" \
  -movflags +faststart "$work/floor.mp4"; }

fonts=$(pwd)/assets/fonts
chain() {
  ffmpeg -v error -y -ss 10 -i "$input" -t 30 "${enc[@]}" "$work/1-cut.mp4"
  ffmpeg -v error -y -i "$work/1-cut.mp4" -vf "crop=$crop,scale=1080:1920,setsar=1" "${enc[@]/aac/copy}" "$work/2-reframe.mp4"
  ffmpeg -v error -y -i "$work/2-reframe.mp4" -vf "subtitles=$clipsubs:fontsdir=$fonts:force_style='FontName=Montserrat,Bold=1,FontSize=16'" "${enc[@]/aac/copy}" "$work/3-subs.mp4"
  ffmpeg -v error -y -i "$work/3-subs.mp4" -i "$logo" -filter_complex "[1:v]format=rgba,scale=270:-1,colorchannelmixer=aa=0.8[wm];[0:v][wm]overlay=43:43" "${enc[@]/aac/copy}" "$work/4-watermark.mp4"
}

declare -A t
for name in reelcut floor chain; do
  for r in $(seq "$runs"); do time_it "$name"; done | median > "$work/$name.t"
  t[$name]=$(cat "$work/$name.t")
  printf '%-8s median of %d: %6.2f s\n' "$name" "$runs" "${t[$name]}"
done
# Sanity: every output has the expected size and length.
for f in "$work/reelcut/bench-1080p/clip-01.mp4" "$work/floor.mp4" "$work/4-watermark.mp4"; do
  ffprobe -v error -select_streams v -show_entries stream=width,height:format=duration -of csv=p=0 "$f" | tr '\n' ' '; echo " $(basename "$f")"
done
echo "reelcut / floor  = $(ratio "${t[reelcut]}" "${t[floor]}")  (target <= 1.15)"
echo "chain / reelcut  = $(ratio "${t[chain]}" "${t[reelcut]}")  (target >= 3.0)"

# Tone mapping (issue 13): 10 s of a 1080p30 PQ (HDR10, 10-bit HEVC) input to a plain 9:16
# crop, reelcut against one ffmpeg process running the same zscale+tonemap chain (printed by
# `reelcut filtergraph`, which puts the conditioning in front of the crop).
pq=$media/bench-1080p-pq.mp4
if [ ! -s "$pq" ]; then
  ffmpeg -v error -f lavfi -i "testsrc2=s=1920x1080:r=30:d=20" -f lavfi -i "sine=f=440:sample_rate=48000:d=20" \
    -vf "zscale=tin=bt709:pin=bt709:min=bt709:t=smpte2084:p=bt2020:m=bt2020nc:npl=100,format=yuv420p10le" \
    -c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p10le \
    -color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc -c:a aac -f mp4 "$pq.tmp" && mv "$pq.tmp" "$pq"
fi
reelcut_pq() { "$bin" run "$pq" --force --reframe center --clip 5-15 --encoder libx264 --preset veryfast --crf 20 \
  --out "$work/reelcut-pq" --json; }
pq_graph=$("$bin" filtergraph "$pq" --clip 5-15 --out "$work/reelcut-pq" | python3 -c 'import json,sys; print(json.load(sys.stdin)["filter_complex"])')
floor_pq() { ffmpeg -v error -y -ss 5 -i "$pq" -t 10 -filter_complex "$pq_graph" -map '[v]' -map 0:a "${enc[@]}" \
  -movflags +faststart "$work/floor-pq.mp4"; }
for name in reelcut_pq floor_pq; do
  for r in $(seq "$runs"); do time_it "$name"; done | median > "$work/$name.t"
  t[$name]=$(cat "$work/$name.t")
  printf '%-10s median of %d: %6.2f s\n' "$name" "$runs" "${t[$name]}"
done
echo "PQ tone mapping: reelcut / ffmpeg (same chain) = $(ratio "${t[reelcut_pq]}" "${t[floor_pq]}")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

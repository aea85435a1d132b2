#!/usr/bin/env bash
# The main job, end to end, on a sample the project makes itself: a 40 s 1080p video in,
# 9:16 clips out (one multipart), with burned subtitles and a watermark. Prints the clips.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
cargo build --release --locked -q -p reelcut-cli
out=${1:-out/demo}
"$CARGO_TARGET_DIR/release/reelcut" run tests/media/sample.mp4 \
  --clip 0-9 --clip 12-16+20-24 \
  --subtitles tests/media/demo.srt \
  --watermark tests/media/logo.png --watermark-position top-right --watermark-scale 0.18 \
  --out "$out"
echo "clips.json: $out/sample/clips.json"

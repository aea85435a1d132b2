#!/usr/bin/env bash
# The main job, end to end, on a sample the project makes itself (tests/media/demo.mp4: a
# face photo drifting over a 1080p background while espeak-ng speaks): 9:16 clips out, the
# crop following the face, karaoke captions from Whisper, a watermark. Prints the clips.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
export PATH="$(pwd)/.venv/bin:$PATH"   # yt-dlp, for URL inputs
export REELCUT_SHARE_DIR=$(pwd)         # fonts and models: the checkout is the share folder
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build --release --locked -q -p reelcut-cli
scripts/install-models.sh "$CARGO_TARGET_DIR/release/reelcut"
out=${1:-out/demo}
"$CARGO_TARGET_DIR/release/reelcut" run tests/media/demo.mp4 \
  --clip 0-9.5 --clip 10-15+20-25 \
  --watermark-text "@reelcut" --watermark-position top-left \
  --out "$out"
echo "clips.json: $out/demo/clips.json"

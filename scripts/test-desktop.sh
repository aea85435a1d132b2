#!/usr/bin/env bash
# End-to-end tests of the desktop app: builds the UI and the app, runs the real window under
# Xvfb, drives it through tauri-driver + WebKitWebDriver (tests/desktop/, WebdriverIO) and saves
# screenshots and the command round-trip measurement.
#
#   scripts/test-desktop.sh                 # build + run all desktop E2E tests
#   SHOTS=dir scripts/test-desktop.sh       # where screenshots go (default out/desktop-e2e)
#   REELCUT_E2E_NO_BUILD=1 ...              # reuse the last build (scripts/package.sh makes it)
#   E2E_FILES=setup.test.mjs ...            # only some of tests/desktop/*.test.mjs
#
# Needs the desktop packages (REELCUT_SETUP_DESKTOP=1 scripts/setup.sh) and the generated
# fixtures (scripts/setup.sh). The app is the release build scripts/package.sh packages, in
# $CARGO_TARGET_DIR (default ~/.cache/reelcut/target, the workspace's), outside the clone
# so repeated runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}"
shots="${SHOTS:-$repo/out/desktop-e2e}"
# REELCUT_DESKTOP_APP: a build made elsewhere (with REELCUT_E2E_NO_BUILD=1).
app="${REELCUT_DESKTOP_APP:-$CARGO_TARGET_DIR/release/reelcut-desktop}"

for tool in Xvfb /usr/bin/WebKitWebDriver xdotool python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run REELCUT_SETUP_DESKTOP=1 scripts/setup.sh" >&2; exit 1; }
done
if ! command -v tauri-driver >/dev/null; then
  log "cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
[ -f tests/media/speech.mp4 ] || { echo "missing fixtures: run scripts/setup.sh" >&2; exit 1; }
[ -x ui/node_modules/.bin/vitest ] && [ -d ui/node_modules/webdriverio ] || (cd ui && npm install --no-audit --no-fund --loglevel=error)

if [ "${REELCUT_E2E_NO_BUILD:-0}" != 1 ]; then
  log "UI build"
  t0=$SECONDS
  (cd ui && npm run --silent build >/dev/null)
  log "app build (release, embedded UI) -> $app"
  cargo build --release --locked --quiet --manifest-path src-tauri/Cargo.toml --features custom-protocol
  log "builds took $((SECONDS - t0)) s"
fi
log "shell unit tests (options, settings, gallery, event coalescing, error kinds, logs, TS bindings and IPC wrappers current)"
# In release, beside the app: its dependencies are built once.
cargo test --release --locked --quiet --manifest-path src-tauri/Cargo.toml --features custom-protocol

work=$(mktemp -d /tmp/reelcut-e2e.XXXXXX)
pids=()
cleanup() {
  # tauri-driver first and with SIGTERM: killed hard, it leaves WebKitWebDriver holding pipes.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The app's per-user folders point into the scratch folder; fast options (no face tracking,
# a short clip range) keep the run short on two cores while every stage still runs.
rm -rf "$shots"
mkdir -p "$work/config" "$work/state" "$work/out" "$shots"
cat >"$work/config/settings.json" <<JSON
{"defaults": {"out_dir": "$work/out", "aspect": "9:16", "captions": "karaoke",
  "watermark": {"kind": "text", "text": "@reelcut"}, "watermark_position": "top-right",
  "clips": {"mode": "ranges", "ranges": ["1-4"]}, "track_faces": false}}
JSON
export REELCUT_CONFIG_DIR="$work/config" REELCUT_STATE_DIR="$work/state" REELCUT_LOG_DIR="$work/logs"
export PATH="$repo/.venv/bin:$PATH" # yt-dlp
# Fonts and models from the checkout (the layout the package installs under /usr/share).
export REELCUT_SHARE_DIR="$repo" ORT_DYLIB_PATH="$repo/.tools/onnxruntime/libonnxruntime.so.1.32.0"

display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

port=$((4444 + display - 99))
native_port=$((port + 1000))
tauri-driver --port "$port" --native-port "$native_port" --native-driver /usr/bin/WebKitWebDriver \
  >"$work/tauri-driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

log "E2E tests (screenshots in $shots)"
status=0
# The suite lives with the other black-box suites in tests/; WebdriverIO is the UI's dev
# dependency, reached through a link (Node resolves packages from the importing file up).
ln -sfn ../../ui/node_modules tests/desktop/node_modules
(cd tests/desktop && REELCUT_APP="$app" REELCUT_MEDIA="$repo/tests/media" REELCUT_WORK="$work" \
  REELCUT_SHOTS="$shots" WEBDRIVER_PORT="$port" node --test --test-concurrency=1 ${E2E_FILES:-setup.test.mjs editor.test.mjs app.test.mjs}) || status=$?
cp -L "$work/logs/reelcut.log" "$shots/app.log" 2>/dev/null || true # the app's own log file
if [ "$status" != 0 ]; then
  echo "--- tauri-driver / app log (tail) ---" >&2
  tail -n 60 "$work/tauri-driver.log" >&2 || true
fi
exit "$status"

#!/usr/bin/env bash
# Runs every test: set-up (idempotent), generated media, the Rust workspace tests, the UI's,
# then the Debian package (built, unpacked and run with this tree hidden) and the desktop app
# end to end. The cargo target dir lives outside the clone so repeated runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
# The package and the desktop E2E tests need WebKitGTK, Xvfb and WebKitWebDriver
# (REELCUT_SKIP_DESKTOP=1 skips both, and those apt packages).
desktop=$([ "${REELCUT_SKIP_DESKTOP:-0}" = 1 ] && echo 0 || echo 1)
# Whisper base too (the default set-up has it): the multilingual tests need it.
REELCUT_SETUP_DESKTOP=$desktop REELCUT_SETUP_BASE=1 scripts/setup.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
export PATH="$(pwd)/.venv/bin:$PATH"
# The binaries find fonts and models through the share folder; a checkout is one (the
# package installs the same layout under /usr/share/reelcut).
export REELCUT_SHARE_DIR=$(pwd)
cargo build --locked -q -p reelcut-cli
scripts/install-models.sh "$CARGO_TARGET_DIR/debug/reelcut"
cargo test --workspace --locked "$@"
if [ -f ui/package.json ]; then
  # The UI must type-check and build (the desktop app embeds ui/dist); its unit tests run
  # once it has them.
  (cd ui && npm run --silent build >/dev/null && npm run --if-present --silent test)
fi
if [ "$desktop" = 1 ]; then
  # The package (release builds of the desktop app and the CLI, in the same target dir so
  # they share their dependencies), tested unpacked with the source tree hidden; then the
  # real app in a real WebKit under Xvfb, driven through tauri-driver: the release binary
  # that went into the package, not a second build.
  REELCUT_PACKAGE_SETUP=0 scripts/package.sh
  scripts/test-package.sh
  REELCUT_E2E_NO_BUILD=1 scripts/test-desktop.sh
fi

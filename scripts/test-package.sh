#!/usr/bin/env bash
# Tests the .deb as a user gets it: Depends resolve on this Debian (apt-get -s), then the
# package is unpacked into a fresh root and run there with the source tree, the cargo
# caches and the per-user data folders hidden (a private mount namespace with tmpfs over
# them) and a new, empty HOME: `reelcut doctor`, then `reelcut run` on the generated
# talking-head video with captions (the default) and face tracking, then the desktop app
# under Xvfb with that video on its command line (as a file manager's "Open with" starts
# it). The outputs are measured outside: size and duration, the transcript's words against
# the script that was spoken, the captions burned (against a render without them).
#
#   scripts/test-package.sh [DEB]      # default: the newest dist/reelcut_*.deb
#
# Needs root (unshare -m, mount). Screenshots and outputs: $SHOTS (default out/package-test).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
log() { printf '\033[1m[test-package]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31m[test-package] FAIL:\033[0m %s\n' "$*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); printf '[test-package] ok %d - %s\n' "$pass" "$*" >&2; }

deb=${1:-$(ls -t dist/reelcut_*_amd64.deb 2>/dev/null | head -n 1)}
[ -n "$deb" ] && [ -f "$deb" ] || fail "no package: run scripts/package.sh"
deb=$(realpath "$deb")
[ "$(id -u)" = 0 ] || fail "needs root (a private mount namespace hides the source tree)"
shots=${SHOTS:-$repo/out/package-test}
rm -rf "$shots" && mkdir -p "$shots"
python=$repo/.venv/bin/python

work=$(mktemp -d /tmp/reelcut-pkgtest.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log "apt-get -s install $deb"
apt-get -s install "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get -s install"; }
grep -q '^Inst reelcut\|reelcut is already' "$work/apt.log" || { cat "$work/apt.log" >&2; fail "apt did not plan to install reelcut"; }
ok "Depends resolve on $(. /etc/os-release && echo "$PRETTY_NAME")"

log "unpack into $work/root"
dpkg-deb -x "$deb" "$work/root"
bin=$work/root/usr/bin
[ -x "$bin/reelcut" ] && [ -x "$bin/reelcut-desktop" ] || fail "binaries missing from the package"
grep -rlF "$repo" "$bin/reelcut" "$bin/reelcut-desktop" >/dev/null 2>&1 &&
  log "note: the binaries mention $repo (panic locations of the build), nothing loads from it"
mkdir -p "$work/in" "$work/out" "$work/home"
cp tests/media/demo.mp4 "$work/in/talk.mp4"

# What the hidden run may not see: the source tree, cargo's and the user's caches and data
# (the target dir, the model store, the transcript cache), the tools folders.
hide=("$repo" "$HOME/.cache" "$HOME/.local" "$HOME/.cargo" "$HOME/.rustup")
for d in "${hide[@]}"; do [[ "$work" == "$d"* ]] && fail "$work lies inside hidden $d"; done
sandbox() { # sandbox CMD...: CMD in a new mount namespace, hidden folders, clean environment
  local mounts=""
  for d in "${hide[@]}"; do [ -d "$d" ] && mounts+="mount -t tmpfs -o size=1m none '$d'; "; done
  unshare -m --propagation private bash -c "$mounts exec env -i HOME='$work/home' \
    PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 DISPLAY=\"\${DISPLAY:-}\" \"\$@\"" _ "$@"
}
# The hiding itself must work, or the test proves nothing.
sandbox /bin/sh -c "test ! -e '$repo/Cargo.toml' && test ! -e '$HOME/.cache/reelcut' && test -z \"\${CARGO_TARGET_DIR:-}\${REELCUT_SHARE_DIR:-}\${ORT_DYLIB_PATH:-}\"" ||
  fail "the sandbox does not hide the source tree or the environment"
ok "sandbox hides $repo, ~/.cache, ~/.local, ~/.cargo; HOME=$work/home"

log "reelcut doctor (packaged)"
sandbox "$bin/reelcut" doctor --out "$work/out" >"$shots/doctor.txt" 2>&1 || { cat "$shots/doctor.txt" >&2; fail "doctor says something is missing"; }
cat "$shots/doctor.txt" >&2
for what in "libonnxruntime" "face_detection_yunet" "silero_vad" "fonts" "ggml-tiny.en.bin" "ggml-base.bin"; do
  grep "$work/root/usr/share/reelcut" "$shots/doctor.txt" | grep -q "$what" || fail "doctor does not find $what in the package"
done
ok "doctor: ready, everything found under usr/share/reelcut"

log "reelcut run (packaged): captions by default, face tracking"
t0=$SECONDS
sandbox "$bin/reelcut" run "$work/in/talk.mp4" --out "$work/out" --clip 0-9 --watermark-text @pkg --json \
  >"$shots/run.jsonl" 2>"$shots/run.err" || { tail -n 20 "$shots/run.err" >&2; fail "packaged run failed"; }
log "run took $((SECONDS - t0)) s"
sandbox "$bin/reelcut" run "$work/in/talk.mp4" --out "$work/out-nocap" --clip 0-9 --watermark-text @pkg \
  --captions none --json >/dev/null 2>"$shots/run-nocap.err" || { tail -n 20 "$shots/run-nocap.err" >&2; fail "packaged run without captions failed"; }

"$python" - "$work/out/talk" "$work/out-nocap/talk" "$repo/tests/media/speech.txt" "$shots" <<'PY' || fail "outputs"
import json, subprocess, sys, pathlib
import numpy as np
out, nocap, script, shots = map(pathlib.Path, sys.argv[1:])
def probe(p):
    s = json.loads(subprocess.check_output(["ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", str(p)]))
    v = next(x for x in s["streams"] if x["codec_type"] == "video")
    return int(v["width"]), int(v["height"]), float(s["format"]["duration"]), any(x["codec_type"] == "audio" for x in s["streams"])
w, h, d, audio = probe(out / "clip-01.mp4")
assert (w, h) == (1080, 1920), (w, h)
assert abs(d - 9.0) < 0.1, d
assert audio
print(f"[test-package] clip-01.mp4: {w}x{h}, {d:.2f} s, with audio")
import re
words = lambda t: re.findall(r"[a-z0-9']+", t.lower())
said = words(script.read_text())
heard = words(" ".join(wd["text"] for s in json.loads((out / "transcript.json").read_text())["segments"] for wd in s["words"]))
# Word error rate by edit distance.
D = np.zeros((len(said) + 1, len(heard) + 1), int); D[:, 0] = range(len(said) + 1); D[0, :] = range(len(heard) + 1)
for i in range(1, len(said) + 1):
    for j in range(1, len(heard) + 1):
        D[i, j] = min(D[i-1, j] + 1, D[i, j-1] + 1, D[i-1, j-1] + (said[i-1] != heard[j-1]))
wer = D[-1, -1] / len(said)
print(f"[test-package] transcript: {len(heard)} words, WER {wer:.3f} against the {len(said)} spoken")
assert wer < 0.15, wer
manifest = json.loads((out / "clips.json").read_text())
clip = manifest["clips"][0]
assert clip.get("detector") == "yunet", f"faces were not tracked with the packaged YuNet: {clip.get('detector')}"
print(f"[test-package] tracked with {clip['detector']}")
def frame(p, t):
    raw = subprocess.check_output(["ffmpeg", "-v", "error", "-ss", str(t), "-i", str(p), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
    return np.frombuffer(raw, np.uint8).reshape(1920, 1080).astype(float)
best = 0.0
for t in (1.5, 3.0, 6.5):
    a, b = frame(out / "clip-01.mp4", t), frame(nocap / "clip-01.mp4", t)
    rows = np.abs(a - b).mean(axis=1)
    band = rows.reshape(48, 40).mean(axis=1)  # 40-row bands
    top = band[4:16].mean()  # 160..640: above the captions, below the watermark
    best = max(best, band.max())
    print(f"[test-package] t={t}: captions band diff {band.max():.1f} at y~{40*band.argmax()}, upper frame {top:.2f}")
    assert top < 2.0, top
    if t == 3.0:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(t), "-i", str(out / "clip-01.mp4"), "-frames:v", "1", str(shots / "clip-frame.png")], check=True)
assert best > 8.0, best
print("[test-package] captions burned (the clip differs from the caption-less render only in its caption band)")
PY
ok "packaged run: 1080x1920 clip, transcript matches the script, captions burned, tracked"

log "desktop app (packaged) under Xvfb, the video on its command line"
command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v import >/dev/null || fail "needs Xvfb, xdotool, imagemagick"
display=120
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display"
mkdir -p "$work/home/.config/app.reelcut.desktop"
cat >"$work/home/.config/app.reelcut.desktop/settings.json" <<JSON
{"defaults": {"out_dir": "$work/out-desktop", "aspect": "9:16", "captions": "karaoke",
  "clips": {"mode": "ranges", "ranges": ["0-4"]}, "track_faces": true}}
JSON
sandbox "$bin/reelcut-desktop" "$work/in/talk.mp4" >"$shots/desktop.log" 2>&1 &
pids+=($!)
clip=$work/out-desktop/talk/clip-01.mp4
for _ in $(seq 240); do [ -s "$work/out-desktop/talk/clips.json" ] && break; sleep 0.5; done
[ -s "$clip" ] || { tail -n 30 "$shots/desktop.log" >&2; fail "the packaged desktop app made no clip within 120 s"; }
xdotool search --name '^Reelcut$' >/dev/null || fail "no Reelcut window"
# The page loads while the job runs; on two busy cores WebKit takes its time.
sleep 8
import -window root "$shots/desktop.png"
read -r w h d _ < <("$python" -c 'import json,subprocess,sys
s=json.loads(subprocess.check_output(["ffprobe","-v","error","-of","json","-show_streams","-show_format",sys.argv[1]]))
v=[x for x in s["streams"] if x["codec_type"]=="video"][0]; print(v["width"], v["height"], s["format"]["duration"], 0)' "$clip")
[ "$w" = 1080 ] && [ "$h" = 1920 ] || fail "desktop clip is ${w}x$h"
ok "packaged desktop app: window up, one job done ($clip: ${w}x$h, ${d} s); screenshot $shots/desktop.png"
log "all $pass checks passed"

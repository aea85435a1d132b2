#!/usr/bin/env bash
# Batch benchmark (issue: job engine). Four 30 s 1080p talking-head videos through the whole
# pipeline (transcribe with tiny.en, karaoke captions, face tracking, 1080x1920 render):
#   - one `reelcut run FOLDER` (the job engine overlaps stages of different videos), vs
#   - the same four inputs one after another (one `reelcut run FILE` each);
# prints both wall times, the ratio, and CPU utilisation during the batch
# ((user + system CPU time) / (wall time x cores); goal >= 90 % of the machine's cores).
# The transcript cache is off in both, so each video is really transcribed.
# Usage: scripts/bench-batch.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build -q --release -p reelcut-cli
bin="$CARGO_TARGET_DIR/release/reelcut"
scripts/make-test-media.sh >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
for i in 1 2 3 4; do cp tests/media/demo.mp4 "$work/in/video-$i.mp4"; done
opts=(--captions karaoke --no-cache --reframe track --preset veryfast --crf 20 --json ${BENCH_ARGS:-})
timed() { # prints "wall user sys"
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  cat "$work/t"
}
for r in $(seq "$runs"); do
  export REELCUT_STATE_DIR="$work/state-$r"
  batch=$(timed "$bin" run "$work/in" --out "$work/batch-$r" "${opts[@]}")
  seq_wall=0; seq_cpu=0
  for i in 1 2 3 4; do
    t=$(timed "$bin" run "$work/in/video-$i.mp4" --out "$work/seq-$r" "${opts[@]}")
    seq_wall=$(python3 -c "a,u,s='$t'.split(); print($seq_wall+float(a))")
    seq_cpu=$(python3 -c "a,u,s='$t'.split(); print($seq_cpu+float(u)+float(s))")
  done
  n=$(ls "$work/batch-$r"/*/clip-01.mp4 | wc -l)
  [ "$n" = 4 ] || { echo "batch made $n clips, expected 4"; exit 1; }
  echo "$batch $seq_wall $seq_cpu" >> "$work/rows"
done
python3 - "$work/rows" "$(nproc)" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
cores = int(sys.argv[2])
bw = statistics.median(r[0] for r in rows)
bcpu = statistics.median((r[1] + r[2]) / (r[0] * cores) for r in rows)
sw = statistics.median(r[3] for r in rows)
scpu = statistics.median(r[4] / (r[3] * cores) for r in rows)
print(f"batch of 4 (one run, job engine): {bw:7.1f} s   CPU {bcpu * 100:5.1f} % of {cores} cores (goal >= 90 %)")
print(f"one after another (4 runs):       {sw:7.1f} s   CPU {scpu * 100:5.1f} % of {cores} cores")
print(f"sequential / batch = {sw / bw:.2f}x")
PY
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

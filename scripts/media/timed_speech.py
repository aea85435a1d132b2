#!/usr/bin/env python3
"""Speech with known word times, for measuring caption timing.

Each word is spoken on its own by espeak-ng, trimmed to where its sound starts and stops
(the first and last 10 ms window above -40 dBFS), and laid end to end with varied gaps:
short ones (60-150 ms, close to running speech), pauses (250-700 ms), sentence breaks and
one long pause. Several voices, speeds and pitches, over a faint noise floor (about
-62 dBFS, like a quiet room), so no timing rule can lean on one voice or on digital
silence. Writes OUT.wav (16 kHz mono s16) and OUT.json: {"words": [{"text", "start",
"end"}], "text"}. Deterministic: same espeak-ng, same file.

usage: timed_speech.py [--running] OUT_BASENAME

--running: whole sentences in running speech instead (words run into each other, as people
talk). The times then come from espeak-ng's own word events (libespeak-ng through ctypes:
the sample where each word's phonemes begin), moved past any pause espeak put before the
word; a word ends where the next begins, or where its sound stops before a pause.
"""
import ctypes
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import wave

RATE = 16000
SENTENCES = [
    ("en-us", 150, 50, "Every creator wants captions that land on the word."),
    ("en-gb", 165, 40, "The second speaker answers after a short pause."),
    ("en-us+f3", 140, 60, "Numbers like seven hundred and twelve should be exact."),
    ("en-gb-x-rp", 175, 45, "Quick cuts keep viewers watching until the end."),
    ("en-us+m3", 130, 35, "Please remember to check the lighting before recording."),
    ("en-029", 155, 55, "Music fades under the voice while the story begins."),
    ("en-us+f2", 170, 70, "Small details make a video feel finished and polished."),
    ("en-gb-scotland", 145, 50, "Tomorrow we travel north to film the mountains."),
]
SHORT = [0.06, 0.09, 0.12, 0.15, 0.08, 0.11]
PAUSE = [0.25, 0.4, 0.55, 0.7, 0.3]
SENTENCE_BREAK = 0.9
LONG_PAUSE = 2.5  # after the fourth sentence
LEAD = 0.6


def speak(voice, speed, pitch, text, work):
    raw = os.path.join(work, "w.wav")
    out = os.path.join(work, "w16.raw")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", raw, text],
                   check=True)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", raw,
                    "-af", "aresample=16000", "-ac", "1", "-f", "s16le", "-c:a", "pcm_s16le", out],
                   check=True)
    data = open(out, "rb").read()
    return list(struct.unpack("<%dh" % (len(data) // 2), data))


def trim(samples):
    """The samples from the first to the last 10 ms window above -40 dBFS."""
    win = RATE // 100
    level = 32768 * 10 ** (-40 / 20)
    loud = [i for i in range(0, len(samples) - win + 1, win)
            if (sum(x * x for x in samples[i:i + win]) / win) ** 0.5 >= level]
    if not loud:
        raise SystemExit("espeak-ng produced no sound")
    # Inside the first/last loud window, start at the first and stop after the last sample
    # above the level, so the known edge is sample-accurate.
    a, b = loud[0], loud[-1] + win
    while a < b and abs(samples[a]) < level:
        a += 1
    while b > a and abs(samples[b - 1]) < level:
        b -= 1
    return samples[a:b]


def running(base):
    lib = ctypes.CDLL("libespeak-ng.so.1")

    class Event(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                    ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                    ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                    ("user_data", ctypes.c_void_p), ("id", ctypes.c_int * 2)]

    espeak_rate = lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
    chunk, marks = [], []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                     ctypes.POINTER(Event))

    def on_audio(wav, n, events):
        if wav and n > 0:
            chunk.extend(wav[:n])
        i = 0
        while events[i].type != 0:  # espeakEVENT_LIST_TERMINATED
            if events[i].type == 1:  # espeakEVENT_WORD
                marks.append((events[i].text_position, events[i].length, events[i].sample))
            i += 1
        return 0

    keep = callback_type(on_audio)
    lib.espeak_SetSynthCallback(keep)
    level = 32768 * 10 ** (-40 / 20)
    pcm = [0] * int(LEAD * RATE)
    words = []
    with tempfile.TemporaryDirectory() as work:
        for n, (voice, speed, pitch, sentence) in enumerate(SENTENCES):
            chunk.clear()
            marks.clear()
            lib.espeak_SetVoiceByName(voice.encode())
            lib.espeak_SetParameter(1, speed, 0)  # espeakRATE
            lib.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
            text = sentence.encode()
            lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, 0, None, None)
            lib.espeak_Synchronize()
            # espeak's rate to 16 kHz through ffmpeg, and the marks with it.
            raw = os.path.join(work, "s.raw")
            with open(raw, "wb") as f:
                f.write(struct.pack("<%dh" % len(chunk), *chunk))
            out = os.path.join(work, "s16.raw")
            subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le",
                            "-ar", str(espeak_rate), "-ac", "1", "-i", raw, "-af", "aresample=16000",
                            "-f", "s16le", "-c:a", "pcm_s16le", out], check=True)
            data = open(out, "rb").read()
            sound = list(struct.unpack("<%dh" % (len(data) // 2), data))
            loud = [i for i, x in enumerate(sound) if abs(x) >= level]
            first, last = loud[0], loud[-1] + 1
            offset = len(pcm) - first
            pcm.extend(sound[first:last])
            starts = [max(first, round(m[2] * RATE / espeak_rate)) for m in marks]
            ends = starts[1:] + [last]
            timed = {}
            for (pos, length, _), a, b in zip(marks, starts, ends):
                # Past a pause espeak put before the word, and short of one after it.
                while a < b and abs(sound[a]) < level:
                    a += 1
                quiet = b
                while quiet > a and max(abs(x) for x in sound[max(a, quiet - 160):quiet]) < level:
                    quiet -= 160
                if b - quiet >= 480:  # 30 ms or more of quiet: the word stopped there
                    b = quiet
                timed[pos - 1] = (round((a + offset) / RATE, 4), round((b + offset) / RATE, 4))
            # espeak gives some short words no event of their own ("on the" is one): they
            # are in the text (for the WER) without times.
            at = 0
            for token in sentence.split():
                at = sentence.index(token, at)
                t = timed.get(at)
                words.append({"text": token.strip(".,"), "start": t and t[0], "end": t and t[1]})
                at += len(token)
            pcm.extend([0] * int((LONG_PAUSE if n == 3 else SENTENCE_BREAK) * RATE))
    return pcm, words


def main():
    if sys.argv[1] == "--running":
        base = sys.argv[2]
        pcm, words = running(base)
    else:
        base = sys.argv[1]
        pcm, words = separate()
    write(base, pcm, words)


def separate():
    rng = random.Random(20261201)
    pcm = [0] * int(LEAD * RATE)
    words = []
    with tempfile.TemporaryDirectory() as work:
        for n, (voice, speed, pitch, sentence) in enumerate(SENTENCES):
            tokens = sentence.split()
            for k, token in enumerate(tokens):
                sound = trim(speak(voice, speed, pitch, token, work))
                start = len(pcm) / RATE
                pcm.extend(sound)
                text = token.strip(".,")
                words.append({"text": text, "start": round(start, 4),
                              "end": round(len(pcm) / RATE, 4)})
                if k + 1 < len(tokens):
                    gap = rng.choice(PAUSE) if rng.random() < 0.25 else rng.choice(SHORT)
                else:
                    gap = LONG_PAUSE if n == 3 else SENTENCE_BREAK
                pcm.extend([0] * int(gap * RATE))
    return pcm, words


def write(base, pcm, words):
    # A faint noise floor over everything (deterministic), about -62 dBFS RMS.
    noise = random.Random(7)
    pcm = [max(-32768, min(32767, x + int(noise.gauss(0, 26)))) for x in pcm]
    with wave.open(base + ".wav.tmp", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack("<%dh" % len(pcm), *pcm))
    text = " ".join(s for _, _, _, s in SENTENCES)
    with open(base + ".json.tmp", "w") as f:
        json.dump({"text": text, "words": words}, f, indent=1)
    os.replace(base + ".wav.tmp", base + ".wav")
    os.replace(base + ".json.tmp", base + ".json")


if __name__ == "__main__":
    main()

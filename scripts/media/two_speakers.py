#!/usr/bin/env python3
"""Two people side by side on one static shot, taking turns: for active-speaker framing.

Each person is the astronaut photo's head and shoulders (the second one mirrored, tinted and
smaller, so the bigger face is not the one that always speaks). Each has their own espeak-ng
voice, and their mouth opens with the loudness of their own voice, frame by frame (a dark
mouth opening drawn over the lips, its height following the voice's RMS envelope). While
not speaking, a person is either still or nodding (the whole head bobbing), so head motion
alone cannot tell who speaks. One turn has a short interjection of the listener in it, which
must not move the framing.

A coloured badge sits on each person's chest (red: A, green: B), only so that tests can tell
from output pixels whom the crop shows; the product never looks for it.

Writes OUT.mp4 (1280x720 30 fps H.264 + AAC) and OUT.json:
  {"width", "height", "fps", "duration",
   "people": {"A": {"face_cx", "face_cy", "badge": [r, g, b], "badge_y"}, "B": ...},
   "turns": [{"speaker", "start", "end"}],          # ground truth (utterance sound)
   "interjections": [{"speaker", "start", "end"}]}
Deterministic for a given espeak-ng.

usage: two_speakers.py OUT_BASENAME ASTRONAUT_PNG
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

W, H, FPS, RATE = 1280, 720, 30, 16000
# Head-and-shoulders crop of the 512x512 photo, and the mouth inside it (measured on the
# photo: lips span x 203-246, y 140-152).
CROP = (120, 10, 210, 250)  # x, y, w, h
MOUTH = (224 - 120, 146 - 10)
MOUTH_HALF_W = 17

PEOPLE = {
    # scale, top-left in the frame, mirrored, tint, voice, badge colour
    "A": dict(scale=1.6, x=150, y=150, flip=False, tint=(1.0, 1.0, 1.0), voice="en-us",
              pitch=40, badge=(230, 20, 20)),
    "B": dict(scale=1.25, x=820, y=210, flip=True, tint=(0.85, 1.0, 1.15), voice="en-us+f3",
              pitch=60, badge=(20, 200, 40)),
}

# (speaker, text, gap after in s). The interjection is spoken by the listener starting
# `at` seconds into the previous utterance (it overlaps it).
SCRIPT = [
    ("A", "Welcome back to the show. Today we talk about cameras and light.", 0.6),
    ("B", "Thanks for having me. I have been filming for about ten years now.", 0.5),
    ("A", "Tell me about your very first camera, and what you learned from it.", 0.7),
    ("B", "It was a cheap camera, but it taught me to watch the light all day.", 0.5),
    ("A", "That is great advice for everyone who is starting out.", 0.8),
]
INTERJECTION = dict(speaker="B", text="Yeah.", after_turn=2, at=1.6)
NOD = dict(amplitude=7.0, hz=1.3)  # listeners nod in turns of odd index


def espeak(text, voice, pitch, path):
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "150", "-w", path, text],
                   check=True)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-af",
                          "aresample=16000,silenceremove=start_periods=1:start_threshold=-50dB,"
                          "areverse,silenceremove=start_periods=1:start_threshold=-50dB,areverse",
                          "-ac", "1", "-f", "s16le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def load_person(png, p):
    x, y, w, h = CROP
    sw, sh = round(w * p["scale"] / 2) * 2, round(h * p["scale"] / 2) * 2
    vf = f"crop={w}:{h}:{x}:{y},scale={sw}:{sh}" + (",hflip" if p["flip"] else "")
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", png, "-vf", vf, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    img = np.frombuffer(raw, dtype=np.uint8).reshape(sh, sw, 3).astype(np.float32)
    img = np.clip(img * np.array(p["tint"], dtype=np.float32), 0, 255).astype(np.uint8)
    mx = (w - MOUTH[0]) if p["flip"] else MOUTH[0]
    return img, (mx * p["scale"], MOUTH[1] * p["scale"])


def background():
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    bg = np.zeros((H, W, 3), dtype=np.float32)
    bg[..., 0] = 70 + 50 * yy / H
    bg[..., 1] = 80 + 30 * xx / W
    bg[..., 2] = 110 - 40 * yy / H
    # A few static props (shelves, a lamp) so the picture has structure.
    for (x0, y0, x1, y1, c) in [(0, 560, W, 720, (90, 60, 40)), (560, 80, 720, 420, (160, 150, 120)),
                                (1120, 120, 1240, 520, (60, 70, 90)), (40, 60, 120, 300, (200, 190, 90))]:
        bg[y0:y1, x0:x1] = c
    return bg.astype(np.uint8)


def envelope(track, frames):
    """Mouth opening per video frame from a voice's own RMS (0..1)."""
    hop = RATE // FPS
    rms = np.array([np.sqrt(np.mean(track[i * hop:(i + 1) * hop] ** 2) + 1e-12)
                    for i in range(frames)])
    ref = np.percentile(rms[rms > 1e-3], 90) if np.any(rms > 1e-3) else 1.0
    env = np.clip(rms / ref, 0, 1)
    env[rms < 2e-3] = 0.0
    return env


def draw_person(f, img, mouth, p, open_amount, dy):
    """A person into frame `f`: mouth open by `open_amount` (0..1), moved down `dy` px (a nod),
    with their badge below the face."""
    h, w = img.shape[:2]
    mx, my = mouth
    face = img.copy()
    open_px = open_amount * 10.0 * p["scale"]
    if open_px > 0.5:
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        hw = MOUTH_HALF_W * p["scale"]
        inside = ((xs - mx) / hw) ** 2 + ((ys - (my + open_px / 2)) / (open_px / 2 + 1.0)) ** 2 <= 1.0
        face[inside] = (45, 15, 20)
    y0 = p["y"] + dy
    hh = min(h, H - y0)
    f[y0:y0 + hh, p["x"]:p["x"] + w] = face[:hh]
    by, bx = p["y"] + int(h * 0.85), p["x"] + int(mx)
    if by + 20 <= H:
        f[by - 20:by + 20, bx - 30:bx + 30] = p["badge"]


def main():
    out, png = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp()
    # Audio: each utterance placed on the timeline; each voice keeps its own track.
    t = 0.5
    placed = []  # (speaker, start, samples)
    for i, (spk, text, gap) in enumerate(SCRIPT):
        p = PEOPLE[spk]
        pcm = espeak(text, p["voice"], p["pitch"], os.path.join(work, f"{i}.wav"))
        placed.append((spk, t, pcm))
        if i == INTERJECTION["after_turn"]:
            q = PEOPLE[INTERJECTION["speaker"]]
            ij = espeak(INTERJECTION["text"], q["voice"], q["pitch"], os.path.join(work, "ij.wav"))
            placed.append((INTERJECTION["speaker"], t + INTERJECTION["at"], ij))
        t += len(pcm) / RATE + gap
    duration = t + 0.2
    n = int(duration * RATE)
    tracks = {k: np.zeros(n, dtype=np.float32) for k in PEOPLE}
    for spk, start, pcm in placed:
        s = int(start * RATE)
        tracks[spk][s:s + len(pcm)] += pcm[: n - s]
    mix = np.clip(tracks["A"] + tracks["B"], -1, 1)
    wav = os.path.join(work, "mix.wav")
    with wave.open(wav, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes((mix * 32767).astype(np.int16).tobytes())

    frames = int(duration * FPS)
    env = {k: envelope(tr, frames) for k, tr in tracks.items()}

    turns = [dict(speaker=s, start=round(st, 3), end=round(st + len(p) / RATE, 3))
             for s, st, p in placed]
    ij = turns.pop(INTERJECTION["after_turn"] + 1)

    bg = background()
    people = {k: load_person(png, p) for k, p in PEOPLE.items()}
    badge_y = {}
    for k, p in PEOPLE.items():
        img, (mx, my) = people[k]
        badge_y[k] = p["y"] + int(img.shape[0] * 0.85)

    def listener_nods(k, i):
        tt = i / FPS
        for j, tr in enumerate(turns):
            if tr["start"] <= tt < tr["end"] + 0.3:
                return tr["speaker"] != k and j % 2 == 1
        return False

    enc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                            "-s", f"{W}x{H}", "-r", str(FPS), "-i", "-", "-i", wav,
                            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", "60",
                            "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-b:a", "128k",
                            "-shortest", "-f", "mp4", out + ".mp4"], stdin=subprocess.PIPE)
    for i in range(frames):
        f = bg.copy()
        for k, p in PEOPLE.items():
            img, mouth = people[k]
            dy = int(round(NOD["amplitude"] * np.sin(2 * np.pi * NOD["hz"] * i / FPS))) if listener_nods(k, i) else 0
            draw_person(f, img, mouth, p, env[k][i], dy)
        enc.stdin.write(f.tobytes())
    enc.stdin.close()
    if enc.wait() != 0:
        sys.exit("ffmpeg failed")

    meta = dict(width=W, height=H, fps=FPS, duration=round(frames / FPS, 3),
                people={k: dict(face_cx=p["x"] + people[k][1][0], face_cy=p["y"] + people[k][1][1] - 40 * p["scale"],
                                badge=list(p["badge"]), badge_y=badge_y[k]) for k, p in PEOPLE.items()},
                turns=turns, interjections=[ij])
    with open(out + ".json", "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()

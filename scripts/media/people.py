#!/usr/bin/env python3
"""More people and more shots, for layouts and active-speaker framing (two_speakers.py makes
the basic two-person shot; this reuses its people, voices and mouths).

  people.py three OUT PNG   three people side by side on one static shot, taking turns
                            (A left, B middle, C right; listeners still or nodding)
  people.py cuts OUT PNG    two people (two_speakers.py's A and B) over four shots:
                            1 wide, two long turns; 2 a hard cut to a close-up of B, who
                            speaks; 3 wide again, a rapid exchange of short turns;
                            4 no one on screen (another room), A's voice over it

Each person wears a coloured badge on the chest (A red, B green, C blue) only so that tests
can tell from output pixels whom a crop or a panel shows; the product never looks for it.

Writes OUT.mp4 (1280x720 30 fps H.264 + AAC) and OUT.json:
  {"width", "height", "fps", "duration",
   "people": {"A": {"face_cx", "face_cy", "badge": [r, g, b], "badge_y"}, ...},  # wide shots
   "shots": [{"start", "end", "kind": "wide" | "closeup" | "empty", "closeup": "B"?}],
   "turns": [{"speaker", "start", "end"}]}        # ground truth (utterance sound)
Deterministic for a given espeak-ng.
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

from two_speakers import (CROP, FPS, H, NOD, PEOPLE, RATE, W, background, draw_person,
                          envelope, espeak, load_person)

THREE = {
    "A": dict(scale=1.15, x=70, y=200, flip=False, tint=(1.0, 1.0, 1.0), voice="en-us",
              pitch=40, badge=(230, 20, 20)),
    "B": dict(scale=1.3, x=500, y=170, flip=True, tint=(0.85, 1.0, 1.15), voice="en-us+f3",
              pitch=60, badge=(20, 200, 40)),
    "C": dict(scale=1.05, x=960, y=230, flip=False, tint=(1.15, 0.95, 0.85), voice="en-gb",
              pitch=25, badge=(30, 60, 235)),
}
THREE_SCRIPT = [
    ("A", "Good evening, and welcome to the panel on city gardens.", 0.6),
    ("B", "Thank you. Our street planted forty trees last spring.", 0.6),
    ("C", "And the neighbours water them every single morning.", 0.6),
    ("A", "What surprised you most about the whole project?", 0.6),
    ("C", "How many children came out to help with the digging.", 0.6),
    ("B", "We will do the next street in the autumn, I think.", 0.6),
]

# The podcast's two people are the two of the side-by-side fixture.
TWO = PEOPLE
# The close-up of B: bigger, in the middle-right of the frame.
CLOSEUP_B = dict(TWO["B"], scale=2.5, x=560, y=60)
CUTS_SCRIPT = [
    # (shot, speaker, text, gap after)
    (0, "A", "So tell me how the trip across the mountains went for you.", 0.6),
    (0, "B", "It was long and cold, and the road was closed for two days.", 0.7),
    (1, "B", "We slept in the car, and in the morning the snow was gone.", 0.8),
    (2, "A", "Really?", 0.3),
    (2, "B", "Yes, all of it.", 0.3),
    (2, "A", "In one night?", 0.3),
    (2, "B", "In one night.", 0.3),
    (2, "A", "That is amazing.", 0.3),
    (2, "B", "It really was.", 0.8),
    (3, "A", "Next week we look at the photos from that road.", 0.6),
]


def place(script, people, work):
    """Utterances on the timeline: [(shot, speaker, start, pcm)], and the total length."""
    t, placed = 0.5, []
    for i, (shot, spk, text, gap) in enumerate(script):
        p = people[spk]
        pcm = espeak(text, p["voice"], p["pitch"], os.path.join(work, f"{i}.wav"))
        placed.append((shot, spk, t, pcm))
        t += len(pcm) / RATE + gap
    return placed, t + 0.2


def other_room():
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    bg = np.zeros((H, W, 3), dtype=np.float32)
    bg[..., 0] = 180 - 60 * xx / W
    bg[..., 1] = 150 + 40 * yy / H
    bg[..., 2] = 90 + 50 * xx / W
    for (x0, y0, x1, y1, c) in [(100, 100, 500, 400, (40, 40, 40)), (700, 300, 1200, 700, (230, 230, 220))]:
        bg[y0:y1, x0:x1] = c
    return bg.astype(np.uint8)


def zoomed(bg, factor, cx, cy):
    """The background as a closer camera sees it (nearest-neighbour zoom around a point)."""
    ys = np.clip(((np.arange(H) - H / 2) / factor + cy).astype(int), 0, H - 1)
    xs = np.clip(((np.arange(W) - W / 2) / factor + cx).astype(int), 0, W - 1)
    return bg[ys][:, xs]


def main():
    scene, out, png = sys.argv[1], sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp()
    if scene == "three":
        people = THREE
        script = [(0, s, t, g) for s, t, g in THREE_SCRIPT]
    elif scene == "cuts":
        people = TWO
        script = CUTS_SCRIPT
    else:
        sys.exit(f"unknown scene {scene!r} (three, cuts)")
    placed, duration = place(script, people, work)
    n = int(duration * RATE)
    tracks = {k: np.zeros(n, dtype=np.float32) for k in people}
    for _, spk, start, pcm in placed:
        s = int(start * RATE)
        tracks[spk][s:s + len(pcm)] += pcm[: n - s]
    mix = np.clip(sum(tracks.values()), -1, 1)
    wav = os.path.join(work, "mix.wav")
    with wave.open(wav, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes((mix * 32767).astype(np.int16).tobytes())
    frames = int(duration * FPS)
    env = {k: envelope(tr, frames) for k, tr in tracks.items()}
    turns = [dict(speaker=s, start=round(st, 3), end=round(st + len(p) / RATE, 3))
             for _, s, st, p in placed]

    # Shots: each starts with its first utterance (the first at 0), hard cuts between.
    shot_ids = sorted({sh for sh, *_ in placed})
    starts = {sh: (0.0 if sh == shot_ids[0] else min(st for s2, _, st, _ in placed if s2 == sh) - 0.25)
              for sh in shot_ids}
    shots = []
    for k, sh in enumerate(shot_ids):
        end = starts[shot_ids[k + 1]] if k + 1 < len(shot_ids) else frames / FPS
        kind = "wide"
        if scene == "cuts" and sh == 1:
            kind = "closeup"
        if scene == "cuts" and sh == 3:
            kind = "empty"
        shots.append(dict(start=round(starts[sh], 3), end=round(end, 3), kind=kind,
                          **({"closeup": "B"} if kind == "closeup" else {})))

    bg = background()
    looks = {k: load_person(png, p) for k, p in people.items()}
    close = load_person(png, CLOSEUP_B) if scene == "cuts" else None
    bg_close = zoomed(bg, CLOSEUP_B["scale"] / TWO["B"]["scale"], 900, 400)
    room = other_room()

    def speaker_at(tt):
        for j, tr in enumerate(turns):
            if tr["start"] <= tt < tr["end"] + 0.3:
                return tr["speaker"], j
        return None, -1

    enc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                            "-s", f"{W}x{H}", "-r", str(FPS), "-i", "-", "-i", wav,
                            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", "60",
                            "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-b:a", "128k",
                            "-shortest", "-f", "mp4", out + ".mp4"], stdin=subprocess.PIPE)
    for i in range(frames):
        tt = i / FPS
        shot = next(s for s in reversed(shots) if s["start"] <= tt)
        spk, j = speaker_at(tt)
        if shot["kind"] == "empty":
            f = room.copy()
        elif shot["kind"] == "closeup":
            f = bg_close.copy()
            draw_person(f, close[0], close[1], CLOSEUP_B, env["B"][i], 0)
        else:
            f = bg.copy()
            for k, p in people.items():
                # Listeners nod in turns of odd index.
                nod = spk is not None and spk != k and j % 2 == 1
                dy = int(round(NOD["amplitude"] * np.sin(2 * np.pi * NOD["hz"] * tt))) if nod else 0
                draw_person(f, looks[k][0], looks[k][1], p, env[k][i], dy)
        enc.stdin.write(f.tobytes())
    enc.stdin.close()
    if enc.wait() != 0:
        sys.exit("ffmpeg failed")
    meta = dict(width=W, height=H, fps=FPS, duration=round(frames / FPS, 3),
                people={k: dict(face_cx=p["x"] + looks[k][1][0],
                                face_cy=p["y"] + looks[k][1][1] - 40 * p["scale"],
                                badge=list(p["badge"]),
                                badge_y=p["y"] + int(looks[k][0].shape[0] * 0.85))
                        for k, p in people.items()},
                shots=shots, turns=turns)
    with open(out + ".json", "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()

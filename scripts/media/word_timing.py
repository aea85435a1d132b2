#!/usr/bin/env python3
"""Word timing and WER of a Reelcut transcript against speech with known word times.

usage: word_timing.py REFERENCE.json TRANSCRIPT.json [LABEL]
Prints one line: matched words, start/end error median and p90 (ms), WER. Words are matched
in order (edit-distance alignment on normalised text); only equal words count as matched.
"""
import json
import re
import sys


def norm(t):
    return re.sub(r"[^a-z0-9']", "", t.lower())


def align(ref, hyp):
    """Pairs (i, j) of equal words on a minimum-edit alignment, and the edit count."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs, i, j = [], n, m
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] == hyp[j - 1]:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1], d[n][m]


def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] if xs else float("nan")


def main():
    ref = json.load(open(sys.argv[1]))["words"]
    t = json.load(open(sys.argv[2]))
    hyp = [w for s in t["segments"] for w in s["words"]]
    # Whisper may glue or split words ("seven hundred" / "700"): those are unmatched.
    rn = [norm(w["text"]) for w in ref]
    hn = [norm(w["text"]) for w in hyp]
    hyp = [w for w, n in zip(hyp, hn) if n]
    hn = [n for n in hn if n]
    pairs, edits = align(rn, hn)
    timed = [(i, j) for i, j in pairs if ref[i]["start"] is not None]
    ds = [abs(hyp[j]["start"] - ref[i]["start"]) * 1000 for i, j in timed]
    de = [abs(hyp[j]["end"] - ref[i]["end"]) * 1000 for i, j in timed]
    ss = [(hyp[j]["start"] - ref[i]["start"]) * 1000 for i, j in timed]
    se = [(hyp[j]["end"] - ref[i]["end"]) * 1000 for i, j in timed]
    label = sys.argv[3] if len(sys.argv) > 3 else ""
    print(f"{label:<14} matched {len(pairs)}/{len(ref)} ({100 * len(pairs) / len(ref):.0f} %)  "
          f"timed {len(timed)}  start |err| median {q(ds, .5):.0f} ms p90 {q(ds, .9):.0f} ms (signed median {q(ss, .5):+.0f})  "
          f"end |err| median {q(de, .5):.0f} ms p90 {q(de, .9):.0f} ms (signed median {q(se, .5):+.0f})  "
          f"WER {edits / len(ref):.3f}")


if __name__ == "__main__":
    main()

import { describe, expect, it } from "vitest";

import type { ClipFrame } from "../bindings/ClipFrame";
import type { PlanWord } from "../bindings/PlanWord";
import {
  clipTime,
  commit,
  duration,
  edges,
  history,
  moveEdge,
  pickAt,
  pinKind,
  pinWords,
  redo,
  removeWords,
  sentenceEdges,
  setWordText,
  snap,
  undo,
  type Draft,
} from "./editor";

// "one two three four five six", 0.5 s a word with 0.1 s gaps, from 10 s.
const heard: PlanWord[] = ["one", "two", "three", "four", "five", "six"].map((text, k) => ({
  start: 10 + k * 0.6,
  end: 10 + k * 0.6 + 0.5,
  text,
}));
const context = [...heard, { start: 13.6, end: 14.1, text: "seven" }, { start: 14.2, end: 14.7, text: "eight" }];
const limits = { sourceDuration: 60, context };
// The clip: words one..four (10.0-12.3 s).
const draft: Draft = { parts: [{ start: 10, end: 12.3 }], words: heard.slice(0, 4), style: "karaoke", pins: [] };

describe("the clip editor's model", () => {
  it("snaps to the nearest word edge, or to a frame when asked or far from any", () => {
    const e = edges(context);
    expect(snap(11.12, e, { exact: false, fps: 30 })).toBeCloseTo(11.1);
    expect(snap(11.18, e, { exact: false, fps: 30 })).toBeCloseTo(11.2);
    expect(snap(11.15, e, { exact: true, fps: 30 })).toBeCloseTo(Math.round(11.15 * 30) / 30);
    expect(snap(30, e, { exact: false, fps: 25 })).toBe(30);
  });

  it("knows sentence edges", () => {
    const said: PlanWord[] = [
      { start: 1, end: 1.4, text: "Hello" },
      { start: 1.5, end: 2, text: "there." },
      { start: 2.4, end: 2.8, text: "Next" },
      { start: 2.9, end: 3.3, text: "one?" },
    ];
    expect(sentenceEdges(said)).toEqual([1, 2, 2.4, 3.3]);
  });

  it("moves an end earlier and the words follow; extends past it into the source", () => {
    const shorter = moveEdge(draft, 0, "end", 11.1, limits);
    expect(shorter.parts).toEqual([{ start: 10, end: 11.1 }]);
    expect(shorter.words.map((w) => w.text)).toEqual(["one", "two"]);
    const longer = moveEdge(draft, 0, "end", 14.1, limits);
    expect(longer.words.map((w) => w.text)).toEqual(["one", "two", "three", "four", "five", "six", "seven"]);
    expect(duration(longer.parts)).toBeCloseTo(4.1);
    // Never before its start, never past the source.
    expect(moveEdge(draft, 0, "end", 2, limits).parts[0].end).toBeCloseTo(10.2);
    expect(moveEdge(draft, 0, "end", 99, limits).parts[0].end).toBe(60);
  });

  it("keeps fixed words through an edge move", () => {
    const fixed = setWordText(draft, 1, "too");
    expect(moveEdge(fixed, 0, "end", 14.1, limits).words[1].text).toBe("too");
  });

  it("takes selected words out by splitting the part around them", () => {
    const cut = removeWords(draft, 1, 2, limits);
    expect(cut.parts.length).toBe(2);
    expect(cut.parts[0].start).toBe(10);
    expect(cut.parts[0].end).toBeCloseTo(10.55);
    expect(cut.parts[1].start).toBeCloseTo(11.75);
    expect(cut.parts[1].end).toBe(12.3);
    expect(cut.words.map((w) => w.text)).toEqual(["one", "four"]);
  });

  it("fixes a word's text keeping its time; two words typed share it", () => {
    const one = setWordText(draft, 0, "Won");
    expect(one.words[0]).toEqual({ start: 10, end: 10.5, text: "Won" });
    const two = setWordText(draft, 0, "a bb");
    expect(two.words.slice(0, 2).map((w) => w.text)).toEqual(["a", "bb"]);
    expect(two.words[0].end).toBeCloseTo(10 + 0.5 / 3);
    expect(two.words[1].end).toBe(10.5);
    expect(setWordText(draft, 0, "  ")).toBe(draft);
  });

  it("picks the face under a click on the source frame, else a fixed crop of the output's shape there", () => {
    const frame: ClipFrame = {
      image: "/o/.reelcut/frame-01.png",
      time: 3,
      source_width: 1280,
      source_height: 720,
      faces: [
        { track: 0, rect: [200, 200, 150, 180] },
        { track: 1, rect: [900, 280, 110, 130] },
      ],
    };
    expect(pickAt(frame, 955 / 1280, 345 / 720, 9 / 16)).toEqual({ face: [955, 345] });
    expect(pickAt(frame, 210 / 1280, 210 / 720, 9 / 16)).toEqual({ face: [275, 290] });
    // Not on a face: a 9:16 window of the full height, centred on the click ...
    expect(pickAt(frame, 0.5, 0.9, 9 / 16)).toEqual({ crop: [438, 0, 405, 720] });
    // ... kept inside the frame near its edges.
    expect(pickAt(frame, 0.99, 0.1, 9 / 16)).toEqual({ crop: [875, 0, 405, 720] });
    expect(pickAt(frame, 0, 0.1, 9 / 16)).toEqual({ crop: [0, 0, 405, 720] });
    const d = pinWords(draft, 0, 1, pickAt(frame, 955 / 1280, 345 / 720, 9 / 16));
    expect(d.pins.map(pinKind)).toEqual(["face"]);
    expect(pinKind(pinWords(d, 0, 1, { layout: "blur" }).pins[0])).toBe("blur");
  });

  it("pins the selected words' stretch to a layout, in clip time, and drops pins past a new end", () => {
    const two: Draft = { ...draft, parts: [{ start: 10, end: 10.6 }, { start: 11.2, end: 12.3 }], words: [heard[0], heard[2], heard[3]] };
    expect(clipTime(two.parts, 11.2)).toBeCloseTo(0.6);
    expect(clipTime(two.parts, 10.8)).toBeNull();
    const pinned = pinWords(two, 1, 2, { layout: "split" });
    expect(pinned.pins).toHaveLength(1);
    expect(pinned.pins[0].start).toBeCloseTo(0.6);
    expect(pinned.pins[0].end).toBeCloseTo(1.7);
    expect(pinWords(pinned, 2, 2, null).pins).toEqual([]);
    const shorter = moveEdge(pinned, 1, "end", 11.7, limits);
    expect(shorter.pins[0].end).toBeCloseTo(duration(shorter.parts));
    expect(moveEdge(pinned, 1, "end", 11.45, limits).pins.length).toBe(1);
  });

  it("undoes and redoes", () => {
    let h = history(draft);
    h = commit(h, setWordText(draft, 0, "Won"));
    h = commit(h, moveEdge(h.present, 0, "end", 11.1, limits));
    expect(h.present.words.map((w) => w.text)).toEqual(["Won", "two"]);
    h = undo(h);
    expect(h.present.words[0].text).toBe("Won");
    expect(h.present.parts[0].end).toBe(12.3);
    h = undo(h);
    expect(h.present).toEqual(draft);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present.parts[0].end).toBe(11.1);
    // The same draft again is not a step.
    expect(commit(h, h.present)).toBe(h);
  });
});

// The clip editor's model, as pure functions over a draft of one clip's plan: its parts
// (source seconds), its caption words and its style. The editor component holds a history
// of drafts (undo/redo) and sends the present one to the shell to render.

import type { ClipFrame } from "../bindings/ClipFrame";
import type { PlanPart } from "../bindings/PlanPart";
import type { PlanPin } from "../bindings/PlanPin";
import type { PlanWord } from "../bindings/PlanWord";

export interface Draft {
  parts: PlanPart[];
  words: PlanWord[];
  style: string | null;
  /** Framing pins (a layout, a person, a fixed crop), clip seconds. */
  pins: PlanPin[];
}

export interface History {
  past: Draft[];
  present: Draft;
  future: Draft[];
}

export const history = (present: Draft): History => ({ past: [], present, future: [] });

const same = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);

/** `next` becomes the present; the old present can be undone to. */
export function commit(h: History, next: Draft): History {
  if (same(h.present, next)) return h;
  return { past: [...h.past, h.present], present: next, future: [] };
}

export function undo(h: History): History {
  const prev = h.past[h.past.length - 1];
  return prev ? { past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future] } : h;
}

export function redo(h: History): History {
  const [next, ...rest] = h.future;
  return next ? { past: [...h.past, h.present], present: next, future: rest } : h;
}

/** The clip's length: its parts back to back. */
export const duration = (parts: PlanPart[]) => parts.reduce((s, p) => s + (p.end - p.start), 0);

/** Every word edge (starts and ends), sorted. */
export function edges(words: PlanWord[]): number[] {
  return [...new Set(words.flatMap((w) => [w.start, w.end]))].sort((a, b) => a - b);
}

/** Sentence edges: the end of a word that ends a sentence, the start of the next word. */
export function sentenceEdges(words: PlanWord[]): number[] {
  const sorted = [...words].sort((a, b) => a.start - b.start);
  const out: number[] = [];
  sorted.forEach((w, i) => {
    if (i === 0) out.push(w.start);
    if (/[.!?…。！？]["')\]]*$/.test(w.text)) {
      out.push(w.end);
      if (sorted[i + 1]) out.push(sorted[i + 1].start);
    }
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

export interface SnapOptions {
  /** Frame-exact instead of word edges (the modifier held). */
  exact: boolean;
  fps: number;
  /** Farthest a word edge pulls, seconds. */
  tolerance?: number;
}

/** `t` moved onto the nearest word edge within the tolerance, else onto a frame. */
export function snap(t: number, wordEdges: number[], o: SnapOptions): number {
  const frame = (x: number) => Math.round(x * o.fps) / o.fps;
  if (o.exact || wordEdges.length === 0) return frame(t);
  let best = wordEdges[0];
  for (const e of wordEdges) if (Math.abs(e - t) < Math.abs(best - t)) best = e;
  return Math.abs(best - t) <= (o.tolerance ?? 0.35) ? best : frame(t);
}

const middle = (w: PlanWord) => (w.start + w.end) / 2;
const inside = (w: PlanWord, parts: PlanPart[]) => parts.some((p) => middle(w) >= p.start && middle(w) < p.end);

/**
 * The words `parts` hold: the draft's own (with their edits) where they still lie inside,
 * and the transcript's (`context`) for what the parts newly hold.
 */
export function wordsFor(parts: PlanPart[], edited: PlanWord[], context: PlanWord[]): PlanWord[] {
  const kept = edited.filter((w) => inside(w, parts));
  const added = context.filter(
    (w) => inside(w, parts) && !kept.some((k) => k.start < w.end && w.start < k.end) && !edited.some((e) => e.start < w.end && w.start < e.end),
  );
  return [...kept, ...added].sort((a, b) => a.start - b.start);
}

export interface Limits {
  sourceDuration: number;
  /** The transcript's words around the clip. */
  context: PlanWord[];
  /** Shortest part, seconds. */
  minPart?: number;
}

/** Part `i`'s `edge` moved to `t` (already snapped), kept inside the source, clear of its
 * neighbours and at least `minPart` long; the words follow. */
export function moveEdge(d: Draft, i: number, edge: "start" | "end", t: number, l: Limits): Draft {
  const min = l.minPart ?? 0.2;
  const parts = d.parts.map((p) => ({ ...p }));
  const p = parts[i];
  if (!p) return d;
  if (edge === "start") {
    const floor = i > 0 ? parts[i - 1].end : 0;
    p.start = Math.min(Math.max(t, floor), p.end - min);
  } else {
    const ceil = i + 1 < parts.length ? parts[i + 1].start : l.sourceDuration;
    p.end = Math.max(Math.min(t, ceil), p.start + min);
  }
  return { ...d, parts, words: wordsFor(parts, d.words, l.context), pins: fitPins(d.pins, duration(parts)) };
}

/** Pins kept inside a clip of `length` seconds (those past its end dropped). */
export function fitPins(pins: PlanPin[], length: number): PlanPin[] {
  return pins.filter((p) => p.start < length - 0.05).map((p) => ({ ...p, end: Math.min(p.end, length) }));
}

/** Source time `t` on the clip's timeline (parts back to back); null outside the parts. */
export function clipTime(parts: PlanPart[], t: number): number | null {
  let offset = 0;
  for (const p of parts) {
    if (t >= p.start - 1e-9 && t <= p.end + 1e-9) return offset + Math.min(Math.max(t, p.start), p.end) - p.start;
    offset += p.end - p.start;
  }
  return null;
}

/** What a stretch's framing is pinned to: a layout, the person nearest a point, or a fixed
 * window (source pixels). */
export type PinTarget = { layout: string } | { face: [number, number] } | { crop: [number, number, number, number] };

/** Words `a`..`b` pinned to `target` (null: back to the automatic framing); pins they
 * overlap are replaced. */
export function pinWords(d: Draft, a: number, b: number, target: PinTarget | null): Draft {
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  const start = d.words[lo] && clipTime(d.parts, d.words[lo].start);
  const end = d.words[hi] && clipTime(d.parts, d.words[hi].end);
  if (start === null || end === null || start === undefined || end === undefined || end <= start) return d;
  const pins = d.pins.filter((p) => p.end <= start || p.start >= end);
  if (target) pins.push({ start, end, ...target });
  pins.sort((x, y) => x.start - y.start);
  return { ...d, pins };
}

/** What a pin holds, as the editor's menu names it: a layout, "face" or "crop". */
export function pinKind(p: PlanPin): string {
  return p.layout ?? (p.face ? "face" : p.crop ? "crop" : "");
}

/** A click on the source frame at (`x`, `y`), fractions of its width and height: the face
 * under it (its centre, source pixels), else a fixed window of the frame's full height and
 * the output's shape (`aspect`: width / height) centred there, kept inside the frame. */
export function pickAt(frame: ClipFrame, x: number, y: number, aspect: number): PinTarget {
  const [sx, sy] = [x * frame.source_width, y * frame.source_height];
  const hit = frame.faces.find(({ rect: [fx, fy, fw, fh] }) => sx >= fx && sx <= fx + fw && sy >= fy && sy <= fy + fh);
  if (hit) {
    const [fx, fy, fw, fh] = hit.rect;
    return { face: [fx + fw / 2, fy + fh / 2] };
  }
  const h = frame.source_height;
  const w = Math.min(frame.source_width, Math.round(h * aspect));
  const left = Math.round(Math.min(Math.max(sx - w / 2, 0), frame.source_width - w));
  return { crop: [left, 0, w, h] };
}

/** The stretch from word `a` through word `b` (indices into `d.words`) taken out of the
 * clip ("edit by text"): the part holding it is split around it. */
export function removeWords(d: Draft, a: number, b: number, l: Limits): Draft {
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  const first = d.words[lo];
  const last = d.words[hi];
  if (!first || !last) return d;
  // From the gap before the first word to the gap after the last: no clipped syllables.
  const prev = d.words[lo - 1];
  const next = d.words[hi + 1];
  const cut = {
    start: prev ? (prev.end + first.start) / 2 : first.start,
    end: next ? (last.end + next.start) / 2 : last.end,
  };
  const parts: PlanPart[] = [];
  for (const p of d.parts) {
    if (p.end <= cut.start || p.start >= cut.end) {
      parts.push(p);
      continue;
    }
    if (cut.start - p.start >= 0.1) parts.push({ start: p.start, end: cut.start });
    if (p.end - cut.end >= 0.1) parts.push({ start: cut.end, end: p.end });
  }
  if (parts.length === 0) return d;
  const words = d.words.filter((_, k) => k < lo || k > hi);
  const context = l.context.filter((w) => middle(w) < cut.start || middle(w) >= cut.end);
  return { ...d, parts, words: wordsFor(parts, words, context), pins: fitPins(d.pins, duration(parts)) };
}

/** Word `i`'s text fixed; timing kept. Several words typed divide its time in proportion
 * to their length (a word Whisper heard as one). Empty text leaves it as it was. */
export function setWordText(d: Draft, i: number, text: string): Draft {
  const w = d.words[i];
  const pieces = text.trim().split(/\s+/).filter(Boolean);
  if (!w || pieces.length === 0) return d;
  const total = pieces.reduce((s, p) => s + p.length, 0);
  let t = w.start;
  const span = w.end - w.start;
  const split = pieces.map((p, k) => {
    const end = k === pieces.length - 1 ? w.end : t + (span * p.length) / total;
    const piece = { start: t, end, text: p };
    t = end;
    return piece;
  });
  return { ...d, words: [...d.words.slice(0, i), ...split, ...d.words.slice(i + 1)] };
}

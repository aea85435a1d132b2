import { useEffect, useMemo, useRef, useState } from "preact/hooks";

import type { ClipFrame } from "../bindings/ClipFrame";
import type { ClipPlan } from "../bindings/ClipPlan";
import type { ClipView } from "../bindings/ClipView";
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
  type History,
} from "../state/editor";
import { basename } from "../state/format";
import { CaptionPreview } from "./CaptionPreview";
import { errorText, type Store } from "../state/store";

type Status = { state: "idle" } | { state: "rendering" } | { state: "done"; text: string } | { state: "failed"; text: string };

/** Seconds as `12.34 s`. */
const secs = (t: number) => `${t.toFixed(2)} s`;

/**
 * The clip editor: the clip playing, a strip of the source with the clip's parts on it
 * (drag an edge; it snaps to word edges, Shift to sentence edges, Alt frame-exact; arrow keys step word edge by
 * word edge, Shift a frame), the clip's words (click to select, Shift-click a range, Delete
 * takes them out; Enter or a double click fixes a word's text; the selection's framing can
 * be pinned to a layout), the caption style, undo/redo, Preview (a fast low-resolution
 * render of the edit) and Re-render (the engine renders this clip only).
 */
export function EditorDialog({ clip, store, onClose }: { clip: ClipView | null; store: Store; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<ClipPlan | null>(null);
  const [h, setH] = useState<History | null>(null);
  const [live, setLive] = useState<Draft | null>(null);
  const [selected, setSelected] = useState<[number, number] | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [status, setStatus] = useState<Status>({ state: "idle" });
  const [version, setVersion] = useState(0);
  /** The preview being played instead of the clip, if any. */
  const [previewPath, setPreviewPath] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** The source frame at the selected words, while a person or a crop is being picked. */
  const [frame, setFrame] = useState<ClipFrame | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (clip && !d.open) d.showModal();
    if (!clip && d.open) d.close();
    setPlan(null);
    setH(null);
    setSelected(null);
    setEditing(null);
    setStatus({ state: "idle" });
    setLoadError(null);
    setPreviewPath(null);
    setFrame(null);
    if (!clip) return;
    store
      .clipPlan(clip.output)
      .then((p) => {
        setPlan(p);
        setH(history({ parts: p.parts, words: p.words, style: p.style, pins: p.pins }));
      })
      .catch((e) => setLoadError(errorText(e)));
  }, [clip]);

  const draft = live ?? h?.present ?? null;
  const limits = useMemo(
    () => ({ sourceDuration: plan?.source_duration ?? 0, context: plan?.context ?? [] }),
    [plan],
  );
  const wordEdges = useMemo(() => edges([...(plan?.context ?? []), ...(draft?.words ?? [])]), [plan, draft]);
  const sentences = useMemo(() => sentenceEdges([...(plan?.context ?? []), ...(draft?.words ?? [])]), [plan, draft]);
  // The strip shows the clip with room either side to extend into.
  const view = useMemo(() => {
    if (!plan) return { start: 0, end: 1 };
    const lo = Math.min(...plan.parts.map((p) => p.start));
    const hi = Math.max(...plan.parts.map((p) => p.end));
    const pad = Math.max(2, (hi - lo) * 0.25);
    return { start: Math.max(0, lo - pad), end: Math.min(plan.source_duration, hi + pad) };
  }, [plan]);
  const strip = useRef<HTMLDivElement>(null);
  const x = (t: number) => `${((t - view.start) / (view.end - view.start)) * 100}%`;

  const change = (next: Draft) => {
    if (h) setH(commit(h, next));
  };

  const drag = (i: number, edge: "start" | "end") => (e: PointerEvent) => {
    if (!draft || !plan) return;
    e.preventDefault();
    const el = e.currentTarget as HTMLElement;
    el.setPointerCapture?.(e.pointerId);
    const base = draft;
    let last = draft;
    const move = (ev: PointerEvent) => {
      const r = strip.current?.getBoundingClientRect();
      if (!r || r.width === 0) return;
      const t = view.start + ((ev.clientX - r.left) / r.width) * (view.end - view.start);
      // Shift: sentence edges; Alt: frame-exact; else word edges.
      const to = ev.shiftKey ? sentences : wordEdges;
      last = moveEdge(base, i, edge, snap(t, to, { exact: ev.altKey, fps: plan.fps, tolerance: ev.shiftKey ? 2 : undefined }), limits);
      setLive(last);
    };
    const up = () => {
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      el.removeEventListener("pointercancel", up);
      setLive(null);
      change(last);
    };
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
    el.addEventListener("pointercancel", up);
  };

  const step = (i: number, edge: "start" | "end") => (e: KeyboardEvent) => {
    if (!draft || !plan || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    e.preventDefault();
    const now = draft.parts[i][edge];
    const dir = e.key === "ArrowLeft" ? -1 : 1;
    const t = e.shiftKey
      ? now + dir / plan.fps
      : (dir < 0 ? [...wordEdges].reverse().find((w) => w < now - 1e-6) : wordEdges.find((w) => w > now + 1e-6)) ?? now;
    change(moveEdge(draft, i, edge, t, limits));
  };

  const onWordsKey = (e: KeyboardEvent) => {
    if (!draft || editing !== null) return;
    if ((e.key === "Delete" || e.key === "Backspace") && selected) {
      e.preventDefault();
      change(removeWords(draft, selected[0], selected[1], limits));
      setSelected(null);
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if (!h || editing !== null) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "z") {
      e.preventDefault();
      setH(e.shiftKey ? redo(h) : undo(h));
    } else if (mod && e.key.toLowerCase() === "y") {
      e.preventDefault();
      setH(redo(h));
    }
  };

  const rerender = async () => {
    if (!clip || !draft) return;
    setStatus({ state: "rendering" });
    try {
      const view = await store.renderEdit(clip.output, draft);
      setStatus({ state: "done", text: `Rendered: ${view.duration.toFixed(2)} s` });
      setPreviewPath(null);
      setVersion((v) => v + 1);
    } catch (e) {
      setStatus({ state: "failed", text: errorText(e) });
    }
  };

  /** The source frame under the first selected word, with the faces of its shot. */
  const pickFrame = async () => {
    if (!clip || !draft || !selected) return;
    const w = draft.words[Math.min(...selected)];
    const at = w ? clipTime(draft.parts, w.start) : null;
    if (at === null) return;
    try {
      setFrame(await store.clipFrame(clip.output, at));
    } catch (e) {
      setStatus({ state: "failed", text: errorText(e) });
    }
  };

  const preview = async () => {
    if (!clip || !draft) return;
    setStatus({ state: "rendering" });
    try {
      const path = await store.previewEdit(clip.output, draft);
      setPreviewPath(path);
      setVersion((v) => v + 1);
      setStatus({ state: "done", text: "Preview (low resolution): Re-render makes the clip" });
    } catch (e) {
      setStatus({ state: "failed", text: errorText(e) });
    }
  };

  const pinned = (() => {
    if (!draft || !selected) return "";
    const a = Math.min(...selected);
    const w = draft.words[a];
    const t = w ? clipTime(draft.parts, w.start) : null;
    const pin = draft.pins.find((p) => t !== null && p.start <= t + 1e-6 && p.end > t);
    return pin ? pinKind(pin) : "";
  })();

  return (
    <dialog ref={ref} class="editor" aria-label="Edit clip" onClose={onClose} onKeyDown={onKey}>
      {clip && (
        <>
          <div class="editor-player">
            <video
              key={version}
              controls
              class={previewPath ? "previewing" : ""}
              src={`${store.mediaUrl(previewPath ?? clip.output)}${version ? `?v=${version}` : ""}`}
            />
          </div>
          <div class="editor-side">
            <h3>Edit {basename(clip.output)}</h3>
            {loadError && <p class="error-message">{loadError}</p>}
            {draft && plan && (
              <>
                <p class="muted editor-length">
                  Length <span class="clip-length">{secs(duration(draft.parts))}</span> ·{" "}
                  {draft.parts.length === 1 ? "one part" : `${draft.parts.length} parts`}
                </p>
                <div class="timeline" ref={strip} aria-label="Parts on the source">
                  {draft.parts.map((p, i) => (
                    <div key={i} class="part" data-part={i} style={{ left: x(p.start), width: `calc(${x(p.end)} - ${x(p.start)})` }}>
                      <button
                        type="button"
                        class="handle start"
                        aria-label={`Start of part ${i + 1}: ${secs(p.start)}`}
                        onPointerDown={drag(i, "start")}
                        onKeyDown={step(i, "start")}
                      />
                      <button
                        type="button"
                        class="handle end"
                        aria-label={`End of part ${i + 1}: ${secs(p.end)}`}
                        onPointerDown={drag(i, "end")}
                        onKeyDown={step(i, "end")}
                      />
                    </div>
                  ))}
                </div>
                <p class="muted timeline-range">
                  {secs(view.start)} – {secs(view.end)} of the source
                </p>
                <div class="words" aria-label="Words" onKeyDown={onWordsKey}>
                  {draft.words.length === 0 && <p class="muted">No captions in this clip.</p>}
                  {draft.words.map((w, i) =>
                    editing === i ? (
                      <input
                        key={`e${i}`}
                        class="word-input"
                        aria-label="Word"
                        value={w.text}
                        // Focused with its text selected as it appears (autofocus only works
                        // at page load): Enter on a word, then type.
                        ref={(el) => {
                          if (el && el !== document.activeElement) {
                            el.focus();
                            el.select();
                          }
                        }}
                        onKeyDown={(e) => {
                          if (e.key === "Enter") {
                            e.preventDefault();
                            change(setWordText(draft, i, (e.currentTarget as HTMLInputElement).value));
                            setEditing(null);
                          } else if (e.key === "Escape") {
                            e.preventDefault();
                            e.stopPropagation();
                            setEditing(null);
                          }
                        }}
                        onBlur={() => setEditing(null)}
                      />
                    ) : (
                      <button
                        key={`w${i}-${w.start}`}
                        type="button"
                        class={`word ${selected && i >= Math.min(...selected) && i <= Math.max(...selected) ? "selected" : ""}`}
                        data-index={i}
                        title={`${secs(w.start)} – ${secs(w.end)}`}
                        onClick={(e) => setSelected(e.shiftKey && selected ? [selected[0], i] : [i, i])}
                        onDblClick={() => setEditing(i)}
                        onKeyDown={(e) => {
                          if (e.key === "Enter") {
                            e.preventDefault();
                            setEditing(i);
                          }
                        }}
                      >
                        {w.text}
                      </button>
                    ),
                  )}
                </div>
                {selected && (
                  <div class="editor-pin">
                    <label>
                      Framing of the selected words{" "}
                      <select
                        value={pinned}
                        onChange={(e) => {
                          const v = (e.currentTarget as HTMLSelectElement).value;
                          if (v === "face" || v === "crop") return;
                          change(pinWords(draft, selected[0], selected[1], v ? { layout: v } : null));
                        }}
                      >
                        <option value="">Automatic</option>
                        <option value="speaker">One person (the speaker)</option>
                        <option value="split">Split: everyone on screen</option>
                        <option value="blur">The whole frame</option>
                        {pinned === "face" && <option value="face">The person picked on the picture</option>}
                        {pinned === "crop" && <option value="crop">The crop picked on the picture</option>}
                      </select>
                    </label>
                    <button type="button" class="ghost pick-frame" onClick={() => void pickFrame()}>
                      Pick on the picture…
                    </button>
                  </div>
                )}
                {selected && frame && (
                  <div class="frame-picker">
                    <p class="muted">
                      At {secs(frame.time)} of the source: click a person to follow them, anywhere else for a fixed crop
                      there.
                    </p>
                    <div
                      class="frame"
                      onClick={(e) => {
                        const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
                        const target = pickAt(frame, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height, clip.width / clip.height);
                        change(pinWords(draft, selected[0], selected[1], target));
                        setFrame(null);
                      }}
                    >
                      <img src={`${store.mediaUrl(frame.image)}?t=${frame.time}`} alt="The source at the selected words" />
                      {frame.faces.map((f) => (
                        <span
                          key={f.track}
                          class="frame-face"
                          data-track={f.track}
                          style={{
                            left: `${(f.rect[0] / frame.source_width) * 100}%`,
                            top: `${(f.rect[1] / frame.source_height) * 100}%`,
                            width: `${(f.rect[2] / frame.source_width) * 100}%`,
                            height: `${(f.rect[3] / frame.source_height) * 100}%`,
                          }}
                        />
                      ))}
                    </div>
                  </div>
                )}
                {draft.style !== null && (
                  <div class="editor-style-row">
                  <CaptionPreview style={store.get().styles.find((st) => st.name === draft.style)} />
                  <label class="editor-style">
                    Caption style{" "}
                    <select
                      value={draft.style}
                      onChange={(e) => change({ ...draft, style: (e.currentTarget as HTMLSelectElement).value })}
                    >
                      {[...new Set([draft.style, ...store.get().styles.map((s) => s.name)])].map((s) => (
                        <option key={s} value={s}>
                          {s}
                        </option>
                      ))}
                    </select>
                  </label>
                  </div>
                )}
              </>
            )}
            <p class={`editor-status ${status.state}`} role="status">
              {status.state === "rendering" ? "Rendering this clip…" : status.state === "idle" ? "" : status.text}
            </p>
            <div class="clip-actions">
              <button type="button" class="ghost" disabled={!h?.past.length} onClick={() => h && setH(undo(h))}>
                Undo
              </button>
              <button type="button" class="ghost" disabled={!h?.future.length} onClick={() => h && setH(redo(h))}>
                Redo
              </button>
              <button
                type="button"
                class="ghost preview-edit"
                disabled={!draft || status.state === "rendering"}
                onClick={() => void preview()}
              >
                Preview
              </button>
              <button
                type="button"
                class="primary rerender"
                disabled={!draft || status.state === "rendering"}
                onClick={() => void rerender()}
              >
                Re-render
              </button>
              <button type="button" onClick={onClose}>
                Close
              </button>
            </div>
          </div>
        </>
      )}
    </dialog>
  );
}

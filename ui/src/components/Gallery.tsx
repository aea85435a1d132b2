import type { ClipView } from "../bindings/ClipView";
import { basename, clock } from "../state/format";
import type { Rerender } from "../state/jobs";
import type { Store } from "../state/store";

export function Gallery({
  clips,
  store,
  onPreview,
  onEdit = () => {},
  rerendering = {},
}: {
  clips: ClipView[];
  /** Clips being rendered again after an edit, by index. */
  rerendering?: Record<number, Rerender>;
  store: Store;
  onPreview: (clip: ClipView) => void;
  onEdit?: (clip: ClipView) => void;
}) {
  return (
    <ul class="gallery" aria-label="Clips">
      {clips.map((c) => (
        <li key={c.output} class="clip" data-output={c.output}>
          <button
            type="button"
            class="thumb"
            aria-label={`Preview clip ${c.index} (${clock(c.duration)})`}
            onClick={() => onPreview(c)}
          >
            {/* The first frames of the clip itself stand in for a thumbnail. */}
            <video muted preload="auto" src={`${store.mediaUrl(c.output)}#t=0.5`} />
            <span class="duration">{clock(c.duration)}</span>
          </button>
          <div class="clip-info">
            <p class="clip-name" title={c.output}>
              {basename(c.output)} · {c.width}×{c.height}
            </p>
            <p class="excerpt">{c.excerpt ?? "No transcript"}</p>
            {rerendering[c.index] && <RerenderBar r={rerendering[c.index]} />}
            {c.score !== null && (
              <p class="reasons" title={c.reasons.map((r) => r.text).join("\n")}>
                <span class="score">score {c.score.toFixed(1)}</span>
                {c.reasons.slice(0, 3).map((r) => (
                  <span key={r.signal} class={`reason ${r.value < 0 ? "minus" : ""}`}>
                    {r.signal.replace(/_/g, " ")}
                  </span>
                ))}
              </p>
            )}
            <div class="clip-actions">
              <button type="button" class="ghost edit" onClick={() => onEdit(c)}>
                Edit
              </button>
              <button type="button" class="ghost" onClick={() => void store.open(c.output)}>
                Open
              </button>
              <select
                class="export"
                aria-label={`Export clip ${c.index} for an editor`}
                value=""
                onChange={(e) => {
                  const f = (e.currentTarget as HTMLSelectElement).value as "otio" | "fcpxml" | "edl" | "";
                  (e.currentTarget as HTMLSelectElement).value = "";
                  if (f) void store.exportClip(c.output, f);
                }}
              >
                <option value="">Export…</option>
                <option value="otio">OpenTimelineIO (.otio)</option>
                <option value="fcpxml">Final Cut Pro / Resolve (.fcpxml)</option>
                <option value="edl">EDL (.edl)</option>
              </select>
              <button type="button" class="ghost" onClick={() => void store.reveal(c.output)}>
                Show in folder
              </button>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** An edited clip on its way: analysis of new stretches first, then the render. */
function RerenderBar({ r }: { r: Rerender }) {
  const pct = Math.round(r.fraction * 100);
  const what = r.stage === "analyse" ? "Analysing the edit" : "Re-rendering";
  return (
    <div class="rerender-progress" data-stage={r.stage} role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
      <span>
        {what} {pct} %
      </span>
      <div class="bar">
        <div class="fill" style={{ transform: `scaleX(${r.fraction})` }} />
      </div>
    </div>
  );
}

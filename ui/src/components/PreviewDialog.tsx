import { useEffect, useRef } from "preact/hooks";

import type { ClipView } from "../bindings/ClipView";
import { basename, clock } from "../state/format";
import type { Store } from "../state/store";

/** The in-app player: a modal dialog (Escape closes it, focus returns to the gallery). */
export function PreviewDialog({
  clip,
  store,
  onClose,
}: {
  clip: ClipView | null;
  store: Store;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (clip && !d.open) d.showModal();
    if (!clip && d.open) d.close();
  }, [clip]);
  return (
    <dialog ref={ref} class="preview" aria-label="Clip preview" onClose={onClose}>
      {clip && (
        <>
          <video
            class={clip.width > clip.height ? "landscape" : "portrait"}
            controls
            autoplay
            src={store.mediaUrl(clip.output)}
          />
          <div class="preview-side">
            <h3>{basename(clip.output)}</h3>
            <p class="muted">
              {clock(clip.duration)} · {clip.width}×{clip.height}
            </p>
            {clip.excerpt && <p class="excerpt">{clip.excerpt}</p>}
            {clip.reasons.length > 0 && (
              <ul class="reason-list" aria-label="Why this clip was chosen">
                {clip.reasons.map((r) => (
                  <li key={r.signal} class={r.value < 0 ? "minus" : ""}>
                    {r.text}
                  </li>
                ))}
              </ul>
            )}
            <div class="clip-actions">
              <button type="button" onClick={() => void store.open(clip.output)}>
                Open
              </button>
              <button type="button" onClick={() => void store.reveal(clip.output)}>
                Show in folder
              </button>
              <button type="button" class="primary" onClick={onClose} autofocus>
                Close
              </button>
            </div>
          </div>
        </>
      )}
    </dialog>
  );
}

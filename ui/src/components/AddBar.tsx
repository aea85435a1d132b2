import { open } from "@tauri-apps/plugin-dialog";
import { useRef, useState } from "preact/hooks";

import { errorLabel } from "../state/kinds";
import type { Notice, Store } from "../state/store";

const VIDEO_EXTENSIONS = ["mp4", "mov", "mkv", "webm", "avi", "m4v", "mts", "ts"];

function asList(picked: string | string[] | null): string[] {
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

export function AddBar({ store, notice }: { store: Store; notice: Notice | null }) {
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    // Read the field itself: text put there without input events (some automation, IME) counts.
    const text = input.current?.value ?? url;
    if (await store.addUrls(text)) {
      setUrl("");
      if (input.current) input.current.value = "";
    }
    setBusy(false);
  };

  const pickFiles = async () => {
    const picked = await open({
      multiple: true,
      title: "Add videos",
      filters: [{ name: "Videos", extensions: VIDEO_EXTENSIONS }],
    });
    await store.addPaths(asList(picked));
  };

  const pickFolder = async () => {
    const picked = await open({ directory: true, multiple: true, title: "Add folders of videos" });
    await store.addPaths(asList(picked));
  };

  return (
    <div class="addbar">
      <form
        class="url-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label class="visually-hidden" for="url-input">
          Video link
        </label>
        <input
          id="url-input"
          ref={input}
          class="url-input"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          placeholder="Paste a video link and press Enter"
          value={url}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={busy || url.trim() === ""}>
          Add link
        </button>
      </form>
      <button type="button" onClick={() => void pickFiles()}>
        Add files…
      </button>
      <button type="button" onClick={() => void pickFolder()}>
        Add folder…
      </button>
      <p class={`notice ${notice ? `notice-${notice.kind}` : ""}`} role="status" aria-live="polite">
        {notice ? (
          <>
            {notice.errorKind && (
              <strong class="notice-kind" data-kind={notice.errorKind}>
                {errorLabel(notice.errorKind)}
              </strong>
            )}
            <span>{notice.text}</span>
            <button type="button" class="link" aria-label="Dismiss message" onClick={() => store.dismissNotice()}>
              ×
            </button>
          </>
        ) : (
          <span class="hint">…or drop videos and folders anywhere on the window</span>
        )}
      </p>
    </div>
  );
}

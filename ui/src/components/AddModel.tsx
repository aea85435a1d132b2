import { open } from "@tauri-apps/plugin-dialog";

import type { ModelImport, Store } from "../state/store";

/**
 * "Add a model…": a whisper.cpp ggml file, or a faster-whisper (CTranslate2) folder, which
 * the engine converts. One dialog cannot pick either on every desktop, so there are two.
 * The import runs in the shell's background pool; the window stays usable meanwhile.
 */
export function AddModel({ store, state }: { store: Store; state: ModelImport }) {
  const busy = state.state === "busy";
  const pickFile = async () => {
    const file = await open({
      title: "Add a Whisper model (ggml .bin)",
      filters: [{ name: "Whisper models (ggml)", extensions: ["bin"] }],
    });
    if (typeof file === "string") await store.addModel(file);
  };
  const pickFolder = async () => {
    const dir = await open({ title: "Add a faster-whisper model folder", directory: true });
    if (typeof dir === "string") await store.addModel(dir);
  };
  return (
    <div class="add-model" data-state={state.state}>
      <div class="add-model-buttons">
        <button type="button" class="add-model-file" disabled={busy} onClick={() => void pickFile()}>
          Add a model…
        </button>
        <button type="button" class="add-model-folder ghost" disabled={busy} onClick={() => void pickFolder()}>
          From a folder…
        </button>
      </div>
      {state.state === "busy" && (
        <p class="add-model-status busy" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true" /> Adding {state.path}… (converting and loading can take a minute)
        </p>
      )}
      {state.state === "done" && (
        <p class="add-model-status done" role="status">
          Added <strong class="model-name">{state.model.name}</strong> ({state.model.how}): choose it under Speech model.
        </p>
      )}
      {state.state === "failed" && (
        <p class="add-model-status failed" role="alert">
          {state.error}
        </p>
      )}
    </div>
  );
}

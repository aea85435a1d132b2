import { useState } from "preact/hooks";

import type { ClipView } from "../bindings/ClipView";
import type { Store } from "../state/store";
import { AddBar } from "./AddBar";
import { EditorDialog } from "./Editor";
import { HealthPanel } from "./HealthPanel";
import { useStore } from "./hooks";
import { JobCard } from "./JobCard";
import { OptionsPanel } from "./OptionsPanel";
import { PreviewDialog } from "./PreviewDialog";

export function App({ store }: { store: Store }) {
  const state = useStore(store);
  const [preview, setPreview] = useState<ClipView | null>(null);
  const [editing, setEditing] = useState<ClipView | null>(null);
  const { jobs } = state;
  return (
    <div class="app">
      <header class="topbar">
        <h1 class="brand">Reelcut</h1>
        <AddBar store={store} notice={state.notice} />
        <button type="button" class="open-health ghost" onClick={() => void store.openHealth()}>
          Set-up
        </button>
      </header>
      <div class="content">
        <main class="jobs" aria-label="Jobs">
          {jobs.order.length === 0 ? (
            <div class="empty">
              <p class="empty-title">Nothing here yet</p>
              <p>Paste a video link above, drop videos or a folder on the window, or use Add files…</p>
            </div>
          ) : (
            jobs.order.map((id) => {
              const job = jobs.jobs[id];
              return job ? <JobCard key={id} job={job} store={store} onPreview={setPreview} onEdit={setEditing} /> : null;
            })
          )}
        </main>
        <aside class="sidebar">
          {state.options ? (
            <OptionsPanel
              store={store}
              options={state.options}
              styles={state.styles}
              models={state.models}
              watchFolder={state.watchFolder}
              freeSpace={state.freeSpace}
              modelImport={state.modelImport}
            />
          ) : (
            <p class="muted">Loading settings…</p>
          )}
        </aside>
      </div>
      {state.dragging && (
        <div class="drop-overlay" aria-hidden="true">
          <p>Drop videos or folders to add them</p>
        </div>
      )}
      <PreviewDialog clip={preview} store={store} onClose={() => setPreview(null)} />
      <EditorDialog clip={editing} store={store} onClose={() => setEditing(null)} />
      <HealthPanel store={store} state={state} />
    </div>
  );
}

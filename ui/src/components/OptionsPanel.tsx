import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "preact/hooks";

import type { Aspect } from "../bindings/Aspect";
import type { FreeSpace } from "../bindings/FreeSpace";
import type { ModelView } from "../bindings/ModelView";
import type { RunRequest } from "../bindings/RunRequest";
import type { StylePreview } from "../bindings/StylePreview";
import { freeText, rangesIn } from "../state/format";
import type { ModelImport, Store } from "../state/store";
import { AddModel } from "./AddModel";
import { CaptionPreview } from "./CaptionPreview";

const ASPECTS: Aspect[] = ["9:16", "1:1", "4:5", "16:9"];
const POSITIONS = ["top-left", "top-right", "bottom-left", "bottom-right", "center"];

export function OptionsPanel({
  store,
  options,
  styles,
  models = [],
  watchFolder = null,
  freeSpace = null,
  modelImport = { state: "idle" },
}: {
  store: Store;
  options: RunRequest;
  styles: StylePreview[];
  models?: ModelView[];
  watchFolder?: string | null;
  freeSpace?: FreeSpace | null;
  modelImport?: ModelImport;
}) {
  const set = (patch: Partial<RunRequest>) => store.setOptions(patch);
  const wm = options.watermark;
  const ranges = options.clips.mode === "ranges" ? options.clips.ranges.join("\n") : "";

  const chooseFolder = async () => {
    const dir = await open({ directory: true, title: "Output folder", defaultPath: options.out_dir });
    if (typeof dir === "string") set({ out_dir: dir });
  };
  const chooseWatchFolder = async () => {
    const dir = await open({ directory: true, title: "Watch a folder for new videos", defaultPath: watchFolder ?? undefined });
    if (typeof dir === "string") await store.setWatchFolder(dir);
  };
  // A model the settings name but the store no longer has stays choosable (its jobs would
  // fail with the set-up hint, not silently use another model).
  const modelNames = models.map((m) => m.name);
  if (options.model !== "auto" && !modelNames.includes(options.model)) modelNames.push(options.model);
  const free = freeSpace && freeSpace.path === options.out_dir ? freeSpace : null;
  const chooseImage = async () => {
    const file = await open({
      title: "Watermark image",
      filters: [{ name: "Images", extensions: ["png", "jpg", "jpeg", "webp"] }],
    });
    if (typeof file === "string") set({ watermark: { kind: "image", path: file } });
  };

  return (
    <form class="options" aria-label="Options for new jobs" onSubmit={(e) => e.preventDefault()}>
      <h2>New jobs</h2>

      <fieldset>
        <legend>Aspect</legend>
        <div class="segmented">
          {ASPECTS.map((a) => (
            <label key={a} class={options.aspect === a ? "on" : ""}>
              <input
                type="radio"
                name="aspect"
                value={a}
                checked={options.aspect === a}
                onChange={() => set({ aspect: a })}
              />
              {a}
            </label>
          ))}
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={options.track_faces}
            onChange={(e) => set({ track_faces: (e.target as HTMLInputElement).checked })}
          />
          Follow the speaker's face
        </label>
      </fieldset>

      <fieldset>
        <legend>Jump cuts</legend>
        <label class="check">
          <input
            type="checkbox"
            id="cut-silences"
            checked={options.cut_silences}
            onChange={(e) => set({ cut_silences: (e.target as HTMLInputElement).checked })}
          />
          Cut pauses longer than 0.5 s
        </label>
        <label class="check">
          <input
            type="checkbox"
            id="cut-fillers"
            checked={options.cut_fillers}
            onChange={(e) => set({ cut_fillers: (e.target as HTMLInputElement).checked })}
          />
          Cut filler words (um, uh)
        </label>
      </fieldset>

      <fieldset>
        <legend>Captions</legend>
        <div class="captions-row">
          <select
            id="caption-style"
            aria-label="Caption style"
            value={options.captions}
            onChange={(e) => set({ captions: (e.target as HTMLSelectElement).value })}
          >
            <option value="none">None</option>
            {styles.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
          <CaptionPreview style={styles.find((s) => s.name === options.captions)} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Speech model</legend>
        <select
          id="model-choice"
          aria-label="Speech model"
          value={options.model}
          onChange={(e) => set({ model: (e.target as HTMLSelectElement).value })}
        >
          <option value="auto">Automatic (by language)</option>
          {modelNames.map((name) => {
            const m = models.find((x) => x.name === name);
            return (
              <option key={name} value={name}>
                {m ? `${name}${m.english_only ? " (English)" : ""}` : `${name} (not installed)`}
              </option>
            );
          })}
        </select>
        <AddModel store={store} state={modelImport} />
      </fieldset>

      <fieldset>
        <legend>Watermark</legend>
        <div class="segmented">
          {(["none", "text", "image"] as const).map((k) => (
            <label key={k} class={wm.kind === k ? "on" : ""}>
              <input
                type="radio"
                name="watermark"
                value={k}
                checked={wm.kind === k}
                onChange={() =>
                  set({
                    watermark:
                      k === "none" ? { kind: "none" } : k === "text" ? { kind: "text", text: "" } : { kind: "image", path: "" },
                  })
                }
              />
              {k === "none" ? "None" : k === "text" ? "Text" : "Image"}
            </label>
          ))}
        </div>
        {wm.kind === "text" && (
          <input
            type="text"
            aria-label="Watermark text"
            placeholder="@yourhandle"
            value={wm.text}
            onInput={(e) => set({ watermark: { kind: "text", text: (e.target as HTMLInputElement).value } })}
          />
        )}
        {wm.kind === "image" && (
          <div class="path-row">
            <span class="path" title={wm.path}>
              {wm.path || "No image chosen"}
            </span>
            <button type="button" onClick={() => void chooseImage()}>
              Choose…
            </button>
          </div>
        )}
        {wm.kind !== "none" && (
          <select
            aria-label="Watermark position"
            value={options.watermark_position}
            onChange={(e) => set({ watermark_position: (e.target as HTMLSelectElement).value })}
          >
            {POSITIONS.map((p) => (
              <option key={p} value={p}>
                {p.replace("-", " ")}
              </option>
            ))}
          </select>
        )}
      </fieldset>

      <fieldset>
        <legend>Clips</legend>
        <div class="segmented">
          {(
            [
              ["auto", "Automatic"],
              ["whole", "Whole video"],
              ["ranges", "Ranges"],
            ] as const
          ).map(([mode, label]) => (
            <label key={mode} class={options.clips.mode === mode ? "on" : ""}>
              <input
                type="radio"
                name="clips"
                value={mode}
                checked={options.clips.mode === mode}
                onChange={() =>
                  set({
                    clips:
                      mode === "auto"
                        ? { mode, count: 3 }
                        : mode === "whole"
                          ? { mode }
                          : { mode, ranges: [] },
                  })
                }
              />
              {label}
            </label>
          ))}
        </div>
        {options.clips.mode === "auto" && (
          <label class="inline">
            Best moments
            <input
              type="number"
              min={1}
              max={20}
              value={options.clips.count}
              onInput={(e) => {
                const n = Number((e.target as HTMLInputElement).value);
                if (Number.isInteger(n) && n >= 1 && n <= 20) set({ clips: { mode: "auto", count: n } });
              }}
            />
          </label>
        )}
        {options.clips.mode === "ranges" && (
          <RangesInput initial={ranges} onChange={(r) => set({ clips: { mode: "ranges", ranges: r } })} />
        )}
      </fieldset>

      <fieldset>
        <legend>Output folder</legend>
        <div class="path-row">
          <span class="path" id="out-dir" title={options.out_dir}>
            {options.out_dir}
          </span>
          <button type="button" onClick={() => void chooseFolder()}>
            Change…
          </button>
        </div>
        <p class="free-space" id="free-space" data-bytes={free?.bytes ?? ""}>
          {free ? freeText(free.bytes) : ""}
        </p>
      </fieldset>

      <fieldset>
        <legend>Watch folder</legend>
        <div class="path-row">
          <span class={`path${watchFolder ? "" : " muted"}`} id="watch-folder" title={watchFolder ?? ""}>
            {watchFolder ?? "Off"}
          </span>
          <button type="button" class="choose-watch" onClick={() => void chooseWatchFolder()}>
            Choose…
          </button>
          {watchFolder && (
            <button type="button" class="clear-watch ghost" onClick={() => void store.setWatchFolder(null)}>
              Stop
            </button>
          )}
        </div>
        <p class="hint">New videos saved there become jobs with these options.</p>
      </fieldset>
    </form>
  );
}

/** Ranges as typed (blank lines kept while typing); the options get the parsed list. */
function RangesInput({ initial, onChange }: { initial: string; onChange: (ranges: string[]) => void }) {
  const [text, setText] = useState(initial);
  return (
    <textarea
      aria-label="Clip ranges, one per line"
      placeholder={"0:10-0:40\n1:05-1:20+1:30-1:45"}
      rows={2}
      value={text}
      onInput={(e) => {
        const value = (e.target as HTMLTextAreaElement).value;
        setText(value);
        onChange(rangesIn(value));
      }}
    />
  );
}

// The installable product's window parts: the set-up check panel, "Add a model…", the
// watched folder, the output folder's free space and a failed card's "Check set-up". Each
// runs against the real Store through mocked IPC (commands, events, the file dialog).

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { CommandName } from "../bindings/commands";
import { WATCH_EVENT } from "../bindings/events";
import type { HealthReport } from "../bindings/HealthReport";
import type { ImportedModel } from "../bindings/ImportedModel";
import type { ModelView } from "../bindings/ModelView";
import type { Settings } from "../bindings/Settings";
import type { WatchNotice } from "../bindings/WatchNotice";
import { applyViews, emptyJobs } from "../state/jobs";
import { Store } from "../state/store";
import { App } from "./App";
import { JobCard } from "./JobCard";
import { OptionsPanel } from "./OptionsPanel";

const SETTINGS: Settings = {
  defaults: {
    out_dir: "/home/me/Videos/Reelcut",
    aspect: "9:16",
    captions: "karaoke",
    watermark: { kind: "none" },
    watermark_position: "top-left",
    clips: { mode: "auto", count: 3 },
    track_faces: true,
    cut_silences: false,
    cut_fillers: false,
    model: "auto",
  },
  watch_folder: null,
};

const NOT_READY: HealthReport = {
  checks: [
    { id: "libav", label: "FFmpeg libraries", status: "ok", found: "avcodec 59.37", fix: null },
    {
      id: "whisper",
      label: "Whisper models",
      status: "missing",
      found: "none installed (your models folder: /home/me/.local/share/reelcut/models)",
      fix: "reinstall the reelcut package, `reelcut models import DIR|FILE`, or `reelcut models download tiny.en`",
    },
    { id: "yt-dlp", label: "yt-dlp (URL inputs only)", status: "warning", found: "not found", fix: "install yt-dlp" },
  ],
};
const READY: HealthReport = {
  checks: NOT_READY.checks.map((c) => (c.id === "whisper" ? { ...c, status: "ok", found: "tiny.en", fix: null } : c)),
};

let root: HTMLElement;
let calls: { cmd: string; args: Record<string, unknown> }[];
let firstStart: boolean;
let report: HealthReport;
let models: ModelView[];
/** What the next import does: resolve with a model, or reject with an error. */
let importResult: { ok: ImportedModel } | { err: unknown } | "pending";
let resolvePending: (() => void) | null;
/** What the file dialog answers. */
let picked: string | null;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);

beforeEach(() => {
  calls = [];
  firstStart = false;
  report = READY;
  models = [{ name: "tiny.en", english_only: true, user: true, size: 42_000_000 }];
  importResult = { ok: { name: "base", how: "copied", file: "/home/me/.local/share/reelcut/models/ggml-base.bin" } };
  resolvePending = null;
  picked = null;
  root = document.createElement("div");
  document.body.append(root);
  mockWindows("main");
  mockIPC(
    async (name, args) => {
      calls.push({ cmd: name, args: (args ?? {}) as Record<string, unknown> });
      switch (name as CommandName | "plugin:dialog|open") {
        case "get_settings":
          return SETTINGS;
        case "caption_styles":
          return [];
        case "media_base":
          return "http://127.0.0.1:9/tok/";
        case "list_jobs":
          return [];
        case "first_start":
          return firstStart;
        case "health_check":
          return report;
        case "list_models":
          return models;
        case "free_space": {
          const path = (args as { path: string }).path;
          return { path, bytes: path.startsWith("/mnt/small") ? 850_000_000 : 12_345_000_000 };
        }
        case "import_model": {
          const result = importResult;
          if (result === "pending") {
            await new Promise<void>((r) => (resolvePending = r));
            return { name: "base", how: "converted from CTranslate2 float16 to q8_0", file: "/m/ggml-base.bin" };
          }
          if ("err" in result) throw result.err;
          models = [...models, { name: result.ok.name, english_only: false, user: true, size: 80_000_000 }];
          return result.ok;
        }
        case "plugin:dialog|open":
          return picked;
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => {
  render(null, root);
  root.remove();
  clearMocks();
});

async function started(): Promise<Store> {
  const store = new Store({ saveMs: 10, refreshMs: 5 });
  await store.start({ dragDrop: false });
  await wait(10); // the set-up check runs beside the start
  return store;
}

function app(store: Store) {
  render(<App store={store} />, root);
}

const rerender = (store: Store) => app(store);
const panelShown = () => root.querySelector("section.health");

describe("the set-up check", () => {
  it("opens at the first start, listing each check with its status, what was found and the fix", async () => {
    firstStart = true;
    report = NOT_READY;
    const store = await started();
    app(store);
    expect(panelShown()).not.toBeNull();
    const rows = [...root.querySelectorAll(".check-row")];
    // Problems first: missing, then warning, then ok.
    expect(rows.map((r) => r.getAttribute("data-status"))).toEqual(["missing", "warning", "ok"]);
    const whisper = root.querySelector('.check-row[data-check-id="whisper"]');
    expect(whisper?.querySelector(".check-status")?.textContent).toBe("Missing");
    expect(whisper?.classList.contains("check-missing")).toBe(true);
    expect(whisper?.querySelector(".check-label")?.textContent).toBe("Whisper models");
    expect(whisper?.querySelector(".check-found")?.textContent).toContain("none installed");
    expect(whisper?.querySelector(".check-fix")?.textContent).toContain("reelcut models import");
    const ytdlp = root.querySelector('.check-row[data-check-id="yt-dlp"]');
    expect(ytdlp?.querySelector(".check-status")?.textContent).toBe("Warning");
    expect(ytdlp?.querySelector(".check-fix")?.textContent).toBe("Fix: install yt-dlp");
    // An ok check has no fix line.
    expect(root.querySelector('.check-row[data-check-id="libav"] .check-fix')).toBeNull();
    expect(root.querySelector(".health-summary")?.getAttribute("data-ready")).toBe("false");
    store.stop();
  });

  it("opens on a later start only when something a job needs is missing", async () => {
    const ready = await started();
    app(ready);
    expect(panelShown()).toBeNull();
    expect(called("health_check").length).toBe(1);
    ready.stop();
    render(null, root);

    report = NOT_READY;
    const missing = await started();
    app(missing);
    expect(panelShown()).not.toBeNull();
    missing.stop();
  });

  it("the first start with everything there shows the panel as ready", async () => {
    firstStart = true;
    const store = await started();
    app(store);
    expect(root.querySelector(".health-summary")?.getAttribute("data-ready")).toBe("true");
    expect(root.querySelector(".health-summary")?.textContent).toContain("Ready");
    store.stop();
  });

  it("Check again runs the check again and shows the new report; Close hides the panel", async () => {
    report = NOT_READY;
    const store = await started();
    app(store);
    report = READY;
    root.querySelector<HTMLButtonElement>("button.check-again")?.click();
    expect(store.get().health.checking).toBe(true);
    rerender(store);
    expect(root.querySelector<HTMLButtonElement>("button.check-again")?.disabled).toBe(true);
    await wait(10);
    rerender(store);
    expect(called("health_check").length).toBe(2);
    expect(root.querySelector('.check-row[data-check-id="whisper"]')?.getAttribute("data-status")).toBe("ok");
    expect(root.querySelector(".health-summary")?.getAttribute("data-ready")).toBe("true");
    expect(panelShown(), "an open panel stays open when all is well").not.toBeNull();
    root.querySelector<HTMLButtonElement>("button.close-health")?.click();
    rerender(store);
    expect(panelShown()).toBeNull();
    store.stop();
  });

  it("a check that cannot run says so", async () => {
    const store = await started();
    report = undefined as unknown as HealthReport;
    mockIPC((name) => {
      if (name === "health_check") throw { kind: "internal", message: "the check panicked" };
      return null;
    });
    await store.openHealth();
    app(store);
    expect(root.querySelector(".health-error")?.textContent).toContain("the check panicked");
    store.stop();
  });
});

describe("a job that failed for a missing piece", () => {
  const failed = (needs_setup: boolean) =>
    applyViews(emptyJobs(), [
      {
        id: 1,
        input: "/v/talk.mp4",
        is_url: false,
        title: "talk",
        status: "failed",
        stage: "transcribe",
        error: "model 'base' is not installed",
        error_kind: "asset_invalid",
        outputs: [],
        clips: [],
        source: null,
        needs_setup,
      },
    ]).jobs[1];

  it("offers Check set-up, which opens the panel with a fresh check", async () => {
    const store = await started();
    render(<JobCard job={failed(true)} store={store} onPreview={() => {}} />, root);
    const button = root.querySelector<HTMLButtonElement>(".job-error button.check-setup");
    expect(button?.textContent).toBe("Check set-up");
    button?.click();
    await wait(10);
    expect(store.get().health.open).toBe(true);
    expect(called("health_check").length).toBe(2);
    render(<JobCard job={failed(false)} store={store} onPreview={() => {}} />, root);
    expect(root.querySelector("button.check-setup")).toBeNull();
    store.stop();
  });
});

describe("Add a model…", () => {
  it("imports the picked file, shows busy then the model's name, and the model becomes a choice", async () => {
    importResult = "pending";
    const store = await started();
    await store.openHealth();
    app(store);
    picked = "/home/me/Downloads/ggml-base.bin";
    root.querySelector<HTMLButtonElement>(".health .add-model-file")?.click();
    await wait(10);
    rerender(store);
    expect(called("import_model").map((c) => c.args.path)).toEqual(["/home/me/Downloads/ggml-base.bin"]);
    const add = root.querySelector(".health .add-model");
    expect(add?.getAttribute("data-state")).toBe("busy");
    expect(add?.querySelector(".add-model-status.busy")?.textContent).toContain("ggml-base.bin");
    expect(add?.querySelector<HTMLButtonElement>(".add-model-file")?.disabled).toBe(true);
    expect(add?.querySelector<HTMLButtonElement>(".add-model-folder")?.disabled).toBe(true);

    models = [...models, { name: "base", english_only: false, user: true, size: 80_000_000 }];
    resolvePending?.();
    await wait(10);
    rerender(store);
    const done = root.querySelector(".health .add-model");
    expect(done?.getAttribute("data-state")).toBe("done");
    expect(done?.querySelector(".model-name")?.textContent).toBe("base");
    expect(done?.textContent).toContain("converted from CTranslate2");
    const choices = [...root.querySelectorAll<HTMLOptionElement>("#model-choice option")].map((o) => o.value);
    expect(choices).toEqual(["auto", "tiny.en", "base"]);
    // The panel's report is taken again: the model check may have changed.
    expect(called("health_check").length).toBe(3);
    store.stop();
  });

  it("a folder goes the same way (a faster-whisper model)", async () => {
    const store = await started();
    app(store);
    picked = "/home/me/models/faster-whisper-base";
    root.querySelector<HTMLButtonElement>(".options .add-model-folder")?.click();
    await wait(10);
    const dialog = called("plugin:dialog|open").at(-1);
    expect((dialog?.args.options as { directory?: boolean }).directory).toBe(true);
    expect(called("import_model").map((c) => c.args.path)).toEqual(["/home/me/models/faster-whisper-base"]);
    store.stop();
  });

  it("shows the engine's error verbatim, and nothing happens when the dialog is cancelled", async () => {
    const message = "/home/me/Downloads/page.bin: not a whisper.cpp model: it is text";
    importResult = { err: { kind: "asset_invalid", message } };
    const store = await started();
    app(store);
    picked = null;
    root.querySelector<HTMLButtonElement>(".options .add-model-file")?.click();
    await wait(10);
    expect(called("import_model")).toEqual([]);
    picked = "/home/me/Downloads/page.bin";
    root.querySelector<HTMLButtonElement>(".options .add-model-file")?.click();
    await wait(10);
    rerender(store);
    const status = root.querySelector(".options .add-model-status.failed");
    expect(status?.textContent).toBe(message);
    expect(status?.getAttribute("role")).toBe("alert");
    store.stop();
  });
});

describe("the watched folder", () => {
  function panel(store: Store) {
    const s = store.get();
    if (!s.options) throw new Error("no options");
    render(
      <OptionsPanel store={store} options={s.options} styles={[]} models={s.models} watchFolder={s.watchFolder} freeSpace={s.freeSpace} />,
      root,
    );
  }
  const lastSaved = () => called("set_settings").at(-1)?.args.settings as Settings | undefined;

  it("is off until chosen; choosing saves it with the options, Stop clears it", async () => {
    const store = await started();
    panel(store);
    expect(root.querySelector("#watch-folder")?.textContent).toBe("Off");
    expect(root.querySelector("button.clear-watch")).toBeNull();

    picked = "/home/me/Incoming";
    root.querySelector<HTMLButtonElement>("button.choose-watch")?.click();
    await wait(10);
    panel(store);
    expect(root.querySelector("#watch-folder")?.textContent).toBe("/home/me/Incoming");
    expect(lastSaved()).toEqual({ defaults: SETTINGS.defaults, watch_folder: "/home/me/Incoming" });

    // Options changed later are saved with the folder, not over it.
    store.setOptions({ aspect: "1:1" });
    await wait(30);
    expect(lastSaved()?.watch_folder).toBe("/home/me/Incoming");
    expect(lastSaved()?.defaults.aspect).toBe("1:1");

    panel(store);
    root.querySelector<HTMLButtonElement>("button.clear-watch")?.click();
    await wait(10);
    panel(store);
    expect(root.querySelector("#watch-folder")?.textContent).toBe("Off");
    expect(lastSaved()?.watch_folder).toBeNull();
    store.stop();
  });

  it("loads a saved folder, and its notices reach the window; an added video is listed", async () => {
    SETTINGS.watch_folder = "/home/me/Incoming";
    try {
      const store = await started();
      expect(store.get().watchFolder).toBe("/home/me/Incoming");
      const lists = called("list_jobs").length;
      const ignored: WatchNotice = { kind: "ignored", path: "/home/me/Incoming/notes.txt", message: "Ignored notes.txt: not a video" };
      await emit(WATCH_EVENT, ignored);
      expect(store.get().notice).toEqual({ kind: "info", text: "Ignored notes.txt: not a video" });
      await emit(WATCH_EVENT, { kind: "added", path: "/home/me/Incoming/talk.mp4", message: "Added talk.mp4 from the watched folder" } satisfies WatchNotice);
      await wait(20);
      expect(called("list_jobs").length).toBe(lists + 1);
      await emit(WATCH_EVENT, { kind: "failed", path: "/gone", message: "Not watching /gone: not found" } satisfies WatchNotice);
      expect(store.get().notice?.kind).toBe("error");
      store.stop();
    } finally {
      SETTINGS.watch_folder = null;
    }
  });
});

describe("the output folder's free space", () => {
  it("shows under the folder and follows a change of folder", async () => {
    const store = await started();
    app(store);
    expect(called("free_space").map((c) => c.args.path)).toEqual(["/home/me/Videos/Reelcut"]);
    expect(root.querySelector("#free-space")?.textContent).toBe("12.3 GB free");
    picked = "/mnt/small/clips";
    const change = [...root.querySelectorAll<HTMLButtonElement>(".options button")].find((b) => b.textContent === "Change…");
    change?.click();
    await wait(10);
    rerender(store);
    expect(called("free_space").map((c) => c.args.path)).toEqual(["/home/me/Videos/Reelcut", "/mnt/small/clips"]);
    expect(root.querySelector("#free-space")?.textContent).toBe("850 MB free");
    store.stop();
  });
});

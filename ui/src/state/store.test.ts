import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { CommandError } from "../bindings/CommandError";
import type { CommandName } from "../bindings/commands";
import type { Event } from "../bindings/Event";
import { ENGINE_EVENT } from "../bindings/events";
import type { JobView } from "../bindings/JobView";
import type { Settings } from "../bindings/Settings";
import { Store } from "./store";

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

interface Call {
  cmd: CommandName;
  args: Record<string, unknown>;
}

let calls: Call[];
let jobs: JobView[];
/** The next call of this command is refused with this error. */
let refuse: { cmd: CommandName; error: CommandError } | null;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const called = (cmd: CommandName) => calls.filter((c) => c.cmd === cmd);

beforeEach(() => {
  calls = [];
  jobs = [];
  refuse = null;
  mockWindows("main");
  mockIPC(
    (name, args) => {
      const cmd = name as CommandName;
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      if (refuse?.cmd === cmd) {
        const e = refuse.error;
        refuse = null;
        throw e;
      }
      switch (cmd) {
        case "get_settings":
          return SETTINGS;
        case "caption_styles":
          return [];
        case "media_base":
          return "http://127.0.0.1:9/tok/";
        case "list_jobs":
          return jobs;
        case "add_urls":
          return [1];
        case "add_paths":
          return [2, 3];
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => clearMocks());

async function started(): Promise<Store> {
  const store = new Store({ saveMs: 20, refreshMs: 5 });
  await store.start();
  return store;
}

describe("store", () => {
  it("loads settings, styles and jobs on start", async () => {
    jobs = [{ id: 7, input: "/v/a.mp4", is_url: false, title: "a.mp4", status: "done", stage: "render", error: null, error_kind: null, outputs: [], clips: [], source: null, needs_setup: false }];
    const store = await started();
    expect(store.get().options).toEqual(SETTINGS.defaults);
    expect(store.get().jobs.order).toEqual([7]);
    expect(store.mediaUrl("/o/clip-01.mp4")).toBe("http://127.0.0.1:9/tok/%2Fo%2Fclip-01.mp4");
    store.stop();
  });

  it("sends pasted text to the shell, which finds the URLs, with the current options", async () => {
    const store = await started();
    const text = "see https://example.com/v/1 and\nhttps://example.com/v/2";
    expect(await store.addUrls(text)).toBe(true);
    const [add] = called("add_urls");
    expect(add.args).toEqual({ text, options: SETTINGS.defaults });
    expect(store.get().notice).toEqual({ kind: "info", text: "Added 1 job" });
    store.stop();
  });

  it("shows the shell's refusals with their kind", async () => {
    const store = await started();
    refuse = { cmd: "add_urls", error: { kind: "invalid_request", message: "Paste a link that starts with http:// or https://" } };
    expect(await store.addUrls("not a link")).toBe(false);
    expect(store.get().notice).toEqual({
      kind: "error",
      text: "Paste a link that starts with http:// or https://",
      errorKind: "invalid_request",
    });
    refuse = { cmd: "add_urls", error: { kind: "invalid_request", message: "clip range '5-2': end 2 is not after start 5" } };
    expect(await store.addUrls("https://example.com/v")).toBe(false);
    expect(store.get().notice?.text).toBe("clip range '5-2': end 2 is not after start 5");
    store.stop();
  });

  it("keeps the engine's kind when a command on a job is refused", async () => {
    const store = await started();
    refuse = { cmd: "retry", error: { kind: "job_not_found", message: "no job 5" } };
    await store.retry(5);
    expect(store.get().notice).toEqual({ kind: "error", text: "no job 5", errorKind: "job_not_found" });
    refuse = { cmd: "cancel", error: { kind: "job_busy", message: "talk.mp4: already being processed (job 6)" } };
    await store.cancel(6);
    expect(store.get().notice?.errorKind).toBe("job_busy");
    store.stop();
  });

  it("follows engine events and re-reads the list after lifecycle events", async () => {
    const store = await started();
    const before = called("list_jobs").length;
    const queued: Event = { event: "job_queued", job: 4, input: "/v/b.mp4", title: "b.mp4", resumed: false };
    jobs = [{ id: 4, input: "/v/b.mp4", is_url: false, title: "b.mp4", status: "queued", stage: null, error: null, error_kind: null, outputs: [], clips: [], source: null, needs_setup: false }];
    await emit(ENGINE_EVENT, queued);
    await emit(ENGINE_EVENT, { event: "progress", job: 4, input: "/v/b.mp4", clip: 0, stage: "probe", fraction: 0.5, eta_seconds: 1 } satisfies Event);
    expect(store.get().jobs.jobs[4].stages.probe.fraction).toBe(0.5);
    await wait(30);
    expect(called("list_jobs").length).toBe(before + 1);
    expect(store.get().jobs.jobs[4].stages.probe.fraction).toBe(0.5);
    store.stop();
  });

  it("adds dropped paths and shows the overlay while dragging", async () => {
    const store = await started();
    await emit("tauri://drag-enter", { paths: ["/v/folder"], position: { x: 10, y: 10 } });
    expect(store.get().dragging).toBe(true);
    await emit("tauri://drag-drop", { paths: ["/v/folder"], position: { x: 10, y: 10 } });
    await wait(5);
    expect(store.get().dragging).toBe(false);
    const [add] = called("add_paths");
    expect(add.args.paths).toEqual(["/v/folder"]);
    expect(store.get().notice).toEqual({ kind: "info", text: "Added 2 jobs" });
    store.stop();
  });

  it("saves changed options once, after a pause", async () => {
    const store = await started();
    store.setOptions({ aspect: "1:1" });
    store.setOptions({ captions: "pop" });
    expect(store.get().options?.aspect).toBe("1:1");
    expect(called("set_settings")).toHaveLength(0);
    await wait(40);
    const saves = called("set_settings");
    expect(saves).toHaveLength(1);
    expect((saves[0].args.settings as Settings).defaults).toMatchObject({ aspect: "1:1", captions: "pop" });
    store.stop();
  });

  it("passes job ids to cancel, retry and remove", async () => {
    const store = await started();
    await store.cancel(5);
    await store.retry(5);
    await store.remove(5);
    expect(calls.filter((c) => ["cancel", "retry", "remove"].includes(c.cmd)).map((c) => [c.cmd, c.args.id])).toEqual([
      ["cancel", 5],
      ["retry", 5],
      ["remove", 5],
    ]);
    store.stop();
  });
});

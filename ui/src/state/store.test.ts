import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { Event } from "../bindings/Event";
import type { JobView } from "../bindings/JobView";
import type { Settings } from "../bindings/Settings";
import { EVENT, Store } from "./store";

const SETTINGS: Settings = {
  defaults: {
    out_dir: "/home/me/Videos/Reelcut",
    aspect: "9:16",
    captions: "karaoke",
    watermark: { kind: "none" },
    watermark_position: "top-left",
    clips: { mode: "auto", count: 3 },
    track_faces: true,
  },
};

interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

let calls: Call[];
let jobs: JobView[];
let failNext: { kind: string; message: string } | null;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);

beforeEach(() => {
  calls = [];
  jobs = [];
  failNext = null;
  mockWindows("main");
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      if (failNext && cmd.startsWith("add_")) {
        const e = failNext;
        failNext = null;
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
    jobs = [{ id: 7, input: "/v/a.mp4", title: "a.mp4", status: "done", stage: "render", error: null, error_kind: null, outputs: [], clips: [] }];
    const store = await started();
    expect(store.get().options).toEqual(SETTINGS.defaults);
    expect(store.get().jobs.order).toEqual([7]);
    expect(store.mediaUrl("/o/clip-01.mp4")).toBe("http://127.0.0.1:9/tok/%2Fo%2Fclip-01.mp4");
    store.stop();
  });

  it("submits pasted URLs with the current options", async () => {
    const store = await started();
    expect(await store.addUrls("see https://example.com/v/1 and\nhttps://example.com/v/2")).toBe(true);
    const [add] = called("add_urls");
    expect(add.args.urls).toEqual(["https://example.com/v/1", "https://example.com/v/2"]);
    expect(add.args.options).toEqual(SETTINGS.defaults);
    expect(store.get().notice).toEqual({ kind: "info", text: "Added 1 job" });
    store.stop();
  });

  it("refuses text without a URL and shows the shell's errors", async () => {
    const store = await started();
    expect(await store.addUrls("not a link")).toBe(false);
    expect(called("add_urls")).toHaveLength(0);
    expect(store.get().notice?.kind).toBe("error");
    failNext = { kind: "invalid_request", message: "clip range '5-2': end 2 is not after start 5" };
    expect(await store.addUrls("https://example.com/v")).toBe(false);
    expect(store.get().notice).toEqual({ kind: "error", text: "clip range '5-2': end 2 is not after start 5" });
    store.stop();
  });

  it("follows engine events and re-reads the list after lifecycle events", async () => {
    const store = await started();
    const before = called("list_jobs").length;
    const queued: Event = { event: "job_queued", job: 4, input: "/v/b.mp4", title: "b.mp4", resumed: false };
    jobs = [{ id: 4, input: "/v/b.mp4", title: "b.mp4", status: "queued", stage: null, error: null, error_kind: null, outputs: [], clips: [] }];
    await emit(EVENT, queued);
    await emit(EVENT, { event: "progress", job: 4, input: "/v/b.mp4", clip: 0, stage: "probe", fraction: 0.5, eta_seconds: 1 } satisfies Event);
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

import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { CommandName } from "../bindings/commands";
import type { Settings } from "../bindings/Settings";
import { Store } from "../state/store";
import { OptionsPanel } from "./OptionsPanel";

const SETTINGS: Settings = {
  defaults: {
    out_dir: "/home/me/Videos/Reelcut",
    aspect: "9:16",
    captions: "karaoke",
    watermark: { kind: "none" },
    watermark_position: "top-left",
    clips: { mode: "whole" },
    track_faces: true,
    cut_silences: false,
    cut_fillers: false,
    model: "auto",
  },
  watch_folder: null,
};

let root: HTMLElement;
let calls: { cmd: CommandName; args: Record<string, unknown> }[];
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  calls = [];
  root = document.createElement("div");
  document.body.append(root);
  mockWindows("main");
  mockIPC(
    (name, args) => {
      const cmd = name as CommandName;
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      switch (cmd) {
        case "get_settings":
          return SETTINGS;
        case "caption_styles":
          return [];
        case "media_base":
          return "http://127.0.0.1:9/tok/";
        case "list_jobs":
          return [];
        case "add_paths":
          return [1];
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

function panel(store: Store) {
  const options = store.get().options;
  if (!options) throw new Error("no options loaded");
  render(<OptionsPanel store={store} options={options} styles={[]} />, root);
}

function switchNamed(text: string): HTMLInputElement {
  const label = [...root.querySelectorAll("label.check")].find((l) => l.textContent?.includes(text));
  const input = label?.querySelector("input");
  if (!input) throw new Error(`no switch "${text}"`);
  return input;
}

describe("the jump-cut switches", () => {
  it("start off, and once on are saved and sent with new jobs", async () => {
    const store = new Store({ saveMs: 10, refreshMs: 5 });
    await store.start();
    panel(store);
    const silences = switchNamed("Cut pauses");
    const fillers = switchNamed("Cut filler words");
    expect(silences.checked).toBe(false);
    expect(fillers.checked).toBe(false);

    silences.click();
    panel(store);
    switchNamed("Cut filler words").click();
    expect(store.get().options?.cut_silences).toBe(true);
    expect(store.get().options?.cut_fillers).toBe(true);
    panel(store);
    expect(switchNamed("Cut pauses").checked).toBe(true);

    await wait(30);
    const saved = calls.filter((c) => c.cmd === "set_settings").at(-1);
    expect((saved?.args.settings as Settings).defaults).toMatchObject({ cut_silences: true, cut_fillers: true });
    expect(await store.addPaths(["/v/talk.mp4"])).toBe(true);
    const add = calls.find((c) => c.cmd === "add_paths");
    expect(add?.args.options).toMatchObject({ cut_silences: true, cut_fillers: true });
    store.stop();
  });
});

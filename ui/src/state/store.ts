// The window's state and everything that changes it: commands to the shell, engine events,
// drag-and-drop. Components read `store.get()` and call the methods; nothing else talks to
// Tauri.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { CommandError } from "../bindings/CommandError";
import type { Event } from "../bindings/Event";
import type { JobView } from "../bindings/JobView";
import type { RunRequest } from "../bindings/RunRequest";
import type { Settings } from "../bindings/Settings";
import type { StylePreview } from "../bindings/StylePreview";
import { mediaUrl, urlsIn } from "./format";
import { applyEvent, applyViews, emptyJobs, needsRefresh, type JobsState } from "./jobs";

export const EVENT = "reelcut://event";

export interface Notice {
  kind: "error" | "info";
  text: string;
}

export interface AppState {
  jobs: JobsState;
  /** The options the next submission uses (saved as the defaults). */
  options: RunRequest | null;
  styles: StylePreview[];
  notice: Notice | null;
  /** Files are being dragged over the window. */
  dragging: boolean;
  /** Base URL of the shell's preview server ("" until known). */
  mediaBase: string;
}

/** A command's error as a sentence. */
export function errorText(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as CommandError).message);
  return String(e);
}

export interface StoreTiming {
  /** Delay before saving changed options. */
  saveMs: number;
  /** Delay that gathers bursts of lifecycle events into one `list_jobs`. */
  refreshMs: number;
}

export class Store {
  private state: AppState = { jobs: emptyJobs(), options: null, styles: [], notice: null, dragging: false, mediaBase: "" };
  private listeners = new Set<() => void>();
  private unlisten: UnlistenFn[] = [];
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private timing: StoreTiming = { saveMs: 300, refreshMs: 50 }) {}

  get(): AppState {
    return this.state;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  /** Loads settings, styles and jobs, then follows the engine's events. */
  async start(opts: { dragDrop?: boolean } = {}): Promise<void> {
    this.unlisten.push(await listen<Event>(EVENT, (e) => this.onEvent(e.payload)));
    if (opts.dragDrop !== false) {
      this.unlisten.push(
        await getCurrentWebview().onDragDropEvent((e) => {
          const p = e.payload;
          if (p.type === "enter" || p.type === "over") {
            if (!this.state.dragging) this.set({ dragging: true });
          } else if (p.type === "leave") {
            this.set({ dragging: false });
          } else if (p.type === "drop") {
            this.set({ dragging: false });
            void this.addPaths(p.paths);
          }
        }),
      );
    }
    const [settings, styles, mediaBase] = await Promise.all([
      invoke<Settings>("get_settings"),
      invoke<StylePreview[]>("caption_styles"),
      invoke<string>("media_base"),
    ]);
    this.set({ options: settings.defaults, styles, mediaBase });
    await this.refresh();
  }

  stop(): void {
    for (const u of this.unlisten) u();
    this.unlisten = [];
    clearTimeout(this.saveTimer);
    clearTimeout(this.refreshTimer);
  }

  onEvent(e: Event): void {
    this.set({ jobs: applyEvent(this.state.jobs, e) });
    if (e.event === "job_failed" && e.job === null) {
      this.set({ notice: { kind: "error", text: `${e.input}: ${e.message}` } });
    }
    if (needsRefresh(e)) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), this.timing.refreshMs);
  }

  async refresh(): Promise<void> {
    try {
      const views = await invoke<JobView[]>("list_jobs");
      this.set({ jobs: applyViews(this.state.jobs, views) });
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Could not list jobs: ${errorText(e)}` } });
    }
  }

  /** Submits the URLs in `text`; false (with a notice) when there are none or the shell refuses. */
  async addUrls(text: string): Promise<boolean> {
    const urls = urlsIn(text);
    if (urls.length === 0) {
      this.set({ notice: { kind: "error", text: "Paste a link that starts with http:// or https://" } });
      return false;
    }
    return this.submit("add_urls", { urls });
  }

  async addPaths(paths: string[]): Promise<boolean> {
    if (paths.length === 0) return false;
    return this.submit("add_paths", { paths });
  }

  private async submit(command: string, args: Record<string, unknown>): Promise<boolean> {
    const options = this.state.options;
    if (!options) return false;
    try {
      const ids = await invoke<number[]>(command, { ...args, options });
      const text = ids.length === 1 ? "Added 1 job" : `Added ${ids.length} jobs`;
      this.set({ notice: { kind: "info", text: ids.length === 0 ? "No videos found there" : text } });
      await this.refresh();
      return true;
    } catch (e) {
      this.set({ notice: { kind: "error", text: errorText(e) } });
      return false;
    }
  }

  private async command(name: string, args: Record<string, unknown>): Promise<void> {
    try {
      await invoke(name, args);
    } catch (e) {
      this.set({ notice: { kind: "error", text: errorText(e) } });
    }
  }

  cancel(id: number): Promise<void> {
    return this.command("cancel", { id });
  }

  async retry(id: number): Promise<void> {
    await this.command("retry", { id });
    await this.refresh();
  }

  async remove(id: number): Promise<void> {
    await this.command("remove", { id });
    await this.refresh();
  }

  reveal(path: string): Promise<void> {
    return this.command("reveal", { path });
  }

  open(path: string): Promise<void> {
    return this.command("open", { path });
  }

  /** Changes the options for the next runs; saved as the defaults shortly after. */
  setOptions(patch: Partial<RunRequest>): void {
    if (!this.state.options) return;
    const options = { ...this.state.options, ...patch };
    this.set({ options });
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const settings: Settings = { defaults: options };
      invoke("set_settings", { settings }).catch((e) =>
        this.set({ notice: { kind: "error", text: `Settings not saved: ${errorText(e)}` } }),
      );
    }, this.timing.saveMs);
  }

  /** Where a clip plays from in the window; "" before the shell answered. */
  mediaUrl(path: string): string {
    return mediaUrl(this.state.mediaBase, path);
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }
}

// The window's state and everything that changes it: commands to the shell, engine events,
// drag-and-drop. Components read `store.get()` and call the methods; nothing else talks to
// Tauri, and this file only through the wrappers generated from the shell's declarations
// (bindings/commands.ts, bindings/events.ts).

import type { UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import { commands } from "../bindings/commands";
import type { CommandErrorKind } from "../bindings/CommandErrorKind";
import type { Event } from "../bindings/Event";
import { events } from "../bindings/events";
import type { JobId } from "../bindings/JobId";
import type { RunRequest } from "../bindings/RunRequest";
import type { Settings } from "../bindings/Settings";
import type { StylePreview } from "../bindings/StylePreview";
import { mediaUrl } from "./format";
import { applyEvent, applyViews, emptyJobs, needsRefresh, type JobsState } from "./jobs";
import { asCommandError } from "./kinds";

export interface Notice {
  kind: "error" | "info";
  text: string;
  /** Why a command was refused (shown as a label before the text). */
  errorKind?: CommandErrorKind;
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
  return asCommandError(e)?.message ?? String(e);
}

/** A failed command as a notice, with the shell's or the engine's kind. */
function errorNotice(e: unknown, prefix = ""): Notice {
  const error = asCommandError(e);
  return error
    ? { kind: "error", text: prefix + error.message, errorKind: error.kind }
    : { kind: "error", text: prefix + String(e) };
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
    this.unlisten.push(await events.engine.listen((e) => this.onEvent(e)));
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
      commands.getSettings(),
      commands.captionStyles(),
      commands.mediaBase(),
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
      const views = await commands.listJobs();
      this.set({ jobs: applyViews(this.state.jobs, views) });
    } catch (e) {
      this.set({ notice: errorNotice(e, "Could not list jobs: ") });
    }
  }

  /**
   * Submits the URLs in pasted `text`; false (with a notice) when the shell refuses, e.g.
   * when it finds no URL there (the shell decides what a URL is).
   */
  async addUrls(text: string): Promise<boolean> {
    return this.submit((options) => commands.addUrls(text, options));
  }

  async addPaths(paths: string[]): Promise<boolean> {
    if (paths.length === 0) return false;
    return this.submit((options) => commands.addPaths(paths, options));
  }

  private async submit(add: (options: RunRequest) => Promise<JobId[]>): Promise<boolean> {
    const options = this.state.options;
    if (!options) return false;
    try {
      const ids = await add(options);
      const text = ids.length === 1 ? "Added 1 job" : `Added ${ids.length} jobs`;
      this.set({ notice: { kind: "info", text: ids.length === 0 ? "No videos found there" : text } });
      await this.refresh();
      return true;
    } catch (e) {
      this.set({ notice: errorNotice(e) });
      return false;
    }
  }

  /** Runs a command whose refusal is only shown (as a notice with its kind). */
  private async command(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      this.set({ notice: errorNotice(e) });
    }
  }

  cancel(id: JobId): Promise<void> {
    return this.command(() => commands.cancel(id));
  }

  async retry(id: JobId): Promise<void> {
    await this.command(() => commands.retry(id));
    await this.refresh();
  }

  async remove(id: JobId): Promise<void> {
    await this.command(() => commands.remove(id));
    await this.refresh();
  }

  reveal(path: string): Promise<void> {
    return this.command(() => commands.reveal(path));
  }

  open(path: string): Promise<void> {
    return this.command(() => commands.open(path));
  }

  /** Changes the options for the next runs; saved as the defaults shortly after. */
  setOptions(patch: Partial<RunRequest>): void {
    if (!this.state.options) return;
    const options = { ...this.state.options, ...patch };
    this.set({ options });
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const settings: Settings = { defaults: options };
      commands.setSettings(settings).catch((e) => this.set({ notice: errorNotice(e, "Settings not saved: ") }));
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

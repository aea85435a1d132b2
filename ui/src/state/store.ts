// The window's state and everything that changes it: commands to the shell, engine events,
// drag-and-drop. Components read `store.get()` and call the methods; nothing else talks to
// Tauri, and this file only through the wrappers generated from the shell's declarations
// (bindings/commands.ts, bindings/events.ts).

import type { UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { ClipEdit } from "../bindings/ClipEdit";
import type { ClipFrame } from "../bindings/ClipFrame";
import type { ClipPlan } from "../bindings/ClipPlan";
import type { ClipView } from "../bindings/ClipView";
import { commands } from "../bindings/commands";
import type { CommandErrorKind } from "../bindings/CommandErrorKind";
import type { Event } from "../bindings/Event";
import { events } from "../bindings/events";
import type { FreeSpace } from "../bindings/FreeSpace";
import type { HealthReport } from "../bindings/HealthReport";
import type { ImportedModel } from "../bindings/ImportedModel";
import type { JobId } from "../bindings/JobId";
import type { ModelView } from "../bindings/ModelView";
import type { RunRequest } from "../bindings/RunRequest";
import type { Settings } from "../bindings/Settings";
import type { StylePreview } from "../bindings/StylePreview";
import type { WatchNotice } from "../bindings/WatchNotice";
import { mediaUrl } from "./format";
import { isReady } from "./health";
import { applyEvent, applyViews, emptyJobs, needsRefresh, rerenderEnded, type JobsState } from "./jobs";
import { asCommandError } from "./kinds";

export interface Notice {
  kind: "error" | "info";
  text: string;
  /** Why a command was refused (shown as a label before the text). */
  errorKind?: CommandErrorKind;
}

/** The set-up check panel. */
export interface HealthState {
  open: boolean;
  checking: boolean;
  report: HealthReport | null;
  /** The check itself could not run (the command failed). */
  error: string | null;
}

/** "Add a model…": idle, importing, or how the last import ended. */
export type ModelImport =
  | { state: "idle" }
  | { state: "busy"; path: string }
  | { state: "done"; model: ImportedModel }
  | { state: "failed"; path: string; error: string };

export interface AppState {
  jobs: JobsState;
  /** The options the next submission uses (saved as the defaults). */
  options: RunRequest | null;
  /** The watched folder (saved with the options); null when off. */
  watchFolder: string | null;
  /** The installed Whisper models, for the model choice. */
  models: ModelView[];
  /** Free space where clips go (for the output folder shown). */
  freeSpace: FreeSpace | null;
  health: HealthState;
  modelImport: ModelImport;
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
  private state: AppState = {
    jobs: emptyJobs(),
    options: null,
    watchFolder: null,
    models: [],
    freeSpace: null,
    health: { open: false, checking: false, report: null, error: null },
    modelImport: { state: "idle" },
    styles: [],
    notice: null,
    dragging: false,
    mediaBase: "",
  };
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
    this.unlisten.push(await events.watch.listen((n) => this.onWatchNotice(n)));
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
    this.set({ options: settings.defaults, watchFolder: settings.watch_folder ?? null, styles, mediaBase });
    void this.refreshFreeSpace();
    void this.loadModels();
    // The set-up check: shown at the first start, and whenever something a job needs is
    // missing. It takes a second or two; the window does not wait for it.
    const first = await commands.firstStart().catch(() => false);
    void this.checkHealth({ open: first === true, openIfNotReady: true });
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

  /** What the watched folder's watch did, as a notice; an added video shows as its card. */
  onWatchNotice(n: WatchNotice): void {
    this.set({ notice: { kind: n.kind === "failed" ? "error" : "info", text: n.message } });
    if (n.kind === "added") this.scheduleRefresh();
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
    const before = this.state.options;
    if (!before) return;
    const options = { ...before, ...patch };
    this.set({ options });
    if (options.out_dir !== before.out_dir) void this.refreshFreeSpace();
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveSettings(), this.timing.saveMs);
  }

  /** Sets (a folder) or clears (null) the watched folder; saved at once, which starts or
   * stops the shell's watch. */
  async setWatchFolder(folder: string | null): Promise<void> {
    if (!this.state.options) return;
    this.set({ watchFolder: folder });
    clearTimeout(this.saveTimer);
    await this.saveSettings();
  }

  private async saveSettings(): Promise<void> {
    const { options, watchFolder } = this.state;
    if (!options) return;
    const settings: Settings = { defaults: options, watch_folder: watchFolder };
    try {
      await commands.setSettings(settings);
    } catch (e) {
      this.set({ notice: errorNotice(e, "Settings not saved: ") });
    }
  }

  /** Free space for the output folder now chosen (an answer for an older folder is dropped). */
  async refreshFreeSpace(): Promise<void> {
    const path = this.state.options?.out_dir;
    if (!path) return;
    try {
      const free = await commands.freeSpace(path);
      if (free && this.state.options?.out_dir === path) this.set({ freeSpace: free });
    } catch {
      if (this.state.options?.out_dir === path) this.set({ freeSpace: { path, bytes: null } });
    }
  }

  async loadModels(): Promise<void> {
    try {
      const models = await commands.listModels();
      this.set({ models: Array.isArray(models) ? models : [] });
    } catch (e) {
      this.set({ notice: errorNotice(e, "Could not list the Whisper models: ") });
    }
  }

  /**
   * Runs the set-up check. `open` shows the panel; `openIfNotReady` shows it when
   * something a job needs is missing. An open panel stays open.
   */
  async checkHealth(opts: { open?: boolean; openIfNotReady?: boolean } = {}): Promise<void> {
    const open = this.state.health.open || opts.open === true;
    this.set({ health: { ...this.state.health, open, checking: true, error: null } });
    try {
      const report = await commands.healthCheck();
      const show = this.state.health.open || (opts.openIfNotReady === true && !isReady(report));
      this.set({ health: { open: show, checking: false, report, error: null } });
    } catch (e) {
      this.set({ health: { ...this.state.health, checking: false, error: errorText(e) } });
    }
  }

  /** Shows the set-up check, run again (things may have changed since the last one). */
  openHealth(): Promise<void> {
    return this.checkHealth({ open: true });
  }

  closeHealth(): void {
    this.set({ health: { ...this.state.health, open: false } });
  }

  /**
   * Imports a Whisper model (a ggml file or a faster-whisper folder) the person picked. The
   * engine's error is shown as it comes (it names the file and the cause).
   */
  async addModel(path: string): Promise<void> {
    if (this.state.modelImport.state === "busy") return;
    this.set({ modelImport: { state: "busy", path } });
    try {
      const model = await commands.importModel(path);
      this.set({ modelImport: { state: "done", model } });
      await this.loadModels();
      if (this.state.health.open) await this.checkHealth();
    } catch (e) {
      this.set({ modelImport: { state: "failed", path, error: errorText(e) } });
    }
  }

  /** The source frame `at` seconds into a clip, and the faces of its shot (the editor's
   * picker of a person or a crop). */
  clipFrame(output: string, at: number): Promise<ClipFrame> {
    return commands.clipFrame(output, at);
  }

  /** A clip's plan, for the editor. */
  clipPlan(output: string): Promise<ClipPlan> {
    return commands.clipPlan(output);
  }

  /** Saves an edit of a clip and renders it again (that clip only); the gallery follows. */
  async renderEdit(output: string, edit: ClipEdit): Promise<ClipView> {
    try {
      const view = await commands.renderEdit(output, edit);
      await this.refresh();
      return view;
    } finally {
      this.rerenderEnded(output);
    }
  }

  /** The card stops showing the clip's re-render (its events said how far it got). */
  private rerenderEnded(output: string) {
    for (const id of this.state.jobs.order) {
      const clip = this.state.jobs.jobs[id].clips.find((c) => c.output === output);
      if (clip) this.set({ jobs: rerenderEnded(this.state.jobs, id, clip.index) });
    }
  }

  /** Exports a clip for an editor beside it, then says where. */
  async exportClip(output: string, format: "otio" | "fcpxml" | "edl"): Promise<void> {
    try {
      const file = await commands.exportClip(output, format);
      this.set({ notice: { kind: "info", text: `Exported ${file}` } });
    } catch (e) {
      this.set({ notice: errorNotice(e, "Export failed: ") });
    }
  }

  /** Renders a fast low-resolution preview of an edit (not saved); its path. */
  async previewEdit(output: string, edit: ClipEdit): Promise<string> {
    try {
      return await commands.previewEdit(output, edit);
    } finally {
      this.rerenderEnded(output);
    }
  }

  mediaUrl(path: string): string {
    return mediaUrl(this.state.mediaBase, path);
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }
}

// The job list as the window shows it: the engine's job views (from `list_jobs`) merged with
// what its events say about each stage. Pure functions over plain data, so every rule is
// unit-tested without a window.

import type { ClipView } from "../bindings/ClipView";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { Event } from "../bindings/Event";
import type { Stage } from "../bindings/Stage";
import type { JobView } from "../bindings/JobView";
import type { SourceInfo } from "../bindings/SourceInfo";

export const STAGES: readonly Stage[] = [
  "fetch",
  "probe",
  "transcribe",
  "select",
  "analyse",
  "render",
];

/** Stages that run once per clip; the others work on the whole input (clip 0). */
const PER_CLIP: ReadonlySet<Stage> = new Set<Stage>(["analyse", "render"]);

export type StageStatus = "pending" | "waiting" | "running" | "done" | "skipped" | "failed";

export interface StageState {
  status: StageStatus;
  /** 0..1 over the whole stage (all clips for per-clip stages). */
  fraction: number;
  /** Seconds left in the stage, as last reported. */
  eta: number | null;
  /** Per-clip fractions (key: 1-based clip) for per-clip stages. */
  clips: Record<number, number>;
}

export type JobStatus = JobView["status"];

export interface JobState {
  id: number;
  input: string;
  /** Whether the input is a URL (the shell says; null until its job view arrived). */
  isUrl: boolean | null;
  title: string;
  status: JobStatus;
  error: string | null;
  errorKind: ErrorKind | null;
  /** Clip count once selection is done. */
  clipCount: number | null;
  stages: Record<Stage, StageState>;
  /** The finished job's clips (manifest), else those announced by `clip_ready` so far. */
  clips: ClipView[];
  /** A transient failure being retried (message), cleared when work resumes. */
  retrying: string | null;
  /** The finished job's input as it plays (from its manifest). */
  source: SourceInfo | null;
  /** It failed for want of a piece of the installation: the card offers the set-up check. */
  needsSetup: boolean;
  /** Clips of a finished job being rendered again after an edit (key: 1-based clip). */
  rerendering: Record<number, Rerender>;
}

/** Where the re-render of an edited clip is: its analysis (only when its parts or framing
 * changed) and then its render, each 0..1. */
export interface Rerender {
  stage: Stage;
  fraction: number;
}

/** A finished job's per-clip stage events come from a re-render of an edited clip (see
 * `applyEvent`): they show on that clip, and the job stays done. */
function isRerender(j: JobState, stage: Stage, clip: number): boolean {
  return j.status === "done" && PER_CLIP.has(stage) && clip > 0;
}

function setRerender(j: JobState, clip: number, r: Rerender | null): JobState {
  const rerendering = { ...j.rerendering };
  if (r) rerendering[clip] = r;
  else delete rerendering[clip];
  return { ...j, rerendering };
}

/** The re-render of `clip` ended (its command answered, whether it rendered or failed). */
export function rerenderEnded(state: JobsState, job: number, clip: number): JobsState {
  return update(state, job, (j) => setRerender(j, clip, null));
}

/** How the source was made upright and SDR, in words: "720×1280, turned 90°, HDR → SDR". */
export function sourceText(s: SourceInfo): string {
  const parts = [`${s.width}×${s.height}`];
  if (s.rotation !== 0) parts.push(`turned ${s.rotation}°`);
  if (s.mirrored) parts.push("mirrored");
  if (s.hdr) parts.push("HDR → SDR");
  if (s.interlaced) parts.push("deinterlaced");
  return parts.join(", ");
}

export interface JobsState {
  /** Newest first. */
  order: number[];
  jobs: Record<number, JobState>;
}

export const emptyJobs = (): JobsState => ({ order: [], jobs: {} });

function freshStages(): Record<Stage, StageState> {
  const s = {} as Record<Stage, StageState>;
  for (const st of STAGES) s[st] = { status: "pending", fraction: 0, eta: null, clips: {} };
  return s;
}

/** Stage states for a job known only from its summary (e.g. after the window restarts). */
function stagesFromView(v: JobView): Record<Stage, StageState> {
  const s = freshStages();
  const current = v.stage ? STAGES.indexOf(v.stage) : -1;
  STAGES.forEach((st, i) => {
    const state = s[st];
    if (st === "fetch" && !v.is_url) {
      state.status = "skipped";
    } else if (v.status === "done") {
      state.status = "done";
      state.fraction = 1;
    } else if (i < current) {
      state.status = "done";
      state.fraction = 1;
    } else if (i === current && v.status === "running") {
      state.status = "running";
    } else if (i === current && v.status === "failed") {
      state.status = "failed";
    }
  });
  return s;
}

function fromView(v: JobView, previous?: JobState): JobState {
  const live = previous !== undefined && previous.status !== "done" && v.status !== "done";
  let stages = live ? previous.stages : stagesFromView(v);
  if (!v.is_url && stages.fetch.status === "pending") {
    // Known from its event only, the job did not say whether it downloads.
    stages = { ...stages, fetch: { ...stages.fetch, status: "skipped" } };
  }
  const failedAt = v.stage;
  if (v.status === "failed" && failedAt && !STAGES.some((st) => stages[st].status === "failed")) {
    stages = { ...stages, [failedAt]: { ...stages[failedAt], status: "failed", eta: null } };
  }
  return {
    id: v.id,
    input: v.input,
    isUrl: v.is_url,
    title: v.title || v.input,
    status: v.status,
    error: v.error,
    errorKind: v.error_kind,
    clipCount: previous?.clipCount ?? (v.clips.length || null),
    // Events know more about progress than a summary: keep them while the job is live.
    stages,
    clips: v.clips.length > 0 ? v.clips : (previous?.clips ?? []),
    retrying: previous?.retrying ?? null,
    source: v.source ?? previous?.source ?? null,
    needsSetup: v.needs_setup,
    rerendering: previous?.rerendering ?? {},
  };
}

/** Replaces the list with the engine's, keeping event-derived progress of known jobs. */
export function applyViews(state: JobsState, views: JobView[]): JobsState {
  const jobs: Record<number, JobState> = {};
  for (const v of views) jobs[v.id] = fromView(v, state.jobs[v.id]);
  const order = views.map((v) => v.id).sort((a, b) => b - a);
  return { order, jobs };
}

function update(state: JobsState, id: number, f: (j: JobState) => JobState): JobsState {
  const job = state.jobs[id];
  if (!job) return state;
  return { ...state, jobs: { ...state.jobs, [id]: f(job) } };
}

function setStage(job: JobState, stage: Stage, f: (s: StageState) => StageState): JobState {
  return { ...job, stages: { ...job.stages, [stage]: f(job.stages[stage]) } };
}

function stageFraction(job: JobState, stage: Stage, clips: Record<number, number>, clip: number, fraction: number): number {
  if (!PER_CLIP.has(stage) || clip === 0) return fraction;
  const total = Math.max(job.clipCount ?? 1, Object.keys(clips).length, 1);
  let sum = 0;
  for (const f of Object.values(clips)) sum += f;
  return Math.min(1, sum / total);
}

/** Stages before `stage` that never reported are finished or were not needed. */
function settleEarlier(job: JobState, stage: Stage): JobState {
  const idx = STAGES.indexOf(stage);
  const stages = { ...job.stages };
  for (const st of STAGES.slice(0, idx)) {
    if (stages[st].status === "pending") stages[st] = { ...stages[st], status: "skipped" };
    if (stages[st].status === "running" && !PER_CLIP.has(st)) {
      stages[st] = { ...stages[st], status: "done", fraction: 1, eta: null };
    }
  }
  return { ...job, stages };
}

function finish(job: JobState, status: JobStatus): JobState {
  const stages = { ...job.stages };
  for (const st of STAGES) {
    const s = stages[st];
    if (status === "done") {
      if (s.status === "pending") stages[st] = { ...s, status: "skipped" };
      else if (s.status !== "skipped") stages[st] = { ...s, status: "done", fraction: 1, eta: null };
    } else if (s.status === "running" || s.status === "waiting") {
      // Stopped mid-stage: the bar stays where it stopped; a failure marks the stage.
      stages[st] = { ...s, status: status === "failed" ? "failed" : "pending", eta: null };
    }
  }
  return { ...job, status, stages, retrying: null };
}

/** Applies one engine event. Unknown jobs are created from `job_queued` only. */
export function applyEvent(state: JobsState, e: Event): JobsState {
  if (e.event === "stage_started" || e.event === "stage_skipped" || e.event === "stage_done" || e.event === "progress") {
    const job = state.jobs[e.job];
    if (job && isRerender(job, e.stage, e.clip)) {
      const fraction = e.event === "progress" ? Math.min(1, e.fraction) : e.event === "stage_started" ? 0 : 1;
      return update(state, e.job, (j) => setRerender(j, e.clip, { stage: e.stage, fraction }));
    }
  }
  switch (e.event) {
    case "job_queued": {
      const known = state.jobs[e.job];
      // Whether it downloads comes with its job view (the refresh this event triggers).
      const stages = freshStages();
      if (known?.isUrl === false) stages.fetch.status = "skipped";
      const job: JobState = {
        id: e.job,
        input: e.input,
        isUrl: known?.isUrl ?? null,
        title: e.title || e.input,
        status: "queued",
        error: null,
        errorKind: null,
        clipCount: null,
        stages,
        clips: [],
        retrying: null,
        source: known?.source ?? null,
        needsSetup: false,
        rerendering: {},
      };
      const order = known ? state.order : [e.job, ...state.order].sort((a, b) => b - a);
      return { order, jobs: { ...state.jobs, [e.job]: job } };
    }
    case "job_started":
      return update(state, e.job, (j) => ({ ...j, status: "running", clipCount: e.clips }));
    case "throttled":
      return update(state, e.job, (j) =>
        setStage(j, e.stage, (s) => (s.status === "pending" ? { ...s, status: "waiting" } : s)),
      );
    case "stage_started":
      return update(state, e.job, (j) =>
        setStage(settleEarlier({ ...j, status: "running", retrying: null }, e.stage), e.stage, (s) => ({
          ...s,
          status: "running",
        })),
      );
    case "stage_skipped":
    case "stage_done":
      return update(state, e.job, (j) =>
        setStage(j, e.stage, (s) => {
          if (PER_CLIP.has(e.stage) && e.clip > 0) {
            const clips = { ...s.clips, [e.clip]: 1 };
            const fraction = stageFraction(j, e.stage, clips, e.clip, 1);
            const all = j.clipCount !== null && Object.keys(clips).length >= j.clipCount;
            return { ...s, clips, fraction, status: all ? "done" : s.status, eta: all ? null : s.eta };
          }
          return { ...s, status: "done", fraction: 1, eta: null };
        }),
      );
    case "progress":
      return update(state, e.job, (j) =>
        setStage(settleEarlier({ ...j, status: "running" }, e.stage), e.stage, (s) => {
          const clips = PER_CLIP.has(e.stage) && e.clip > 0 ? { ...s.clips, [e.clip]: e.fraction } : s.clips;
          const fraction = stageFraction(j, e.stage, clips, e.clip, e.fraction);
          // Never move a bar backwards (a resumed stage restarts its own count).
          return {
            ...s,
            status: s.status === "done" ? "done" : "running",
            clips,
            fraction: Math.max(s.fraction, Math.min(1, fraction)),
            eta: e.eta_seconds,
          };
        }),
      );
    case "clip_ready":
      return update(state, e.job, (j) => {
        if (j.status === "done") {
          // A re-rendered clip: its new length shows at once (the job list follows).
          const clips = j.clips.map((c) => (c.index === e.clip && c.output === e.output ? { ...c, duration: e.duration } : c));
          return setRerender({ ...j, clips }, e.clip, null);
        }
        if (j.clips.some((c) => c.index === e.clip)) return j;
        const clip: ClipView = {
          index: e.clip,
          output: e.output,
          duration: e.duration,
          width: e.width,
          height: e.height,
          excerpt: null,
          score: null,
          reasons: [],
        };
        return { ...j, clips: [...j.clips, clip].sort((a, b) => a.index - b.index) };
      });
    case "retrying":
      return update(state, e.job, (j) => ({ ...j, retrying: `${e.message} (attempt ${e.attempt})` }));
    case "job_done":
    case "job_skipped":
      return update(state, e.job, (j) => finish(j, "done"));
    case "job_failed":
      if (e.job === null) return state;
      return update(state, e.job, (j) => ({
        ...finish(j, "failed"),
        error: e.message,
        errorKind: e.kind,
      }));
    case "job_cancelled":
      return update(state, e.job, (j) => ({ ...finish(j, "cancelled"), errorKind: "cancelled" }));
  }
}

/** Events after which the job list should be read again (titles, manifests, removals). */
export function needsRefresh(e: Event): boolean {
  return (
    e.event === "job_queued" ||
    e.event === "job_done" ||
    e.event === "job_skipped" ||
    e.event === "job_failed" ||
    e.event === "job_cancelled"
  );
}

export function canCancel(j: JobState): boolean {
  return j.status === "queued" || j.status === "running";
}

export function canRetry(j: JobState): boolean {
  return j.status === "failed" || j.status === "cancelled";
}

import { describe, expect, it } from "vitest";

import type { Event } from "../bindings/Event";
import type { Stage } from "../bindings/Stage";
import type { JobView } from "../bindings/JobView";
import { applyEvent, applyViews, canCancel, canRetry, emptyJobs, needsRefresh, rerenderEnded, type JobsState } from "./jobs";

const URL_IN = "http://127.0.0.1:8000/talk.mp4";

function run(events: Event[], start: JobsState = emptyJobs()): JobsState {
  return events.reduce(applyEvent, start);
}

function view(p: Partial<JobView> & { id: number }): JobView {
  return {
    input: "/v/a.mp4",
    is_url: false,
    title: "a.mp4",
    status: "queued",
    stage: null,
    error: null,
    error_kind: null,
    outputs: [],
    clips: [],
    source: null,
    needs_setup: false,
    ...p,
  };
}

const queued = (job: number, input = URL_IN): Event => ({ event: "job_queued", job, input, title: "", resumed: false });
const progress = (job: number, stage: Stage, fraction: number, clip = 0, eta: number | null = 3): Event => ({
  event: "progress",
  job,
  input: URL_IN,
  clip,
  stage,
  fraction,
  eta_seconds: eta,
});

describe("job list from events", () => {
  it("creates jobs newest first; whether they download, their view says", () => {
    let s = run([queued(1), queued(2, "/v/b.mp4")]);
    expect(s.order).toEqual([2, 1]);
    expect(s.jobs[1].title).toBe(URL_IN);
    expect([s.jobs[1].isUrl, s.jobs[2].isUrl]).toEqual([null, null]);
    s = applyViews(s, [view({ id: 1, input: URL_IN, is_url: true }), view({ id: 2, input: "/v/b.mp4" })]);
    expect(s.jobs[1].isUrl).toBe(true);
    expect(s.jobs[1].stages.fetch.status).toBe("pending");
    expect(s.jobs[2].isUrl).toBe(false);
    expect(s.jobs[2].stages.fetch.status).toBe("skipped");
    // The shell's answer, not the text: an input that looks like a URL but is not one.
    s = applyViews(emptyJobs(), [view({ id: 3, input: "https-talk.mp4" })]);
    expect(s.jobs[3].stages.fetch.status).toBe("skipped");
  });

  it("moves a stage bar forward and never back", () => {
    let s = run([queued(1), { event: "stage_started", job: 1, stage: "fetch", clip: 0 }, progress(1, "fetch", 0.4)]);
    expect(s.jobs[1].status).toBe("running");
    expect(s.jobs[1].stages.fetch).toMatchObject({ status: "running", fraction: 0.4, eta: 3 });
    s = applyEvent(s, progress(1, "fetch", 0.1));
    expect(s.jobs[1].stages.fetch.fraction).toBe(0.4);
  });

  it("settles stages the engine went past without a word", () => {
    const s = run([
      queued(1),
      { event: "stage_started", job: 1, stage: "fetch", clip: 0 },
      progress(1, "fetch", 0.7),
      { event: "stage_started", job: 1, stage: "select", clip: 0 },
    ]);
    const st = s.jobs[1].stages;
    expect(st.fetch).toMatchObject({ status: "done", fraction: 1 });
    expect(st.probe.status).toBe("skipped");
    expect(st.transcribe.status).toBe("skipped");
    expect(st.select.status).toBe("running");
  });

  it("averages per-clip stages over the clip count", () => {
    let s = run([queued(1), { event: "job_started", job: 1, input: URL_IN, clips: 2 }]);
    s = applyEvent(s, progress(1, "render", 0.5, 1));
    expect(s.jobs[1].stages.render.fraction).toBeCloseTo(0.25);
    s = applyEvent(s, { event: "stage_done", job: 1, stage: "render", clip: 1, seconds: 4 });
    expect(s.jobs[1].stages.render.fraction).toBeCloseTo(0.5);
    expect(s.jobs[1].stages.render.status).toBe("running");
    s = applyEvent(s, { event: "stage_done", job: 1, stage: "render", clip: 2, seconds: 4 });
    expect(s.jobs[1].stages.render).toMatchObject({ status: "done", fraction: 1 });
  });

  it("lists clips as they are ready, in order, once each", () => {
    const ready = (clip: number): Event => ({
      event: "clip_ready",
      job: 1,
      input: URL_IN,
      clip,
      output: `/out/a/clip-0${clip}.mp4`,
      width: 1080,
      height: 1920,
      duration: 9.5,
      encoder: "libx264",
      render_seconds: 3,
    });
    const s = run([queued(1), ready(2), ready(1), ready(2)]);
    expect(s.jobs[1].clips.map((c) => c.index)).toEqual([1, 2]);
  });

  it("shows an edited clip's re-render on that clip; the job stays done", () => {
    const clip = (duration: number) => ({
      index: 2,
      output: "/out/a/clip-02.mp4",
      duration,
      width: 1080,
      height: 1920,
      excerpt: "a b",
      score: null,
      reasons: [],
    });
    let s = applyViews(emptyJobs(), [view({ id: 1, status: "done", clips: [clip(9.5)] })]);
    const stagesBefore = s.jobs[1].stages;
    s = run(
      [
        { event: "stage_started", job: 1, stage: "analyse", clip: 2 },
        progress(1, "analyse", 0.5, 2),
        { event: "stage_started", job: 1, stage: "render", clip: 2 },
        progress(1, "render", 0.25, 2),
      ],
      s,
    );
    expect(s.jobs[1].status).toBe("done");
    expect(s.jobs[1].stages).toEqual(stagesBefore);
    expect(s.jobs[1].rerendering).toEqual({ 2: { stage: "render", fraction: 0.25 } });
    // Ready: the new length at once, the bar gone.
    const ready: Event = {
      event: "clip_ready",
      job: 1,
      input: "/v/a.mp4",
      clip: 2,
      output: "/out/a/clip-02.mp4",
      width: 1080,
      height: 1920,
      duration: 7.25,
      encoder: "libx264",
      render_seconds: 2,
    };
    const after = applyEvent(s, ready);
    expect(after.jobs[1].clips[0].duration).toBe(7.25);
    expect(after.jobs[1].rerendering).toEqual({});
    // A failed re-render sends no clip_ready: its command's answer ends the bar.
    expect(rerenderEnded(s, 1, 2).jobs[1].rerendering).toEqual({});
    // A job list read meanwhile keeps the bar.
    expect(applyViews(s, [view({ id: 1, status: "done", clips: [clip(9.5)] })]).jobs[1].rerendering[2]).toBeDefined();
  });

  it("finishes: done fills every stage that ran, failure keeps the error, cancel stops bars", () => {
    const base = [queued(1), { event: "stage_started", job: 1, stage: "fetch", clip: 0 } as Event, progress(1, "fetch", 0.5)];
    const done = run([...base, { event: "job_done", job: 1, input: URL_IN, manifest: "/o/clips.json", outputs: [] }]);
    expect(done.jobs[1].status).toBe("done");
    expect(done.jobs[1].stages.fetch).toMatchObject({ status: "done", fraction: 1 });
    expect(done.jobs[1].stages.render.status).toBe("skipped");

    const failed = run([...base, { event: "job_failed", job: 1, input: URL_IN, kind: "fetch", message: "HTTP Error 404" }]);
    expect(failed.jobs[1]).toMatchObject({ status: "failed", error: "HTTP Error 404", errorKind: "fetch" });
    expect(failed.jobs[1].stages.fetch).toMatchObject({ status: "failed", fraction: 0.5 });
    expect(canRetry(failed.jobs[1])).toBe(true);
    expect(canCancel(failed.jobs[1])).toBe(false);

    const cancelled = run([...base, { event: "job_cancelled", job: 1, input: URL_IN }]);
    expect(cancelled.jobs[1]).toMatchObject({ status: "cancelled", errorKind: "cancelled" });
    expect(cancelled.jobs[1].stages.fetch).toMatchObject({ status: "pending", fraction: 0.5, eta: null });
  });

  it("ignores events for jobs it does not know and failures without a job", () => {
    const s = run([queued(1)]);
    expect(applyEvent(s, progress(9, "render", 0.5))).toBe(s);
    expect(applyEvent(s, { event: "job_failed", job: null, input: "/nope", kind: "input_missing", message: "x" })).toBe(s);
  });

  it("asks for a refresh on lifecycle events only", () => {
    expect(needsRefresh(queued(1))).toBe(true);
    expect(needsRefresh(progress(1, "render", 0.1))).toBe(false);
    expect(needsRefresh({ event: "job_cancelled", job: 1, input: "" })).toBe(true);
  });
});

describe("job list from list_jobs", () => {
  it("derives stages from a summary after a restart", () => {
    const s = applyViews(emptyJobs(), [
      view({ id: 3, status: "running", stage: "transcribe" }),
      view({ id: 4, status: "done", stage: "render", input: URL_IN, is_url: true }),
    ]);
    expect(s.order).toEqual([4, 3]);
    const running = s.jobs[3].stages;
    expect(running.fetch.status).toBe("skipped");
    expect(running.probe.status).toBe("done");
    expect(running.transcribe.status).toBe("running");
    expect(running.render.status).toBe("pending");
    expect(s.jobs[4].stages.fetch.status).toBe("done");
    const failed = applyViews(emptyJobs(), [view({ id: 5, status: "failed", stage: "render", error: "disk full" })]);
    expect(failed.jobs[5].stages.render.status).toBe("failed");
    expect(failed.jobs[5].stages.select.status).toBe("done");
  });

  it("keeps live progress, takes clips and removals from the engine", () => {
    let s = run([queued(1), queued(2), progress(1, "fetch", 0.6)]);
    s = applyViews(s, [view({ id: 1, input: URL_IN, is_url: true, title: "My talk", status: "running", stage: "fetch" })]);
    expect(s.order).toEqual([1]);
    expect(s.jobs[1].title).toBe("My talk");
    expect(s.jobs[1].stages.fetch.fraction).toBe(0.6);
    const clip = { index: 1, output: "/o/clip-01.mp4", duration: 5, width: 1080, height: 1920, excerpt: "hello there", score: 2.5, reasons: [{ signal: "hook", value: 1.2, text: "opens with a question" }] };
    s = applyViews(s, [view({ id: 1, input: URL_IN, is_url: true, status: "done", stage: "render", clips: [clip] })]);
    expect(s.jobs[1].clips).toEqual([clip]);
    expect(s.jobs[1].stages.render.status).toBe("done");
  });

  it("marks the stage a job failed in, even when no event said it started", () => {
    let s = run([queued(1)]);
    s = applyViews(s, [view({ id: 1, input: URL_IN, is_url: true, status: "failed", stage: "fetch", error: "404" })]);
    expect(s.jobs[1].stages.fetch.status).toBe("failed");
  });
});

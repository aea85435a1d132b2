import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { ErrorKind } from "../bindings/ErrorKind";
import { emptyJobs, applyViews, type JobState } from "../state/jobs";
import { ERROR_LABEL } from "../state/kinds";
import { Store } from "../state/store";
import { AddBar } from "./AddBar";
import { JobCard } from "./JobCard";

let root: HTMLElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  clearMocks();
});

function failedJob(kind: ErrorKind, status: "failed" | "cancelled" = "failed", needsSetup = false): JobState {
  const jobs = applyViews(emptyJobs(), [
    {
      id: 1,
      input: "https://example.com/v/gone",
      is_url: true,
      title: "gone",
      status,
      stage: "fetch",
      error: "the details",
      error_kind: kind,
      outputs: [],
      clips: [],
      source: null,
      needs_setup: needsSetup,
    },
  ]);
  return jobs.jobs[1];
}

function card(job: JobState): HTMLElement {
  render(<JobCard job={job} store={new Store()} onPreview={() => {}} />, root);
  const el = root.querySelector<HTMLElement>(".job");
  if (!el) throw new Error("no card");
  return el;
}

describe("a finished job's card", () => {
  it("says how its source was made upright and SDR", () => {
    const jobs = applyViews(emptyJobs(), [
      {
        id: 2,
        input: "/v/phone.mp4",
        is_url: false,
        title: "phone",
        status: "done",
        stage: "render",
        error: null,
        error_kind: null,
        outputs: [],
        clips: [],
        source: { width: 720, height: 1280, rotation: 90, mirrored: false, hdr: true, interlaced: false },
        needs_setup: false,
      },
    ]);
    const el = card(jobs.jobs[2]);
    expect(el.querySelector(".job-source")?.textContent).toBe("Source 720×1280, turned 90°, HDR → SDR");
    // A job without a manifest's source (failed, or from an older version) shows none.
    expect(card(failedJob("io")).querySelector(".job-source")).toBeNull();
  });
});

describe("a stopped job's card", () => {
  it("shows every error kind as its own label, beside the message", () => {
    const kinds = Object.keys(ERROR_LABEL) as ErrorKind[];
    expect(kinds.length).toBeGreaterThanOrEqual(23);
    const seen = new Set<string>();
    for (const kind of kinds) {
      const el = card(failedJob(kind));
      const label = el.querySelector(".job-error .error-kind");
      expect(label?.getAttribute("data-kind")).toBe(kind);
      expect(label?.textContent).toBe(ERROR_LABEL[kind]);
      expect(el.querySelector(".job-error .error-message")?.textContent).toBe("the details");
      seen.add(label?.textContent ?? "");
    }
    expect(seen.size).toBe(kinds.length);
  });

  it("names the causes people act on", () => {
    expect(card(failedJob("fetch_not_found")).querySelector(".error-kind")?.textContent).toBe("Not found (404)");
    expect(card(failedJob("fetch_sign_in")).querySelector(".error-kind")?.textContent).toBe("Sign-in required");
    expect(card(failedJob("input_invalid")).querySelector(".error-kind")?.textContent).toBe("Damaged file");
    expect(card(failedJob("detector")).querySelector(".error-kind")?.textContent).toBe("Face detector missing");
    const cancelled = card(failedJob("cancelled", "cancelled"));
    expect(cancelled.querySelector(".job-error .error-kind")?.textContent).toBe("Cancelled");
    expect(cancelled.querySelector(".job-error")?.getAttribute("role")).toBe("status");
  });

  it("shows the download stage only when the shell says the input is a URL", () => {
    const url = card(failedJob("fetch"));
    expect(url.querySelector('.stage[data-stage="fetch"]')).not.toBeNull();
    const file = card({ ...failedJob("render"), isUrl: false });
    expect(file.querySelector('.stage[data-stage="fetch"]')).toBeNull();
    expect(file.querySelector(".job-thumb")?.textContent).toBe("FILE");
  });
});

describe("a refused command", () => {
  it("shows the engine's kind in the notice", async () => {
    mockWindows("main");
    mockIPC((cmd) => {
      if (cmd === "remove") throw { kind: "job_not_found", message: "no job 12" };
      return cmd === "list_jobs" ? [] : null;
    });
    const store = new Store();
    await store.remove(12);
    render(<AddBar store={store} notice={store.get().notice} />, root);
    const kind = root.querySelector(".notice-kind");
    expect(kind?.getAttribute("data-kind")).toBe("job_not_found");
    expect(kind?.textContent).toBe("Job not found");
    expect(root.querySelector(".notice")?.textContent).toContain("no job 12");
  });
});

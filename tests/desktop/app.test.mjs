// End-to-end tests of the real desktop app under Xvfb, driven through tauri-driver and
// WebKitWebDriver. Started by scripts/test-desktop.sh, which builds the app, writes its
// settings (output folder, fast options) and sets:
//   REELCUT_APP      the app binary
//   REELCUT_MEDIA    tests/media (fixtures)
//   REELCUT_WORK     a scratch folder (output in $REELCUT_WORK/out, the app's log in
//                    $REELCUT_WORK/logs)
//   REELCUT_SHOTS    where screenshots and metrics go
//   WEBDRIVER_PORT   tauri-driver's port

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { serveMedia } from "./server.mjs";
import { APP, MEDIA, SHOTS, WORK, connect, saveShot } from "./session.mjs";


let browser;
let server;
let shot = 0;

async function screenshot(name) {
  shot += 1;
  return saveShot(browser, join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`));
}

/** Job cards as {id, status, title} in screen order. */
function jobCards() {
  return browser.execute(() =>
    [...document.querySelectorAll(".job")].map((el) => ({
      id: Number(el.getAttribute("data-job-id")),
      status: el.getAttribute("data-status"),
      title: el.querySelector("h3")?.textContent ?? "",
      stages: Object.fromEntries(
        [...el.querySelectorAll(".stage")].map((s) => [
          s.getAttribute("data-stage"),
          {
            status: s.getAttribute("data-status"),
            value: Number(s.querySelector(".bar")?.getAttribute("aria-valuenow") ?? 0),
          },
        ]),
      ),
      clips: [...el.querySelectorAll(".clip")].map((c) => ({
        output: c.getAttribute("data-output"),
        excerpt: c.querySelector(".excerpt")?.textContent ?? "",
      })),
      error: el.querySelector(".job-error .error-message")?.textContent ?? null,
      kind: el.querySelector(".job-error .error-kind")?.getAttribute("data-kind") ?? null,
      kindLabel: el.querySelector(".job-error .error-kind")?.textContent ?? null,
    })),
  );
}

async function job(id) {
  return (await jobCards()).find((j) => j.id === id);
}

async function waitForJob(id, predicate, timeout, message) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await job(id);
      return last !== undefined && predicate(last);
    },
    { timeout, interval: 100, timeoutMsg: `${message}; last seen: ${JSON.stringify(last)}` },
  );
  return last;
}

/** Ids of jobs added after `known`. */
async function newJobs(known, count, timeout = 20_000) {
  let fresh = [];
  await browser.waitUntil(
    async () => {
      fresh = (await jobCards()).filter((j) => !known.has(j.id));
      return fresh.length >= count;
    },
    { timeout, interval: 100, timeoutMsg: `expected ${count} new job(s), saw ${fresh.length}` },
  );
  return fresh;
}

async function knownIds() {
  return new Set((await jobCards()).map((j) => j.id));
}

/** Pids of the process tree under `pid` (excluding it). */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

function appPid() {
  const out = execFileSync("pgrep", ["-f", "-x", `${APP}.*`], { encoding: "utf8" }).trim().split("\n");
  return Number(out[0]);
}

/** A new session: tauri-driver starts the app. */
async function openApp() {
  browser = await connect();
  await browser.setWindowSize?.(1280, 800).catch(() => {});
}

/** Waits up to 15 s for process `pid` to end (or be a zombie); whether it did. */
async function exited(pid) {
  const gone = () => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] === "Z";
    } catch {
      return true; // reaped
    }
  };
  const t0 = Date.now();
  while (!gone() && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
  return gone();
}

// The job the quit test leaves interrupted; the next start resumes it.
let quitJob;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serveMedia(MEDIA);
  await openApp();
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  server?.close();
});

describe("Reelcut desktop", () => {
  it("opens its window with the options loaded", async () => {
    await browser.$("#url-input").waitForExist({ timeout: 30_000 });
    await browser.waitUntil(async () => (await browser.$("#out-dir").isExisting()), {
      timeout: 10_000,
      timeoutMsg: "settings never loaded",
    });
    const outDir = await browser.$("#out-dir").getProperty("textContent");
    assert.equal(outDir, join(WORK, "out"));
    // The jump-cut switches, off until a person turns them on.
    for (const id of ["#cut-silences", "#cut-fillers"]) {
      assert.equal(await browser.$(id).isSelected(), false, `${id} starts off`);
    }
    await screenshot("window");
  });

  it("downloads a pasted URL, shows each stage's progress, and lists the clips", async () => {
    const known = await knownIds();
    const url = `${server.url}/media/speech.mp4`;
    await browser.$("#url-input").setValue(url);
    await browser.keys("Enter");
    const [added] = await newJobs(known, 1);

    // Watch the stages: at least one bar must be seen part-way (not only 0 or 100).
    const seen = new Map();
    let midway = false;
    const finished = await waitForJob(
      added.id,
      (j) => {
        for (const [stage, s] of Object.entries(j.stages)) {
          if (s.status === "running" || s.status === "done") seen.set(stage, s.status);
          if (s.status === "running" && s.value > 0 && s.value < 100) midway = true;
        }
        return j.status === "done" || j.status === "failed";
      },
      240_000,
      "the URL job did not finish",
    );
    assert.equal(finished.status, "done", `job failed: ${finished.error}`);
    assert.ok(seen.has("fetch"), `the download stage was shown: ${[...seen.keys()]}`);
    assert.ok(seen.has("render"), `the render stage was shown: ${[...seen.keys()]}`);
    assert.ok(midway, "a progress bar was seen part-way through a stage");

    const withClips = await waitForJob(added.id, (j) => j.clips.length > 0, 10_000, "no clips in the gallery");
    for (const c of withClips.clips) {
      assert.ok(existsSync(c.output), `clip file exists: ${c.output}`);
      assert.ok(statSync(c.output).size > 10_000, `clip is not empty: ${c.output}`);
      assert.ok(c.output.startsWith(join(WORK, "out")), `clip in the output folder: ${c.output}`);
    }
    await screenshot("url-done");

    // The in-app preview opens from the keyboard (Enter on the clip) and closes with Escape.
    await browser.execute((id) => document.querySelector(`.job[data-job-id="${id}"] .thumb`).focus(), added.id);
    await browser.keys("Enter");
    await browser.$("dialog.preview[open] video").waitForExist({ timeout: 5_000 });
    // The player really decodes the clip (not just an element): frames and a size arrive.
    let media = null;
    await browser.waitUntil(
      async () => {
        media = await browser.execute(() => {
          const v = document.querySelector("dialog.preview video");
          return v
            ? { readyState: v.readyState, width: v.videoWidth, height: v.videoHeight, error: v.error ? v.error.code : null }
            : null;
        });
        return media !== null && (media.readyState >= 2 || media.error !== null);
      },
      { timeout: 15_000, interval: 200, timeoutMsg: "the preview never loaded" },
    );
    assert.equal(media.error, null, `preview error ${JSON.stringify(media)}`);
    assert.deepEqual([media.width, media.height], [1080, 1920]);
    await browser.pause(1000);
    await screenshot("preview");
    await browser.keys("Escape");
    await browser.$("dialog.preview[open]").waitForExist({ reverse: true, timeout: 5_000 });
  });

  it("turns a dropped folder of two videos into two jobs; commands stay fast while they run", async () => {
    const folder = join(WORK, "dropped");
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(MEDIA, "face.mp4"), join(folder, "one.mp4"));
    copyFileSync(join(MEDIA, "frames.mp4"), join(folder, "two.mp4"));
    const known = await knownIds();

    // What the webview emits for a real drop (ENVIRONMENT.md: real drops deliver the same).
    await browser.execute(
      (paths) =>
        window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
          event: "tauri://drag-drop",
          payload: { paths, position: { x: 400, y: 300 } },
        }),
      [folder],
    );
    const fresh = await newJobs(known, 2);
    assert.equal(fresh.length, 2);
    assert.deepEqual(fresh.map((j) => j.title).sort(), ["one", "two"]);

    // Round trips while both jobs work: the job list (reads the store) and a command that
    // does no work (the IPC floor).
    const measure = (command) =>
      browser.execute(async (cmd) => {
        const out = [];
        for (let i = 0; i < 200; i += 1) {
          const t0 = performance.now();
          await window.__TAURI_INTERNALS__.invoke(cmd);
          out.push(performance.now() - t0);
        }
        return out;
      }, command);
    const stats = (command, times) => {
      const sorted = [...times].sort((a, b) => a - b);
      const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      return { command, samples: sorted.length, p50_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2), max_ms: +sorted[sorted.length - 1].toFixed(2) };
    };
    const list = stats("list_jobs", await measure("list_jobs"));
    const settings = stats("get_settings", await measure("get_settings"));
    const running = (await jobCards()).filter((j) => j.status === "running").length;
    const metrics = { jobs_running_after: running, list_jobs: list, get_settings: settings };
    writeFileSync(join(SHOTS, "roundtrip.json"), JSON.stringify(metrics, null, 2));
    console.log(`# round trip while jobs run: ${JSON.stringify(metrics)}`);
    await screenshot("folder-running");

    for (const j of fresh) {
      const done = await waitForJob(j.id, (x) => x.status === "done" || x.status === "failed", 240_000, `${j.title} did not finish`);
      assert.equal(done.status, "done", `${j.title}: ${done.error}`);
    }
    await screenshot("folder-done");
  });

  it("shows why a URL failed, with Retry", async () => {
    const known = await knownIds();
    await browser.$("#url-input").setValue(`${server.url}/media/missing.mp4`);
    await browser.keys("Enter");
    const [added] = await newJobs(known, 1);
    const failed = await waitForJob(added.id, (j) => j.status === "failed", 60_000, "the missing URL did not fail");
    assert.match(failed.error ?? "", /404|not found/i);
    assert.equal(failed.kind, "fetch_not_found", "the engine's kind reaches the card");
    assert.equal(failed.kindLabel, "Not found (404)");
    assert.equal(failed.stages.fetch.status, "failed", "the download stage is marked failed");
    assert.ok(await browser.$(`.job[data-job-id="${added.id}"] button.retry`).isExisting(), "Retry is offered");
    await screenshot("failed");
  });

  it("cancels a running download: status cancelled, no child process left", async () => {
    const known = await knownIds();
    await browser.$("#url-input").setValue(`${server.url}/slow/sample.mp4`);
    await browser.keys("Enter");
    const [added] = await newJobs(known, 1);
    await waitForJob(added.id, (j) => j.stages.fetch?.status === "running", 60_000, "the download never started");
    const app = appPid();
    await browser.waitUntil(async () => descendants(app).some((p) => commandOf(p).includes("yt-dlp")), {
      timeout: 20_000,
      timeoutMsg: "yt-dlp was never started",
    });
    await screenshot("downloading");

    const t0 = Date.now();
    await browser.$(`.job[data-job-id="${added.id}"] button.cancel`).click();
    const cancelled = await waitForJob(added.id, (j) => j.status === "cancelled", 10_000, "the job was not cancelled");
    console.log(`# cancel took ${Date.now() - t0} ms to show`);
    assert.equal(cancelled.kind, "cancelled");
    assert.equal(cancelled.kindLabel, "Cancelled");
    await browser.waitUntil(async () => !descendants(app).some((p) => commandOf(p).includes("yt-dlp")), {
      timeout: 5_000,
      timeoutMsg: `children left: ${descendants(app).map(commandOf).join(" | ")}`,
    });
    await screenshot("cancelled");
  });

  it("logs to a file in its data folder, with the engine's job and stage spans", async () => {
    const log = join(WORK, "logs", "reelcut.log");
    assert.ok(existsSync(log), `${log} exists`);
    const text = readFileSync(log, "utf8");
    assert.match(text, /job\{job=\d+\}:stage\{stage="render" clip=1\}/, "a render stage's lines name job and stage");
    assert.doesNotMatch(text, /\x1b\[/, "no terminal colours in the file");
  });

  it("quits mid-transcription cleanly: the engine stops first, the job stays to resume", async () => {
    const known = await knownIds();
    // A file no run has transcribed (the transcript cache is keyed by the file's bytes), long
    // enough (2.5 min of speech) to be mid-transcription when the window closes.
    const file = join(WORK, "quit.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-i", join(MEDIA, "long.mp4"), "-c", "copy",
      "-metadata", `comment=reelcut-e2e-${Date.now()}`, file]);
    await browser.execute(
      (paths) =>
        window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
          event: "tauri://drag-drop",
          payload: { paths, position: { x: 400, y: 300 } },
        }),
      [file],
    );
    const [added] = await newJobs(known, 1);
    // Whisper is decoding (not just loading its model): its progress has moved.
    const t = (j) => j.stages.transcribe;
    await waitForJob(added.id, (j) => t(j)?.status === "running" && t(j).value > 0, 60_000, "transcription never started");
    const app = appPid();
    // What the window's close button sends (see close-window.py); the last window closing
    // asks the app to exit.
    const windows = execFileSync("xdotool", ["search", "--all", "--pid", String(app), "--name", "^Reelcut$"], { encoding: "utf8" })
      .trim()
      .split("\n");
    execFileSync("python3", [join(import.meta.dirname, "close-window.py"), ...windows]);
    assert.ok(await exited(app), "the app exited after its window closed");
    const text = readFileSync(join(WORK, "logs", "reelcut.log"), "utf8");
    assert.match(text, /stopping the engine/);
    assert.match(text, /engine stopped clean=true/, "stages and Whisper stopped before the exit");
    assert.match(text, new RegExp(`job\\{job=${added.id}\\}.*interrupted by shutdown; resumed at the next start`));
    quitJob = added.id;
  });

  it("resumes the interrupted job at the next start, and SIGTERM quits as cleanly as the window", async () => {
    assert.ok(quitJob, "the quit test ran first");
    const log = join(WORK, "logs", "reelcut.log");
    const before = readFileSync(log, "utf8").length;
    await browser.deleteSession().catch(() => {});
    await openApp();
    const t = (j) => j.stages.transcribe;
    await waitForJob(quitJob, (j) => t(j)?.status === "running" && t(j).value > 0, 90_000, "the interrupted job was not resumed");
    const app = appPid();
    process.kill(app, "SIGTERM");
    assert.ok(await exited(app), "the app exited on SIGTERM");
    const text = readFileSync(log, "utf8").slice(before);
    assert.match(text, /termination signal: quitting/);
    assert.match(text, /engine stopped clean=true/, "stages and Whisper stopped before the exit");
    assert.match(text, new RegExp(`job\\{job=${quitJob}\\}.*interrupted by shutdown; resumed at the next start`));
  });
});

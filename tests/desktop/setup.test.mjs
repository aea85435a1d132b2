// End-to-end tests of what makes the desktop app an installable product: the set-up check
// at the first start, the watched folder, the window's size across a restart. Run with
// app.test.mjs by scripts/test-desktop.sh, in either order (same environment variables, see
// app.test.mjs); each test starts its own app (a WebDriver session), and the settings file
// is left as the script wrote it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { APP, MEDIA, SHOTS, WORK, openApp as startApp, saveShot } from "./session.mjs";

const CONFIG = join(WORK, "config");
const SETTINGS = join(CONFIG, "settings.json");
/** The settings scripts/test-desktop.sh wrote, put back when these tests are done. */
const SCRIPT_SETTINGS = readFileSync(SETTINGS, "utf8");

let browser = null;

async function openApp() {
  browser = await startApp();
}

async function closeApp() {
  await browser?.deleteSession().catch(() => {});
  browser = null;
}

async function screenshot(name) {
  await saveShot(browser, join(SHOTS, `setup-${name}.png`));
}

/** The page's size in CSS pixels: the window's inner size (no window manager, scale 1). */
const pageSize = () => browser.execute(() => [window.innerWidth, window.innerHeight]);

function jobCards() {
  return browser.execute(() =>
    [...document.querySelectorAll(".job")].map((el) => ({
      id: Number(el.getAttribute("data-job-id")),
      status: el.getAttribute("data-status"),
      title: el.querySelector("h3")?.textContent ?? "",
      input: el.querySelector(".job-input")?.textContent ?? "",
      clips: [...el.querySelectorAll(".clip")].map((c) => c.getAttribute("data-output")),
      error: el.querySelector(".job-error .error-message")?.textContent ?? null,
    })),
  );
}

after(async () => {
  await closeApp();
  writeFileSync(SETTINGS, SCRIPT_SETTINGS);
});

describe("Reelcut desktop, set-up", () => {
  it("shows the set-up check with every check at the first start (no settings yet)", async () => {
    mkdirSync(SHOTS, { recursive: true });
    renameSync(SETTINGS, `${SETTINGS}.script`);
    try {
      await openApp();
      await browser.$("section.health").waitForExist({ timeout: 15_000, timeoutMsg: "no set-up check at the first start" });
      let rows = [];
      await browser.waitUntil(
        async () => {
          rows = await browser.execute(() =>
            [...document.querySelectorAll("section.health .check-row")].map((r) => ({
              id: r.getAttribute("data-check-id"),
              status: r.getAttribute("data-status"),
              label: r.querySelector(".check-label")?.textContent ?? "",
              found: r.querySelector(".check-found")?.textContent ?? "",
              fix: r.querySelector(".check-fix")?.textContent ?? null,
            })),
          );
          return rows.length > 0;
        },
        { timeout: 30_000, interval: 200, timeoutMsg: "the check never reported" },
      );
      const ids = rows.map((r) => r.id);
      for (const id of ["libav", "encoder", "onnxruntime", "face_model", "whisper", "yt-dlp", "disk:out", "job_store"]) {
        assert.ok(ids.includes(id), `${id} is listed: ${ids}`);
      }
      for (const r of rows) {
        assert.ok(["ok", "warning", "missing"].includes(r.status), JSON.stringify(r));
        assert.ok(r.label.length > 0 && r.found.length > 0, JSON.stringify(r));
        if (r.status === "missing") assert.ok(r.fix, `a fix for ${r.id}`);
      }
      // This checkout has everything a job needs (fonts, models, ONNX Runtime, Whisper).
      const missing = rows.filter((r) => r.status === "missing");
      assert.deepEqual(missing, [], "nothing missing here");
      const summary = await browser.$(".health-summary").getAttribute("data-ready");
      assert.equal(summary, "true");
      await screenshot("first-start");
      assert.ok(existsSync(SETTINGS), "the first start saved its defaults: the next start is not a first");
      await browser.$("button.close-health").click();
      await browser.$("section.health").waitForExist({ reverse: true, timeout: 5_000 });
    } finally {
      await closeApp();
      renameSync(`${SETTINGS}.script`, SETTINGS);
    }
  });

  it("turns a video copied into the watched folder into a job that finishes with clips", async () => {
    const watched = join(WORK, "watched");
    mkdirSync(watched, { recursive: true });
    const settings = JSON.parse(SCRIPT_SETTINGS);
    writeFileSync(SETTINGS, JSON.stringify({ ...settings, watch_folder: watched }));
    await openApp();
    await browser.waitUntil(async () => (await browser.$("#watch-folder").getProperty("textContent")) === watched, {
      timeout: 10_000,
      timeoutMsg: "the watch folder setting is not shown",
    });
    assert.equal(await browser.$("section.health").isExisting(), false, "not a first start, nothing missing: no panel");
    // The output folder's free space, from the shell (the scratch folder's disk).
    await browser.waitUntil(async () => /^\d+(\.\d)? (MB|GB|TB) free$/.test(await browser.$("#free-space").getProperty("textContent")), {
      timeout: 5_000,
      timeoutMsg: "no free space under the output folder",
    });
    const known = new Set((await jobCards()).map((j) => j.id));

    copyFileSync(join(MEDIA, "speech.mp4"), join(watched, "watched-talk.mp4"));
    let fresh = [];
    await browser.waitUntil(
      async () => {
        fresh = (await jobCards()).filter((j) => !known.has(j.id));
        return fresh.length > 0;
      },
      { timeout: 30_000, interval: 200, timeoutMsg: "the copied video never became a job" },
    );
    assert.equal(fresh.length, 1, JSON.stringify(fresh));
    assert.equal(fresh[0].title, "watched-talk");
    const notice = await browser.$(".notice").getProperty("textContent");
    assert.match(notice, /watched-talk\.mp4/, "the window says where the job came from");
    await screenshot("watch-running");

    let done;
    await browser.waitUntil(
      async () => {
        done = (await jobCards()).find((j) => j.id === fresh[0].id);
        return done && (done.status === "failed" || (done.status === "done" && done.clips.length > 0));
      },
      { timeout: 240_000, interval: 250, timeoutMsg: `the watched job did not finish: ${JSON.stringify(done)}` },
    );
    assert.equal(done.status, "done", `failed: ${done.error}`);
    for (const clip of done.clips) {
      assert.ok(clip.startsWith(join(WORK, "out")), `clip in the output folder: ${clip}`);
      assert.ok(statSync(clip).size > 10_000, `clip is not empty: ${clip}`);
    }
    await screenshot("watch-done");
    // The log says what the watch did.
    const log = readFileSync(join(WORK, "logs", "reelcut.log"), "utf8");
    assert.match(log, /watching a folder for new videos/);
    assert.match(log, /watched folder: video added/);
  });

  it("opens at the size it had before a restart", async () => {
    assert.ok(browser, "the watch test left the app open");
    const target = [1040, 700];
    await browser.setWindowSize(...target).catch(() => {});
    let size = await pageSize();
    if (Math.abs(size[0] - target[0]) > 2) {
      // WebKitWebDriver could not resize: do it as a window manager would.
      const pid = execFileSync("pgrep", ["-f", "-x", `${APP}.*`], { encoding: "utf8" }).trim().split("\n")[0];
      const windows = execFileSync("xdotool", ["search", "--all", "--pid", pid, "--name", "^Reelcut$"], { encoding: "utf8" })
        .trim()
        .split("\n");
      for (const w of windows) execFileSync("xdotool", ["windowsize", w, String(target[0]), String(target[1])]);
    }
    await browser.waitUntil(async () => {
      size = await pageSize();
      return Math.abs(size[0] - target[0]) <= 2 && Math.abs(size[1] - target[1]) <= 2;
    }, { timeout: 5_000, timeoutMsg: "the window was not resized" });
    // Saved once the window stays unchanged for a moment.
    const record = join(CONFIG, "window.json");
    await browser.waitUntil(
      async () => existsSync(record) && Math.abs(JSON.parse(readFileSync(record, "utf8")).width - target[0]) <= 2,
      { timeout: 5_000, timeoutMsg: `window size not saved: ${existsSync(record) ? readFileSync(record, "utf8") : "no file"}` },
    );

    // The restart: no watch folder this time (the settings app.test.mjs expects).
    await closeApp();
    writeFileSync(SETTINGS, SCRIPT_SETTINGS);
    await openApp();
    await browser.waitUntil(async () => {
      size = await pageSize();
      return Math.abs(size[0] - target[0]) <= 2 && Math.abs(size[1] - target[1]) <= 2;
    }, { timeout: 5_000, timeoutMsg: `the size did not come back: ${size}` });
    assert.equal(await browser.$("#watch-folder").getProperty("textContent"), "Off");
    await screenshot("size-restored");
  });
});

// End-to-end tests of the clip editor (issue 18): open a finished clip, drag its end earlier,
// fix a word, re-render (its progress on the job's card); the gallery shows the new length
// and the new word, and the file on disk has the new length. Then a face-tracked clip of two
// people: its words pinned to the person clicked on the source frame, and the re-rendered
// clip shows that person. Run by scripts/test-desktop.sh with the same environment as
// app.test.mjs.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { MEDIA, SHOTS, WORK, openApp, saveShot } from "./session.mjs";


let browser = null;

after(async () => {
  await browser?.deleteSession().catch(() => {});
});

async function screenshot(name) {
  await saveShot(browser, join(SHOTS, `editor-${name}.png`));
}

const cards = () =>
  browser.execute(() =>
    [...document.querySelectorAll(".job")].map((el) => ({
      id: Number(el.getAttribute("data-job-id")),
      status: el.getAttribute("data-status"),
      input: el.querySelector(".job-input")?.textContent ?? "",
      clips: [...el.querySelectorAll(".clip")].map((c) => ({
        output: c.getAttribute("data-output"),
        excerpt: c.querySelector(".excerpt")?.textContent ?? "",
        duration: c.querySelector(".duration")?.textContent ?? "",
      })),
    })),
  );

/** Waits for the editor to show the clip's words; else says what the dialog shows. */
async function editorOpen() {
  try {
    await browser.$("dialog.editor[open] .words .word").waitForExist({ timeout: 15_000 });
  } catch (e) {
    await screenshot("not-open");
    const text = await browser.execute(() => document.querySelector("dialog.editor")?.innerText ?? "(no dialog)");
    throw new Error(`the editor did not show the clip's words; it shows: ${text}`, { cause: e });
  }
}

/** Seconds in a clip file, from its frames (ffprobe). */
function fileSeconds(path) {
  const out = execFileSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
    "-show_entries", "stream=nb_read_frames,r_frame_rate", "-of", "json", path], { encoding: "utf8" });
  const s = JSON.parse(out).streams[0];
  const [n, d] = s.r_frame_rate.split("/").map(Number);
  return Number(s.nb_read_frames) / (n / d);
}

/** Shares of pixels in the middle frame of a clip that are the two people's badges: red
 * (the left person, 230,20,20) and green (the right one, 20,200,40). */
function badgeShares(path) {
  const seconds = fileSeconds(path);
  const raw = execFileSync("ffmpeg", ["-v", "error", "-ss", String(seconds / 2), "-i", path, "-frames:v", "1",
    "-vf", "scale=270:480", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 1 << 24 });
  let red = 0;
  let green = 0;
  for (let i = 0; i + 2 < raw.length; i += 3) {
    const [r, g, b] = [raw[i], raw[i + 1], raw[i + 2]];
    if (r > 170 && g < 80 && b < 80) red += 1;
    if (g > 150 && r < 90 && b < 100) green += 1;
  }
  const n = raw.length / 3;
  return { red: red / n, green: green / n };
}

/** `0:07` as the gallery writes lengths. */
const clock = (t) => `${Math.floor(Math.round(t) / 60)}:${String(Math.round(t) % 60).padStart(2, "0")}`;

describe("Reelcut desktop, the clip editor", () => {
  it("drags a clip's end earlier, fixes a word, re-renders just that clip", async () => {
    browser = await openApp();
    const folder = join(WORK, "editor");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "talk.mp4");
    copyFileSync(join(MEDIA, "speech.mp4"), file);
    const known = new Set((await cards()).map((c) => c.id));
    await browser.execute(
      (paths) =>
        window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
          event: "tauri://drag-drop",
          payload: { paths, position: { x: 400, y: 300 } },
        }),
      [file],
    );
    let job;
    await browser.waitUntil(
      async () => {
        job = (await cards()).find((c) => !known.has(c.id) && c.clips.length > 0 && c.status === "done");
        return job !== undefined;
      },
      { timeout: 240_000, interval: 250, timeoutMsg: "the job did not finish with clips" },
    );
    const clip = job.clips[0];
    const manifest = join(clip.output, "..", "clips.json");
    const before = JSON.parse(readFileSync(manifest, "utf8")).clips[0];

    await browser.execute((id) => document.querySelector(`.job[data-job-id="${id}"] .clip .edit`).click(), job.id);
    await editorOpen();
    const words = await browser.$$("dialog.editor .words .word").map((w) => w.getText());
    assert.ok(words.length >= 3, `the clip's words are listed: ${words}`);

    // Drag the end handle a second to the left: it lands on a word edge.
    const geo = await browser.execute(() => {
      const strip = document.querySelector("dialog.editor .timeline").getBoundingClientRect();
      const h = document.querySelector("dialog.editor .handle.end").getBoundingClientRect();
      const range = document.querySelector("dialog.editor .timeline-range").textContent;
      return { left: strip.left, width: strip.width, hx: h.left + h.width / 2, hy: h.top + h.height / 2, range };
    });
    const [viewStart, viewEnd] = geo.range.match(/[\d.]+/g).map(Number);
    const pxPerS = geo.width / (viewEnd - viewStart);
    await browser.performActions([
      {
        type: "pointer",
        id: "mouse",
        parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", x: Math.round(geo.hx), y: Math.round(geo.hy), origin: "viewport" },
          { type: "pointerDown", button: 0 },
          { type: "pointerMove", x: Math.round(geo.hx - pxPerS * 0.5), y: Math.round(geo.hy), origin: "viewport", duration: 100 },
          { type: "pointerMove", x: Math.round(geo.hx - pxPerS * 1.0), y: Math.round(geo.hy), origin: "viewport", duration: 100 },
          { type: "pointerUp", button: 0 },
        ],
      },
    ]);
    await browser.releaseActions();
    const lengthText = await browser.$("dialog.editor .clip-length").getText();
    const newLength = Number(lengthText.match(/[\d.]+/)[0]);
    assert.ok(newLength < before.duration - 0.5 && newLength > before.duration - 1.6,
      `the end moved about a second earlier: ${before.duration} -> ${newLength}`);

    // Fix the first word.
    await browser.$("dialog.editor .words .word").click();
    await browser.keys("Enter");
    const input = await browser.$("dialog.editor .word-input");
    await input.waitForExist({ timeout: 5_000 });
    // Typed as a person does: WebDriver's clear (and so setValue) blurs the field, which
    // ends the edit.
    await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.className)) === "word-input", {
      timeout: 5_000,
      timeoutMsg: "the word field did not take the focus",
    });
    await browser.keys(["Control", "a"]);
    await browser.keys("Zebra".split(""));
    await browser.keys("Enter");
    await browser.waitUntil(async () => (await browser.$("dialog.editor .words .word").getText()) === "Zebra", {
      timeout: 5_000,
      timeoutMsg: "the word was not fixed",
    });
    await screenshot("editing");

    // A preview plays the edit and changes nothing on disk.
    const plan = readFileSync(manifest, "utf8");
    await browser.$("dialog.editor .preview-edit").click();
    await browser.$("dialog.editor .editor-status.done").waitForExist({ timeout: 120_000 });
    assert.match(await browser.$("dialog.editor video").getAttribute("src"), /preview-01\.mp4/);
    assert.equal(readFileSync(manifest, "utf8"), plan, "a preview leaves clips.json as it was");

    // The card behind the dialog shows the re-render: every progress bar it draws is noted.
    await browser.execute((id) => {
      window.__rerenderSeen = [];
      const note = () => {
        for (const el of document.querySelectorAll(`.job[data-job-id="${id}"] .clip .rerender-progress`)) {
          window.__rerenderSeen.push([el.getAttribute("data-stage"), Number(el.getAttribute("aria-valuenow"))]);
        }
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    }, job.id);
    await browser.$("dialog.editor .rerender").click();
    await browser.waitUntil(async () => /^Rendered/.test(await browser.$("dialog.editor .editor-status.done").getText().catch(() => "")), {
      timeout: 180_000,
      interval: 100,
      timeoutMsg: "the clip was not rendered",
    });
    const seen = await browser.execute(() => window.__rerenderSeen);
    const renderSeen = seen.filter(([stage]) => stage === "render").map(([, pct]) => pct);
    assert.ok(renderSeen.length > 0, `the card showed the re-render: ${JSON.stringify(seen)}`);
    assert.ok(renderSeen.every((p, i) => i === 0 || p >= renderSeen[i - 1]), `its bar only moves forward: ${renderSeen}`);
    assert.equal(
      await browser.execute((id) => document.querySelectorAll(`.job[data-job-id="${id}"] .rerender-progress`).length, job.id),
      0,
      "the bar is gone once the clip is rendered",
    );
    const status = await browser.$("dialog.editor .editor-status").getText();
    await screenshot("rendered");
    await browser.$("dialog.editor .clip-actions button:last-child").click();
    await browser.$("dialog.editor[open]").waitForExist({ reverse: true, timeout: 5_000 });

    // The gallery: the new length and the new word.
    const after = JSON.parse(readFileSync(manifest, "utf8")).clips[0];
    const planned = after.parts.reduce((s, p) => s + (p.end - p.start), 0);
    assert.ok(Math.abs(planned - newLength) < 0.01, `clips.json holds the edit: ${planned} vs ${newLength}`);
    assert.match(status, new RegExp(planned.toFixed(1)));
    let shown;
    await browser.waitUntil(
      async () => {
        shown = (await cards()).find((c) => c.id === job.id)?.clips[0];
        return shown?.excerpt.includes("Zebra") && shown.duration === clock(after.duration);
      },
      { timeout: 10_000, timeoutMsg: `the gallery did not follow: ${JSON.stringify(shown)}` },
    );
    const seconds = fileSeconds(clip.output);
    assert.ok(Math.abs(seconds - planned) <= 1 / 30 + 1e-6, `the file is ${seconds} s, the plan ${planned} s`);
  });

  it("pins a stretch to the person clicked on the source frame", async () => {
    // Two people taking turns; in 1-4 s the left one (red badge) speaks, so the crop is on
    // them until the pin moves it to the right one (green badge).
    const folder = join(WORK, "editor-faces");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "podcast.mp4");
    copyFileSync(join(MEDIA, "two-speakers.mp4"), file);
    const known = new Set((await cards()).map((c) => c.id));
    // Face tracking for this job only (the saved defaults, which the other tests use, stay).
    await browser.execute(async (paths) => {
      const { defaults } = await window.__TAURI_INTERNALS__.invoke("get_settings");
      await window.__TAURI_INTERNALS__.invoke("add_paths", { paths, options: { ...defaults, track_faces: true } });
    }, [file]);
    let job;
    await browser.waitUntil(
      async () => {
        job = (await cards()).find((c) => !known.has(c.id) && c.clips.length > 0 && c.status === "done");
        return job !== undefined;
      },
      { timeout: 240_000, interval: 250, timeoutMsg: "the face-tracked job did not finish with clips" },
    );
    const clip = job.clips[0];
    const colours = () => badgeShares(clip.output);
    const before = colours();
    assert.ok(before.red > 5 * before.green, `before the pin the crop is on the speaker (red): ${JSON.stringify(before)}`);

    await browser.execute((id) => document.querySelector(`.job[data-job-id="${id}"] .clip .edit`).click(), job.id);
    await editorOpen();
    const words = await browser.$$("dialog.editor .words .word");
    // All the clip's words: a click on the first, a Shift-click on the last.
    await words[0].click();
    await browser.execute(() => {
      const all = document.querySelectorAll("dialog.editor .words .word");
      all[all.length - 1].dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    });
    await browser.$("dialog.editor .pick-frame").click();
    await browser.$("dialog.editor .frame-picker img").waitForExist({ timeout: 15_000 });
    // Shown, not just asked for (a broken image is "complete" too).
    await browser.waitUntil(() => browser.execute(() => document.querySelector("dialog.editor .frame-picker img").naturalWidth > 0), {
      timeout: 10_000,
      timeoutMsg: "the source frame did not load",
    });
    const faces = await browser.execute(() =>
      [...document.querySelectorAll("dialog.editor .frame-face")].map((f) => ({ track: f.getAttribute("data-track"), left: f.getBoundingClientRect().left })),
    );
    assert.equal(faces.length, 2, `both people are offered: ${JSON.stringify(faces)}`);
    await screenshot("pick-face");
    const right = faces.reduce((a, b) => (b.left > a.left ? b : a));
    await browser.$(`dialog.editor .frame-face[data-track="${right.track}"]`).click();
    await browser.waitUntil(async () => (await browser.$("dialog.editor .editor-pin select").getValue()) === "face", {
      timeout: 5_000,
      timeoutMsg: "the words were not pinned to the person",
    });
    await browser.$("dialog.editor .rerender").click();
    await browser.$("dialog.editor .editor-status.done").waitForExist({ timeout: 180_000 });
    await browser.$("dialog.editor .clip-actions button:last-child").click();

    const pins = JSON.parse(readFileSync(join(clip.output, "..", "clips.json"), "utf8")).clips[0].overrides;
    assert.equal(pins?.length, 1, `one pin in clips.json: ${JSON.stringify(pins)}`);
    assert.ok(Array.isArray(pins[0].face) && pins[0].face[0] > 640, `pinned to the right person: ${JSON.stringify(pins)}`);
    const after = colours();
    console.log(`# badge shares in the clip's middle frame: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    assert.ok(after.green > 5 * after.red, `after the pin the crop is on the person clicked (green): ${JSON.stringify(after)}`);
  });
});

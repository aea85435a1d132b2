// End-to-end test of the clip editor (issue 18): open a finished clip, drag its end earlier,
// fix a word, re-render (its progress on the job's card); the gallery shows the new length
// and the new word, and the file on disk has the new length. Run by scripts/test-desktop.sh with the same environment as
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

/** Seconds in a clip file, from its frames (ffprobe). */
function fileSeconds(path) {
  const out = execFileSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
    "-show_entries", "stream=nb_read_frames,r_frame_rate", "-of", "json", path], { encoding: "utf8" });
  const s = JSON.parse(out).streams[0];
  const [n, d] = s.r_frame_rate.split("/").map(Number);
  return Number(s.nb_read_frames) / (n / d);
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
    await browser.$("dialog.editor[open] .words .word").waitForExist({ timeout: 15_000 });
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
    await browser.$("dialog.editor .editor-status.done").waitForExist({ timeout: 180_000 });
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
});

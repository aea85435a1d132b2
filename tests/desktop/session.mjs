// What every desktop E2E file shares: the environment scripts/test-desktop.sh sets (see
// app.test.mjs for the list), a WebDriver session on the real app, and screenshots.

import { execFileSync } from "node:child_process";

import { remote } from "webdriverio";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run scripts/test-desktop.sh)`);
  return v;
};
export const APP = env("REELCUT_APP");
export const MEDIA = env("REELCUT_MEDIA");
export const WORK = env("REELCUT_WORK");
export const SHOTS = env("REELCUT_SHOTS");

/** A new WebDriver session: tauri-driver starts the app. */
export function connect() {
  return remote({
    hostname: "127.0.0.1",
    port: Number(process.env.WEBDRIVER_PORT ?? 4444),
    logLevel: "warn",
    capabilities: {
      "tauri:options": { application: APP },
      "wdio:enforceWebDriverClassic": true,
    },
  });
}

/** Starts the app and waits for its window to be ready. */
export async function openApp() {
  const browser = await connect();
  await browser.$("#url-input").waitForExist({ timeout: 30_000 });
  return browser;
}

/** Saves what the window shows to `file`, after the page painted what the DOM holds. */
export async function saveShot(browser, file) {
  await browser.execute(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))));
  try {
    await browser.saveScreenshot(file);
  } catch {
    // WebKitWebDriver could not capture the page: take the whole X screen instead.
    execFileSync("import", ["-window", "root", file]);
  }
  return file;
}

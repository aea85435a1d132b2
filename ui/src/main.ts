import { invoke } from "@tauri-apps/api/core";

interface AppInfo {
  version: string;
  aspects: string[];
}

async function start(): Promise<void> {
  const el = document.getElementById("info");
  if (!el) return;
  try {
    const info = await invoke<AppInfo>("app_info");
    el.textContent = `v${info.version} · aspects ${info.aspects.join(", ")}`;
  } catch (e) {
    el.textContent = `Backend unavailable: ${String(e)}`;
  }
}

void start();

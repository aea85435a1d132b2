// Numbers as people read them, in fixed-width shapes so updates do not move the layout.

/** `0:07`, `1:02:03`; `–:––` when unknown. */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–:––";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** `42%`, clamped to 0..100. */
export function percent(fraction: number): string {
  const p = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return `${p}%`;
}

/** `eta 0:12`, or empty when the stage reported none. */
export function eta(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? "" : `eta ${clock(seconds)}`;
}

/** Clip ranges typed one per line (blank lines ignored). */
export function rangesIn(text: string): string[] {
  return text
    .split(/\n/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? path;
}

/** A file's URL on the shell's preview server (`base` ends with "/"); "" without a base. */
export function mediaUrl(base: string, path: string): string {
  return base ? `${base}${encodeURIComponent(path)}` : "";
}

/** `12.3 GB free`, `850 MB free` (decimal units, as file managers show disks). */
export function freeText(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return "Free space unknown";
  if (bytes >= 1e12) return `${(bytes / 1e12).toFixed(1)} TB free`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB free`;
  return `${Math.round(bytes / 1e6)} MB free`;
}

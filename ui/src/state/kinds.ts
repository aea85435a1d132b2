// Why something failed, as a short label beside the message: one per engine ErrorKind (a
// failed job's card, a refused command) and one per kind the shell adds for its own refusals.
// `Record<...>` makes a kind added in Rust without a label here a type error.

import type { CommandError } from "../bindings/CommandError";
import type { CommandErrorKind } from "../bindings/CommandErrorKind";
import type { ErrorKind } from "../bindings/ErrorKind";

export const ERROR_LABEL: Record<ErrorKind, string> = {
  input_missing: "File not found",
  input_invalid: "Damaged file",
  no_video: "No video",
  no_audio: "No audio",
  range_outside: "Range outside the video",
  invalid_options: "Invalid options",
  asset_invalid: "Missing or broken asset",
  job_not_found: "Job not found",
  job_busy: "Job busy",
  fetch: "Download failed",
  fetch_tool_missing: "yt-dlp missing",
  fetch_unsupported: "Unsupported site",
  fetch_not_found: "Not found (404)",
  fetch_sign_in: "Sign-in required",
  fetch_unavailable: "Site unavailable",
  transcribe: "Transcription failed",
  selection: "Clip selection failed",
  detector: "Face detector missing",
  analyse: "Face tracking failed",
  render: "Render failed",
  io: "Disk error",
  store: "Job database error",
  internal: "Internal error",
  cancelled: "Cancelled",
};

type ShellKind = Exclude<CommandErrorKind, ErrorKind>;

const SHELL_LABEL: Record<ShellKind, string> = {
  invalid_request: "Not added",
  not_found: "File not found",
  forbidden: "Not allowed",
  open_failed: "Could not open",
};

export function errorLabel(kind: CommandErrorKind): string {
  return kind in SHELL_LABEL ? SHELL_LABEL[kind as ShellKind] : ERROR_LABEL[kind as ErrorKind];
}

/** A rejected command's error, when it is one of the shell's (anything else: null). */
export function asCommandError(e: unknown): CommandError | null {
  if (typeof e !== "object" || e === null) return null;
  const { kind, message } = e as Partial<CommandError>;
  if (typeof kind !== "string" || typeof message !== "string") return null;
  return kind in SHELL_LABEL || kind in ERROR_LABEL ? { kind, message } : null;
}

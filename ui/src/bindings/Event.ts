// TEMPORARY: written by hand from crates/reelcut-core/src/event.rs until reelcut-core's `ts`
// feature generates it (see src-tauri/src/bindings.rs). Do not extend by hand.

export type Stage = "fetch" | "probe" | "transcribe" | "select" | "analyse" | "render";

export type ErrorKind =
  | "input_missing"
  | "input_invalid"
  | "no_video"
  | "range_outside"
  | "invalid_options"
  | "asset_invalid"
  | "render"
  | "fetch"
  | "cancelled";

export type Event =
  | { event: "job_queued"; job: number; input: string; title: string; resumed: boolean }
  | { event: "job_started"; job: number; input: string; clips: number }
  | { event: "throttled"; job: number; stage: Stage; clip: number }
  | { event: "stage_started"; job: number; stage: Stage; clip: number }
  | { event: "stage_skipped"; job: number; stage: Stage; clip: number }
  | { event: "stage_done"; job: number; stage: Stage; clip: number; seconds: number }
  | {
      event: "progress";
      job: number;
      input: string;
      clip: number;
      stage: Stage;
      fraction: number;
      eta_seconds: number | null;
    }
  | {
      event: "clip_ready";
      job: number;
      input: string;
      clip: number;
      output: string;
      width: number;
      height: number;
      duration: number;
      encoder: string;
      render_seconds: number;
      analyse_seconds?: number;
    }
  | {
      event: "retrying";
      job: number;
      stage: Stage;
      attempt: number;
      delay_seconds: number;
      message: string;
    }
  | { event: "job_done"; job: number; input: string; manifest: string; outputs: string[] }
  | { event: "job_skipped"; job: number; input: string; manifest: string }
  | { event: "job_failed"; job: number | null; input: string; kind: ErrorKind; message: string }
  | { event: "job_cancelled"; job: number; input: string };

import type { ClipView } from "../bindings/ClipView";
import type { Stage } from "../bindings/Stage";
import { eta, percent } from "../state/format";
import { STAGES, canCancel, canRetry, sourceText, type JobState, type StageState } from "../state/jobs";
import { ERROR_LABEL } from "../state/kinds";
import type { Store } from "../state/store";
import { Gallery } from "./Gallery";

const STAGE_LABEL: Record<Stage, string> = {
  fetch: "Download",
  probe: "Probe",
  transcribe: "Transcribe",
  select: "Select",
  analyse: "Track faces",
  render: "Render",
};

const STATUS_LABEL: Record<JobState["status"], string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

function StageRow({ stage, s }: { stage: Stage; s: StageState }) {
  const meta =
    s.status === "running"
      ? [percent(s.fraction), eta(s.eta)].filter(Boolean).join(" · ")
      : s.status === "done"
        ? "done"
        : s.status === "waiting"
          ? "waiting"
          : s.status === "skipped"
            ? "—"
            : s.status === "failed"
              ? "failed"
              : "";
  return (
    <li class="stage" data-stage={stage} data-status={s.status}>
      <span class="stage-name">{STAGE_LABEL[stage]}</span>
      <div
        class="bar"
        role="progressbar"
        aria-label={STAGE_LABEL[stage]}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(s.fraction * 100)}
      >
        <div class="fill" style={{ transform: `scaleX(${s.fraction})` }} />
      </div>
      <span class="stage-meta">{meta}</span>
    </li>
  );
}

export function JobCard({
  job,
  store,
  onPreview,
  onEdit = () => {},
}: {
  job: JobState;
  store: Store;
  onPreview: (clip: ClipView) => void;
  onEdit?: (clip: ClipView) => void;
}) {
  const stages = STAGES.filter((s) => s !== "fetch" || job.isUrl === true);
  const stopped = job.status === "failed" || job.status === "cancelled";
  return (
    <article class="job" data-job-id={job.id} data-status={job.status} aria-label={job.title}>
      <header class="job-head">
        <div class="job-thumb" aria-hidden="true">
          {job.clips[0] ? (
            <video muted preload="auto" src={`${store.mediaUrl(job.clips[0].output)}#t=0.5`} />
          ) : (
            <span>{job.isUrl === null ? "" : job.isUrl ? "URL" : "FILE"}</span>
          )}
        </div>
        <div class="job-title">
          <h3 title={job.title}>{job.title}</h3>
          <p class="job-input" title={job.input}>
            {job.input}
          </p>
          {job.source && (
            <p class="job-source" title="The source as it plays">
              Source {sourceText(job.source)}
            </p>
          )}
        </div>
        <span class={`badge badge-${job.status}`}>{STATUS_LABEL[job.status]}</span>
        <div class="job-actions">
          {canCancel(job) && (
            <button type="button" class="cancel" onClick={() => void store.cancel(job.id)}>
              Cancel
            </button>
          )}
          {canRetry(job) && (
            <button type="button" class="retry" onClick={() => void store.retry(job.id)}>
              Retry
            </button>
          )}
          {!canCancel(job) && (
            <button
              type="button"
              class="remove ghost"
              aria-label={`Remove ${job.title} from the list`}
              onClick={() => void store.remove(job.id)}
            >
              Remove
            </button>
          )}
        </div>
      </header>
      <ol class="stages">
        {stages.map((st) => (
          <StageRow key={st} stage={st} s={job.stages[st]} />
        ))}
      </ol>
      {job.retrying && job.status === "running" && <p class="job-retrying">Retrying: {job.retrying}</p>}
      {stopped && (job.errorKind || job.error) && (
        <div class={`job-error job-error-${job.status}`} role={job.status === "failed" ? "alert" : "status"}>
          {job.errorKind && (
            <strong class="error-kind" data-kind={job.errorKind}>
              {ERROR_LABEL[job.errorKind]}
            </strong>
          )}
          {job.error && <span class="error-message">{job.error}</span>}
          {job.needsSetup && (
            <button type="button" class="check-setup" onClick={() => void store.openHealth()}>
              Check set-up
            </button>
          )}
        </div>
      )}
      {job.clips.length > 0 && <Gallery clips={job.clips} store={store} onPreview={onPreview} onEdit={onEdit} rerendering={job.rerendering} />}
    </article>
  );
}

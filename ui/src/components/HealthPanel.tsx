import type { Check } from "../bindings/Check";
import { STATUS_LABEL, isReady, problemsFirst } from "../state/health";
import type { AppState, Store } from "../state/store";
import { AddModel } from "./AddModel";

function CheckRow({ check }: { check: Check }) {
  return (
    <li class={`check-row check-${check.status}`} data-check-id={check.id} data-status={check.status}>
      <span class={`check-status status-${check.status}`}>{STATUS_LABEL[check.status]}</span>
      <div class="check-body">
        <span class="check-label">{check.label}</span>
        <span class="check-found">{check.found}</span>
        {check.fix && check.status !== "ok" && <span class="check-fix">Fix: {check.fix}</span>}
      </div>
    </li>
  );
}

/**
 * The set-up check: everything a job needs, found where, and how to fix what is missing.
 * Shown at the first start, when something is missing, and from a card whose job failed
 * for a missing piece.
 */
export function HealthPanel({ store, state }: { store: Store; state: AppState }) {
  const { health, modelImport } = state;
  if (!health.open) return null;
  const report = health.report;
  const ready = report ? isReady(report) : null;
  return (
    <div class="modal-backdrop">
      <section class="health" role="dialog" aria-modal="true" aria-labelledby="health-title">
        <header class="health-head">
          <h2 id="health-title">Set-up check</h2>
          {ready !== null && (
            <p class={`health-summary ${ready ? "ready" : "not-ready"}`} data-ready={String(ready)}>
              {ready ? "Ready: everything a job needs is here." : "Something a job needs is missing: see the fixes below."}
            </p>
          )}
        </header>
        {health.error && (
          <p class="health-error" role="alert">
            The check did not run: {health.error}
          </p>
        )}
        {report ? (
          <ul class="checks" aria-busy={health.checking}>
            {problemsFirst(report).map((c) => (
              <CheckRow key={c.id} check={c} />
            ))}
          </ul>
        ) : (
          health.checking && <p class="muted">Checking…</p>
        )}
        <div class="health-model">
          <h3>Whisper models</h3>
          <AddModel store={store} state={modelImport} />
        </div>
        <footer class="health-actions">
          <button type="button" class="check-again" disabled={health.checking} onClick={() => void store.checkHealth()}>
            {health.checking ? "Checking…" : "Check again"}
          </button>
          <button type="button" class="close-health primary" onClick={() => store.closeHealth()}>
            Close
          </button>
        </footer>
      </section>
    </div>
  );
}

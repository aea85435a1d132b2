// The set-up check's report, read for the panel: the same rule as the engine's
// `HealthReport::ready` (nothing a job needs is missing; warnings allowed).

import type { CheckStatus } from "../bindings/CheckStatus";
import type { HealthReport } from "../bindings/HealthReport";

export function isReady(report: HealthReport): boolean {
  return report.checks.every((c) => c.status !== "missing");
}

export const STATUS_LABEL: Record<CheckStatus, string> = {
  ok: "OK",
  warning: "Warning",
  missing: "Missing",
};

/** Problems first (missing, then warnings), each group in the engine's order. */
export function problemsFirst(report: HealthReport): HealthReport["checks"] {
  const rank: Record<CheckStatus, number> = { missing: 0, warning: 1, ok: 2 };
  return report.checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank[a.c.status] - rank[b.c.status] || a.i - b.i)
    .map(({ c }) => c);
}

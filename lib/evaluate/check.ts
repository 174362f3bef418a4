/**
 * Internal consistency of an evaluation report: every figure carries a known provenance and a
 * source; every comparison's ratios are recomputed from its two rows; every platform's
 * headline is recomputed from the comparisons. `adaspring evaluate check` and the tests use it.
 *
 * @module
 */
import { PROVENANCES } from "../report/provenance.ts";
import { headlines } from "./run.ts";
import type { TaskEvaluation } from "./task_eval.ts";

const close = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

/** Figures found and problems of `x` (paths name where). */
function figures(x: unknown, path: string, problems: string[]): number {
  if (x === null || typeof x !== "object") return 0;
  const o = x as Record<string, unknown>;
  if (typeof o.value === "number" && typeof o.unit === "string") {
    if (!PROVENANCES.includes(o.provenance as never)) problems.push(`${path}: no provenance`);
    if (typeof o.source !== "string" || o.source === "") problems.push(`${path}: no source`);
    return 1;
  }
  return Object.entries(o).reduce((n, [k, v]) => n + figures(v, `${path}.${k}`, problems), 0);
}

/** What {@link checkEvaluation} found. */
export interface CheckResult {
  readonly figures: number;
  readonly comparisons: number;
  readonly problems: readonly string[];
}

/** Check a report body (`report.json`'s `body`). */
export function checkEvaluation(body: {
  tasks: readonly TaskEvaluation[];
  headline: unknown;
}): CheckResult {
  const problems: string[] = [];
  const n = figures(body.tasks, "tasks", problems);
  let comparisons = 0;
  for (const t of body.tasks) {
    for (const p of t.platforms) {
      const rows = new Map(p.rows.map((r) => [r.name, r]));
      for (const c of p.comparisons) {
        comparisons++;
        const where = `${t.task}/${p.platform}/${c.baseline}`;
        const base = rows.get(c.baseline);
        if (!base) {
          problems.push(`${where}: no row for the baseline`);
          continue;
        }
        if (c.adaspring === null) {
          if (c.latencyReduction !== null) problems.push(`${where}: a ratio without a match`);
          if (!c.reason) problems.push(`${where}: no match and no reason`);
          continue;
        }
        const ada = rows.get(c.adaspring);
        if (!ada) {
          problems.push(`${where}: no row ${c.adaspring}`);
          continue;
        }
        if (ada.latency.provenance !== base.latency.provenance) {
          problems.push(`${where}: latencies of different provenance compared`);
        }
        const lat = base.latency.value / ada.latency.value;
        const eff = ada.efficiency.value / base.efficiency.value;
        if (!close(c.latencyReduction, lat)) {
          problems.push(`${where}: latency reduction ${c.latencyReduction} != ${lat}`);
        }
        if (!close(c.efficiencyGain, eff)) {
          problems.push(`${where}: efficiency gain ${c.efficiencyGain} != ${eff}`);
        }
        if (!close(c.accuracyDelta, ada.accuracy.value - base.accuracy.value)) {
          problems.push(`${where}: accuracy delta does not match the rows`);
        }
      }
    }
  }
  for (const t of body.tasks) {
    for (const p of t.platforms) {
      for (const v of p.sensitivity ?? []) {
        for (const q of v.pairs) {
          const where = `${t.task}/${p.platform}/tolerance ${v.tolerance}/${q.baseline}`;
          if (q.baselineLatency.provenance !== q.adaspringLatency.provenance) {
            problems.push(`${where}: latencies of different provenance compared`);
          }
          const r = q.baselineLatency.value / q.adaspringLatency.value;
          if (!close(q.latencyReduction, r)) {
            problems.push(`${where}: latency reduction ${q.latencyReduction} != ${r}`);
          }
        }
      }
    }
  }
  const again = JSON.parse(JSON.stringify(headlines(body.tasks)));
  if (JSON.stringify(again) !== JSON.stringify(body.headline)) {
    problems.push("headline: does not match the one recomputed from the comparisons");
  }
  return { figures: n, comparisons, problems };
}

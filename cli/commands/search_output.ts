/**
 * Text and report sections of `search`: violations in words, the result as lines, the
 * optimality distribution.
 *
 * @module
 */
import { accuracyMetricName } from "../../lib/data/metrics.ts";
import type { Figure } from "../../lib/report/provenance.ts";
import { quantile } from "../../lib/search/latency.ts";
import type { OptimalityReport } from "../../lib/search/optimality.ts";
import type { Violation } from "../../lib/search/types.ts";
import type { ChosenContext, Workspace } from "./search_setup.ts";

/**
 * One unmet constraint in words, e.g. `latency: 12.30 ms > 8.00 ms (over by 54%)`.
 *
 * @example
 * ```ts
 * import { describeViolation } from "./search_output.ts";
 * const v = { constraint: "bytes" as const, limit: 1000, value: 1500, normalized: 0.5 };
 * console.assert(describeViolation(v) === "bytes: 1500 B > 1000 B (over by 50.0%)");
 * ```
 */
export function describeViolation(v: Violation): string {
  const pct = `${(100 * v.normalized).toFixed(1)}%`;
  switch (v.constraint) {
    case "latency":
      return `latency: ${v.value.toFixed(3)} ms under load > ${v.limit.toFixed(3)} ms ` +
        `(over by ${pct})`;
    case "bytes":
      return `bytes: ${Math.round(v.value)} B > ${Math.round(v.limit)} B (over by ${pct})`;
    case "accuracy":
      return `accuracy: ${v.value.toFixed(4)} < floor ${v.limit.toFixed(4)} (short by ${pct})`;
  }
}

/** The optimality experiment's distribution, for the report. */
export function optimalityBody(rep: OptimalityReport, algorithm: string) {
  const both = rep.samples.filter((s) => !Number.isNaN(s.gap));
  const rel = both.map((s) => s.gap / Math.abs(s.oracle.objective)).sort((a, b) => a - b);
  const within1 = rel.filter((g) => g <= 0.01).length;
  return {
    compared:
      `${algorithm} vs exhaustive, same predictors (the profile's), ${rep.summary.contexts} ` +
      `random contexts (lib/search/optimality.ts)`,
    ...rep.summary,
    within1Percent: both.length ? within1 / both.length : NaN,
    relativeGapP95: quantile(rel, 0.95),
    relativeGapMax: rel.length ? rel[rel.length - 1] : NaN,
    infeasibleAnswers: rep.samples.filter((s) => s.oracle.feasible && !s.answer.feasible).length,
  };
}

const f = (x: Figure, digits = 3) => `${x.value.toFixed(digits)} ${x.unit}`;

/** The human-readable summary of a search body. */
export function resultLines(
  ws: Workspace,
  ctx: ChosenContext,
  body: Record<string, unknown>,
): string[] {
  const b = body as {
    status: string;
    configuration: string;
    algorithm: string;
    predicted: Record<string, Figure>;
    binding: string[];
    violations: { text: string }[];
    searchTime: Record<string, Figure>;
    evolution: { total: Figure; bnStatistics: string; sessionCached: boolean };
    export?: { path: string; bytes: Figure };
    verify?: {
      latency: { predicted: Figure; measured: Figure; note: string };
      accuracy: { predicted: Figure; measured: Figure };
    };
    runtimeEvolution?: Record<string, { median: Figure; p99: Figure } | string>;
    optimality?: ReturnType<typeof optimalityBody>;
  };
  const p = b.predicted, s = ws.predictor.sources;
  const out = [
    `task ${ws.space.task} on ${ws.profile.platform.name}; profile ${ws.profilePath}` +
    (ws.located ? " (newest found)" : ""),
    `context: ${ctx.source}${ctx.note ? `\n  note: ${ctx.note}` : ""}`,
    `status: ${b.status.toUpperCase()}  configuration: ${b.configuration}  (${b.algorithm})`,
    `predicted (modeled):`,
    `  ${accuracyMetricName(ws.predictor.metric)} ${f(p.accuracy, 4)}      [${s.accuracy}]`,
    `  latency  ${f(p.latency)} idle, ${f(p.latencyUnderLoad)} under load  [${s.latency}]`,
    `  energy   ${f(p.energy)}/inference  [${s.energy}]`,
    `  bytes    ${p.bytes.value} B  [${s.bytes}]`,
    `binding constraints: ${b.binding.length ? b.binding.join(", ") : "none"}`,
  ];
  if (b.violations.length) {
    out.push("cannot be met (closest configuration shown):");
    for (const v of b.violations) out.push(`  ${v.text}`);
  }
  out.push(
    `search time (measured here): this run ${f(b.searchTime.thisRun, 1)}, p50 ${
      f(b.searchTime.p50, 1)
    }, p99 ${f(b.searchTime.p99, 1)}`,
    `weight evolution (measured here): ${f(b.evolution.total, 2)} ` +
      `(BN statistics ${b.evolution.bnStatistics}; session ${
        b.evolution.sessionCached ? "cached" : "created"
      })`,
  );
  if (b.export) out.push(`exported: ${b.export.path} (${b.export.bytes.value} B)`);
  if (b.verify) {
    const v = b.verify;
    out.push(
      `verify: latency predicted ${f(v.latency.predicted)} vs measured here ${
        f(v.latency.measured)
      } (${v.latency.note})`,
      `        ${accuracyMetricName(ws.predictor.metric)} predicted ${
        f(v.accuracy.predicted, 4)
      } vs measured ${f(v.accuracy.measured, 4)} (test split)`,
    );
  }
  if (b.runtimeEvolution) {
    out.push("runtime evolution, warm process (measured here):");
    for (const [k, v] of Object.entries(b.runtimeEvolution)) {
      if (typeof v === "string") continue;
      out.push(`  ${k.padEnd(14)} median ${f(v.median, 3)}  p99 ${f(v.p99, 3)}`);
    }
  }
  if (b.optimality) {
    const o = b.optimality;
    out.push(
      `optimality (${o.compared}):`,
      `  oracle feasible in ${o.feasible}/${o.contexts}; answer feasible in ${o.answeredFeasible}; ` +
        `optimal ${o.optimal}; within 1% ${(100 * o.within1Percent).toFixed(1)}%; ` +
        `gap p95 ${o.gapP95.toExponential(2)} (rel ${(100 * o.relativeGapP95).toFixed(2)}%), ` +
        `max ${o.gapMax.toExponential(2)} (rel ${(100 * o.relativeGapMax).toFixed(2)}%)`,
    );
  }
  return out;
}

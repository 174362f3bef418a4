/**
 * Internal consistency of an evaluation report: every figure carries a known provenance and a
 * source; every comparison's ratios are recomputed from its two rows; every platform's
 * headline is recomputed from the comparisons; every shared-vs-alone gap (accuracy and, where
 * the report has it, balanced accuracy) is recomputed from its row's figures and every set's
 * mean and worst gap from its rows; so are, where the report has them (a suite with
 * `aloneSeeds` > 1), each row's mean over the alone seeds and each set's alone noise. Every
 * match reaches its target: the matched row's value in the metric the match was sought on
 * (`matchMetric`; accuracy in reports from before it was recorded) is at least the baseline's
 * minus the tolerance, and that metric is the one `matching.ts` chooses for the task's test
 * split. `adaspring evaluate check` and the tests use it.
 *
 * @module
 */
import { testBalance } from "../data/balance.ts";
import { PROVENANCES } from "../report/provenance.ts";
import { type MatchMetric, metricName, taskMatching } from "./matching.ts";
import { headlines } from "./run.ts";
import {
  aloneNoiseStats,
  derivedNoiseStats,
  gapStats,
  type SharedVsAloneRow,
} from "./shared_vs_alone.ts";
import type { TaskEvaluation } from "./task_eval.ts";
import type { Figure } from "../report/provenance.ts";

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

/**
 * Problems of one task's shared-vs-alone comparison: each row's gaps against its figures, each
 * set's mean and worst gaps against its rows. Balanced accuracy is optional (reports and cached
 * results from before it was recorded lack it): a row's balanced gap must be present exactly
 * when both its balanced figures are, and a set's balanced gaps are checked when it has them.
 * The alone and supernet seeds are optional too (one seed, older reports): see
 * {@link checkRowSeeds}.
 */
export function checkSharedVsAlone(
  t: { task: string; sharedVsAlone?: TaskEvaluation["sharedVsAlone"] },
): string[] {
  const sva = t.sharedVsAlone;
  if (!sva) return [];
  const problems: string[] = [];
  for (const r of sva.rows) {
    const where = `${t.task}/shared vs alone/${r.set}/${r.name}`;
    if (!close(r.gap, r.alone.value - r.derived.value)) {
      problems.push(`${where}: gap ${r.gap} != alone - derived`);
    }
    if (r.aloneBalanced && r.derivedBalanced) {
      const want = r.aloneBalanced.value - r.derivedBalanced.value;
      if (r.balancedGap === undefined || !close(r.balancedGap, want)) {
        problems.push(`${where}: balanced gap ${r.balancedGap} != ${want}`);
      }
    } else if (r.balancedGap !== undefined) {
      problems.push(`${where}: a balanced gap without both balanced accuracies`);
    }
    problems.push(...checkRowSeeds(r).map((p) => `${where}: ${p}`));
    // One derived figure per supernet the task records, none without.
    const k = sva.supernetSeeds?.length;
    if (r.derivedSeeds && r.derivedSeeds.length !== k) {
      problems.push(
        `${where}: ${r.derivedSeeds.length} derived seeds, ${k ?? 0} supernets recorded`,
      );
    }
  }
  for (const set of ["spanning", "baselines"] as const) {
    const where = `${t.task}/shared vs alone/${set}`;
    const saved = sva[set];
    const again = gapStats(sva.rows.filter((r) => r.set === set));
    const keys = ["meanGap", "worstGap", "meanBalancedGap", "worstBalancedGap"] as const;
    for (const k of keys) {
      // Reports written before balanced accuracy was recorded lack the balanced summaries.
      if (saved[k] === undefined && (k === "meanBalancedGap" || k === "worstBalancedGap")) {
        continue;
      }
      if (!close(saved[k] ?? null, again[k] ?? null)) {
        problems.push(`${where}: ${k} ${saved[k]} != ${again[k]} recomputed from the rows`);
      }
    }
    // Present exactly when a row of the set has alone seeds (absent from older reports).
    const rows = sva.rows.filter((r) => r.set === set);
    const noise = { ...aloneNoiseStats(rows), ...derivedNoiseStats(rows) };
    const noiseKeys = [
      "aloneNoise",
      "maxAloneNoise",
      "meanGapToAloneMean",
      "aloneBalancedNoise",
      "meanBalancedGapToAloneMean",
      "derivedNoise",
      "maxDerivedNoise",
      "meanGapOfMeans",
      "derivedBalancedNoise",
      "meanBalancedGapOfMeans",
    ] as const;
    for (const k of noiseKeys) {
      const ok = saved[k] === undefined || noise[k] === undefined
        ? saved[k] === noise[k]
        : close(saved[k], noise[k]);
      if (!ok) {
        problems.push(`${where}: ${k} ${saved[k]} != ${noise[k]} recomputed from the rows`);
      }
    }
  }
  return problems;
}

/**
 * Problems of one row's seeds: `aloneSeeds` and `aloneMean` present together, seed 0 being
 * `alone`, the mean recomputed from the seeds; the balanced ones likewise (seed 0 being
 * `aloneBalanced`); and the same for the supernets' `derivedSeeds` (supernet 0 being
 * `derived`). A row without them (one seed, older reports) has none.
 *
 * @example
 * ```ts
 * import { checkRowSeeds } from "./check.ts";
 * const f = (value: number) => ({ value, unit: "fraction", provenance: "measured-here" as const });
 * const row = { alone: f(0.9), aloneSeeds: [f(0.9), f(0.86)], aloneMean: f(0.88), derived: f(0.8) };
 * console.assert(checkRowSeeds(row).length === 0);
 * console.assert(checkRowSeeds({ ...row, aloneMean: f(0.9) }).length === 1);
 * console.assert(checkRowSeeds({ ...row, derivedSeeds: [f(0.7), f(0.8)], derivedMean: f(0.75) }).length === 1);
 * ```
 */
export function checkRowSeeds(
  r: Pick<
    SharedVsAloneRow,
    | "alone"
    | "aloneBalanced"
    | "aloneSeeds"
    | "aloneMean"
    | "aloneBalancedSeeds"
    | "aloneBalancedMean"
    | "derived"
    | "derivedBalanced"
    | "derivedSeeds"
    | "derivedMean"
    | "derivedBalancedSeeds"
    | "derivedBalancedMean"
  >,
): string[] {
  const problems: string[] = [];
  const one = (
    what: string,
    figure: string,
    first: Figure | undefined,
    seeds: readonly Figure[] | undefined,
    mean: Figure | undefined,
  ) => {
    if (seeds === undefined && mean === undefined) return;
    if (seeds === undefined || mean === undefined) {
      problems.push(`${what}: seeds and their mean must come together`);
      return;
    }
    if (seeds.length < 2) problems.push(`${what}: ${seeds.length} seed(s), want 2 or more`);
    if (first === undefined || seeds.length === 0 || !close(seeds[0].value, first.value)) {
      problems.push(`${what}: seed 0 (${seeds[0]?.value}) is not the row's ${figure} figure`);
    }
    const want = seeds.reduce((a, x) => a + x.value, 0) / seeds.length;
    if (!close(mean.value, want)) problems.push(`${what}: mean ${mean.value} != ${want}`);
  };
  one("alone seeds", "alone", r.alone, r.aloneSeeds, r.aloneMean);
  one(
    "balanced alone seeds",
    "balanced alone",
    r.aloneBalanced,
    r.aloneBalancedSeeds,
    r.aloneBalancedMean,
  );
  one("supernet seeds", "derived", r.derived, r.derivedSeeds, r.derivedMean);
  one(
    "balanced supernet seeds",
    "balanced derived",
    r.derivedBalanced,
    r.derivedBalancedSeeds,
    r.derivedBalancedMean,
  );
  return problems;
}

/** A row's value in `metric`, undefined for a balanced accuracy it lacks. */
const rowValue = (
  r: { accuracy: Figure; balancedAccuracy?: Figure },
  metric: MatchMetric,
): number | undefined => metric === "accuracy" ? r.accuracy.value : r.balancedAccuracy?.value;

/** Slack for `>=` on values computed as `target - tolerance` and written to JSON. */
const EPS = 1e-9;

/**
 * Problems of one task's matches, `tolerance` being the suite's: the metric of each match
 * (`matching.ts`'s choice, recomputed from the test class counts and the baseline rows), each
 * matched row reaching the baseline's value minus `tolerance` in that metric, each balanced
 * accuracy delta against its rows, and each looser-tolerance pair's delta in its metric. A
 * report from before `matchMetric` was recorded has none of it and was matched on accuracy.
 *
 * @example
 * ```ts
 * import { checkMatches } from "./check.ts";
 * const f = (value: number) => ({ value, unit: "fraction", provenance: "measured-here" as const });
 * const rows = [
 *   { name: "backbone", family: "hand-crafted", accuracy: f(0.997), balancedAccuracy: f(0.857) },
 *   { name: "adaspring@backbone", family: "adaspring", accuracy: f(0.991), balancedAccuracy: f(0.5) },
 * ];
 * const c = { baseline: "backbone", adaspring: "adaspring@backbone", matchMetric: "balancedAccuracy" as const };
 * const t = { task: "sensor", dataset: { testClassCounts: [769, 7] }, platforms: [{ platform: "host", rows, comparisons: [c] }] };
 * console.assert(checkMatches(t, 0).some((p) => p.includes("below the target")));
 * ```
 */
export function checkMatches(
  t: {
    readonly task: string;
    readonly dataset: { readonly testClassCounts?: readonly number[] };
    readonly matching?: TaskEvaluation["matching"];
    readonly platforms: readonly {
      readonly platform: string;
      readonly rows: readonly {
        name: string;
        family: string;
        accuracy: Figure;
        balancedAccuracy?: Figure;
      }[];
      readonly comparisons: readonly {
        baseline: string;
        adaspring: string | null;
        matchMetric?: MatchMetric;
        balancedAccuracyDelta?: number;
      }[];
      readonly sensitivity?: TaskEvaluation["platforms"][number]["sensitivity"];
    }[];
  },
  tolerance: number,
): string[] {
  const problems: string[] = [];
  const recorded = t.matching;
  if (recorded && t.platforms.length > 0) {
    // Every platform has the same baseline rows; the choice depends on nothing else.
    const baselines = t.platforms[0].rows.filter((r) => r.family === "hand-crafted").map((r) => ({
      kind: r.name,
      testAccuracy: r.accuracy.value,
      ...(r.balancedAccuracy ? { testBalancedAccuracy: r.balancedAccuracy.value } : {}),
    }));
    const again = taskMatching(testBalance(t.dataset.testClassCounts), baselines);
    if (JSON.stringify(again) !== JSON.stringify(recorded)) {
      problems.push(
        `${t.task}/matching: ${JSON.stringify(recorded)} != ${JSON.stringify(again)} chosen ` +
          "from the test class counts and the baseline rows",
      );
    }
  }
  const metricOf = (where: string, baseline: string, saved: MatchMetric | undefined) => {
    if (recorded === undefined && saved === undefined) return "accuracy"; // an older report
    if (saved !== recorded?.metrics[baseline]) {
      problems.push(
        `${where}: matched on ${saved} but the task's matching says ` +
          `${recorded?.metrics[baseline]}`,
      );
    }
    return saved ?? "accuracy";
  };
  for (const p of t.platforms) {
    const rows = new Map(p.rows.map((r) => [r.name, r]));
    for (const c of p.comparisons) {
      const where = `${t.task}/${p.platform}/${c.baseline}`;
      const metric = metricOf(where, c.baseline, c.matchMetric);
      const base = rows.get(c.baseline);
      const ada = c.adaspring === null ? undefined : rows.get(c.adaspring);
      if (!base || !ada) continue; // no match, or a missing row (checkEvaluation says which)
      const want = base.balancedAccuracy && ada.balancedAccuracy
        ? ada.balancedAccuracy.value - base.balancedAccuracy.value
        : undefined;
      if (
        want === undefined
          ? c.balancedAccuracyDelta !== undefined
          : c.balancedAccuracyDelta === undefined || !close(c.balancedAccuracyDelta, want)
      ) {
        problems.push(`${where}: balanced accuracy delta ${c.balancedAccuracyDelta} != ${want}`);
      }
      const got = rowValue(ada, metric), target = rowValue(base, metric);
      if (got === undefined || target === undefined) {
        problems.push(`${where}: matched on ${metricName(metric)}, which a row lacks`);
      } else if (got < target - tolerance - EPS) {
        problems.push(
          `${where}: ${metricName(metric)} ${got} is below the target ${target} - ${tolerance}`,
        );
      }
    }
    for (const v of p.sensitivity ?? []) {
      for (const q of v.pairs) {
        const where = `${t.task}/${p.platform}/tolerance ${v.tolerance}/${q.baseline}`;
        const metric = metricOf(where, q.baseline, q.matchMetric);
        const delta = metric === "accuracy" ? q.accuracyDelta : q.balancedAccuracyDelta;
        if (delta === undefined) {
          problems.push(`${where}: matched on ${metricName(metric)} but no delta in it`);
        } else if (delta < -v.tolerance - EPS) {
          problems.push(
            `${where}: ${metricName(metric)} delta ${delta} is below -${v.tolerance}`,
          );
        }
      }
    }
  }
  return problems;
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
  /** The suite: its matching tolerance is each match's allowance. */
  suite?: { readonly matching?: { readonly tolerance?: number } };
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
  for (const t of body.tasks) problems.push(...checkSharedVsAlone(t));
  const tolerance = body.suite?.matching?.tolerance;
  if (typeof tolerance === "number") {
    for (const t of body.tasks) problems.push(...checkMatches(t, tolerance));
  } else {
    problems.push(
      "suite.matching.tolerance: missing, so no match can be checked against its target",
    );
  }
  const again = JSON.parse(JSON.stringify(headlines(body.tasks)));
  if (JSON.stringify(again) !== JSON.stringify(body.headline)) {
    problems.push("headline: does not match the one recomputed from the comparisons");
  }
  return { figures: n, comparisons, problems };
}

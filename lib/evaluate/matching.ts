/**
 * AdaSpring's answer to each hand-crafted baseline on each platform: the fastest configuration
 * of the platform's Pareto set whose *measured* test accuracy (balanced accuracy on an
 * imbalanced test split, see below) is at least the baseline's minus the suite's tolerance
 * ("matched or better accuracy").
 *
 * Candidates are the Pareto points not dominated in (predicted accuracy, predicted latency)
 * alone, sorted by latency, so predicted accuracy rises along the list. The predictor is used
 * only for that order, never for its values (a miscalibrated predictor must not decide a
 * match): a binary search on measured accuracy finds the first candidate reaching the target,
 * then the `recheck` faster neighbours are measured too (measured accuracy is only roughly
 * monotone along the list) and the fastest reaching the target wins. A candidate this
 * evaluation has looked at already (for another target or platform, or a shared-vs-alone row)
 * and that reaches the target bounds the search for free, so the budget goes to faster ones
 * only. Accuracies saved by an earlier run are read back instead of measured but are charged
 * to the budget all the same, so a resumed run gives the first run's matches. Every
 * configuration is measured at most once per task (the cache is shared), and at most
 * `maxCandidates` are charged per platform; when none matches, the match is `null` with the reason, and the ratios of that
 * pair are not computed.
 *
 * The metric compared is plain test accuracy, or balanced accuracy (mean per-class recall) on
 * an imbalanced test split ({@link chooseMatchMetric}): there a model answering the majority
 * class everywhere reaches the accuracy of one that detects the rare class, and would "match"
 * it while doing a different job.
 *
 * @module
 */
import { accuracyMetricName } from "../data/metrics.ts";
import type { TestBalance } from "../data/balance.ts";
import type { ParetoPoint } from "../search/pareto_lookup.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import type { SubnetConfig } from "../supernet/space.ts";
import type { EvolvedModel, SupernetModels, TestMetric } from "./measure.ts";

/** The metric a match compares: `accuracy` or `balancedAccuracy`. */
export type MatchMetric = TestMetric;

/** The answer to one target accuracy. */
export interface Match {
  readonly config: SubnetConfig;
  readonly model: EvolvedModel;
  /** Candidates whose accuracy was looked at for this target. */
  readonly tried: number;
}

/** Knobs of {@link findMatch}. */
export interface MatchKnobs {
  readonly tolerance: number;
  readonly maxCandidates: number;
  /** Faster neighbours of the binary search's answer also measured (default 2). */
  readonly recheck?: number;
  /** The measured metric compared with the target (default `accuracy`). */
  readonly metric?: MatchMetric;
}

/** `metric` of a measurement; undefined for a balanced accuracy it lacks (older caches). */
export function metricValue(
  m: { readonly testAccuracy: number; readonly testBalancedAccuracy?: number },
  metric: MatchMetric,
): number | undefined {
  return metric === "accuracy" ? m.testAccuracy : m.testBalancedAccuracy;
}

/** The metric one baseline is matched on, and whether that is a fallback. */
export interface MetricChoice {
  readonly metric: MatchMetric;
  /**
   * True when the test split is imbalanced but the baseline's balanced accuracy is unknown
   * (cached before it was recorded), so it is matched on accuracy all the same.
   */
  readonly fallback: boolean;
}

/**
 * The metric to match `baseline` on: balanced accuracy when the test split is imbalanced
 * (`balance`, from `testBalance`) and the baseline's balanced accuracy is known; accuracy
 * otherwise (a balanced split, unknown class counts, or the fallback).
 *
 * @example
 * ```ts
 * import { testBalance } from "../data/balance.ts";
 * import { chooseMatchMetric } from "./matching.ts";
 * const sensor = testBalance([769, 7]);
 * const b = { testAccuracy: 0.9974, testBalancedAccuracy: 0.8571 };
 * console.assert(chooseMatchMetric(sensor, b).metric === "balancedAccuracy");
 * console.assert(chooseMatchMetric(sensor, { testAccuracy: 0.9974 }).fallback);
 * console.assert(chooseMatchMetric(testBalance([50, 50]), b).metric === "accuracy");
 * ```
 */
export function chooseMatchMetric(
  balance: TestBalance | null,
  baseline: { readonly testAccuracy: number; readonly testBalancedAccuracy?: number },
): MetricChoice {
  if (!balance?.imbalanced) return { metric: "accuracy", fallback: false };
  return baseline.testBalancedAccuracy === undefined
    ? { metric: "accuracy", fallback: true }
    : { metric: "balancedAccuracy", fallback: false };
}

/** Which metric the matches of one task were sought on, and why (`report.json`, per task). */
export interface TaskMatching {
  /**
   * The test split is imbalanced (`testBalance` of its class counts): its baselines are matched
   * on balanced accuracy where theirs is known.
   */
  readonly imbalanced: boolean;
  /** By baseline kind: the metric its matches (every platform, every tolerance) were sought on. */
  readonly metrics: Readonly<Record<string, MatchMetric>>;
  /**
   * Baselines matched on accuracy although the split is imbalanced, their balanced accuracy
   * having been cached before it was recorded; empty otherwise.
   */
  readonly fallback: readonly string[];
  /**
   * With a fallback: the stage directory to delete, relative to the task's work directory, to
   * retrain the baselines and so measure their balanced accuracy.
   */
  readonly remeasure?: string;
}

/** The stage directory of the trained baselines (`stage_baselines.ts`), in the task's. */
const BASELINES_STAGE = "baselines/";

/**
 * The metric of each baseline's matches ({@link chooseMatchMetric}) and the fallbacks, for a
 * test split of balance `balance` (null: class counts unknown, matched on accuracy).
 *
 * @example
 * ```ts
 * import { testBalance } from "../data/balance.ts";
 * import { taskMatching } from "./matching.ts";
 * const m = taskMatching(testBalance([769, 7]), [
 *   { kind: "backbone", testAccuracy: 0.9974, testBalancedAccuracy: 0.8571 },
 *   { kind: "int8-ptq", testAccuracy: 0.9974 },
 * ]);
 * console.assert(m.metrics.backbone === "balancedAccuracy" && m.metrics["int8-ptq"] === "accuracy");
 * console.assert(m.fallback[0] === "int8-ptq" && m.remeasure === "baselines/");
 * ```
 */
export function taskMatching(
  balance: TestBalance | null,
  baselines: readonly {
    readonly kind: string;
    readonly testAccuracy: number;
    readonly testBalancedAccuracy?: number;
  }[],
): TaskMatching {
  const metrics: Record<string, MatchMetric> = {};
  const fallback: string[] = [];
  for (const b of baselines) {
    const c = chooseMatchMetric(balance, b);
    metrics[b.kind] = c.metric;
    if (c.fallback) fallback.push(b.kind);
  }
  return {
    imbalanced: balance?.imbalanced ?? false,
    metrics,
    fallback,
    ...(fallback.length > 0 ? { remeasure: BASELINES_STAGE } : {}),
  };
}

/** How a metric is named in reasons and reports. */
export const metricName: (metric: MatchMetric) => string = accuracyMetricName;

/** Per-platform measuring budget shared by every target. */
export class MatchBudget {
  measured = 0;
  constructor(readonly max: number) {}
}

/** The Pareto points on the (predicted accuracy, latency) front, fastest first. */
export function accuracyLatencyFront(points: readonly ParetoPoint[]): ParetoPoint[] {
  const sorted = [...points].sort((a, b) =>
    a.metrics.latencyMs - b.metrics.latencyMs || b.metrics.accuracy - a.metrics.accuracy
  );
  const front: ParetoPoint[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.metrics.accuracy > front[front.length - 1].metrics.accuracy) {
      front.push(p);
    }
  }
  return front;
}

/**
 * The fastest candidate whose measured `knobs.metric` (accuracy unless given) reaches `target`
 * minus the tolerance, or why none does. `target` is in the same metric (the baseline's).
 */
export async function findMatch(
  points: readonly ParetoPoint[],
  target: number,
  models: SupernetModels,
  knobs: MatchKnobs,
  budget: MatchBudget,
): Promise<Match | { readonly reason: string }> {
  const metric = knobs.metric ?? "accuracy";
  const goal = target - knobs.tolerance;
  const front = accuracyLatencyFront(points);
  const looked = new Set<number>();
  let outOfBudget = false;
  // A configuration this evaluation looked at before (for another target or platform, or the
  // shared-vs-alone rows) costs no budget. One only in the saved accuracies costs as if
  // measured: otherwise a resumed run, whose cache holds everything the first run measured,
  // would search further than the first run did and answer differently.
  const lookedBefore = (i: number) => models.lookedAt(front[i].config);
  // `metric` of candidate i, read back or measured (SupernetModels measures a missing one).
  const valueOf = async (i: number): Promise<number> => {
    const m = await models.get(front[i].config, metric);
    const v = metricValue(m, metric);
    // Only a broken stand-in for SupernetModels lands here.
    if (v === undefined) {
      throw new Error(`configuration ${m.id}: no measured ${metricName(metric)} to match on`);
    }
    return v;
  };
  const accuracy = async (i: number): Promise<number | null> => {
    if (!lookedBefore(i)) {
      if (budget.measured >= budget.max) {
        outOfBudget = true;
        return null;
      }
      budget.measured++;
    }
    looked.add(i);
    return await valueOf(i);
  };
  // What this evaluation looked at already is free: the fastest such candidate reaching the
  // goal bounds the search, which then spends the budget only on faster ones. This matters
  // where the order is a poor guide (balanced accuracy, which the predictor does not predict).
  let known = front.length;
  for (let i = 0; i < front.length && known === front.length; i++) {
    // Read back; only a balanced accuracy missing from an older cache is measured.
    if (lookedBefore(i) && await valueOf(i) >= goal) {
      known = i;
      looked.add(i);
    }
  }
  // Binary search for the first index whose measured accuracy reaches the goal.
  let lo = 0, hi = known; // answer in [lo, hi]; hi = none
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const a = await accuracy(mid);
    if (a === null) break;
    if (a >= goal) hi = mid;
    else lo = mid + 1;
  }
  let best = hi < front.length && !outOfBudget ? hi : -1;
  if (best < 0 && hi < front.length) {
    const a = await accuracy(hi);
    if (a !== null && a >= goal) best = hi;
  }
  if (best >= 0) {
    for (let i = best - 1; i >= Math.max(0, best - (knobs.recheck ?? 2)); i--) {
      const a = await accuracy(i);
      if (a !== null && a >= goal) best = i;
    }
    const model = await models.get(front[best].config, metric);
    return { config: front[best].config, model, tried: looked.size };
  }
  const what = metric === "accuracy" ? "test accuracy" : "balanced test accuracy";
  return {
    reason: `no configuration of the ${front.length}-point accuracy-latency front reached ` +
      `${(100 * goal).toFixed(2)}% measured ${what} (${looked.size} measured for this ` +
      `target${outOfBudget ? "; the measuring budget ran out" : ""})`,
  };
}

/** The id of a match's configuration, for reports. */
export function matchId(models: SupernetModels, m: Match): string {
  return formatConfigId(models.task.space, m.config);
}

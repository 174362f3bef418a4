/**
 * Headline ratios, defined once and computed the same way for every row (and recomputed from
 * the rows by `check.ts`):
 *
 * - **latency reduction** vs a baseline = baseline latency / AdaSpring latency, where AdaSpring's
 *   model is the baseline's match (`matching.ts`: the fastest Pareto configuration with
 *   measured accuracy >= the baseline's minus the tolerance), on the same platform with the
 *   same provenance;
 * - **energy-efficiency gain** = AdaSpring's inferences per joule / the baseline's (equal to the
 *   energy-per-inference ratio baseline / AdaSpring);
 * - **accuracy delta** = AdaSpring's measured accuracy - the baseline's (percentage points / 100),
 *   and the **balanced accuracy delta** likewise where both rows have balanced accuracy (on an
 *   imbalanced test split the match is found on it: the comparison's `matchMetric`).
 *
 * Per platform, the summary gives the maximum ("up to", as the paper states its 3.1x / 4.2x)
 * and the geometric mean over every (task, baseline) pair with a match.
 *
 * @module
 */
import type { MatchMetric } from "./matching.ts";
import type { ModelRow } from "./task_eval.ts";

/** One baseline against its AdaSpring match on one platform. */
export interface Comparison {
  readonly baseline: string;
  /** The match's row name, or `null` when nothing matched (see `reason`). */
  readonly adaspring: string | null;
  readonly reason: string | null;
  readonly latencyReduction: number | null;
  readonly efficiencyGain: number | null;
  readonly accuracyDelta: number | null;
  /**
   * The metric the match was sought on (`matching.ts`); absent from reports written before it
   * was recorded, which all matched on accuracy.
   */
  readonly matchMetric?: MatchMetric;
  /** AdaSpring's balanced accuracy - the baseline's, present when both rows have it. */
  readonly balancedAccuracyDelta?: number;
}

/** The ratios of a baseline row and its match on `metric` (see the module doc). */
export function comparisonOf(
  baseline: string,
  base: ModelRow,
  ada: ModelRow | null,
  reason: string | null,
  metric: MatchMetric = "accuracy",
): Comparison {
  if (ada === null) {
    return {
      baseline,
      adaspring: null,
      reason,
      latencyReduction: null,
      efficiencyGain: null,
      accuracyDelta: null,
      matchMetric: metric,
    };
  }
  return {
    baseline,
    adaspring: ada.name,
    reason: null,
    latencyReduction: base.latency.value / ada.latency.value,
    efficiencyGain: ada.efficiency.value / base.efficiency.value,
    accuracyDelta: ada.accuracy.value - base.accuracy.value,
    matchMetric: metric,
    ...(base.balancedAccuracy && ada.balancedAccuracy
      ? { balancedAccuracyDelta: ada.balancedAccuracy.value - base.balancedAccuracy.value }
      : {}),
  };
}

/** Max and geometric mean of positive values (`null` for none). */
export function summarizeRatios(values: readonly number[]): {
  max: number | null;
  geomean: number | null;
  pairs: number;
} {
  if (values.length === 0) return { max: null, geomean: null, pairs: 0 };
  const logs = values.reduce((s, v) => s + Math.log(v), 0);
  return {
    max: Math.max(...values),
    geomean: Math.exp(logs / values.length),
    pairs: values.length,
  };
}

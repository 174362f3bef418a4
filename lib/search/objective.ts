/**
 * Scoring one configuration against a context: effective latency under contention, constraint
 * violations, and the objective value. Shared by every search algorithm, so they all rank
 * configurations the same way.
 *
 * **Energy efficiency** is normalised to be commensurate with accuracy (both in [0, 1]):
 *
 *     efficiency(E) = ln(maxMj / E) / ln(maxMj / minMj)
 *
 * the log-scale position of the energy between the space's least and most frugal
 * configurations: 1 for the most frugal, 0 for the most costly. The log scale because energy
 * spans orders of magnitude across a space (a 5-block space covers about 100x), so halving the
 * energy is worth the same at either end; a linear `minMj / E` would crowd every large model near
 * 0. With `accuracyWeight = 1`, `energyWeight = l2` says "the whole energy range is worth `l2`
 * of accuracy". Energies outside the range give values outside [0, 1] (no clipping, which would
 * make ties).
 *
 * @module
 */
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import type { SearchSpace } from "../supernet/space.ts";
import type {
  ConstraintName,
  Constraints,
  Metrics,
  Objective,
  Predictor,
  Violation,
} from "./types.ts";

/**
 * Energy efficiency of `energyMj` within `range` (see the module doc).
 *
 * @example
 * ```ts
 * import { energyEfficiency } from "./objective.ts";
 * const range = { minMj: 1, maxMj: 100 };
 * console.assert(energyEfficiency(1, range) === 1 && energyEfficiency(100, range) === 0);
 * console.assert(Math.abs(energyEfficiency(10, range) - 0.5) < 1e-12);
 * ```
 */
export function energyEfficiency(
  energyMj: number,
  range: { readonly minMj: number; readonly maxMj: number },
): number {
  if (range.maxMj <= range.minMj) return 1;
  // Written as a difference of logs so that the tracker's hot loop (which hoists the constant
  // logs) computes bit-identical values.
  const logMax = Math.log(range.maxMj);
  return (logMax - Math.log(energyMj)) / (logMax - Math.log(range.minMj));
}

/** The objective value of a configuration with these predicted accuracy and energy. */
export function objectiveValue(objective: Objective, accuracy: number, energyMj: number): number {
  return objective.accuracyWeight * accuracy +
    objective.energyWeight * energyEfficiency(energyMj, objective.energyRange);
}

/** Relative excess of `value` over an upper bound (0 when within it). */
function overUpper(value: number, limit: number): number {
  // A zero bound (no free storage) divides by one unit instead, so excesses stay finite.
  return value <= limit ? 0 : (value - limit) / (limit > 0 ? limit : 1);
}

/** Relative shortfall of `value` under a lower bound (0 when it reaches it). */
function underLower(value: number, limit: number): number {
  return value >= limit ? 0 : (limit - value) / limit;
}

/** Normalised excess over each constraint, in {@link CONSTRAINT_NAMES} order. */
export function violationParts(
  constraints: Constraints,
  accuracy: number,
  latencyMs: number,
  bytes: number,
): [number, number, number] {
  return [
    overUpper(latencyMs * constraints.latencyScale, constraints.maxLatencyMs),
    overUpper(bytes, constraints.maxBytes),
    underLower(accuracy, constraints.minAccuracy),
  ];
}

/** The constraint names, in the order of {@link violationParts}. */
export const CONSTRAINT_NAMES: readonly ConstraintName[] = ["latency", "bytes", "accuracy"];

/** The unmet constraints of a configuration, with limits, values and normalised excess. */
export function violations(
  constraints: Constraints,
  accuracy: number,
  latencyMs: number,
  bytes: number,
): Violation[] {
  const parts = violationParts(constraints, accuracy, latencyMs, bytes);
  const values = [latencyMs * constraints.latencyScale, bytes, accuracy];
  const limits = [constraints.maxLatencyMs, constraints.maxBytes, constraints.minAccuracy];
  const out: Violation[] = [];
  parts.forEach((p, i) => {
    if (p > 0) {
      out.push({
        constraint: CONSTRAINT_NAMES[i],
        limit: limits[i],
        value: values[i],
        normalized: p,
      });
    }
  });
  return out;
}

/**
 * The energy range of a space for {@link energyEfficiency}, from the predictions of its two
 * extreme configurations (the smallest is the most frugal and the largest the most costly for any
 * predictor whose energy grows with size). With a Pareto set at hand, {@link energyRangeOfPoints}
 * is exact at the frugal end.
 */
export function energyRangeOf(
  space: SearchSpace,
  predictor: Predictor,
): { minMj: number; maxMj: number } {
  const a = predictor.predict(smallestConfig(space)).energyMj;
  const b = predictor.predict(largestConfig(space)).energyMj;
  return { minMj: Math.min(a, b), maxMj: Math.max(a, b) };
}

/** The energy range of a set of predicted points (e.g. a Pareto set). */
export function energyRangeOfPoints(
  points: readonly { readonly metrics: Metrics }[],
): { minMj: number; maxMj: number } {
  if (points.length === 0) throw new RangeError("energyRangeOfPoints needs at least one point");
  let minMj = Infinity, maxMj = -Infinity;
  for (const p of points) {
    minMj = Math.min(minMj, p.metrics.energyMj);
    maxMj = Math.max(maxMj, p.metrics.energyMj);
  }
  return { minMj, maxMj };
}

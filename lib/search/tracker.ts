/**
 * The running best of a search: every algorithm offers each evaluated configuration here, by a
 * numeric token it can later turn back into a configuration. One ranking for all algorithms:
 *
 * 1. a feasible configuration beats an infeasible one;
 * 2. among feasible ones, the higher objective wins;
 * 3. among infeasible ones, the lower total normalised violation wins (the "closest"), then the
 *    higher objective.
 *
 * It also keeps, per constraint, the best objective among configurations that broke only that
 * constraint: a constraint is *binding* when that beats the answer.
 *
 * Scans go through {@link Tracker.offerColumns}, one tight loop over typed arrays with the
 * context's constants hoisted (the Pareto lookup's sub-millisecond budget and the exhaustive
 * oracle both live here); its arithmetic matches `objective.ts` exactly.
 *
 * @module
 */
import { CONSTRAINT_NAMES, violationParts } from "./objective.ts";
import { metricsColumns } from "./digits.ts";
import type { ConstraintName, Constraints, Metrics, MetricsColumns, Objective } from "./types.ts";

/** A configuration's score, enough to rank it. */
export interface Score {
  readonly feasible: boolean;
  readonly objective: number;
  /** Sum of normalised violations (0 when feasible). */
  readonly violation: number;
}

/** True when `a` ranks strictly above `b` (see the module doc). */
export function better(a: Score, b: Score): boolean {
  if (a.feasible !== b.feasible) return a.feasible;
  if (!a.feasible && a.violation !== b.violation) return a.violation < b.violation;
  return a.objective > b.objective;
}

/** The best configuration offered so far. */
export interface Best extends Score {
  readonly token: number;
  readonly metrics: Metrics;
}

/** Keeps the best offered configuration; see the module doc. */
export class Tracker {
  /** Configurations offered. */
  evaluated = 0;
  #best: Best | null = null;
  readonly #onlyBroken = [-Infinity, -Infinity, -Infinity];
  #last: Score = { feasible: false, objective: NaN, violation: NaN };
  readonly #one: MetricsColumns = metricsColumns(1);

  constructor(readonly constraints: Constraints, readonly objective: Objective) {}

  /** Offer one configuration by its metrics; returns its score. */
  offerMetrics(m: Metrics, token: number): Score {
    const one = this.#one;
    one.accuracy[0] = m.accuracy;
    one.latencyMs[0] = m.latencyMs;
    one.energyMj[0] = m.energyMj;
    one.bytes[0] = m.bytes;
    this.offerColumns(one, 1, token);
    return this.#last;
  }

  /**
   * Offer rows `[0, count)` of `cols`, as tokens `start + row`. `logEnergy`, when given, holds
   * `Math.log(cols.energyMj[row])` precomputed (the Pareto index keeps it: it halves scan time).
   */
  offerColumns(
    cols: MetricsColumns,
    count: number,
    start: number,
    logEnergy?: Float64Array,
  ): void {
    const { accuracy, latencyMs, energyMj, bytes } = cols;
    const c = this.constraints, o = this.objective;
    const maxL = c.maxLatencyMs, maxB = c.maxBytes, minA = c.minAccuracy, scale = c.latencyScale;
    const dL = maxL > 0 ? maxL : 1, dB = maxB > 0 ? maxB : 1;
    const l1 = o.accuracyWeight, l2 = o.energyWeight;
    const flat = o.energyRange.maxMj <= o.energyRange.minMj;
    const logMax = Math.log(o.energyRange.maxMj);
    const denom = logMax - Math.log(o.energyRange.minMj);
    const b = this.#best;
    let bFeasible = b?.feasible ?? false, bObjective = b?.objective ?? -Infinity;
    let bViolation = b?.violation ?? Infinity, bRow = -1;
    let empty = b === null;
    const only = this.#onlyBroken;
    let o0 = only[0], o1 = only[1], o2 = only[2];
    let objective = NaN, violation = NaN;
    for (let r = 0; r < count; r++) {
      const a = accuracy[r], lat = latencyMs[r] * scale, by = bytes[r];
      const v0 = lat <= maxL ? 0 : (lat - maxL) / dL;
      const v1 = by <= maxB ? 0 : (by - maxB) / dB;
      const v2 = a >= minA ? 0 : (minA - a) / minA;
      violation = v0 + v1 + v2;
      const logE = logEnergy === undefined ? Math.log(energyMj[r]) : logEnergy[r];
      objective = l1 * a + l2 * (flat ? 1 : (logMax - logE) / denom);
      if (violation > 0) {
        if (v1 === 0 && v2 === 0) {
          if (objective > o0) o0 = objective;
        } else if (v0 === 0 && v2 === 0) {
          if (objective > o1) o1 = objective;
        } else if (v0 === 0 && v1 === 0 && objective > o2) o2 = objective;
      }
      const feasible = violation === 0;
      const wins = empty ||
        (feasible !== bFeasible
          ? feasible
          : (!feasible && violation !== bViolation)
          ? violation < bViolation
          : objective > bObjective);
      if (wins) {
        empty = false;
        bFeasible = feasible;
        bObjective = objective;
        bViolation = violation;
        bRow = r;
      }
    }
    only[0] = o0;
    only[1] = o1;
    only[2] = o2;
    this.evaluated += count;
    if (count > 0) this.#last = { feasible: violation === 0, objective, violation };
    if (bRow >= 0) {
      this.#best = {
        feasible: bFeasible,
        objective: bObjective,
        violation: bViolation,
        token: start + bRow,
        metrics: {
          accuracy: accuracy[bRow],
          latencyMs: latencyMs[bRow],
          energyMj: energyMj[bRow],
          bytes: bytes[bRow],
        },
      };
    }
  }

  /** The best so far, or null when nothing was offered. */
  get best(): Best | null {
    return this.#best;
  }

  /** Constraints that cost objective (see the module doc); the unmet ones when infeasible. */
  binding(): ConstraintName[] {
    const best = this.#best;
    if (best === null) return [];
    if (!best.feasible) {
      const m = best.metrics;
      const parts = violationParts(this.constraints, m.accuracy, m.latencyMs, m.bytes);
      return CONSTRAINT_NAMES.filter((_, i) => parts[i] > 0);
    }
    return CONSTRAINT_NAMES.filter((_, i) => this.#onlyBroken[i] > best.objective);
  }
}

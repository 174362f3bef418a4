/**
 * Runtime search against on-demand search on the same supernet and predictors: for each
 * context, AdaSpring's Pareto lookup, Once-for-All-style evolutionary search and
 * NetAdapt-style greedy answer the same constraints; each is timed over `repeat` runs (median
 * microseconds, measured here) and its answer scored by the platform's predictor. The
 * bounded searches stop after the default number of evaluations, never on wall time, so their
 * answers are reproducible.
 *
 * @module
 */
import type { ContextConfig } from "../config/context.ts";
import { contextTrace } from "../config/context.ts";
import { mapContext } from "../context/constraints.ts";
import { search } from "../search/search.ts";
import type { ProfilePredictor } from "../search/profile_predictor.ts";
import type { Algorithm } from "../search/types.ts";
import type { SearchSpace } from "../supernet/space.ts";

/** The algorithms compared, AdaSpring's first. */
export const COMPARED_SEARCHES: readonly Algorithm[] = ["pareto", "evolution", "greedy"];

/** One algorithm's answer to one context. */
export interface SearchComparison {
  readonly context: string;
  readonly algorithm: Algorithm;
  readonly config: string;
  readonly feasible: boolean;
  readonly objective: number;
  readonly predictedAccuracy: number;
  readonly predictedLatencyMs: number;
  readonly predictedEnergyMj: number;
  readonly evaluated: number;
  /** Median wall time of the search, microseconds. */
  readonly medianUs: number;
  readonly runs: number;
}

/** Compare the searches on the first state of each context. */
export function compareSearches(
  space: SearchSpace,
  predictor: ProfilePredictor,
  energyRange: { minMj: number; maxMj: number },
  contexts: readonly { path: string; config: ContextConfig }[],
  repeat: number,
  seed: number,
): SearchComparison[] {
  const out: SearchComparison[] = [];
  for (const { path, config } of contexts) {
    const { t: _t, ...state } = contextTrace(config)[0];
    const { constraints, objective } = mapContext(state, energyRange, config);
    for (const algorithm of COMPARED_SEARCHES) {
      // No wall-clock budget: bounded by evaluations only, so the same seed gives the same
      // answer on any machine (the time each search took is still measured).
      const opts = { algorithm, pareto: predictor.pareto, seed, timeBudgetMs: Infinity };
      const times: number[] = [];
      let r = search(space, predictor, constraints, objective, opts);
      for (let i = 0; i < repeat; i++) {
        r = search(space, predictor, constraints, objective, opts);
        times.push(r.elapsedUs);
      }
      times.sort((a, b) => a - b);
      out.push({
        context: path,
        algorithm,
        config: r.id,
        feasible: r.feasible,
        objective: r.objective,
        predictedAccuracy: r.metrics.accuracy,
        predictedLatencyMs: r.metrics.latencyMs,
        predictedEnergyMj: r.metrics.energyMj,
        evaluated: r.evaluated,
        medianUs: times[times.length >> 1],
        runs: times.length,
      });
    }
  }
  return out;
}

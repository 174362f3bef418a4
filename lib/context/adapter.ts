/**
 * Binds a space, a predictor and a context file's knobs into the two functions the monitor
 * needs: search a state, and re-score a configuration under a state.
 *
 * @module
 */
import type { ContextState } from "../config/context.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { objectiveValue, violations } from "../search/objective.ts";
import { search, type SearchOptions } from "../search/search.ts";
import type { Metrics, Predictor, SearchResult, Violation } from "../search/types.ts";
import { mapContext, type MappingKnobs } from "./constraints.ts";

/** A configuration scored under one state. */
export interface Assessment {
  readonly metrics: Metrics;
  readonly effectiveLatencyMs: number;
  readonly objective: number;
  readonly feasible: boolean;
  /** Unmet constraints (empty when feasible). */
  readonly violations: readonly Violation[];
  /** Sum of normalised violations (0 when feasible). */
  readonly violation: number;
}

/** What the monitor calls: search a state, assess a configuration under a state. */
export interface Adapter {
  search(state: ContextState): SearchResult;
  assess(config: SubnetConfig, state: ContextState): Assessment;
}

/**
 * An {@link Adapter} over a predictor: each state is mapped by `mapContext` and searched with
 * `searchOptions` (the Pareto set, algorithm, budgets).
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { syntheticPredictor } from "../search/synthetic.ts";
 * import { energyRangeOf } from "../search/objective.ts";
 * import { createAdapter } from "./adapter.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const predictor = syntheticPredictor(space, 0);
 * const adapter = createAdapter(space, predictor, energyRangeOf(space, predictor));
 * const state = { batteryPct: 80, freeStorageMb: 1, cpuShare: 0.2, latencyMs: 4, minAccuracy: 0 };
 * console.log(adapter.search(state).id);
 * ```
 */
export function createAdapter(
  space: SearchSpace,
  predictor: Predictor,
  energyRange: { readonly minMj: number; readonly maxMj: number },
  knobs: MappingKnobs = {},
  searchOptions: SearchOptions = {},
): Adapter {
  return {
    search(state) {
      const { constraints, objective } = mapContext(state, energyRange, knobs);
      return search(space, predictor, constraints, objective, searchOptions);
    },
    assess(config, state) {
      const { constraints, objective } = mapContext(state, energyRange, knobs);
      const m = predictor.predict(config);
      const v = violations(constraints, m.accuracy, m.latencyMs, m.bytes);
      return {
        metrics: m,
        effectiveLatencyMs: m.latencyMs * constraints.latencyScale,
        objective: objectiveValue(objective, m.accuracy, m.energyMj),
        feasible: v.length === 0,
        violations: v,
        violation: v.reduce((s, x) => s + x.normalized, 0),
      };
    },
  };
}

/**
 * Runtime search (DESIGN.md §6): answer a context (constraints + objective) with one
 * configuration of a search space, from a predictor of its metrics. One entry point,
 * {@link search}, over five algorithms: Pareto-set lookup (default), bounded evolution, greedy,
 * random and exhaustive; plus the pieces tests and experiments need (a synthetic predictor,
 * Pareto filtering, latency percentiles, the optimality experiment).
 *
 * @example
 * ```ts
 * import { createSearchSpace, enumerateConfigs } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { buildParetoIndex, energyRangeOf, paretoSetOf, search, syntheticPredictor } from "./mod.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const predictor = syntheticPredictor(space, 0);
 * const pareto = buildParetoIndex(paretoSetOf(space, predictor, [...enumerateConfigs(space)]));
 * const objective = { accuracyWeight: 1, energyWeight: 0.5, energyRange: energyRangeOf(space, predictor) };
 * const constraints = { maxLatencyMs: 1, maxBytes: 20_000, minAccuracy: 0.9, latencyScale: 1.25 };
 * const r = search(space, predictor, constraints, objective, { pareto });
 * console.log(r.id, r.feasible, r.binding, `${r.elapsedUs.toFixed(0)} us`);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./budget.ts";
export * from "./digits.ts";
export * from "./objective.ts";
export * from "./tracker.ts";
export * from "./pareto_lookup.ts";
export * from "./exhaustive.ts";
export * from "./evolution.ts";
export * from "./search.ts";
export * from "./synthetic.ts";
export * from "./latency.ts";
export * from "./optimality.ts";

/**
 * One entry point for every runtime search algorithm: {@link search} answers a context
 * (constraints + objective) with one configuration, its predicted metrics, objective value,
 * binding constraints, and, when nothing is feasible, the closest configuration and what it
 * breaks.
 *
 * Algorithms (`opts.algorithm`):
 *
 * - `pareto` (the default when a Pareto set is given): scan the profile's Pareto set;
 * - `evolution` (the default otherwise): bounded Once-for-All-style evolution;
 * - `greedy`: NetAdapt-style descent from the largest configuration;
 * - `random`: uniform draws within the budget;
 * - `exhaustive`: the oracle, every configuration of the space.
 *
 * @module
 */
import { formatConfigId } from "../supernet/config_id.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { badInput } from "../errors.ts";
import { createRng } from "../util/rng.ts";
import { type Budget, type Clock, DEFAULT_BUDGET, systemClock } from "./budget.ts";
import { Evaluator } from "./evaluator.ts";
import { DEFAULT_EVOLUTION, type EvolutionOptions, evolve } from "./evolution.ts";
import { scanExhaustive } from "./exhaustive.ts";
import { greedy } from "./greedy.ts";
import { type ParetoIndex, scanPareto } from "./pareto_lookup.ts";
import { violations } from "./objective.ts";
import { scanRandom } from "./random.ts";
import { Tracker } from "./tracker.ts";
import type {
  Algorithm,
  Constraints,
  MetricsColumns,
  Objective,
  Predictor,
  SearchResult,
} from "./types.ts";

/** Options of {@link search}; everything has a default. */
export interface SearchOptions {
  /** Default: `pareto` when `pareto` is given, else `evolution`. */
  readonly algorithm?: Algorithm;
  /** The Pareto set, for `pareto`. */
  readonly pareto?: ParetoIndex;
  /** Seed of the random searches (default 0). */
  readonly seed?: number;
  /** Bounded searches: milliseconds (default 5; `Infinity` to count evaluations only). */
  readonly timeBudgetMs?: number;
  /** Bounded searches: evaluated configurations (default 2000). */
  readonly maxEvaluations?: number;
  /** Evolution shape. */
  readonly evolution?: Partial<EvolutionOptions>;
  /** Exhaustive: the whole space's metrics from `predictSpace`, to skip predicting per call. */
  readonly spaceMetrics?: MetricsColumns;
  /** Clock for budgets and `elapsedUs` (default `performance.now`). */
  readonly clock?: Clock;
}

/** The signature of {@link search}, for code that takes a search function as a parameter. */
export type Search = (
  space: SearchSpace,
  predictor: Predictor,
  constraints: Constraints,
  objective: Objective,
  opts?: SearchOptions,
) => SearchResult;

/**
 * Answer a context with one configuration.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { search } from "./search.ts";
 * import { energyRangeOf } from "./objective.ts";
 * import { syntheticPredictor } from "./synthetic.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const predictor = syntheticPredictor(space, 0);
 * const objective = { accuracyWeight: 1, energyWeight: 0.3, energyRange: energyRangeOf(space, predictor) };
 * const constraints = { maxLatencyMs: 5, maxBytes: 50_000, minAccuracy: 0.8, latencyScale: 1 };
 * const r = search(space, predictor, constraints, objective, { algorithm: "greedy" });
 * console.log(r.id, r.feasible, r.objective);
 * ```
 */
export function search(
  space: SearchSpace,
  predictor: Predictor,
  constraints: Constraints,
  objective: Objective,
  opts: SearchOptions = {},
): SearchResult {
  const clock = opts.clock ?? systemClock;
  const start = clock();
  const algorithm = opts.algorithm ?? (opts.pareto ? "pareto" : "evolution");
  const tracker = new Tracker(constraints, objective);
  const budget: Budget = {
    timeBudgetMs: opts.timeBudgetMs ?? DEFAULT_BUDGET.timeBudgetMs,
    maxEvaluations: Math.max(1, opts.maxEvaluations ?? DEFAULT_BUDGET.maxEvaluations),
  };
  const rng = createRng(opts.seed ?? 0).fork(`search-${algorithm}`);
  let resolve: (token: number) => SubnetConfig;
  switch (algorithm) {
    case "pareto": {
      const index = opts.pareto;
      if (index === undefined || index.points.length === 0) {
        throw badInput(
          `task ${space.task}: the pareto search needs the profile's Pareto set, and none was ` +
            `given (or it is empty); run the profile stage first or choose another algorithm ` +
            `(evolution, greedy, random, exhaustive).`,
        );
      }
      scanPareto(index, tracker);
      resolve = (t) => index.points[t].config;
      break;
    }
    case "exhaustive":
      resolve = scanExhaustive(space, predictor, tracker, opts.spaceMetrics);
      break;
    case "random": {
      const seen = scanRandom(space, predictor, tracker, budget, rng, clock);
      resolve = (t) => seen[t];
      break;
    }
    case "evolution":
    case "greedy": {
      const evaluator = new Evaluator(predictor, tracker, budget, clock);
      if (algorithm === "greedy") greedy(space, evaluator, rng);
      else evolve(space, evaluator, rng, { ...DEFAULT_EVOLUTION, ...opts.evolution });
      resolve = (t) => evaluator.seen[t];
      break;
    }
    default:
      throw badInput(
        `unknown search algorithm "${algorithm}"; expected pareto, evolution, greedy, random ` +
          `or exhaustive.`,
      );
  }
  const best = tracker.best;
  if (best === null) throw new Error(`${algorithm} search evaluated no configuration`);
  const config = resolve(best.token);
  const m = best.metrics;
  return {
    algorithm,
    config,
    id: formatConfigId(space, config),
    metrics: m,
    effectiveLatencyMs: m.latencyMs * constraints.latencyScale,
    objective: best.objective,
    feasible: best.feasible,
    binding: tracker.binding(),
    violations: violations(constraints, m.accuracy, m.latencyMs, m.bytes),
    evaluated: tracker.evaluated,
    elapsedUs: (clock() - start) * 1000,
  };
}

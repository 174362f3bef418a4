/**
 * The optimality experiment (DESIGN.md §6): over random contexts, how far the default runtime
 * search falls short of the exhaustive oracle on the same predictor.
 *
 * Random contexts span the space's own range, so that most constraints bite somewhere: the
 * latency demand is log-uniform between half the smallest configuration's latency and 1.5x the
 * largest one's (under a uniform CPU share in [0, 0.9]), the storage allowance log-uniform
 * between half the smallest model and 1.5x the largest, the accuracy floor uniform between 0 and
 * the largest configuration's accuracy, the battery uniform in [0, 100].
 *
 * @module
 */
import type { ContextState, MappingConfig, ObjectiveConfig } from "../config/context.ts";
import { mapContext } from "../context/constraints.ts";
import { BYTES_PER_MB, DEFAULT_MAPPING } from "../context/constraints.ts";
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import type { SearchSpace } from "../supernet/space.ts";
import { createRng, type Rng } from "../util/rng.ts";
import { predictSpace } from "./exhaustive.ts";
import { quantile } from "./latency.ts";
import { energyRangeOf } from "./objective.ts";
import { search, type SearchOptions } from "./search.ts";
import type { Predictor, SearchResult } from "./types.ts";

/** One context of the experiment. */
export interface OptimalitySample {
  readonly state: ContextState;
  readonly answer: Pick<SearchResult, "id" | "objective" | "feasible" | "evaluated" | "elapsedUs">;
  readonly oracle: Pick<SearchResult, "id" | "objective" | "feasible">;
  /** Oracle objective minus the answer's (0 = optimal); NaN unless both are feasible. */
  readonly gap: number;
}

/** The distribution over all contexts. */
export interface OptimalityReport {
  readonly samples: readonly OptimalitySample[];
  readonly summary: {
    readonly contexts: number;
    /** Contexts where the oracle found a feasible configuration. */
    readonly feasible: number;
    /** ... and the answer did too. */
    readonly answeredFeasible: number;
    /** ... with exactly the oracle's objective (gap <= 1e-9). */
    readonly optimal: number;
    /** Gap percentiles over contexts where both are feasible. */
    readonly gapP50: number;
    readonly gapP95: number;
    readonly gapMax: number;
    /** Mean answer / oracle objective over the same contexts. */
    readonly meanRatio: number;
  };
}

/** A random context spanning the space's range (see the module doc). */
export function randomContext(
  rng: Rng,
  range: {
    latencyMs: [number, number];
    bytes: [number, number];
    accuracy: number;
  },
  mapping: MappingConfig = DEFAULT_MAPPING,
): ContextState {
  const logUniform = (lo: number, hi: number) => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  const cpuShare = rng.uniform(0, 0.9);
  const allowance = logUniform(range.bytes[0] / 2, range.bytes[1] * 1.5);
  return {
    batteryPct: rng.uniform(0, 100),
    freeStorageMb: allowance / mapping.storageShare / BYTES_PER_MB,
    cpuShare,
    latencyMs: logUniform(range.latencyMs[0] / 2, range.latencyMs[1] * 1.5),
    minAccuracy: rng.uniform(0, range.accuracy),
  };
}

/**
 * Run the experiment: `contexts` random contexts (seeded), each answered by {@link search} with
 * `options` (the default search) and by the exhaustive oracle.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { syntheticPredictor } from "./synthetic.ts";
 * import { optimalityExperiment } from "./optimality.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const r = optimalityExperiment(space, syntheticPredictor(space, 0), { contexts: 20 });
 * console.log(r.summary);
 * ```
 */
export function optimalityExperiment(
  space: SearchSpace,
  predictor: Predictor,
  opts: {
    contexts: number;
    seed?: number;
    options?: SearchOptions;
    mapping?: MappingConfig;
    objective?: ObjectiveConfig;
  },
): OptimalityReport {
  const rng = createRng(opts.seed ?? 0).fork("optimality-contexts");
  const big = predictor.predict(largestConfig(space));
  const small = predictor.predict(smallestConfig(space));
  const range = {
    latencyMs: [small.latencyMs, big.latencyMs] as [number, number],
    bytes: [small.bytes, big.bytes] as [number, number],
    accuracy: big.accuracy,
  };
  const energyRange = energyRangeOf(space, predictor);
  const spaceMetrics = predictSpace(space, predictor);
  const samples: OptimalitySample[] = [];
  for (let i = 0; i < opts.contexts; i++) {
    const state = randomContext(rng, range, opts.mapping);
    const { constraints, objective } = mapContext(state, energyRange, {
      mapping: opts.mapping,
      objective: opts.objective,
    });
    const answer = search(space, predictor, constraints, objective, {
      seed: i,
      ...opts.options,
    });
    const oracle = search(space, predictor, constraints, objective, {
      algorithm: "exhaustive",
      spaceMetrics,
    });
    const gap = answer.feasible && oracle.feasible ? oracle.objective - answer.objective : NaN;
    samples.push({
      state,
      answer: pick(answer, ["id", "objective", "feasible", "evaluated", "elapsedUs"]),
      oracle: pick(oracle, ["id", "objective", "feasible"]),
      gap,
    });
  }
  const both = samples.filter((s) => !Number.isNaN(s.gap));
  const gaps = both.map((s) => s.gap).sort((a, b) => a - b);
  return {
    samples,
    summary: {
      contexts: samples.length,
      feasible: samples.filter((s) => s.oracle.feasible).length,
      answeredFeasible: both.length,
      optimal: both.filter((s) => s.gap <= 1e-9).length,
      gapP50: quantile(gaps, 0.5),
      gapP95: quantile(gaps, 0.95),
      gapMax: gaps.length > 0 ? gaps[gaps.length - 1] : NaN,
      meanRatio: both.reduce((s, x) => s + x.answer.objective / x.oracle.objective, 0) /
        both.length,
    },
  };
}

function pick<T, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

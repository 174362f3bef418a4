/**
 * The vocabulary of runtime search: what a predictor answers, what a context asks for
 * (constraints and objective), and what every search algorithm returns.
 *
 * @module
 */
import type { SubnetConfig } from "../supernet/space.ts";

/** Predicted figures of one configuration (on an otherwise idle device). */
export interface Metrics {
  /** Top-1 accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Latency of one inference, milliseconds, device otherwise idle. */
  readonly latencyMs: number;
  /** Energy of one inference, millijoules. */
  readonly energyMj: number;
  /** Model size on storage, bytes. */
  readonly bytes: number;
}

/** Metrics of many configurations, one typed column per figure (struct of arrays). */
export interface MetricsColumns {
  readonly accuracy: Float64Array;
  readonly latencyMs: Float64Array;
  readonly energyMj: Float64Array;
  readonly bytes: Float64Array;
}

/**
 * Anything that predicts the metrics of a configuration: the profile artifact (lib/profile)
 * implements it from measurements and trained accuracy; tests use synthetic ones.
 *
 * The batch form reads configurations as *digits*: row `r` of `digits` holds
 * `space.blocks.length + 1` bytes, the block choice indices then the int8 flag (0 or 1), the same
 * digits as `configAt`'s mixed radix (see `digits.ts`). It fills `out[0..count)`.
 */
export interface Predictor {
  predict(config: SubnetConfig): Metrics;
  predictBatch?(digits: Uint8Array, count: number, out: MetricsColumns): void;
}

/** What a context demands of a configuration (see `lib/context/constraints.ts`). */
export interface Constraints {
  /** Upper bound on the *effective* latency (predicted latency x `latencyScale`), ms. */
  readonly maxLatencyMs: number;
  /** Upper bound on the model's bytes. */
  readonly maxBytes: number;
  /** Lower bound on accuracy. */
  readonly minAccuracy: number;
  /** Factor from idle latency to latency under CPU contention (>= 1). */
  readonly latencyScale: number;
}

/**
 * The objective to maximize: `accuracyWeight * accuracy + energyWeight * efficiency(energy)`,
 * where efficiency is the log-scale position of the energy between the space's most and least
 * frugal configurations (1 = the most frugal, 0 = the most costly); see `objective.ts`.
 */
export interface Objective {
  readonly accuracyWeight: number;
  readonly energyWeight: number;
  /** Lowest and highest energy per inference in the space, mJ (0 < min <= max). */
  readonly energyRange: { readonly minMj: number; readonly maxMj: number };
}

/** The three constraints, by name. */
export type ConstraintName = "latency" | "bytes" | "accuracy";

/** How far a configuration is from meeting one constraint. */
export interface Violation {
  readonly constraint: ConstraintName;
  /** The bound (ms, bytes, or accuracy). */
  readonly limit: number;
  /** The configuration's value (effective latency, bytes, accuracy). */
  readonly value: number;
  /** Excess relative to the bound: `value / limit - 1` (upper bounds), `1 - value / limit`. */
  readonly normalized: number;
}

/** The search algorithms behind {@link Search}. */
export type Algorithm = "pareto" | "evolution" | "greedy" | "random" | "exhaustive";

/** The answer of every search algorithm. */
export interface SearchResult {
  readonly algorithm: Algorithm;
  readonly config: SubnetConfig;
  /** Readable configuration id (`formatConfigId`). */
  readonly id: string;
  /** The predictor's metrics for `config` (idle device). */
  readonly metrics: Metrics;
  /** Latency under the context's CPU contention: `metrics.latencyMs * latencyScale`. */
  readonly effectiveLatencyMs: number;
  /** Objective value of `config`. */
  readonly objective: number;
  /** Whether `config` meets every constraint. */
  readonly feasible: boolean;
  /**
   * Constraints that cost objective: among the configurations evaluated, one that broke only
   * this constraint scored higher than the answer. Empty when the answer is the unconstrained best
   * seen.
   */
  readonly binding: readonly ConstraintName[];
  /** When infeasible: every unmet constraint and by how much (empty when feasible). */
  readonly violations: readonly Violation[];
  /** Configurations whose metrics were evaluated (predicted or looked up). */
  readonly evaluated: number;
  /** Wall time of the search, microseconds. */
  readonly elapsedUs: number;
}

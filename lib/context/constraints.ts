/**
 * From a context state to what the runtime search optimises (DESIGN.md §6). The mapping, all of
 * whose knobs live in the context file (`mapping:` and `objective:`, defaults in
 * lib/config/context.ts):
 *
 * - **Latency**: effective latency `<= state.latencyMs`. The predictor's latency is for an idle
 *   device; under contention it is scaled by `1 / (1 - s)`, `s = min(cpuShare, maxCpuShare)`.
 *   This is a fair-share model: inference is CPU-bound and the scheduler gives our thread the
 *   share of the CPU the other apps leave, so its wall time stretches by the inverse of that
 *   share. It ignores memory-bandwidth and cache contention (which would stretch latency more)
 *   and spare cores (which would stretch it less). The clip (default 0.95, a 20x stretch) keeps a
 *   saturated CPU from making every configuration infinitely slow.
 * - **Storage**: model bytes `<= storageShare x freeStorageMb x 10^6` (decimal megabytes; the
 *   share, default 10%, leaves the rest of the free space to the user and other apps).
 * - **Accuracy**: `>= state.minAccuracy`.
 * - **Objective**: maximize `l1 x accuracy + l2 x efficiency(energy)` (efficiency in
 *   lib/search/objective.ts), `l1 = accuracyWeight` and
 *   `l2 = energyWeightFull + (energyWeightEmpty - energyWeightFull) x (1 - battery)^p`,
 *   `battery` in [0, 1], `p = energyCurveExponent` (default 2). A convex curve: from a full
 *   battery down to half, l2 moves only a quarter of the way, so a charged phone keeps accuracy
 *   first; the last stretch of the battery is where frugality takes over. `p = 1` is linear.
 *   Energy per inference is not scaled by contention (the same work is done, only later).
 *
 * @module
 */
import type { ContextState, MappingConfig, ObjectiveConfig } from "../config/context.ts";
import { mappingSchema, objectiveSchema } from "../config/context.ts";
import type { Constraints, Objective } from "../search/types.ts";

/** Bytes in one (decimal) megabyte. */
export const BYTES_PER_MB = 1e6;

/** The default mapping and objective knobs (the schema defaults). */
export const DEFAULT_MAPPING: MappingConfig = mappingSchema.parse({});
export const DEFAULT_OBJECTIVE: ObjectiveConfig = objectiveSchema.parse({});

/**
 * Factor from idle latency to latency under CPU contention: `1 / (1 - min(cpuShare, max))`.
 *
 * @example
 * ```ts
 * import { latencyScale } from "./constraints.ts";
 * console.assert(latencyScale(0, 0.95) === 1 && latencyScale(0.5, 0.95) === 2);
 * console.assert(Math.abs(latencyScale(1, 0.95) - 20) < 1e-9);
 * ```
 */
export function latencyScale(cpuShare: number, maxCpuShare: number): number {
  const s = Math.min(Math.max(cpuShare, 0), maxCpuShare);
  return 1 / (1 - s);
}

/**
 * The energy weight l2 at `batteryPct` (see the module doc).
 *
 * @example
 * ```ts
 * import { energyWeight } from "./constraints.ts";
 * const o = { accuracyWeight: 1, energyWeightFull: 0.1, energyWeightEmpty: 1, energyCurveExponent: 2 };
 * console.assert(energyWeight(100, o) === 0.1 && energyWeight(0, o) === 1);
 * console.assert(Math.abs(energyWeight(50, o) - 0.325) < 1e-12);
 * ```
 */
export function energyWeight(batteryPct: number, objective: ObjectiveConfig): number {
  const battery = Math.min(Math.max(batteryPct / 100, 0), 1);
  const drained = Math.pow(1 - battery, objective.energyCurveExponent);
  return objective.energyWeightFull +
    (objective.energyWeightEmpty - objective.energyWeightFull) * drained;
}

/** The constraints a state imposes. */
export function contextConstraints(
  state: ContextState,
  mapping: MappingConfig = DEFAULT_MAPPING,
): Constraints {
  return {
    maxLatencyMs: state.latencyMs,
    maxBytes: mapping.storageShare * state.freeStorageMb * BYTES_PER_MB,
    minAccuracy: state.minAccuracy,
    latencyScale: latencyScale(state.cpuShare, mapping.maxCpuShare),
  };
}

/** The objective a state asks for; `energyRange` comes from the space (see search/objective). */
export function contextObjective(
  state: ContextState,
  energyRange: { readonly minMj: number; readonly maxMj: number },
  objective: ObjectiveConfig = DEFAULT_OBJECTIVE,
): Objective {
  return {
    accuracyWeight: objective.accuracyWeight,
    energyWeight: energyWeight(state.batteryPct, objective),
    energyRange,
  };
}

/** Knobs of {@link mapContext}: the `mapping` and `objective` sections of a context file. */
export interface MappingKnobs {
  readonly mapping?: MappingConfig;
  readonly objective?: ObjectiveConfig;
}

/**
 * Constraints and objective of one state.
 *
 * @example
 * ```ts
 * import { mapContext } from "./constraints.ts";
 * const state = { batteryPct: 100, freeStorageMb: 5, cpuShare: 0.5, latencyMs: 20, minAccuracy: 0.9 };
 * const { constraints, objective } = mapContext(state, { minMj: 1, maxMj: 50 });
 * console.assert(constraints.maxBytes === 500_000 && constraints.latencyScale === 2);
 * console.assert(objective.energyWeight === 0.1);
 * ```
 */
export function mapContext(
  state: ContextState,
  energyRange: { readonly minMj: number; readonly maxMj: number },
  knobs: MappingKnobs = {},
): { constraints: Constraints; objective: Objective } {
  return {
    constraints: contextConstraints(state, knobs.mapping ?? DEFAULT_MAPPING),
    objective: contextObjective(state, energyRange, knobs.objective ?? DEFAULT_OBJECTIVE),
  };
}

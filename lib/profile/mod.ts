/**
 * Profiling (DESIGN.md §5): per-block latency lookup tables measured with an injected timing
 * source, a roofline latency model for platforms that are not this machine (calibrated on this
 * one), energy (measured where possible, else modeled) and memory, an accuracy predictor, the
 * Pareto set of the whole space, and the versioned profile artifact.
 *
 * @example
 * ```ts
 * import { paretoFront, rmspe } from "./mod.ts";
 * console.assert(rmspe([1], [1]) === 0);
 * console.assert(paretoFront([Float64Array.from([1, 2])]).join() === "0");
 * ```
 *
 * @module
 */
export * from "./timing.ts";
export * from "./interleave.ts";
export * from "./ops.ts";
export * from "./space_eval.ts";
export * from "./latency_model.ts";
export * from "./lut.ts";
export * from "./metrics.ts";
export * from "./energy.ts";
export * from "./accuracy_predictor.ts";
export * from "./pareto.ts";
export * from "./pareto_space.ts";
export * from "./artifact.ts";
export * from "./plots.ts";

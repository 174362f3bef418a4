/**
 * Timing the retraining-free weight evolution (the paper's "runtime-evolution latency") in a
 * warm process: recalibrate BN and fit the low-rank factors (uncached and cached), derive the
 * weights (slice; SVD uncached and cached), fold and quantize, build and encode the graph, and create a ready ONNX Runtime session, phase by
 * phase, over repeated runs.
 *
 * @module
 */
import { encodeModel } from "../onnx/proto/encode.ts";
import { createSession } from "../runtime/session.ts";
import { initWeb } from "../runtime/web.ts";
import { calibrateBn, type CalibrationData } from "./bn_calibration.ts";
import { deriveSubnetWeights } from "./derive.ts";
import { materialize } from "./materialize.ts";
import { planSubnet } from "./plan.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import type { WeightStore } from "./weights.ts";

/**
 * The phases timed, in order. `total.*` sum the others with cached/uncached SVD and calibration
 * (`svd.*` is near zero for configurations without a low-rank block, and for those with one,
 * whose factors the calibration fits). `fit.uncached` is the low-rank fit's share of
 * `calibrate.uncached` (0 without low-rank blocks), shown apart and not added again.
 */
export const EVOLVE_PHASES = [
  "slice",
  "svd.uncached",
  "svd.cached",
  "fit.uncached",
  "calibrate.uncached",
  "calibrate.cached",
  "fold",
  "quantize",
  "build",
  "encode",
  "session",
  "total.cached",
  "total.uncached",
] as const;

/** One phase name. */
export type EvolvePhase = typeof EVOLVE_PHASES[number];

/** Options of {@link timeEvolution}. */
export interface EvolveOptions {
  readonly repeat: number;
  /** Untimed runs first (default 2): the first runs of a path are slower. */
  readonly warmup?: number;
  readonly data: CalibrationData;
  /** Calibration samples (default 256). */
  readonly samples?: number;
  readonly backend?: string;
}

/** Median and p99 (nearest rank) of one phase, milliseconds. */
export interface PhaseSummary {
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** Per-phase timings of every run and their summary. */
export interface EvolveTimings {
  readonly runs: Readonly<Record<EvolvePhase, number[]>>;
  readonly summary: Readonly<Record<EvolvePhase, PhaseSummary>>;
  readonly repeat: number;
  readonly samples: number;
  readonly modelBytes: number;
}

/** Median (middle pair averaged) and nearest-rank p99 of `ms`. */
export function summarize(ms: readonly number[]): PhaseSummary {
  const s = [...ms].sort((a, b) => a - b), mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const p99 = s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
  return { median, p99, min: s[0], max: s[s.length - 1] };
}

/**
 * Times the evolution of `config` `repeat` times after `warmup` untimed runs.
 *
 * @example
 * ```ts
 * import { timeEvolution } from "./evolve.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const data = { x: new Float32Array(8 * 784), inputShape: [1, 28, 28], key: "zeros" };
 * const t = await timeEvolution(store, space, smallestConfig(space), { repeat: 2, data, samples: 8 });
 * console.assert(t.summary["total.cached"].median > 0);
 * ```
 */
export async function timeEvolution(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  opts: EvolveOptions,
): Promise<EvolveTimings> {
  await initWeb();
  const backend = opts.backend ?? "web";
  const runs = Object.fromEntries(EVOLVE_PHASES.map((p) => [p, [] as number[]])) as Record<
    EvolvePhase,
    number[]
  >;
  let samples = 0, modelBytes = 0;
  for (let i = 0; i < (opts.warmup ?? 2) + opts.repeat; i++) {
    const t: Partial<Record<EvolvePhase, number>> = {};
    // Uncached, calibration fits the low-rank factors to its samples (lowrank_fit.ts) and then
    // measures the statistics; cached, both come back together, and deriving the weights only
    // slices (the fitted factors replace the SVD's). The plain SVD, cached per store revision
    // (svd_cache.ts), is timed too: it is what configurations without a fit would pay.
    const cal = { samples: opts.samples, backend };
    const c0 = performance.now();
    const uncached = await calibrateBn(store, space, config, opts.data, { ...cal, refresh: true });
    const c1 = performance.now();
    const cached = await calibrateBn(store, space, config, opts.data, cal);
    const c2 = performance.now();
    t["calibrate.uncached"] = c1 - c0;
    t["calibrate.cached"] = c2 - c1;
    t["fit.uncached"] = uncached.timings.fit;
    samples = cached.samples;
    const plan = planSubnet(space, config, store.shape);
    const fresh = deriveSubnetWeights(store, plan, { refresh: true, lowRank: cached.lowRank });
    const weights = deriveSubnetWeights(store, plan, { lowRank: cached.lowRank });
    t.slice = weights.timings.slice;
    t["svd.uncached"] = fresh.timings.svd;
    t["svd.cached"] = weights.timings.svd;
    const m = materialize(store, space, config, {
      inputShape: opts.data.inputShape,
      bnStats: cached.stats,
      weights,
    });
    t.fold = m.timings.fold;
    t.quantize = m.timings.quantize;
    t.build = m.timings.build;
    const e0 = performance.now();
    const bytes = encodeModel(m.model);
    const e1 = performance.now();
    const session = await createSession(bytes, { backend, cache: false });
    const e2 = performance.now();
    await session.release();
    t.encode = e1 - e0;
    t.session = e2 - e1;
    modelBytes = bytes.length;
    const common = t.slice + t.fold + t.quantize + t.build + t.encode + t.session;
    t["total.cached"] = common + t["svd.cached"] + t["calibrate.cached"];
    t["total.uncached"] = common + t["svd.uncached"] + t["calibrate.uncached"];
    if (i < (opts.warmup ?? 2)) continue;
    for (const p of EVOLVE_PHASES) runs[p].push(t[p]!);
  }
  const summary = Object.fromEntries(EVOLVE_PHASES.map((p) => [p, summarize(runs[p])])) as Record<
    EvolvePhase,
    PhaseSummary
  >;
  return { runs, summary, repeat: opts.repeat, samples, modelBytes };
}

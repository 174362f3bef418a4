/**
 * Deriving a subnet's own (unfolded) weights from the shared store by its plan: slice every
 * conv, compute low-rank factors by SVD, slice BN gamma/beta and the classifier. Each tensor
 * keeps its {@link StoreSlice}, so a trainer can train the subnet and scatter updates back.
 *
 * @module
 */
import type { PlanConv, SubnetPlan } from "./plan.ts";
import { readSlice, sliceShape, type StoreSlice } from "./slice.ts";
import { cachedLowRankFactors } from "./svd_cache.ts";
import type { LowRankFactors } from "./svd.ts";
import { lowRankPrefix } from "./lowrank_fit.ts";
import type { WeightStore } from "./weights.ts";

/** One subnet tensor and the store slice it comes from. */
export interface SubnetTensor {
  /** `<conv>.w` (e.g. `b2.pw.w`), `<bn>.gamma|beta` (e.g. `b2.pw.bn.gamma`), `head.w|b`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly source: StoreSlice;
}

/** A subnet's unfolded weights. */
export interface SubnetWeights {
  /** Every tensor, by name. */
  readonly tensors: ReadonlyMap<string, SubnetTensor>;
  /**
   * Milliseconds spent slicing and in SVD (measured here; `svd` includes slicing the low-rank
   * weights, and is near zero when every SVD came from the cache), and how many low-rank
   * convs were served from the SVD cache (`svd_cache.ts`) or computed now.
   */
  readonly timings: {
    readonly slice: number;
    readonly svd: number;
    readonly svdCached: number;
    readonly svdComputed: number;
  };
}

/** Options of {@link deriveSubnetWeights}. */
export interface DeriveOptions {
  /** Recompute every SVD instead of using the cache (to time the uncached path). */
  readonly refresh?: boolean;
  /**
   * Factors to use instead of the SVD's, by low-rank prefix (`b4.lr`): the activation-aware
   * fit that BN calibration makes for deployment (`lowrank_fit.ts`).
   */
  readonly lowRank?: ReadonlyMap<string, LowRankFactors>;
  /**
   * Leave the low-rank factors out (no SVD): for a graph that runs low-rank blocks as their full
   * conv, such as the fit's probe (`lowrank_fit.ts`).
   */
  readonly withoutLowRank?: boolean;
}

/** The weight of conv `c` from derived weights. */
export function convWeight(w: SubnetWeights, c: PlanConv): SubnetTensor {
  return w.tensors.get(`${c.name}.w`)!;
}

/** Every conv of a plan, stem first, in network order. */
export function planConvs(plan: SubnetPlan): PlanConv[] {
  return [plan.stem, ...plan.blocks.flatMap((b) => b.stages.flat())];
}

/**
 * Derives a subnet's weights from the store.
 *
 * @example
 * ```ts
 * import { deriveSubnetWeights } from "./derive.ts";
 * import { planSubnet } from "./plan.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const io = { inputChannels: 1, numClasses: 10 };
 * const store = createWeightStore(space, io, 0);
 * const w = deriveSubnetWeights(store, planSubnet(space, smallestConfig(space), io));
 * console.assert(w.tensors.get("head.w")!.shape[0] === 10);
 * ```
 */
export function deriveSubnetWeights(
  store: WeightStore,
  plan: SubnetPlan,
  opts: DeriveOptions = {},
): SubnetWeights {
  const tensors = new Map<string, SubnetTensor>();
  let sliceMs = 0, svdMs = 0, svdCached = 0, svdComputed = 0;
  const put = (name: string, shape: readonly number[], data: Float32Array, source: StoreSlice) =>
    tensors.set(name, { name, shape, data, source });
  const plain = (name: string, source: StoreSlice) => {
    const t0 = performance.now();
    put(name, sliceShape(store, source), readSlice(store, source), source);
    sliceMs += performance.now() - t0;
  };
  for (const c of planConvs(plan)) {
    if (c.bn !== null) {
      for (const p of ["gamma", "beta"]) {
        plain(`${c.bn}.${p}`, {
          tensor: `${c.bn}.${p}`,
          rows: c.bnRows,
          cols: null,
          derived: null,
        });
      }
    }
    const derived = c.weight.derived;
    if (derived === null) {
      plain(`${c.name}.w`, c.weight);
      continue;
    }
    // svd-v is made together with its svd-u partner.
    if (derived.kind === "svd-v" || opts.withoutLowRank) continue;
    const prefix = lowRankPrefix(c);
    const given = opts.lowRank?.get(prefix);
    // The factors of a slice only change with the store's values: see svd_cache.ts.
    const t0 = performance.now();
    const { factors: { u, v }, shape, cached } = given
      ? { factors: given, shape: sliceShape(store, c.weight), cached: true }
      : cachedLowRankFactors(store, c.weight, derived.rank, opts);
    svdMs += performance.now() - t0;
    if (cached) svdCached++;
    else svdComputed++;
    const r = derived.rank, ones = Array<number>(plan.dims).fill(1);
    put(`${prefix}.u.w`, [r, ...shape.slice(1)], u, c.weight);
    put(`${prefix}.v.w`, [shape[0], r, ...ones], v, {
      ...c.weight,
      derived: { kind: "svd-v", rank: r },
    });
  }
  plain("head.w", plan.head.weight);
  plain("head.b", plan.head.bias);
  return { tensors, timings: { slice: sliceMs, svd: svdMs, svdCached, svdComputed } };
}

/**
 * Materializing a configuration: its weights derived from the shared store (slice, SVD), BN
 * statistics folded into the convs, optional int8 QDQ weights, and an inference graph with the
 * weights as initializers (input `input` `[N, ...inputShape]`, output `logits` `[N, classes]`).
 *
 * @module
 */
import { tensor } from "../onnx/dtype.ts";
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { relu } from "../onnx/ops/math.ts";
import { conv, gemm } from "../onnx/ops/nn.ts";
import { dequantizeLinear } from "../onnx/ops/quant.ts";
import type { ModelData, TensorData } from "../onnx/types.ts";
import { deriveSubnetWeights, type SubnetWeights } from "./derive.ts";
import { convOptions, emitBackbone } from "./emit.ts";
import { type PlanConv, planSubnet, type SubnetPlan } from "./plan.ts";
import { quantizePerChannel } from "./quantize.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import { BN_EPSILON, type WeightStore } from "./weights.ts";
import type { LowRankFactors } from "./svd.ts";

/** Per-channel BN statistics of one BN layer of a subnet (its channels only). */
export interface BnStatistics {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

/** A subnet's BN statistics by BN prefix (`stem.bn`, `b2.dw.bn`, ...). */
export type BnStats = ReadonlyMap<string, BnStatistics>;

/** Options of {@link materialize}. */
export interface MaterializeOptions {
  /** One sample's shape, `[C, H, W]` or `[C, L]`. */
  readonly inputShape: readonly number[];
  /**
   * BN statistics to fold (from `bn_calibration.ts`). Without them every BN uses mean 0 and
   * variance 1 and the result says `calibrated: false`.
   */
  readonly bnStats?: BnStats;
  /**
   * Low-rank factors fitted with those statistics (`CalibrationResult.lowRank`), instead of the
   * plain SVD's; ignored when `weights` is given.
   */
  readonly lowRank?: ReadonlyMap<string, LowRankFactors>;
  /** int8 QDQ weights (default: the configuration's flag). */
  readonly int8?: boolean;
  /** Weights already derived for this configuration (skips slicing and SVD). */
  readonly weights?: SubnetWeights;
  /** Graph name (default `subnet`). */
  readonly name?: string;
}

/** Milliseconds per phase of a materialization, measured here. */
export interface MaterializeTimings {
  readonly slice: number;
  readonly svd: number;
  readonly fold: number;
  readonly quantize: number;
  readonly build: number;
}

/** A materialized configuration. */
export interface Materialized {
  readonly plan: SubnetPlan;
  /** The inference graph (weights as initializers). */
  readonly graph: GraphBuilder;
  readonly model: ModelData;
  /** The unfolded subnet weights and their store slices (for training). */
  readonly weights: SubnetWeights;
  readonly calibrated: boolean;
  readonly int8: boolean;
  readonly timings: MaterializeTimings;
}

/** Folds BN into a conv: `w' = w * g / sqrt(v + eps)`, `b' = beta - mean * g / sqrt(v + eps)`. */
export function foldBn(
  w: Float32Array,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  stats: BnStatistics | undefined,
): { w: Float32Array; b: Float32Array } {
  const rows = gamma.length, per = w.length / rows;
  const out = new Float32Array(w.length), b = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const mean = stats?.mean[r] ?? 0, variance = stats?.variance[r] ?? 1;
    const k = gamma[r] / Math.sqrt(variance + BN_EPSILON);
    for (let i = 0; i < per; i++) out[r * per + i] = w[r * per + i] * k;
    b[r] = beta[r] - mean * k;
  }
  return { w: out, b };
}

/**
 * Materializes `config` from the store.
 *
 * @example
 * ```ts
 * import { materialize } from "./materialize.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const m = materialize(store, space, smallestConfig(space), { inputShape: [1, 28, 28] });
 * console.assert(m.graph.outputs[0].shape[1] === 10 && m.int8);
 * ```
 */
export function materialize(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  opts: MaterializeOptions,
): Materialized {
  const plan = planSubnet(space, config, store.shape);
  const weights = opts.weights ?? deriveSubnetWeights(store, plan, { lowRank: opts.lowRank });
  const int8 = opts.int8 ?? config.int8;
  let foldMs = 0, quantMs = 0;
  const t0 = performance.now();
  const g = new GraphBuilder(opts.name ?? "subnet");
  const input = g.input("input", "float32", ["N", ...opts.inputShape]);
  const t = (name: string) => weights.tensors.get(name)!;

  /** A weight initializer, through DequantizeLinear when int8. */
  const weight = (name: string, shape: readonly number[], w: Float32Array): Tensor => {
    if (!int8) return g.param(name, { dtype: "float32", shape, data: w });
    const q0 = performance.now();
    const { q, scale } = quantizePerChannel(w, shape[0]);
    quantMs += performance.now() - q0;
    const qt = g.param(`${name}.q`, { dtype: "int8", shape, data: q });
    const st = g.param(`${name}.scale`, { dtype: "float32", shape: [shape[0]], data: scale });
    const zt = g.param(`${name}.zero`, tensor("int8", [shape[0]], new Int8Array(shape[0])));
    return dequantizeLinear(qt, st, zt, { axis: 0, name: `${name}.dq` });
  };

  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const w = t(`${c.name}.w`);
    if (c.bn === null) {
      return conv(x, weight(`${c.name}.w`, w.shape, w.data), undefined, convOptions(c, plan.dims));
    }
    const f0 = performance.now();
    const folded = foldBn(
      w.data,
      t(`${c.bn}.gamma`).data,
      t(`${c.bn}.beta`).data,
      opts.bnStats?.get(c.bn),
    );
    foldMs += performance.now() - f0;
    const b = g.param(`${c.name}.b`, { dtype: "float32", shape: [c.cout], data: folded.b });
    const y = conv(x, weight(`${c.name}.w`, w.shape, folded.w), b, convOptions(c, plan.dims));
    return relu(y, { name: `${c.name}.relu` });
  };

  const features = emitBackbone(plan, input, layer);
  const hw = t("head.w"), hb = t("head.b");
  const bias: TensorData = { dtype: "float32", shape: hb.shape, data: hb.data };
  const logits = gemm(features, weight("head.w", hw.shape, hw.data), g.param("head.b", bias), {
    transB: true,
    name: "head",
  });
  g.output(logits, "logits");
  const model = g.toModel();
  const buildMs = performance.now() - t0 - foldMs - quantMs;
  return {
    plan,
    graph: g,
    model,
    weights,
    calibrated: opts.bnStats !== undefined,
    int8,
    timings: { ...weights.timings, fold: foldMs, quantize: quantMs, build: buildMs },
  };
}

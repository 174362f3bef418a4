/**
 * Training one configuration on its own, outside the supernet: the hand-crafted baselines of
 * the evaluation (DESIGN.md section 7) are configurations of the same space (width 0.5,
 * depthwise everywhere, fire everywhere, low-rank, ...) trained alone with lib/train's trainer,
 * then materialized by the same code as the supernet's derived subnets, so that latency, bytes
 * and accuracy are measured on graphs of exactly the same form.
 *
 * Unlike ensemble training (`lib/supernet/train_graph.ts`), every conv of the plan is a real
 * parameter here, low-rank factors included: a low-rank baseline trains its two factors
 * (initialised by SVD of the weights it starts from), which is "low-rank SVD with fine-tuning".
 * Magnitude pruning multiplies each pruned weight by a constant 0/1 mask inside the graph, so
 * the pruned weights stay zero through fine-tuning (their gradient is zero) and the mask is not
 * a trained parameter.
 *
 * BN statistics of the trained model are recalibrated on training samples
 * (`calibrateBn` with the trained weights), as for every derived subnet.
 *
 * @module
 */
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { mul, relu } from "../onnx/ops/math.ts";
import { batchNormalization, conv, gemm } from "../onnx/ops/nn.ts";
import type { GraphData } from "../onnx/types.ts";
import { type Param } from "../train/optimizer.ts";
import { train } from "../train/trainer.ts";
import type { TrainOptions, TrainResult } from "../train/trainer_options.ts";
import { calibrateBn, type CalibrationData } from "../supernet/bn_calibration.ts";
import { deriveSubnetWeights, type SubnetTensor, type SubnetWeights } from "../supernet/derive.ts";
import { convOptions, emitBackbone } from "../supernet/emit.ts";
import type { BnStats } from "../supernet/materialize.ts";
import { type PlanConv, planSubnet, type SubnetPlan } from "../supernet/plan.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { BN_EPSILON, markUpdated, type WeightStore } from "../supernet/weights.ts";
import { copyStore } from "../supernet/ensemble_checkpoint.ts";
import { addToSlice, readSlice } from "../supernet/slice.ts";

/** 0/1 masks by weight name (`b2.conv.w`, ...), same length as the weight. */
export type WeightMasks = ReadonlyMap<string, Float32Array>;

/** A standalone forward graph of a plan and the names of its trained parameters. */
export interface StandaloneForward {
  readonly graph: GraphData;
  readonly params: readonly string[];
}

/**
 * The forward graph of `plan` with `weights` as initializers, BN unfolded (statistics 0/1 to
 * start), and `masks` multiplied into their weights.
 *
 * @example
 * ```ts
 * import { standaloneForward } from "./standalone.ts";
 * import { createWeightStore } from "../supernet/weights.ts";
 * import { deriveSubnetWeights } from "../supernet/derive.ts";
 * import { planSubnet } from "../supernet/plan.ts";
 * import { createSearchSpace, smallestConfig } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const io = { inputChannels: 1, numClasses: 10 };
 * const plan = planSubnet(space, smallestConfig(space), io);
 * const w = deriveSubnetWeights(createWeightStore(space, io, 0), plan);
 * const f = standaloneForward(plan, w, [1, 28, 28]);
 * console.assert(f.params.includes("head.w") && f.graph.outputs[0].name === "logits");
 * ```
 */
export function standaloneForward(
  plan: SubnetPlan,
  weights: SubnetWeights,
  inputShape: readonly number[],
  masks: WeightMasks = new Map(),
): StandaloneForward {
  const g = new GraphBuilder("standalone");
  const params: string[] = [];
  const param = (name: string): Tensor => {
    const t = weights.tensors.get(name);
    if (!t) throw new RangeError(`standaloneForward: no weight ${name} in the derived weights`);
    params.push(name);
    return g.param(name, { dtype: "float32", shape: [...t.shape], data: t.data.slice() });
  };
  const weight = (name: string): Tensor => {
    const w = param(name);
    const m = masks.get(name);
    if (!m) return w;
    const mask = g.param(`${name}.mask`, { dtype: "float32", shape: w.shape as number[], data: m });
    return mul(w, mask, { name: `${name}.masked` });
  };
  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const y = conv(x, weight(`${c.name}.w`), undefined, convOptions(c, plan.dims));
    if (c.bn === null) return y; // first low-rank factor: no BN of its own
    const n = c.cout;
    const stat = (suffix: string, v: number) =>
      g.param(`${c.bn}.${suffix}`, {
        dtype: "float32",
        shape: [n],
        data: new Float32Array(n).fill(v),
      });
    const z = batchNormalization(y, {
      scale: param(`${c.bn}.gamma`),
      bias: param(`${c.bn}.beta`),
      mean: stat("mean", 0),
      variance: stat("var", 1),
    }, { epsilon: BN_EPSILON, name: c.bn });
    return relu(z, { name: `${c.bn}.relu` });
  };
  const input = g.input("input", "float32", ["N", ...inputShape]);
  const features = emitBackbone(plan, input, layer);
  g.output(
    gemm(features, param("head.w"), param("head.b"), { transB: true, name: "head" }),
    "logits",
  );
  return { graph: g.toGraph(), params };
}

/**
 * Layer-wise magnitude pruning masks: in every conv weight and the classifier, the `sparsity`
 * fraction of weights smallest in magnitude are masked (ties broken by position).
 *
 * @example
 * ```ts
 * import { magnitudeMasks } from "./standalone.ts";
 * const w = { name: "a.w", shape: [4], data: Float32Array.from([0.1, -3, 0.2, 2]), source: {} };
 * const m = magnitudeMasks(new Map([["a.w", w as never]]), 0.5);
 * console.assert(m.get("a.w")!.join() === "0,1,0,1");
 * ```
 */
export function magnitudeMasks(
  tensors: ReadonlyMap<string, SubnetTensor>,
  sparsity: number,
): Map<string, Float32Array> {
  if (!(sparsity >= 0 && sparsity < 1)) {
    throw new RangeError(`pruning sparsity must be in [0, 1), got ${sparsity}`);
  }
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    if (!name.endsWith(".w")) continue; // conv and classifier weights, not BN or biases
    const order = Array.from(t.data.keys()).sort((a, b) =>
      Math.abs(t.data[a]) - Math.abs(t.data[b]) || a - b
    );
    const mask = new Float32Array(t.data.length).fill(1);
    const cut = Math.floor(sparsity * t.data.length);
    for (let i = 0; i < cut; i++) mask[order[i]] = 0;
    out.set(name, mask);
  }
  return out;
}

/** Fraction of zero weights over the masked tensors. */
export function maskedFraction(masks: WeightMasks): number {
  let zeros = 0, total = 0;
  for (const m of masks.values()) {
    total += m.length;
    for (const v of m) if (v === 0) zeros++;
  }
  return total ? zeros / total : 0;
}

/** Options of {@link trainAlone}. */
export interface TrainAloneOptions extends Omit<TrainOptions, "forward" | "params" | "settings"> {
  readonly space: SearchSpace;
  /** Store the configuration's initial weights are derived from (fresh, or holding a backbone). */
  readonly store: WeightStore;
  readonly config: SubnetConfig;
  /** Initial weights instead of deriving them from `store` (e.g. a trained backbone's). */
  readonly init?: SubnetWeights;
  /** Magnitude-pruning masks applied through training. */
  readonly masks?: WeightMasks;
  /** Training samples for BN recalibration of the result. */
  readonly calibration: CalibrationData;
  readonly calibrationSamples?: number;
}

/** A configuration trained alone. */
export interface TrainedAlone {
  readonly plan: SubnetPlan;
  /** Trained weights (masked weights are zero), in the derived-weights form `materialize` takes. */
  readonly weights: SubnetWeights;
  /** BN statistics recalibrated with the trained weights. */
  readonly bnStats: BnStats;
  readonly result: TrainResult;
}

/**
 * A copy of `store` holding `weights` in their slices (e.g. a trained backbone, so that a
 * low-rank configuration derived from it starts from the SVD of the trained convs).
 */
export function storeWithWeights(
  store: WeightStore,
  weights: SubnetWeights,
  origin: string,
): WeightStore {
  const out = copyStore(store, origin);
  for (const t of weights.tensors.values()) {
    if (t.source.derived !== null) continue; // SVD factors are not store slices
    const old = readSlice(out, t.source);
    addToSlice(out, t.source, t.data.map((v, i) => v - old[i]));
  }
  markUpdated(out);
  return out;
}

/** Trains `o.config` alone (see the module doc). */
export async function trainAlone(o: TrainAloneOptions): Promise<TrainedAlone> {
  const plan = planSubnet(o.space, o.config, o.store.shape);
  const init = o.init ?? deriveSubnetWeights(o.store, plan);
  const f = standaloneForward(plan, init, o.data.inputShape, o.masks);
  const result = await train({ ...o, forward: f.graph, params: f.params });
  const tensors = new Map<string, SubnetTensor>();
  for (const [name, t] of init.tensors) {
    const trained: Param | undefined = result.values[name];
    const data = trained ? new Float32Array(trained.data) : t.data.slice();
    const m = o.masks?.get(name);
    if (m) { for (let i = 0; i < data.length; i++) data[i] *= m[i]; }
    tensors.set(name, { ...t, data });
  }
  const weights: SubnetWeights = {
    tensors,
    timings: { slice: 0, svd: 0, svdCached: 0, svdComputed: 0 },
  };
  // A shallow copy: calibrateBn caches per store object, and these statistics belong to the
  // trained-alone weights, not to the store's own derived subnet.
  const cal = await calibrateBn({ ...o.store }, o.space, o.config, o.calibration, {
    weights,
    refresh: true,
    samples: o.calibrationSamples,
  });
  return { plan, weights, bnStats: cal.stats, result };
}

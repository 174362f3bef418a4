/**
 * The training-mode graph of one configuration for ensemble training: the subnet forward
 * (`emit.ts`) with unfolded BatchNormalization (batch statistics, as in training) and every
 * weight a graph input named after the store tensor it is sliced from, turned by lib/train's
 * {@link buildTrainingGraph} into loss + one gradient per weight. Each parameter keeps its
 * {@link StoreSlice}, so gradients are summed back into store-shaped buffers (`addToSlice`).
 *
 * Names: a subnet reads at most one slice of each store tensor, so the store name is a unique
 * input name (`b2.pw.w`, `b2.pw.bn.gamma`, `head.w`, ...). BN running statistics are inputs
 * too (`<bn>.mean|var`, fed 0 and 1) because the training graph contract has them, but their
 * updates are ignored: statistics are recalibrated per configuration (`bn_calibration.ts`).
 *
 * **Low-rank blocks (straight-through).** The low-rank factors are an SVD of the shared conv
 * weight, which standard ONNX ops cannot compute inside the graph, and training the factors
 * needs an SVD per low-rank block per step (0.3 s measured here for mnist's 128 x 576 block-4
 * weight, as long as a whole training step of the largest configuration) plus a rule to map
 * factor updates back to the shared weight. So during training a low-rank block runs as the
 * plain conv on the shared slice `b<i>.conv.w` `[0,cout) x [0,cin)`, followed by its own BN
 * `b<i>.lr.bn` and ReLU: the factorised operator is replaced by the weight it approximates
 * (a straight-through estimator of `W_r = svd_r(W)`, `dW_r/dW ≈ I`). Its BN affine parameters
 * are trained on the full-rank output; the rank-r error is absorbed at evolution time by BN
 * recalibration on the rank-r subnet. Training thus keeps the shared conv weight good for
 * every width the low-rank choices read, but does not specialise it to low ranks.
 *
 * @module
 */
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { relu } from "../onnx/ops/math.ts";
import { batchNormalization, conv, gemm } from "../onnx/ops/nn.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { GraphData } from "../onnx/types.ts";
import type { LossSpec } from "../train/loss.ts";
import { buildTrainingGraph, type TrainingGraph } from "../train/training_graph.ts";
import { convOptions, emitBackbone } from "./emit.ts";
import { type PlanConv, planSubnet, type SubnetPlan } from "./plan.ts";
import { sliceShape, type StoreSlice } from "./slice.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import { BN_EPSILON, type WeightStore } from "./weights.ts";

/** One trained input of a subnet graph and where it lives in the store. */
export interface ParamSlice {
  /** Graph input name = store tensor name. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly slice: StoreSlice;
}

/** The output of one (not skipped) block in a subnet graph. */
export interface BlockFeature {
  readonly block: number;
  /** Tensor name in the graph. */
  readonly name: string;
  /** Channels (the block's width in this configuration). */
  readonly channels: number;
}

/** A subnet's training-mode forward graph and its parameters. */
export interface SubnetForward {
  readonly plan: SubnetPlan;
  /** Input `input` `[N, ...inputShape]`, output `logits`; weights as (placeholder) initializers. */
  readonly graph: GraphData;
  readonly params: readonly ParamSlice[];
  /** Every block's output tensor, in block order (skipped blocks have none). */
  readonly blocks: readonly BlockFeature[];
}

/**
 * The forward graph of `config` with unfolded BN, its weights named after store tensors.
 *
 * @example
 * ```ts
 * import { subnetForward } from "./train_graph.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const f = subnetForward(store, space, smallestConfig(space), [1, 28, 28]);
 * console.assert(f.params.some((p) => p.name === "head.w"));
 * ```
 */
export function subnetForward(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  inputShape: readonly number[],
): SubnetForward {
  const plan = planSubnet(space, config, store.shape);
  const g = new GraphBuilder("subnet_train");
  const params: ParamSlice[] = [];
  const param = (slice: StoreSlice): Tensor => {
    const shape = sliceShape(store, slice);
    params.push({ name: slice.tensor, shape, slice });
    // Placeholder values: the training graph feeds every parameter, so these are dropped.
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    return g.param(slice.tensor, { dtype: "float32", shape, data });
  };
  const bnRelu = (y: Tensor, bn: string, rows: readonly [number, number]): Tensor => {
    const c = rows[1] - rows[0];
    const stat = (suffix: string, v: number) =>
      g.param(`${bn}.${suffix}`, {
        dtype: "float32",
        shape: [c],
        data: new Float32Array(c).fill(v),
      });
    const vec = (p: string) => param({ tensor: `${bn}.${p}`, rows, cols: null, derived: null });
    const z = batchNormalization(y, {
      scale: vec("gamma"),
      bias: vec("beta"),
      mean: stat("mean", 0),
      variance: stat("var", 1),
    }, { epsilon: BN_EPSILON, name: bn });
    return relu(z, { name: `${bn}.relu` });
  };
  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const kind = c.weight.derived?.kind;
    // Straight-through low-rank (module doc): lr.u runs as the plain conv it approximates,
    // lr.v as the identity followed by the block's BN and ReLU.
    if (kind === "svd-v") return bnRelu(x, c.bn!, c.bnRows);
    const slice: StoreSlice = { ...c.weight, derived: null };
    const opts = convOptions(c, plan.dims);
    const y = conv(x, param(slice), undefined, opts);
    return kind === "svd-u" ? y : bnRelu(y, c.bn!, c.bnRows);
  };
  const input = g.input("input", "float32", ["N", ...inputShape]);
  const blocks: BlockFeature[] = [];
  const features = emitBackbone(plan, input, layer, (block, x) => {
    blocks.push({ block, name: x.name, channels: x.dim(1) as number });
  });
  const logits = gemm(features, param(plan.head.weight), param(plan.head.bias), {
    transB: true,
    name: "head",
  });
  g.output(logits, "logits");
  return { plan, graph: g.toGraph(), params, blocks };
}

/** Options of {@link buildSubnetTraining}. */
export interface SubnetTrainingOptions {
  readonly inputShape: readonly number[];
  /** Static batch size of the graph. */
  readonly batchSize: number;
  readonly loss: LossSpec;
  /**
   * Block-wise feature distillation: `expose` makes every block's output a graph output (the
   * teacher's side); `weight` > 0 adds, for every block, an input `<output>__target` (the
   * teacher's first `channels` channels) and `weight / blocks * mean((output - target)^2)` to
   * the loss (the student's side).
   */
  readonly features?: { readonly expose?: boolean; readonly weight?: number };
}

/** A built training graph of one configuration. */
export interface SubnetTraining {
  readonly plan: SubnetPlan;
  readonly training: TrainingGraph;
  /** Encoded model bytes (the training graph plus a `logits` output for the teacher). */
  readonly bytes: Uint8Array;
  readonly params: readonly ParamSlice[];
  /** Output name of the (training-mode) logits. */
  readonly logits: string;
  /** Block outputs (graph outputs when `features.expose`). */
  readonly blocks: readonly BlockFeature[];
  /** Block index -> target input name, when feature distillation is on. */
  readonly featureTargets: ReadonlyMap<number, string>;
}

/**
 * The training graph of `config`: inputs `input`, `labels` (and `teacher_logits` for a
 * distillation loss), the parameters (store names) and BN statistics; outputs loss, correct,
 * `<param>__grad`, and the training-mode `logits` (the teacher signal of in-place
 * distillation).
 *
 * @example
 * ```ts
 * import { buildSubnetTraining } from "./train_graph.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, largestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const t = buildSubnetTraining(store, space, largestConfig(space), {
 *   inputShape: [1, 28, 28], batchSize: 8, loss: { kind: "cross-entropy" } });
 * console.assert(t.training.grads["b0.conv.w"] === "b0.conv.w__grad");
 * ```
 */
export function buildSubnetTraining(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  o: SubnetTrainingOptions,
): SubnetTraining {
  const f = subnetForward(store, space, config, o.inputShape);
  const weight = o.features?.weight ?? 0;
  const t = buildTrainingGraph(f.graph, {
    loss: o.loss,
    batchSize: o.batchSize,
    params: f.params.map((p) => p.name),
    featureTargets: weight > 0
      ? f.blocks.map((b) => ({ output: b.name, weight: weight / f.blocks.length }))
      : undefined,
  });
  const exposed = o.features?.expose
    ? f.blocks.map((b) => ({ name: b.name, dtype: "float32" as const }))
    : [];
  const graph: GraphData = {
    ...t.graph,
    outputs: [...t.graph.outputs, { name: "logits", dtype: "float32" }, ...exposed],
  };
  const featureTargets = new Map<number, string>();
  for (const b of f.blocks) {
    const target = t.featureTargets?.[b.name];
    if (target !== undefined) featureTargets.set(b.block, target);
  }
  const model = {
    ...new GraphBuilder().toModel({ docString: "adaspring subnet training" }),
    graph,
  };
  return {
    plan: f.plan,
    training: { ...t, graph },
    bytes: encodeModel(model),
    params: f.params,
    logits: "logits",
    blocks: f.blocks,
    featureTargets,
  };
}

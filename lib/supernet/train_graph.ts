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
 * **Low-rank blocks.** The low-rank factors are an SVD of the shared conv weight, which
 * standard ONNX ops cannot compute inside the graph. Two ways to train them
 * ({@link LowRankTraining}):
 *
 * - `straight-through` (default): `lr.u` runs as the plain conv on the shared slice
 *   `b<i>.conv.w` `[0,cout) x [0,cin)` and `lr.v` as the identity followed by the block's own
 *   BN `b<i>.lr.bn` and ReLU: the factorised operator is replaced by the weight it approximates
 *   (`dW_r/dW ≈ I`), and the rank-r error is absorbed at evolution time by BN recalibration.
 * - `projected`: the rank-r operator equals the plain conv on `P W`, with `W` the slice (rows
 *   flattened to `cout x cin*k*k`) and `P = U_r U_r^T` the projection on its top r left singular
 *   vectors (`lowrank_projection.ts`). So `lr.u` runs as Reshape -> MatMul(P, W) -> Reshape ->
 *   Conv with `P` an untrained input `<tensor>.proj` recomputed from the store before every step
 *   ({@link projectionFeeds}): the forward pass is the deployed rank-r operator, its BN is
 *   trained on rank-r outputs, and the shared weight gets `P^T dL/d(PW)`. At full rank `P` is
 *   the identity and is left out.
 *
 * Measured (mnist, paper-suite data, 8 epochs, `--random 4 --workers 2`, one run each): mean
 * gap to the same configurations trained alone over largest, smallest and 3 sampled, 3.21
 * points straight-through vs 4.07 projected; every sampled configuration, each with 1-3
 * low-rank blocks, was 1.3-1.6 points worse projected. The straight-through signal also trains
 * the conv weight that the largest and the plain-conv choices read, which seems worth more here
 * than fitting the rank-r cut; hence the default.
 *
 * @module
 */
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { relu } from "../onnx/ops/math.ts";
import { batchNormalization, conv, gemm, matMul } from "../onnx/ops/nn.ts";
import { reshape } from "../onnx/ops/shape.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { GraphData, TensorData } from "../onnx/types.ts";
import type { LossSpec } from "../train/loss.ts";
import { buildTrainingGraph, type TrainingGraph } from "../train/training_graph.ts";
import { convOptions, emitBackbone } from "./emit.ts";
import { type PlanConv, planSubnet, type SubnetPlan } from "./plan.ts";
import { readSlice, sliceShape, type StoreSlice } from "./slice.ts";
import { lowRankProjection } from "./lowrank_projection.ts";
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

/** How low-rank blocks are trained (module doc). */
export type LowRankTraining = "straight-through" | "projected";

/** Low-rank training modes, for option parsing. */
export const LOW_RANK_TRAININGS = [
  "straight-through",
  "projected",
] as const satisfies readonly LowRankTraining[];

/** The rank-r projection input of one low-rank block (module doc). */
export interface ProjectionInput {
  /** Graph input name, `<conv tensor>.proj`, shaped `[cout, cout]`. */
  readonly name: string;
  /** The conv slice the projection is computed from. */
  readonly slice: StoreSlice;
  readonly rank: number;
}

/** A subnet's training-mode forward graph and its parameters. */
export interface SubnetForward {
  readonly plan: SubnetPlan;
  /** Input `input` `[N, ...inputShape]`, output `logits`; weights as (placeholder) initializers. */
  readonly graph: GraphData;
  readonly params: readonly ParamSlice[];
  /** Every block's output tensor, in block order (skipped blocks have none). */
  readonly blocks: readonly BlockFeature[];
  /** Projection inputs of the low-rank blocks below full rank (`projected` training only). */
  readonly projections: readonly ProjectionInput[];
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
  lowRank: LowRankTraining = "straight-through",
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
  const projections: ProjectionInput[] = [];
  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const derived = c.weight.derived;
    // Low-rank (module doc): lr.u runs as the conv on W (straight-through) or on P W
    // (projected), lr.v as the identity followed by the block's BN and ReLU.
    if (derived?.kind === "svd-v") return bnRelu(x, c.bn!, c.bnRows);
    const slice: StoreSlice = { ...c.weight, derived: null };
    const opts = convOptions(c, plan.dims);
    let w = param(slice);
    if (derived?.kind === "svd-u" && lowRank === "projected") {
      const shape = w.shape as number[];
      const [cout, cols] = [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
      if (derived.rank < Math.min(cout, cols)) {
        const name = `${slice.tensor}.proj`;
        projections.push({ name, slice, rank: derived.rank });
        const p = g.param(name, {
          dtype: "float32",
          shape: [cout, cout],
          data: new Float32Array(cout * cout),
        });
        const flat = reshape(w, [cout, cols], { name: `${slice.tensor}.flat` });
        w = reshape(matMul(p, flat, { name: `${slice.tensor}.projected` }), shape, {
          name: `${slice.tensor}.rank${derived.rank}`,
        });
      }
    }
    const y = conv(x, w, undefined, opts);
    return derived?.kind === "svd-u" ? y : bnRelu(y, c.bn!, c.bnRows);
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
  return { plan, graph: g.toGraph(), params, blocks, projections };
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
  /** How low-rank blocks are trained (default `straight-through`; module doc). */
  readonly lowRank?: LowRankTraining;
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
  /** Projection inputs to feed from the store before every run ({@link projectionFeeds}). */
  readonly projections: readonly ProjectionInput[];
}

/**
 * The training graph of `config`: inputs `input`, `labels` (and `teacher_logits` for a
 * distillation loss), the parameters (store names) and BN statistics; outputs loss, correct,
 * `<param>__grad`, and the training-mode `logits` (the teacher signal of in-place
 * distillation). With `projected` low-rank training, low-rank blocks below full rank also
 * read a `<tensor>.proj` input ({@link projectionFeeds}).
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
  const f = subnetForward(store, space, config, o.inputShape, o.lowRank);
  const weight = o.features?.weight ?? 0;
  const t = buildTrainingGraph(f.graph, {
    loss: o.loss,
    batchSize: o.batchSize,
    params: f.params.map((p) => p.name),
    constants: f.projections.map((p) => p.name),
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
    projections: f.projections,
  };
}

/**
 * The projection feeds of a training graph for the store's current values: `P = U_r U_r^T` of
 * each low-rank block's conv slice (module doc). Memoized per store revision, so the
 * configurations of one step that share a slice and rank compute it once.
 *
 * @example
 * ```ts
 * import { buildSubnetTraining, projectionFeeds } from "./train_graph.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, parseConfigId } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const config = parseConfigId(space, "b0:lr.25-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1");
 * const t = buildSubnetTraining(store, space, config, {
 *   inputShape: [1, 28, 28], batchSize: 8, loss: { kind: "cross-entropy" }, lowRank: "projected" });
 * const feeds = projectionFeeds(store, t.projections);
 * console.assert(feeds["b0.conv.w.proj"].shape.join() === "32,32");
 * ```
 */
export function projectionFeeds(
  store: WeightStore,
  projections: readonly ProjectionInput[],
): Record<string, TensorData> {
  // Straight-through training (the default) has none: nothing to look up on every run.
  if (projections.length === 0) return {};
  let memo = projectionMemo.get(store);
  if (!memo || memo.revision !== store.revision) {
    memo = { revision: store.revision, values: new Map() };
    projectionMemo.set(store, memo);
  }
  const out: Record<string, TensorData> = {};
  for (const p of projections) {
    const key = `${p.name}|${p.slice.rows}|${p.slice.cols}|${p.rank}`;
    let value = memo.values.get(key);
    if (!value) {
      const w = readSlice(store, p.slice);
      const shape = sliceShape(store, p.slice);
      const rows = shape[0], cols = w.length / rows;
      value = {
        dtype: "float32",
        shape: [rows, rows],
        data: lowRankProjection(w, rows, cols, p.rank),
      };
      memo.values.set(key, value);
    }
    out[p.name] = value;
  }
  return out;
}

const projectionMemo = new WeakMap<
  WeightStore,
  { revision: number; values: Map<string, TensorData> }
>();

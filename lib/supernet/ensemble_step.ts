/**
 * One ensemble-training step of the self-evolutionary network (sandwich rule with in-place
 * distillation, Once-for-All / BigNAS style):
 *
 * 1. the largest configuration is trained on the labels (cross-entropy) and its training-mode
 *    logits on the batch become the teacher signal;
 * 2. the smallest and `n` sampled configurations are trained by distillation from those logits
 *    (`alpha * T^2 KL + (1 - alpha) * CE`, lib/train's distillation loss), or from a fixed,
 *    trained teacher's inference logits on the batch (`teacher.ts`) where one is given;
 * 3. every configuration's gradients are summed per shared store slice into a store-shaped
 *    buffer, then ONE optimizer step updates the store and {@link markUpdated} records it.
 *
 * Gradients are summed by default, as in Once-for-All: each configuration's loss is a batch
 * mean, and a shared weight used by every configuration gets a gradient from each. With
 * {@link GradientReduction} `mean`, each weight's summed gradient is divided by the number of
 * configurations of the step that read it, so a weight moves at the task's learning rate however
 * many configurations share it (with SGD, summing over 10 configurations multiplies the step of
 * the most shared weights, the largest configuration's, by up to 10).
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { TensorData } from "../onnx/types.ts";
import type { LossSpec } from "../train/loss.ts";
import type { Optimizer, Param } from "../train/optimizer.ts";
import type { Rng } from "../util/rng.ts";
import type { BatchRunner } from "./export.ts";
import { sampleConfig } from "./enumerate.ts";
import { largestConfig, smallestConfig } from "./extremes.ts";
import type { SessionCache, TrainingSession } from "./ensemble_sessions.ts";
import { addToSlice, readSlice } from "./slice.ts";
import { projectionFeeds } from "./train_graph.ts";
import type { BlockOp, BlockSpace, SearchSpace, SubnetConfig } from "./space.ts";
import { markUpdated, type StoreTensor, type WeightStore } from "./weights.ts";

/** How the configurations besides the largest and smallest are drawn. */
export type Sampling = "uniform" | "op-balanced" | "balanced" | "corners";

/** Sampling kinds, for option parsing. */
export const SAMPLINGS = [
  "uniform",
  "op-balanced",
  "balanced",
  "corners",
] as const satisfies readonly Sampling[];

/**
 * Draws the `slot`-th sampled configuration of a step.
 *
 * - `uniform`: uniform over the whole space ({@link sampleConfig}).
 * - `op-balanced`: per block, an operator uniformly (low-rank counts as one operator whatever
 *   its ranks, skip as one), then uniformly among that operator's choices (widths, ranks); it
 *   gives skip and plain blocks a fairer share than uniform when the pool offers several ranks.
 * - `balanced`: per block, a weight family ({@link blockFamily}: conv and low-rank share the conv
 *   weight; depthwise; fire; skip) with probabilities that even out how many configurations
 *   of a step train each family, counting the largest and the smallest, which every step
 *   trains ({@link balancedChoiceProbabilities}); then uniformly within the family. Under
 *   uniform sampling the conv weight is trained by about 3.4 configurations per step on mnist
 *   and each fire or depthwise weight by under one, which left those operators undertrained.
 *   Measured (mnist, 8 epochs, `--random 4`): depthwise and fire everywhere gained 5-6 points,
 *   width scaling lost 5, and the mixed configurations did not gain (mean gap to the same
 *   configurations trained alone 3.65 vs 3.21 uniform); so uniform stays the default.
 * - `corners`: even slots (slots count on over the steps of a run) draw an operator corner
 *   ({@link drawCorner}: one operator and one width in every block), odd slots an op-balanced
 *   mix. Mixed draws almost never put the same
 *   operator in every block (1 in 5^5 on mnist), yet such single-operator networks
 *   (MobileNet-like depthwise everywhere, SqueezeNet-like fire everywhere) are exactly what a
 *   user compares against; untrained, they derived 30-50 points below the same network trained
 *   alone (paper suite, mnist).
 *
 * Training is float: the int8 flag is always off.
 *
 * @example
 * ```ts
 * import { drawConfig } from "./ensemble_step.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const c = drawConfig(space, createRng(0), "op-balanced");
 * console.assert(c.choices.length === space.blocks.length && !c.int8);
 * ```
 */
export function drawConfig(
  space: SearchSpace,
  rng: Rng,
  sampling: Sampling,
  slot = 0,
  random = 2,
): SubnetConfig {
  if (sampling === "uniform") return { ...sampleConfig(space, rng), int8: false };
  if (sampling === "balanced") {
    const probabilities = balancedChoiceProbabilities(space, random);
    return { choices: probabilities.map((p) => drawWeighted(p, rng)), int8: false };
  }
  if (sampling === "corners" && slot % 2 === 0) return drawCorner(space, rng);
  return { choices: space.blocks.map((b) => drawBalanced(b, rng)), int8: false };
}

/** The weight family of an operator: the store tensors it trains (conv and low-rank share). */
export function blockFamily(op: BlockOp): "conv" | "dw" | "fire" | "skip" {
  return op === "lowRank" ? "conv" : op;
}

/**
 * Per block, the probability of each choice under `balanced` sampling with `random` sampled
 * configurations per step. Each family `f` of the block is trained by `fixed_f` of the step's
 * sandwich configurations (the largest, the smallest); the sampled ones add `random * p_f` in
 * expectation. The family probabilities level `fixed_f + random * p_f` (water-filling: a family
 * the sandwich already trains more than the level gets probability 0); a family's probability
 * is shared uniformly among its choices.
 *
 * @example
 * ```ts
 * import { balancedChoiceProbabilities } from "./ensemble_step.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const p = balancedChoiceProbabilities(space, 4);
 * console.assert(p.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9));
 * ```
 */
export function balancedChoiceProbabilities(space: SearchSpace, random: number): number[][] {
  const key = `${random}`;
  const memo = balancedMemo.get(space);
  if (memo?.key === key) return memo.value;
  const largest = largestConfig(space), smallest = smallestConfig(space);
  const value = space.blocks.map((b, i) => {
    const members = new Map<string, number[]>();
    b.choices.forEach((c, j) => {
      const f = blockFamily(c.op);
      members.set(f, [...(members.get(f) ?? []), j]);
    });
    const families = [...members.keys()];
    const fixed = families.map((f) =>
      [largest, smallest].filter((c) => blockFamily(b.choices[c.choices[i]].op) === f).length
    );
    const p = levelProbabilities(fixed, Math.max(random, 1));
    const row = new Array<number>(b.choices.length).fill(0);
    families.forEach((f, k) => {
      const js = members.get(f)!;
      for (const j of js) row[j] = p[k] / js.length;
    });
    return row;
  });
  balancedMemo.set(space, { key, value });
  return value;
}

const balancedMemo = new WeakMap<SearchSpace, { key: string; value: number[][] }>();

/** Water-filling: `p >= 0`, `sum p = 1`, `fixed_k + n p_k` equal wherever `p_k > 0`. */
function levelProbabilities(fixed: readonly number[], n: number): number[] {
  const order = fixed.map((f, k) => [f, k] as const).sort((a, b) => a[0] - b[0]);
  // Raise the level over the lowest families until the n sampled slots are used up.
  let level = 0;
  for (let m = 1; m <= order.length; m++) {
    const sum = order.slice(0, m).reduce((a, [f]) => a + f, 0);
    level = (n + sum) / m;
    if (m === order.length || level <= order[m][0]) break;
  }
  return fixed.map((f) => Math.max(0, level - f) / n);
}

/** An index drawn with probabilities `p` (summing to 1). */
function drawWeighted(p: readonly number[], rng: Rng): number {
  let u = rng.next();
  for (let j = 0; j < p.length; j++) {
    u -= p[j];
    if (u < 0 && p[j] > 0) return j;
  }
  return p.findLastIndex((x) => x > 0);
}

/** One block's choice: an operator uniformly, then one of its choices uniformly. */
function drawBalanced(b: BlockSpace, rng: Rng): number {
  const byOp = new Map<BlockOp, number[]>();
  b.choices.forEach((c, j) => byOp.set(c.op, [...(byOp.get(c.op) ?? []), j]));
  const groups = [...byOp.values()];
  const group = groups[rng.int(groups.length)];
  return group[rng.int(group.length)];
}

/**
 * An operator corner: one operator (uniform over the pool's operators other than skip) and one
 * width (uniform) for every block; a low-rank corner draws each block's rank; each optional
 * block is skipped with probability 1/4 (where depth scaling is on). A block that does not
 * offer the operator draws op-balanced.
 *
 * @example
 * ```ts
 * import { drawCorner } from "./ensemble_step.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const c = drawCorner(space, createRng(1));
 * const ops = new Set(c.choices.map((j, i) => space.blocks[i].choices[j].op));
 * ops.delete("skip");
 * console.assert(ops.size === 1);
 * ```
 */
export function drawCorner(space: SearchSpace, rng: Rng): SubnetConfig {
  const ops = [
    ...new Set(space.blocks.flatMap((b) => b.choices.map((c) => c.op).filter((o) => o !== "skip"))),
  ];
  const op = ops[rng.int(ops.length)];
  const width = space.widths[rng.int(space.widths.length)];
  const choices = space.blocks.map((b) => {
    const skip = b.choices.findIndex((c) => c.op === "skip");
    if (skip >= 0 && rng.next() < 0.25) return skip;
    const fits = b.choices.flatMap((c, j) =>
      c.op === op && (c.width === null || c.width === width) ? [j] : []
    );
    return fits.length > 0 ? fits[rng.int(fits.length)] : drawBalanced(b, rng);
  });
  return { choices, int8: false };
}

/** Summed gradients, shaped like the store; only `touched` tensors hold non-zeros. */
export interface GradientBuffer {
  /** A store-shaped set of zero-initialised tensors (so `addToSlice` applies). */
  readonly grads: WeightStore;
  /**
   * Per weight, how many configurations of the step added a gradient to it (store-shaped);
   * present only for the `mean` reduction.
   */
  readonly counts?: WeightStore;
  readonly touched: Set<string>;
}

/**
 * How a step combines the gradients of its configurations on a shared weight: `sum` (Once-for-All,
 * BigNAS) or `mean` over the configurations that read the weight.
 */
export type GradientReduction = "sum" | "mean";

/** Gradient reductions, for option parsing. */
export const GRADIENT_REDUCTIONS = ["sum", "mean"] as const satisfies readonly GradientReduction[];

function zerosLike(store: WeightStore, origin: string): WeightStore {
  const tensors = new Map<string, StoreTensor>();
  for (const [name, t] of store.tensors) {
    tensors.set(name, { shape: t.shape, data: new Float32Array(t.data.length) });
  }
  return { ...store, tensors, origin, revision: 0 };
}

/** A zero gradient buffer for `store` (with per-weight counts for the `mean` reduction). */
export function createGradientBuffer(
  store: WeightStore,
  reduction: GradientReduction = "sum",
): GradientBuffer {
  return {
    grads: zerosLike(store, "gradient buffer"),
    ...(reduction === "mean" ? { counts: zerosLike(store, "gradient counts") } : {}),
    touched: new Set(),
  };
}

/** Zeroes the touched tensors of a buffer. */
export function clearGradients(buffer: GradientBuffer): void {
  for (const name of buffer.touched) {
    buffer.grads.tensors.get(name)!.data.fill(0);
    if (buffer.counts) buffer.counts.tensors.get(name)!.data.fill(0);
  }
  buffer.touched.clear();
}

/**
 * The buffer's gradients, reduced: as summed, or (with counts) each weight's sum divided by the
 * number of configurations that added to it. Divides in place; call once per step.
 */
export function reducedGradients(buffer: GradientBuffer): Record<string, Float32Array> {
  const grads: Record<string, Float32Array> = {};
  for (const name of buffer.touched) {
    const g = buffer.grads.tensors.get(name)!.data;
    const n = buffer.counts ? buffer.counts.tensors.get(name)!.data : undefined;
    if (n) { for (let i = 0; i < g.length; i++) if (n[i] > 1) g[i] /= n[i]; }
    grads[name] = g;
  }
  return grads;
}

const onesCache = new Map<number, Float32Array>();
function ones(n: number): Float32Array {
  let o = onesCache.get(n);
  if (!o) onesCache.set(n, o = new Float32Array(n).fill(1));
  return o;
}

/** One batch: `x` row-major `[batch, ...inputShape]`, labels int64. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: BigInt64Array;
  readonly inputShape: readonly number[];
}

/** Outputs of one configuration on one batch. */
export interface ConfigRun {
  readonly id: string;
  readonly loss: number;
  readonly correct: number;
  /** Training-mode logits `[batch, classes]`. */
  readonly logits: Float32Array;
  /** Gradient per parameter (store tensor name), shaped like its slice. */
  readonly grads: Readonly<Record<string, Float32Array>>;
  /** Block outputs in batch order, when the session exposes them (the teacher's). */
  readonly features: ReadonlyMap<number, BlockOutput>;
}

/** One block's training-mode output over the batch, `[batch, channels, ...spatial]`. */
export interface BlockOutput {
  readonly channels: number;
  readonly data: Float32Array;
}

/**
 * The first `channels` channels of `f` for samples `[from, to)` (a student block's target:
 * width slicing keeps the teacher's most important channels first).
 */
export function leadingChannels(
  f: BlockOutput,
  batch: number,
  channels: number,
  from: number,
  to: number,
): Float32Array {
  const perSample = f.data.length / batch;
  const spatial = perSample / f.channels;
  const keep = channels * spatial;
  if (channels === f.channels) return f.data.subarray(from * perSample, to * perSample);
  const out = new Float32Array((to - from) * keep);
  for (let j = from; j < to; j++) {
    out.set(f.data.subarray(j * perSample, j * perSample + keep), (j - from) * keep);
  }
  return out;
}

/**
 * Runs one configuration's training session on a batch with the store's current values
 * (`teacher` for a distillation graph) and returns its loss, logits and gradients. A sharded
 * session gets an equal share of the batch per worker: losses and gradients (means over each
 * share) are averaged, correct counts summed, logits concatenated in batch order.
 */
export async function runConfig(
  s: TrainingSession,
  store: WeightStore,
  batch: Batch,
  teacher?: Float32Array,
  teacherFeatures?: ReadonlyMap<number, BlockOutput>,
): Promise<ConfigRun> {
  const t = s.built.training;
  const n = batch.y.length;
  if (n % s.shards !== 0) {
    throw new TypeError(`configuration ${s.id}: batch of ${n} over ${s.shards} shards`);
  }
  if (t.teacher && !teacher) {
    throw new TypeError(`configuration ${s.id}: distillation needs teacher logits`);
  }
  for (const b of s.built.featureTargets.keys()) {
    if (!teacherFeatures?.has(b)) {
      throw new TypeError(`configuration ${s.id}: feature distillation needs block ${b}'s output`);
    }
  }
  const share = n / s.shards;
  const size = batch.x.length / n;
  const common: Record<string, TensorData> = {
    ...s.stateFeeds,
    ...projectionFeeds(store, s.built.projections),
  };
  for (const p of s.built.params) {
    common[p.name] = { dtype: "float32", shape: p.shape, data: readSlice(store, p.slice) };
  }
  const classes = teacher ? teacher.length / n : 0;
  const feeds = Array.from({ length: s.shards }, (_, k) => {
    const f: Record<string, TensorData> = { ...common };
    f[t.data] = {
      dtype: "float32",
      shape: [share, ...batch.inputShape],
      data: batch.x.subarray(k * share * size, (k + 1) * share * size),
    };
    f[t.labels] = {
      dtype: "int64",
      shape: [share],
      data: batch.y.subarray(k * share, (k + 1) * share),
    };
    if (t.teacher) {
      f[t.teacher] = {
        dtype: "float32",
        shape: [share, classes],
        data: teacher!.subarray(k * share * classes, (k + 1) * share * classes),
      };
    }
    for (const [b, input] of s.built.featureTargets) {
      const info = t.graph.inputs.find((v) => v.name === input)!;
      const c = s.built.blocks.find((x) => x.block === b)!.channels;
      const data = leadingChannels(teacherFeatures!.get(b)!, n, c, k * share, (k + 1) * share);
      const shape = [share, c, ...(info.shape as number[]).slice(2)];
      f[input] = { dtype: "float32", shape, data };
    }
    return f;
  });
  const exposed = s.built.training.graph.outputs.map((o) => o.name);
  const blockOuts = s.built.blocks.filter((b) => exposed.includes(b.name));
  const fetches = [
    t.loss,
    t.correct,
    s.built.logits,
    ...Object.values(t.grads),
    ...blockOuts.map((b) => b.name),
  ];
  const outs = await s.run(feeds, fetches);
  const f32 = (o: Record<string, TensorData>, name: string) => o[name].data as Float32Array;
  const mean = (name: string): Float32Array => {
    if (outs.length === 1) return f32(outs[0], name);
    const acc = new Float32Array(f32(outs[0], name));
    for (const o of outs.slice(1)) {
      const d = f32(o, name);
      for (let i = 0; i < acc.length; i++) acc[i] += d[i];
    }
    for (let i = 0; i < acc.length; i++) acc[i] /= outs.length;
    return acc;
  };
  // Shards in shard order are the batch's rows in order.
  const per = f32(outs[0], s.built.logits).length;
  const logits = new Float32Array(per * outs.length);
  outs.forEach((o, k) => logits.set(f32(o, s.built.logits), k * per));
  const grads: Record<string, Float32Array> = {};
  for (const [p, g] of Object.entries(t.grads)) grads[p] = mean(g);
  const features = new Map<number, BlockOutput>();
  for (const b of blockOuts) {
    const per = f32(outs[0], b.name).length;
    const data = new Float32Array(per * outs.length);
    outs.forEach((o, k) => data.set(f32(o, b.name), k * per));
    features.set(b.block, { channels: b.channels, data });
  }
  return {
    id: s.id,
    loss: mean(t.loss)[0],
    correct: outs.reduce((a, o) => a + Number(o[t.correct].data[0]), 0),
    logits,
    grads,
    features,
  };
}

/** Adds a configuration's gradients into the buffer, each at its store slice. */
export function accumulate(buffer: GradientBuffer, s: TrainingSession, run: ConfigRun): void {
  for (const p of s.built.params) {
    const g = run.grads[p.name];
    addToSlice(buffer.grads, p.slice, g);
    if (buffer.counts) addToSlice(buffer.counts, p.slice, ones(g.length));
    buffer.touched.add(p.slice.tensor);
  }
}

/** What an ensemble step needs besides the batch. */
export interface EnsembleContext {
  readonly store: WeightStore;
  readonly cache: SessionCache;
  readonly optimizer: Optimizer;
  readonly buffer: GradientBuffer;
  /** Distillation of the smaller configurations from the largest's logits. */
  readonly distill: { readonly temperature: number; readonly alpha: number };
  /**
   * Weight of block-wise feature distillation (0 or absent: off): each smaller configuration
   * also matches every block's output to the largest's first channels (mean squared error).
   */
  readonly featureDistill?: number;
  /**
   * A fixed, trained teacher (`teacher.ts`): the students distil from its inference logits on
   * the batch instead of the largest's training-mode logits; absent: in-place distillation.
   */
  readonly teacher?: BatchRunner;
}

/** Losses of one step (the largest's on labels, the others' distillation losses). */
export interface StepReport {
  readonly largest: ConfigRun;
  /** Smallest first, then the sampled ones, in order. */
  readonly students: readonly ConfigRun[];
}

/**
 * One sandwich-rule step: the largest (cross-entropy), then each of `students` (distillation
 * from the largest's logits, or from the fixed teacher's where the context has one), gradients summed (or averaged, see {@link GradientReduction}), one optimizer
 * step at `lr`, store marked updated.
 *
 * @throws {AdaspringError} (bad input) when a loss is not finite (the learning rate is too high).
 */
export async function ensembleStep(
  ctx: EnsembleContext,
  batch: Batch,
  largest: SubnetConfig,
  students: readonly SubnetConfig[],
  lr: number,
): Promise<StepReport> {
  const ce: LossSpec = { kind: "cross-entropy" };
  const kd: LossSpec = { kind: "distillation", ...ctx.distill };
  const fd = ctx.featureDistill ?? 0;
  clearGradients(ctx.buffer);
  const teacher = await ctx.cache.get(largest, ce, fd > 0 ? { expose: true } : undefined);
  const top = await runConfig(teacher, ctx.store, batch);
  accumulate(ctx.buffer, teacher, top);
  const target = ctx.teacher && students.length > 0
    ? await ctx.teacher(batch.x, batch.y.length)
    : top.logits;
  const runs: ConfigRun[] = [];
  for (const c of students) {
    const s = await ctx.cache.get(c, kd, fd > 0 ? { weight: fd } : undefined);
    const r = await runConfig(s, ctx.store, batch, target, top.features);
    accumulate(ctx.buffer, s, r);
    runs.push(r);
  }
  for (const r of [top, ...runs]) {
    if (!Number.isFinite(r.loss)) {
      throw badInput(
        `ensemble training diverged (configuration ${r.id}: loss ${r.loss}); lower the ` +
          `learning rate (--lr)`,
      );
    }
  }
  const params: Record<string, Param> = Object.fromEntries(ctx.store.tensors);
  ctx.optimizer.step(params, reducedGradients(ctx.buffer), lr);
  markUpdated(ctx.store);
  return { largest: top, students: runs };
}

/**
 * One ensemble-training step of the self-evolutionary network (sandwich rule with in-place
 * distillation, Once-for-All / BigNAS style):
 *
 * 1. the largest configuration is trained on the labels (cross-entropy) and its training-mode
 *    logits on the batch become the teacher signal;
 * 2. the smallest and `n` sampled configurations are trained by distillation from those logits
 *    (`alpha * T^2 KL + (1 - alpha) * CE`, lib/train's distillation loss);
 * 3. every configuration's gradients are summed per shared store slice into a store-shaped
 *    buffer, then ONE optimizer step updates the store and {@link markUpdated} records it.
 *
 * Gradients are summed, not averaged, as in Once-for-All: each configuration's loss is a batch
 * mean, and a shared weight used by every configuration gets a gradient from each.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { TensorData } from "../onnx/types.ts";
import type { LossSpec } from "../train/loss.ts";
import type { Optimizer, Param } from "../train/optimizer.ts";
import type { Rng } from "../util/rng.ts";
import { sampleConfig } from "./enumerate.ts";
import type { SessionCache, TrainingSession } from "./ensemble_sessions.ts";
import { addToSlice, readSlice } from "./slice.ts";
import type { BlockOp, SearchSpace, SubnetConfig } from "./space.ts";
import { markUpdated, type StoreTensor, type WeightStore } from "./weights.ts";

/** How the configurations besides the largest and smallest are drawn. */
export type Sampling = "uniform" | "op-balanced";

/** Sampling kinds, for option parsing. */
export const SAMPLINGS: readonly Sampling[] = ["uniform", "op-balanced"];

/**
 * Draws a configuration. `uniform`: uniform over the whole space ({@link sampleConfig}).
 * `op-balanced`: per block, an operator uniformly (low-rank counts as one operator whatever
 * its ranks, skip as one), then uniformly among that operator's choices (widths, ranks); it
 * gives skip and plain blocks a fairer share than uniform when the pool offers several ranks.
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
export function drawConfig(space: SearchSpace, rng: Rng, sampling: Sampling): SubnetConfig {
  if (sampling === "uniform") return { ...sampleConfig(space, rng), int8: false };
  const choices = space.blocks.map((b) => {
    const byOp = new Map<BlockOp, number[]>();
    b.choices.forEach((c, j) => byOp.set(c.op, [...(byOp.get(c.op) ?? []), j]));
    const groups = [...byOp.values()];
    const group = groups[rng.int(groups.length)];
    return group[rng.int(group.length)];
  });
  return { choices, int8: false };
}

/** Summed gradients, shaped like the store; only `touched` tensors hold non-zeros. */
export interface GradientBuffer {
  /** A store-shaped set of zero-initialised tensors (so `addToSlice` applies). */
  readonly grads: WeightStore;
  readonly touched: Set<string>;
}

/** A zero gradient buffer for `store`. */
export function createGradientBuffer(store: WeightStore): GradientBuffer {
  const tensors = new Map<string, StoreTensor>();
  for (const [name, t] of store.tensors) {
    tensors.set(name, { shape: t.shape, data: new Float32Array(t.data.length) });
  }
  return {
    grads: { ...store, tensors, origin: "gradient buffer", revision: 0 },
    touched: new Set(),
  };
}

/** Zeroes the touched tensors of a buffer. */
export function clearGradients(buffer: GradientBuffer): void {
  for (const name of buffer.touched) buffer.grads.tensors.get(name)!.data.fill(0);
  buffer.touched.clear();
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
}

/**
 * Runs one configuration's training session on a batch with the store's current values
 * (`teacher` for a distillation graph) and returns its loss, logits and gradients.
 */
export async function runConfig(
  s: TrainingSession,
  store: WeightStore,
  batch: Batch,
  teacher?: Float32Array,
): Promise<ConfigRun> {
  const t = s.built.training;
  const n = batch.y.length;
  const feeds: Record<string, TensorData> = { ...s.stateFeeds };
  for (const p of s.built.params) {
    feeds[p.name] = { dtype: "float32", shape: p.shape, data: readSlice(store, p.slice) };
  }
  feeds[t.data] = { dtype: "float32", shape: [n, ...batch.inputShape], data: batch.x };
  feeds[t.labels] = { dtype: "int64", shape: [n], data: batch.y };
  if (t.teacher) {
    if (!teacher) throw new TypeError(`configuration ${s.id}: distillation needs teacher logits`);
    feeds[t.teacher] = { dtype: "float32", shape: [n, teacher.length / n], data: teacher };
  }
  const fetches = [t.loss, t.correct, s.built.logits, ...Object.values(t.grads)];
  const out = await s.session.run(feeds, fetches);
  const grads: Record<string, Float32Array> = {};
  for (const [p, g] of Object.entries(t.grads)) grads[p] = out[g].data as Float32Array;
  return {
    id: s.id,
    loss: Number(out[t.loss].data[0]),
    correct: Number(out[t.correct].data[0]),
    logits: out[s.built.logits].data as Float32Array,
    grads,
  };
}

/** Adds a configuration's gradients into the buffer, each at its store slice. */
export function accumulate(buffer: GradientBuffer, s: TrainingSession, run: ConfigRun): void {
  for (const p of s.built.params) {
    addToSlice(buffer.grads, p.slice, run.grads[p.name]);
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
}

/** Losses of one step (the largest's on labels, the others' distillation losses). */
export interface StepReport {
  readonly largest: ConfigRun;
  /** Smallest first, then the sampled ones, in order. */
  readonly students: readonly ConfigRun[];
}

/**
 * One sandwich-rule step: the largest (teacher, cross-entropy), then each of `students`
 * (distillation), gradients summed, one optimizer step at `lr`, store marked updated.
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
  clearGradients(ctx.buffer);
  const teacher = await ctx.cache.get(largest, ce);
  const top = await runConfig(teacher, ctx.store, batch);
  accumulate(ctx.buffer, teacher, top);
  const runs: ConfigRun[] = [];
  for (const c of students) {
    const s = await ctx.cache.get(c, kd);
    const r = await runConfig(s, ctx.store, batch, top.logits);
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
  const grads: Record<string, Float32Array> = {};
  for (const name of ctx.buffer.touched) grads[name] = ctx.buffer.grads.tensors.get(name)!.data;
  ctx.optimizer.step(params, grads, lr);
  markUpdated(ctx.store);
  return { largest: top, students: runs };
}

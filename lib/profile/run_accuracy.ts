/**
 * The accuracy phase of `profile`: validation accuracy of sampled configurations, each
 * materialized from the weight store with its BN statistics recalibrated on training samples
 * (`calibrateBn`) and evaluated on (a prefix of) the validation split through the runtime.
 *
 * @module
 */
import type { PreparedDataset } from "../data/types.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import { calibrateBn } from "../supernet/bn_calibration.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import { sampleConfig } from "../supernet/enumerate.ts";
import { accuracyOf, measureAccuracy } from "../supernet/export.ts";
import { WorkerPool } from "../runtime/pool.ts";
import { materialize } from "../supernet/materialize.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { WeightStore } from "../supernet/weights.ts";
import type { Rng } from "../util/rng.ts";
import type { AccuracySample } from "./accuracy_predictor.ts";
import type { PhaseStore } from "./run_state.ts";

/**
 * `count` distinct configurations drawn with `rng` (fewer when the space is smaller), in draw
 * order, so a resumed run draws the same list.
 *
 * @example
 * ```ts
 * import { loadTaskConfig } from "../config/task.ts";
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { createRng } from "../util/rng.ts";
 * import { distinctConfigs } from "./run_accuracy.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(distinctConfigs(space, createRng(0), 10).length === 10);
 * ```
 */
export function distinctConfigs(space: SearchSpace, rng: Rng, count: number): SubnetConfig[] {
  const seen = new Map<string, SubnetConfig>();
  // Bounded draws: a tiny space may hold fewer than `count` configurations.
  for (let i = 0; i < 20 * count && seen.size < count; i++) {
    const c = sampleConfig(space, rng);
    const id = formatConfigId(space, c);
    if (!seen.has(id)) seen.set(id, c);
  }
  return [...seen.values()];
}

/** One configuration's validation accuracy, and on the even / odd samples (split halves). */
export interface MeasuredAccuracy {
  readonly accuracy: number;
  readonly halves: readonly [number, number];
  /** Mean per-class recall; absent from states saved before it was recorded. */
  readonly balancedAccuracy?: number;
}

/** What the accuracy phase needs. */
export interface AccuracyPhaseInput {
  readonly space: SearchSpace;
  readonly store: WeightStore;
  readonly data: PreparedDataset;
  readonly configs: readonly SubnetConfig[];
  /** Training samples BN statistics are recalibrated on. */
  readonly bnSamples: number;
  /** Validation samples evaluated (a prefix of the split). */
  readonly limit: number;
  /** Validation workers (default 1: this thread); see {@link measureAccuracies}. */
  readonly workers?: number;
  /** Saved measurements by config id (resumed ones are not evaluated again). */
  readonly state: PhaseStore<MeasuredAccuracy>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The first `limit` samples of a split. */
export function headOf(
  samples: { x: Float32Array; y: Int32Array },
  inputShape: readonly number[],
  limit: number,
): { x: Float32Array; y: Int32Array } {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const n = Math.min(limit, samples.y.length);
  return { x: samples.x.subarray(0, n * size), y: samples.y.subarray(0, n) };
}

/**
 * Evaluate every configuration not already in the state; returns all pairs, in order.
 *
 * With `inp.workers` > 1 the validation runs on a worker pool, one configuration per worker at
 * a time, while this thread recalibrates BN and builds the next models; accuracies are the same
 * as on one worker (the same models on the same samples), only sooner.
 */
export async function measureAccuracies(
  inp: AccuracyPhaseInput,
): Promise<(AccuracySample & MeasuredAccuracy)[]> {
  const { space, store, data } = inp;
  const val = headOf(data.val, data.inputShape, inp.limit);
  const calibration = { x: data.train.x, inputShape: data.inputShape, key: data.checksum };
  const ids = inp.configs.map((c) => formatConfigId(space, c));
  const pending = inp.configs.filter((_, i) => inp.state.entries[ids[i]] === undefined);
  let done = inp.configs.length - pending.length;
  const build = async (config: SubnetConfig): Promise<Uint8Array> => {
    const cal = await calibrateBn(store, space, config, calibration, { samples: inp.bnSamples });
    const m = materialize(store, space, config, {
      inputShape: data.inputShape,
      bnStats: cal.stats,
      lowRank: cal.lowRank,
    });
    return encodeModel(m.model);
  };
  // Saves are chained so that concurrent lanes never write the state file at once.
  let saving = Promise.resolve();
  const record = (config: SubnetConfig, r: MeasuredAccuracy) => {
    const id = formatConfigId(space, config);
    saving = saving.then(() => inp.state.put(id, r));
    inp.onProgress?.(++done, inp.configs.length);
    return saving;
  };
  // One lane per worker, each validating one configuration at a time; with one lane the model
  // runs in this thread.
  const lanes = Math.max(1, inp.workers ?? 1);
  const pool = lanes > 1 ? WorkerPool.create({ size: lanes }) : null;
  const validate = async (bytes: Uint8Array, w: number) => {
    if (!pool) return await measureAccuracy(bytes, val, data.inputShape);
    const model = await pool.load(bytes, { cache: false }, w);
    try {
      return await accuracyOf(
        async (x, count) => {
          const input = { dtype: "float32" as const, shape: [count, ...data.inputShape], data: x };
          const out = await pool.run(model, { input }, { worker: w, fetches: ["logits"] });
          return out.logits.data as Float32Array;
        },
        val,
        data.inputShape,
      );
    } finally {
      await pool.release(model);
    }
  };
  try {
    const queue = [...pending];
    const lane = async (w: number) => {
      for (let config = queue.shift(); config; config = queue.shift()) {
        const r = await validate(await build(config), w);
        await record(config, {
          accuracy: r.accuracy,
          halves: r.halves,
          balancedAccuracy: r.balancedAccuracy,
        });
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, w) => lane(w)));
  } finally {
    await pool?.close();
  }
  await saving;
  return inp.configs.map((c, i) => ({ config: c, ...inp.state.entries[ids[i]] }));
}

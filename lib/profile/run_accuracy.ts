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
import { formatConfigId, parseConfigId } from "../supernet/config_id.ts";
import { sampleConfig } from "../supernet/enumerate.ts";
import { measureAccuracy } from "../supernet/export.ts";
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

/** Evaluate every configuration not already in the state; returns all pairs, in order. */
export async function measureAccuracies(inp: AccuracyPhaseInput): Promise<AccuracySample[]> {
  const { space, store, data } = inp;
  const val = headOf(data.val, data.inputShape, inp.limit);
  const calibration = { x: data.train.x, inputShape: data.inputShape, key: data.checksum };
  const out: AccuracySample[] = [];
  for (const [i, config] of inp.configs.entries()) {
    const id = formatConfigId(space, config);
    let measured = inp.state.entries[id];
    if (measured === undefined) {
      const cal = await calibrateBn(store, space, config, calibration, {
        samples: inp.bnSamples,
      });
      const m = materialize(store, space, config, {
        inputShape: data.inputShape,
        bnStats: cal.stats,
      });
      const r = await measureAccuracy(encodeModel(m.model), val, data.inputShape);
      measured = { accuracy: r.accuracy, halves: r.halves };
      await inp.state.put(id, measured);
    }
    out.push({ config: parseConfigId(space, id), ...measured });
    inp.onProgress?.(i + 1, inp.configs.length);
  }
  return out;
}

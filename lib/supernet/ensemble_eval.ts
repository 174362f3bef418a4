/**
 * Validation during ensemble training: a configuration is evaluated as it will be deployed,
 * i.e. materialized from the shared store with its own BN statistics recalibrated on training
 * samples (`bn_calibration.ts`), BN folded, and run on the validation split through the runtime.
 *
 * @module
 */
import type { Samples } from "../data/types.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { BackendName } from "../runtime/types.ts";
import type { Rng } from "../util/rng.ts";
import { calibrateBn } from "./bn_calibration.ts";
import { formatConfigId } from "./config_id.ts";
import { drawConfig, type Sampling } from "./ensemble_step.ts";
import { measureAccuracy } from "./export.ts";
import { largestConfig, smallestConfig } from "./extremes.ts";
import { materialize } from "./materialize.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import type { WeightStore } from "./weights.ts";

/** A configuration watched during training and its role. */
export interface WatchedConfig {
  readonly role: "largest" | "smallest" | "random";
  readonly id: string;
  readonly config: SubnetConfig;
}

/**
 * The largest, the smallest and `random` fixed sampled configurations (float), drawn as the
 * training draws them (`sampling`, with `trainRandom` sampled configurations per step).
 */
export function watchedConfigs(
  space: SearchSpace,
  rng: Rng,
  random: number,
  sampling: Sampling,
  trainRandom = 2,
): WatchedConfig[] {
  const out: WatchedConfig[] = [];
  const add = (role: WatchedConfig["role"], config: SubnetConfig) => {
    const c = { ...config, int8: false };
    out.push({ role, id: formatConfigId(space, c), config: c });
  };
  add("largest", largestConfig(space));
  add("smallest", smallestConfig(space));
  for (let i = 0; i < random; i++) add("random", drawConfig(space, rng, sampling, i, trainRandom));
  return out;
}

/** Validation accuracy of one watched configuration. */
export interface ConfigAccuracy {
  readonly role: WatchedConfig["role"];
  readonly id: string;
  readonly accuracy: number;
  readonly samples: number;
}

/** Options of {@link validateConfigs}. */
export interface ValidateOptions {
  readonly inputShape: readonly number[];
  /** Training samples for BN recalibration, and a key naming them. */
  readonly calibration: { readonly x: Float32Array; readonly key: string };
  readonly calibrationSamples: number;
  readonly backend: BackendName;
}

/**
 * Materializes each configuration with recalibrated BN and measures its accuracy on `val`.
 *
 * @example
 * ```ts ignore
 * const acc = await validateConfigs(store, space, watched, data.val, {
 *   inputShape: [1, 28, 28], calibration: { x: data.train.x, key: "mnist" },
 *   calibrationSamples: 256, backend: "web" });
 * ```
 */
export async function validateConfigs(
  store: WeightStore,
  space: SearchSpace,
  configs: readonly WatchedConfig[],
  val: Samples,
  o: ValidateOptions,
): Promise<ConfigAccuracy[]> {
  const out: ConfigAccuracy[] = [];
  for (const w of configs) {
    const cal = await calibrateBn(store, space, w.config, {
      x: o.calibration.x,
      inputShape: o.inputShape,
      key: o.calibration.key,
      // Plain SVD factors, as trained (straight-through): the per-epoch watch and best-epoch
      // choice stay those of the training; deployment fits them (lowrank_fit.ts).
    }, { samples: o.calibrationSamples, backend: o.backend, batchSize: 128, fitLowRank: false });
    const m = materialize(store, space, w.config, {
      inputShape: o.inputShape,
      bnStats: cal.stats,
      int8: false,
    });
    const r = await measureAccuracy(encodeModel(m.model), val, o.inputShape, {
      backend: o.backend,
    });
    out.push({ role: w.role, id: w.id, accuracy: r.accuracy, samples: r.samples });
  }
  return out;
}

/**
 * Configurations spanning the space, each trained alone, for the shared-vs-alone comparison
 * (issue 5's protocol: the largest, the smallest and a few sampled configurations). The largest
 * is the backbone baseline (`stage_baselines.ts`); this stage trains the smallest and
 * `suite.baselines.aloneSampled` configurations drawn uniformly from the space (seeded), each
 * from scratch with the task's recipe at the baselines' epochs, materialized (BN recalibrated)
 * and measured on the test split. Results are cached per configuration under `<task>/alone/`;
 * raising `aloneSampled` keeps the ones already trained (the draws are a fixed sequence).
 *
 * @module
 */
import { join } from "node:path";
import type { SuiteConfig } from "../config/suite.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import { sampleConfig } from "../supernet/enumerate.ts";
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import { materialize } from "../supernet/materialize.ts";
import { measureAccuracy } from "../supernet/export.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { createWeightStore } from "../supernet/weights.ts";
import { createRng } from "../util/rng.ts";
import { progress, trainingCommon } from "./stage_baselines.ts";
import { trainAlone } from "./standalone.ts";
import { type EvalTask, readStage, stampInputs, writeStage } from "./task_setup.ts";

/** One configuration trained alone. */
export interface AloneResult {
  /** `smallest`, or `sampled-<i>`. */
  readonly name: string;
  readonly config: string;
  readonly testAccuracy: number;
  /**
   * Balanced accuracy on the test split (mean per-class recall); absent from results cached
   * before it was recorded (delete `<task>/alone/` to retrain and measure it).
   */
  readonly testBalancedAccuracy?: number;
  readonly testSamples: number;
  readonly epochs: number;
  /** Seconds of its training, measured here. */
  readonly trainSeconds: number;
}

/**
 * The smallest configuration (float) and `sampled` distinct configurations drawn uniformly
 * with the seed's `alone/sampled` stream, none of them the largest or the smallest.
 *
 * @example
 * ```ts
 * import { loadTaskConfig } from "../config/task.ts";
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { spanningConfigs } from "./stage_alone.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const c = spanningConfigs(space, 0, 3);
 * console.assert(c.length === 4 && c[0].name === "smallest" && c[3].name === "sampled-2");
 * ```
 */
export function spanningConfigs(
  space: SearchSpace,
  seed: number,
  sampled: number,
): { name: string; config: SubnetConfig }[] {
  const smallest = { ...smallestConfig(space), int8: false };
  const seen = new Set([smallest, largestConfig(space)].map((c) => formatConfigId(space, c)));
  const out = [{ name: "smallest", config: smallest }];
  const rng = createRng(seed).fork("alone/sampled");
  for (let draws = 0; out.length < sampled + 1 && draws < 100 * (sampled + 1); draws++) {
    const config = { ...sampleConfig(space, rng), int8: false };
    const id = formatConfigId(space, config);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ name: `sampled-${out.length - 1}`, config });
  }
  return out;
}

/** Trains (or reloads) the spanning configurations of `t`. */
export async function aloneStage(t: EvalTask, suite: SuiteConfig): Promise<AloneResult[]> {
  const dir = join(t.dir, "alone");
  const epochs = suite.baselines.epochs;
  await stampInputs(dir, { epochs });
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  const results: AloneResult[] = [];
  for (const { name, config } of spanningConfigs(t.space, t.seed, suite.baselines.aloneSampled)) {
    const path = join(dir, `${name}.json`);
    const id = formatConfigId(t.space, config);
    const done = await readStage<AloneResult>(path);
    if (done && done.config === id) {
      results.push(done);
      continue;
    }
    t.log(`  alone: ${name} ${id}`);
    const store = createWeightStore(t.space, io, t.seed + 1);
    const trained = await trainAlone({
      ...trainingCommon(t),
      store,
      config,
      epochs,
      onProgress: progress(t, { kind: name }),
    });
    const m = materialize(store, t.space, config, {
      inputShape: t.data.inputShape,
      bnStats: trained.bnStats,
      weights: trained.weights,
      name,
    });
    const acc = await measureAccuracy(encodeModel(m.model), t.test, t.data.inputShape);
    const r: AloneResult = {
      name,
      config: id,
      testAccuracy: acc.accuracy,
      testBalancedAccuracy: acc.balancedAccuracy,
      testSamples: acc.samples,
      epochs,
      trainSeconds: trained.result.trainSeconds,
    };
    await writeStage(path, r);
    results.push(r);
  }
  return results;
}

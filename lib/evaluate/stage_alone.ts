/**
 * Configurations spanning the space, each trained alone, for the shared-vs-alone comparison
 * (issue 5's protocol: the largest, the smallest and a few sampled configurations). The largest
 * is the backbone baseline (`stage_baselines.ts`); this stage trains the smallest and
 * `suite.baselines.aloneSampled` configurations drawn uniformly from the space (seeded), each
 * from scratch with the task's recipe at the baselines' epochs, materialized (BN recalibrated)
 * and measured on the test split. Results are cached per configuration under `<task>/alone/`;
 * raising `aloneSampled` keeps the ones already trained (the draws are a fixed sequence).
 *
 * With `suite.baselines.aloneSeeds` = k > 1, every spanning configuration, the largest too, is
 * also trained alone with seeds 1 to k - 1 (another weight initialization and data order, see
 * {@link aloneRunSeeds}), so that the report can tell the alone-vs-alone spread (the noise floor
 * of a single alone run) from the shared-vs-alone gap. Seed 0 is the run above (for the largest,
 * the backbone baseline) and is never retrained; seed j is cached as `<name>.seed<j>.json`, so
 * raising k keeps what was trained, and the stage's `inputs.json` stamp does not depend on k.
 *
 * @module
 */
import { join } from "node:path";
import { baselineSettingsFor, type SuiteConfig } from "../config/suite.ts";
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
  /** `smallest`, or `sampled-<i>`; `largest` for its seeds above 0. */
  readonly name: string;
  /**
   * Seed index (see {@link aloneRunSeeds}); absent for seed 0, the only run adaspring made
   * before `aloneSeeds` existed.
   */
  readonly seed?: number;
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

/**
 * The weight-initialization seed (of `createWeightStore`) and the training seed (data order)
 * of alone run `index` of a task seeded `seed`. Index 0 gives the seeds every configuration
 * trained alone has always had (the baselines' too): `seed + 1` and `seed`.
 *
 * @example
 * ```ts
 * import { aloneRunSeeds } from "./stage_alone.ts";
 * console.assert(aloneRunSeeds(0, 0).store === 1 && aloneRunSeeds(0, 0).training === 0);
 * console.assert(aloneRunSeeds(5, 2).store === 8 && aloneRunSeeds(5, 2).training === 7);
 * ```
 */
export function aloneRunSeeds(seed: number, index: number): { store: number; training: number } {
  return { store: seed + 1 + index, training: seed + index };
}

/**
 * The cache file of alone run `seed` of configuration `name`: `<name>.json` for seed 0,
 * `<name>.seed<j>.json` above.
 */
export function aloneResultFile(name: string, seed: number): string {
  return seed === 0 ? `${name}.json` : `${name}.seed${seed}.json`;
}

/** What the alone stage returns. */
export interface AloneStage {
  /**
   * Seed 0 of the smallest and the sampled configurations, in {@link spanningConfigs}' order
   * (the largest's seed 0 is the backbone baseline).
   */
  readonly results: readonly AloneResult[];
  /**
   * Seeds 1 to `aloneSeeds - 1` of every spanning configuration, `largest` included, by name,
   * in seed order; empty for one seed.
   */
  readonly extraSeeds: ReadonlyMap<string, readonly AloneResult[]>;
}

/** Trains (or reloads) the spanning configurations of `t`, each with `aloneSeeds` seeds. */
export async function aloneStage(t: EvalTask, suite: SuiteConfig): Promise<AloneStage> {
  const dir = join(t.dir, "alone");
  // Only the epochs: `aloneSampled` and `aloneSeeds` add cached files, they change none.
  await stampInputs(dir, { epochs: baselineSettingsFor(suite, t.config.name).epochs });
  const spanning = spanningConfigs(t.space, t.seed, suite.baselines.aloneSampled);
  const results: AloneResult[] = [];
  for (const { name, config } of spanning) {
    results.push(await aloneRun(t, suite, dir, name, config, 0));
  }
  const extraSeeds = new Map<string, AloneResult[]>();
  const all = [{ name: "largest", config: largestConfig(t.space) }, ...spanning];
  // Seed by seed, so that an interrupted run already has a whole set of the first seeds.
  for (let seed = 1; seed < suite.baselines.aloneSeeds; seed++) {
    for (const { name, config } of all) {
      const r = await aloneRun(t, suite, dir, name, config, seed);
      extraSeeds.set(name, [...(extraSeeds.get(name) ?? []), r]);
    }
  }
  return { results, extraSeeds };
}

/** Alone run `seed` of one configuration: read back from `dir`, or trained, measured, saved. */
async function aloneRun(
  t: EvalTask,
  suite: SuiteConfig,
  dir: string,
  name: string,
  config: SubnetConfig,
  seed: number,
): Promise<AloneResult> {
  const path = join(dir, aloneResultFile(name, seed));
  const id = formatConfigId(t.space, config);
  const done = await readStage<AloneResult>(path);
  if (done && done.config === id && (done.seed ?? 0) === seed) return done;
  const epochs = baselineSettingsFor(suite, t.config.name).epochs;
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  const seeds = aloneRunSeeds(t.seed, seed);
  const kind = seed === 0 ? name : `${name} seed ${seed}`;
  t.log(`  alone: ${kind} ${id}`);
  const store = createWeightStore(t.space, io, seeds.store);
  const trained = await trainAlone({
    ...trainingCommon(t),
    seed: seeds.training,
    store,
    config,
    epochs,
    onProgress: progress(t, { kind }),
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
    ...(seed === 0 ? {} : { seed }),
    config: id,
    testAccuracy: acc.accuracy,
    testBalancedAccuracy: acc.balancedAccuracy,
    testSamples: acc.samples,
    epochs,
    trainSeconds: trained.result.trainSeconds,
  };
  await writeStage(path, r);
  return r;
}

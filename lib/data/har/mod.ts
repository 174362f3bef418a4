/**
 * The `har` source: six activities from a waist-worn phone's 3-axis accelerometer, windows
 * `[3, windowLength]` in g (gravity included), channels x, y, z.
 *
 * - Default (no `path`): the motion generator (see `synthetic.ts`, `motion.ts`), provenance
 *   "synthetic", subjects as groups (the core splits train / val / test by subject).
 * - `path` set: the UCI HAR Dataset (see `uci.ts`), provenance "real"; its official test split
 *   (volunteers disjoint from training) is kept as the test set.
 *
 * @module
 */
import { resolve } from "node:path";
import { badInput } from "../../errors.ts";
import type { SplitSpec } from "../../config/dataset_common.ts";
import type { LoaderContext, RawDataset } from "../types.ts";
import { HAR_ACTIVITIES } from "./activities.ts";
import type { HarSpec } from "./schema.ts";
import { generateHar } from "./synthetic.ts";
import { readUciHar } from "./uci.ts";

/** UCI HAR's recording format. */
const UCI_RATE = 50;

/**
 * Load the UCI HAR Dataset, or generate the synthetic set, as the spec says.
 *
 * @example
 * ```ts
 * import { createRng } from "../../util/rng.ts";
 * import { harOptionsSchema } from "./schema.ts";
 * import { loadHar } from "./mod.ts";
 * const spec = harOptionsSchema.parse({
 *   source: "har", synthetic: { subjects: 3, windowsPerActivity: 2 },
 * });
 * const raw = await loadHar(spec, { rng: createRng(0), baseDir: "." });
 * console.assert(raw.inputShape.join() === "3,128" && raw.samples.y.length === 36);
 * ```
 */
export async function loadHar(spec: HarSpec, ctx: LoaderContext): Promise<RawDataset> {
  if (spec.path !== undefined) return await loadUci(resolve(ctx.baseDir, spec.path), spec, ctx);
  const g = spec.synthetic;
  const needed = samplesNeeded(spec.limit, spec.split);
  const perActivity = needed === undefined
    ? g.windowsPerActivity
    : Math.min(g.windowsPerActivity, Math.ceil(needed / (g.subjects * HAR_ACTIVITIES.length)));
  const samples = generateHar(
    ctx.rng.fork("har-synthetic"),
    {
      ...g,
      windowsPerActivity: perActivity,
      sampleRate: spec.sampleRate,
      windowLength: spec.windowLength,
    },
    ctx.onProgress,
  );
  return {
    provenance: "synthetic",
    source:
      `synthetic waist-worn accelerometer (adaspring motion model, lib/data/har/motion.ts): ` +
      `${g.subjects} subjects x ${HAR_ACTIVITIES.length} activities x ${perActivity} windows of ` +
      `${spec.windowLength} samples at ${spec.sampleRate} Hz; noise ${g.noise} g, mount jitter ` +
      `${g.mountJitterDeg} deg, window jitter ${g.windowJitterDeg} deg; groups = subjects`,
    inputShape: [3, spec.windowLength],
    channelNames: [...ACC_CHANNELS],
    classes: [...HAR_ACTIVITIES],
    samples,
  };
}

/** Channel names of the accelerometer windows (total acceleration, in g). */
const ACC_CHANNELS = ["acc x (g)", "acc y (g)", "acc z (g)"] as const;

async function loadUci(root: string, spec: HarSpec, ctx: LoaderContext): Promise<RawDataset> {
  if (spec.sampleRate !== UCI_RATE) {
    throw badInput(
      `dataset (har): sampleRate is ${spec.sampleRate} Hz but the UCI HAR Dataset at ${root} is ` +
        `recorded at ${UCI_RATE} Hz; remove sampleRate or set it to ${UCI_RATE}.`,
    );
  }
  ctx.onProgress?.(0, `reading ${root}`);
  const har = await readUciHar(root, spec.windowLength);
  ctx.onProgress?.(1, `read ${har.train.y.length} + ${har.test.y.length} windows`);
  return {
    provenance: "real",
    source: `UCI HAR Dataset at ${root}: total_acc x/y/z, ${har.train.y.length} train and ` +
      `${har.test.y.length} test windows of ${spec.windowLength} samples at ${UCI_RATE} Hz; ` +
      `groups = volunteers; official test split kept`,
    inputShape: [3, spec.windowLength],
    channelNames: [...ACC_CHANNELS],
    classes: har.classes,
    samples: har.train,
    officialTest: har.test,
  };
}

/**
 * How many windows the generator must make so that every split can reach `limit` (the core
 * applies `limit` per split after a subject-wise split); undefined without a limit.
 */
function samplesNeeded(limit: number | undefined, split: SplitSpec): number | undefined {
  if (limit === undefined) return undefined;
  const shares = [1 - split.val - split.test, split.val, split.test].filter((f) => f > 0);
  return Math.ceil((limit / Math.min(...shares)) * 1.2);
}

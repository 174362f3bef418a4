/**
 * `prepareDataset`: load a task's data through its source's loader, split it deterministically
 * from the seed, standardise it with training-split statistics, and cache the result; or, when
 * a verified cache for the same spec, seed and loader version exists, read that instead.
 *
 * @module
 */
import { resolve } from "node:path";
import type { DatasetSpec } from "../config/dataset.ts";
import { badInput } from "../errors.ts";
import { createRng } from "../util/rng.ts";
import {
  CACHE_FORMAT_VERSION,
  cacheKey,
  type CacheManifest,
  readCache,
  removeStaleTemps,
  tensorChecksum,
  writeCache,
} from "./cache.ts";
import { applyNormalization, channelStats } from "./normalize.ts";
import { loaderFor } from "./registry.ts";
import { limitIndices, SPLIT_VERSION, splitIndices, takeSamples } from "./split.ts";
import type { PreparedDataset, RawDataset, Samples } from "./types.ts";

/** Default root of the dataset cache, relative to the working directory. */
export const DEFAULT_CACHE_ROOT = "cache/datasets";

/** Options of {@link prepareDataset}. */
export interface PrepareOptions {
  /** Seed of the split (and of generated data). */
  seed: number;
  /** Directory of the task YAML: relative `dataset.path`s resolve against it. */
  baseDir: string;
  /** Cache root (default {@link DEFAULT_CACHE_ROOT}); the cache is `<root>/<task>/<key>/`. */
  cacheDir?: string;
  /** Progress of a build from scratch, fraction in [0, 1]. */
  onProgress?: (fraction: number, message: string) => void;
  /** Things the user should know that are not errors (a corrupt cache being rebuilt). */
  onWarning?: (message: string) => void;
  /** Rebuild even when a valid cache exists. */
  force?: boolean;
}

/** What {@link prepareDataset} returns. */
export interface PrepareResult extends PreparedDataset {
  /** The cache directory holding this dataset. */
  cacheDir: string;
  /** True when read from a verified cache, false when built now. */
  fromCache: boolean;
  /** Wall-clock time of each phase of this call, ms (measured here). */
  timingsMs: Record<string, number>;
  /** The cache manifest (class counts per split, loader version, build timings). */
  manifest: CacheManifest;
}

/** Check a loader's output against the data contract; a violation is a loader bug. */
export function checkRawDataset(raw: RawDataset, loader: string): void {
  const size = raw.inputShape.reduce((a, b) => a * b, 1);
  const check = (s: Samples, what: string) => {
    const fail = (msg: string) => {
      throw new Error(`loader ${loader} returned invalid ${what}: ${msg}`);
    };
    if (s.x.length !== s.y.length * size) {
      fail(`${s.x.length} values for ${s.y.length} samples of ${size}`);
    }
    if (s.groups && s.groups.length !== s.y.length) fail("groups and labels differ in length");
    if (s.y.some((v) => v < 0 || v >= raw.classes.length)) fail("a label is out of range");
    if (s.x.some((v) => !Number.isFinite(v))) fail("a feature is NaN or infinite");
  };
  if (raw.channelNames && raw.channelNames.length !== raw.inputShape[0]) {
    throw new Error(
      `loader ${loader} names ${raw.channelNames.length} channels of ` +
        `${raw.inputShape[0]}`,
    );
  }
  check(raw.samples, "samples");
  if (raw.officialTest) check(raw.officialTest, "official test samples");
}

/**
 * Split, limit and standardise a raw dataset (no I/O). Pure in the seed: the same raw data and
 * seed give the same result.
 *
 * @example
 * ```ts
 * import { splitAndNormalize } from "./prepare.ts";
 * const raw = { provenance: "synthetic" as const, source: "doc", inputShape: [1],
 *   classes: ["a", "b"], samples: { x: Float32Array.from({ length: 20 }, (_, i) => i),
 *   y: Int32Array.from({ length: 20 }, (_, i) => i % 2) } };
 * const ds = splitAndNormalize("doc", raw, { val: 0.1, test: 0.2 }, undefined, 0);
 * console.assert(ds.train.y.length + ds.val.y.length + ds.test.y.length === 20);
 * ```
 */
export function splitAndNormalize(
  task: string,
  raw: RawDataset,
  fractions: { val: number; test: number },
  limit: number | undefined,
  seed: number,
): Omit<PreparedDataset, "checksum"> {
  const rng = createRng(seed).fork("split");
  const size = raw.inputShape.reduce((a, b) => a * b, 1);
  // An official test set is kept as-is; val then comes from the training set.
  const idx = splitIndices(
    raw.samples,
    raw.officialTest ? { val: fractions.val, test: 0 } : fractions,
    rng,
  );
  const limitRng = rng.fork("limit");
  const pick = (s: Samples, indices: Int32Array) =>
    takeSamples(s, limitIndices(indices, limit, limitRng), size);
  const train = pick(raw.samples, idx.train);
  const val = pick(raw.samples, idx.val);
  const test = raw.officialTest
    ? pick(raw.officialTest, Int32Array.from(raw.officialTest.y, (_, i) => i))
    : pick(raw.samples, idx.test);
  if (train.y.length === 0) {
    throw badInput(
      `dataset of task ${task}: the split left no training samples (${raw.samples.y.length} ` +
        `samples); lower dataset.split.val/test or provide more data.`,
    );
  }
  const normalization = channelStats(train.x, raw.inputShape[0], size);
  for (const s of [train, val, test]) applyNormalization(s, normalization, size);
  return {
    task,
    provenance: raw.provenance,
    source: raw.source,
    inputShape: raw.inputShape,
    classes: raw.classes,
    ...(raw.channelNames ? { channelNames: raw.channelNames } : {}),
    train,
    val,
    test,
    normalization,
    seed,
  };
}

/**
 * Prepare (or read from cache) the dataset of task `task`.
 *
 * @example
 * ```ts ignore
 * import { datasetSchema } from "../config/dataset.ts";
 * import { prepareDataset } from "./prepare.ts";
 * const spec = datasetSchema.parse({ source: "sensor" });
 * const ds = await prepareDataset("sensor", spec, { seed: 0, baseDir: "configs/tasks" });
 * console.log(ds.train.y.length, ds.fromCache, ds.checksum);
 * ```
 */
export async function prepareDataset(
  task: string,
  spec: DatasetSpec,
  opts: PrepareOptions,
): Promise<PrepareResult> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(task)) {
    throw badInput(`task name "${task}" cannot name a cache directory; use letters, digits, -_.`);
  }
  const t0 = performance.now();
  const timingsMs: Record<string, number> = {};
  const lap = (phase: string, since: number) => (timingsMs[phase] = performance.now() - since);
  const loader = loaderFor(spec.source);
  const key = cacheKey({
    format: CACHE_FORMAT_VERSION,
    loader: loader.version,
    split: SPLIT_VERSION,
    seed: opts.seed,
    spec,
    // The same relative path means different files for tasks in different directories.
    path: spec.path === undefined ? null : resolve(opts.baseDir, spec.path),
    ...("multiHopPath" in spec && spec.multiHopPath !== undefined
      ? { multiHopPath: resolve(opts.baseDir, spec.multiHopPath) }
      : {}),
  });
  const root = opts.cacheDir ?? DEFAULT_CACHE_ROOT;
  const dir = resolve(root, task, key);

  if (!opts.force) {
    const tRead = performance.now();
    const cached = await readCache(dir);
    lap("cacheRead", tRead);
    if (cached.ok) {
      lap("total", t0);
      return {
        ...cached.dataset,
        cacheDir: dir,
        fromCache: true,
        timingsMs,
        manifest: cached.manifest,
      };
    }
    if (!cached.missing) {
      opts.onWarning?.(`dataset cache ${dir} is corrupt (${cached.reason}); rebuilding it`);
    }
  }
  await removeStaleTemps(resolve(root, task));

  const progress = opts.onProgress;
  let t = performance.now();
  const raw = await loader.load(spec, {
    rng: createRng(opts.seed).fork("data"),
    baseDir: opts.baseDir,
    onProgress: progress && ((f, msg) => progress(0.7 * f, msg)),
  });
  checkRawDataset(raw, loader.version);
  lap("load", t);

  progress?.(0.75, "splitting and normalising");
  t = performance.now();
  const prepared = splitAndNormalize(task, raw, spec.split, spec.limit, opts.seed);
  const dataset: PreparedDataset = { ...prepared, checksum: tensorChecksum(prepared) };
  lap("splitNormalize", t);

  progress?.(0.9, `writing cache ${dir}`);
  t = performance.now();
  const manifest = await writeCache(dir, dataset, {
    key,
    loaderVersion: loader.version,
    spec,
    timingsMs: { ...timingsMs },
  });
  lap("cacheWrite", t);
  lap("total", t0);
  progress?.(1, "done");
  return { ...dataset, cacheDir: dir, fromCache: false, timingsMs, manifest };
}

/**
 * BatchNorm recalibration: shared BN statistics are the main cause of accuracy collapse in
 * weight-sharing nets (DESIGN.md section 3), so each configuration gets its own, measured on a
 * few hundred training samples when it is first materialized, then cached (in memory, and on
 * disk when a cache directory is given). The `n` samples are spread evenly over the data
 * (sample `floor(i * available / n)`), not its first `n`: some training splits are ordered by
 * time or class (sensor windows, HAR subjects), and the head of such a split gives statistics
 * of one class (measured: the first 256 sensor windows are all class 0).
 *
 * The calibration graph is the subnet with unfolded convs whose BNs normalise with the batch's
 * own statistics (as in training) and output them: per channel, the mean and the biased
 * variance over the batch and spatial axes. Batches are pooled exactly
 * (`var = sum n_b (v_b + (m_b - m)^2) / N`). It runs on the runtime layer (ORT-web by default).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { ModelData } from "../onnx/types.ts";
import { createSession } from "../runtime/session.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { sha256Hex } from "../util/hash.ts";
import { formatConfigId } from "./config_id.ts";
import { deriveSubnetWeights, type SubnetWeights } from "./derive.ts";
import { batchStatBnRelu, emitBackbone, weightConv } from "./emit.ts";
import type { BnStatistics, BnStats } from "./materialize.ts";
import { type PlanConv, planSubnet } from "./plan.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import type { WeightStore } from "./weights.ts";
import { fitLowRank, LOW_RANK_DERIVATION, lowRankConvs } from "./lowrank_fit.ts";
import type { LowRankFactors } from "./svd.ts";

/** Default number of training samples statistics are measured on. */
export const DEFAULT_CALIBRATION_SAMPLES = 256;

/** Samples to calibrate on: row-major float32, `count * product(inputShape)` values. */
export interface CalibrationData {
  readonly x: Float32Array;
  readonly inputShape: readonly number[];
  /** Identifies the data in cache keys (e.g. the dataset checksum). */
  readonly key: string;
}

/** Options of {@link calibrateBn}. */
export interface CalibrationOptions {
  /** Samples used (default {@link DEFAULT_CALIBRATION_SAMPLES}, at most what `data` holds). */
  readonly samples?: number;
  /** Samples per runtime call (default: all at once). */
  readonly batchSize?: number;
  /** Runtime backend, `web` (default) or `native`. */
  readonly backend?: string;
  /** Also cache statistics as JSON files in this directory (e.g. `<run dir>/bn-stats`). */
  readonly cacheDir?: string;
  /** Skip the caches (to time the uncached path); the result is still stored. */
  readonly refresh?: boolean;
  /** Weights already derived for this configuration (used as given: no low-rank fit). */
  readonly weights?: SubnetWeights;
  /**
   * Fit the low-rank factors to the calibration inputs (`lowrank_fit.ts`; default true). Off,
   * the factors are the plain SVD's, as in training (the supernet's per-epoch validation).
   */
  readonly fitLowRank?: boolean;
}

/** Milliseconds per phase of an uncached calibration, measured here. */
export interface CalibrationTimings {
  readonly build: number;
  readonly session: number;
  readonly run: number;
  /** The low-rank fit (its probe graph, pass and solves); 0 without low-rank blocks. */
  readonly fit: number;
}

/** Statistics of a configuration and how they were obtained. */
export interface CalibrationResult {
  readonly stats: BnStats;
  /** `memory` or `disk` when served from a cache, `null` when measured now. */
  readonly cached: "memory" | "disk" | null;
  readonly samples: number;
  readonly timings: CalibrationTimings;
  /**
   * The fitted low-rank factors by prefix (`b4.lr`), empty when the configuration has none or
   * the fit was off; pass them to `materialize` (`lowRank`) with the statistics they belong to.
   */
  readonly lowRank: ReadonlyMap<string, LowRankFactors>;
}

/** What a calibration caches: BN statistics and the low-rank factors they were measured with. */
interface Calibrated {
  readonly stats: BnStats;
  readonly lowRank: ReadonlyMap<string, LowRankFactors>;
}

const memory = new Map<string, Calibrated>();
const storeIds = new WeakMap<WeightStore, number>();
let nextStoreId = 1;
const contentHashes = new WeakMap<WeightStore, { revision: number; hash: string }>();

/** Empties the in-memory statistics cache. */
export function clearBnCache(): void {
  memory.clear();
}

/**
 * The calibration graph of a plan: input `input`, outputs `<bn>.mean` and `<bn>.var`
 * (`[1, C, 1...]`) for every BN.
 */
export function calibrationModel(
  plan: ReturnType<typeof planSubnet>,
  weights: SubnetWeights,
  inputShape: readonly number[],
): { model: ModelData; bns: string[] } {
  const g = new GraphBuilder("bn-calibration");
  const input = g.input("input", "float32", ["N", ...inputShape]);
  const bns: string[] = [];
  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const y = weightConv(x, c, weights, plan.dims);
    if (c.bn === null) return y;
    const bn = batchStatBnRelu(y, c, weights, plan.dims);
    g.output(bn.mean, `${c.bn}.mean`);
    g.output(bn.variance, `${c.bn}.var`);
    bns.push(c.bn);
    return bn.out;
  };
  g.output(emitBackbone(plan, input, layer), "features");
  return { model: g.toModel(), bns };
}

async function storeKey(store: WeightStore): Promise<string> {
  const known = contentHashes.get(store);
  if (known?.revision === store.revision) return known.hash;
  const parts: Uint8Array[] = [];
  for (const [name, t] of store.tensors) {
    parts.push(
      new TextEncoder().encode(name),
      new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    );
  }
  const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const hash = await sha256Hex(all);
  contentHashes.set(store, { revision: store.revision, hash });
  return hash;
}

const toBase64 = (a: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const fromBase64 = (s: string) => {
  if (typeof s !== "string") throw new TypeError("factors: not base64 text"); // read as a miss
  const bytes = Buffer.from(s, "base64");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
};

// On disk: `{ "<bn>": { mean, variance }, ..., "lowRank": { "<prefix>": { u, v } } }`, the
// factors as base64 float32 (exact, and a quarter of their decimal text).
function toJson(c: Calibrated): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of c.stats) out[k] = { mean: [...v.mean], variance: [...v.variance] };
  if (c.lowRank.size > 0) {
    out.lowRank = Object.fromEntries(
      [...c.lowRank].map(([k, f]) => [k, { u: toBase64(f.u), v: toBase64(f.v) }]),
    );
  }
  return JSON.stringify(out) + "\n";
}

function fromJson(text: string): Calibrated {
  const { lowRank = {}, ...bns } = JSON.parse(text) as Record<string, unknown> & {
    lowRank?: Record<string, { u: string; v: string }>;
  };
  const stats = new Map(
    Object.entries(bns as Record<string, { mean: number[]; variance: number[] }>).map((
      [k, v],
    ) => [k, { mean: Float64Array.from(v.mean), variance: Float64Array.from(v.variance) }]),
  );
  const factors = new Map(
    Object.entries(lowRank).map(([k, f]) => [k, { u: fromBase64(f.u), v: fromBase64(f.v) }]),
  );
  return { stats, lowRank: factors };
}

/**
 * The cache keys of `config`'s statistics and, unless `opts.refresh`, a cached result (memory
 * first, then `opts.cacheDir`; a disk hit is kept in memory).
 */
async function lookupBn(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  data: CalibrationData,
  opts: Pick<CalibrationOptions, "samples" | "cacheDir" | "refresh" | "weights" | "fitLowRank">,
) {
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const available = Math.floor(data.x.length / size);
  const n = Math.min(opts.samples ?? DEFAULT_CALIBRATION_SAMPLES, available);
  if (n < 1) throw new RangeError("BN calibration needs at least one sample");
  if (!storeIds.has(store)) storeIds.set(store, nextStoreId++);
  // The int8 flag does not change float statistics: calibrate the float configuration.
  const id = formatConfigId(space, { ...config, int8: false });
  // The derivation is part of the key: statistics of plain-SVD factors are not those of fitted.
  const fit = opts.weights === undefined && opts.fitLowRank !== false;
  const derivation = fit ? LOW_RANK_DERIVATION : "svd";
  const memKey = `${storeIds.get(store)}@${store.revision}|${id}|${n}|${data.key}|spread|` +
    derivation;
  const none = { build: 0, session: 0, run: 0, fit: 0 };
  const result = (c: Calibrated, cached: "memory" | "disk"): CalibrationResult => ({
    ...c,
    cached,
    samples: n,
    timings: none,
  });
  const memoryHit = !opts.refresh && memory.has(memKey);
  if (memoryHit) {
    return { n, memKey, diskPath: undefined, hit: result(memory.get(memKey)!, "memory") };
  }
  let diskPath: string | undefined;
  let hit: CalibrationResult | null = null;
  if (opts.cacheDir !== undefined) {
    const key = await sha256Hex(
      `${await storeKey(store)}|${id}|${n}|${data.key}|spread|${derivation}`,
    );
    diskPath = join(opts.cacheDir, `bn-${key.slice(0, 32)}.json`);
    if (!opts.refresh) {
      try {
        const c = fromJson(await Deno.readTextFile(diskPath));
        memory.set(memKey, c);
        hit = result(c, "disk");
      } catch { /* not cached yet (or unreadable) */ }
    }
  }
  return { n, memKey, diskPath, hit, fit };
}

/**
 * Measures (or fetches from cache) the BN statistics of `config` on `data`.
 *
 * @example
 * ```ts
 * import { calibrateBn } from "./bn_calibration.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const data = { x: new Float32Array(8 * 784).fill(0.5), inputShape: [1, 28, 28], key: "const" };
 * const r = await calibrateBn(store, space, smallestConfig(space), data, { samples: 8 });
 * console.assert(r.stats.get("stem.bn")!.mean.length === 16 && r.cached === null);
 * ```
 */
export async function calibrateBn(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  data: CalibrationData,
  opts: CalibrationOptions = {},
): Promise<CalibrationResult> {
  const { n, memKey, diskPath, hit, fit } = await lookupBn(store, space, config, data, opts);
  if (hit) return hit;
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const available = Math.floor(data.x.length / size);
  const batch = Math.max(1, Math.min(opts.batchSize ?? n, n));
  const backend = opts.backend ?? "web";
  /** Batch starting at sample `start` of the `n` spread evenly over the data. */
  const samplesAt = (start: number) => {
    const count = Math.min(batch, n - start);
    const x = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const from = Math.floor(((start + i) * available) / n) * size;
      x.set(data.x.subarray(from, from + size), i * size);
    }
    return { tensor: { dtype: "float32" as const, shape: [count, ...data.inputShape], data: x } };
  };

  const t0 = performance.now();
  const plan = planSubnet(space, config, store.shape);
  const fitting = fit && lowRankConvs(plan).length > 0;
  // Fitting, the plain SVD factors would be thrown away: the probe runs those blocks full.
  let weights = opts.weights ?? deriveSubnetWeights(store, plan, { withoutLowRank: fitting });
  let lowRank: ReadonlyMap<string, LowRankFactors> = new Map();
  let fitMs = 0;
  if (fitting) {
    const f0 = performance.now();
    const fitted = await fitLowRank(store, plan, weights, data.inputShape, async (model, outs) => {
      const probe = await createSession(encodeModel(model), { backend, cache: false });
      const sums = new Map<string, Float64Array>();
      try {
        for (let start = 0; start < n; start += batch) {
          const out = await probe.run({ input: samplesAt(start).tensor }, outs);
          for (const name of outs) {
            const part = out[name].data as Float32Array;
            const sum = sums.get(name) ?? sums.set(name, new Float64Array(part.length)).get(name)!;
            for (let i = 0; i < part.length; i++) sum[i] += part[i];
          }
        }
      } finally {
        await probe.release();
      }
      return sums;
    });
    lowRank = fitted.factors;
    weights = deriveSubnetWeights(store, plan, { lowRank });
    fitMs = performance.now() - f0;
  }
  const { model, bns } = calibrationModel(plan, weights, data.inputShape);
  const bytes = encodeModel(model);
  const t1 = performance.now();
  const session = await createSession(bytes, { backend, cache: false });
  const t2 = performance.now();
  const sums = new Map(
    bns.map((b) => [b, [] as { n: number; mean: Float32Array; variance: Float32Array }[]]),
  );
  try {
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      const { tensor: x } = samplesAt(start);
      const out = await session.run(
        { input: x },
        bns.flatMap((b) => [`${b}.mean`, `${b}.var`]),
      );
      for (const b of bns) {
        sums.get(b)!.push({
          n: count,
          mean: out[`${b}.mean`].data as Float32Array,
          variance: out[`${b}.var`].data as Float32Array,
        });
      }
    }
  } finally {
    await session.release();
  }
  const stats = new Map<string, BnStatistics>();
  for (const [b, parts] of sums) {
    const c = parts[0].mean.length, mean = new Float64Array(c), variance = new Float64Array(c);
    for (const p of parts) p.mean.forEach((m, i) => mean[i] += (p.n * m) / n);
    for (const p of parts) {
      p.variance.forEach((v, i) => variance[i] += (p.n * (v + (p.mean[i] - mean[i]) ** 2)) / n);
    }
    stats.set(b, { mean, variance });
  }
  const t3 = performance.now();
  memory.set(memKey, { stats, lowRank });
  if (diskPath !== undefined) await writeFileAtomic(diskPath, toJson({ stats, lowRank }));
  return {
    stats,
    lowRank,
    cached: null,
    samples: n,
    timings: { build: t1 - t0 - fitMs, session: t2 - t1, run: t3 - t2, fit: fitMs },
  };
}

/**
 * Reads the BN statistics of `config` from `cacheDir` into the memory cache when a file is
 * there (never measures); returns whether it was. For start-up preloading of the statistics a
 * profile ships, so a later {@link calibrateBn} of that configuration reads no file.
 */
export async function bnStatsOnDisk(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  data: CalibrationData,
  cacheDir: string,
  samples = DEFAULT_CALIBRATION_SAMPLES,
): Promise<boolean> {
  return (await lookupBn(store, space, config, data, { samples, cacheDir })).hit !== null;
}

/**
 * The binary cache of prepared datasets: `cache/datasets/<task>/<key>/`, holding one raw file
 * per tensor (`train.x.f32`, `train.y.i32`, `train.g.i32`, ... little-endian, no header) and a
 * `manifest.json` with shapes, class counts, normalisation, provenance, source and the SHA-256
 * of all tensor bytes (in manifest order).
 *
 * A cache directory is written whole into a temporary sibling and renamed into place, so an
 * interrupt or error never leaves a partial cache under the real name; on load every file's
 * size and the checksum are verified, and a mismatch is reported as a reason to rebuild.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { DataProvenance, Normalization, PreparedDataset, Samples } from "./types.ts";

/** Bump when the layout or the meaning of a cached file changes. */
export const CACHE_FORMAT_VERSION = 1;

/** Names of the three splits, in the order their tensors are stored and hashed. */
export const SPLIT_NAMES = ["train", "val", "test"] as const;
/** One of {@link SPLIT_NAMES}. */
export type SplitName = (typeof SPLIT_NAMES)[number];

/** One tensor file of a cache directory. */
export interface CacheFile {
  name: string;
  dtype: "float32" | "int32";
  /** Number of elements (the file has 4 bytes per element). */
  length: number;
}

/** Contents of `manifest.json`. */
export interface CacheManifest {
  format: "adaspring-dataset-cache";
  formatVersion: number;
  task: string;
  key: string;
  seed: number;
  provenance: DataProvenance;
  source: string;
  inputShape: number[];
  classes: string[];
  channelNames?: string[];
  normalization: Normalization;
  splits: Record<SplitName, { count: number; classCounts: number[]; groups: boolean }>;
  files: CacheFile[];
  /** SHA-256 (hex) of all tensor files' bytes, concatenated in `files` order. */
  checksum: string;
  /** Loader version and the dataset spec the cache was built from (for humans; the key rules). */
  loaderVersion: string;
  spec: unknown;
  createdAt: string;
  /** How long building it took, by phase. */
  timingsMs: Record<string, number>;
}

/** Result of {@link readCache}: the dataset, or why the directory cannot be used. */
export type CacheRead =
  | { ok: true; dataset: PreparedDataset; manifest: CacheManifest }
  | { ok: false; reason: string; missing: boolean };

/** Count of each class in `y`. */
export function classCounts(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of y) counts[label]++;
  return counts;
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/**
 * The cache key of a build input (dataset spec, seed, loader version, ...): the first 16 hex
 * digits of the SHA-256 of its canonical JSON.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./cache.ts";
 * console.assert(cacheKey({ a: 1, b: 2 }) === cacheKey({ b: 2, a: 1 }));
 * console.assert(cacheKey({ seed: 0 }) !== cacheKey({ seed: 1 }));
 * ```
 */
export function cacheKey(input: unknown): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex").slice(0, 16);
}

const bytesOf = (a: Float32Array | Int32Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function tensorsOf(ds: PreparedDataset): { file: CacheFile; data: Float32Array | Int32Array }[] {
  const out: { file: CacheFile; data: Float32Array | Int32Array }[] = [];
  for (const split of SPLIT_NAMES) {
    const s = ds[split];
    out.push({ file: { name: `${split}.x.f32`, dtype: "float32", length: s.x.length }, data: s.x });
    out.push({ file: { name: `${split}.y.i32`, dtype: "int32", length: s.y.length }, data: s.y });
    if (s.groups) {
      out.push({
        file: { name: `${split}.g.i32`, dtype: "int32", length: s.groups.length },
        data: s.groups,
      });
    }
  }
  return out;
}

/**
 * SHA-256 (hex) over the tensors of a prepared dataset, in cache order: the checksum recorded
 * in the manifest and in reports.
 */
export function tensorChecksum(ds: Omit<PreparedDataset, "checksum">): string {
  const hash = createHash("sha256");
  for (const t of tensorsOf(ds as PreparedDataset)) hash.update(bytesOf(t.data));
  return hash.digest("hex");
}

/** What {@link writeCache} records besides the dataset itself. */
export interface CacheExtras {
  key: string;
  loaderVersion: string;
  spec: unknown;
  timingsMs: Record<string, number>;
}

/**
 * Write `ds` as the cache directory `dir`, atomically: everything goes into a temporary sibling
 * directory first, which is renamed over `dir` only when complete. Any previous `dir` (a corrupt
 * cache being rebuilt) is replaced. On error the temporary directory is removed.
 *
 * @example
 * ```ts
 * import { readCache, tensorChecksum, writeCache } from "./cache.ts";
 * const empty = { x: new Float32Array(0), y: new Int32Array(0) };
 * const base = { task: "t", provenance: "synthetic" as const, source: "doc", inputShape: [1],
 *   classes: ["a"], train: { x: Float32Array.of(1), y: Int32Array.of(0) }, val: empty,
 *   test: empty, normalization: { mean: [0], std: [1] }, seed: 0 };
 * const ds = { ...base, checksum: tensorChecksum(base) };
 * const dir = `${await Deno.makeTempDir()}/t/key`;
 * await writeCache(dir, ds, { key: "key", loaderVersion: "doc@1", spec: {}, timingsMs: {} });
 * console.assert((await readCache(dir)).ok);
 * ```
 */
export async function writeCache(
  dir: string,
  ds: PreparedDataset,
  extras: CacheExtras,
): Promise<CacheManifest> {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error("the dataset cache is little-endian; this host is big-endian");
  }
  const tensors = tensorsOf(ds);
  const splits = Object.fromEntries(SPLIT_NAMES.map((name) => [name, {
    count: ds[name].y.length,
    classCounts: classCounts(ds[name].y, ds.classes.length),
    groups: ds[name].groups !== undefined,
  }])) as CacheManifest["splits"];
  const manifest: CacheManifest = {
    format: "adaspring-dataset-cache",
    formatVersion: CACHE_FORMAT_VERSION,
    task: ds.task,
    key: extras.key,
    seed: ds.seed,
    provenance: ds.provenance,
    source: ds.source,
    inputShape: ds.inputShape,
    classes: ds.classes,
    ...(ds.channelNames ? { channelNames: ds.channelNames } : {}),
    normalization: ds.normalization,
    splits,
    files: tensors.map((t) => t.file),
    checksum: ds.checksum,
    loaderVersion: extras.loaderVersion,
    spec: extras.spec,
    createdAt: new Date().toISOString(),
    timingsMs: extras.timingsMs,
  };
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${basename(dir)}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
  try {
    await Deno.mkdir(tmp);
    for (const t of tensors) await Deno.writeFile(join(tmp, t.file.name), bytesOf(t.data));
    // The manifest last: a directory with a manifest has all its tensors.
    await Deno.writeTextFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    await Deno.remove(dir, { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  return manifest;
}

function checkManifest(m: unknown): string | undefined {
  if (!m || typeof m !== "object") return "manifest.json is not an object";
  const r = m as Partial<CacheManifest>;
  if (r.format !== "adaspring-dataset-cache") return "manifest.json has the wrong format tag";
  if (r.formatVersion !== CACHE_FORMAT_VERSION) {
    return `format version ${r.formatVersion}, this adaspring reads ${CACHE_FORMAT_VERSION}`;
  }
  const arrays = [r.files, r.inputShape, r.classes, r.normalization?.mean, r.normalization?.std];
  if (arrays.some((a) => !Array.isArray(a)) || typeof r.checksum !== "string" || !r.splits) {
    return "manifest.json lacks fields (files, shapes, classes, normalization, checksum)";
  }
  return undefined;
}

/**
 * Read and verify a cache directory: the manifest, each file's size, and the checksum.
 * `missing` distinguishes "never built" from "damaged".
 */
export async function readCache(dir: string): Promise<CacheRead> {
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      const exists = await Deno.stat(dir).then(() => true, () => false);
      return { ok: false, missing: !exists, reason: "manifest.json is missing" };
    }
    return { ok: false, missing: false, reason: `manifest.json unreadable: ${err}` };
  }
  const problem = checkManifest(manifest);
  if (problem) return { ok: false, missing: false, reason: problem };
  const hash = createHash("sha256");
  const tensors = new Map<string, Float32Array | Int32Array>();
  for (const f of manifest.files) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(dir, f.name));
    } catch {
      return { ok: false, missing: false, reason: `${f.name} is missing` };
    }
    if (bytes.byteLength !== f.length * 4) {
      return {
        ok: false,
        missing: false,
        reason: `${f.name} has ${bytes.byteLength} bytes, the manifest says ${f.length * 4}`,
      };
    }
    hash.update(bytes);
    const Ctor = f.dtype === "float32" ? Float32Array : Int32Array;
    tensors.set(f.name, new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, f.length));
  }
  const checksum = hash.digest("hex");
  if (checksum !== manifest.checksum) {
    return {
      ok: false,
      missing: false,
      reason: `checksum mismatch (tensors hash to ${checksum.slice(0, 12)}…, the manifest ` +
        `says ${manifest.checksum.slice(0, 12)}…)`,
    };
  }
  const split = (name: SplitName): Samples | undefined => {
    const x = tensors.get(`${name}.x.f32`) as Float32Array | undefined;
    const y = tensors.get(`${name}.y.i32`) as Int32Array | undefined;
    const groups = tensors.get(`${name}.g.i32`) as Int32Array | undefined;
    if (!x || !y) return undefined;
    return groups ? { x, y, groups } : { x, y };
  };
  const [train, val, test] = SPLIT_NAMES.map(split);
  if (!train || !val || !test) {
    return { ok: false, missing: false, reason: "the manifest lists no x/y tensor for a split" };
  }
  return {
    ok: true,
    manifest,
    dataset: {
      task: manifest.task,
      provenance: manifest.provenance,
      source: manifest.source,
      inputShape: manifest.inputShape,
      classes: manifest.classes,
      ...(manifest.channelNames ? { channelNames: manifest.channelNames } : {}),
      train,
      val,
      test,
      normalization: manifest.normalization,
      checksum,
      seed: manifest.seed,
    },
  };
}

/**
 * Remove temporary cache directories (`.tmp-*`) under `parent` older than `maxAgeMs`: what an
 * interrupted build (killed before its cleanup ran) leaves behind. Younger ones may belong to a
 * build still running in another process, so they are kept.
 */
export async function removeStaleTemps(parent: string, maxAgeMs = 3_600_000): Promise<number> {
  let removed = 0;
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (!entry.isDirectory || !entry.name.startsWith(".tmp-")) continue;
      const path = join(parent, entry.name);
      const info = await Deno.stat(path).catch(() => undefined);
      if (info?.mtime && Date.now() - info.mtime.getTime() > maxAgeMs) {
        await Deno.remove(path, { recursive: true }).catch(() => {});
        removed++;
      }
    }
  } catch { /* no parent yet: nothing to clean */ }
  return removed;
}

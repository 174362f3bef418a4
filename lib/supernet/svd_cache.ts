/**
 * An in-memory cache of the SVDs behind low-rank factors, so weight evolution factors each
 * sliced conv weight once per store revision instead of on every evolution.
 *
 * One thin SVD is kept per (store, store revision, tensor, row range, column range): the factors
 * of every rank are its leading singular triplets ({@link factorsFromSvd}), so all the ranks of
 * one slice share it, and cached factors are bit-identical to freshly computed ones. The store
 * revision is part of the key and {@link markUpdated} bumps it, so factors of old values are
 * never served (this relies, as the BN statistics cache does, on every in-place change of the
 * store being followed by `markUpdated`). Entries are evicted least recently used beyond a byte
 * budget ({@link setSvdCacheLimit}).
 *
 * @module
 */
import { factorsFromSvd, type LowRankFactors, type Svd, svd } from "./svd.ts";
import { readSlice, sliceShape, type StoreSlice } from "./slice.ts";
import type { SearchSpace } from "./space.ts";
import { keptChannels } from "./space.ts";
import type { WeightStore } from "./weights.ts";

/** Default byte budget of the cache: the largest mnist conv's SVD is ~1.3 MB. */
export const DEFAULT_SVD_CACHE_BYTES = 64 * 1024 * 1024;

interface Entry {
  readonly svd: Svd;
  readonly bytes: number;
}

// Map iteration order is insertion order: re-inserting on a hit makes the first key the LRU one.
const entries = new Map<string, Entry>();
const storeIds = new WeakMap<WeightStore, number>();
let nextStoreId = 0;
let usedBytes = 0;
let limitBytes = DEFAULT_SVD_CACHE_BYTES;

function storeKey(store: WeightStore): string {
  if (!storeIds.has(store)) storeIds.set(store, nextStoreId++);
  return `${storeIds.get(store)}@${store.revision}`;
}

function evict(): void {
  for (const [key, e] of entries) {
    if (usedBytes <= limitBytes) break;
    entries.delete(key);
    usedBytes -= e.bytes;
  }
}

/** Empties the cache. */
export function clearSvdCache(): void {
  entries.clear();
  usedBytes = 0;
}

/** Sets the cache's byte budget (evicting at once if over it); returns the previous budget. */
export function setSvdCacheLimit(bytes: number): number {
  if (!(bytes >= 0)) throw new RangeError(`svd cache limit must be >= 0 bytes, got ${bytes}`);
  const previous = limitBytes;
  limitBytes = bytes;
  evict();
  return previous;
}

/** Entries held and their float64 bytes. */
export function svdCacheStats(): { entries: number; bytes: number } {
  return { entries: entries.size, bytes: usedBytes };
}

/** The thin SVD of a store slice, and whether it came from the cache. */
export interface SliceSvd {
  readonly svd: Svd;
  /** The slice's shape (`[cout, cin, ...kernel]`). */
  readonly shape: readonly number[];
  readonly cached: boolean;
}

/**
 * The thin SVD of a store slice read as a `cout x (cin * k^d)` matrix, from the cache when the
 * store has not changed since it was computed.
 *
 * @param opts.refresh compute it again (to time the uncached path); the result is still stored.
 */
export function sliceSvd(
  store: WeightStore,
  slice: StoreSlice,
  opts: { readonly refresh?: boolean } = {},
): SliceSvd {
  const shape = sliceShape(store, slice);
  const key = `${storeKey(store)}|${slice.tensor}|${slice.rows}|${slice.cols ?? "-"}`;
  const hit = entries.get(key);
  if (hit !== undefined && !opts.refresh) {
    entries.delete(key);
    entries.set(key, hit);
    return { svd: hit.svd, shape, cached: true };
  }
  const data = readSlice(store, slice);
  const rows = shape[0], cols = data.length / rows;
  const d = svd(data, rows, cols);
  const bytes = 8 * d.s.length * (1 + rows + cols);
  if (hit !== undefined) usedBytes -= hit.bytes;
  entries.delete(key);
  entries.set(key, { svd: d, bytes });
  usedBytes += bytes;
  evict();
  return { svd: d, shape, cached: false };
}

/**
 * The rank-`rank` factors of a store slice (as `lowRankFactors` of its values), from the cached
 * SVD when there is one. The factor arrays are fresh on every call: callers may change them.
 *
 * @example
 * ```ts
 * import { cachedLowRankFactors } from "./svd_cache.ts";
 * const store = { task: "t", shape: { inputChannels: 1, numClasses: 1 }, origin: "", revision: 0,
 *   tensors: new Map([["w", { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }]]) };
 * const slice = { tensor: "w", rows: [0, 2], cols: [0, 3], derived: null } as const;
 * const first = cachedLowRankFactors(store, slice, 1);
 * const again = cachedLowRankFactors(store, slice, 2);
 * console.assert(!first.cached && again.cached && again.factors.u.length === 6);
 * ```
 */
export function cachedLowRankFactors(
  store: WeightStore,
  slice: StoreSlice,
  rank: number,
  opts: { readonly refresh?: boolean } = {},
): { factors: LowRankFactors; shape: readonly number[]; cached: boolean } {
  const { svd: d, shape, cached } = sliceSvd(store, slice, opts);
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  return { factors: factorsFromSvd(d, shape[0], cols, rank), shape, cached };
}

/**
 * Computes (or finds cached) the SVD of every low-rank slice any configuration of `space` can
 * use, so later evolutions of the current store revision skip SVD entirely. A low-rank block
 * slices `b<i>.conv.w` at rows `[0, cout)` and columns `[0, cin)` (see `plan.ts`), where `cin`
 * is any width the previous block can output; the ranks share each slice's SVD.
 *
 * Call it after training or loading a store (and again after `markUpdated`). The cache's budget
 * must hold them all for the next evolutions to find them ({@link setSvdCacheLimit}).
 *
 * @returns how many slices were computed now and how many were already cached.
 */
export function precomputeLowRank(
  store: WeightStore,
  space: SearchSpace,
): { computed: number; cached: number } {
  let computed = 0, cached = 0;
  // Every width the running block can receive, as resolveSubnet (arch.ts) propagates it.
  let widths = new Set([space.stem.channels]);
  for (const b of space.blocks) {
    const next = new Set<number>(), seen = new Set<string>();
    for (const cin of widths) {
      for (const c of b.choices) {
        const cout = c.width === null ? cin : keptChannels(b.channels, c.width);
        next.add(cout);
        // The ranks of one slice share its SVD: visit each slice once.
        if (c.op !== "lowRank" || seen.has(`${cin}x${cout}`)) continue;
        seen.add(`${cin}x${cout}`);
        const tensor = `b${b.index}.conv.w`;
        const r = sliceSvd(store, { tensor, rows: [0, cout], cols: [0, cin], derived: null });
        if (r.cached) cached++;
        else computed++;
      }
    }
    widths = next;
  }
  return { computed, cached };
}

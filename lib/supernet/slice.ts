/**
 * Slices of the shared store: which part of which full-size tensor a subnet tensor comes from,
 * reading it out and adding an update (a gradient step) back into it.
 *
 * A slice keeps a row range (axis 0) and, for tensors of rank >= 2, a column range (axis 1);
 * trailing axes (the kernel) are always whole.
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import { storeTensor, type WeightStore } from "./weights.ts";

/** A half-open index range `[start, end)`. */
export type Range = readonly [number, number];

/** Where a subnet tensor lives in the store. */
export interface StoreSlice {
  /** Store tensor name, e.g. `b2.conv.w`. */
  readonly tensor: string;
  /** Rows (axis 0) kept. */
  readonly rows: Range;
  /** Columns (axis 1) kept; `null` for 1-D tensors. */
  readonly cols: Range | null;
  /**
   * For low-rank factors: the factor is derived from the slice by SVD (not a copy), so an
   * update must go through the product `V U` (see `lowRankProduct` in `svd.ts`).
   */
  readonly derived: { readonly kind: "svd-u" | "svd-v"; readonly rank: number } | null;
}

/** Shape of a slice's values (before any SVD). */
export function sliceShape(store: WeightStore, s: StoreSlice): number[] {
  const t = storeTensor(store, s.tensor);
  const shape = [s.rows[1] - s.rows[0], ...t.shape.slice(1)];
  if (s.cols !== null) shape[1] = s.cols[1] - s.cols[0];
  return shape;
}

function check(store: WeightStore, s: StoreSlice): { inner: number; width: number } {
  const t = storeTensor(store, s.tensor);
  const bad = (r: Range, n: number) => r[0] < 0 || r[1] > n || r[0] >= r[1];
  if (bad(s.rows, t.shape[0]) || (s.cols !== null && bad(s.cols, t.shape[1]))) {
    throw new AdaspringError(
      `slice rows [${s.rows}] cols [${s.cols ?? "-"}] is outside ${s.tensor}[${t.shape}]`,
    );
  }
  const inner = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { inner, width: t.shape.length > 1 ? t.shape[1] : 1 };
}

/**
 * Copies a slice's values out of the store (row-major in {@link sliceShape}).
 *
 * @example
 * ```ts
 * import { readSlice } from "./slice.ts";
 * const store = { task: "t", shape: { inputChannels: 1, numClasses: 1 }, origin: "", revision: 0,
 *   tensors: new Map([["w", { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]]) };
 * const v = readSlice(store, { tensor: "w", rows: [1, 2], cols: [0, 1], derived: null });
 * console.assert(v.length === 1 && v[0] === 3);
 * ```
 */
export function readSlice(store: WeightStore, s: StoreSlice): Float32Array {
  const { inner, width } = check(store, s);
  const data = storeTensor(store, s.tensor).data;
  const [c0, c1] = s.cols ?? [0, 1];
  const span = (c1 - c0) * inner;
  const out = new Float32Array((s.rows[1] - s.rows[0]) * span);
  for (let r = s.rows[0]; r < s.rows[1]; r++) {
    const from = (r * width + c0) * inner;
    out.set(data.subarray(from, from + span), (r - s.rows[0]) * span);
  }
  return out;
}

/**
 * Adds `scale * delta` (row-major in {@link sliceShape}) into the store slice in place, e.g. a
 * gradient step `scale = -lr`; a trainer calls {@link markUpdated} once after its updates.
 */
export function addToSlice(
  store: WeightStore,
  s: StoreSlice,
  delta: ArrayLike<number>,
  scale = 1,
): void {
  const { inner, width } = check(store, s);
  const data = storeTensor(store, s.tensor).data;
  const [c0, c1] = s.cols ?? [0, 1];
  const span = (c1 - c0) * inner;
  if (delta.length !== (s.rows[1] - s.rows[0]) * span) {
    throw new AdaspringError(
      `update of ${s.tensor} has ${delta.length} values; the slice holds ` +
        `${(s.rows[1] - s.rows[0]) * span}`,
    );
  }
  for (let r = s.rows[0]; r < s.rows[1]; r++) {
    const to = (r * width + c0) * inner, from = (r - s.rows[0]) * span;
    for (let j = 0; j < span; j++) data[to + j] += scale * delta[from + j];
  }
}

/**
 * Copies slice `s` of `from` into the same slice of `to` (two stores of one layout), exactly.
 *
 * @example
 * ```ts
 * import { copySlice, readSlice } from "./slice.ts";
 * const store = (v: number[]) => ({ task: "t", shape: { inputChannels: 1, numClasses: 1 },
 *   origin: "", revision: 0,
 *   tensors: new Map([["w", { shape: [2, 2], data: new Float32Array(v) }]]) });
 * const a = store([1, 2, 3, 4]), b = store([0, 0, 0, 0]);
 * copySlice(b, a, { tensor: "w", rows: [1, 2], cols: null, derived: null });
 * console.assert(readSlice(b, { tensor: "w", rows: [0, 2], cols: null, derived: null })
 *   .join() === "0,0,3,4");
 * ```
 */
export function copySlice(to: WeightStore, from: WeightStore, s: StoreSlice): void {
  const { inner, width } = check(to, s);
  check(from, s);
  const dst = storeTensor(to, s.tensor).data, src = storeTensor(from, s.tensor).data;
  if (dst.length !== src.length) {
    throw new AdaspringError(`${s.tensor}: the two stores hold tensors of different sizes`);
  }
  const [c0, c1] = s.cols ?? [0, 1];
  const span = (c1 - c0) * inner;
  for (let r = s.rows[0]; r < s.rows[1]; r++) {
    const at = (r * width + c0) * inner;
    dst.set(src.subarray(at, at + span), at);
  }
}

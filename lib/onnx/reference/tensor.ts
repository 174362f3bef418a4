/**
 * Float64 tensors of the reference interpreter and the index arithmetic its kernels share.
 * Every element, whatever its dtype, is held as a float64 number; `dtype` records what the
 * value would be in a real runtime (int8 after QuantizeLinear, int64 after ArgMax, ...).
 *
 * @module
 */
import { allocate, sizeOf } from "../dtype.ts";
import type { DType, TensorData } from "../types.ts";

/** A tensor as the reference interpreter holds it. */
export interface RefTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * A {@link RefTensor} holding the same values as `t` (int64 via Number()).
 *
 * @example
 * ```ts
 * import { toRef } from "./tensor.ts";
 * const r = toRef({ dtype: "int64", shape: [2], data: new BigInt64Array([3n, -1n]) });
 * console.assert(r.data[1] === -1);
 * ```
 */
export function toRef(t: TensorData | RefTensor): RefTensor {
  if (t.data instanceof Float64Array) return t as RefTensor;
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number(t.data[i]);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** Converts a {@link RefTensor} back to its dtype's typed array (float32 rounds). */
export function fromRef(t: RefTensor): TensorData {
  const out = allocate(t.dtype, t.data.length);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = BigInt(Math.round(t.data[i]));
  } else (out as Float64Array).set(t.data);
  return { dtype: t.dtype, shape: [...t.shape], data: out };
}

/** A new tensor of `shape` filled by `fill` (zeros by default). */
export function make(dtype: DType, shape: readonly number[], fill = 0): RefTensor {
  const data = new Float64Array(sizeOf(shape));
  if (fill !== 0) data.fill(fill);
  return { dtype, shape: [...shape], data };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Numpy broadcast of shapes; throws when they do not broadcast. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k] ?? 1;
      if (e === 1 || e === d) continue;
      if (d !== 1) {
        throw new RangeError(`shapes ${shapes.map((s) => `[${s}]`).join(" ")} do not broadcast`);
      }
      d = e;
    }
    out.push(d);
  }
  return out;
}

/**
 * For each element of `outShape`, the flat index of the element of a tensor of `shape`
 * that broadcasts to it.
 */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const src = stridesOf(shape);
  const eff = outShape.map((_, k) => {
    const j = k - (rank - shape.length);
    return j < 0 || shape[j] === 1 ? 0 : src[j];
  });
  const coord = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let k = rank - 1; k >= 0; k--) {
      coord[k]++;
      off += eff[k];
      if (coord[k] < outShape[k]) break;
      off -= eff[k] * coord[k];
      coord[k] = 0;
    }
  }
  return idx;
}

/** Splits a shape around `axis` into (outer, size, inner) element counts. */
export function aroundAxis(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return [outer, shape[axis], inner];
}

/** Normalizes a possibly negative axis. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Round half to even, as ONNX QuantizeLinear specifies. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

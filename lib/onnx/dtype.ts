/**
 * Element-type facts: ONNX `TensorProto.DataType` codes, element sizes, typed-array
 * constructors, and small shape helpers shared by the builder, codec and interpreter.
 *
 * @module
 */
import type { DType, Shape, TensorData, TypedArray } from "./types.ts";

const CODES: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

const BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
  float64: 8,
};

/**
 * ONNX `TensorProto.DataType` code of a dtype.
 *
 * @example
 * ```ts
 * import { onnxTypeCode } from "./dtype.ts";
 * console.assert(onnxTypeCode("float32") === 1);
 * ```
 */
export function onnxTypeCode(dtype: DType): number {
  return CODES[dtype];
}

/** The dtype of an ONNX `TensorProto.DataType` code, or `undefined` if adaspring lacks it. */
export function dtypeFromCode(code: number): DType | undefined {
  for (const [name, c] of Object.entries(CODES)) if (c === code) return name as DType;
  return undefined;
}

/** Bytes per element. */
export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

/** True for the floating-point dtypes. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/**
 * A zero-filled typed array for `size` elements of `dtype` (`bool` uses Uint8Array).
 *
 * @example
 * ```ts
 * import { allocate } from "./dtype.ts";
 * console.assert(allocate("int64", 2) instanceof BigInt64Array);
 * ```
 */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int8":
      return new Int8Array(size);
    case "uint8":
    case "bool":
      return new Uint8Array(size);
    case "int32":
      return new Int32Array(size);
    case "int64":
      return new BigInt64Array(size);
  }
}

/** A typed array of `dtype` viewing (a copy of) little-endian `bytes`. */
export function fromBytes(dtype: DType, bytes: Uint8Array): TypedArray {
  const n = bytes.byteLength / BYTES[dtype];
  if (!Number.isInteger(n)) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  const copy = bytes.slice();
  switch (dtype) {
    case "float32":
      return new Float32Array(copy.buffer, 0, n);
    case "float64":
      return new Float64Array(copy.buffer, 0, n);
    case "int8":
      return new Int8Array(copy.buffer, 0, n);
    case "uint8":
    case "bool":
      return copy;
    case "int32":
      return new Int32Array(copy.buffer, 0, n);
    case "int64":
      return new BigInt64Array(copy.buffer, 0, n);
  }
}

/** The little-endian bytes of a typed array (a view, not a copy). */
export function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A typed array of `dtype` holding `values` (numbers; int64 converted to bigint). */
export function typedArrayOf(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]));
  } else {
    for (let i = 0; i < values.length; i++) (out as Float64Array)[i] = values[i];
  }
  return out;
}

/** The elements of a typed array as plain numbers (int64 via Number()). */
export function toNumbers(data: TypedArray): number[] {
  return Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * Number of elements of a static shape; throws on a symbolic dimension.
 *
 * @example
 * ```ts
 * import { sizeOf } from "./dtype.ts";
 * console.assert(sizeOf([2, 3, 4]) === 24);
 * ```
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number") throw new RangeError(`shape [${shape}] has a symbolic dimension`);
    n *= d;
  }
  return n;
}

/** True when every dimension is a number. */
export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === "number");
}

/** A shape as text, like `[N,3,32,32]`. */
export function formatShape(shape: Shape | undefined): string {
  return shape === undefined ? "[?]" : `[${shape.join(",")}]`;
}

/**
 * A {@link TensorData} of `dtype` and `shape` from numbers, checking the element count.
 *
 * @example
 * ```ts
 * import { tensor } from "./dtype.ts";
 * const t = tensor("float32", [2], [1, 2]);
 * console.assert(t.data[1] === 2);
 * ```
 */
export function tensor(
  dtype: DType,
  shape: readonly number[],
  values: ArrayLike<number>,
): TensorData {
  const n = sizeOf(shape);
  if (values.length !== n) {
    throw new RangeError(`shape [${shape}] needs ${n} elements, got ${values.length}`);
  }
  return { dtype, shape: [...shape], data: typedArrayOf(dtype, values) };
}

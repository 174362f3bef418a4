/**
 * Reader for IDX files (the MNIST / Fashion-MNIST container format), raw or gzipped.
 *
 * An IDX file is a 4-byte magic number `0x00 0x00 <dtype> <ndims>`, then `ndims` big-endian
 * uint32 dimension sizes, then the values, big-endian, row-major. Everything a damaged or wrong
 * file can do (bad gzip stream, wrong magic, unknown dtype, size that disagrees with the
 * dimensions, label out of range) is reported as an {@link AdaspringError} that names the file,
 * the problem and the fix.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { badInput } from "../errors.ts";

/** Element types an IDX file can hold, by their dtype byte. */
export const IDX_DTYPES = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
} as const;

/** Name of an IDX element type. */
export type IdxDType = typeof IDX_DTYPES[keyof typeof IDX_DTYPES]["name"];

/** A decoded IDX array: values in host byte order, row-major. */
export interface IdxArray {
  dtype: IdxDType;
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const FIX = "re-download or reinstall the dataset, or point dataset.path at intact files";

/** True when `bytes` starts with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decode IDX bytes (already decompressed). `file` is used in error messages only.
 *
 * @example
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * // uint8, 1 dim of size 3: values 7, 8, 9
 * const bytes = new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]);
 * const arr = parseIdx(bytes, "labels.idx");
 * console.assert(arr.dims[0] === 3 && arr.data[2] === 9);
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw badInput(`${file}: truncated IDX file (${bytes.length} bytes, no header); ${FIX}.`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    throw badInput(
      `${file}: not an IDX file (magic number ${magic.join(" ")}, expected 00 00 <dtype> ` +
        `<ndims>); check that dataset.path points at IDX files (…-idx3-ubyte, …-idx1-ubyte).`,
    );
  }
  const info = IDX_DTYPES[bytes[2] as keyof typeof IDX_DTYPES];
  if (!info) {
    throw badInput(
      `${file}: unknown IDX element type 0x${bytes[2].toString(16)} (expected one of 08, 09, ` +
        `0b, 0c, 0d, 0e); the file is corrupt or not IDX; ${FIX}.`,
    );
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerBytes) {
    throw badInput(
      `${file}: truncated IDX header (${ndims} dimensions need ${headerBytes} bytes, file has ` +
        `${bytes.length}); ${FIX}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * info.bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? "truncated" : "has trailing bytes";
    throw badInput(
      `${file}: ${what}: dimensions ${dims.join("x")} of ${info.name} need ${expected} bytes, ` +
        `the file has ${bytes.length}; ${FIX}.`,
    );
  }
  return { dtype: info.name, dims, data: decodeValues(view, headerBytes, count, info.name) };
}

function decodeValues(view: DataView, offset: number, count: number, dtype: IdxDType) {
  // Single bytes need no byte swapping: copy them out of the file buffer.
  const bytes = () => new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
  switch (dtype) {
    case "uint8":
      return bytes();
    case "int8":
      return new Int8Array(bytes().buffer);
    case "int16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Read an IDX file, gunzipping it when it starts with the gzip magic number (whatever its name).
 *
 * @example
 * ```ts
 * import { readIdx } from "./idx.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/l.idx`, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5]));
 * console.assert((await readIdx(`${dir}/l.idx`)).data[0] === 5);
 * ```
 */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw badInput(`${path}: file not found; ${FIX}.`, err);
    }
    throw badInput(`${path}: cannot read (${(err as Error).message}); check its permissions.`, err);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw badInput(
        `${path}: corrupt or truncated gzip stream (${(err as Error).message}); ${FIX}.`,
        err,
      );
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Read an IDX label file: a 1-D uint8 array whose values are class indices below `classes`.
 *
 * @example
 * ```ts
 * import { readIdxLabels } from "./idx.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/l.idx`, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 1, 9]));
 * console.assert((await readIdxLabels(`${dir}/l.idx`, 10))[1] === 9);
 * ```
 */
export async function readIdxLabels(path: string, classes: number): Promise<Int32Array> {
  const arr = await readIdx(path);
  if (arr.dtype !== "uint8" || arr.dims.length !== 1) {
    throw badInput(
      `${path}: expected a label file (1-D uint8), got ${arr.dims.length}-D ${arr.dtype}; ` +
        `check that the labels and images files are not swapped.`,
    );
  }
  const y = Int32Array.from(arr.data);
  const bad = y.findIndex((v) => v < 0 || v >= classes);
  if (bad >= 0) {
    throw badInput(
      `${path}: label ${y[bad]} at index ${bad} is out of range (expected 0..${classes - 1}); ` +
        `${FIX}.`,
    );
  }
  return y;
}

/**
 * Read an IDX image file (3-D uint8: count x rows x cols) as float32 in [0, 1].
 *
 * @example
 * ```ts
 * import { readIdxImages } from "./idx.ts";
 * const dir = await Deno.makeTempDir();
 * const header = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2];
 * await Deno.writeFile(`${dir}/i.idx`, new Uint8Array([...header, 0, 255]));
 * const img = await readIdxImages(`${dir}/i.idx`);
 * console.assert(img.count === 1 && img.x[1] === 1);
 * ```
 */
export async function readIdxImages(
  path: string,
): Promise<{ x: Float32Array; count: number; rows: number; cols: number }> {
  const arr = await readIdx(path);
  if (arr.dtype !== "uint8" || arr.dims.length !== 3) {
    throw badInput(
      `${path}: expected an image file (3-D uint8: count x rows x cols), got ` +
        `${arr.dims.length}-D ${arr.dtype}; check that the labels and images files are not swapped.`,
    );
  }
  const [count, rows, cols] = arr.dims;
  const x = new Float32Array(arr.data.length);
  for (let i = 0; i < x.length; i++) x[i] = arr.data[i] / 255;
  return { x, count, rows, cols };
}

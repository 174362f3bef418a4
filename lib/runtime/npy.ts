/**
 * NumPy `.npy` files (format versions 1-3, little-endian, C order) to and from
 * {@link TensorData}, so users can feed `model bench` real inputs saved with `numpy.save`.
 *
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const t = { dtype: "float32" as const, shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
 * const back = decodeNpy(encodeNpy(t), "x.npy");
 * console.assert(back.shape.join() === "2,2" && back.data[3] === 4);
 * ```
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { fromBytes, sizeOf, toBytes } from "../onnx/dtype.ts";
import type { DType, TensorData } from "../onnx/types.ts";

const DESCR: Readonly<Record<string, DType>> = {
  "<f4": "float32",
  "<f8": "float64",
  "|i1": "int8",
  "|u1": "uint8",
  "<i4": "int32",
  "<i8": "int64",
  "|b1": "bool",
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses `.npy` bytes.
 *
 * @throws {AdaspringError} (bad input) naming `source` for a non-npy file, an unsupported
 * dtype, Fortran order or a truncated body.
 */
export function decodeNpy(bytes: Uint8Array, source: string): TensorData {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw badInput(`${source}: not a .npy file (no \\x93NUMPY magic); save it with numpy.save`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) {
    throw badInput(`${source}: malformed .npy header: ${header.trim()}`);
  }
  const dtype = DESCR[descr];
  if (dtype === undefined) {
    throw badInput(
      `${source}: .npy dtype '${descr}' is not supported; use one of ${
        Object.keys(DESCR).join(" ")
      }`,
    );
  }
  if (fortran) throw badInput(`${source}: Fortran-order .npy; save a C-contiguous array`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const body = bytes.subarray(start + headerLen);
  const n = sizeOf(shape);
  const need = n *
    (dtype === "float64" || dtype === "int64"
      ? 8
      : dtype === "float32" || dtype === "int32"
      ? 4
      : 1);
  if (body.length < need) {
    throw badInput(`${source}: .npy body has ${body.length} bytes, shape [${shape}] needs ${need}`);
  }
  return { dtype, shape, data: fromBytes(dtype, body.subarray(0, need)) };
}

/** Encodes a tensor as `.npy` (version 1.0). */
export function encodeNpy(t: TensorData): Uint8Array {
  const descr = Object.entries(DESCR).find(([, d]) => d === t.dtype)![0];
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so the data starts on a 64-byte boundary, ending with a newline, as numpy does.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const head = new TextEncoder().encode(header);
  const body = toBytes(t.data);
  const out = new Uint8Array(10 + head.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(body, 10 + head.length);
  return out;
}

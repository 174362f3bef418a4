/**
 * Inputs for benchmarking and smoke runs: seeded random tensors shaped like a model's
 * declared inputs, or tensors read from files.
 *
 * File inputs are given as `name=path` (or just `path` for a one-input model):
 * - `.npy`: a NumPy array (see npy.ts); dtype and shape must match the input;
 * - anything else (e.g. `.bin`): raw little-endian elements of the input's dtype, shaped like
 *   the declared input; a symbolic first dimension is inferred from the byte count.
 *
 * @module
 */
import { basename } from "node:path";
import { badInput } from "../errors.ts";
import { allocate, bytesPerElement, formatShape, fromBytes, sizeOf } from "../onnx/dtype.ts";
import type { TensorData, ValueInfo } from "../onnx/types.ts";
import type { Rng } from "../util/rng.ts";
import { bindShape } from "./feeds.ts";
import { decodeNpy } from "./npy.ts";

/**
 * Random feeds: floats ~ N(0, 1), int8/uint8 over their range, other integers in [0, 10),
 * bools fair coins. Symbolic dims are bound by `dims` (1 when absent).
 *
 * @example
 * ```ts
 * import { createRng } from "../util/rng.ts";
 * import { randomFeeds } from "./inputs.ts";
 * const f = randomFeeds([{ name: "x", dtype: "float32", shape: ["N", 3] }], createRng(1), { N: 4 });
 * console.assert(f.x.shape.join() === "4,3");
 * ```
 */
export function randomFeeds(
  inputs: readonly ValueInfo[],
  rng: Rng,
  dims: Readonly<Record<string, number>> = {},
): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const v of inputs) {
    const r = rng.fork(v.name);
    const shape = bindShape(v.shape ?? [], dims);
    const data = allocate(v.dtype, sizeOf(shape));
    for (let i = 0; i < data.length; i++) {
      switch (v.dtype) {
        case "float32":
        case "float64":
          (data as Float32Array)[i] = r.normal();
          break;
        case "int8":
          (data as Int8Array)[i] = r.int(256) - 128;
          break;
        case "uint8":
          (data as Uint8Array)[i] = r.int(256);
          break;
        case "bool":
          (data as Uint8Array)[i] = r.int(2);
          break;
        case "int32":
          (data as Int32Array)[i] = r.int(10);
          break;
        case "int64":
          (data as BigInt64Array)[i] = BigInt(r.int(10));
          break;
      }
    }
    feeds[v.name] = { dtype: v.dtype, shape, data };
  }
  return feeds;
}

/** Splits `name=path` specs; a bare path names the model's only input. */
function parseSpecs(inputs: readonly ValueInfo[], specs: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq > 0 && inputs.some((v) => v.name === spec.slice(0, eq))) {
      map.set(spec.slice(0, eq), spec.slice(eq + 1));
    } else if (inputs.length === 1) {
      map.set(inputs[0].name, spec);
    } else {
      throw badInput(
        `--input "${spec}": name the input as NAME=PATH; the model's inputs are ` +
          inputs.map((v) => v.name).join(", "),
      );
    }
  }
  return map;
}

/**
 * Reads feeds from files for every input (see the module doc for formats).
 *
 * @throws {AdaspringError} (bad input) for a missing file, an unnamed or unknown input, or
 * a size that does not fit the input.
 */
export async function fileFeeds(
  inputs: readonly ValueInfo[],
  specs: readonly string[],
  dims: Readonly<Record<string, number>> = {},
): Promise<Record<string, TensorData>> {
  const paths = parseSpecs(inputs, specs);
  const feeds: Record<string, TensorData> = {};
  for (const v of inputs) {
    const path = paths.get(v.name);
    if (path === undefined) throw badInput(`no --input file for model input "${v.name}"`);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      throw badInput(
        `${path}: cannot read input file for "${v.name}" (${(e as Error).message})`,
        e,
      );
    }
    if (basename(path).toLowerCase().endsWith(".npy")) {
      feeds[v.name] = decodeNpy(bytes, path);
      continue;
    }
    const size = bytesPerElement(v.dtype);
    const declared = v.shape ?? [];
    const first = declared[0];
    const rest = bindShape(declared.slice(1), dims);
    const restSize = sizeOf(rest);
    let shape = bindShape(declared, dims);
    if (declared.length > 0 && typeof first === "string" && dims[first] === undefined) {
      shape = [bytes.length / (size * restSize), ...rest];
    }
    if (!Number.isInteger(shape[0]) || bytes.length !== sizeOf(shape) * size) {
      throw badInput(
        `${path}: ${bytes.length} bytes do not fill input "${v.name}" ${formatShape(declared)} ` +
          `of ${v.dtype} (${size} bytes each); write raw little-endian ${v.dtype} values`,
      );
    }
    feeds[v.name] = { dtype: v.dtype, shape, data: fromBytes(v.dtype, bytes) };
  }
  return feeds;
}

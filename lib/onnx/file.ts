/**
 * Reading and writing `.onnx` files with user-facing errors.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { decodeModel } from "./proto/decode.ts";
import { encodeModel } from "./proto/encode.ts";
import type { ModelData } from "./types.ts";

/** A model file's bytes and its decoded form. */
export interface LoadedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly model: ModelData;
}

/**
 * Reads and decodes an `.onnx` file.
 *
 * @throws {AdaspringError} (bad input) when the file is missing, unreadable or not a valid
 * ONNX model; the message names the file and the problem.
 *
 * @example
 * ```ts
 * import { readModelFile, writeModelFile } from "./file.ts";
 * import { GraphBuilder } from "./graph.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", [2])]));
 * const path = `${await Deno.makeTempDir()}/m.onnx`;
 * await writeModelFile(path, g.toModel());
 * console.assert((await readModelFile(path)).model.graph.nodes.length === 1);
 * ```
 */
export async function readModelFile(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw badInput(`${path}: model file not found; check the path`, e);
    }
    throw badInput(`${path}: cannot read the model file (${(e as Error).message})`, e);
  }
  return { path, bytes, model: decodeModelBytes(bytes, path) };
}

/** Decodes model bytes, reporting a corrupt model as bad input naming `source`. */
export function decodeModelBytes(bytes: Uint8Array, source: string): ModelData {
  if (bytes.length === 0) throw badInput(`${source}: the model file is empty`);
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw badInput(
      `${source}: not a valid ONNX model (${(e as Error).message}); ` +
        `re-export it or check that the file was copied completely`,
      e,
    );
  }
}

/** Encodes and writes a model atomically; returns the bytes written. */
export async function writeModelFile(path: string, model: ModelData): Promise<Uint8Array> {
  const bytes = encodeModel(model);
  await writeFileAtomic(path, bytes);
  return bytes;
}

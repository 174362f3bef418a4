/**
 * Saving and loading a weight store: a JSON manifest (format, version, task, layout signature,
 * tensor offsets, SHA-256 of the binary) next to a little-endian float32 binary. Both files are
 * written atomically, binary first, so a manifest never points at a half-written binary.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { badInput } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { sha256Hex } from "../util/hash.ts";
import type { SearchSpace } from "./space.ts";
import {
  layoutSignature,
  storeLayout,
  type StoreShape,
  type StoreTensor,
  type WeightStore,
} from "./weights.ts";

/** The manifest's `format` field. */
export const STORE_FORMAT = "adaspring-supernet-weights";
/**
 * The manifest version this code writes and reads. Version 2: fire blocks interleave their two
 * expands (`arch.ts`); a version 1 store holds the same tensors but was trained with the
 * expands concatenated, so its fire configurations would derive wrong weights.
 */
export const STORE_VERSION = 2;

/** The JSON manifest of a saved store. */
export interface StoreManifest {
  format: string;
  version: number;
  task: string;
  origin: string;
  inputChannels: number;
  numClasses: number;
  /** {@link layoutSignature} of the store's layout. */
  signature: string;
  /** File name of the binary, next to the manifest. */
  binary: string;
  bytes: number;
  sha256: string;
  tensors: { name: string; shape: number[]; offset: number }[];
}

/** The binary's path for a manifest path: `x.json` -> `x.bin`, else `<path>.bin`. */
export function binaryPath(manifestPath: string): string {
  return manifestPath.endsWith(".json")
    ? `${manifestPath.slice(0, -5)}.bin`
    : `${manifestPath}.bin`;
}

/**
 * Saves a store to `path` (manifest) and its binary (see {@link binaryPath}).
 *
 * @example
 * ```ts
 * import { loadWeightStore, saveWeightStore } from "./weights_io.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const path = `${await Deno.makeTempDir()}/store.json`;
 * await saveWeightStore(store, path);
 * const back = await loadWeightStore(path, space);
 * console.assert(back.tensors.get("head.w")!.data[3] === store.tensors.get("head.w")!.data[3]);
 * ```
 */
export async function saveWeightStore(store: WeightStore, path: string): Promise<void> {
  let bytes = 0;
  const tensors = [...store.tensors].map(([name, t]) => {
    const entry = { name, shape: [...t.shape], offset: bytes };
    bytes += t.data.byteLength;
    return entry;
  });
  const bin = new Uint8Array(bytes);
  const view = new DataView(bin.buffer);
  let at = 0;
  for (const t of store.tensors.values()) {
    for (const v of t.data) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  const layout = [...store.tensors].map(([name, t]) => ({ name, shape: t.shape }));
  const manifest: StoreManifest = {
    format: STORE_FORMAT,
    version: STORE_VERSION,
    task: store.task,
    origin: store.origin,
    inputChannels: store.shape.inputChannels,
    numClasses: store.shape.numClasses,
    signature: layoutSignature(layout),
    binary: basename(binaryPath(path)),
    bytes,
    sha256: await sha256Hex(bin),
    tensors,
  };
  await writeFileAtomic(binaryPath(path), bin);
  await writeFileAtomic(path, JSON.stringify(manifest, null, 1) + "\n");
}

function firstDifference(want: string, got: string): string {
  const a = want.split(";"), b = got.split(";");
  const i = a.findIndex((x, j) => x !== b[j]);
  if (i < 0) return `the file has ${b.length - a.length} extra tensors`;
  return `tensor ${i}: the space needs ${a[i]}, the file has ${b[i] ?? "nothing"}`;
}

/**
 * Loads a store saved by {@link saveWeightStore} and checks it fits `space` (and `expect`, the
 * task data's input channels and classes, when given).
 *
 * @throws {AdaspringError} (bad input) for an unreadable or foreign file, an unknown version,
 * a checksum mismatch, or an architecture that is not this space's, naming the first
 * differing tensor.
 */
export async function loadWeightStore(
  path: string,
  space: SearchSpace,
  expect?: StoreShape,
): Promise<WeightStore> {
  let manifest: StoreManifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw badInput(
      `${path}: cannot read the weight store manifest (${(err as Error).message}); ` +
        `pass the .json file written by adaspring (e.g. by ensemble training).`,
      err,
    );
  }
  if (manifest?.format !== STORE_FORMAT) {
    throw badInput(`${path}: not an adaspring weight store (format "${manifest?.format}").`);
  }
  if (manifest.version === 1) {
    throw badInput(
      `${path}: weight store version 1 was trained with fire blocks' expands concatenated; ` +
        `this adaspring interleaves them (version ${STORE_VERSION}), so its fire ` +
        `configurations would derive wrong weights. Train the supernet again ` +
        `(train-supernet, or delete the evaluate stage's supernet directory and rerun).`,
    );
  }
  if (manifest.version !== STORE_VERSION) {
    throw badInput(
      `${path}: weight store version ${manifest.version}; this adaspring reads version ` +
        `${STORE_VERSION}. Re-save the store with this version.`,
    );
  }
  const io = expect ?? { inputChannels: manifest.inputChannels, numClasses: manifest.numClasses };
  const want = layoutSignature(storeLayout(space, io));
  if (manifest.task !== space.task || manifest.signature !== want) {
    throw badInput(
      `${path}: the weight store was saved for task ${manifest.task} with a different ` +
        `architecture than task ${space.task} has now (${
          firstDifference(want, manifest.signature)
        }, input channels ${manifest.inputChannels}, classes ${manifest.numClasses}). ` +
        `Use the store trained for this task config, or retrain it.`,
    );
  }
  const binPath = join(dirname(path), manifest.binary);
  let bin: Uint8Array;
  try {
    bin = await Deno.readFile(binPath);
  } catch (err) {
    throw badInput(`${binPath}: the weight store binary is missing (${(err as Error).message}).`);
  }
  const sum = await sha256Hex(bin);
  if (bin.length !== manifest.bytes || sum !== manifest.sha256) {
    throw badInput(
      `${binPath}: checksum mismatch (expected ${manifest.bytes} bytes with sha256 ` +
        `${manifest.sha256}, found ${bin.length} bytes with ${sum}); the file is corrupt or ` +
        `belongs to another manifest. Restore both files from the same save.`,
    );
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const tensors = new Map<string, StoreTensor>();
  for (const e of manifest.tensors) {
    const data = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(e.offset + 4 * i, true);
    tensors.set(e.name, { shape: e.shape, data });
  }
  return {
    task: manifest.task,
    shape: io,
    tensors,
    origin: `${manifest.origin} (loaded from ${path})`,
    revision: 0,
  };
}

/**
 * Training checkpoints: weights, BN statistics, optimizer state, step/epoch, RNG state,
 * config and architecture hashes, in one versioned binary file (layout in
 * docs/training-artifacts.md):
 *
 * ```
 * "ADSPCKPT" | u32 version | u32 header bytes | JSON header | zero pad to 4 | float32 payload
 * ```
 *
 * The header lists every tensor (group, name, shape, byte offset) and the SHA-256 of the
 * payload, so truncation and bit rot are detected. Files are written atomically, so an
 * interrupted save leaves the previous checkpoint intact.
 *
 * @example
 * ```ts
 * import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
 * const c = {
 *   architectureHash: "a", configHash: "c", step: 3, epoch: 1,
 *   rng: { seed: 0, words: [1, 2, 3, 4], spare: null },
 *   params: { w: { shape: [2], data: new Float32Array([1, 2]) } }, state: {},
 *   optimizer: { kind: "sgd" as const, steps: 3, slots: {} }, metrics: {},
 * };
 * console.assert(decodeCheckpoint(encodeCheckpoint(c), "x").params.w.data[1] === 2);
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { badInput } from "../errors.ts";
import type { Attribute, GraphData } from "../onnx/types.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { RngState } from "../util/rng.ts";
import { canonicalJson } from "../data/cache.ts";
import type { Param } from "./optimizer.ts";

/** Current checkpoint format version. */
export const CHECKPOINT_VERSION = 1;
const MAGIC = "ADSPCKPT";

/** Everything needed to resume training exactly. */
export interface Checkpoint {
  /** {@link architectureHash} of the forward graph the weights belong to. */
  readonly architectureHash: string;
  /** Hash of the run's configuration (task + hyper-parameters). */
  readonly configHash: string;
  /** Optimizer steps and completed epochs. */
  readonly step: number;
  readonly epoch: number;
  /** State of the data-order RNG, to continue the same shuffles. */
  readonly rng: RngState;
  readonly params: Readonly<Record<string, Param>>;
  /** BN running statistics. */
  readonly state: Readonly<Record<string, Param>>;
  readonly optimizer: {
    readonly kind: "sgd" | "adam";
    readonly steps: number;
    readonly slots: Readonly<Record<string, Float32Array>>;
  };
  /** Free-form metrics (best validation accuracy, ...). */
  readonly metrics: Readonly<Record<string, number>>;
}

interface TensorEntry {
  group: "param" | "state" | "slot";
  name: string;
  shape: number[];
  offset: number;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A hash of a forward graph's structure: node ops, wiring and attributes, inputs, and every
 * initializer's name, dtype and shape (not its values). Two graphs with equal hashes accept
 * the same checkpoints.
 */
export function architectureHash(graph: GraphData): string {
  const strip = (a: Attribute): unknown =>
    a.kind === "tensor" ? { kind: "tensor", dtype: a.value.dtype, shape: a.value.shape } : a;
  const desc = {
    nodes: graph.nodes.map((n) => ({
      op: n.opType,
      domain: n.domain ?? "",
      inputs: n.inputs,
      outputs: n.outputs,
      attributes: Object.fromEntries(Object.entries(n.attributes).map(([k, a]) => [k, strip(a)])),
    })),
    inputs: graph.inputs.map((v) => [v.name, v.dtype, v.shape]),
    initializers: graph.initializers.map((t) => [t.name, t.dtype, t.shape]),
  };
  return sha256(new TextEncoder().encode(canonicalJson(desc)));
}

/** Encodes a checkpoint to bytes. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const push = (
    group: TensorEntry["group"],
    name: string,
    shape: readonly number[],
    data: Float32Array,
  ) => {
    tensors.push({ group, name, shape: [...shape], offset });
    chunks.push(data);
    offset += data.byteLength;
  };
  for (const [n, p] of Object.entries(c.params)) push("param", n, p.shape, p.data);
  for (const [n, p] of Object.entries(c.state)) push("state", n, p.shape, p.data);
  for (const [n, s] of Object.entries(c.optimizer.slots)) push("slot", n, [s.length], s);
  const payload = new Uint8Array(offset);
  let at = 0;
  for (const ch of chunks) {
    payload.set(new Uint8Array(ch.buffer, ch.byteOffset, ch.byteLength), at);
    at += ch.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({
    format: "adaspring-checkpoint",
    version: CHECKPOINT_VERSION,
    architectureHash: c.architectureHash,
    configHash: c.configHash,
    step: c.step,
    epoch: c.epoch,
    rng: c.rng,
    optimizer: { kind: c.optimizer.kind, steps: c.optimizer.steps },
    metrics: c.metrics,
    tensors,
    payloadBytes: payload.byteLength,
    payloadSha256: sha256(payload),
  }));
  const start = 16 + header.byteLength + ((4 - (header.byteLength % 4)) % 4);
  const out = new Uint8Array(start + payload.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, header.byteLength, true);
  out.set(header, 16);
  out.set(payload, start);
  return out;
}

/**
 * Decodes checkpoint bytes read from `path`.
 *
 * @throws {AdaspringError} (bad input) for a file that is not a checkpoint, of another
 *   version, truncated, or whose payload fails its checksum.
 */
export function decodeCheckpoint(bytes: Uint8Array, path: string): Checkpoint {
  const fail = (what: string) =>
    badInput(
      `${path}: ${what}. Delete it or point --resume at a good checkpoint (or train from scratch).`,
    );
  if (bytes.byteLength < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw fail("not an adaspring checkpoint (bad magic bytes)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw fail(
      `checkpoint format version ${version}; this adaspring reads version ${CHECKPOINT_VERSION}`,
    );
  }
  const hlen = view.getUint32(12, true);
  if (16 + hlen > bytes.byteLength) throw fail("truncated header");
  let h;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (e) {
    throw fail(`corrupt header (${(e as Error).message})`);
  }
  const start = 16 + hlen + ((4 - (hlen % 4)) % 4);
  const payload = bytes.subarray(start);
  if (payload.byteLength !== h.payloadBytes) {
    throw fail(`truncated: payload is ${payload.byteLength} bytes, header says ${h.payloadBytes}`);
  }
  if (sha256(payload) !== h.payloadSha256) throw fail("corrupt payload (SHA-256 mismatch)");
  const aligned = new Uint8Array(payload); // copy: Float32Array views need 4-byte alignment
  const params: Record<string, Param> = {};
  const state: Record<string, Param> = {};
  const slots: Record<string, Float32Array> = {};
  for (const t of h.tensors as TensorEntry[]) {
    const n = t.shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(aligned.buffer, t.offset, n);
    if (t.group === "param") params[t.name] = { shape: t.shape, data };
    else if (t.group === "state") state[t.name] = { shape: t.shape, data };
    else slots[t.name] = data;
  }
  return {
    architectureHash: h.architectureHash,
    configHash: h.configHash,
    step: h.step,
    epoch: h.epoch,
    rng: h.rng,
    params,
    state,
    optimizer: { kind: h.optimizer.kind, steps: h.optimizer.steps, slots },
    metrics: h.metrics,
  };
}

/** Writes a checkpoint atomically. */
export async function writeCheckpoint(path: string, c: Checkpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(c));
}

/**
 * Reads a checkpoint and checks it belongs to the architecture `expect.architectureHash`.
 *
 * @throws {AdaspringError} (bad input) when missing, corrupt, or of another architecture.
 */
export async function readCheckpoint(
  path: string,
  expect: { readonly architectureHash?: string } = {},
): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw badInput(`${path}: cannot read checkpoint (${(e as Error).message}); check the path.`, e);
  }
  const c = decodeCheckpoint(bytes, path);
  if (expect.architectureHash !== undefined && c.architectureHash !== expect.architectureHash) {
    throw badInput(
      `${path}: checkpoint is for another architecture (hash ${c.architectureHash.slice(0, 12)}, ` +
        `this model is ${expect.architectureHash.slice(0, 12)}). Resume with the same task and ` +
        `model config it was trained with, or train from scratch without --resume.`,
    );
  }
  return c;
}

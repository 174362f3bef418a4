/**
 * Training checkpoints: weights, BN statistics, optimizer state, step/epoch, RNG state,
 * config and architecture hashes, in one versioned binary file (layout in
 * docs/training-artifacts.md):
 *
 * ```
 * "ADSPCKPT" | u32 version | u32 header bytes | SHA-256 of the header | JSON header
 *   | zero pad to 4 | float32 payload
 * ```
 *
 * The header lists every tensor (group, name, shape, byte offset) and the SHA-256 of the
 * payload; the header's own SHA-256 precedes it (format 2), so truncation, bit rot and edits
 * of either are detected. The header is also validated field by field and every tensor must
 * lie inside the payload, so any malformed file is an AdaspringError. Format 1 (no header
 * hash, no recorded settings) is still read. Files are written atomically, so an interrupted
 * save leaves the previous checkpoint intact.
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
import { z } from "zod";
import { AdaspringError, badInput } from "../errors.ts";
import type { Attribute, GraphData } from "../onnx/types.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { RngState } from "../util/rng.ts";
import { canonicalJson } from "../data/cache.ts";
import { formatPath } from "../config/source.ts";
import type { Param } from "./optimizer.ts";

/** Current checkpoint format version (written); version 1 is still read. */
export const CHECKPOINT_VERSION = 2;
const MAGIC = "ADSPCKPT";
/** Format 2 puts the header's SHA-256 (32 bytes) between the fixed fields and the header. */
const HEADER_HASH_BYTES = 32;

/** Everything needed to resume training exactly. */
export interface Checkpoint {
  /** {@link architectureHash} of the forward graph the weights belong to. */
  readonly architectureHash: string;
  /**
   * Hash of the run's training settings ({@link settingsHash} of {@link settings}): resuming
   * with other settings is refused.
   */
  readonly configHash: string;
  /**
   * The settings `configHash` was computed from (seed, batch, learning rate, optimizer, ...),
   * recorded so that a refused resume can say what differs. Absent in format-1 files.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Format version the checkpoint was read from (set by {@link decodeCheckpoint}). */
  readonly version?: number;
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

/** The {@link Checkpoint.configHash} of a settings object: SHA-256 of its canonical JSON. */
export function settingsHash(settings: Readonly<Record<string, unknown>>): string {
  return sha256(new TextEncoder().encode(canonicalJson(settings)));
}

const count = z.number().int().nonnegative();
const tensorSchema = z.strictObject({
  group: z.enum(["param", "state", "slot"]),
  name: z.string().min(1),
  shape: z.array(count),
  offset: count,
});
const headerSchema = z.object({
  format: z.literal("adaspring-checkpoint"),
  version: z.number(),
  architectureHash: z.string(),
  configHash: z.string(),
  settings: z.record(z.string(), z.unknown()).optional(),
  step: count,
  epoch: count,
  rng: z.strictObject({
    seed: z.number().int(),
    words: z.array(z.number().int()).length(4),
    spare: z.number().nullable(),
  }),
  optimizer: z.strictObject({ kind: z.enum(["sgd", "adam"]), steps: count }),
  metrics: z.record(z.string(), z.number()),
  tensors: z.array(tensorSchema),
  payloadBytes: count,
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

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
    ...(c.settings ? { settings: c.settings } : {}),
    step: c.step,
    epoch: c.epoch,
    rng: c.rng,
    optimizer: { kind: c.optimizer.kind, steps: c.optimizer.steps },
    metrics: c.metrics,
    tensors,
    payloadBytes: payload.byteLength,
    payloadSha256: sha256(payload),
  }));
  const headerAt = 16 + HEADER_HASH_BYTES;
  const start = headerAt + header.byteLength + ((4 - (header.byteLength % 4)) % 4);
  const out = new Uint8Array(start + payload.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, header.byteLength, true);
  out.set(createHash("sha256").update(header).digest(), 16);
  out.set(header, headerAt);
  out.set(payload, start);
  return out;
}

/**
 * Decodes checkpoint bytes read from `path` (format 2, or format 1 written by older
 * adaspring versions).
 *
 * @throws {AdaspringError} (bad input) for a file that is not a checkpoint, of an unknown
 *   version, truncated, with a header that fails its checksum or is malformed (missing or
 *   mistyped fields, a tensor outside the payload), or whose payload fails its checksum.
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
  if (version !== 1 && version !== CHECKPOINT_VERSION) {
    throw fail(
      `checkpoint format version ${version}; this adaspring reads versions 1 and ` +
        `${CHECKPOINT_VERSION}`,
    );
  }
  const hlen = view.getUint32(12, true);
  const headerAt = version === 1 ? 16 : 16 + HEADER_HASH_BYTES;
  if (headerAt + hlen > bytes.byteLength) throw fail("truncated header");
  const headerBytes = bytes.subarray(headerAt, headerAt + hlen);
  if (version >= 2) {
    const stored = bytes.subarray(16, 16 + HEADER_HASH_BYTES);
    const actual = createHash("sha256").update(headerBytes).digest();
    if (!actual.equals(stored)) throw fail("corrupt or edited header (SHA-256 mismatch)");
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw fail(`corrupt header (${(e as Error).message})`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = formatPath(issue.path);
    throw fail(`malformed header (${field || "header"}: ${issue.message})`);
  }
  const h = parsed.data;
  if (h.version !== version) {
    throw fail(`malformed header (version ${h.version}, the file says ${version})`);
  }
  const start = headerAt + hlen + ((4 - (hlen % 4)) % 4);
  const payload = bytes.subarray(Math.min(start, bytes.byteLength));
  if (payload.byteLength !== h.payloadBytes) {
    throw fail(`truncated: payload is ${payload.byteLength} bytes, header says ${h.payloadBytes}`);
  }
  if (sha256(payload) !== h.payloadSha256) throw fail("corrupt payload (SHA-256 mismatch)");
  const aligned = new Uint8Array(payload); // copy: Float32Array views need 4-byte alignment
  const params: Record<string, Param> = {};
  const state: Record<string, Param> = {};
  const slots: Record<string, Float32Array> = {};
  const seen = new Set<string>();
  for (const t of h.tensors) {
    const n = t.shape.reduce((p, d) => p * d, 1);
    const what = `tensor ${t.group} ${t.name}`;
    if (seen.has(`${t.group}/${t.name}`)) throw fail(`malformed header (${what} listed twice)`);
    seen.add(`${t.group}/${t.name}`);
    if (t.offset % 4 !== 0 || t.offset + 4 * n > aligned.byteLength) {
      throw fail(
        `malformed header (${what} of shape [${t.shape}] at byte ${t.offset} does not fit ` +
          `the ${aligned.byteLength}-byte payload)`,
      );
    }
    const data = new Float32Array(aligned.buffer, t.offset, n);
    if (t.group === "param") params[t.name] = { shape: t.shape, data };
    else if (t.group === "state") state[t.name] = { shape: t.shape, data };
    else slots[t.name] = data;
  }
  return {
    architectureHash: h.architectureHash,
    configHash: h.configHash,
    ...(h.settings ? { settings: h.settings } : {}),
    version,
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

/** What a checkpoint must match to be resumed (see {@link readCheckpoint}). */
export interface CheckpointExpectation {
  /** {@link architectureHash} of the model being trained. */
  readonly architectureHash?: string;
  /**
   * The run's training settings: a format-2 checkpoint whose `configHash` is not
   * `settingsHash(settings)` is refused, naming the settings that differ. (Format-1 files
   * recorded no comparable hash; the caller decides what to do with `version === 1`.)
   */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** Whether `e` is readCheckpoint's error for a file that does not exist. */
export function isCheckpointMissing(e: unknown): boolean {
  return e instanceof AdaspringError && e.cause instanceof Deno.errors.NotFound;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Dotted paths whose values differ between two settings objects, with both values. */
function settingsDiff(was: unknown, now: unknown, prefix = ""): string[] {
  if (isPlain(was) && isPlain(now)) {
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => settingsDiff(was[k], now[k], prefix ? `${prefix}.${k}` : k));
  }
  if (canonicalJson(was ?? null) === canonicalJson(now ?? null)) return [];
  const show = (v: unknown) => {
    const t = v === undefined ? "unset" : canonicalJson(v);
    return t.length > 40 ? `${t.slice(0, 37)}...` : t;
  };
  return [`${prefix} ${show(was)} in the checkpoint, ${show(now)} now`];
}

/**
 * Reads a checkpoint and checks it belongs to the architecture `expect.architectureHash` and
 * (format 2) was trained with `expect.settings`.
 *
 * @throws {AdaspringError} (bad input) when missing (the error's `cause` is Deno's NotFound;
 *   see {@link isCheckpointMissing}), corrupt, of another architecture or other settings.
 */
export async function readCheckpoint(
  path: string,
  expect: CheckpointExpectation = {},
): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw badInput(
        `${path}: no checkpoint there. --resume needs the directory of an earlier run that ` +
          `completed at least one epoch; check the path, or train from scratch without --resume.`,
        e,
      );
    }
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
  if (expect.settings !== undefined && c.version !== 1) {
    const want = settingsHash(expect.settings);
    if (c.configHash !== want) {
      const diff = c.settings ? settingsDiff(c.settings, expect.settings) : [];
      const what = diff.length
        ? diff.join("; ")
        : `settings hash ${c.configHash.slice(0, 12)} in the checkpoint, ${want.slice(0, 12)} now`;
      throw badInput(
        `${path}: checkpoint was trained with other training settings (${what}). Resume with ` +
          `the settings it was trained with (the same --seed, --batch, --lr, --optimizer, ` +
          `--limit and task), or start a new run with another --out instead of --resume. ` +
          `(--epochs may differ: extending a run is allowed.)`,
      );
    }
  }
  return c;
}

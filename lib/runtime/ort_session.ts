/**
 * Shared glue between adaspring's plain tensors and an ONNX Runtime JS binding
 * (onnxruntime-web and onnxruntime-node expose the same onnxruntime-common API).
 *
 * @module
 */
import type { InferenceSession, Tensor as OrtTensor } from "onnxruntime-common";
import { AdaspringError, badInput } from "../errors.ts";
import { decodeModelBytes } from "../onnx/file.ts";
import type { DType, TensorData, TypedArray } from "../onnx/types.ts";
import { openCached, SessionCache } from "./cache.ts";
import { checkFeeds, declaredIo, type ModelIo, zeroFeeds } from "./feeds.ts";
import type { BackendName, Session, SessionOptions } from "./types.ts";

/** A live ORT session with the model's declared inputs and outputs. */
export interface OpenModel {
  readonly ort: InferenceSession;
  readonly io: ModelIo;
}

/** Sessions of one binding, shared by model-bytes hash (a hit skips decoding too). */
export type OrtCache = SessionCache<OpenModel>;

/** A cache for a binding's sessions keeping up to `capacity` idle ones. */
export function ortCache(capacity = 16): OrtCache {
  return new SessionCache<OpenModel>(capacity, (m) => m.ort.release());
}

/** The parts of an ORT binding adaspring uses. */
export interface OrtBinding {
  readonly InferenceSession: {
    create(bytes: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  readonly Tensor: new (
    type: OrtTensor.Type,
    data: TypedArray,
    dims: readonly number[],
  ) => OrtTensor;
}

const SUPPORTED: ReadonlySet<string> = new Set<DType>([
  "float32",
  "float64",
  "int8",
  "uint8",
  "int32",
  "int64",
  "bool",
]);

function fromOrt(name: string, t: OrtTensor): TensorData {
  if (!SUPPORTED.has(t.type)) {
    throw new AdaspringError(
      `output "${name}" has element type ${t.type}, which adaspring cannot read`,
    );
  }
  return { dtype: t.type as DType, shape: [...t.dims], data: t.data as TypedArray };
}

const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `job` after every earlier job on the same queue. Native sessions queue per session
 * (cached sessions are shared). Web sessions share one queue per thread: onnxruntime-web's WASM
 * instance is not re-entrant across sessions: with two sessions in use at once, runs failed
 * ("output name cannot be empty": 20 of 60 concurrent BN calibrations on HAR models, measured
 * here) or hung (tests/runtime/session.test.ts).
 */
function serialized<T>(key: object, job: () => Promise<T>): Promise<T> {
  const prior = queues.get(key) ?? Promise.resolve();
  const next = prior.then(job, job);
  queues.set(key, next.catch(() => {}));
  return next;
}

/**
 * Opens a session over `bytes` with `binding`: validates the bytes, shares an identical
 * live session through `cache`, warms it up, and wraps it in the {@link Session} interface.
 */
export async function openOrtSession(
  backend: BackendName,
  binding: OrtBinding,
  cache: OrtCache,
  bytes: Uint8Array,
  options: SessionOptions,
  ortOptions: InferenceSession.SessionOptions,
): Promise<Session> {
  const source = options.source ?? "model";
  const create = async (): Promise<OpenModel> => {
    // Our own decoder first: a corrupt file gets adaspring's message, not the runtime's.
    const io = declaredIo(decodeModelBytes(bytes, source));
    // A copy: ORT-web writes into the options it is given (`extra.session`), which would
    // change the cache key of the next request passing the same object.
    const given = structuredClone(ortOptions);
    try {
      const ort = await (backend === "web"
        ? serialized(binding, () =>
          binding.InferenceSession.create(bytes, given))
        : binding.InferenceSession.create(bytes, given));
      return { ort, io };
    } catch (e) {
      throw badInput(
        `${source}: ONNX Runtime (${backend}) cannot load the model: ${(e as Error).message}`,
        e,
      );
    }
  };
  const handle = await openCached(
    cache,
    bytes,
    options.cache ?? true,
    create,
    (m) => backend === "web" ? serialized(binding, () => m.ort.release()) : m.ort.release(),
    JSON.stringify(ortOptions),
  );
  const { ort, io } = handle.session;
  let released = false;
  const session: Session = {
    backend,
    inputs: io.inputs,
    outputs: io.outputs,
    inputNames: io.inputs.map((v) => v.name),
    outputNames: io.outputs.map((v) => v.name),
    async run(feeds, fetches) {
      if (released) throw new AdaspringError(`${source}: the session was released`);
      checkFeeds(io.inputs, feeds, source);
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] = new binding.Tensor(t.dtype, t.data, t.shape);
      }
      for (const f of fetches ?? []) {
        if (!session.outputNames.includes(f)) {
          throw badInput(
            `${source}: "${f}" is not an output; outputs are ${session.outputNames.join(", ")}`,
          );
        }
      }
      let out: InferenceSession.ReturnType;
      try {
        out = await serialized(
          backend === "web" ? binding : ort,
          () => fetches ? ort.run(ortFeeds, [...fetches]) : ort.run(ortFeeds),
        );
      } catch (e) {
        throw new AdaspringError(
          `${source}: ONNX Runtime (${backend}) failed: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
      const result: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(out)) result[name] = fromOrt(name, t);
      return result;
    },
    async release() {
      if (released) return;
      released = true;
      await handle.release();
    },
  };
  try {
    const feeds = zeroFeeds(io.inputs, options.warmupDims);
    for (let i = 0; i < (options.warmup ?? 0); i++) await session.run(feeds);
  } catch (e) {
    await session.release();
    throw e;
  }
  return session;
}

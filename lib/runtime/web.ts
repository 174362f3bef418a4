/**
 * The default backend: onnxruntime-web's WASM build, single-threaded.
 *
 * Why one thread: `ort.env.wasm.numThreads = 2` hangs intermittently under Deno (a pthread
 * worker dies and the main thread spins; see notes/onnx-runtime-in-deno.md). Parallelism
 * comes from {@link WorkerPool} instead: several Deno Workers, each with its own
 * single-threaded ORT.
 *
 * The first session in a process pays the WASM compile (hundreds of ms); {@link initWeb} pays
 * it up front so that later timings measure the model, not the runtime.
 *
 * @module
 */
import * as ort from "onnxruntime-web";
import { encodeModel } from "../onnx/proto/encode.ts";
import { GraphBuilder } from "../onnx/graph.ts";
import { openOrtSession, type OrtBinding, ortCache } from "./ort_session.ts";
import type { Backend, Session, SessionOptions } from "./types.ts";

let configured = false;
let initialized: Promise<void> | undefined;
const cache = ortCache();
// Emscripten's Node glue inside onnxruntime-web replaces globalThis.Worker with Node's
// worker_threads Worker when the WASM module starts; Deno Workers made after that lack
// `self`. Single-threaded ORT needs no workers, so the Deno class is put back.
const denoWorker = globalThis.Worker;

/** Runs `f`, then restores Deno's Worker class if ORT's WASM start-up replaced it. */
async function keepingWorker<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    if (globalThis.Worker !== denoWorker) globalThis.Worker = denoWorker;
  }
}

/** An onnxruntime-web binding whose session creation keeps Deno's Worker intact. */
const binding: OrtBinding = {
  InferenceSession: {
    create: (bytes, options) => keepingWorker(() => ort.InferenceSession.create(bytes, options)),
  },
  Tensor: ort.Tensor as unknown as OrtBinding["Tensor"],
};

function configure(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  configured = true;
}

/**
 * Loads and compiles ORT's WASM module once per process (idempotent).
 *
 * @example
 * ```ts
 * import { initWeb } from "./web.ts";
 * await initWeb();
 * ```
 */
export function initWeb(): Promise<void> {
  configure();
  initialized ??= (async () => {
    const g = new GraphBuilder("warm");
    g.output(g.add1("Identity", [g.input("x", "float32", [1])]));
    const s = await binding.InferenceSession.create(encodeModel(g.toModel()));
    await s.release();
  })();
  return initialized;
}

/**
 * Creates an onnxruntime-web session over ONNX model bytes.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { encodeModel } from "../onnx/proto/encode.ts";
 * import { createWebSession } from "./web.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", [2])]), "y");
 * const s = await createWebSession(encodeModel(g.toModel()), { warmup: 1 });
 * const out = await s.run({ x: { dtype: "float32", shape: [2], data: new Float32Array([-1, 2]) } });
 * console.assert(out.y.data[1] === 2);
 * await s.release();
 * ```
 */
export function createWebSession(
  bytes: Uint8Array,
  options: SessionOptions = {},
): Promise<Session> {
  configure();
  return openOrtSession("web", binding, cache, bytes, options, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
}

/** Frees idle cached web sessions. */
export function clearWebCache(): Promise<void> {
  return cache.clear();
}

/** The web backend as a {@link Backend}. */
export const webBackend: Backend = { name: "web", createSession: createWebSession };

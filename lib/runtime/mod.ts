/**
 * The runtime layer: run ONNX model bytes on a backend behind one interface.
 *
 * - `web` (default): onnxruntime-web WASM, one thread per process, warm-up on request,
 *   sessions shared by model-bytes hash ({@link createSession}, {@link initWeb});
 * - `native` (opt-in): onnxruntime-node loaded from `.native/` only when asked for
 *   ({@link NATIVE_INSTALL_COMMAND}, {@link nativeAvailable});
 * - {@link WorkerPool}: N Deno Workers, each with its own single-threaded ORT, speaking a
 *   generic load/run/release protocol (inference and data-parallel training);
 * - feeds are checked against the model's declared inputs before running ({@link checkFeeds});
 * - benchmarking helpers: {@link benchModelFile}, {@link runBenchSuite}, {@link timingStats}.
 *
 * @example
 * ```ts
 * import { GraphBuilder, encodeModel } from "../onnx/mod.ts";
 * import { createSession } from "./mod.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", ["N", 2])]), "y");
 * const s = await createSession(encodeModel(g.toModel()), { backend: "web", warmup: 1 });
 * const y = await s.run({ x: { dtype: "float32", shape: [1, 2], data: new Float32Array([-1, 1]) } });
 * console.assert(y.y.data[0] === 0);
 * await s.release();
 * ```
 *
 * @module
 */
export * from "./types.ts";
export { createSession, type CreateSessionOptions, loadSession, parseBackend } from "./session.ts";
export { clearWebCache, createWebSession, initWeb, webBackend } from "./web.ts";
export {
  createNativeSession,
  hasFfiPermission,
  isNativeInstalled,
  loadNative,
  NATIVE_INSTALL_COMMAND,
  nativeAvailable,
  nativeBackend,
  nativeDir,
} from "./native.ts";
export { type PooledModel, type PoolOptions, type PoolRunOptions, WorkerPool } from "./pool.ts";
export type { Loaded, Reply, Request, RequestBody, WireError } from "./protocol.ts";
export { bindShape, checkFeeds, declaredIo, type ModelIo, zeroFeeds } from "./feeds.ts";
export { fileFeeds, randomFeeds } from "./inputs.ts";
export { decodeNpy, encodeNpy } from "./npy.ts";
export { timed, timeRuns, type TimeRunsOptions, type TimingStats, timingStats } from "./stats.ts";
export { benchModelFile, type ModelBenchOptions, type ModelBenchResult } from "./bench.ts";
export { runBenchSuite, type SuiteOptions } from "./suite.ts";

/**
 * The runtime interface every backend implements: sessions that run ONNX model bytes on
 * named plain tensors ({@link TensorData}).
 *
 * @module
 */
import type { TensorData, ValueInfo } from "../onnx/types.ts";

/** Backends adaspring can run models on. */
export type BackendName = "web" | "native";

/** All backend names, for option parsing and messages. */
export const BACKENDS: readonly BackendName[] = ["web", "native"];

/** Options for creating a session. */
export interface SessionOptions {
  /** Where the bytes came from (a file path), used in error messages. */
  readonly source?: string;
  /**
   * Inference runs on zero inputs right after creation, before the session is returned
   * (default 0; a cache hit runs them again). "Warm-up built in" means two separate things:
   * `initWeb` (web.ts) compiles ORT-web's WASM once per process up front (profiling, search
   * and runtime evolution call it, so their first session does not pay the compile; `model
   * bench` does not, and reports that start-up inside its first session-creation time); and
   * `warmup` runs N untimed inferences so that later timings see warm kernel paths. The
   * default stays 0 because runtime evolution times session readiness without warm-up;
   * `model bench` and the bench suite warm up before timing (`--warmup`, default 5 and 10
   * untimed runs; `timeRuns` in stats.ts).
   */
  readonly warmup?: number;
  /**
   * Reuse an idle session created from identical bytes (default true). Cached sessions are
   * released when the cache evicts them, not by {@link Session.release}.
   */
  readonly cache?: boolean;
  /** Intra-op threads of the native backend (default 1, comparable with web). Web is always 1. */
  readonly threads?: number;
  /** Size bound for symbolic dims during warm-up (default 1). */
  readonly warmupDims?: Readonly<Record<string, number>>;
}

/** A loaded model. */
export interface Session {
  /** Backend that runs it. */
  readonly backend: BackendName;
  /** Declared graph inputs (initializers excluded), with dtypes and shapes. */
  readonly inputs: readonly ValueInfo[];
  /** Declared graph outputs. */
  readonly outputs: readonly ValueInfo[];
  /** Input names, in declaration order. */
  readonly inputNames: readonly string[];
  /** Output names, in declaration order. */
  readonly outputNames: readonly string[];
  /**
   * Runs the model. Feeds are checked against the declared inputs first (names, dtypes,
   * shapes). Returns `fetches` (default: all outputs) by name.
   *
   * @throws {AdaspringError} (bad input) naming the input, expected and given shape or dtype.
   */
  run(
    feeds: Readonly<Record<string, TensorData>>,
    fetches?: readonly string[],
  ): Promise<Record<string, TensorData>>;
  /** Frees the session (a no-op for cached sessions until the cache evicts them). */
  release(): Promise<void>;
}

/** A backend: turns model bytes into sessions. */
export interface Backend {
  readonly name: BackendName;
  createSession(bytes: Uint8Array, options?: SessionOptions): Promise<Session>;
}

/**
 * Messages between a {@link WorkerPool} and its workers. The protocol is generic (load model
 * bytes -> session id; run a session on feeds -> outputs; release; close) so that inference
 * and data-parallel training use the same workers. Tensors travel as {@link TensorData};
 * their ArrayBuffers are transferred, not copied, where the sender no longer needs them.
 *
 * @module
 */
import type { TensorData, ValueInfo } from "../onnx/types.ts";
import type { BackendName, SessionOptions } from "./types.ts";

/** A request to a worker; `id` pairs it with its reply. */
export type Request =
  | {
    readonly id: number;
    readonly op: "load";
    readonly bytes: Uint8Array;
    readonly backend: BackendName;
    readonly options: SessionOptions;
  }
  | {
    readonly id: number;
    readonly op: "run";
    readonly session: number;
    readonly feeds: Readonly<Record<string, TensorData>>;
    readonly fetches?: readonly string[];
  }
  | { readonly id: number; readonly op: "release"; readonly session: number }
  | { readonly id: number; readonly op: "close" }
  | {
    readonly id: number;
    /** Test-only (see {@link WorkerFault}); nothing in adaspring sends it otherwise. */
    readonly op: "fault";
    readonly kind: WorkerFault;
    readonly message: string;
  };

/**
 * Failures a test can make a worker produce, to exercise the pool's error paths:
 * `throw` (a plain Error from the request handler, answered as a failed reply),
 * `crash` (an uncaught error outside any handler: the worker dies, unanswered), and
 * `hang` (the request is never answered; the worker stays alive).
 */
export type WorkerFault = "throw" | "crash" | "hang";

/** A request without its id (the pool assigns ids). */
export type RequestBody = Request extends infer R ? R extends Request ? Omit<R, "id"> : never
  : never;

/** What a `load` returns. */
export interface Loaded {
  readonly session: number;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/** An error as it crosses the worker boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly exitCode?: number;
}

/** A worker's reply. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** The buffers of `tensors`, for a transfer list (deduplicated). */
export function buffersOf(tensors: Iterable<TensorData>): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const t of tensors) {
    if (t.data.buffer instanceof ArrayBuffer) set.add(t.data.buffer);
  }
  return [...set];
}

/**
 * A pool of Deno Workers, each with its own single-threaded ONNX Runtime, for parallel
 * inference and data-parallel training (ORT-web's own threads hang under Deno; workers do not).
 *
 * @module
 */
import { AdaspringError, ExitCode, type ExitCodeValue } from "../errors.ts";
import type { TensorData, ValueInfo } from "../onnx/types.ts";
import { checkFeeds } from "./feeds.ts";
import {
  buffersOf,
  type Loaded,
  type Reply,
  type Request,
  type RequestBody,
  type WireError,
  type WorkerFault,
} from "./protocol.ts";
import type { BackendName, SessionOptions } from "./types.ts";

/** Options of {@link WorkerPool.create}. */
export interface PoolOptions {
  /** Number of workers (at least 1). */
  readonly size: number;
  /** Backend every worker uses (default `web`). */
  readonly backend?: BackendName;
}

/** Session id of a worker a model was not loaded on. */
const NOT_LOADED = -1;

/** A model loaded on the workers of a pool. */
export interface PooledModel {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Session id on each worker, by worker index (-1 where it was not loaded). */
  readonly sessions: readonly number[];
  /** Name used in error messages. */
  readonly source: string;
}

/** Options of {@link WorkerPool.run}. */
export interface PoolRunOptions {
  /** Outputs to return (default all). */
  readonly fetches?: readonly string[];
  /** Run on this worker instead of the least busy one (required for a one-worker model). */
  readonly worker?: number;
  /** Move the feeds' buffers to the worker instead of copying them (they become unusable). */
  readonly transfer?: boolean;
}

// Captured at load: onnxruntime-web's WASM start-up may later replace globalThis.Worker with
// Node's worker_threads class (see web.ts), whose workers lack Deno's `self`.
const DenoWorker: typeof Worker = globalThis.Worker;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  busy: number;
  dead?: Error;
}

function toError(e: WireError, index: number): Error {
  if (e.name === "AdaspringError") {
    return new AdaspringError(e.message, {
      exitCode: (e.exitCode ?? ExitCode.failure) as ExitCodeValue,
    });
  }
  const err = new Error(`worker ${index}: ${e.message}`);
  err.name = e.name;
  return err;
}

/**
 * N workers answering load/run/release requests.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { encodeModel } from "../onnx/proto/encode.ts";
 * import { WorkerPool } from "./pool.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Neg", [g.input("x", "float32", [1])]), "y");
 * const pool = WorkerPool.create({ size: 2 });
 * try {
 *   const m = await pool.load(encodeModel(g.toModel()));
 *   const out = await pool.run(m, { x: { dtype: "float32", shape: [1], data: new Float32Array([2]) } });
 *   console.assert(out.y.data[0] === -2);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class WorkerPool {
  readonly #slots: Slot[];
  readonly #backend: BackendName;
  #nextId = 1;
  #closed = false;

  private constructor(options: PoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new AdaspringError(`a worker pool needs at least 1 worker, got ${options.size}`, {
        exitCode: ExitCode.usage,
      });
    }
    this.#backend = options.backend ?? "web";
    this.#slots = Array.from({ length: options.size }, (_, i) => this.#spawn(i));
  }

  /** Starts `size` workers. */
  static create(options: PoolOptions): WorkerPool {
    return new WorkerPool(options);
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  #spawn(index: number): Slot {
    const worker = new DenoWorker(new URL("./worker.ts", import.meta.url), { type: "module" });
    const slot: Slot = { worker, pending: new Map(), busy: 0 };
    worker.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      const p = slot.pending.get(r.id);
      if (p === undefined) return;
      slot.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(toError(r.error, index));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault(); // report through the pending promises instead of crashing the caller
      slot.dead = new AdaspringError(`worker ${index} crashed: ${e.message}`);
      for (const p of slot.pending.values()) p.reject(slot.dead);
      slot.pending.clear();
    };
    return slot;
  }

  #send<T>(index: number, req: RequestBody, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#closed) return Promise.reject(new AdaspringError("the worker pool is closed"));
    const slot = this.#slots[index];
    if (slot === undefined) {
      return Promise.reject(new AdaspringError(`no worker ${index}; the pool has ${this.size}`));
    }
    if (slot.dead) return Promise.reject(slot.dead);
    const id = this.#nextId++;
    slot.busy++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...req, id } as Request, { transfer });
    }).finally(() => slot.busy--);
  }

  /**
   * Loads model bytes on every worker (a copy each), or only on worker `on` (then the model
   * runs there only: pass `{ worker: on }` to {@link run}).
   */
  async load(bytes: Uint8Array, options: SessionOptions = {}, on?: number): Promise<PooledModel> {
    if (on !== undefined && this.#slots[on] === undefined) {
      throw new AdaspringError(`no worker ${on}; the pool has ${this.size}`);
    }
    const settled = await Promise.allSettled(
      this.#slots.map((_, i) =>
        on === undefined || i === on
          ? this.#send<Loaded>(i, { op: "load", bytes, backend: this.#backend, options })
          : Promise.resolve(null)
      ),
    );
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) {
      // Do not leak the sessions that did load on the other workers.
      await Promise.all(
        settled.map((r, i) =>
          r.status === "fulfilled" && r.value !== null
            ? this.#send(i, { op: "release", session: r.value.session }).catch(() => {})
            : undefined
        ),
      );
      throw failed.reason;
    }
    const loaded = settled.map((r) => (r as PromiseFulfilledResult<Loaded | null>).value);
    const first = loaded.find((l) => l !== null)!;
    return {
      inputs: first.inputs,
      outputs: first.outputs,
      sessions: loaded.map((l) => l?.session ?? NOT_LOADED),
      source: options.source ?? "model",
    };
  }

  /** Runs `model` on the least busy worker (or `options.worker`). */
  async run(
    model: PooledModel,
    feeds: Readonly<Record<string, TensorData>>,
    options: PoolRunOptions = {},
  ): Promise<Record<string, TensorData>> {
    checkFeeds(model.inputs, feeds, model.source);
    const index = options.worker ?? this.#leastBusy(model);
    if (model.sessions[index] === NOT_LOADED) {
      throw new AdaspringError(`${model.source} is not loaded on worker ${index}`);
    }
    const transfer = options.transfer ? buffersOf(Object.values(feeds)) : [];
    const req: RequestBody = {
      op: "run",
      session: model.sessions[index],
      feeds,
      fetches: options.fetches,
    };
    return await this.#send(index, req, transfer);
  }

  /** Runs one feed set per worker in parallel (data-parallel steps); results in worker order. */
  async runAll(
    model: PooledModel,
    feedsPerWorker: readonly Readonly<Record<string, TensorData>>[],
    options: Omit<PoolRunOptions, "worker"> = {},
  ): Promise<Record<string, TensorData>[]> {
    if (feedsPerWorker.length > this.size) {
      throw new AdaspringError(`${feedsPerWorker.length} feed sets for ${this.size} workers`);
    }
    return await Promise.all(
      feedsPerWorker.map((f, i) => this.run(model, f, { ...options, worker: i })),
    );
  }

  /** Frees `model`'s sessions on every worker. */
  async release(model: PooledModel): Promise<void> {
    await Promise.all(
      model.sessions.map((s, i) =>
        s === NOT_LOADED ? undefined : this.#send(i, { op: "release", session: s })
      ),
    );
  }

  /**
   * Test-only: makes worker `index` fail on purpose (see {@link WorkerFault}), so that tests
   * can reach the crash, foreign-error and close-while-pending paths. Production code never
   * calls it. The promise settles as the pool settles any request: rejected with the
   * worker's error, or when the worker crashes or the pool closes.
   */
  faultForTesting(
    index: number,
    kind: WorkerFault,
    message = `${kind} requested by a test`,
  ): Promise<void> {
    return this.#send<void>(index, { op: "fault", kind, message });
  }

  /** The least busy live worker holding `model` (the first holder when none is live). */
  #leastBusy(model: PooledModel): number {
    let best = -1;
    this.#slots.forEach((s, i) => {
      if (model.sessions[i] === NOT_LOADED || s.dead) return;
      if (best < 0 || s.busy < this.#slots[best].busy) best = i;
    });
    return best >= 0 ? best : model.sessions.findIndex((id) => id !== NOT_LOADED);
  }

  /**
   * Asks every worker to free its sessions, then terminates them. Requests still pending
   * are rejected. Idempotent.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    const done = this.#slots.map((s, i) =>
      s.dead ? Promise.resolve() : this.#send(i, { op: "close" }).catch(() => {})
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(done),
      new Promise((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.#closed = true;
    for (const s of this.#slots) {
      s.worker.terminate();
      for (const p of s.pending.values()) {
        p.reject(new AdaspringError("the worker pool was closed"));
      }
      s.pending.clear();
    }
  }
}

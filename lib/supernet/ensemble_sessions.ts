/**
 * A bounded LRU cache of training sessions, one per (configuration, loss kind): building a
 * subnet's training graph and opening its ORT session costs tens of milliseconds, and the
 * sandwich rule revisits the largest and smallest configurations every step.
 *
 * With `workers` > 1 every session is data-parallel: its graph is built for `batchSize /
 * workers` samples and loaded on each worker of one pool (each worker a single-threaded ORT,
 * like the trainer's engine); {@link TrainingSession.run} takes one feed set per shard and
 * returns the outputs in shard order.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { TensorData } from "../onnx/types.ts";
import { type PooledModel, WorkerPool } from "../runtime/pool.ts";
import { createSession } from "../runtime/session.ts";
import type { BackendName } from "../runtime/types.ts";
import type { LossSpec } from "../train/loss.ts";
import { formatConfigId } from "./config_id.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import {
  buildSubnetTraining,
  type LowRankTraining,
  type SubnetTraining,
  type SubnetTrainingOptions,
} from "./train_graph.ts";
import type { WeightStore } from "./weights.ts";

/** A ready training session of one configuration. */
export interface TrainingSession {
  readonly id: string;
  readonly built: SubnetTraining;
  /** Shards of the batch (the workers), each `batchSize / shards` samples. */
  readonly shards: number;
  /** Runs one feed set per shard (in parallel on the workers); outputs in shard order. */
  run(
    feeds: readonly Readonly<Record<string, TensorData>>[],
    fetches: readonly string[],
  ): Promise<Record<string, TensorData>[]>;
  /** Constant BN running-statistic feeds (0 / 1; their updates are ignored). */
  readonly stateFeeds: Readonly<Record<string, TensorData>>;
}

/** A loaded graph, in this thread or on every worker of the pool. */
interface Runner {
  run: TrainingSession["run"];
  release(): Promise<void>;
}

/** Options of {@link createSessionCache}. */
export interface SessionCacheOptions {
  readonly inputShape: readonly number[];
  /** Samples per step over all workers. */
  readonly batchSize: number;
  readonly backend: BackendName;
  /** Data-parallel workers (default 1: one session in this thread); must divide `batchSize`. */
  readonly workers?: number;
  /** Sessions kept (default 12); the least recently used one is released beyond that. */
  readonly capacity?: number;
  /** How low-rank blocks are trained (default `straight-through`, see `train_graph.ts`). */
  readonly lowRank?: LowRankTraining;
}

/** The cache; {@link SessionCache.close} releases every session. */
export interface SessionCache {
  /** The session of `config` with `loss` (and `features`, see {@link SubnetTrainingOptions}). */
  get(
    config: SubnetConfig,
    loss: LossSpec,
    features?: SubnetTrainingOptions["features"],
  ): Promise<TrainingSession>;
  /** Sessions built so far (hits are not counted). */
  readonly built: number;
  /** Milliseconds spent building graphs and opening sessions (measured here). */
  readonly buildMs: number;
  readonly size: number;
  close(): Promise<void>;
}

/**
 * Creates a session cache over `store`'s layout (the values are fed per step, so the cache
 * stays valid as the store is trained).
 *
 * @example
 * ```ts
 * import { createSessionCache } from "./ensemble_sessions.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const cache = createSessionCache(store, space, { inputShape: [1, 28, 28], batchSize: 4, backend: "web" });
 * const s = await cache.get(smallestConfig(space), { kind: "cross-entropy" });
 * console.assert(s.built.params.length > 0 && cache.built === 1);
 * await cache.close();
 * ```
 */
export function createSessionCache(
  store: WeightStore,
  space: SearchSpace,
  o: SessionCacheOptions,
): SessionCache {
  const capacity = Math.max(1, o.capacity ?? 12);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw badInput(`workers must be a positive integer, got ${workers}`);
  }
  if (o.batchSize % workers !== 0) {
    throw badInput(
      `the batch of ${o.batchSize} does not split evenly over ${workers} workers; ` +
        `pick a batch size divisible by --workers`,
    );
  }
  const pool = workers > 1 ? WorkerPool.create({ size: workers, backend: o.backend }) : null;
  // A Map iterates in insertion order: re-inserting on a hit keeps the LRU entry first.
  const entries = new Map<string, TrainingSession & { runner: Runner }>();
  let built = 0, buildMs = 0;
  return {
    async get(config, loss, features) {
      // int8 only changes export, not training: train the float configuration.
      const id = formatConfigId(space, { ...config, int8: false });
      const key = `${loss.kind}|${features?.expose ? "x" : ""}${features?.weight ?? ""}|${id}`;
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const t0 = performance.now();
      const b = buildSubnetTraining(store, space, config, {
        inputShape: o.inputShape,
        batchSize: o.batchSize / workers,
        loss,
        features,
        lowRank: o.lowRank,
      });
      const source = `subnet training graph ${id}`;
      const runner = pool ? await pooledRunner(pool, b.bytes, source) : await localRunner(
        b.bytes,
        o.backend,
        source,
      );
      const stateFeeds: Record<string, TensorData> = {};
      for (const s of b.training.state) {
        const info = b.training.graph.inputs.find((v) => v.name === s)!;
        const n = (info.shape as number[])[0];
        stateFeeds[s] = {
          dtype: "float32",
          shape: [n],
          data: new Float32Array(n).fill(s.endsWith(".var") ? 1 : 0),
        };
      }
      const entry = { id, built: b, shards: workers, run: runner.run, runner, stateFeeds };
      entries.set(key, entry);
      built++;
      buildMs += performance.now() - t0;
      while (entries.size > capacity) {
        const [oldKey, old] = entries.entries().next().value!;
        entries.delete(oldKey);
        await old.runner.release();
      }
      return entry;
    },
    get built() {
      return built;
    },
    get buildMs() {
      return buildMs;
    },
    get size() {
      return entries.size;
    },
    async close() {
      try {
        for (const e of entries.values()) await e.runner.release();
      } finally {
        entries.clear();
        await pool?.close();
      }
    },
  };
}

async function localRunner(bytes: Uint8Array, backend: BackendName, source: string) {
  const session = await createSession(bytes, { backend, cache: false, source });
  return {
    run: async (
      feeds: readonly Readonly<Record<string, TensorData>>[],
      fetches: readonly string[],
    ) => [
      await session.run(feeds[0], fetches),
    ],
    release: () => session.release(),
  };
}

async function pooledRunner(pool: WorkerPool, bytes: Uint8Array, source: string) {
  const model: PooledModel = await pool.load(bytes, { source, cache: false });
  return {
    run: (feeds: readonly Readonly<Record<string, TensorData>>[], fetches: readonly string[]) =>
      pool.runAll(model, feeds, { fetches }),
    release: () => pool.release(model),
  };
}

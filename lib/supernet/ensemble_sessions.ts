/**
 * A bounded LRU cache of training sessions, one per (configuration, loss kind): building a
 * subnet's training graph and opening its ORT session costs tens of milliseconds, and the
 * sandwich rule revisits the largest and smallest configurations every step.
 *
 * @module
 */
import type { TensorData } from "../onnx/types.ts";
import { createSession } from "../runtime/session.ts";
import type { BackendName, Session } from "../runtime/types.ts";
import type { LossSpec } from "../train/loss.ts";
import { formatConfigId } from "./config_id.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import { buildSubnetTraining, type SubnetTraining } from "./train_graph.ts";
import type { WeightStore } from "./weights.ts";

/** A ready training session of one configuration. */
export interface TrainingSession {
  readonly id: string;
  readonly built: SubnetTraining;
  readonly session: Session;
  /** Constant BN running-statistic feeds (0 / 1; their updates are ignored). */
  readonly stateFeeds: Readonly<Record<string, TensorData>>;
}

/** Options of {@link createSessionCache}. */
export interface SessionCacheOptions {
  readonly inputShape: readonly number[];
  readonly batchSize: number;
  readonly backend: BackendName;
  /** Sessions kept (default 12); the least recently used one is released beyond that. */
  readonly capacity?: number;
}

/** The cache; {@link SessionCache.close} releases every session. */
export interface SessionCache {
  get(config: SubnetConfig, loss: LossSpec): Promise<TrainingSession>;
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
  // A Map iterates in insertion order: re-inserting on a hit keeps the LRU entry first.
  const entries = new Map<string, TrainingSession>();
  let built = 0, buildMs = 0;
  return {
    async get(config, loss) {
      // int8 only changes export, not training: train the float configuration.
      const id = formatConfigId(space, { ...config, int8: false });
      const key = `${loss.kind}|${id}`;
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const t0 = performance.now();
      const b = buildSubnetTraining(store, space, config, {
        inputShape: o.inputShape,
        batchSize: o.batchSize,
        loss,
      });
      const session = await createSession(b.bytes, {
        backend: o.backend,
        cache: false,
        source: `subnet training graph ${id}`,
      });
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
      const entry = { id, built: b, session, stateFeeds };
      entries.set(key, entry);
      built++;
      buildMs += performance.now() - t0;
      while (entries.size > capacity) {
        const [oldKey, old] = entries.entries().next().value!;
        entries.delete(oldKey);
        await old.session.release();
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
      for (const e of entries.values()) await e.session.release();
      entries.clear();
    },
  };
}

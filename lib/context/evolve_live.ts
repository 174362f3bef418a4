/**
 * The real weight evolution behind `adaspring adapt` and `adaspring search`: derive a
 * configuration's weights from the shared store (slice, SVD), recalibrate its BN statistics
 * (cached per configuration, as DESIGN.md §3 asks), fold and quantize, encode, and create a
 * ready ONNX Runtime session. Sessions are kept in a small LRU cache keyed by configuration id,
 * so switching back to a configuration seen recently costs a lookup, not a rebuild.
 *
 * Every duration here is measured on this machine (`performance.now`), phase by phase.
 *
 * @module
 */
import { encodeModel } from "../onnx/proto/encode.ts";
import { createSession } from "../runtime/session.ts";
import type { Session } from "../runtime/types.ts";
import { calibrateBn, type CalibrationData } from "../supernet/bn_calibration.ts";
import { deriveSubnetWeights } from "../supernet/derive.ts";
import { materialize } from "../supernet/materialize.ts";
import { planSubnet } from "../supernet/plan.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { WeightStore } from "../supernet/weights.ts";
import type { Evolve } from "./replay.ts";

/** How one evolution went. */
export interface EvolutionRecord {
  readonly id: string;
  /** Wall time from request to ready session, ms. */
  readonly ms: number;
  /** `true` when the session came from the cache (no phase ran). */
  readonly sessionCached: boolean;
  /** Where the BN statistics came from: `memory`/`disk` cache, or `null` (measured now). */
  readonly bn: "memory" | "disk" | null;
  /** Milliseconds per phase (all 0 for a cached session). */
  readonly phases: {
    readonly derive: number;
    readonly calibrate: number;
    readonly materialize: number;
    readonly encode: number;
    readonly session: number;
  };
  readonly modelBytes: number;
}

/** Options of {@link LiveEvolver}. */
export interface LiveEvolverOptions {
  /** Runtime backend (default `web`). */
  readonly backend?: string;
  /** BN calibration samples (default: `calibrateBn`'s). */
  readonly samples?: number;
  /** Also cache BN statistics on disk here. */
  readonly bnCacheDir?: string;
  /** Idle sessions kept (default 8). */
  readonly capacity?: number;
}

/** Per-call overrides, for timing the uncached paths. */
export interface EvolveRequest {
  /** Drop a cached session of this configuration first. */
  readonly freshSession?: boolean;
  /** Recalibrate BN even when cached. */
  readonly refreshBn?: boolean;
}

/**
 * Materializes configurations into ready sessions; {@link LiveEvolver.evolve} is the `Evolve`
 * function `replay` takes.
 *
 * @example
 * ```ts ignore
 * import { LiveEvolver } from "./evolve_live.ts";
 * import { createWeightStore } from "../supernet/weights.ts";
 * import { createSearchSpace, formatConfigId, smallestConfig } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const data = { x: new Float32Array(8 * 784).fill(0.5), inputShape: [1, 28, 28], key: "c" };
 * const ev = new LiveEvolver(store, space, data, { samples: 8 });
 * const c = smallestConfig(space);
 * const first = await ev.materialize(c, formatConfigId(space, c));
 * const again = await ev.materialize(c, formatConfigId(space, c));
 * console.assert(!first.record.sessionCached && again.record.sessionCached);
 * await ev.close();
 * ```
 */
export class LiveEvolver {
  /** Every evolution so far, in order. */
  readonly records: EvolutionRecord[] = [];
  /** Ready sessions by configuration id; Map order is recency (oldest first). */
  readonly #sessions = new Map<string, Session>();
  readonly #backend: string;
  readonly #capacity: number;

  constructor(
    readonly store: WeightStore,
    readonly space: SearchSpace,
    readonly data: CalibrationData,
    readonly options: LiveEvolverOptions = {},
  ) {
    this.#backend = options.backend ?? "web";
    this.#capacity = Math.max(1, options.capacity ?? 8);
  }

  /** The `Evolve` function of `replay`: materialize `to` into a ready session. */
  readonly evolve: Evolve = async (_from, to, toId) => {
    await this.materialize(to, toId);
  };

  /** A ready session for `config` (from the cache when it holds one) and how it was made. */
  async materialize(
    config: SubnetConfig,
    id: string,
    request: EvolveRequest = {},
  ): Promise<{ session: Session; record: EvolutionRecord }> {
    if (request.freshSession) await this.forget(id);
    const t0 = performance.now();
    const hit = this.#sessions.get(id);
    if (hit !== undefined) {
      this.#sessions.delete(id);
      this.#sessions.set(id, hit); // most recent now
      const record: EvolutionRecord = {
        id,
        ms: performance.now() - t0,
        sessionCached: true,
        bn: "memory",
        phases: { derive: 0, calibrate: 0, materialize: 0, encode: 0, session: 0 },
        modelBytes: 0,
      };
      this.records.push(record);
      return { session: hit, record };
    }
    const built = await this.#build(config, id, request.refreshBn ?? false);
    const record: EvolutionRecord = {
      id,
      ms: performance.now() - t0,
      sessionCached: false,
      ...built.record,
    };
    this.#sessions.set(id, built.session);
    // Evict after timing: freeing an old session is not part of this switch's latency.
    while (this.#sessions.size > this.#capacity) {
      const [oldest, s] = this.#sessions.entries().next().value!;
      this.#sessions.delete(oldest);
      await s.release();
    }
    this.records.push(record);
    return { session: built.session, record };
  }

  /** Drop the cached session of `id`, so the next request rebuilds it. */
  async forget(id: string): Promise<void> {
    const s = this.#sessions.get(id);
    if (s === undefined) return;
    this.#sessions.delete(id);
    await s.release();
  }

  /** Free every cached session. */
  async close(): Promise<void> {
    for (const id of [...this.#sessions.keys()]) await this.forget(id);
  }

  async #build(config: SubnetConfig, id: string, refreshBn: boolean) {
    // Calibration first: it fits the low-rank factors (cached with the statistics), which the
    // derived weights then use.
    const t0 = performance.now();
    const cal = await calibrateBn(this.store, this.space, config, this.data, {
      samples: this.options.samples,
      backend: this.#backend,
      cacheDir: this.options.bnCacheDir,
      refresh: refreshBn,
    });
    const t1 = performance.now();
    const plan = planSubnet(this.space, config, this.store.shape);
    const weights = deriveSubnetWeights(this.store, plan, { lowRank: cal.lowRank });
    const t2 = performance.now();
    const m = materialize(this.store, this.space, config, {
      inputShape: this.data.inputShape,
      bnStats: cal.stats,
      weights,
      name: id,
    });
    const t3 = performance.now();
    const bytes = encodeModel(m.model);
    const t4 = performance.now();
    const session = await createSession(bytes, { backend: this.#backend, cache: false });
    const t5 = performance.now();
    return {
      session,
      record: {
        bn: cal.cached,
        phases: {
          derive: t2 - t1,
          calibrate: t1 - t0,
          materialize: t3 - t2,
          encode: t4 - t3,
          session: t5 - t4,
        },
        modelBytes: bytes.length,
      },
    };
  }
}

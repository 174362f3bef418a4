/**
 * Measurements the comparison needs on this machine: the latency of many models timed in
 * interleaved rounds (so a load spike on the shared machine hits every model alike, not the
 * one that happened to run then), and the test accuracy of supernet configurations
 * materialized with BN recalibration, cached by configuration id.
 *
 * @module
 */
import { LOW_RANK_DERIVATION } from "../supernet/lowrank_fit.ts";
import type { AccuracyMetric } from "../data/metrics.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import { createSession } from "../runtime/session.ts";
import { timeRuns, timingStats } from "../runtime/stats.ts";
import type { Session } from "../runtime/types.ts";
import { calibrateBn } from "../supernet/bn_calibration.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import { measureAccuracy } from "../supernet/export.ts";
import { materialize } from "../supernet/materialize.ts";
import type { SubnetConfig } from "../supernet/space.ts";
import type { WeightStore } from "../supernet/weights.ts";
import type { EvalTask } from "./task_setup.ts";

/** Latency of one model on this machine. */
export interface HostLatency {
  /** Median of every timed run, ms. */
  readonly medianMs: number;
  readonly runs: number;
}

/** Interleaving of {@link measureInterleaved}. */
export interface InterleaveKnobs {
  readonly rounds: number;
  readonly runsPerRound: number;
  readonly warmup?: number;
}

/**
 * Batch-1 latency of every model in `models` (by name), in `rounds` rounds that each run every
 * model `runsPerRound` times, the model order rotating each round.
 */
export async function measureInterleaved(
  models: ReadonlyMap<string, Uint8Array>,
  sample: Float32Array,
  inputShape: readonly number[],
  knobs: InterleaveKnobs,
): Promise<Map<string, HostLatency>> {
  const names = [...models.keys()];
  const sessions = new Map<string, Session>();
  const feeds = { input: { dtype: "float32" as const, shape: [1, ...inputShape], data: sample } };
  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  try {
    for (const n of names) {
      const s = await createSession(models.get(n)!, { backend: "web", cache: false });
      sessions.set(n, s);
      await timeRuns(s, feeds, { warmup: knobs.warmup ?? 5, repeat: 0 });
    }
    for (let r = 0; r < knobs.rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + r) % names.length];
        const runs = await timeRuns(sessions.get(n)!, feeds, {
          warmup: 0,
          repeat: knobs.runsPerRound,
        });
        times.get(n)!.push(...runs);
      }
    }
  } finally {
    for (const s of sessions.values()) await s.release();
  }
  const out = new Map<string, HostLatency>();
  for (const [n, ts] of times) {
    const stats = timingStats(ts);
    out.set(n, { medianMs: stats.median, runs: stats.n });
  }
  return out;
}

/** A test-split metric of a model: plain accuracy, or balanced accuracy (mean per-class recall). */
export type TestMetric = AccuracyMetric;

/** A supernet configuration evolved from the shared weights and measured on the test split. */
export interface EvolvedModel {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly testAccuracy: number;
  /** Absent when its accuracy was read from a cache saved before balanced accuracy was. */
  readonly testBalancedAccuracy?: number;
  readonly testSamples: number;
}

/**
 * One configuration's saved test accuracy (`<task>/supernet/` {@link DERIVED_ACCURACY_FILE}, by
 * id).
 * `balancedAccuracy` is absent from entries saved before it was recorded; such entries are
 * still used as they are, except that matching on balanced accuracy measures them again
 * (delete the file to measure every configuration again, which retrains nothing).
 */
/**
 * Where a supernet's derived test accuracies are saved, beside its weights; named by the
 * low-rank derivation, so that accuracies derived another way are never reused.
 */
export const DERIVED_ACCURACY_FILE = `test-accuracy-${LOW_RANK_DERIVATION}.json`;

export interface SavedAccuracy {
  readonly accuracy: number;
  readonly samples: number;
  readonly balancedAccuracy?: number;
}

/**
 * Test accuracy of supernet configurations (retraining-free: sliced, BN recalibrated on
 * training samples, folded), cached by id; `saved` seeds the cache from an earlier run.
 */
export class SupernetModels {
  readonly #cache = new Map<string, EvolvedModel>();
  readonly #accuracies: Map<string, SavedAccuracy>;
  readonly #looked = new Set<string>();

  constructor(
    readonly task: EvalTask,
    readonly store: WeightStore,
    saved: Record<string, SavedAccuracy> = {},
  ) {
    this.#accuracies = new Map(Object.entries(saved));
  }

  /** Every accuracy measured so far (to save for resume). */
  accuracies(): Record<string, SavedAccuracy> {
    return Object.fromEntries(this.#accuracies);
  }

  /**
   * Whether this process has asked for `config` (`get`). Matching treats those as free and
   * nothing else: what the saved run holds only saves time, so a resumed evaluation searches
   * exactly as the first run did and gives the same matches.
   */
  lookedAt(config: SubnetConfig): boolean {
    return this.#looked.has(formatConfigId(this.task.space, config));
  }

  /**
   * The model of `config`, its accuracy measured (or read from the saved run). With `metric`
   * `balancedAccuracy`, an entry saved before balanced accuracy was recorded is measured again
   * (it retrains nothing), since a caller matching on balanced accuracy cannot do without it.
   */
  async get(config: SubnetConfig, metric: TestMetric = "accuracy"): Promise<EvolvedModel> {
    const t = this.task;
    const id = formatConfigId(t.space, config);
    this.#looked.add(id);
    const hit = this.#cache.get(id);
    if (hit && (metric === "accuracy" || hit.testBalancedAccuracy !== undefined)) return hit;
    const bytes = hit?.bytes ?? await this.#materialize(config, id);
    let acc = this.#accuracies.get(id);
    if (!acc || (metric === "balancedAccuracy" && acc.balancedAccuracy === undefined)) {
      const r = await measureAccuracy(bytes, t.test, t.data.inputShape);
      acc = { accuracy: r.accuracy, samples: r.samples, balancedAccuracy: r.balancedAccuracy };
      this.#accuracies.set(id, acc);
    }
    const model: EvolvedModel = {
      id,
      bytes,
      testAccuracy: acc.accuracy,
      ...(acc.balancedAccuracy === undefined ? {} : { testBalancedAccuracy: acc.balancedAccuracy }),
      testSamples: acc.samples,
    };
    this.#cache.set(id, model);
    return model;
  }

  /** The ONNX model of `config`: sliced, BN recalibrated, folded. */
  async #materialize(config: SubnetConfig, id: string): Promise<Uint8Array> {
    const t = this.task;
    const cal = await calibrateBn(this.store, t.space, config, t.calibration);
    const m = materialize(this.store, t.space, config, {
      inputShape: t.data.inputShape,
      bnStats: cal.stats,
      lowRank: cal.lowRank,
      name: id,
    });
    return encodeModel(m.model);
  }
}

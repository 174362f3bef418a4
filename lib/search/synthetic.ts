/**
 * A synthetic, additive predictor for tests, benchmarks and optimality experiments before a real
 * profile exists. It models nothing measured: its figures are made up, seeded, and shaped only so
 * that the trade-offs look like a real space (wider and plainer costs more and is more accurate,
 * int8 is smaller and a little less accurate, energy is not simply proportional to latency).
 *
 * Each block choice adds a latency, an energy, a byte count and an accuracy penalty, drawn once
 * from the seed; the int8 flag then scales the sums. Its batch form is a table lookup per digit,
 * which is what makes exhaustive search over 576,000 configurations cheap.
 *
 * @module
 */
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { BlockChoice } from "../supernet/space.ts";
import { createRng } from "../util/rng.ts";
import type { Metrics, MetricsColumns, Predictor } from "./types.ts";

/** Relative cost of each operator at full width (plain conv = 1). */
function opCost(c: BlockChoice): number {
  switch (c.op) {
    case "conv":
      return 1;
    case "dw":
      return 0.22;
    case "fire":
      return 0.4;
    case "lowRank":
      return 0.12 + 0.88 * (c.rank ?? 1);
    case "skip":
      return 0;
  }
}

/** Relative power while running each operator (memory-bound ones draw more per unit time). */
function opPower(c: BlockChoice): number {
  return c.op === "dw" ? 1.35 : c.op === "fire" ? 1.15 : c.op === "lowRank" ? 1.05 : 1;
}

/** Fixed costs: stem, pooling and classifier. */
const BASE = { latencyMs: 0.3, energyMj: 0.5, bytes: 4_000, accuracy: 0.985 };
/** What int8 weights do to the sums. */
const INT8 = { latency: 0.75, energy: 0.7, bytes: 0.27, accuracy: 0.004 };
/** Average power while computing, watts (mJ per ms). */
const WATTS = 1.8;

/** The synthetic predictor with its per-choice tables exposed (for tests). */
export interface SyntheticPredictor extends Predictor {
  /** Per block, per choice: `[latencyMs, energyMj, bytes, accuracyPenalty]`. */
  readonly tables: readonly (readonly [number, number, number, number][])[];
  predictBatch(digits: Uint8Array, count: number, out: MetricsColumns): void;
}

/**
 * A seeded synthetic additive predictor over `space` (see the module doc).
 *
 * @example
 * ```ts
 * import { createSearchSpace, largestConfig, smallestConfig } from "../supernet/mod.ts";
 * import { syntheticPredictor } from "./synthetic.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const p = syntheticPredictor(space, 0);
 * const big = p.predict(largestConfig(space)), small = p.predict(smallestConfig(space));
 * console.assert(big.accuracy > small.accuracy && big.latencyMs > small.latencyMs);
 * ```
 */
export function syntheticPredictor(space: SearchSpace, seed: number): SyntheticPredictor {
  const rng = createRng(seed).fork("synthetic-predictor");
  const tables = space.blocks.map((b) => {
    const latencyScale = 0.5 + rng.next(); // ms of this block at full size
    const penaltyScale = 0.02 + 0.06 * rng.next(); // accuracy lost by gutting it
    const fullBytes = b.channels * b.channels * b.kernel * b.kernel * 4;
    return b.choices.map((c): [number, number, number, number] => {
      const size = opCost(c) * (c.width === null ? 1 : c.width * c.width);
      const jitter = 1 + 0.1 * (rng.next() - 0.5);
      const latency = latencyScale * size * jitter;
      const energy = latency * WATTS * opPower(c) * (1 + 0.1 * (rng.next() - 0.5));
      const keep = c.op === "skip" ? 0 : Math.pow(size, 0.3);
      return [latency, energy, fullBytes * size, penaltyScale * (1 - keep)];
    });
  });
  const finish = (lat: number, en: number, by: number, pen: number, int8: boolean): Metrics => ({
    latencyMs: (BASE.latencyMs + lat) * (int8 ? INT8.latency : 1),
    energyMj: (BASE.energyMj + en) * (int8 ? INT8.energy : 1),
    bytes: Math.round((BASE.bytes + by) * (int8 ? INT8.bytes : 1)),
    accuracy: BASE.accuracy - pen - (int8 ? INT8.accuracy : 0),
  });
  return {
    tables,
    predict(config: SubnetConfig): Metrics {
      let lat = 0, en = 0, by = 0, pen = 0;
      config.choices.forEach((c, i) => {
        const t = tables[i][c];
        lat += t[0];
        en += t[1];
        by += t[2];
        pen += t[3];
      });
      return finish(lat, en, by, pen, config.int8);
    },
    predictBatch(digits: Uint8Array, count: number, out: MetricsColumns): void {
      const nb = tables.length, w = nb + 1;
      for (let r = 0; r < count; r++) {
        let lat = 0, en = 0, by = 0, pen = 0;
        const base = r * w;
        for (let i = 0; i < nb; i++) {
          const t = tables[i][digits[base + i]];
          lat += t[0];
          en += t[1];
          by += t[2];
          pen += t[3];
        }
        const int8 = digits[base + nb] === 1;
        out.latencyMs[r] = (BASE.latencyMs + lat) * (int8 ? INT8.latency : 1);
        out.energyMj[r] = (BASE.energyMj + en) * (int8 ? INT8.energy : 1);
        out.bytes[r] = Math.round((BASE.bytes + by) * (int8 ? INT8.bytes : 1));
        out.accuracy[r] = BASE.accuracy - pen - (int8 ? INT8.accuracy : 0);
      }
    },
  };
}

/**
 * Timing of searches: run one many times and report percentiles, so "well under a millisecond"
 * is a measured figure rather than a claim.
 *
 * @module
 */
import { type Clock, systemClock } from "./budget.ts";

/** Percentiles of repeated timings, microseconds. */
export interface LatencySummary {
  readonly runs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly meanUs: number;
}

/** The `q`-quantile (0..1) of ascending `sorted`, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * Time `run(i)` for `runs` runs (after `warmup` untimed ones, so the JIT has settled).
 *
 * @example
 * ```ts
 * import { measureLatency } from "./latency.ts";
 * const s = measureLatency(() => Math.sqrt(2), { runs: 100 });
 * console.assert(s.runs === 100 && s.p50Us <= s.p99Us);
 * ```
 */
export function measureLatency(
  run: (i: number) => unknown,
  opts: { runs?: number; warmup?: number; clock?: Clock } = {},
): LatencySummary {
  const runs = opts.runs ?? 1000, warmup = opts.warmup ?? Math.min(100, runs);
  const clock = opts.clock ?? systemClock;
  for (let i = 0; i < warmup; i++) run(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = clock();
    run(i);
    times.push((clock() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return {
    runs,
    p50Us: quantile(times, 0.5),
    p99Us: quantile(times, 0.99),
    maxUs: times[times.length - 1],
    meanUs: times.reduce((s, x) => s + x, 0) / runs,
  };
}

/**
 * Timing measurement and summary statistics for benchmarks.
 *
 * @module
 */
import type { TensorData } from "../onnx/types.ts";
import type { Session } from "./types.ts";

/** Summary of repeated timings, in milliseconds. */
export interface TimingStats {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
  readonly mean: number;
}

/** The `q`-quantile of sorted values by nearest rank (`q` in (0, 1]). */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Summarizes timings (median averages the middle pair; p90 by nearest rank).
 *
 * @example
 * ```ts
 * import { timingStats } from "./stats.ts";
 * const s = timingStats([4, 1, 3, 2]);
 * console.assert(s.median === 2.5 && s.min === 1 && s.p90 === 4);
 * ```
 */
export function timingStats(ms: readonly number[]): TimingStats {
  if (ms.length === 0) throw new RangeError("no timings to summarize");
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return {
    n: s.length,
    min: s[0],
    median,
    p90: nearestRank(s, 0.9),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Options of {@link timeRuns}. */
export interface TimeRunsOptions {
  /** Untimed runs first (kernel paths are up to 3x slower on their first runs). */
  readonly warmup: number;
  /** Timed runs. */
  readonly repeat: number;
}

/** Runs `session` on `feeds` `warmup + repeat` times; returns the timed runs' durations (ms). */
export async function timeRuns(
  session: Session,
  feeds: Readonly<Record<string, TensorData>>,
  options: TimeRunsOptions,
): Promise<number[]> {
  for (let i = 0; i < options.warmup; i++) await session.run(feeds);
  const out: number[] = [];
  for (let i = 0; i < options.repeat; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Milliseconds `f` takes, with its result. */
export async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

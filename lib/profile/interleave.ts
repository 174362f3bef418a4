/**
 * Timing many units interleaved in passes, for a shared machine where another process's bursts
 * last longer than one unit's measurement (DESIGN.md §5).
 *
 * Measured on a 2-core machine at load 6 (two other processes busy): timing each of the 450
 * mnist units in one go (25 runs, a few ms), or even interleaving 24 units at a time (~0.2 s),
 * left about 9% of the table 30-180% too slow, every sample of a unit taken during one burst.
 * Splitting each unit's runs over `passes` passes through the whole list, each in a freshly
 * shuffled order, and keeping the median of the per-pass medians, needs a burst to cover the
 * same unit in most passes, seconds apart, to bias it.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import {
  DEFAULT_PROTOCOL,
  type SampleStats,
  summarize,
  type TimedRunner,
  type TimingProtocol,
  type TimingSource,
  type TimingUnit,
} from "./timing.ts";

/** How {@link measureUnits} spreads each unit's runs over time. */
export interface InterleaveOptions {
  /**
   * Passes over the whole list (default 3); fewer when `repeats` cannot give each pass at least
   * {@link MIN_RUNS_PER_PASS} runs.
   */
  readonly passes?: number;
  /** Units whose sessions are open at once within a pass (default 24). */
  readonly batch?: number;
  /** Shuffles the unit order of every pass (seeded, so a run is reproducible). */
  readonly rng?: Rng;
  /**
   * Called once per unit, during the last pass, when its summary is final; `twin` summarizes the
   * unit's overhead-twin calls (absent for a runner without one).
   */
  readonly onUnit?: (
    index: number,
    stats: SampleStats,
    twin?: SampleStats,
  ) => Promise<void> | void;
}

/** Fewest timed runs of one unit in one pass (its median needs a few to work on). */
export const MIN_RUNS_PER_PASS = 4;

/** Passes actually made for `repeats` timed runs when `wanted` are asked for. */
export function passCount(repeats: number, wanted = 5): number {
  return Math.max(1, Math.min(wanted, Math.floor(repeats / MIN_RUNS_PER_PASS)));
}

/** One timed run net of its twin call (when there is one); the twin's time goes to `twins`. */
async function timeOnce(r: TimedRunner, twins?: number[]): Promise<number> {
  const t = await r.run();
  if (!r.overhead) return t;
  const o = await r.overhead();
  twins?.push(o);
  return t - o;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The summary of a unit timed in passes: `mean` is the median of the passes' medians (a pass
 * holds only a few runs, too few to trim: its median ignores one interrupted run, and the median
 * over passes one pass spoilt by a burst), `median` the median of all samples, `count` and `var`
 * those of all samples after trimming.
 *
 * @example
 * ```ts
 * import { combinePasses } from "./interleave.ts";
 * const s = combinePasses([[1, 1, 1, 1], [1, 1, 1, 1], [9, 9, 9, 9]], 0.25);
 * console.assert(s.mean === 1 && s.count === 6);
 * ```
 */
export function combinePasses(passes: readonly (readonly number[])[], trim: number): SampleStats {
  const all = summarize(passes.flat(), trim);
  const mean = median(passes.filter((xs) => xs.length > 0).map(median));
  return { ...all, mean };
}

/**
 * Time many units with the protocol in {@link InterleaveOptions.passes} passes over the whole
 * list; within a pass, units are prepared a batch at a time, warmed up, and timed in a shuffled
 * order. Overhead twins ({@link TimedRunner.overhead}) are paired with each run and subtracted,
 * and a unit with a twin is clamped at 0 ms. Returns the summaries ({@link combinePasses}) in
 * input order. When a unit fails to prepare in the last pass, the units of its batch prepared
 * before it are still reported to `onUnit` before the error is rethrown.
 *
 * @example
 * ```ts
 * import { measureUnits } from "./interleave.ts";
 * const source = { name: "fixed", prepare: () => Promise.resolve({ run: () => 2 }) };
 * const units = [{ kind: "stem" as const, int8: false }, { kind: "stem" as const, int8: true }];
 * const s = await measureUnits(source, units, { warmup: 1, repeats: 8, trim: 0.25 });
 * console.assert(s.length === 2 && s[1].mean === 2 && s[1].count === 4);
 * ```
 */
export async function measureUnits(
  source: TimingSource,
  units: readonly TimingUnit[],
  protocol: TimingProtocol = DEFAULT_PROTOCOL,
  opts: InterleaveOptions = {},
): Promise<SampleStats[]> {
  const passes = passCount(protocol.repeats, opts.passes);
  const batch = Math.max(1, opts.batch ?? 24);
  const samples = units.map(() => Array.from({ length: passes }, () => [] as number[]));
  const twins = units.map(() => Array.from({ length: passes }, () => [] as number[]));
  const out: SampleStats[] = new Array(units.length);
  for (let pass = 0; pass < passes; pass++) {
    const last = pass === passes - 1;
    // Passes share the repeats as evenly as they can (earlier passes take the remainder).
    const n = Math.floor(protocol.repeats / passes) + (pass < protocol.repeats % passes ? 1 : 0);
    // Earlier passes visit the units in shuffled batches; the last keeps input order, so each
    // unit is final (and saved) in order.
    const order = units.map((_, i) => i);
    if (!last) opts.rng?.shuffle(order);
    for (let start = 0; start < order.length; start += batch) {
      const ids = order.slice(start, start + batch);
      const runners: TimedRunner[] = [];
      let failure: { error: unknown } | null = null;
      try {
        for (const i of ids) {
          try {
            runners.push(await source.prepare(units[i]));
          } catch (error) {
            failure = { error };
            break;
          }
        }
        if (failure !== null && !last) throw failure.error;
        for (const r of runners) for (let k = 0; k < protocol.warmup; k++) await timeOnce(r);
        const visit = runners.map((_, j) => j);
        opts.rng?.shuffle(visit);
        for (const j of visit) {
          for (let k = 0; k < n; k++) {
            samples[ids[j]][pass].push(await timeOnce(runners[j], twins[ids[j]][pass]));
          }
        }
        if (last) {
          for (const [j, r] of runners.entries()) {
            const s = combinePasses(samples[ids[j]], protocol.trim);
            out[ids[j]] = r.overhead
              ? { ...s, mean: Math.max(0, s.mean), median: Math.max(0, s.median) }
              : s;
            const twin = r.overhead ? combinePasses(twins[ids[j]], protocol.trim) : undefined;
            await opts.onUnit?.(ids[j], out[ids[j]], twin);
          }
        }
      } finally {
        for (const r of runners) await r.dispose?.();
      }
      if (failure !== null) throw failure.error;
    }
  }
  return out;
}

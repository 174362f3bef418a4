/**
 * The measurement protocol and the timing-source interface. A {@link TimingSource} knows how to
 * build and run one unit (the stem, a block variant, the head, or a whole configuration) on some
 * runtime; this module owns how it is timed: warm-up runs, repeated runs, trimming of outliers,
 * and the `{count, mean, var}` summary (DESIGN.md §5). Keeping the two apart lets tests inject a
 * synthetic source with a known ground truth.
 *
 * @module
 */
import type { SubnetConfig } from "../supernet/space.ts";

/** A block variant: block `block` running choice `choice` on `cin` input channels. */
export interface BlockVariant {
  readonly block: number;
  readonly choice: number;
  readonly cin: number;
  readonly int8: boolean;
}

/** What a timing source is asked to run. */
export type TimingUnit =
  | { readonly kind: "stem"; readonly int8: boolean }
  | { readonly kind: "block"; readonly variant: BlockVariant }
  /** Global average pooling and the classifier on `features` channels. */
  | { readonly kind: "head"; readonly features: number; readonly int8: boolean }
  | { readonly kind: "network"; readonly config: SubnetConfig };

/** A prepared unit: each call to `run` performs one inference and returns its wall time (ms). */
export interface TimedRunner {
  run(): Promise<number> | number;
  /**
   * One call of the unit's empty twin (same inputs and outputs, no compute), wall time in ms:
   * the per-call cost (feeds copied in, outputs copied out, dispatch) that a unit's timing
   * includes once per unit but a whole network pays only once. When present, {@link measureUnit}
   * alternates it with `run` and reports the unit's time net of it.
   */
  overhead?(): Promise<number> | number;
  dispose?(): Promise<void> | void;
}

/** Builds runnable units (e.g. an ONNX graph of one block in an onnxruntime session). */
export interface TimingSource {
  /** Names the runtime in provenance strings, e.g. `onnxruntime-web wasm, 1 thread`. */
  readonly name: string;
  prepare(unit: TimingUnit): Promise<TimedRunner>;
}

/** How each unit is timed. */
export interface TimingProtocol {
  /** Runs discarded before timing (first runs of a kernel path are slower). */
  readonly warmup: number;
  readonly repeats: number;
  /** Fraction of samples dropped at each end after sorting (0 <= trim < 0.5). */
  readonly trim: number;
}

/**
 * Defaults: 5 warm-up runs (the ORT notes saw slow first runs), 20 timed, 25% trimmed at each
 * end (the interquartile mean): on a shared 2-core machine a quarter of the runs can be hit by
 * another process, and a 10% trim let those spikes through.
 */
export const DEFAULT_PROTOCOL: TimingProtocol = { warmup: 5, repeats: 20, trim: 0.25 };

/** Summary of the kept samples of one unit (milliseconds). */
export interface SampleStats {
  readonly count: number;
  readonly mean: number;
  /** Unbiased sample variance (0 for a single sample). */
  readonly var: number;
  readonly median: number;
}

/**
 * Sort, drop `trim` of the samples at each end, and summarize the rest.
 *
 * @example
 * ```ts
 * import { summarize } from "./timing.ts";
 * const s = summarize([1, 1, 1, 1, 1, 1, 1, 1, 1, 50], 0.1);
 * console.assert(s.count === 8 && s.mean === 1);
 * ```
 */
export function summarize(samples: readonly number[], trim: number): SampleStats {
  if (samples.length === 0) throw new RangeError("summarize needs at least one sample");
  if (!(trim >= 0 && trim < 0.5)) throw new RangeError(`trim must be in [0, 0.5), got ${trim}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const cut = Math.floor(trim * sorted.length);
  const kept = sorted.slice(cut, sorted.length - cut);
  const n = kept.length;
  const mean = kept.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? kept.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const mid = n >> 1;
  const median = n % 2 === 1 ? kept[mid] : (kept[mid - 1] + kept[mid]) / 2;
  return { count: n, mean, var: v, median };
}

/**
 * Time one unit with the protocol: prepare, warm up, repeat, dispose, summarize. When the runner
 * has an {@link TimedRunner.overhead} twin, each timed run is paired with one twin call right
 * after it and the samples are the differences (clamped at 0: a unit cannot cost less than
 * nothing), so load drift during the measurement hits both halves of a pair alike.
 *
 * @example
 * ```ts
 * import { measureUnit } from "./timing.ts";
 * const source = { name: "fixed", prepare: () => Promise.resolve({ run: () => 2 }) };
 * const s = await measureUnit(source, { kind: "stem", int8: false }, { warmup: 1, repeats: 5, trim: 0 });
 * console.assert(s.mean === 2 && s.var === 0);
 * ```
 */
export async function measureUnit(
  source: TimingSource,
  unit: TimingUnit,
  protocol: TimingProtocol = DEFAULT_PROTOCOL,
): Promise<SampleStats> {
  const runner = await source.prepare(unit);
  try {
    const twin = runner.overhead?.bind(runner);
    for (let i = 0; i < protocol.warmup; i++) {
      await runner.run();
      await twin?.();
    }
    const samples: number[] = [];
    for (let i = 0; i < protocol.repeats; i++) {
      const t = await runner.run();
      samples.push(twin ? t - await twin() : t);
    }
    const s = summarize(samples, protocol.trim);
    return twin ? { ...s, mean: Math.max(0, s.mean), median: Math.max(0, s.median) } : s;
  } finally {
    await runner.dispose?.();
  }
}

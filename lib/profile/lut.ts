/**
 * The per-block latency lookup table (Once-for-All / nn-Meter style, DESIGN.md §5): one
 * `{count, mean, var}` entry per block variant (block x choice x input width x int8), plus the
 * stem (per int8 flag) and the head (per feature width and int8 flag), measured with an injected
 * {@link TimingSource}.
 *
 * Whole-network prediction: `raw = stem + sum of blocks + head` over the `u` timed units it
 * sums, then a linear correction `a * raw + c * u + b` fitted by least squares on measured whole
 * configurations. The correction absorbs what per-unit timing misses: each unit's timing includes
 * one runtime call, so the sum counts that overhead once per unit instead of once per network
 * (the `c * u` term, c < 0 in practice), and cross-layer effects such as fusion and cache reuse
 * (the slope `a`). The corrected prediction is still a sum of per-block terms, so the whole space
 * can be evaluated additively. Validation follows nn-Meter: RMSPE and the share within +-10% on held-out measured
 * configurations (never seen by the correction fit).
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import type { Rng } from "../util/rng.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { resolveSubnet } from "../supernet/arch.ts";
import { rmspe, withinShare } from "./metrics.ts";
import { type AdditiveObjective, blockVariants, widthMap } from "./space_eval.ts";
import {
  type BlockVariant,
  DEFAULT_PROTOCOL,
  measureUnit,
  type SampleStats,
  type TimingProtocol,
  type TimingSource,
} from "./timing.ts";

/** A measured lookup table. */
export interface LatencyLut {
  /** The timing source's name (the runtime that was measured). */
  readonly source: string;
  readonly protocol: TimingProtocol;
  /** Keyed by {@link variantKey}, {@link stemKey} and {@link headKey}; skip variants absent. */
  readonly entries: Readonly<Record<string, SampleStats>>;
}

const q8 = (int8: boolean) => (int8 ? "|q8" : "");

/** LUT key of a block variant, e.g. `b2:dw-w.5@24|q8` (choice token, input width, int8). */
export function variantKey(space: SearchSpace, v: BlockVariant): string {
  return `b${v.block}:${space.blocks[v.block].choices[v.choice].token}@${v.cin}${q8(v.int8)}`;
}

/** LUT key of the stem. */
export function stemKey(int8: boolean): string {
  return `stem${q8(int8)}`;
}

/** LUT key of the head on `features` channels. */
export function headKey(features: number, int8: boolean): string {
  return `head@${features}${q8(int8)}`;
}

function isSkip(space: SearchSpace, v: BlockVariant): boolean {
  return space.blocks[v.block].choices[v.choice].op === "skip";
}

/** Progress callback: units done, units in all. */
export type Progress = (done: number, total: number) => void;

/** Resuming a table: entries already measured are kept, each new one is reported. */
export interface LutResume {
  /** Entries measured by an earlier, interrupted run (same space and protocol). */
  readonly done?: Readonly<Record<string, SampleStats>>;
  /** Called after each newly measured entry, e.g. to save it. */
  readonly onEntry?: (key: string, stats: SampleStats) => Promise<void> | void;
}

/**
 * Measure every unit of the space with the protocol and assemble the table. Entries in
 * `resume.done` are taken as they are (not measured again); each new one goes to `resume.onEntry`.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { buildLut } from "./lut.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const source = { name: "constant", prepare: () => Promise.resolve({ run: () => 1 }) };
 * const lut = await buildLut(space, source, { warmup: 0, repeats: 2, trim: 0 });
 * console.assert(lut.entries["stem"].mean === 1);
 * ```
 */
export async function buildLut(
  space: SearchSpace,
  source: TimingSource,
  protocol: TimingProtocol = DEFAULT_PROTOCOL,
  onProgress?: Progress,
  resume: LutResume = {},
): Promise<LatencyLut> {
  const map = widthMap(space);
  const flags = space.int8 ? [false, true] : [false];
  const units: { key: string; run: () => Promise<SampleStats> }[] = [];
  for (const int8 of flags) {
    units.push({
      key: stemKey(int8),
      run: () => measureUnit(source, { kind: "stem", int8 }, protocol),
    });
  }
  for (const v of blockVariants(space, map)) {
    if (isSkip(space, v)) continue;
    units.push({
      key: variantKey(space, v),
      run: () => measureUnit(source, { kind: "block", variant: v }, protocol),
    });
  }
  for (const features of map.cins[space.blocks.length]) {
    for (const int8 of flags) {
      units.push({
        key: headKey(features, int8),
        run: () => measureUnit(source, { kind: "head", features, int8 }, protocol),
      });
    }
  }
  const entries: Record<string, SampleStats> = {};
  for (const [i, u] of units.entries()) {
    const earlier = resume.done?.[u.key];
    if (earlier !== undefined) {
      entries[u.key] = earlier;
    } else {
      entries[u.key] = await u.run();
      await resume.onEntry?.(u.key, entries[u.key]);
    }
    onProgress?.(i + 1, units.length);
  }
  return { source: source.name, protocol, entries };
}

function entry(lut: LatencyLut, key: string): SampleStats {
  const e = lut.entries[key];
  if (e === undefined) {
    throw new AdaspringError(
      `the latency table has no entry ${key}: it was built for another search space; ` +
        `re-run profile for this task.`,
    );
  }
  return e;
}

/** The network correction `predicted = slope * lutSum + perUnit * units + intercept`. */
export interface NetworkCorrection {
  readonly slope: number;
  /** Per timed unit summed (ms): removes the runtime-call overhead counted once per unit. */
  readonly perUnit: number;
  readonly intercept: number;
}

/** The identity correction (no whole-network measurements yet). */
export const NO_CORRECTION: NetworkCorrection = { slope: 1, perUnit: 0, intercept: 0 };

/**
 * The corrected LUT prediction as an additive objective (ms), for whole-space evaluation: the
 * correction is linear in the per-unit terms, so it distributes over them.
 */
export function lutObjective(
  space: SearchSpace,
  lut: LatencyLut,
  correction: NetworkCorrection = NO_CORRECTION,
): AdditiveObjective {
  const { slope, perUnit, intercept } = correction;
  return {
    block: (v) => isSkip(space, v) ? 0 : slope * entry(lut, variantKey(space, v)).mean + perUnit,
    rest: (features, int8) =>
      slope * (entry(lut, stemKey(int8)).mean + entry(lut, headKey(features, int8)).mean) +
      2 * perUnit + intercept,
  };
}

/** `stem + sum of blocks + head` from the table (ms) and the number of units summed. */
export function lutSum(
  space: SearchSpace,
  lut: LatencyLut,
  config: SubnetConfig,
): { ms: number; units: number } {
  const net = resolveSubnet(space, config);
  let ms = entry(lut, stemKey(config.int8)).mean +
    entry(lut, headKey(net.features, config.int8)).mean;
  let units = 2;
  for (const b of net.blocks) {
    if (b.op === "skip") continue;
    units++;
    ms += entry(
      lut,
      variantKey(space, {
        block: b.index,
        choice: config.choices[b.index],
        cin: b.cin,
        int8: config.int8,
      }),
    ).mean;
  }
  return { ms, units };
}

/**
 * Least-squares fit of the correction. When the unit counts (or the sums) do not vary, the
 * corresponding term is dropped (perUnit 0, or slope 1), so the fit is always determined.
 */
export function fitCorrection(
  raw: readonly { ms: number; units: number }[],
  measured: readonly number[],
): NetworkCorrection {
  const n = raw.length;
  if (n === 0) return NO_CORRECTION;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / n;
  const x1 = raw.map((r) => r.ms), x2 = raw.map((r) => r.units);
  const m1 = mean(x1), m2 = mean(x2), my = mean([...measured]);
  let s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0;
  for (let i = 0; i < n; i++) {
    const a = x1[i] - m1, b = x2[i] - m2, y = measured[i] - my;
    s11 += a * a, s22 += b * b, s12 += a * b, s1y += a * y, s2y += b * y;
  }
  const det = s11 * s22 - s12 * s12;
  if (n >= 3 && det > 1e-12 * s11 * s22) {
    const slope = (s1y * s22 - s2y * s12) / det, perUnit = (s2y * s11 - s1y * s12) / det;
    return { slope, perUnit, intercept: my - slope * m1 - perUnit * m2 };
  }
  if (n >= 2 && s11 > 0) {
    const slope = s1y / s11;
    return { slope, perUnit: 0, intercept: my - slope * m1 };
  }
  return { slope: 1, perUnit: 0, intercept: my - m1 };
}

/** Predicted whole-network latency (ms). */
export function predictLatency(
  space: SearchSpace,
  lut: LatencyLut,
  correction: NetworkCorrection,
  config: SubnetConfig,
): number {
  const { ms, units } = lutSum(space, lut, config);
  return correction.slope * ms + correction.perUnit * units + correction.intercept;
}

/** A measured whole configuration. */
export interface MeasuredNetwork {
  readonly config: SubnetConfig;
  readonly latencyMs: number;
}

/** Time whole configurations with the protocol (their trimmed means). */
export async function measureNetworks(
  source: TimingSource,
  configs: readonly SubnetConfig[],
  protocol: TimingProtocol = DEFAULT_PROTOCOL,
  onProgress?: Progress,
): Promise<MeasuredNetwork[]> {
  const out: MeasuredNetwork[] = [];
  for (const [i, config] of configs.entries()) {
    const s = await measureUnit(source, { kind: "network", config }, protocol);
    out.push({ config, latencyMs: s.mean });
    onProgress?.(i + 1, configs.length);
  }
  return out;
}

/** nn-Meter-style quality of a latency predictor on held-out configurations. */
export interface LatencyQuality {
  /** Root mean square percentage error (%). */
  readonly rmspe: number;
  /** Share (0..1) of predictions within +-10%. */
  readonly within10: number;
  readonly n: number;
}

/** The fitted correction and its validation. */
export interface LutValidation {
  readonly correction: NetworkCorrection;
  readonly trainCount: number;
  /** The plain LUT sum on the held-out configurations. */
  readonly raw: LatencyQuality;
  /** The corrected prediction on the held-out configurations. */
  readonly corrected: LatencyQuality;
  readonly points: readonly {
    readonly id: string;
    readonly measured: number;
    readonly predicted: number;
    readonly heldOut: boolean;
  }[];
}

function quality(pred: number[], actual: number[]): LatencyQuality {
  return { rmspe: rmspe(pred, actual), within10: withinShare(pred, actual, 0.1), n: pred.length };
}

/**
 * Split the measured configurations (a share `heldOut`, default 0.3, drawn with `rng`), fit the
 * correction on the rest, and report both the raw sum's and the corrected prediction's quality
 * on the held-out ones.
 */
export function validateLut(
  space: SearchSpace,
  lut: LatencyLut,
  measured: readonly MeasuredNetwork[],
  rng: Rng,
  heldOut = 0.3,
): LutValidation {
  if (measured.length < 2) {
    throw new AdaspringError(
      `validating the latency table needs at least 2 measured configurations, got ${measured.length}.`,
    );
  }
  const order = rng.shuffle(measured.map((_, i) => i));
  const nTest = Math.min(measured.length - 1, Math.max(1, Math.round(heldOut * measured.length)));
  const test = new Set(order.slice(0, nTest));
  const raw = measured.map((m) => lutSum(space, lut, m.config));
  const train = measured.map((_, i) => i).filter((i) => !test.has(i));
  const correction = fitCorrection(
    train.map((i) => raw[i]),
    train.map((i) => measured[i].latencyMs),
  );
  const testIdx = [...test].sort((a, b) => a - b);
  const actual = testIdx.map((i) => measured[i].latencyMs);
  const corrected = raw.map((r) =>
    correction.slope * r.ms + correction.perUnit * r.units + correction.intercept
  );
  return {
    correction,
    trainCount: train.length,
    raw: quality(testIdx.map((i) => raw[i].ms), actual),
    corrected: quality(testIdx.map((i) => corrected[i]), actual),
    points: measured.map((m, i) => ({
      id: formatConfigId(space, m.config),
      measured: m.latencyMs,
      predicted: corrected[i],
      heldOut: test.has(i),
    })),
  };
}

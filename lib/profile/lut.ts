/**
 * The per-block latency lookup table (Once-for-All / nn-Meter style, DESIGN.md §5): one
 * `{count, mean, var}` entry per block variant (block x choice x input width x int8), plus the
 * stem (per int8 flag) and the head (per feature width and int8 flag), measured with an injected
 * {@link TimingSource}.
 *
 * Whole-network prediction: `raw = stem + sum of blocks + head` over the `u` timed units it
 * sums, then a linear correction `a * raw + c * u + b` fitted by non-negative least squares on
 * measured whole configurations. A source that can time a unit's empty twin (the host source)
 * stores each unit net of its per-call overhead, so the sum no longer counts that overhead once
 * per unit; the intercept `b` then restores the one call a whole network pays, the slope `a`
 * absorbs cross-layer effects (fusion, cache reuse), and `c` what per-unit work remains. The
 * corrected prediction is still a sum of per-block terms, so the whole space can be evaluated
 * additively. Validation follows nn-Meter: RMSPE and the share within +-10% on held-out measured
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
  type SampleStats,
  summarize,
  type TimingProtocol,
  type TimingSource,
  type TimingUnit,
} from "./timing.ts";
import { type InterleaveOptions, measureUnits } from "./interleave.ts";

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

/**
 * LUT key of the per-call overhead: the mean over the units measured of their empty twins'
 * times (ms). Only sources with overhead twins write it; the prediction does not use it (the
 * correction's intercept restores a network's one call), the host calibration does.
 */
export const CALL_KEY = "call";

/** LUT key of the head on `features` channels. */
export function headKey(features: number, int8: boolean): string {
  return `head@${features}${q8(int8)}`;
}

function isSkip(space: SearchSpace, v: BlockVariant): boolean {
  return space.blocks[v.block].choices[v.choice].op === "skip";
}

/** Every unit a table of `space` holds, keyed: stems, non-skip block variants, heads. */
export function lutUnits(space: SearchSpace): { key: string; unit: TimingUnit }[] {
  const map = widthMap(space);
  const flags = space.int8 ? [false, true] : [false];
  const units: { key: string; unit: TimingUnit }[] = [];
  for (const int8 of flags) units.push({ key: stemKey(int8), unit: { kind: "stem", int8 } });
  for (const v of blockVariants(space, map)) {
    if (!isSkip(space, v)) {
      units.push({ key: variantKey(space, v), unit: { kind: "block", variant: v } });
    }
  }
  for (const features of map.cins[space.blocks.length]) {
    for (const int8 of flags) {
      units.push({ key: headKey(features, int8), unit: { kind: "head", features, int8 } });
    }
  }
  return units;
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
 * Units are timed interleaved in passes ({@link measureUnits}); `interleave.rng` shuffles the order.
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
  interleave: Omit<InterleaveOptions, "onUnit"> = {},
): Promise<LatencyLut> {
  const units = lutUnits(space);
  const entries: Record<string, SampleStats> = {};
  const todo: typeof units = [];
  for (const u of units) {
    const earlier = resume.done?.[u.key];
    if (earlier !== undefined) entries[u.key] = earlier;
    else todo.push(u);
  }
  // A shuffled order spreads each block's variants over the build, so slow drift in the
  // machine's load does not bias one block against another.
  interleave.rng?.fork("lut-order").shuffle(todo);
  let done = units.length - todo.length;
  if (done > 0) onProgress?.(done, units.length);
  const twinMeans: number[] = [];
  await measureUnits(source, todo.map((u) => u.unit), protocol, {
    ...interleave,
    onUnit: async (i, stats, twin) => {
      if (twin !== undefined) twinMeans.push(twin.mean);
      entries[todo[i].key] = stats;
      await resume.onEntry?.(todo[i].key, stats);
      onProgress?.(++done, units.length);
    },
  });
  // Keys in the table's canonical order, whatever order they were measured in.
  const ordered = Object.fromEntries(units.map((u) => [u.key, entries[u.key]]));
  const call = twinMeans.length > 0 ? summarize(twinMeans, 0) : resume.done?.[CALL_KEY];
  if (call !== undefined) {
    ordered[CALL_KEY] = call;
    if (twinMeans.length > 0) await resume.onEntry?.(CALL_KEY, call);
  }
  return { source: source.name, protocol, entries: ordered };
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

/** Solve the small symmetric system `A x = b` by Gaussian elimination; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  const scale = Math.max(1e-300, ...a.map((row, i) => Math.abs(row[i])));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) <= 1e-12 * scale) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Relative least-squares fit of the correction with every coefficient >= 0 (slope, perUnit, intercept),
 * so a prediction is never below zero when the table's entries are not: the unconstrained fit
 * of a quick profile could predict <= 0 ms for the smallest networks. With three unknowns the
 * constrained optimum is found exactly by trying every set of free coefficients (the others
 * held at 0) and keeping the feasible one with the least squared error. When nothing is
 * feasible (no measurements), the identity correction is returned.
 *
 * @example
 * ```ts
 * import { fitCorrection } from "./lut.ts";
 * const raw = [1, 2, 3, 4].map((ms, i) => ({ ms, units: 3 + (i % 2) }));
 * const c = fitCorrection(raw, raw.map((r) => 0.9 * r.ms + 0.05));
 * console.assert(Math.abs(c.slope - 0.9) < 1e-9 && Math.abs(c.intercept - 0.05) < 1e-9);
 * ```
 */
export function fitCorrection(
  raw: readonly { ms: number; units: number }[],
  measured: readonly number[],
): NetworkCorrection {
  const keep = measured.flatMap((y, i) => (y > 0 ? [i] : []));
  if (keep.length < raw.length) {
    return fitCorrection(keep.map((i) => raw[i]), keep.map((i) => measured[i]));
  }
  if (raw.length === 0) return NO_CORRECTION;
  // Relative residuals (each row divided by its measurement): the fit minimizes the squared
  // percentage error that RMSPE reports, so the few slowest networks do not dominate it.
  const rows = raw.map((r, i) => [r.ms, r.units, 1].map((v) => v / measured[i]));
  const target = measured.map(() => 1);
  let best: { coef: number[]; sse: number } | null = null;
  for (let mask = 1; mask < 8; mask++) {
    const free = [0, 1, 2].filter((j) => mask & (1 << j));
    const ata = free.map((j) => free.map((k) => rows.reduce((a, r) => a + r[j] * r[k], 0)));
    const aty = free.map((j) => rows.reduce((a, r, i) => a + r[j] * target[i], 0));
    const x = solve(ata, aty);
    if (x === null || x.some((v) => v < 0)) continue;
    const coef = [0, 0, 0];
    free.forEach((j, i) => (coef[j] = x[i]));
    const sse = rows.reduce(
      (a, r, i) => a + (r[0] * coef[0] + r[1] * coef[1] + r[2] * coef[2] - target[i]) ** 2,
      0,
    );
    if (best === null || sse < best.sse * (1 - 1e-12)) best = { coef, sse };
  }
  if (best === null) return NO_CORRECTION;
  return { slope: best.coef[0], perUnit: best.coef[1], intercept: best.coef[2] };
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

/**
 * Time whole configurations with the protocol, interleaved in passes (their trimmed means);
 * `interleave.onUnit` sees each one as it is final (e.g. to save it).
 */
export async function measureNetworks(
  source: TimingSource,
  configs: readonly SubnetConfig[],
  protocol: TimingProtocol = DEFAULT_PROTOCOL,
  onProgress?: Progress,
  interleave: InterleaveOptions = {},
): Promise<MeasuredNetwork[]> {
  const units = configs.map((config) => ({ kind: "network" as const, config }));
  let done = 0;
  const stats = await measureUnits(source, units, protocol, {
    ...interleave,
    onUnit: async (i, s) => {
      await interleave.onUnit?.(i, s);
      onProgress?.(++done, configs.length);
    },
  });
  return configs.map((config, i) => ({ config, latencyMs: stats[i].mean }));
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

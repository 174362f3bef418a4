/**
 * Modeled latency of a configuration on a platform that is not this machine (DESIGN.md §5):
 * a roofline per kernel, `max(flops / throughput(kind), bytes / bandwidth)`, summed over the
 * network's kernels, plus a fixed per-inference overhead. Every result is labelled `modeled`
 * and names the platform file and the calibration it used.
 *
 * Calibration: {@link calibrate} fits, on measurements taken on the measuring machine, how
 * much of that machine's peak each op kind reaches (its efficiency) and the per-run overhead.
 * A target's throughput is then `efficiency(kind) x peak(target)`; the assumption is that a
 * kernel reaches a similar share of peak on CPUs with the same vector width and runtime. Without
 * a calibration (or without `fmaPerCycle` in the target file) the file's stated throughputs are
 * used.
 *
 * @module
 */
import { type ModeledPlatformConfig, OP_KINDS, peakGflops } from "../config/platform.ts";
import { type Figure, modeled } from "../report/provenance.ts";
import type { CostInput } from "../supernet/cost.ts";
import type { SearchSpace } from "../supernet/space.ts";
import { type OpCost, type OpKind, type PartOps, partOps } from "./ops.ts";
import { type AdditiveObjective, partsObjective } from "./space_eval.ts";

/** Efficiencies and overhead fitted on the measuring machine. */
export interface Calibration {
  /** Fraction of the measuring machine's peak each fitted op kind reached. */
  readonly efficiency: Partial<Record<OpKind, number>>;
  /** Fixed overhead of one timed run on the measuring machine (ms). */
  readonly overheadMs: number;
  /** Peak and clock of the measuring machine (from its platform file). */
  readonly hostPeakGflops: number;
  readonly hostClockGhz: number;
  /** Measurements the fit used. */
  readonly samples: number;
  /** In-sample root mean square percentage error of the fit (%). */
  readonly fitRmspe: number;
}

/** One measured unit (a block, the stem, a whole network) with its kernels. */
export interface CalibrationSample {
  readonly ops: readonly OpCost[];
  readonly latencyMs: number;
}

/** Non-negative least squares by cyclic coordinate descent (few unknowns, so it is plenty). */
function nnls(rows: number[][], y: number[], sweeps = 5000): number[] {
  const p = rows[0]?.length ?? 0;
  const x = new Array<number>(p).fill(0);
  const colSq = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j] * r[j], 0));
  const resid = [...y];
  for (let it = 0; it < sweeps; it++) {
    let moved = 0;
    for (let j = 0; j < p; j++) {
      if (colSq[j] === 0) continue;
      let g = 0;
      for (let i = 0; i < rows.length; i++) g += rows[i][j] * resid[i];
      const next = Math.max(0, x[j] + g / colSq[j]);
      const d = next - x[j];
      if (d !== 0) {
        for (let i = 0; i < rows.length; i++) resid[i] -= rows[i][j] * d;
        x[j] = next;
        moved = Math.max(moved, Math.abs(d) * Math.sqrt(colSq[j]));
      }
    }
    if (moved < 1e-12) break;
  }
  return x;
}

/**
 * Fit per-op-kind efficiencies and the per-run overhead on measurements from the measuring
 * machine: `latency = sum_k flops_k / (peak x e_k) + overhead`, solved for `1 / e_k >= 0` and
 * `overhead >= 0` by non-negative least squares. Memory time is left out: the networks here
 * fit in the measuring machine's caches. Kinds absent from the samples stay unfitted.
 *
 * @example
 * ```ts
 * import { calibrate } from "./latency_model.ts";
 * const samples = [1e6, 2e6, 4e6].map((flops) => ({
 *   ops: [{ kind: "conv" as const, flops, bytes: 0 }],
 *   latencyMs: flops / (10 * 0.5 * 1e9) * 1e3 + 0.1,
 * }));
 * const cal = calibrate(samples, { peakGflops: 10, clockGhz: 2 });
 * console.assert(Math.abs((cal.efficiency.conv ?? 0) - 0.5) < 1e-6);
 * ```
 */
export function calibrate(
  samples: readonly CalibrationSample[],
  host: { peakGflops: number; clockGhz: number },
): Calibration {
  const kinds = OP_KINDS.filter((k) => samples.some((s) => s.ops.some((o) => o.kind === k)));
  // Column k: milliseconds at 100% efficiency; scaled to unit norm for a well-posed descent.
  const raw = samples.map((s) => [
    ...kinds.map((k) =>
      s.ops.filter((o) => o.kind === k).reduce((a, o) => a + o.flops, 0) /
      (host.peakGflops * 1e6)
    ),
    1,
  ]);
  const scale = raw[0]?.map((_, j) => Math.sqrt(raw.reduce((a, r) => a + r[j] ** 2, 0)) || 1) ??
    [];
  const coef = nnls(raw.map((r) => r.map((v, j) => v / scale[j])), samples.map((s) => s.latencyMs))
    .map((c, j) => c / scale[j]);
  const efficiency: Partial<Record<OpKind, number>> = {};
  kinds.forEach((k, j) => {
    // A zero coefficient means the kind's time is not identifiable from these samples.
    if (coef[j] > 0) efficiency[k] = Math.min(1, 1 / coef[j]);
  });
  const overheadMs = coef[kinds.length];
  const pred = raw.map((r) => r.reduce((a, v, j) => a + v * coef[j], 0));
  const sq = samples.reduce((a, s, i) => a + ((pred[i] - s.latencyMs) / s.latencyMs) ** 2, 0);
  return {
    efficiency,
    overheadMs,
    hostPeakGflops: host.peakGflops,
    hostClockGhz: host.clockGhz,
    samples: samples.length,
    fitRmspe: 100 * Math.sqrt(sq / Math.max(1, samples.length)),
  };
}

/** How the model turns a platform (and an optional calibration) into rates. */
interface Rates {
  throughput: Record<OpKind, number>;
  bandwidthGBs: number;
  overheadMs: number;
  note: string;
}

function rates(platform: ModeledPlatformConfig, calibration?: Calibration): Rates {
  const throughput = Object.fromEntries(
    OP_KINDS.map((k) => [k, platform.throughputGflops[k].value]),
  ) as Record<OpKind, number>;
  const peak = peakGflops(platform.cpu);
  let overheadMs = platform.overheadMs.value;
  let note = "uncalibrated (platform file throughputs)";
  if (calibration && peak !== null) {
    const fitted = OP_KINDS.filter((k) => calibration.efficiency[k] !== undefined);
    for (const k of fitted) throughput[k] = calibration.efficiency[k]! * peak;
    // A per-run overhead is mostly scalar work: scale it by the clock ratio.
    overheadMs = calibration.overheadMs * calibration.hostClockGhz / platform.cpu.clockGhz.value;
    note = `calibrated on ${calibration.samples} host measurements (${fitted.join(", ")}; ` +
      `fit RMSPE ${calibration.fitRmspe.toFixed(1)}%)`;
  } else if (calibration) {
    note = "uncalibrated: the platform file has no cpu.fmaPerCycle, so its peak is unknown";
  }
  return { throughput, bandwidthGBs: platform.memoryBandwidthGBs.value, overheadMs, note };
}

/** Roofline time of one kernel in ms. */
function opMs(op: OpCost, r: Rates): number {
  const compute = op.flops / (r.throughput[op.kind] * 1e6);
  const memory = op.bytes / (r.bandwidthGBs * 1e6);
  return Math.max(compute, memory);
}

/** Modeled latency of a configuration, in total and per part. */
export interface ModeledLatency {
  readonly total: Figure;
  readonly parts: readonly { readonly name: string; readonly ms: number }[];
  readonly overheadMs: number;
}

/**
 * Modeled latency of a configuration's kernels (see {@link partOps}) on a modeled platform.
 *
 * @example
 * ```ts
 * import { loadPlatformConfig } from "../config/platform.ts";
 * import { modeledLatency } from "./latency_model.ts";
 * const { config, path } = await loadPlatformConfig("pi4");
 * if (config.latency !== "modeled") throw new Error("pi4 is modeled");
 * const parts = [{ name: "b0", ops: [{ kind: "conv" as const, flops: 1e7, bytes: 1e5 }] }];
 * const lat = modeledLatency(parts, config, path);
 * console.assert(lat.total.provenance === "modeled" && lat.total.value > 0);
 * ```
 */
export function modeledLatency(
  parts: readonly PartOps[],
  platform: ModeledPlatformConfig,
  platformPath: string,
  calibration?: Calibration,
): ModeledLatency {
  const r = rates(platform, calibration);
  const perPart = parts.map((p) => ({
    name: p.name,
    ms: p.ops.reduce((a, op) => a + opMs(op, r), 0),
  }));
  const total = perPart.reduce((a, p) => a + p.ms, 0) + r.overheadMs;
  return {
    total: modeled(total, "ms", `${platformPath}: roofline model, ${r.note}`),
    parts: perPart,
    overheadMs: r.overheadMs,
  };
}

/**
 * The modeled latency as an additive objective over a search space (per part ms; the overhead
 * is added once per configuration), for whole-space evaluation.
 */
export function modeledLatencyObjective(
  space: SearchSpace,
  input: CostInput,
  platform: ModeledPlatformConfig,
  platformPath: string,
  calibration?: Calibration,
): AdditiveObjective {
  const overhead = modeledLatency([], platform, platformPath, calibration).overheadMs;
  return partsObjective(
    space,
    (config) =>
      modeledLatency(partOps(space, config, input), platform, platformPath, calibration).parts
        .map((p) => p.ms),
    overhead,
  );
}

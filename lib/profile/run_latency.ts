/**
 * The latency phases of `profile`: on a measured platform (this machine) the per-block LUT,
 * whole sampled configurations, the LUT's validation and the per-op calibration; on a modeled
 * platform, the calibration it borrows from a host profile (or none: the file's priors).
 *
 * @module
 */
import { peakGflops, type PlatformConfig } from "../config/platform.ts";
import { AdaspringError } from "../errors.ts";
import type { LoadedConfig } from "../config/source.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import type { CostInput } from "../supernet/cost.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { Rng } from "../util/rng.ts";
import { assertFresh, readProfile } from "./artifact.ts";
import { calibrate, type Calibration, type CalibrationSample } from "./latency_model.ts";
import {
  CALL_KEY,
  headKey,
  type LatencyLut,
  lutUnits,
  type LutValidation,
  type Progress,
  stemKey,
  validateLut,
  variantKey,
} from "./lut.ts";
import { partOps } from "./ops.ts";
import type { PhaseStore } from "./run_state.ts";
import { blockVariants, configForVariant, widthMap } from "./space_eval.ts";
import { measureUnits } from "./interleave.ts";
import { type SampleStats, summarize, type TimingProtocol, type TimingSource } from "./timing.ts";

/** What the measured-latency phases need. */
export interface MeasuredLatencyInput {
  readonly space: SearchSpace;
  readonly input: CostInput;
  readonly source: TimingSource;
  readonly protocol: TimingProtocol;
  /** Sampled configurations for the validation, and extra ones measured for the report. */
  readonly sampled: readonly SubnetConfig[];
  readonly extra: readonly SubnetConfig[];
  readonly lutState: PhaseStore<SampleStats>;
  readonly networkState: PhaseStore<number>;
  readonly rng: Rng;
  readonly onProgress?: (phase: "lut" | "networks") => Progress;
}

/** The LUT, whole-network measurements (ms by config id) and the validation. */
export interface MeasuredLatency {
  readonly lut: LatencyLut;
  readonly networkMs: Readonly<Record<string, number>>;
  readonly validation: LutValidation;
}

/**
 * Build (or resume) the LUT and measure whole configurations, then validate the LUT on them.
 * LUT units and whole networks are timed together, in the same shuffled passes
 * ({@link measureUnits}), so a change in the machine's load during the phase affects the table
 * and the networks it is validated against alike.
 */
export async function measureLatency(inp: MeasuredLatencyInput): Promise<MeasuredLatency> {
  const { space, source, protocol } = inp;
  // Measurement order is seeded (its own stream, so the validation split does not move).
  const order = inp.rng.fork("order");
  const lutAll = lutUnits(space);
  const lutTodo = lutAll.filter((u) => inp.lutState.entries[u.key] === undefined);
  const all = [...inp.sampled, ...inp.extra];
  // Distinct configurations not measured yet (the extra ones may repeat a sampled one).
  const pending = new Map(all.map((c) => [formatConfigId(space, c), c]));
  for (const id of Object.keys(inp.networkState.entries)) pending.delete(id);
  const netTodo = [...pending.entries()];
  const lutProgress = inp.onProgress?.("lut"), netProgress = inp.onProgress?.("networks");
  let lutDone = lutAll.length - lutTodo.length, netDone = all.length - netTodo.length;
  const jobs = [
    ...lutTodo.map((u) => ({
      unit: u.unit,
      save: async (s: SampleStats) => {
        await inp.lutState.put(u.key, s);
        lutProgress?.(++lutDone, lutAll.length);
      },
    })),
    ...netTodo.map(([id, config]) => ({
      unit: { kind: "network" as const, config },
      save: async (s: SampleStats) => {
        await inp.networkState.put(id, s.mean);
        netProgress?.(++netDone, all.length);
      },
    })),
  ];
  order.fork("jobs").shuffle(jobs);
  const twinMeans: number[] = [];
  await measureUnits(source, jobs.map((j) => j.unit), protocol, {
    rng: order,
    onUnit: (i, s, twin) => {
      if (twin !== undefined) twinMeans.push(twin.mean);
      return jobs[i].save(s);
    },
  });
  if (twinMeans.length > 0) await inp.lutState.put(CALL_KEY, summarize(twinMeans, 0));
  const entries = Object.fromEntries(lutAll.map((u) => [u.key, inp.lutState.entries[u.key]]));
  const call = inp.lutState.entries[CALL_KEY];
  if (call !== undefined) entries[CALL_KEY] = call;
  const lut: LatencyLut = { source: source.name, protocol, entries };
  const networkMs = inp.networkState.entries;
  const measured = inp.sampled.map((config) => ({
    config,
    latencyMs: networkMs[formatConfigId(space, config)],
  }));
  return { lut, networkMs, validation: validateLut(space, lut, measured, inp.rng) };
}

/**
 * Calibration samples from host measurements: every LUT unit with the kernels it runs, and every
 * measured whole network. The calibration models one run's time as kernels plus one fixed
 * overhead, but LUT units from a source with overhead twins are net of the per-call overhead:
 * each unit is given back the measured mean twin call ({@link CALL_KEY}), so it counts as if it
 * ran alone, like a network. (Added back at the mean, not per unit: measured on mnist, this
 * brought the fit's in-sample RMSPE from 47-67% down to about 19%.)
 */
export function calibrationSamples(
  space: SearchSpace,
  input: CostInput,
  lut: LatencyLut,
  networks: readonly { config: SubnetConfig; latencyMs: number }[],
): CalibrationSample[] {
  const map = widthMap(space);
  const B = space.blocks.length;
  const out: CalibrationSample[] = [];
  const callMs = lut.entries[CALL_KEY]?.mean ?? 0;
  const add = (key: string, ops: CalibrationSample["ops"]) => {
    const e = lut.entries[key];
    const ms = e === undefined ? 0 : e.mean + callMs;
    if (ms > 0 && ops.length > 0) out.push({ ops, latencyMs: ms });
  };
  for (const int8 of space.int8 ? [false, true] : [false]) {
    add(stemKey(int8), partOps(space, { choices: space.blocks.map(() => 0), int8 }, input)[0].ops);
    for (const [fi, features] of map.cins[B].entries()) {
      const parts = partOps(space, { choices: [...map.prefix[B][fi]], int8 }, input);
      add(headKey(features, int8), parts[B + 1].ops);
    }
  }
  for (const v of blockVariants(space, map)) {
    if (space.blocks[v.block].choices[v.choice].op === "skip") continue;
    add(
      variantKey(space, v),
      partOps(space, configForVariant(space, v, map), input)[1 + v.block].ops,
    );
  }
  for (const n of networks) {
    out.push({
      ops: partOps(space, n.config, input).flatMap((p) => p.ops),
      latencyMs: n.latencyMs,
    });
  }
  return out;
}

/** Fit the per-op efficiencies, or say why not (no CPU peak in the host file). */
export function hostCalibration(
  platform: PlatformConfig,
  samples: readonly CalibrationSample[],
): { calibration: Calibration | null; note: string } {
  const peak = platform.cpu ? peakGflops(platform.cpu) : null;
  if (platform.cpu === undefined || peak === null) {
    return {
      calibration: null,
      note:
        "no calibration: the host platform file states no cpu.fmaPerCycle, so its peak is unknown",
    };
  }
  const calibration = calibrate(samples, {
    peakGflops: peak,
    clockGhz: platform.cpu.clockGhz.value,
  });
  return {
    calibration,
    note: `fitted on ${calibration.samples} measurements here (fit RMSPE ${
      calibration.fitRmspe.toFixed(1)
    }%)`,
  };
}

/**
 * The calibration a modeled platform uses: from `file` (a host profile) when given, else from
 * `fallback` when that file exists; the profile must be fresh for the current task config (the
 * weights do not change which kernels run, so they are not checked here). `null` when there is
 * no host profile: the platform file's prior efficiencies are used, and the note says so.
 */
export async function borrowedCalibration(
  file: string | undefined,
  fallback: string,
  task: LoadedConfig<unknown>,
): Promise<{ calibration: Calibration | null; note: string }> {
  let path = file;
  if (path === undefined) {
    try {
      await Deno.stat(fallback);
      path = fallback;
    } catch {
      return {
        calibration: null,
        note: `uncalibrated: no host profile (${fallback} absent, no --calibration); ` +
          `the platform file's prior efficiencies are used`,
      };
    }
  }
  const profile = await readProfile(path);
  assertFresh(profile, {
    taskConfigHash: task.hash,
    supernetWeightsHash: profile.supernet.weightsHash,
  }, path);
  if (profile.calibration === null) {
    throw new AdaspringError(
      `${path} has no calibration (made on platform ${profile.platform.name}); pass a profile ` +
        `made with --platform host on a machine whose platform file states cpu.fmaPerCycle.`,
    );
  }
  return { calibration: profile.calibration, note: `host calibration from ${path}` };
}

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
  buildLut,
  headKey,
  type LatencyLut,
  type LutValidation,
  type Progress,
  stemKey,
  validateLut,
  variantKey,
} from "./lut.ts";
import { partOps } from "./ops.ts";
import type { PhaseStore } from "./run_state.ts";
import { blockVariants, configForVariant, widthMap } from "./space_eval.ts";
import { measureUnit, type SampleStats, type TimingProtocol, type TimingSource } from "./timing.ts";

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

/** Build (or resume) the LUT, measure whole configurations, and validate the LUT on them. */
export async function measureLatency(inp: MeasuredLatencyInput): Promise<MeasuredLatency> {
  const { space, source, protocol } = inp;
  const lut = await buildLut(space, source, protocol, inp.onProgress?.("lut"), {
    done: { ...inp.lutState.entries },
    onEntry: (key, stats) => inp.lutState.put(key, stats),
  });
  const all = [...inp.sampled, ...inp.extra];
  const progress = inp.onProgress?.("networks");
  for (const [i, config] of all.entries()) {
    const id = formatConfigId(space, config);
    if (inp.networkState.entries[id] === undefined) {
      const s = await measureUnit(source, { kind: "network", config }, protocol);
      await inp.networkState.put(id, s.mean);
    }
    progress?.(i + 1, all.length);
  }
  const networkMs = inp.networkState.entries;
  const measured = inp.sampled.map((config) => ({
    config,
    latencyMs: networkMs[formatConfigId(space, config)],
  }));
  return { lut, networkMs, validation: validateLut(space, lut, measured, inp.rng) };
}

/**
 * Calibration samples from host measurements: every LUT unit with the kernels it runs, and every
 * measured whole network.
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
  const add = (key: string, ops: CalibrationSample["ops"]) => {
    const e = lut.entries[key];
    if (e !== undefined && ops.length > 0) out.push({ ops, latencyMs: e.mean });
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

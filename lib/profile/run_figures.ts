/**
 * Per-configuration figures of `profile` for reference configurations (the largest and the
 * smallest): latency (measured here, or modeled), energy per inference (RAPL, a power-meter log,
 * or modeled) and memory (weight bytes float32/int8, peak activation), each with provenance.
 *
 * @module
 */
import type { PlatformConfig } from "../config/platform.ts";
import type { LoadedConfig } from "../config/source.ts";
import { badInput } from "../errors.ts";
import { type Figure, measuredHere } from "../report/provenance.ts";
import { formatConfigId, parseConfigId } from "../supernet/config_id.ts";
import { type CostInput, subnetCost } from "../supernet/cost.ts";
import { largestConfig } from "../supernet/extremes.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import {
  detectRapl,
  energyFromPowerLog,
  measureRaplEnergy,
  type MemoryFigures,
  memoryFigures,
  modeledEnergy,
  parsePowerLog,
} from "./energy.ts";
import { type Calibration, modeledLatency } from "./latency_model.ts";
import { partOps } from "./ops.ts";
import type { TimedRunner } from "./timing.ts";

/** Inferences timed between RAPL counter reads. */
const RAPL_INFERENCES = 500;

/** Figures of one reference configuration. */
export interface ReferenceFigures {
  readonly id: string;
  readonly latency: Figure;
  readonly energy: Figure;
  readonly memory: MemoryFigures;
}

/** What {@link referenceFigures} needs. */
export interface ReferenceInput {
  readonly space: SearchSpace;
  readonly input: CostInput;
  readonly platform: LoadedConfig<PlatformConfig>;
  readonly configs: readonly SubnetConfig[];
  /** Whole-network latency measured here by config id (measured platforms). */
  readonly measuredMs?: Readonly<Record<string, number>>;
  readonly calibration?: Calibration;
  /** How `measuredMs` was measured (provenance source). */
  readonly protocolSource: string;
  readonly powerLog?: string;
  readonly powerWindow?: string;
  readonly powerConfig?: string;
  /** Prepares a configuration for RAPL energy measurement (measured platforms). */
  readonly runner?: (config: SubnetConfig) => Promise<TimedRunner>;
}

/** Figures of the reference configurations, and the power log's figure when one was given. */
export interface ReferenceResult {
  readonly configurations: readonly ReferenceFigures[];
  /** Why energy is modeled (no RAPL), or where it was measured. */
  readonly energyNote: string;
  readonly powerLog: { readonly id: string; readonly energy: Figure } | null;
}

/** Parse `start,end,inferences` (seconds, seconds, count). */
export function parsePowerWindow(
  text: string,
): { start: number; end: number; inferences: number } {
  const parts = text.split(",").map((s) => Number(s.trim()));
  const [start, end, inferences] = parts;
  if (
    parts.length !== 3 || !parts.every(Number.isFinite) || !(end > start) ||
    !(Number.isInteger(inferences) && inferences > 0)
  ) {
    throw badInput(
      `--power-window "${text}": expected "start,end,inferences" (seconds in the log's clock, ` +
        `end > start, a positive whole number of inferences run in that window), e.g. 12.5,42.5,1000.`,
    );
  }
  return { start, end, inferences };
}

/** Latency, energy and memory of each reference configuration. */
export async function referenceFigures(inp: ReferenceInput): Promise<ReferenceResult> {
  const { space, input, platform } = inp;
  const rapl = platform.config.latency === "measured" && inp.runner
    ? await detectRapl()
    : { available: false, zones: [], reason: "the platform is modeled: energy is modeled" };
  const out: ReferenceFigures[] = [];
  for (const config of inp.configs) {
    const id = formatConfigId(space, config);
    const ms = inp.measuredMs?.[id];
    const latency: Figure = ms !== undefined
      ? measuredHere(ms, "ms", inp.protocolSource)
      : modeledLatency(
        partOps(space, config, input),
        platform.config as Extract<PlatformConfig, { latency: "modeled" }>,
        platform.path,
        inp.calibration,
      ).total;
    let energy: Figure;
    if (rapl.available && inp.runner) {
      const runner = await inp.runner(config);
      try {
        energy = await measureRaplEnergy(rapl.zones, async () => {
          await runner.run();
        }, RAPL_INFERENCES);
      } finally {
        await runner.dispose?.();
      }
    } else {
      energy = modeledEnergy(latency.value, platform.config.power, platform.path);
    }
    out.push({ id, latency, energy, memory: memoryFigures(subnetCost(space, config, input)) });
  }
  let powerLog: ReferenceResult["powerLog"] = null;
  if (inp.powerLog !== undefined) {
    if (inp.powerWindow === undefined) {
      throw badInput(
        `--power-log ${inp.powerLog} needs --power-window "start,end,inferences": the span of ` +
          `the log during which the configuration ran, and how many inferences it ran.`,
      );
    }
    const text = await Deno.readTextFile(inp.powerLog).catch((err) => {
      throw badInput(`${inp.powerLog}: cannot read the power log (${err.message}).`, err);
    });
    const config = inp.powerConfig ? parseConfigId(space, inp.powerConfig) : largestConfig(space);
    const w = parsePowerWindow(inp.powerWindow);
    powerLog = {
      id: formatConfigId(space, config),
      energy: energyFromPowerLog(parsePowerLog(text, inp.powerLog), w, w.inferences, inp.powerLog),
    };
  }
  const energyNote = rapl.available
    ? `measured with RAPL (${rapl.zones.join(", ")}), ${RAPL_INFERENCES} inferences`
    : `modeled: ${rapl.reason}`;
  return { configurations: out, energyNote, powerLog };
}
